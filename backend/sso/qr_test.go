package sso

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	wlsim "cloudbridge/backend/welink/sim"
)

type qrNewAnswer struct {
	ID, Key, URL, SVG, State string
	ExpiresIn                int
}

type qrState struct{ State, Name, Ticket string }

func (e *env) enableQR(appIDs ...string) {
	e.t.Helper()
	if _, err := e.svc.SaveQRSettings(QRInput{Enabled: true, AppIDs: appIDs}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) newQR(desk *browser) qrNewAnswer {
	e.t.Helper()
	r := desk.post(e.srv.URL+"/qr/api/new", url.Values{})
	var q qrNewAnswer
	if r.status != 200 || json.Unmarshal([]byte(r.body), &q) != nil || q.ID == "" || q.Key == "" {
		e.t.Fatalf("new QR: %d %s", r.status, r.body)
	}
	return q
}

func (e *env) status(desk *browser, q qrNewAnswer, seen string) qrState {
	e.t.Helper()
	r := desk.post(e.srv.URL+"/qr/api/status", url.Values{"id": {q.ID}, "key": {q.Key}, "seen": {seen}})
	var s qrState
	if err := json.Unmarshal([]byte(r.body), &s); err != nil {
		e.t.Fatalf("status: %d %s", r.status, r.body)
	}
	return s
}

// scanAndConfirm is the phone: open the QR's URL in WeLink as uid, then
// confirm. It returns the confirm page's answer.
func (e *env) scan(phone *browser, q qrNewAnswer, uid string) resp {
	e.t.Helper()
	r := phone.get(q.URL)
	flowID, csrf := authPage(e.t, r)
	code, _ := e.wl.IssueCode(uid, wlsim.DemoClientID)
	return phone.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {code}, "csrf": {csrf}})
}

