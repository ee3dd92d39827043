package sso

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/welink"
	wlsim "cloudbridge/backend/welink/sim"
)

// BenchmarkHomepageToOA measures the homepage → OA redirect with warm
// tokens at 200 concurrent logins: server-side time of the code post
// (WeLink /auth/v2/userid + OA /ssologin/getToken + hand-off), its p99, and
// the WeLink token fetches (want exactly one per app per expiry window).
//
//	go test ./backend/sso -run '^$' -bench HomepageToOA -benchtime 2000x
func BenchmarkHomepageToOA(b *testing.B) {
	b.Run("concurrent=200", func(b *testing.B) { benchHandoff(b, 200) })
	// One at a time: the server-side time without waiting for CPU.
	b.Run("concurrent=1", func(b *testing.B) { benchHandoff(b, 1) })
}

func benchHandoff(b *testing.B, workers int) {
	t := b
	simOptions.Limits.Disabled = true
	defer func() { simOptions.Limits.Disabled = false }()
	e := newEnv(b, func(e *env, o *Options) {
		o.Limits = Limits{PerMinute: 1 << 30, Burst: 1 << 30}
		// WeLink allows 40 /auth/v2/userid calls a second per app: 200
		// simultaneous logins of one app queue for ~5 s there whatever we
		// do. The figure is our server-side path, so the client's quota
		// limiter is off here (the emulator answers without quota too).
		c := welink.New(welink.Options{BaseURL: e.wlURL + "/api", LoginURL: e.wlURL, Limits: welink.Limits{Disabled: true},
			HTTP: &http.Client{Timeout: 10 * time.Second, Transport: sharedTransport}})
		o.WeLink = func() *welink.Client { return c }
	})
	var mu sync.Mutex
	var lat []time.Duration
	mux := http.NewServeMux()
	e.pub.Register(func(pattern string, h http.Handler) {
		mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			h.ServeHTTP(w, r)
			if r.Method == http.MethodPost {
				d := time.Since(start)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
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
	lat = lat[:0]
	mu.Unlock()
	tokensBefore := e.tokens.Load()
	b.ResetTimer()
	var wg sync.WaitGroup
	var failed sync.Map
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
	b.StopTimer()
	n, example := 0, ""
	failed.Range(func(_, v any) bool { n++; example = v.(string); return true })
	if n > 0 {
		b.Fatalf("%d logins failed, e.g. %s", n, example)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	}
	b.ReportMetric(float64(e.tokens.Load()-tokensBefore), "token-fetches")
	b.ReportMetric(float64(e.tokens.Load()), "token-fetches-total")
	_ = t
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
