package sso

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	wlsim "cloudbridge/backend/welink/sim"
)

const loggedInZhang = "已登录：张三（zhangsan）"

func TestBoundUserLandsInOA(t *testing.T) {
	e := newEnv(t)
	uid := e.user(1)
	e.bind(uid, "2", "zhangsan")
	b := e.browser()
	r, _ := e.openInWeLink(b, e.home(true), uid)
	link := next(t, r)
	if !strings.HasPrefix(link, e.oaURL+"/wui/index.html?ssoToken=") || !strings.HasSuffix(link, "#/main") {
		t.Fatalf("hand-off %s", link)
	}
	if land := b.follow(link); !strings.Contains(land.body, loggedInZhang) {
		t.Fatalf("OA page: %s", land.body)
	}
	if e.oaTokens.Load() != 1 {
		t.Fatalf("%d OA tokens", e.oaTokens.Load())
	}
	// The flow is used up: the same page cannot post a second code.
	flowID, csrf := authPage(t, b.get(e.home(true)))
	c1, _ := e.wl.IssueCode(uid, wlsim.DemoClientID)
	next(t, b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {c1}, "csrf": {csrf}}))
	c2, _ := e.wl.IssueCode(uid, wlsim.DemoClientID)
	wantErr(t, b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {c2}, "csrf": {csrf}}), http.StatusBadRequest, core.ErrSSOStateInvalid)
}

func TestDeepLinkLandsOnTheRequest(t *testing.T) {
	e := newEnv(t)
	uid := e.user(1)
	e.bind(uid, "2", "zhangsan")
	b := e.browser()
	target := "/spa/workflow/static4form/index.html?requestid=42#/main/workflow/req?requestid=42"
	r, _ := e.openInWeLink(b, Link(e.srv.URL, e.appID, target, true), uid)
	link := next(t, r)
	if !strings.HasPrefix(link, e.oaURL+"/spa/workflow/static4form/index.html?requestid=42&ssoToken=") {
		t.Fatalf("deep link %s", link)
	}
	land := b.follow(link)
	if !strings.Contains(land.body, loggedInZhang) || !strings.Contains(land.body, "request 42") {
		t.Fatalf("OA page: %s", land.body)
	}
	// An absolute URL on the OA host is a deep link too.
	r, _ = e.openInWeLink(e.browser(), Link(e.srv.URL, e.appID, e.oaURL+"/wui/index.html#/main/workflow/listDoing", true), uid)
	if l := next(t, r); !strings.HasPrefix(l, e.oaURL+"/wui/index.html?ssoToken=") || !strings.HasSuffix(l, "#/main/workflow/listDoing") {
		t.Fatalf("absolute deep link %s", l)
	}
}

func TestOpenRedirectAttemptsFail(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, target := range []string{
		"https://evil.example.com/phish",
		"//evil.example.com/phish",
		"/\\evil.example.com",
		"javascript:alert(1)",
		"http://user@" + strings.TrimPrefix(e.oaURL, "http://") + "/x",
		"https://" + strings.TrimPrefix(e.oaURL, "http://") + ".evil.example.com/",
		"/x\r\nLocation: https://evil.example.com",
		"/" + strings.Repeat("a", MaxTargetLen),
	} {
		r := b.get(Link(e.srv.URL, e.appID, target, true))
		wantErr(t, r, http.StatusBadRequest, core.ErrSSOTargetInvalid)
		if !strings.Contains(r.body, "不在 OA 系统内") {
			t.Fatalf("%q: page does not say why: %s", target, r.body)
		}
	}
	// A custom homepage is the admin's choice, but a pushed deep link on
	// such an app still goes through the OA check.
	if err := e.pub.checkTarget(e.oaURL + "/wui/index.html"); err != nil {
		t.Fatal(err)
	}
}

