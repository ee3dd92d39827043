package welink_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
)

const ticketsAPI = "POST /auth/v2/tickets"

func TestVerifyAndTokenCache(t *testing.T) {
	e := newEnv(t, 50)
	ctx := context.Background()
	info := must[welink.TokenInfo](t)(e.app.Verify(ctx))
	if info.ExpiresIn != 7200 || info.Elapsed <= 0 {
		t.Fatalf("verify = %+v", info)
	}
	// Verify keeps its token: later calls reuse it.
	tok := must[string](t)(e.app.Token(ctx))
	if tok2 := must[string](t)(e.app.Token(ctx)); tok2 != tok {
		t.Fatal("token not cached")
	}
	if n := e.calls(ticketsAPI); n != 1 {
		t.Fatalf("tickets calls = %d, want 1", n)
	}
	// A second Verify always asks again.
	must[welink.TokenInfo](t)(e.app.Verify(ctx))
	if n := e.calls(ticketsAPI); n != 2 {
		t.Fatalf("tickets calls after second verify = %d, want 2", n)
	}
}

func TestTokenSingleflightAndRefresh(t *testing.T) {
	e := newEnv(t, 50)
	ctx := context.Background()
	var wg sync.WaitGroup
	toks := make([]string, 20)
	for i := range toks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks[i], _ = e.app.Token(ctx)
		}()
	}
	wg.Wait()
	for _, tk := range toks {
		if tk == "" || tk != toks[0] {
			t.Fatalf("concurrent callers got different tokens: %q vs %q", tk, toks[0])
		}
	}
	if n := e.calls(ticketsAPI); n != 1 {
		t.Fatalf("20 concurrent Token calls made %d token requests, want 1", n)
	}
	// Still valid just before expires_in−300 s, renewed right after.
	e.clock.Advance(7200*time.Second - 300*time.Second - time.Second)
	if tk := must[string](t)(e.app.Token(ctx)); tk != toks[0] {
		t.Fatal("token renewed too early")
	}
	e.clock.Advance(2 * time.Second)
	if tk := must[string](t)(e.app.Token(ctx)); tk == toks[0] {
		t.Fatal("token not renewed at expires_in−300 s")
	}
	if n := e.calls(ticketsAPI); n != 2 {
		t.Fatalf("token requests = %d, want 2", n)
	}
}

func TestExpiredTokenIsRefreshedOnce(t *testing.T) {
	e := newEnv(t, 50)
	ctx := context.Background()
	must[welink.Tenant](t)(e.app.Tenant(ctx))
	// WeLink drops the token before the client expected it.
	if n := e.sim.RevokeTokens(appID); n != 1 {
		t.Fatalf("revoked %d tokens", n)
	}
	tn := must[welink.Tenant](t)(e.app.Tenant(ctx))
	if tn.TenantID != e.sim.TenantID() {
		t.Fatalf("tenant = %+v", tn)
	}
	if n, m := e.calls(ticketsAPI), e.calls("GET /tenant/v1/tenants"); n != 2 || m != 3 {
		t.Fatalf("tickets=%d tenant=%d, want 2 and 3 (one refresh, one repeat)", n, m)
	}
	// A token WeLink keeps refusing is refreshed once, then the error surfaces.
	e.sim.AddFault(sim.Fault{Path: "/tenant/v1/tenants", Code: "47101"})
	_, err := e.app.Tenant(ctx)
	if welink.CodeOf(err) != "47101" {
		t.Fatalf("err = %v, want 47101", err)
	}
	if n := e.calls(ticketsAPI); n != 3 {
		t.Fatalf("tickets=%d after persistent 47101, want exactly one more", n)
	}
}

func TestWrongSecretStopsUntilChanged(t *testing.T) {
	e := newEnv(t, 50)
	ctx := context.Background()
	bad := e.c.App(welink.Credentials{ClientID: appID, ClientSecret: "wrong"})
	_, err := bad.Verify(ctx)
	if welink.CodeOf(err) != welink.CodeWrongSecret {
		t.Fatalf("err = %v, want 10007", err)
	}
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != "welink.10007" {
		t.Fatalf("not a translated WeLink error: %#v", err)
	}
	before := e.calls(ticketsAPI)
	for range 3 {
		_, err = bad.Tenant(ctx)
		if !core.Of(err, core.ErrWeLinkLocked) || welink.CodeOf(err) != "10007" {
			t.Fatalf("after 10007: err = %v, want welink.secret_rejected", err)
		}
		if _, err = bad.Verify(ctx); !core.Of(err, core.ErrWeLinkLocked) {
			t.Fatalf("verify after 10007: %v", err)
		}
	}
	if n := e.calls(ticketsAPI); n != before {
		t.Fatalf("client kept asking WeLink with a rejected secret: %d calls", n-before)
	}
	// The admin fixes the secret: same handle, new secret, works again.
	good := e.c.App(welink.Credentials{ClientID: appID, ClientSecret: appSecret})
	if good != bad {
		t.Fatal("App is not cached per client id")
	}
	must[welink.Tenant](t)(good.Tenant(ctx))
}

