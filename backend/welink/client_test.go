package welink_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
)

func TestRateLimitedCallWaitsAndSucceeds(t *testing.T) {
	e := newEnv(t, 50)
	ctx := context.Background()
	must[string](t)(e.app.Token(ctx))
	e.sim.AddFault(sim.Fault{Path: "/tenant/v1/tenants", Code: "48503", Count: 2})
	start := time.Now()
	must[welink.Tenant](t)(e.app.Tenant(ctx))
	if n := e.calls("GET /tenant/v1/tenants"); n != 3 {
		t.Fatalf("tenant calls = %d, want 3 (two 48503, then success)", n)
	}
	if time.Since(start) < 5*time.Millisecond {
		t.Fatal("no backoff between 48503 retries")
	}
}

func TestRepeated48503PausesTheAPI(t *testing.T) {
	e := newEnv(t, 50, func(_ *sim.Options, co *welink.Options) {
		co.Retry = welink.Retry{Attempts: 6, Base: time.Millisecond, Max: 2 * time.Millisecond, PauseAfter: 3, Pause: 300 * time.Millisecond}
	})
	ctx := context.Background()
	must[string](t)(e.app.Token(ctx))
	e.sim.AddFault(sim.Fault{Path: "/tenant/v1/tenants", Code: "48503", Count: 3})
	start := time.Now()
	must[welink.Tenant](t)(e.app.Tenant(ctx))
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("succeeded after %v: no pause after three 48503 in a row", d)
	}
	// Other APIs of the app are not paused.
	start = time.Now()
	must[welink.UserScope](t)(e.app.UserScope(ctx))
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Fatalf("another API waited %v", d)
	}
}

func TestQuota48503FromTheServerIsAbsorbed(t *testing.T) {
	// The emulator enforces a tiny quota in real time; the client's own
	// limiter is off, so it meets 48503 and must back off until through.
	e := newEnv(t, 50, func(so *sim.Options, co *welink.Options) {
		so.Clock = core.SystemClock{}
		so.Limits = sim.Limits{PerSecond: 5, PerMinute: 1000}
		// Jittered retries race each other for 5 slots a second: give every
		// call enough attempts (≈ 20 s) that losing several races in a row
		// on a loaded machine is not mistaken for a failure to back off.
		co.Retry = welink.Retry{Attempts: 50, Base: 100 * time.Millisecond, Max: 400 * time.Millisecond, PauseAfter: 100}
	})
	ctx := context.Background()
	must[string](t)(e.app.Token(ctx))
	var wg sync.WaitGroup
	var fails atomic.Int32
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.app.Tenant(ctx); err != nil {
				fails.Add(1)
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := e.calls("GET /tenant/v1/tenants"); n <= 12 || fails.Load() != 0 {
		t.Fatalf("calls=%d fails=%d: expected some 48503 retries and no failure", n, fails.Load())
	}
}

func TestClientKeepsWithinQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("waits on a real-time quota")
	}
	// Same small quota on both sides: the client's limiter must keep the
	// emulator from ever answering 48503.
	e := newEnv(t, 50, func(so *sim.Options, co *welink.Options) {
		so.Clock = core.SystemClock{}
		so.Limits = sim.Limits{PerSecond: 10, PerMinute: 1000}
		// A wide margin: under -race on a loaded 2-core machine a request
		// can reach the emulator a few hundred ms after the client's
		// limiter let it go; the property tested is the limiter's, not
		// the scheduler's latency.
		co.Limits = welink.Limits{PerSecond: 10, PerMinute: 1000, Margin: 300 * time.Millisecond}
		co.Retry = welink.Retry{Attempts: 1}
	})
	ctx := context.Background()
	must[string](t)(e.app.Token(ctx))
	start := time.Now()
	var wg sync.WaitGroup
	for range 25 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.app.Tenant(ctx); err != nil {
				t.Error(err) // one attempt only: a 48503 would fail the call
			}
		}()
	}
	wg.Wait()
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("25 calls at 10/s took %v, want ≥ 2 s", d)
	}
}

