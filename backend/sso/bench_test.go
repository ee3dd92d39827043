package sso

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/welink"
	wlsim "cloudbridge/backend/welink/sim"
)

// BenchmarkHomepageToOA measures the homepage → OA redirect with warm
// tokens: the server-side time of the code post (WeLink /auth/v2/userid +
// OA /ssologin/getToken + hand-off), its p99, and the WeLink token fetches
// (want exactly one per app per expiry window). The load generator and both
// emulators share the machine's cores with the server.
//
//	go test ./backend/sso -run '^$' -bench HomepageToOA -benchtime 4000x
func BenchmarkHomepageToOA(b *testing.B) {
	// 200 people open the app at the same moment, rounds after rounds:
	// 200 logins in flight at once, the issue's "200 concurrent logins".
	b.Run("burst=200", func(b *testing.B) { benchHandoff(b, 200, true) })
	// 200 clients that start the next login the moment one ends, with no
	// think time: the saturation throughput, and what waiting for CPU then
	// adds to each request.
	b.Run("saturated=200", func(b *testing.B) { benchHandoff(b, 200, false) })
	// One at a time: the server-side time without waiting for CPU.
	b.Run("concurrent=1", func(b *testing.B) { benchHandoff(b, 1, false) })
}

func benchHandoff(b *testing.B, workers int, burst bool) {
	t := b
	simOptions.Limits.Disabled = true
	defer func() { simOptions.Limits.Disabled = false }()
	// Upstream time (WeLink and the OA answering) is measured per request,
	// so the server's own share can be told apart.
	timed := &upstreamTimer{base: sharedTransport}
	e := newEnv(b, func(e *env, o *Options) {
		o.Limits = Limits{PerMinute: 1 << 30, Burst: 1 << 30}
		conn, err := oa.New(oa.Config{Kind: oa.KindEcology9, BaseURL: e.oaURL, RetryBase: time.Millisecond,
			Auth: oa.AuthConfig{Mode: oa.AuthKey, TokenKey: oasim.DemoTokenKey}, SSO: oa.SSOConfig{AppID: oasim.DemoSSOAppID}},
			oa.Deps{Logger: slog.New(slog.DiscardHandler), HTTP: &http.Client{Timeout: 10 * time.Second, Transport: timed}})
		if err != nil {
			b.Fatal(err)
		}
		o.OA = func(context.Context) (oa.Connector, error) { return conn, nil }
		// WeLink allows 40 /auth/v2/userid calls a second per app: 200
		// simultaneous logins of one app queue for ~5 s there whatever we
		// do. The figure is our server-side path, so the client's quota
		// limiter is off here (the emulator answers without quota too).
		c := welink.New(welink.Options{BaseURL: e.wlURL + "/api", LoginURL: e.wlURL, Limits: welink.Limits{Disabled: true},
			HTTP: &http.Client{Timeout: 10 * time.Second, Transport: timed}})
		o.WeLink = func() *welink.Client { return c }
	})
	var mu sync.Mutex
	var lat, own, pages []time.Duration
	mux := http.NewServeMux()
	e.pub.Register(func(pattern string, h http.Handler) {
		mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start, upstream := time.Now(), new(atomic.Int64)
			h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), upstreamKey{}, upstream)))
			d := time.Since(start)
			mu.Lock()
			if r.Method == http.MethodPost {
				lat = append(lat, d)
				own = append(own, d-time.Duration(upstream.Load()))
			} else {
				pages = append(pages, d)
			}
			mu.Unlock()
		}))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	e.srv = srv
	// Each WeLink user bound to a distinct OA user with an account.
	var oaUsers []oasim.User
	for _, u := range e.oaSim.Org().Users {
		if u.LoginID != "" && u.Status < 4 && u.AccountType == 0 {
			oaUsers = append(oaUsers, u)
		}
	}
	users := e.wl.FindUsers("", min(200, len(oaUsers)))
	for i, u := range users {
		e.bind(u.UserID, fmt.Sprint(oaUsers[i].ID), oaUsers[i].LoginID)
	}
	b.Logf("%d bound users, %d concurrent logins", len(users), workers)
	// Warm: one login fetches the app token.
	login := func(uid string) string {
		br := e.browser()
		r := br.get(e.home(true))
		// Cheaper than the tests' regexps: the load generator shares the
		// two cores with the server.
		flowID, csrf := between(r.body, "/sso/f/", "/oauth"), between(r.body, `csrf: "`, `"`)
		if flowID == "" || csrf == "" {
			return fmt.Sprint("open ", r.status, " ", r.body[:min(200, len(r.body))])
		}
		code, _ := e.wl.IssueCode(uid, wlsim.DemoClientID)
		res := br.post(srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {code}, "csrf": {csrf}})
		if res.status != 200 {
			return fmt.Sprint("code ", res.status, " ", res.body)
		}
		return ""
	}
	if err := login(users[0].UserID); err != "" {
		b.Fatal("warm-up login failed: ", err)
	}
	mu.Lock()
	lat, own, pages = lat[:0], own[:0], pages[:0]
	mu.Unlock()
	tokensBefore := e.tokens.Load()
	var failed sync.Map
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	if burst {
		// Each round starts its logins together and waits for all of them.
		for done := 0; done < b.N; done += workers {
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for i := done; i < min(done+workers, b.N); i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					if err := login(users[i%len(users)].UserID); err != "" {
						failed.Store(i, err)
					}
				}()
			}
			close(gate)
			wg.Wait()
		}
	} else {
		var wg sync.WaitGroup
		work := make(chan int)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					if err := login(users[i%len(users)].UserID); err != "" {
						failed.Store(i, err)
					}
				}
			}()
		}
		for i := 0; i < b.N; i++ {
			work <- i
		}
		close(work)
		wg.Wait()
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	n, example := 0, ""
	failed.Range(func(_, v any) bool { n++; example = v.(string); return true })
	if n > 0 {
		b.Fatalf("%d logins failed, e.g. %s", n, example)
	}
	b.ReportMetric(percentile(lat, 99), "p99-ms")
	b.ReportMetric(percentile(lat, 50), "p50-ms")
	b.ReportMetric(percentile(own, 99), "own-p99-ms")
	b.ReportMetric(percentile(pages, 99), "page-p99-ms")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "logins/s")
	// CPU of the whole process (server, emulators and load generator) per
	// login: steadier than latency on a shared machine.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/login")
	b.ReportMetric(float64(e.tokens.Load()-tokensBefore), "token-fetches")
	b.ReportMetric(float64(e.tokens.Load()), "token-fetches-total")
	_ = t
}

// percentile of ds in milliseconds (ds is sorted in place).
func percentile(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return float64(ds[len(ds)*p/100].Microseconds()) / 1000
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}

// cpuTime is the user+system CPU this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// upstreamTimer adds the time each outgoing call takes (until its answer's
// headers arrive) to the counter in the request's context.
type upstreamTimer struct{ base http.RoundTripper }

type upstreamKey struct{}

func (u *upstreamTimer) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := u.base.RoundTrip(r)
	if acc, ok := r.Context().Value(upstreamKey{}).(*atomic.Int64); ok {
		acc.Add(int64(time.Since(start)))
	}
	return res, err
}