func TestReplayedCodesAreRefused(t *testing.T) {
	e := newEnv(t)
	uid := e.user(1)
	e.bind(uid, "2", "zhangsan")
	r, code := e.openInWeLink(e.browser(), e.home(true), uid)
	next(t, r)
	// Same code in a new flow: refused here, without asking WeLink.
	b := e.browser()
	flowID, csrf := authPage(t, b.get(e.home(true)))
	r = b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {code}, "csrf": {csrf}})
	wantErr(t, r, http.StatusBadRequest, core.ErrSSOCodeReplayed)
	// After a restart (memory gone) WeLink itself refuses the used code.
	e.pub.mu.Lock()
	e.pub.codes = map[string]time.Time{}
	e.pub.mu.Unlock()
	b = e.browser()
	flowID, csrf = authPage(t, b.get(e.home(true)))
	r = b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {code}, "csrf": {csrf}})
	wantErr(t, r, http.StatusBadRequest, core.ErrSSOCodeReplayed)
	// A made-up code is WeLink's to refuse.
	b = e.browser()
	flowID, csrf = authPage(t, b.get(e.home(true)))
	r = b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {"made-up"}, "csrf": {csrf}})
	wantErr(t, r, http.StatusBadRequest, core.ErrSSOCodeRejected)
	// A flow identifies once: a second code on the same flow is refused.
	uid2 := e.user(2)
	b = e.browser()
	flowID, csrf = authPage(t, b.get(e.home(true)))
	c1, _ := e.wl.IssueCode(uid2, wlsim.DemoClientID)
	b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {c1}, "csrf": {csrf}})
	c2, _ := e.wl.IssueCode(uid, wlsim.DemoClientID)
	r = b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {c2}, "csrf": {csrf}})
	wantErr(t, r, http.StatusBadRequest, core.ErrSSOStateInvalid)
	// Missing code and missing CSRF token.
	b = e.browser()
	flowID, csrf = authPage(t, b.get(e.home(true)))
	wantErr(t, b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"csrf": {csrf}}), http.StatusBadRequest, core.ErrSSOCodeMissing)
	wantErr(t, b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {"x"}}), http.StatusForbidden, core.ErrSSOCSRF)
}

// pcLogin logs the browser in to the emulated WeLink web as uid.
func (e *env) pcLogin(b *browser, uid string) {
	e.t.Helper()
	if r := b.get(e.wlURL + "/sim/login?userId=" + url.QueryEscape(uid)); r.status != 200 {
		e.t.Fatalf("sim login: %d %s", r.status, r.body)
	}
}

func TestPCUsesWebOAuth2(t *testing.T) {
	e := newEnv(t)
	uid := e.user(3)
	e.bind(uid, "3", "lisi")
	b := e.browser()
	e.pcLogin(b, uid)
	r := b.get(e.home(false))
	if r.status != http.StatusFound || !strings.HasPrefix(r.loc, e.wlURL+"/sso/oauth2/authorize?") {
		t.Fatalf("pc homepage: %d %s", r.status, r.loc)
	}
	u, _ := url.Parse(r.loc)
	if ru := u.Query().Get("redirect_uri"); ru != e.srv.URL+"/sso/callback" || u.Query().Get("state") == "" {
		t.Fatalf("authorize %s", r.loc)
	}
	cb := b.get(r.loc) // WeLink answers with the code
	if !strings.HasPrefix(cb.loc, e.srv.URL+"/sso/callback?code=") {
		t.Fatalf("authorize answered %d %s %s", cb.status, cb.loc, cb.body)
	}
	land := b.get(cb.loc)
	if land.status != http.StatusFound || !strings.HasPrefix(land.loc, e.oaURL+"/wui/index.html?ssoToken=") {
		t.Fatalf("callback: %d %s %s", land.status, land.loc, land.body)
	}
	if page := b.follow(land.loc); !strings.Contains(page.body, "已登录：李四（lisi）") {
		t.Fatalf("OA: %s", page.body)
	}
	// Replaying the callback (same code, same state) fails clearly.
	wantErr(t, b.get(cb.loc), http.StatusBadRequest, core.ErrSSOStateInvalid)
}

