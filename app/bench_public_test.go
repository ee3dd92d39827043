package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/tenant"
	welinksim "cloudbridge/backend/welink/sim"
)

// BenchmarkPublicListener is the load proof of the public listener (issue 9
// item 6): a demo-wired App (app.New with Demo: true, on-disk store) serves
// on loopback; 16 clients send a 50/50 mix of OFS to-do pushes
// (POST /rest/ofs/ReceiveRequestInfoByJson, as e-cology's pusher does) and
// SSO homepage loads (GET /sso/<app>/mobile, the page WeLink opens). Every
// page load is a different user behind the local reverse proxy
// (X-Forwarded-For), so the per-IP rate limit does not throttle the mix.
// Reports throughput and p99 latency; every answer must be a success.
//
//	go test -run '^$' -bench PublicListener -benchtime 4000x ./app/
func BenchmarkPublicListener(b *testing.B) {
	a, err := New(Config{DataDir: b.TempDir(), Demo: true, KeyStore: "file", PublicAddr: "127.0.0.1:0",
		LogLevel: slog.LevelError, Version: "bench", Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	if err := a.Start(); err != nil {
		b.Fatal(err)
	}
	st := a.Public.Status()
	if !st.Running {
		b.Fatalf("public listener not running: %+v", st)
	}
	base := "http://" + st.Addr
	corp, err := a.Tenant.CreateCorp("压测企业")
	if err != nil {
		b.Fatal(err)
	}
	app, err := a.Tenant.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "压测应用", ClientID: welinksim.DemoClientID,
		ClientSecret: welinksim.DemoClientSecret, Homepage: tenant.Homepage{Kind: "custom", CustomURL: "http://oa.example/"}})
	if err != nil {
		b.Fatal(err)
	}
	ssoURL := base + "/sso/" + app.ID + "/mobile"
	ofsURL := base + "/rest/ofs/ReceiveRequestInfoByJson"
	receivers := []string{"zhangsan", "lisi", "wangwu", "zhaoliu"}
	todo := func(i int) []byte {
		flow := strconv.Itoa(100000 + i)
		raw, _ := json.Marshal(map[string]string{"syscode": oasim.DemoOFSSysCode, "flowid": flow, "requestname": "费用报销 " + flow,
			"workflowname": "费用报销", "nodename": "部门经理审批", "receiver": receivers[i%len(receivers)], "isremark": "0",
			"pcurl": "/workflow/request/ViewRequest.jsp?requestid=" + flow, "appurl": "", "receivets": strconv.FormatInt(time.Now().UnixMilli(), 10)})
		return raw
	}
	client := &http.Client{Timeout: 30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 32},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	one := func(i int) (bool, error) {
		if i%2 == 0 {
			resp, err := client.Post(ofsURL, "application/json", bytes.NewReader(todo(i)))
			if err != nil {
				return true, err
			}
			defer resp.Body.Close()
			var m map[string]any
			json.NewDecoder(resp.Body).Decode(&m)
			if resp.StatusCode != 200 || m["operResult"] != "1" {
				return true, fmt.Errorf("OFS push: %d %v", resp.StatusCode, m)
			}
			return true, nil
		}
		req, _ := http.NewRequest(http.MethodGet, ssoURL, nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14) HuaWeiWeLink")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255))
		resp, err := client.Do(req)
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || len(resp.Cookies()) == 0 {
			return false, fmt.Errorf("SSO page: %d %.200s", resp.StatusCode, body)
		}
		return false, nil
	}
	// Warm up (connections, token cache, first store writes) outside the timing.
	for i := -20; i < 0; i++ {
		if _, err := one(i + 1<<20); err != nil {
			b.Fatal(err)
		}
	}

	lat := make([]time.Duration, b.N)
	isOFS := make([]bool, b.N)
	var next atomic.Int64
	var firstErr atomic.Pointer[error]
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				ofs, err := one(i)
				lat[i], isOFS[i] = time.Since(t0), ofs
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed; first: %v", n, b.N, *firstErr.Load())
	}
	p99 := func(keep func(i int) bool) float64 {
		var d []time.Duration
		for i, l := range lat {
			if keep(i) {
				d = append(d, l)
			}
		}
		if len(d) == 0 {
			return 0
		}
		slices.Sort(d)
		return float64(d[(len(d)*99)/100]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(p99(func(int) bool { return true }), "p99-ms")
	b.ReportMetric(p99(func(i int) bool { return isOFS[i] }), "ofs-p99-ms")
	b.ReportMetric(p99(func(i int) bool { return !isOFS[i] }), "sso-p99-ms")
	b.ReportMetric(0, "ns/op")
}
