package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

type adminClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newHeadlessTest(t *testing.T) (*App, *adminClient) {
	t.Helper()
	a, err := New(Config{DataDir: t.TempDir(), Demo: true, KeyStore: "file", PublicAddr: "127.0.0.1:0", LogLevel: slog.LevelWarn, Version: "test", Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	assets := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>云桥</title>")}}
	srv := httptest.NewServer(NewHeadless(a, assets).Handler())
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return a, &adminClient{t: t, base: srv.URL, hc: &http.Client{Jar: jar}}
}

func (c *adminClient) do(method, path string, body any, hdr map[string]string) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("X-CloudBridge", "1")
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
		} else if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	if out == nil && len(raw) > 0 && raw[0] == '[' {
		out = map[string]any{"list": json.RawMessage(raw)}
	}
	return resp.StatusCode, out
}

func code(m map[string]any) string { s, _ := m["code"].(string); return s }

func TestHeadlessSetupLoginAndCalls(t *testing.T) {
	_, c := newHeadlessTest(t)
	st, body := c.do("GET", "/api/auth/status", nil, nil)
	if st != 200 || body["passwordSet"] != false {
		t.Fatalf("status = %d %v", st, body)
	}
	if st, body = c.do("POST", "/api/call/tenant/ListCorps", "[]", nil); st != 401 || code(body) != "admin.setup_required" {
		t.Fatalf("call before setup = %d %v", st, body)
	}
	if st, body = c.do("POST", "/api/auth/setup", map[string]string{"password": "short"}, nil); st != 400 || code(body) != "admin.password_weak" {
		t.Fatalf("weak password = %d %v", st, body)
	}
	if st, body = c.do("POST", "/api/auth/setup", map[string]string{"password": "correct horse battery"}, nil); st != 200 || body["authenticated"] != true {
		t.Fatalf("setup = %d %v", st, body)
	}
	if st, body = c.do("POST", "/api/auth/setup", map[string]string{"password": "another password"}, nil); st != 409 || code(body) != "admin.password_already_set" {
		t.Fatalf("second setup = %d %v", st, body)
	}

	if st, body = c.do("POST", "/api/call/tenant/CreateCorp", `["华为技术"]`, nil); st != 200 || body["name"] != "华为技术" {
		t.Fatalf("create corp = %d %v", st, body)
	}
	if st, body = c.do("POST", "/api/call/tenant/CreateCorp", `["华为技术"]`, nil); st != 409 || code(body) != "corp.name_duplicate" {
		t.Fatalf("duplicate corp = %d %v", st, body)
	}
	for _, tc := range []struct {
		path, body, code string
		status           int
	}{
		{"/api/call/tenant/CreateCorp", `["a"`, "bad_json", 400},
		{"/api/call/tenant/CreateCorp", `[]`, "bad_arguments", 400},
		{"/api/call/tenant/CreateCorp", `[42]`, "bad_arguments", 400},
		{"/api/call/tenant/nope", `[]`, "unknown_method", 404},
		{"/api/call/tenant/putCorp", `[]`, "unknown_method", 404},
		{"/api/call/store/Open", `[]`, "unknown_method", 404},
		{"/api/call/tenant/CreateCorp", `["` + strings.Repeat("x", 33<<20) + `"]`, "body_too_large", 413},
	} {
		if st, body = c.do("POST", tc.path, tc.body, nil); st != tc.status || code(body) != tc.code {
			t.Errorf("%s %.20s = %d %v, want %d %s", tc.path, tc.body, st, body, tc.status, tc.code)
		}
	}

	// Cross-site writes and DNS-rebinding hosts are refused.
	if st, _ = c.do("POST", "/api/call/tenant/CreateCorp", `["x"]`, map[string]string{"X-CloudBridge": ""}); st != 403 {
		t.Errorf("write without X-CloudBridge = %d, want 403", st)
	}
	if st, _ = c.do("GET", "/api/auth/status", nil, map[string]string{"Host": "evil.example.com"}); st != 403 {
		t.Errorf("foreign Host = %d, want 403", st)
	}

	if st, _ = c.do("POST", "/api/auth/logout", nil, nil); st != 204 {
		t.Fatalf("logout = %d", st)
	}
	if st, body = c.do("POST", "/api/call/tenant/ListCorps", "[]", nil); st != 401 || code(body) != "unauthenticated" {
		t.Fatalf("after logout = %d %v", st, body)
	}
	for i := 0; i < 5; i++ {
		if st, body = c.do("POST", "/api/auth/login", map[string]string{"password": "wrong password!"}, nil); code(body) != "admin.login_failed" {
			t.Fatalf("wrong password #%d = %d %v", i, st, body)
		}
	}
	// Locked now, even with the right password.
	if st, body = c.do("POST", "/api/auth/login", map[string]string{"password": "correct horse battery"}, nil); st != 429 || code(body) != "admin.locked_out" {
		t.Fatalf("after 5 failures = %d %v", st, body)
	}
	if st, body = c.do("POST", "/api/auth/login", `{"password":"x","extra":1}`, nil); code(body) != "bad_json" {
		t.Fatalf("unknown field = %d %v", st, body)
	}
}

func TestHeadlessServesTheFrontend(t *testing.T) {
	_, c := newHeadlessTest(t)
	for _, p := range []string{"/", "/some/bookmark"} {
		resp, err := c.hc.Get(c.base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "云桥") || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("%s = %d %q", p, resp.StatusCode, b)
		}
	}
}

// The demo wiring points the WeLink client at the built-in emulator, so the
// demo credentials verify end to end through the bound service.
func TestDemoVerifiesAgainstTheEmulator(t *testing.T) {
	a, c := newHeadlessTest(t)
	c.do("POST", "/api/auth/setup", map[string]string{"password": "correct horse battery"}, nil)
	_, corp := c.do("POST", "/api/call/tenant/CreateCorp", `["演示企业"]`, nil)
	in := map[string]any{"corpId": corp["id"], "name": "OA", "clientId": "20231101000000000000001", "clientSecret": "demo-secret-cloudbridge"}
	st, app := c.do("POST", "/api/call/tenant/SaveApp", []any{in}, nil)
	if st != 200 {
		t.Fatalf("save app = %d %v", st, app)
	}
	st, res := c.do("POST", "/api/call/tenant/VerifyApp", []any{app["id"]}, nil)
	if st != 200 || res["ok"] != true {
		t.Fatalf("verify = %d %v", st, res)
	}
	st, d := c.do("POST", "/api/call/system/RunDiagnostics", "[]", nil)
	if st != 200 || d["verdict"] != "ok" {
		t.Fatalf("diagnostics = %d %v", st, d)
	}
	if !a.Public.Status().Running {
		t.Fatal("public listener not running")
	}
}
