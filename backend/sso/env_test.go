package sso

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/oaconfig"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
	wlsim "cloudbridge/backend/welink/sim"
)

// env is one installation: both emulators over real HTTP, a store, the
// tenant service with one corp and app, and the public listener.
type env struct {
	t        testing.TB
	db       *store.DB
	clock    *core.FakeClock
	wl       *wlsim.Server
	wlURL    string
	oaSim    *oasim.Server
	oaURL    string
	tenant   *tenant.Service
	svc      *Service
	pub      *Public
	srv      *httptest.Server
	corpID   string
	appID    string
	tokens   atomic.Int64 // WeLink token fetches
	oaTokens atomic.Int64
}

type envOpt func(*env, *Options)

// simOptions configure the WeLink emulator of newEnv (the benchmark turns
// its quotas off).
// sharedTransport keeps connections between the test's parties alive, as
// browsers and the OA connector do.
var sharedTransport = &http.Transport{MaxIdleConnsPerHost: 512, MaxIdleConns: 2048, IdleConnTimeout: time.Minute}

var simOptions = wlsim.Options{Users: 30, Seed: 7}

func newEnv(t testing.TB, opts ...envOpt) *env {
	t.Helper()
	e := &env{t: t, clock: core.NewFakeClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))}
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	e.wl = wlsim.WithDemoApp(wlsim.New(simOptions))
	wls := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/auth/v2/tickets" {
			e.tokens.Add(1)
		}
		e.wl.ServeHTTP(w, r)
	}))
	t.Cleanup(wls.Close)
	e.wlURL = wls.URL
	e.oaSim = oasim.Demo()
	oas := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ssologin/getToken" {
			e.oaTokens.Add(1)
		}
		e.oaSim.ServeHTTP(w, r)
	}))
	t.Cleanup(oas.Close)
	e.oaURL = oas.URL
	e.oaSim.SetPublicURL(oas.URL)
	conn, err := oa.New(oa.Config{Kind: oa.KindEcology9, BaseURL: oas.URL, RetryBase: time.Millisecond,
		Auth: oa.AuthConfig{Mode: oa.AuthKey, TokenKey: oasim.DemoTokenKey}, SSO: oa.SSOConfig{AppID: oasim.DemoSSOAppID}},
		oa.Deps{Logger: slog.New(slog.DiscardHandler), HTTP: &http.Client{Timeout: 10 * time.Second, Transport: sharedTransport}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oaconfig.RefreshSnapshot(context.Background(), db, conn); err != nil {
		t.Fatal(err)
	}
	client := welink.New(welink.Options{BaseURL: wls.URL + "/api", LoginURL: wls.URL})
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e.tenant = tenant.New(ctx, db, func() *welink.Client { return client }, nil, core.SystemClock{}, log)
	o := Options{DB: db, Tenant: e.tenant, WeLink: func() *welink.Client { return client },
		WeLinkWeb: func() WebEndpoints {
			return WebEndpoints{LoginURL: wls.URL, JSAPIURL: wls.URL + "/docs/jsapi/2.0.9/hwh5-cloudonline.js"}
		},
		OA:     func(context.Context) (oa.Connector, error) { return conn, nil },
		OAURLs: func() []string { return []string{oas.URL} },
		Clock:  e.clock, Log: log}
	for _, f := range opts {
		f(e, &o)
	}
	e.svc, e.pub = New(ctx, o)
	mux := http.NewServeMux()
	e.pub.Register(mux.Handle)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	err = db.Update(func(tx *store.Tx) error {
		st := settings.Defaults()
		st.PublicBaseURL = e.srv.URL
		return settings.Save(tx, st)
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.tenant.CreateCorp("演示企业")
	if err != nil {
		t.Fatal(err)
	}
	e.corpID = c.ID
	e.appID = e.addApp(c.ID, wlsim.DemoClientID, wlsim.DemoClientSecret, tenant.Homepage{Kind: "entry", Entry: "home"})
	return e
}

func (e *env) addApp(corpID, clientID, secret string, hp tenant.Homepage) string {
	e.t.Helper()
	a, err := e.tenant.SaveApp(tenant.AppInput{CorpID: corpID, Name: "OA 应用 " + clientID[len(clientID)-2:], ClientID: clientID, ClientSecret: secret, Homepage: hp})
	if err != nil {
		e.t.Fatal(err)
	}
	return a.ID
}

// bind ties a WeLink user to a demo OA user.
func (e *env) bind(welinkUserID, oaID, loginID string) {
	e.t.Helper()
	err := e.db.Update(func(tx *store.Tx) error {
		_, err := binding.Put(tx, binding.Binding{CorpID: e.corpID, WeLinkUserID: welinkUserID, OAUserID: oaID, OALoginID: loginID,
			Method: binding.MethodManual, By: "test", At: e.clock.Now()}, false)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// user is a WeLink user of the emulated tenant (not the demo's current one).
func (e *env) user(i int) string {
	us := e.wl.FindUsers("", i+1)
	return us[i].UserID
}

// browser is a phone or computer: its own cookies, no redirect following
// unless asked.
type browser struct {
	t    testing.TB
	c    *http.Client
	lang string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, c: &http.Client{Jar: jar, Timeout: 40 * time.Second, Transport: sharedTransport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	status int
	loc    string
	body   string
	header http.Header
}

func (b *browser) do(method, u string, form url.Values) resp {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	r, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer r.Body.Close()
	raw, _ := io.ReadAll(r.Body)
	return resp{status: r.StatusCode, loc: r.Header.Get("Location"), body: string(raw), header: r.Header}
}

func (b *browser) get(u string) resp                   { return b.do(http.MethodGet, u, nil) }
func (b *browser) post(u string, form url.Values) resp { return b.do(http.MethodPost, u, form) }

// follow GETs u and its redirects, resolving relative locations.
func (b *browser) follow(u string) resp {
	b.t.Helper()
	for range 10 {
		r := b.get(u)
		if r.loc == "" {
			return r
		}
		base, _ := url.Parse(u)
		next, _ := base.Parse(r.loc)
		u = next.String()
	}
	b.t.Fatal("redirect loop")
	return resp{}
}

var (
	reFlow = regexp.MustCompile(`/sso/f/([A-Z2-7]+)/oauth`)
	reCSRF = regexp.MustCompile(`name="csrf" value="([A-Z2-7]+)"|csrf: "([A-Z2-7]+)"`)
)

// authPage reads what the identification page's script uses.
func authPage(t testing.TB, r resp) (flowID, csrf string) {
	t.Helper()
	m := reFlow.FindStringSubmatch(r.body)
	c := reCSRF.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil || c == nil {
		t.Fatalf("not the auth page (%d): %s", r.status, r.body)
	}
	return m[1], c[1] + c[2]
}

func formCSRF(t testing.TB, r resp) string {
	t.Helper()
	c := reCSRF.FindStringSubmatch(r.body)
	if c == nil {
		t.Fatalf("no csrf in %d: %s", r.status, r.body)
	}
	return c[1] + c[2]
}

// openInWeLink does what the homepage does inside WeLink: open, get a
// JSAPI code for uid, post it. It returns the code answer.
func (e *env) openInWeLink(b *browser, u, uid string) (resp, string) {
	e.t.Helper()
	r := b.get(u)
	flowID, csrf := authPage(e.t, r)
	code, ok := e.wl.IssueCode(uid, wlsim.DemoClientID)
	if !ok {
		e.t.Fatalf("no code for %s", uid)
	}
	return b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {code}, "csrf": {csrf}}), code
}

func next(t testing.TB, r resp) string {
	t.Helper()
	var j struct{ Next, Code, Message string }
	if err := json.Unmarshal([]byte(r.body), &j); err != nil || j.Next == "" {
		t.Fatalf("no next (%d): %s", r.status, r.body)
	}
	return j.Next
}

func errCode(t testing.TB, r resp) string {
	t.Helper()
	if strings.HasPrefix(strings.TrimSpace(r.body), "{") {
		var j struct{ Code string }
		json.Unmarshal([]byte(r.body), &j)
		return j.Code
	}
	m := regexp.MustCompile(`data-code="([^"]+)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no error code (%d): %s", r.status, r.body)
	}
	return m[1]
}

func wantErr(t testing.TB, r resp, status int, k core.Kind) {
	t.Helper()
	if r.status != status || errCode(t, r) != k.Code {
		t.Fatalf("got %d %s, want %d %s: %s", r.status, errCode(t, r), status, k.Code, r.body)
	}
	if r.loc != "" {
		t.Fatalf("an error redirected to %s", r.loc)
	}
}

func (e *env) home(mobile bool) string { return Link(e.srv.URL, e.appID, "", mobile) }
