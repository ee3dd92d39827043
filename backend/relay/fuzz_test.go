package relay

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cloudbridge/backend/core"
	oasim "cloudbridge/backend/oa/sim"
)

// FuzzJSONIntake drives the real generic JSON intake handler (ServeJSON)
// with arbitrary bodies: it never panics, refusals are catalogue errors in
// the public listener's {code, params, message} shape with a translated
// message, and accepted requests answer code "0" with a count.
func FuzzJSONIntake(f *testing.F) {
	fx := newFixture(f, fixOpts{users: 5})
	valid := `{"syscode":"` + oasim.DemoOFSSysCode + `","module":"meeting","title":"周会","receivers":["zhangsan"]}`
	for _, seed := range []string{
		valid,
		`[{"syscode":"` + oasim.DemoOFSSysCode + `","title":"a","receivers":[{"loginid":"lisi"},{"id":"1"}],"businessId":"b1","state":"pending","pcUrl":"http://oa.example/x"}]`,
		`{"syscode":"` + oasim.DemoOFSSysCode + `","title":"t","receivers":[{"workcode":"x"}],"businessId":"b1","state":"done","receivets":1e3}`,
		`{"syscode":"nope","title":"t","receivers":["u"]}`,
		`{"syscode":"` + oasim.DemoOFSSysCode + `","title":"t","receivers":[]}`,
		`{"syscode":"` + oasim.DemoOFSSysCode + `","title":"t","receivers":[1,null,{"x":1}]}`,
		"\xef\xbb\xbf[]", "", "null", `{"syscode":1}`, `[{}`, `{"mobileUrl":"javascript:alert(1)"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, JSONPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "en-US")
		req.RemoteAddr = "127.0.0.1:40000"
		rec := httptest.NewRecorder()
		fx.e.ServeJSON(rec, req)
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("status %d, reply is not JSON: %q", rec.Code, rec.Body.String())
		}
		code, _ := m["code"].(string)
		msg, _ := m["message"].(string)
		if string(body) == valid && rec.Code != http.StatusOK {
			t.Fatalf("a valid message was refused: %d %v", rec.Code, m)
		}
		if rec.Code == http.StatusOK {
			if code != "0" {
				t.Fatalf("200 without code 0: %v", m)
			}
			if n, ok := m["accepted"].(float64); !ok || n < 1 {
				t.Fatalf("accepted without items: %v", m)
			}
			return
		}
		if code == "" || code == core.ErrInternal.Code {
			t.Fatalf("status %d: not a catalogue error: %v (body %q)", rec.Code, m, body)
		}
		if msg == "" || msg == "errors."+code {
			t.Fatalf("error %s has no translation: %v", code, m)
		}
	})
}

// FuzzOFSIntake drives the OFS receiver (/rest/ofs/{op}) through the
// listener's routing: every request gets HTTP 200 and an OFS reply
// (operResult "1" or "0", as e-cology's pusher expects) with a translated
// message, never an internal error; a valid to-do is accepted.
func FuzzOFSIntake(f *testing.F) {
	fx := newFixture(f, fixOpts{users: 5})
	valid := string(mustJSON(ofsItem("9001", "zhangsan", "0", 1700000000000)))
	f.Add("ReceiveRequestInfoByJson", "application/json", []byte(valid))
	f.Add("batchReceiveRequestInfoByJson", "application/json", mustJSON([]any{ofsItem("9002", "lisi", "2", 1), ofsItem("9003", "nobody", "0", 2)}))
	f.Add("ReceiveTodoRequestByMap", "application/x-www-form-urlencoded", []byte("syscode="+oasim.DemoOFSSysCode+"&flowid=1&requestname=a&workflowname=w&receiver=zhangsan"))
	f.Add("deleteUserRequestInfoByJson", "application/json", []byte(`{"syscode":"`+oasim.DemoOFSSysCode+`","flowid":"9001","userid":"zhangsan"}`))
	f.Add("nosuchOperation", "application/json", []byte("{}"))
	f.Add("ReceiveRequestInfoByJson", "text/xml", []byte("<a/>"))
	internal := core.Translate("en-US", core.ErrInternal.Code, nil)
	f.Fuzz(func(t *testing.T, op, ct string, body []byte) {
		if op == "" {
			t.Skip("no operation: the route does not match")
		}
		if op == "." || op == ".." || strings.Contains(op, "/") {
			// The router cleans dot segments (a redirect) and a {op}
			// segment cannot hold a slash (404): net/http's routing, not
			// the intake's answer; no e-cology op looks so.
			t.Skip("not a single path segment")
		}
		req := httptest.NewRequest(http.MethodPost, OFSPathPrefix+url.PathEscape(op), bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Accept-Language", "en-US")
		req.RemoteAddr = "127.0.0.1:40001"
		rec := httptest.NewRecorder()
		fx.pub.Config.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d for op %q", rec.Code, op)
		}
		var rep struct{ OperResult, Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
			t.Fatalf("not an OFS reply: %q", rec.Body.String())
		}
		if rep.OperResult != "0" && rep.OperResult != "1" {
			t.Fatalf("operResult %q", rep.OperResult)
		}
		if rep.Message == "" || strings.HasPrefix(rep.Message, "errors.") || strings.HasPrefix(rep.Message, internal) {
			t.Fatalf("message %q", rep.Message)
		}
		if op == "ReceiveRequestInfoByJson" && ct == "application/json" && string(body) == valid && rep.OperResult != "1" {
			t.Fatalf("a valid to-do was refused: %s", rep.Message)
		}
	})
}