func TestForgedOrForeignStateFails(t *testing.T) {
	e := newEnv(t)
	uid := e.user(3)
	e.bind(uid, "3", "lisi")
	b := e.browser()
	e.pcLogin(b, uid)
	cb := b.get(b.get(e.home(false)).loc)
	u, _ := url.Parse(cb.loc)
	// Forged state.
	forged := *u
	q := forged.Query()
	q.Set("state", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	forged.RawQuery = q.Encode()
	wantErr(t, b.get(forged.String()), http.StatusBadRequest, core.ErrSSOStateInvalid)
	// The right state in another browser (login CSRF): refused.
	wantErr(t, e.browser().get(cb.loc), http.StatusBadRequest, core.ErrSSOStateInvalid)
	// The right browser after the flow expired.
	e.clock.Advance(FlowTTL + time.Second)
	wantErr(t, b.get(cb.loc), http.StatusGone, core.ErrSSOFlowExpired)
	// No state at all.
	wantErr(t, b.get(e.srv.URL+"/sso/callback?code=abc"), http.StatusBadRequest, core.ErrSSOStateInvalid)
}

func TestUnknownAppAndUser(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	wantErr(t, b.get(Link(e.srv.URL, "no-such-app", "", true)), http.StatusNotFound, core.ErrSSOAppUnknown)
	wantErr(t, b.get(e.srv.URL+"/sso/"+e.appID+"/tablet"), http.StatusNotFound, core.ErrNotFound)
	// An unknown WeLink user cannot get a code from WeLink at all; one that
	// exists but is unbound, with self-service off, gets a clear page.
	if _, ok := e.wl.IssueCode("nobody@nowhere", wlsim.DemoClientID); ok {
		t.Fatal("emulator issued a code for an unknown user")
	}
	e.db.Update(func(tx *store.Tx) error {
		s, _ := binding.LoadSettings(tx, e.corpID)
		s.SelfService = false
		_, err := binding.SaveSettings(tx, s, "test", e.clock.Now())
		return err
	})
	r, _ := e.openInWeLink(b, e.home(true), e.user(4))
	bindURL := next(t, r)
	wantErr(t, b.get(e.srv.URL+bindURL), http.StatusForbidden, core.ErrSSONotBound)
}

func TestUnboundUserBindsThenLands(t *testing.T) {
	e := newEnv(t)
	uid := e.user(5)
	b := e.browser()
	b.lang = "en-US,en;q=0.9"
	r, _ := e.openInWeLink(b, e.home(true), uid)
	bindURL := next(t, r)
	if !strings.HasSuffix(bindURL, "/bind") {
		t.Fatalf("unbound user sent to %s", bindURL)
	}
	page := b.get(e.srv.URL + bindURL)
	if page.status != 200 || !strings.Contains(page.body, "Link your OA account") || page.header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("bind page: %d %s", page.status, page.body)
	}
	csrf := formCSRF(t, page)
	// No CSRF token: refused, nothing checked with the OA.
	wantErr(t, b.post(e.srv.URL+bindURL, url.Values{"loginId": {"zhangsan"}, "password": {oasim.DemoPassword}}), http.StatusForbidden, core.ErrSSOCSRF)
	// Another browser cannot use this flow.
	wantErr(t, e.browser().post(e.srv.URL+bindURL, url.Values{"loginId": {"zhangsan"}, "password": {oasim.DemoPassword}, "csrf": {csrf}}), http.StatusBadRequest, core.ErrSSOStateInvalid)
	// Wrong password: the form again, with the OA's reason, the login kept.
	bad := b.post(e.srv.URL+bindURL, url.Values{"loginId": {"zhangsan"}, "password": {"wrong"}, "csrf": {csrf}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, `data-testid="sso-bind-error"`) || !strings.Contains(bad.body, `value="zhangsan"`) {
		t.Fatalf("wrong password: %d %s", bad.status, bad.body)
	}
	ok := b.post(e.srv.URL+bindURL, url.Values{"loginId": {"zhangsan"}, "password": {oasim.DemoPassword}, "csrf": {csrf}})
	if ok.status != http.StatusSeeOther || !strings.HasPrefix(ok.loc, e.oaURL+"/wui/index.html?ssoToken=") {
		t.Fatalf("bind: %d %s %s", ok.status, ok.loc, ok.body)
	}
	if land := b.follow(ok.loc); !strings.Contains(land.body, loggedInZhang) {
		t.Fatalf("OA: %s", land.body)
	}
	e.db.View(func(tx *store.Tx) error {
		bd, found, _ := binding.ForWeLinkUser(tx, e.corpID, uid)
		if !found || bd.OAUserID != "2" || bd.Method != binding.MethodSelfService {
			t.Fatalf("binding %+v %v", bd, found)
		}
		// Single sign-on recorded the WeLink user in the local directory.
		if u, err := directory.Users.Get(tx, directory.Key(e.corpID, uid)); err != nil || u.NameCn == "" {
			t.Fatalf("directory user %+v %v", u, err)
		}
		return nil
	})
	// Next time the same user goes straight in.
	r, _ = e.openInWeLink(e.browser(), e.home(true), uid)
	if l := next(t, r); !strings.HasPrefix(l, e.oaURL) {
		t.Fatalf("second open: %s", l)
	}
}

func TestAutoAssociation(t *testing.T) {
	e := newEnv(t)
	uid := e.user(6)
	wu := e.wl.FindUsers(uid, 1)[0]
	e.db.Update(func(tx *store.Tx) error {
		// The OA snapshot holds someone with the same mobile.
		if err := directory.OAUsers.Put(tx, &oa.User{ID: "4", LoginID: "wangwu", Name: "王五", Mobile: wu.Mobile, Status: 1}); err != nil {
			return err
		}
		s, _ := binding.LoadSettings(tx, e.corpID)
		s.AutoBind, s.Rules = true, []binding.Rule{{WeLinkField: binding.WLMobile, OAField: binding.OAMobile}}
		_, err := binding.SaveSettings(tx, s, "test", e.clock.Now())
		return err
	})
	b := e.browser()
	r, _ := e.openInWeLink(b, e.home(true), uid)
	link := next(t, r)
	if land := b.follow(link); !strings.Contains(land.body, "已登录：王五（wangwu）") {
		t.Fatalf("auto-associated user: %s → %s", link, land.body)
	}
	e.db.View(func(tx *store.Tx) error {
		bd, found, _ := binding.ForWeLinkUser(tx, e.corpID, uid)
		if !found || bd.Method != binding.MethodRule {
			t.Fatalf("binding %+v", bd)
		}
		return nil
	})
	// A leaver in the snapshot is refused with a clear page.
	e.db.Update(func(tx *store.Tx) error {
		return directory.OAUsers.Put(tx, &oa.User{ID: "4", LoginID: "wangwu", Name: "王五", Mobile: wu.Mobile, Status: 5, Left: true})
	})
	r, _ = e.openInWeLink(e.browser(), e.home(true), uid)
	wantErr(t, r, http.StatusConflict, core.ErrSSOOAUserGone)
}

func TestCustomLinkGetsAOneTimeTicket(t *testing.T) {
	e := newEnv(t)
	appID := e.appID
	_, err := e.tenant.SaveApp(tenant.AppInput{ID: appID, CorpID: e.corpID, Name: "门户", ClientID: wlsim.DemoClientID,
		Homepage: tenant.Homepage{Kind: "custom", CustomURL: "https://portal.example.com/welcome?from=welink#top"}})
	if err != nil {
		t.Fatal(err)
	}
	uid := e.user(1)
	e.bind(uid, "2", "zhangsan")
	issue := func() string {
		r, _ := e.openInWeLink(e.browser(), e.home(true), uid)
		l, _ := url.Parse(next(t, r))
		if l.Host != "portal.example.com" || l.Query().Get("from") != "welink" || l.Fragment != "top" {
			t.Fatalf("custom link %s", l)
		}
		return l.Query().Get(ticketParam)
	}
	tok := issue()
	portal := e.browser()
	ok := portal.post(e.srv.URL+redeemPath, url.Values{"ticket": {tok}})
	if ok.status != 200 || !strings.Contains(ok.body, `"loginId":"zhangsan"`) || !strings.Contains(ok.body, `"oaUserId":"2"`) {
		t.Fatalf("redeem: %d %s", ok.status, ok.body)
	}
	wantErr(t, portal.post(e.srv.URL+redeemPath, url.Values{"ticket": {tok}}), http.StatusGone, core.ErrSSOTicketExpired)
	id, _, _ := strings.Cut(tok, ".")
	wantErr(t, portal.post(e.srv.URL+redeemPath, url.Values{"ticket": {id + ".forged"}}), http.StatusBadRequest, core.ErrSSOTicketInvalid)
	wantErr(t, portal.post(e.srv.URL+redeemPath, url.Values{"ticket": {"garbage"}}), http.StatusBadRequest, core.ErrSSOTicketInvalid)
	tok = issue()
	e.clock.Advance(TicketTTL + time.Second)
	wantErr(t, portal.post(e.srv.URL+redeemPath, url.Values{"ticket": {tok}}), http.StatusGone, core.ErrSSOTicketExpired)
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(_ *env, o *Options) { o.Limits = Limits{PerMinute: 1, Burst: 2} })
	b := e.browser()
	for range 2 {
		if r := b.get(e.home(true)); r.status != 200 {
			t.Fatalf("%d", r.status)
		}
	}
	r := b.get(e.home(true))
	wantErr(t, r, http.StatusTooManyRequests, core.ErrSSORateLimited)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	e.clock.Advance(time.Minute)
	if r := b.get(e.home(true)); r.status != 200 {
		t.Fatalf("after a minute: %d", r.status)
	}
}

