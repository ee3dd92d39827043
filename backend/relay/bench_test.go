package relay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
	wlsim "cloudbridge/backend/welink/sim"
)

// BenchmarkIntake posts OFS batches of 100 to-dos from 8 concurrent
// senders through the real handler on loopback, with a to-do rule (each
// item also creates its outbox row), an on-disk store and an fsync per
// group commit. Reports acknowledged items per second.
//
//	go test -run '^$' -bench Intake -benchtime 200x ./backend/relay/
func BenchmarkIntake(b *testing.B) {
	f := newFixture(b, fixOpts{dir: b.TempDir(), workers: 2, recheck: time.Hour})
	if _, err := f.svc.SaveRule(RuleInput{Name: "todo", Enabled: true, Source: SourceTodo,
		Targets: []Target{{CorpID: f.corpID, AppID: f.appID, Type: TypeTodo}}}); err != nil {
		b.Fatal(err)
	}
	const per = 100
	bodies := make([][]byte, b.N)
	for i := range bodies {
		var batch []map[string]string
		for j := 0; j < per; j++ {
			batch = append(batch, ofsItem(strconv.Itoa(i), "u"+strconv.Itoa(j), "0", int64(i)))
		}
		bodies[i] = mustJSON(batch)
	}
	url := f.pub.URL + "/rest/ofs/batchReceiveRequestInfoByJson"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var next atomic.Int64
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				resp, err := client.Post(url, "application/json", bytes.NewReader(bodies[i]))
				if err != nil {
					failed.Add(1)
					continue
				}
				var m map[string]any
				json.NewDecoder(resp.Body).Decode(&m)
				resp.Body.Close()
				if m["operResult"] != "1" {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d requests failed", failed.Load())
	}
	itemsPerS := float64(b.N*per) / elapsed.Seconds()
	b.ReportMetric(itemsPerS, "items/s")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.Logf("%d batches × %d items in %v: %.0f items/s acknowledged durably", b.N, per, elapsed.Round(time.Millisecond), itemsPerS)
}

