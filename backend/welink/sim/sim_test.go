package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/welink/sim"
)

const (
	id     = "20240101000000000000099"
	secret = "sim-test-secret"
)

type harness struct {
	t     *testing.T
	clock *core.FakeClock
	s     *sim.Server
	srv   *httptest.Server
}

func start(t *testing.T, opts sim.Options) *harness {
	t.Helper()
	clock := &core.FakeClock{T: time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)}
	if opts.Clock == nil {
		opts.Clock = clock
	}
	if opts.Users == 0 && opts.Org == nil {
		opts.Users = 200
	}
	h := &harness{t: t, clock: clock, s: sim.New(opts)}
	h.srv = httptest.NewServer(h.s)
	t.Cleanup(func() { h.s.Close(); h.srv.Close() })
	h.s.AddApp(sim.AppSpec{ClientID: id, Secret: secret, Name: "t", Grants: []string{"all"}, VisibleRange: sim.VisibleRange{AllStaff: true}})
	return h
}

// do sends a request and returns the status and the raw body.
func (h *harness) do(method, path, token string, body any) (int, string) {
	h.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, r)
	if token != "" {
		req.Header.Set("x-wlk-Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// api decodes the JSON answer of an /api call.
func (h *harness) api(method, path, token string, body any) map[string]any {
	h.t.Helper()
	_, raw := h.do(method, "/api"+path, token, body)
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		h.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
	}
	return m
}

func (h *harness) token() string {
	h.t.Helper()
	m := h.api("POST", "/auth/v2/tickets", "", map[string]string{"client_id": id, "client_secret": secret})
	tok, _ := m["access_token"].(string)
	if tok == "" {
		h.t.Fatalf("no token: %v", m)
	}
	return tok
}

func code(m map[string]any) string {
	switch c := m["code"].(type) {
	case string:
		return c
	case float64:
		return strconv.FormatFloat(c, 'f', -1, 64)
	}
	return "?"
}

func TestEnvelopesAndOmittedFields(t *testing.T) {
	h := start(t, sim.Options{})
	tok := h.token()
	top := h.api("GET", "/contact/v2/department/list?deptCode=0", tok, nil)
	if code(top) != "0" || top["hasMore"] != float64(0) {
		t.Fatalf("department list: %v", top)
	}
	dept := top["data"].([]any)[0].(map[string]any)["deptCode"].(string)
	// The documented numeric code and the string pageSize of /contact/v1/user/users.
	_, raw := h.do("GET", "/api/contact/v1/user/users?deptCode="+dept+"&pageNo=1&pageSize=10", tok, nil)
	if !strings.HasPrefix(raw, `{"code":0,`) || !strings.Contains(raw, `"pageSize":"10"`) {
		t.Fatalf("old user list envelope: %.200s", raw)
	}
	// Empty fields are left out, not sent as "".
	if strings.Contains(raw, `""`) || strings.Contains(raw, "null") {
		t.Fatalf("empty values sent: %.300s", raw)
	}
	list := h.api("GET", "/contact/v2/user/list?deptCode="+dept+"&pageSize=50", tok, nil)
	for _, it := range list["data"].([]any) {
		u := it.(map[string]any)
		if v, ok := u["userEmail"]; ok && v == "" {
			t.Fatal("empty userEmail sent")
		}
	}
	if code(list) != "0" {
		t.Fatalf("new list code %v", list["code"])
	}
	// Unknown API path.
	if st, _ := h.do("GET", "/api/nope/v1/x", tok, nil); st != 404 {
		t.Fatalf("unknown path: %d", st)
	}
}

func TestPagingLimits(t *testing.T) {
	h := start(t, sim.Options{})
	tok := h.token()
	if m := h.api("GET", "/contact/v2/user/list?deptCode=0&pageSize=51", tok, nil); code(m) != "47004" {
		t.Fatalf("pageSize 51: %v", m)
	}
	if m := h.api("GET", "/contact/v3/departments/list?deptCode=0&limit=101", tok, nil); code(m) != "47004" {
		t.Fatalf("limit 101: %v", m)
	}
	if m := h.api("GET", "/contact/v3/departments/list?deptCode=0&recursiveflag=1", tok, nil); code(m) != "47004" {
		t.Fatalf("recursive root: %v", m)
	}
	c := start(t, sim.Options{ClampPaging: true})
	ctok := c.token()
	m := c.api("GET", "/contact/v3/departments/list?deptCode=0&limit=500&offset=1", ctok, nil)
	if code(m) != "0" || m["limit"] != float64(100) {
		t.Fatalf("clamped: %v", m)
	}
}

func TestTokenErrors(t *testing.T) {
	h := start(t, sim.Options{ExpiredTokenCode: "47103"})
	_, raw := h.do("GET", "/api/contact/v2/user/userid?deptCode=0", "", nil)
	if raw != `{"code":47101,"message":"Token格式错误","data":[]}` {
		t.Fatalf("missing token on a numeric list: %s", raw)
	}
	if m := h.api("DELETE", "/todo/v1/deltask?taskId=x", "bogus", nil); code(m) != "55014" {
		t.Fatalf("to-do with a bad token: %v", m)
	}
	if m := h.api("GET", "/auth/v1/jstickets", "bogus", nil); code(m) != "41600" {
		t.Fatalf("jstickets with a bad token: %v", m)
	}
	tok := h.token()
	h.clock.Advance(7200 * time.Second)
	if m := h.api("GET", "/tenant/v1/tenants", tok, nil); code(m) != "47103" {
		t.Fatalf("expired token: %v", m)
	}
}

func TestGrantsApplyToNewTokensOnly(t *testing.T) {
	h := start(t, sim.Options{})
	h.s.SetGrants(id, []string{"contacts_read"})
	old := h.token()
	if m := h.api("DELETE", "/todo/v1/deltask?taskId=x", old, nil); code(m) != "501" || m["message"] != "第三方接口无权限" {
		t.Fatalf("no grant: %v", m)
	}
	h.s.SetGrants(id, []string{"contacts_read", "todo"})
	if m := h.api("DELETE", "/todo/v1/deltask?taskId=x", old, nil); code(m) != "501" {
		t.Fatalf("old token after grant: %v", m)
	}
	if m := h.api("DELETE", "/todo/v1/deltask?taskId=x", h.token(), nil); code(m) != "55009" {
		t.Fatalf("new token after grant: %v", m)
	}
}

func TestSecretChecksAndLockout(t *testing.T) {
	h := start(t, sim.Options{LockAfter: 2, LockFor: 10 * time.Minute})
	tickets := func(cid, sec string) string {
		return code(h.api("POST", "/auth/v2/tickets", "", map[string]string{"client_id": cid, "client_secret": sec}))
	}
	if c := tickets("", "x"); c != "41579" {
		t.Fatalf("empty id: %s", c)
	}
	if c := tickets(id, ""); c != "41580" {
		t.Fatalf("empty secret: %s", c)
	}
	for i := range 2 {
		if c := tickets(id, "wrong"); c != "10007" {
			t.Fatalf("wrong secret %d: %s", i, c)
		}
	}
	if c := tickets(id, secret); c != "41403" {
		t.Fatalf("locked: %s", c)
	}
	h.clock.Advance(10*time.Minute + time.Second)
	if c := tickets(id, secret); c != "0" {
		t.Fatalf("after the lock: %s", c)
	}
	// Form bodies are read too.
	_, raw := h.do("POST", "/api/auth/v2/tickets", "", nil)
	if !strings.Contains(raw, `"code":"41579"`) {
		t.Fatalf("empty body: %s", raw)
	}
}

func TestQuotas(t *testing.T) {
	h := start(t, sim.Options{Limits: sim.Limits{PerSecond: 40, PerMinute: 60, PerIP: 100}})
	tok := h.token()
	call := func() string { return code(h.api("GET", "/tenant/v1/tenants", tok, nil)) }
	for i := range 40 {
		if c := call(); c != "0" {
			t.Fatalf("call %d: %s", i, c)
		}
	}
	if c := call(); c != "48503" {
		t.Fatalf("41st call in a second: %s", c)
	}
	h.clock.Advance(time.Second)
	for i := range 20 {
		if c := call(); c != "0" {
			t.Fatalf("second %d: %s", i, c)
		}
	}
	h.clock.Advance(time.Second)
	if c := call(); c != "48503" {
		t.Fatalf("61st call in a minute: %s", c)
	}
	// A minute later (all windows rolled) another API runs into its own
	// per-second quota.
	h.clock.Advance(time.Minute)
	n := 0
	for code(h.api("GET", "/weopen/v1/userscope", tok, nil)) == "0" {
		n++
	}
	if n == 0 || n > 40 {
		t.Fatalf("userscope calls before 48503: %d", n)
	}
	if got := h.s.Throttled(); got < 3 {
		t.Fatalf("throttled = %d", got)
	}
}

func TestIPQuota(t *testing.T) {
	h := start(t, sim.Options{Limits: sim.Limits{PerIP: 5, IPWindow: 20 * time.Second}})
	tok := h.token() // 1
	for i := range 4 {
		if c := code(h.api("GET", "/weopen/v1/userscope", tok, nil)); c != "0" {
			t.Fatalf("call %d: %s", i, c)
		}
	}
	if c := code(h.api("GET", "/tenant/v1/tenants", tok, nil)); c != "48503" {
		t.Fatalf("sixth call from the IP: %s", c)
	}
	h.clock.Advance(20 * time.Second)
	if c := code(h.api("GET", "/tenant/v1/tenants", tok, nil)); c != "0" {
		t.Fatalf("after the window: %s", c)
	}
}

func TestFaults(t *testing.T) {
	h := start(t, sim.Options{})
	tok := h.token()
	h.s.AddFault(sim.Fault{Path: "/tenant/*", Code: "500", Count: 2})
	lat := h.s.AddFault(sim.Fault{Path: "/weopen/v1/userscope", Latency: 80 * time.Millisecond})
	for i, want := range []string{"500", "500", "0"} {
		if c := code(h.api("GET", "/tenant/v1/tenants", tok, nil)); c != want {
			t.Fatalf("call %d: %s, want %s", i, c, want)
		}
	}
	t0 := time.Now()
	h.api("GET", "/weopen/v1/userscope", tok, nil)
	if time.Since(t0) < 80*time.Millisecond {
		t.Fatal("latency not applied")
	}
	h.s.RemoveFault(lat)
	// A rate fires on about that share of calls, reproducibly per seed.
	h.s.AddFault(sim.Fault{Path: "/weopen/v1/isadmin", Code: "48503", Rate: 0.5})
	n := 0
	for range 40 {
		if code(h.api("GET", "/weopen/v1/isadmin?userId=x", tok, nil)) == "48503" {
			n++
		}
	}
	if n < 8 || n > 32 {
		t.Fatalf("rate 0.5 fired %d of 40", n)
	}
	h.s.ClearFaults()
	// Dropped connections and bare HTTP errors.
	h.s.AddFault(sim.Fault{Path: "/tenant/v1/tenants", Drop: true, Count: 1})
	req, _ := http.NewRequest("GET", h.srv.URL+"/api/tenant/v1/tenants", nil)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}} // no silent retry on a reused connection
	if _, err := fresh.Do(req); err == nil {
		t.Fatal("dropped connection answered")
	}
	h.s.AddFault(sim.Fault{Path: "/tenant/v1/tenants", HTTPStatus: 504, Count: 1})
	if st, body := h.do("GET", "/api/tenant/v1/tenants", tok, nil); st != 504 || !strings.Contains(body, "<html>") {
		t.Fatalf("bare 504: %d %s", st, body)
	}
	// Hang until the client gives up.
	h.s.AddFault(sim.Fault{Path: "/tenant/v1/tenants", Hang: true, Count: 1})
	cl := &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := cl.Get(h.srv.URL + "/api/tenant/v1/tenants"); err == nil {
		t.Fatal("hang answered")
	}
}