func TestQuotaFloor(t *testing.T) {
	cases := []struct {
		calls map[string]int
		want  time.Duration
	}{
		{map[string]int{"a": 40}, 0},                   // one burst
		{map[string]int{"a": 41}, time.Second},         // the 41st waits a second
		{map[string]int{"a": 1500}, 37 * time.Second},  // 37 full seconds of 40
		{map[string]int{"a": 1501}, time.Minute},       // the minute window
		{map[string]int{"a": 40, "b": 40}, 0},          // APIs are separate
		{map[string]int{"a": 3001}, 2*time.Minute + 0}, // 2 minute windows
	}
	for _, c := range cases {
		if got := welink.QuotaFloor(c.calls, welink.Limits{}); got != c.want {
			t.Errorf("QuotaFloor(%v) = %v, want %v", c.calls, got, c.want)
		}
	}
	// The IP limit binds across APIs: 100 APIs × 31 calls = 3100 > 3000 per 20 s.
	many := map[string]int{}
	for i := range 100 {
		many[string(rune('A'+i))] = 31
	}
	if got := welink.QuotaFloor(many, welink.Limits{}); got < 20*time.Second {
		t.Errorf("IP quota ignored: floor %v", got)
	}
}

func TestNetworkFailures(t *testing.T) {
	e := newEnv(t, 50, func(_ *sim.Options, co *welink.Options) {
		co.HTTP = &http.Client{Timeout: 300 * time.Millisecond}
	})
	ctx := context.Background()
	must[string](t)(e.app.Token(ctx))

	// A bare 502 page on a read is retried.
	e.sim.AddFault(sim.Fault{Path: "/tenant/v1/tenants", HTTPStatus: 502, Count: 1})
	must[welink.Tenant](t)(e.app.Tenant(ctx))
	// A dropped connection on a read is retried.
	e.sim.AddFault(sim.Fault{Path: "/tenant/v1/tenants", Drop: true, Count: 1})
	must[welink.Tenant](t)(e.app.Tenant(ctx))

	// A write is not repeated after a 502: WeLink may have acted.
	e.sim.ClearFaults()
	id := e.sim.AddFault(sim.Fault{Path: "/messages/v3/send", HTTPStatus: 502})
	_, err := e.app.SendMessage(ctx, welink.Message{ToUserList: []string{firstUser(t, e)}, MsgTitle: "t", MsgContent: "c", URLPath: "https://x", MsgOwner: "OA"})
	if !core.Of(err, core.ErrWeLinkNetwork) || welink.CodeOf(err) != "" {
		t.Fatalf("send through a 502: %v", err)
	}
	if hits := e.sim.Faults()[0].Hits; hits != 1 {
		t.Fatalf("send tried %d times, want 1", hits)
	}
	e.sim.RemoveFault(id)

	// A hanging WeLink: a timeout error with a safe reason, after retries.
	e.sim.AddFault(sim.Fault{Path: "/weopen/v1/isadmin", Hang: true})
	_, err = e.app.IsAdmin(ctx, "x")
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != "welink.network" || ce.Params["reason"] != "timeout" {
		t.Fatalf("hang: %#v", err)
	}
}

func TestContextCancelWhileWaiting(t *testing.T) {
	e := newEnv(t, 50, func(_ *sim.Options, co *welink.Options) {
		co.Limits = welink.Limits{PerSecond: 1, PerMinute: 1}
	})
	ctx := context.Background()
	must[string](t)(e.app.Token(ctx))
	must[welink.Tenant](t)(e.app.Tenant(ctx)) // uses the one call of this minute
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.app.Tenant(cctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("err=%v after %v: want a prompt deadline error", err, time.Since(start))
	}
}

