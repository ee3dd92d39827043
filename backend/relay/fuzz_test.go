package relay

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