func TestControlAPI(t *testing.T) {
	h := start(t, sim.Options{})
	post := func(method, path string, body any) (int, map[string]any) {
		st, raw := h.do(method, path, "", body)
		var m map[string]any
		json.Unmarshal([]byte(raw), &m)
		return st, m
	}
	if st, _ := post("POST", "/sim/apps", sim.AppSpec{ClientID: "c2", Secret: "s2", Name: "二号应用", Grants: []string{"auth"}}); st != 200 {
		t.Fatalf("add app: %d", st)
	}
	if st, _ := post("PUT", "/sim/apps/c2/grants", map[string]any{"grants": []string{"all"}}); st != 200 {
		t.Fatalf("grants: %d", st)
	}
	if st, _ := post("PUT", "/sim/apps/nope/range", sim.VisibleRange{AllStaff: true}); st != 404 {
		t.Fatalf("range of unknown app: %d", st)
	}
	_, f := post("POST", "/sim/faults", map[string]any{"path": "/tenant/v1/tenants", "code": "500", "count": 1, "latencyMs": 5})
	if f["id"] == "" {
		t.Fatal("fault id")
	}
	if fs := h.s.Faults(); len(fs) != 1 || fs[0].Latency != 5*time.Millisecond {
		t.Fatalf("faults %+v", fs)
	}
	post("DELETE", "/sim/faults", nil)
	users := h.s.FindUsers("", 2)
	_, c := post("POST", "/sim/codes", map[string]string{"userId": users[0].UserID, "clientId": id})
	tok := h.token()
	if m := h.api("GET", "/auth/v2/userid?code="+url.QueryEscape(c["code"].(string)), tok, nil); m["userId"] != users[0].UserID {
		t.Fatalf("code from the control API: %v", m)
	}
	if st, _ := post("PUT", "/sim/current-user", map[string]string{"userId": users[1].UserID}); st != 200 || h.s.CurrentUser() != users[1].UserID {
		t.Fatal("current user")
	}
	_, raw := h.do("GET", "/sim/state", "", nil)
	if strings.Contains(raw, secret) || !strings.Contains(raw, `"users": 200`) {
		t.Fatalf("state: %s", raw)
	}
	_, raw = h.do("GET", "/sim/users?q="+url.QueryEscape(users[0].NameCn), "", nil)
	if !strings.Contains(raw, users[0].UserID) {
		t.Fatalf("user search: %s", raw)
	}
	for _, p := range []string{"/sim/", "/sim/todos", "/sim/messages", "/sim/jobs", "/sim/apps"} {
		if st, _ := h.do("GET", p, "", nil); st != 200 {
			t.Fatalf("%s: %d", p, st)
		}
	}
}