func TestQRLoginEndToEnd(t *testing.T) {
	e := newEnv(t)
	e.enableQR(e.appID)
	uid := e.user(1)
	e.bind(uid, "2", "zhangsan")
	desk, phone := e.browser(), e.browser()
	q := e.newQR(desk)
	if !strings.HasPrefix(q.URL, e.srv.URL+"/qr/s/") || !strings.HasPrefix(q.SVG, "<svg") || q.ExpiresIn != int(QRTTL/time.Millisecond) {
		t.Fatalf("QR %+v", q)
	}
	// The desktop long-polls; the scan wakes it.
	woke := make(chan qrState, 1)
	go func() { woke <- e.status(desk, q, QRWaiting) }()
	time.Sleep(50 * time.Millisecond)
	r := e.scan(phone, q, uid)
	select {
	case s := <-woke:
		if s.State != QRScanned {
			t.Fatalf("after scan: %+v", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not wake on scan")
	}
	confirmURL := e.srv.URL + next(t, r)
	page := phone.get(confirmURL)
	if page.status != 200 || !strings.Contains(page.body, "张三（zhangsan）") || page.header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("confirm page %d %s", page.status, page.body)
	}
	csrf := formCSRF(t, page)
	wantErr(t, phone.post(confirmURL, url.Values{"action": {"confirm"}}), http.StatusForbidden, core.ErrSSOCSRF)
	if done := phone.post(confirmURL, url.Values{"action": {"confirm"}, "csrf": {csrf}}); done.status != 200 || !strings.Contains(done.body, `data-testid="sso-done"`) {
		t.Fatalf("confirm: %d %s", done.status, done.body)
	}
	s := e.status(desk, q, QRScanned)
	if s.State != QRConfirmed || s.Ticket == "" || s.Name != "张三" {
		t.Fatalf("confirmed state %+v", s)
	}
	// The ticket needs the session key: a photo of the QR plus a leaked
	// ticket is not enough.
	wantErr(t, e.browser().post(e.srv.URL+"/qr/enter", url.Values{"id": {q.ID}, "key": {"wrong"}, "ticket": {s.Ticket}}), http.StatusGone, core.ErrSSOQRExpired)
	enter := desk.post(e.srv.URL+"/qr/enter", url.Values{"id": {q.ID}, "key": {q.Key}, "ticket": {s.Ticket}})
	if enter.status != http.StatusSeeOther || !strings.HasPrefix(enter.loc, e.oaURL+"/wui/index.html?ssoToken=") {
		t.Fatalf("enter: %d %s %s", enter.status, enter.loc, enter.body)
	}
	if land := desk.follow(enter.loc); !strings.Contains(land.body, loggedInZhang) {
		t.Fatalf("OA: %s", land.body)
	}
	// Single use: the session and the ticket are gone.
	wantErr(t, desk.post(e.srv.URL+"/qr/enter", url.Values{"id": {q.ID}, "key": {q.Key}, "ticket": {s.Ticket}}), http.StatusGone, core.ErrSSOQRExpired)
	if st := e.status(desk, q, ""); st.State != QRExpired {
		t.Fatalf("after enter: %+v", st)
	}
}

func TestQRTicketsAreTiedToTheirSessionAndExpire(t *testing.T) {
	e := newEnv(t)
	e.enableQR(e.appID)
	uid := e.user(1)
	e.bind(uid, "2", "zhangsan")
	desk := e.browser()
	confirm := func(q qrNewAnswer) string {
		phone := e.browser()
		r := e.scan(phone, q, uid)
		u := e.srv.URL + next(t, r)
		phone.post(u, url.Values{"action": {"confirm"}, "csrf": {formCSRF(t, phone.get(u))}})
		s := e.status(desk, q, QRScanned)
		if s.State != QRConfirmed {
			t.Fatalf("%+v", s)
		}
		return s.Ticket
	}
	a, b := e.newQR(desk), e.newQR(desk)
	ta := confirm(a)
	// A's ticket with B's session: refused, and A's ticket is spent.
	wantErr(t, desk.post(e.srv.URL+"/qr/enter", url.Values{"id": {b.ID}, "key": {b.Key}, "ticket": {ta}}), http.StatusBadRequest, core.ErrSSOTicketInvalid)
	wantErr(t, desk.post(e.srv.URL+"/qr/enter", url.Values{"id": {a.ID}, "key": {a.Key}, "ticket": {ta}}), http.StatusGone, core.ErrSSOTicketExpired)
	// A forged ticket.
	c := e.newQR(desk)
	confirm(c)
	wantErr(t, desk.post(e.srv.URL+"/qr/enter", url.Values{"id": {c.ID}, "key": {c.Key}, "ticket": {"AAAA.BBBB"}}), http.StatusBadRequest, core.ErrSSOTicketInvalid)
	// An expired one (tickets live ≤ 2 minutes).
	d := e.newQR(desk)
	td := confirm(d)
	e.clock.Advance(TicketTTL + time.Second)
	wantErr(t, desk.post(e.srv.URL+"/qr/enter", url.Values{"id": {d.ID}, "key": {d.Key}, "ticket": {td}}), http.StatusGone, core.ErrSSOTicketExpired)
	if TicketTTL > 2*time.Minute {
		t.Fatal("tickets must expire within 2 minutes")
	}
}

func TestQRExpiresAndCannotBeScannedTwice(t *testing.T) {
	e := newEnv(t)
	e.enableQR(e.appID)
	uid := e.user(1)
	e.bind(uid, "2", "zhangsan")
	desk := e.browser()
	q := e.newQR(desk)
	// A second phone after the first scanned: refused.
	first := e.browser()
	first.get(q.URL)
	wantErr(t, e.browser().get(q.URL), http.StatusGone, core.ErrSSOQRExpired)
	// The first phone may reopen it (WeLink reloads pages).
	if r := first.get(q.URL); r.status != http.StatusFound {
		t.Fatalf("reopen by the scanning phone: %d %s", r.status, r.body)
	}
	// An unscanned QR expires; the desktop sees it and the phone gets a clear page.
	old := e.newQR(desk)
	e.clock.Advance(QRTTL + time.Second)
	if s := e.status(desk, old, QRWaiting); s.State != QRExpired {
		t.Fatalf("expired QR state %+v", s)
	}
	r := e.browser().get(old.URL)
	wantErr(t, r, http.StatusGone, core.ErrSSOQRExpired)
	if !strings.Contains(r.body, "二维码已过期") {
		t.Fatalf("page: %s", r.body)
	}
	// Unknown sessions and wrong keys read as expired.
	if s := e.status(desk, qrNewAnswer{ID: "nope", Key: "x"}, ""); s.State != QRExpired {
		t.Fatalf("%+v", s)
	}
}

func TestQRCancelOnThePhone(t *testing.T) {
	e := newEnv(t)
	e.enableQR(e.appID)
	uid := e.user(1)
	e.bind(uid, "2", "zhangsan")
	desk, phone := e.browser(), e.browser()
	q := e.newQR(desk)
	u := e.srv.URL + next(t, e.scan(phone, q, uid))
	r := phone.post(u, url.Values{"action": {"cancel"}, "csrf": {formCSRF(t, phone.get(u))}})
	if r.status != 200 || !strings.Contains(r.body, "已取消") {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if s := e.status(desk, q, QRScanned); s.State != QRCanceled || s.Ticket != "" {
		t.Fatalf("%+v", s)
	}
}

func TestQRUnboundUserBindsFirst(t *testing.T) {
	e := newEnv(t)
	e.enableQR(e.appID)
	uid := e.user(2)
	desk, phone := e.browser(), e.browser()
	q := e.newQR(desk)
	bindURL := e.srv.URL + next(t, e.scan(phone, q, uid))
	if !strings.HasSuffix(bindURL, "/bind") {
		t.Fatalf("unbound scan went to %s", bindURL)
	}
	csrf := formCSRF(t, phone.get(bindURL))
	r := phone.post(bindURL, url.Values{"loginId": {"lisi"}, "password": {"demo123"}, "csrf": {csrf}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.loc, "/confirm") {
		t.Fatalf("bind in QR flow: %d %s %s", r.status, r.loc, r.body)
	}
	page := phone.get(e.srv.URL + r.loc)
	if !strings.Contains(page.body, "李四（lisi）") {
		t.Fatalf("confirm: %s", page.body)
	}
	phone.post(e.srv.URL+r.loc, url.Values{"action": {"confirm"}, "csrf": {formCSRF(t, page)}})
	s := e.status(desk, q, QRScanned)
	enter := desk.post(e.srv.URL+"/qr/enter", url.Values{"id": {q.ID}, "key": {q.Key}, "ticket": {s.Ticket}})
	if land := desk.follow(enter.loc); !strings.Contains(land.body, "已登录：李四（lisi）") {
		t.Fatalf("OA: %s", land.body)
	}
}

func TestQRChooseTenantAndCorp(t *testing.T) {
	e := newEnv(t)
	second := wlsim.AppSpec{ClientID: "20231101000000000000099", Secret: "second-secret", Name: "二号应用", Grants: wlsim.AllGrants, VisibleRange: wlsim.VisibleRange{AllStaff: true}}
	e.wl.AddApp(second)
	c2, err := e.tenant.CreateCorp("第二企业")
	if err != nil {
		t.Fatal(err)
	}
	app2 := e.addApp(c2.ID, second.ClientID, second.Secret, tenant.Homepage{Kind: "entry", Entry: "todo"})
	e.enableQR(e.appID, app2)
	uid := e.user(1)
	e.db.Update(func(tx *store.Tx) error { return nil })
	e.corpID = c2.ID
	e.bind(uid, "2", "zhangsan") // bound in the second corp only
	desk, phone := e.browser(), e.browser()
	q := e.newQR(desk)
	pick := phone.get(q.URL)
	if pick.status != 200 || !strings.Contains(pick.body, `data-testid="sso-pick"`) || !strings.Contains(pick.body, "第二企业") || !strings.Contains(pick.body, "演示企业") {
		t.Fatalf("pick page: %d %s", pick.status, pick.body)
	}
	if st := e.status(desk, q, QRWaiting); st.State != QRScanned {
		t.Fatalf("%+v", st)
	}
	i := strings.Index(pick.body, "app="+app2)
	start := strings.LastIndex(pick.body[:i], `href="`) + len(`href="`)
	href := strings.ReplaceAll(pick.body[start:i+len("app="+app2)], "&amp;", "&")
	r := phone.get(e.srv.URL + href)
	flowID, csrf := authPage(t, r)
	if !strings.Contains(r.body, second.ClientID) {
		t.Fatal("the auth page does not ask WeLink for the chosen app's code")
	}
	// An app that is not offered cannot be chosen.
	wantErr(t, phone.get(e.srv.URL+"/sso/f/"+flowID+"/auth?app=other"), http.StatusBadRequest, core.ErrSSOQRAppNotInList)
	code, _ := e.wl.IssueCode(uid, second.ClientID)
	confirmURL := e.srv.URL + next(t, phone.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {code}, "csrf": {csrf}}))
	phone.post(confirmURL, url.Values{"action": {"confirm"}, "csrf": {formCSRF(t, phone.get(confirmURL))}})
	s := e.status(desk, q, QRScanned)
	enter := desk.post(e.srv.URL+"/qr/enter", url.Values{"id": {q.ID}, "key": {q.Key}, "ticket": {s.Ticket}})
	// The second app's homepage is the 待办 entry.
	if !strings.HasSuffix(enter.loc, "#/main/workflow/listDoing") {
		t.Fatalf("enter: %s", enter.loc)
	}
}

func TestQRSettings(t *testing.T) {
	e := newEnv(t)
	v, err := e.svc.QRSettings()
	if err != nil || v.Enabled || !v.HasWeLink || len(v.Options) != 1 || v.Options[0].CorpName != "演示企业" {
		t.Fatalf("%+v %v", v, err)
	}
	if len(v.OAOrigins) != 1 || v.OAOrigins[0] != e.oaURL {
		t.Fatalf("origins %v", v.OAOrigins)
	}
	if !strings.Contains(v.Snippet.Script, e.srv.URL+"/qr/login.js") || !strings.Contains(v.Snippet.IFrame, e.srv.URL+"/qr/frame") {
		t.Fatalf("snippet %+v", v.Snippet)
	}
	_, err = e.svc.SaveQRSettings(QRInput{Enabled: true})
	wantKind(t, err, core.ErrSSOQRAppRequired)
	_, err = e.svc.SaveQRSettings(QRInput{Enabled: true, AppIDs: []string{"ghost"}})
	wantKind(t, err, core.ErrAppNotFound)
	// Off: the QR page and the scan answer qr_disabled.
	desk := e.browser()
	wantErr(t, desk.post(e.srv.URL+"/qr/api/new", url.Values{}), http.StatusForbidden, core.ErrSSOQRDisabled)
	v, err = e.svc.SaveQRSettings(QRInput{Enabled: true, AppIDs: []string{e.appID, e.appID, " "}})
	if err != nil || !v.Enabled || len(v.AppIDs) != 1 {
		t.Fatalf("%+v %v", v, err)
	}
	// A corp delete lists and removes the QR login's use of it.
	e.db.View(func(tx *store.Tx) error {
		uses, err := Dependent().CorpUses(tx, e.corpID)
		if err != nil || len(uses) != 1 || uses[0].Kind != "qr_login" {
			t.Fatalf("uses %+v %v", uses, err)
		}
		return nil
	})
	if err := e.db.Update(func(tx *store.Tx) error { return Dependent().DeleteCorpData(tx, e.corpID) }); err != nil {
		t.Fatal(err)
	}
	v, _ = e.svc.QRSettings()
	if v.Enabled || len(v.AppIDs) != 0 {
		t.Fatalf("after corp delete: %+v", v)
	}
	// No corp at all: "请先添加welink".
	e2 := newEnv(t)
	c, _ := e2.tenant.ListCorps()
	for _, x := range c {
		apps, _ := e2.tenant.ListApps(x.ID)
		for _, a := range apps {
			e2.tenant.DeleteApp(a.ID)
		}
	}
	v, _ = e2.svc.QRSettings()
	if v.HasWeLink {
		t.Fatal("HasWeLink with no app")
	}
	_, err = e2.svc.SaveQRSettings(QRInput{Enabled: true})
	wantKind(t, err, core.ErrSSOQRNoWeLink)
	if core.Translate("zh-CN", core.ErrSSOQRNoWeLink.Code, nil)[:len("请先添加welink")] != "请先添加welink" {
		t.Fatal("the message must start with the seed's words")
	}
}

func TestQRFrameOnlyForTheOA(t *testing.T) {
	e := newEnv(t)
	e.enableQR(e.appID)
	b := e.browser()
	r := b.get(e.srv.URL + "/qr/frame?mode=script&origin=" + url.QueryEscape(e.oaURL))
	csp := r.header.Get("Content-Security-Policy")
	if r.status != 200 || !strings.Contains(csp, "frame-ancestors 'self' "+e.oaURL) || strings.Contains(csp, "*") {
		t.Fatalf("frame: %d csp %q", r.status, csp)
	}
	if !strings.Contains(r.body, `parentOrigin = "`+e.oaURL+`"`) {
		t.Fatalf("script mode for the OA origin not granted: %s", r.body)
	}
	// Another origin does not get the postMessage hand-over.
	r = b.get(e.srv.URL + "/qr/frame?mode=script&origin=" + url.QueryEscape("https://evil.example.com"))
	if !strings.Contains(r.body, `parentOrigin = ""`) || !strings.Contains(r.body, `mode = "frame"`) {
		t.Fatalf("foreign origin got script mode: %s", r.body)
	}
	js := b.get(e.srv.URL + "/qr/login.js")
	if js.status != 200 || !strings.Contains(js.body, "e.origin !== rootOrigin") || !strings.Contains(js.body, "/qr/enter") {
		t.Fatalf("login.js: %d", js.status)
	}
	// English frame.
	r = b.get(e.srv.URL + "/qr/frame?lang=en")
	if !strings.Contains(r.body, "Scan with WeLink to sign in") {
		t.Fatal("frame not in English")
	}
}

func TestQRSVGIsAValidCode(t *testing.T) {
	svg, err := qrSVG("https://cb.example.com/qr/s/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST")
	if err != nil || !strings.HasPrefix(svg, "<svg") || strings.Count(svg, "h1v1h-1z") < 200 {
		t.Fatalf("%v %d", err, len(svg))
	}
}

func wantKind(t *testing.T, err error, k core.Kind) {
	t.Helper()
	if !core.Of(err, k) {
		t.Fatalf("got %v, want %s", err, k.Code)
	}
}

// Every text a page template asks for exists in both languages.
func TestPageTextsExist(t *testing.T) {
	re := regexp.MustCompile(`t \.Lang "([^"]+)"|t \$\.Lang "([^"]+)"|tr\((?:lang|"zh-CN"|"en-US"), "([^"]+)"`)
	src := ""
	for _, f := range []string{"pages.go", "frame.go", "flow.go", "qr.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src += string(b)
	}
	keys := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(src, -1) {
		if k := m[1] + m[2] + m[3]; !strings.HasSuffix(k, ".") {
			keys[k] = true
		}
	}
	for _, k := range []string{"waiting", "scanned", "confirmed", "expired", "canceled", "refresh", "enter", "error"} {
		keys["frame."+k] = true
	}
	if len(keys) < 20 {
		t.Fatalf("only %d keys found", len(keys))
	}
	for k := range keys {
		for _, lang := range []string{"zh-CN", "en-US"} {
			if texts[lang][k] == "" {
				t.Errorf("%s: no text for %q", lang, k)
			}
		}
	}
	if len(texts["zh-CN"]) != len(texts["en-US"]) {
		t.Errorf("zh-CN has %d texts, en-US %d", len(texts["zh-CN"]), len(texts["en-US"]))
	}
}