// A hand-written WeLink for shapes the emulator does not produce.
func TestEnvelopeShapes(t *testing.T) {
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/v2/tickets" {
			w.Write([]byte(`{"code":"0","message":"ok","access_token":"tk","expires_in":"7200"}`))
			return
		}
		w.Write([]byte(body.Load().(string)))
	}))
	defer srv.Close()
	c := welink.New(welink.Options{BaseURL: srv.URL, Limits: welink.Limits{Disabled: true}, Retry: welink.Retry{Attempts: 1}})
	a := c.App(welink.Credentials{ClientID: "x", ClientSecret: "y"})
	ctx := context.Background()

	// Numeric code, numeric uuid, string where a number is expected.
	body.Store(`{"code":0,"message":"ok","data":{"tenantId":"t1","registeredNumbers":"12","tenantType":1}}`)
	tn := must[welink.Tenant](t)(a.Tenant(ctx))
	if tn.TenantID != "t1" || tn.RegisteredNumbers != 12 {
		t.Fatalf("tenant = %+v", tn)
	}
	// A field of a wrong type stays empty; the rest is kept.
	body.Store(`{"code":"0","message":"ok","data":{"tenantId":"t2","companyNameCn":{"x":1},"companyNameEn":"E"}}`)
	tn = must[welink.Tenant](t)(a.Tenant(ctx))
	if tn.TenantID != "t2" || tn.CompanyNameEn != "E" {
		t.Fatalf("tenant = %+v", tn)
	}
	// No "code", but "errcode" (third-party shape).
	body.Store(`{"errcode":47004,"errorMessage":"bad"}`)
	if _, err := a.Tenant(ctx); welink.CodeOf(err) != "47004" {
		t.Fatalf("errcode shape: %v", err)
	}
	// Unknown code: the generic message carries WeLink's text.
	body.Store(`{"code":"99999","message":"新错误"}`)
	_, err := a.Tenant(ctx)
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != "welink.error" || ce.Params["message"] != "新错误" || welink.CodeOf(err) != "99999" {
		t.Fatalf("unknown code: %#v", err)
	}
	// Not JSON with HTTP 200: a network-class error, no code.
	body.Store(`<html>proxy</html>`)
	if _, err := a.Tenant(ctx); !core.Of(err, core.ErrWeLinkNetwork) {
		t.Fatalf("html: %v", err)
	}
	// The decode of flexible scalars.
	var v struct {
		A welink.Code
		B welink.FlexInt
		C welink.FlexString
		D welink.FlexInt
	}
	if err := json.Unmarshal([]byte(`{"A":0,"B":true,"C":600498847140958208,"D":"3"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "0" || v.B != 1 || v.C != "600498847140958208" || v.D != 3 {
		t.Fatalf("flex decode = %+v", v)
	}
}

func TestQuotaFree(t *testing.T) {
	e := newEnv(t, 5, func(so *sim.Options, co *welink.Options) {
		so.Clock = core.SystemClock{}
		co.Limits = welink.Limits{PerSecond: 10, PerMinute: 1000}
	})
	const api = "/contact/v3/tenant" // any path: the windows are per method and path
	if n := e.app.QuotaFree("GET", api, 0, 100); n != 10 {
		t.Fatalf("fresh API: %d calls free now, want the burst of 10", n)
	}
	if n := e.app.QuotaFree("GET", api, 0, 3); n != 3 {
		t.Fatalf("limit: %d, want 3", n)
	}
	// Within a bit more than a second (plus the margin) a second burst fits.
	if n := e.app.QuotaFree("GET", api, 1100*time.Millisecond, 100); n != 20 {
		t.Fatalf("in 1.1 s: %d, want 20", n)
	}
	// Calls made are booked: after 4 calls on the real tenant API, 6 are free now.
	ctx := context.Background()
	must[string](t)(e.app.Token(ctx))
	for range 4 {
		if _, err := e.app.Tenant(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var tenantAPI string
	for k := range e.app.Calls() {
		if strings.Contains(k, "tenant") {
			tenantAPI = k
		}
	}
	method, path, _ := strings.Cut(tenantAPI, " ")
	if n := e.app.QuotaFree(method, path, 0, 100); n != 6 {
		t.Fatalf("after 4 calls on %s: %d free, want 6", tenantAPI, n)
	}
}