func TestBrowserSide(t *testing.T) {
	h := start(t, sim.Options{})
	users := h.s.FindUsers("", 3)
	// The JSAPI script and the code it fetches.
	st, js := h.do("GET", "/docs/jsapi/2.0.9/hwh5-cloudonline.js", "", nil)
	if st != 200 || !strings.Contains(js, "getAuthCode") {
		t.Fatalf("JSAPI script: %d", st)
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/sim/jsapi/authcode?clientId="+id+"&userId="+url.QueryEscape(users[2].UserID), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || got["code"] == "" {
		t.Fatalf("authcode: %v", got)
	}
	if m := h.api("GET", "/auth/v2/userid?code="+got["code"], h.token(), nil); m["userId"] != users[2].UserID {
		t.Fatalf("JSAPI code redeemed as %v", m)
	}

	// A browser logged in to WeLink goes straight back with a code.
	jar, _ := cookiejar.New(nil)
	br := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = br.Get(h.srv.URL + "/sim/login?userId=" + url.QueryEscape(users[1].UserID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	auth := h.srv.URL + "/sso/oauth2/authorize?" + url.Values{"client_id": {id}, "response_type": {"code"}, "scope": {"backendlogin"},
		"redirect_uri": {"https://bridge.example.com/cb"}, "state": {"s1"}}.Encode()
	resp, err = br.Get(auth)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc.Query().Get("code") == "" || loc.Query().Get("state") != "s1" {
		t.Fatalf("authorize: %d %v", resp.StatusCode, loc)
	}
	if st, _ := h.do("GET", "/sso/oauth2/authorize?client_id="+id+"&response_type=code&scope=backendlogin&redirect_uri=https%3A%2F%2Fx.example%2F&state="+strings.Repeat("s", 256), "", nil); st != 400 {
		t.Fatalf("long state: %d", st)
	}

	// The scan-login iframe, its script and a simulated scan.
	if st, body := h.do("GET", "/sso-proxy-front/public/qrcode/0.0.1/qrcode.html?client_id="+id+"&redirect_uri=https%3A%2F%2Fbridge.example.com%2Fqr&state=q", "", nil); st != 200 || !strings.Contains(body, "/sim/qr/scan") {
		t.Fatalf("QR page: %d", st)
	}
	if st, body := h.do("GET", "/sso-proxy-front/public/qrcode/0.0.1/wlQrcodeLogin.js", "", nil); st != 200 || !strings.Contains(body, "wlQrcodeLogin") {
		t.Fatalf("QR script: %d", st)
	}
	scan := "/sim/qr/scan?" + url.Values{"client_id": {id}, "redirect_uri": {"https://bridge.example.com/qr"}, "state": {"q"}, "userId": {users[0].UserID}}.Encode()
	if st, body := h.do("GET", scan, "", nil); st != 200 || !strings.Contains(body, "window.top.location.href") || !strings.Contains(body, "state=q") {
		t.Fatalf("scan: %d %s", st, body)
	}

	// The "phone": open a scanned URL as a user.
	resp, err = br.Get(h.srv.URL + "/sim/phone?" + url.Values{"url": {"https://bridge.example.com/qr/abc"}, "userId": {users[2].UserID}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || h.s.CurrentUser() != users[2].UserID {
		t.Fatalf("phone: %d current=%s", resp.StatusCode, h.s.CurrentUser())
	}
	if st, body := h.do("GET", "/sim/phone", "", nil); st != 200 || !strings.Contains(body, "<form") {
		t.Fatalf("phone form: %d", st)
	}
}

func TestBatchJobDelay(t *testing.T) {
	h := start(t, sim.Options{BatchDelay: 5 * time.Second})
	tok := h.token()
	m := h.api("POST", "/contact/v1/department/batch/create", tok, map[string]any{"deptInfos": []map[string]string{
		{"corpDeptCode": "X1", "corpParentCode": "0", "deptNameCn": "新部门"}}})
	job, _ := m["jobId"].(string)
	if job == "" {
		t.Fatalf("batch: %v", m)
	}
	h.clock.Advance(2 * time.Second)
	r := h.api("GET", "/contact/v1/batch/result?jobId="+job, tok, nil)
	if r["status"] != float64(2) || r["percentage"] != float64(40) {
		t.Fatalf("running job: %v", r)
	}
	h.clock.Advance(3 * time.Second)
	r = h.api("GET", "/contact/v1/batch/result?jobId="+job, tok, nil)
	if r["status"] != float64(3) || r["percentage"] != float64(100) {
		t.Fatalf("done job: %v", r)
	}
	if d := h.api("GET", "/contact/v2/department/detail?corpDeptCode=X1", tok, nil); d["deptNameCn"] != "新部门" {
		t.Fatalf("job result not applied: %v", d)
	}
	if m := h.api("POST", "/contact/v1/user/batch/create", tok, map[string]any{"personInfos": make([]map[string]string, 101)}); code(m) != "47013" {
		t.Fatalf("101 records: %v", m)
	}
}

func TestDemo(t *testing.T) {
	s := sim.Demo()
	defer s.Close()
	srv := httptest.NewServer(s)
	defer srv.Close()
	st := s.State()
	if st.Users < 200 || len(st.Apps) != 1 || st.Apps[0].ClientID != sim.DemoClientID {
		t.Fatalf("demo state %+v", st)
	}
	b, _ := json.Marshal(map[string]string{"client_id": sim.DemoClientID, "client_secret": sim.DemoClientSecret})
	resp, err := http.Post(srv.URL+"/api/auth/v2/tickets", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if m["code"] != "0" || m["access_token"] == "" {
		t.Fatalf("demo token: %v", m)
	}
}

func TestRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Run(ctx, addr, 500, 3) }()
	var state sim.State
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/sim/state")
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&state)
			resp.Body.Close()
			break
		}
		if i > 100 {
			t.Fatal("emulator did not come up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if state.Users != 500 {
		t.Fatalf("state %+v", state)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}