func TestClientIP(t *testing.T) {
	for _, tc := range []struct{ remote, xff, want string }{
		{"203.0.113.9:5000", "", "203.0.113.9"},
		{"203.0.113.9:5000", "10.0.0.1", "203.0.113.9"}, // a public peer cannot claim another address
		{"127.0.0.1:5000", "198.51.100.7, 10.1.1.1", "10.1.1.1"},
		{"10.0.0.2:5000", "198.51.100.7", "198.51.100.7"},
		{"[::1]:5000", "", "::1"},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := clientIP(r); got != tc.want {
			t.Errorf("%s %s → %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

// Behind a reverse proxy that publishes CloudBridge under a prefix, the
// pages' own links keep the prefix.
func TestPublicBaseWithPathPrefix(t *testing.T) {
	e := newEnv(t)
	e.db.Update(func(tx *store.Tx) error {
		st, _ := settings.Load(tx)
		st.PublicBaseURL = e.srv.URL + "/cb"
		return settings.Save(tx, st)
	})
	b := e.browser()
	page := b.get(e.home(true))
	if !strings.Contains(page.body, `"/cb/sso/f/`) || !strings.Contains(page.body, `href="/cb/sso/f/`) {
		t.Fatalf("auth page links without the prefix: %s", page.body)
	}
	flowID, csrf := authPage(t, page)
	code, _ := e.wl.IssueCode(e.user(4), wlsim.DemoClientID)
	r := b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {code}, "csrf": {csrf}})
	if n := next(t, r); n != "/cb/sso/f/"+flowID+"/bind" {
		t.Fatalf("next %s", n)
	}
	// The OAuth2 redirect_uri carries the prefix too.
	pc := b.get(e.home(false))
	if u, _ := url.Parse(pc.loc); u.Query().Get("redirect_uri") != e.srv.URL+"/cb/sso/callback" {
		t.Fatalf("redirect_uri %s", pc.loc)
	}
}

// The auth page is rendered once per app and language; each flow still gets
// its own id, CSRF token and script nonce, and no placeholder leaks.
func TestAuthPageCachedPerAppButTokensPerFlow(t *testing.T) {
	e := newEnv(t)
	seen := map[string]bool{}
	for range 3 {
		r := e.browser().get(e.home(true))
		if r.status != 200 {
			t.Fatalf("homepage: %d %s", r.status, r.body)
		}
		if strings.Contains(r.body, "PLACEHOLDER") {
			t.Fatalf("placeholder left in the page: %s", r.body)
		}
		for _, v := range []string{between(r.body, "/sso/f/", "/code"), between(r.body, `csrf: "`, `"`), between(r.body, `nonce="`, `"`)} {
			if v == "" || seen[v] {
				t.Fatalf("token %q missing or repeated across flows", v)
			}
			seen[v] = true
		}
	}
}