func TestLockout41403(t *testing.T) {
	e := newEnv(t, 50, func(so *sim.Options, _ *welink.Options) { so.LockAfter = 3 })
	ctx := context.Background()
	for i := range 3 { // three wrong secrets in a row (the client stops after each, so new secrets)
		a := e.c.App(welink.Credentials{ClientID: appID, ClientSecret: "wrong-" + string(rune('a'+i))})
		if _, err := a.Verify(ctx); welink.CodeOf(err) != "10007" {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	a := e.c.App(welink.Credentials{ClientID: appID, ClientSecret: appSecret})
	_, err := a.Verify(ctx)
	if welink.CodeOf(err) != welink.CodeLocked {
		t.Fatalf("right secret while locked: %v, want 41403", err)
	}
	before := e.calls(ticketsAPI)
	if _, err := a.Token(ctx); welink.CodeOf(err) != "41403" {
		t.Fatalf("token while cooling down: %v", err)
	}
	if e.calls(ticketsAPI) != before {
		t.Fatal("client asked WeLink during the 41403 cool-down")
	}
	e.clock.Advance(15*time.Minute + time.Second)
	must[welink.TokenInfo](t)(a.Verify(ctx))
}

func TestPermissionDeniedAndNewGrant(t *testing.T) {
	e := newEnv(t, 50)
	ctx := context.Background()
	e.sim.SetGrants(appID, []string{"auth", "contacts_read"})
	must[string](t)(e.app.Token(ctx))
	todo := welink.Todo{TaskID: "t1", TaskTitle: "请审批", UserID: firstUser(t, e), UserNameCn: "张三", UserNameEn: "San Zhang",
		DetailsURL: "https://oa.example.com/t1", AppName: "OA", ApplicantUserID: "x", ApplicantUserNameCn: "李四",
		ApplicantUserNameEn: "Si Li", ApplicantID: "a1"}
	_, err := e.app.AddTodo(ctx, todo)
	if !welink.IsPermissionDenied(err) {
		t.Fatalf("err = %v, want 501", err)
	}
	if msg := core.Translate("en-US", "welink.501", nil); !strings.Contains(err.Error(), msg) {
		t.Fatalf("error text %q lacks the translated meaning %q", err.Error(), msg)
	}
	// Within a minute of issue a token already reflects the grants: no
	// token request for a second 501.
	before := e.calls(ticketsAPI)
	if _, err := e.app.AddTodo(ctx, todo); !welink.IsPermissionDenied(err) || e.calls(ticketsAPI) != before {
		t.Fatalf("second 501: %v, token requests %d→%d", err, before, e.calls(ticketsAPI))
	}
	// The admin grants the to-do API a while later: the cached token
	// predates it, so the client fetches a new token once and succeeds.
	e.clock.Advance(2 * time.Minute)
	e.sim.SetGrants(appID, []string{"all"})
	must[welink.TodoResult](t)(e.app.AddTodo(ctx, todo))
	if e.calls(ticketsAPI) != before+1 {
		t.Fatalf("token requests %d, want %d", e.calls(ticketsAPI), before+1)
	}
}

func firstUser(t *testing.T, e *env) string {
	t.Helper()
	us := e.sim.FindUsers("", 1)
	if len(us) == 0 {
		t.Fatal("empty org")
	}
	return us[0].UserID
}

func TestProbe(t *testing.T) {
	e := newEnv(t, 50)
	ctx := context.Background()
	e.sim.SetGrants(appID, []string{"auth", "contacts_read", "todo"})
	perms := must[[]welink.Permission](t)(e.app.Probe(ctx))
	got := map[string]string{}
	for _, p := range perms {
		got[p.Key] = p.Status
		if p.Status == welink.StatusDenied && p.Code != "501" {
			t.Errorf("%s denied with code %q", p.Key, p.Code)
		}
	}
	want := map[string]string{"auth": "granted", "contacts_read": "granted", "contacts_sync": "denied", "todo": "granted", "message": "denied"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %+v)", k, got[k], v, perms)
		}
	}
	// The probe changed nothing.
	if len(e.sim.Todos("")) != 0 || len(e.sim.Messages("")) != 0 || len(e.sim.Jobs()) != 0 {
		t.Fatal("probe left traces in WeLink")
	}
	// Granting the rest shows at the next probe (it starts from a new token).
	e.sim.SetGrants(appID, []string{"all"})
	for _, p := range must[[]welink.Permission](t)(e.app.Probe(ctx)) {
		if p.Status != welink.StatusGranted {
			t.Errorf("after granting all: %+v", p)
		}
	}
	// A secret WeLink rejects fails the probe itself.
	bad := e.c.App(welink.Credentials{ClientID: appID, ClientSecret: "nope"})
	if _, err := bad.Probe(ctx); welink.CodeOf(err) != "10007" {
		t.Fatalf("probe with bad secret: %v", err)
	}
}

func TestProbeUnknownOnNetworkTrouble(t *testing.T) {
	e := newEnv(t, 50)
	e.sim.AddFault(sim.Fault{Path: "/messages/*", HTTPStatus: 503})
	perms := must[[]welink.Permission](t)(e.app.Probe(context.Background()))
	for _, p := range perms {
		if p.Key == welink.PermMessage && p.Status != welink.StatusUnknown {
			t.Fatalf("message with WeLink down = %+v, want unknown", p)
		}
	}
}