// BenchmarkIntakeLatency sends single-item OFS requests open-loop at 300
// requests/s for 5 s and reports the acknowledgement latency percentiles.
//
//	go test -run '^$' -bench IntakeLatency -benchtime 1x ./backend/relay/
func BenchmarkIntakeLatency(b *testing.B) {
	f := newFixture(b, fixOpts{dir: b.TempDir(), workers: 2, recheck: time.Hour})
	if _, err := f.svc.SaveRule(RuleInput{Name: "todo", Enabled: true, Source: SourceTodo,
		Targets: []Target{{CorpID: f.corpID, AppID: f.appID, Type: TypeTodo}}}); err != nil {
		b.Fatal(err)
	}
	url := f.pub.URL + "/rest/ofs/ReceiveRequestInfoByJson"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	const rate, secs = 300, 5
	for n := 0; n < b.N; n++ {
		var mu sync.Mutex
		var lat []time.Duration
		var failed atomic.Int64
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / rate)
		start := time.Now()
		for i := 0; i < rate*secs; i++ {
			<-tick.C
			body := mustJSON(ofsItem(fmt.Sprintf("%d-%d", n, i), "u1", "0", int64(i)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					failed.Add(1)
					return
				}
				var m map[string]any
				json.NewDecoder(resp.Body).Decode(&m)
				resp.Body.Close()
				d := time.Since(t0)
				if m["operResult"] != "1" {
					failed.Add(1)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}()
		}
		tick.Stop()
		wg.Wait()
		elapsed := time.Since(start)
		if failed.Load() > 0 {
			b.Fatalf("%d failed", failed.Load())
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
		b.ReportMetric(float64(p(0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
		b.Logf("%d requests at %d/s: p50 %v p99 %v max %v", len(lat), rate, p(0.5), p(0.99), lat[len(lat)-1])
	}
}

// BenchmarkDelivery delivers RELAY_BENCH_TODOS (default 2000) to-dos, each
// to its own bound receiver, to the WeLink emulator with WeLink's real
// quotas enforced on both sides, and reports elapsed time against the
// quota floor (the least time 40/s and 1500/min per API allow).
//
//	RELAY_BENCH_TODOS=10000 go test -run '^$' -bench Delivery -benchtime 1x -timeout 30m ./backend/relay/
func BenchmarkDelivery(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("RELAY_BENCH_TODOS")); err == nil && v > 0 {
		n = v
	}
	for iter := 0; iter < b.N; iter++ {
		f := newFixture(b, fixOpts{dir: b.TempDir(), users: 2*n + 50, wlLimits: wlsim.Limits{PerSecond: 40, PerMinute: 1500, PerIP: 3000, IPWindow: 20 * time.Second},
			realQuotas: true, workers: 16, recheck: time.Minute})
		// Active users only: the emulator refuses the others (51019), as WeLink would.
		var users []wlsim.UserInfo
		for _, u := range f.wl.FindUsers("", 2*n+50) {
			if u.Status != "4" { // 4 = left
				users = append(users, u)
			}
		}
		if len(users) < n {
			b.Fatalf("emulator has %d users", len(users))
		}
		// n OA users, each bound to a WeLink user.
		for s := 0; s < n; s += 1000 {
			if err := f.db.Update(func(tx *store.Tx) error {
				for i := s; i < min(n, s+1000); i++ {
					u := oa.User{ID: strconv.Itoa(100000 + i), LoginID: fmt.Sprintf("b%05d", i), Name: "用户" + strconv.Itoa(i)}
					if err := directory.OAUsers.Put(tx, &u); err != nil {
						return err
					}
					if err := binding.Bindings.Put(tx, &binding.Binding{CorpID: f.corpID, WeLinkUserID: users[i].UserID, OAUserID: u.ID, Method: binding.MethodManual}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := f.svc.SaveRule(RuleInput{Name: "todo", Enabled: true, Source: SourceTodo,
			Targets: []Target{{CorpID: f.corpID, AppID: f.appID, Type: TypeTodo}}}); err != nil {
			b.Fatal(err)
		}
		// Warm the token so the floor counts to-do calls only.
		app := f.client.App(welink.Credentials{ClientID: wlsim.DemoClientID, ClientSecret: wlsim.DemoClientSecret})
		if _, err := app.Token(f.e.ctx); err != nil {
			b.Fatal(err)
		}
		before := app.Calls()["POST /todo/v3/addtask"]
		start := time.Now()
		for s := 0; s < n; s += 500 {
			var batch []map[string]string
			for i := s; i < min(n, s+500); i++ {
				batch = append(batch, ofsItem("f"+strconv.Itoa(i), fmt.Sprintf("b%05d", i), "0", 1))
			}
			resp, err := http.Post(f.pub.URL+"/rest/ofs/batchReceiveRequestInfoByJson", "application/json", bytes.NewReader(mustJSON(batch)))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
		lastLog := time.Now()
		for {
			fig, _ := Metrics(f.db, time.Now(), 1)
			if fig.Status[StatusDelivered]+fig.Status[StatusDead] >= n {
				break
			}
			if time.Since(lastLog) > 10*time.Second {
				lastLog = time.Now()
				fmt.Fprintf(os.Stderr, "delivery bench: %v %v calls=%d throttled=%d\n", time.Since(start).Round(time.Second), fig.Status,
					app.Calls()["POST /todo/v3/addtask"]-before, f.wl.Throttled())
			}
			time.Sleep(200 * time.Millisecond)
		}
		elapsed := time.Since(start)
		todos := f.wl.Todos(wlsim.DemoClientID)
		seen := map[string]bool{}
		dup := 0
		for _, t := range todos {
			if seen[t.TaskID] {
				dup++
			}
			seen[t.TaskID] = true
		}
		calls := int(app.Calls()["POST /todo/v3/addtask"] - before)
		floor := welink.QuotaFloor(map[string]int{"POST /todo/v3/addtask": n}, welink.Limits{})
		fig, _ := Metrics(f.db, time.Now(), 1)
		b.ReportMetric(float64(n), "todos")
		b.ReportMetric(elapsed.Seconds(), "elapsed-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(elapsed.Seconds()/floor.Seconds(), "x-floor")
		b.ReportMetric(float64(f.wl.Throttled()), "48503s")
		b.Logf("%d to-dos: %d in WeLink (%d duplicate taskIds), %d addtask calls, %d dead; %v elapsed, quota floor %v (%.3f×); emulator refused %d calls with 48503",
			n, len(todos), dup, calls, fig.Status[StatusDead], elapsed.Round(time.Millisecond), floor.Round(time.Millisecond),
			elapsed.Seconds()/floor.Seconds(), f.wl.Throttled())
		if fig.Status[StatusDead] > 0 {
			page, _ := f.svc.ListDeliveries(LogQuery{Status: StatusDead, Limit: 3})
			for _, r := range page.Rows {
				b.Logf("dead: %s → %s: %+v", r.Receiver, r.UserID, r.Reason)
			}
		}
		if len(todos) != n || dup != 0 || fig.Status[StatusDead] != 0 {
			b.Fatalf("lost or duplicated: %d to-dos for %d items, %d duplicates, %d dead", len(todos), n, dup, fig.Status[StatusDead])
		}
	}
}

var _ = oasim.DemoOFSSysCode

// BenchmarkListDeliveries reads the 推送日志's first page, with its counts
// per status, over 100k rows of four events each (30 days of a large
// installation's to-dos), unfiltered and filtered by receiver.
//
//	go test -run '^$' -bench ListDeliveries -benchtime 5x ./backend/relay/
func BenchmarkListDeliveries(b *testing.B) {
	f := newFixture(b, fixOpts{dir: b.TempDir(), workers: 1, recheck: time.Hour})
	const rows = 100_000
	batch := f.db.NewBatch()
	t0 := time.Now().Add(-30 * 24 * time.Hour)
	for i := range rows {
		at := t0.Add(time.Duration(i) * 25 * time.Second)
		status := StatusDelivered
		if i%50 == 0 {
			status = StatusDead
		}
		d := Delivery{ID: fmt.Sprintf("d%07d", i), ItemID: fmt.Sprintf("i%07d", i), CorpID: f.corpID, AppID: f.appID, Type: TypeTodo,
			Module: ModuleWorkflow, SysCode: "ecology", FlowID: strconv.Itoa(100000 + i), Title: fmt.Sprintf("请审批：差旅报销单 %d", i),
			Receiver: fmt.Sprintf("user%04d", i%5000), UserID: fmt.Sprintf("u%04d", i%5000), Status: status, Want: 1, Done: 1, Present: true,
			TaskID: "t" + strconv.Itoa(i), Calls: 1, CreatedAt: at, UpdatedAt: at.Add(time.Second),
			Events: []Event{{At: at, Kind: "intake", Version: 1}, {At: at, Kind: "attempt", Op: "add"}, {At: at, Kind: "ok", Op: "add", Ms: 38},
				{At: at, Kind: "retry", Detail: "WeLink 48503, next in 2 s"}}}
		if err := deliveries.PutBatch(batch, &d); err != nil {
			b.Fatal(err)
		}
	}
	if err := batch.Flush(); err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct {
		name string
		q    LogQuery
	}{{"all", LogQuery{Limit: 50}}, {"receiver", LogQuery{Limit: 50, Receiver: "user0042"}}} {
		b.Run(q.name, func(b *testing.B) {
			for range b.N {
				page, err := f.svc.ListDeliveries(q.q)
				if err != nil || len(page.Rows) == 0 || page.Total == 0 {
					b.Fatalf("page %d rows of %d: %v", len(page.Rows), page.Total, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/page")
		})
	}
}