func TestFreeLoginCodes(t *testing.T) {
	e := newEnv(t, 50)
	ctx := context.Background()
	uid := firstUser(t, e)
	code, _ := e.sim.IssueCode(uid, appID)
	id := must[welink.Identity](t)(e.app.UserIDByCode(ctx, code))
	if id.UserID != uid || id.TenantID != e.sim.TenantID() {
		t.Fatalf("identity = %+v", id)
	}
	if _, err := e.app.UserIDByCode(ctx, code); welink.CodeOf(err) != "41504" {
		t.Fatalf("reused code: %v, want 41504", err)
	}
	code, _ = e.sim.IssueCode(uid, "")
	e.clock.Advance(2*time.Minute + time.Second)
	if _, err := e.app.UserIDByCode(ctx, code); welink.CodeOf(err) != "41503" {
		t.Fatalf("expired code: %v, want 41503", err)
	}
	if _, err := e.app.UserIDByCode(ctx, "made-up"); welink.CodeOf(err) != "41501" {
		t.Fatalf("unknown code: %v, want 41501", err)
	}
	// Legacy flow: a type=u ticket, then /auth/v1/userid.
	code, _ = e.sim.IssueCode(uid, appID)
	if got := must[string](t)(e.app.UserIDByCodeV1(ctx, code)); got != uid {
		t.Fatalf("v1 userid = %q", got)
	}
	tk := must[welink.Ticket](t)(e.app.TicketV1(ctx, "e", ""))
	if tk.AccessToken == "" || tk.ExpiresIn != 7200 {
		t.Fatalf("v1 ticket = %+v", tk)
	}
}

func TestOAuth2AuthorizeAndExchange(t *testing.T) {
	e := newEnv(t, 50)
	ctx := context.Background()
	uid := firstUser(t, e)
	redirect := "https://bridge.example.com/sso/callback"
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// Not logged in to WeLink: the login page.
	resp, err := noFollow.Get(e.app.AuthorizeURL(redirect, "st-1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("authorize without login: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The login form posts the chosen user and comes back with a code.
	form := url.Values{"client_id": {appID}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"backendlogin"}, "state": {"st-1"}, "userId": {uid}}
	resp, err = noFollow.PostForm(e.srv.URL+"/sso/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Host != "bridge.example.com" || loc.Query().Get("state") != "st-1" {
		t.Fatalf("authorize: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok := must[welink.OAuth2Token](t)(e.app.ExchangeOAuth2Code(ctx, loc.Query().Get("code"), redirect))
	if tok.UserID != uid || tok.AccessToken == "" {
		t.Fatalf("exchange = %+v", tok)
	}
	// Single use.
	if _, err := e.app.ExchangeOAuth2Code(ctx, loc.Query().Get("code"), redirect); welink.CodeOf(err) != "60008" {
		t.Fatalf("second exchange: %v, want 60008", err)
	}
	// An OAuth2 code also works at /auth/v2/userid (the other strategy), for 5 minutes.
	code, _ := e.sim.IssueOAuthCode(uid, appID, redirect)
	e.clock.Advance(4 * time.Minute)
	if id := must[welink.Identity](t)(e.app.UserIDByCode(ctx, code)); id.UserID != uid {
		t.Fatalf("userid by oauth code = %+v", id)
	}
	code, _ = e.sim.IssueOAuthCode(uid, appID, redirect)
	e.clock.Advance(5*time.Minute + time.Second)
	if _, err := e.app.ExchangeOAuth2Code(ctx, code, redirect); welink.CodeOf(err) != "60007" {
		t.Fatalf("expired oauth code: %v, want 60007", err)
	}
	// WeLink refuses a redirect_uri with a query string.
	resp, err = noFollow.Get(e.app.AuthorizeURL(redirect+"?x=1", "s"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("redirect_uri with query: %d, want 404", resp.StatusCode)
	}
}

func TestJSTicketSignature(t *testing.T) {
	e := newEnv(t, 50)
	tk := must[string](t)(e.app.JSTicket(context.Background()))
	if tk == "" {
		t.Fatal("empty jsticket")
	}
	// The documented recipe: query decoded, fragment dropped.
	a := welink.JSSignature("T", "n", "1", "https://a.example/p?x=%E4%B8%AD#frag")
	b := welink.JSSignature("T", "n", "1", "https://a.example/p?x=中")
	if a != b || len(a) != 40 {
		t.Fatalf("signature %q vs %q", a, b)
	}
}

func TestQRLoginURLs(t *testing.T) {
	e := newEnv(t, 50)
	frame := e.app.QRFrameURL("https://bridge.example.com/qr/done", "q1")
	resp, err := http.Get(frame)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("QR page: %d", resp.StatusCode)
	}
	if !strings.HasPrefix(e.app.QRLoginScriptURL(), e.srv.URL) {
		t.Fatal("QR script not on the login host")
	}
}
