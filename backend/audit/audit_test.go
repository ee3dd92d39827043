package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

func newLog(t testing.TB, o Options) (*Log, *core.FakeClock) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	clock := core.NewFakeClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	o.DB, o.Clock = db, clock
	l := New(o)
	t.Cleanup(func() { l.Close(); db.Close() })
	return l, clock
}

func TestRedactMasksSecretsByName(t *testing.T) {
	pem := "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----"
	in := map[string]any{
		"clientSecret": "s3cret", "password": "hunter22", "newPassword": "x", "passphrase": "p", "tokenKey": "k",
		"accessToken": "t", "privateKey": "pk", "appKey": "ak", "cert": "c", "notes": pem,
		"secretSet": true, "tlsKeyFile": "/etc/tls/key.pem", "keep": 7, "name": "OA", "emptySecret": "",
		"nested": []any{map[string]any{"sso": map[string]any{"appSecret": "deep", "appId": "visible"}}},
		"long":   strings.Repeat("x", 1000), "many": make([]int, 120),
		"oaEntries": []any{map[string]any{"key": "todo", "url": "/wui"}}, "groupKey": "g1",
	}
	raw := Redact(in)
	for _, leak := range []string{"s3cret", "hunter22", `"k"`, "pk", "ak", "deep", "BEGIN", "MIIE"} {
		if bytes.Contains(raw, []byte(leak)) {
			t.Errorf("%s leaked: %s", leak, raw)
		}
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	for _, k := range []string{"clientSecret", "password", "newPassword", "passphrase", "tokenKey", "accessToken", "privateKey", "appKey", "cert", "notes"} {
		if out[k] != Masked {
			t.Errorf("%s = %v, want %s", k, out[k], Masked)
		}
	}
	if out["secretSet"] != true || out["tlsKeyFile"] != "/etc/tls/key.pem" || out["keep"] != 7.0 || out["name"] != "OA" || out["emptySecret"] != "" {
		t.Errorf("non-secrets changed: %s", raw)
	}
	if s := out["long"].(string); len(s) > maxString+20 || !strings.HasSuffix(s, "(1000 bytes)") {
		t.Errorf("long string kept as %q", s)
	}
	if m := out["many"].([]any); len(m) != maxItems+1 || m[maxItems] != "… 70 more" {
		t.Errorf("long array kept as %d items, last %v", len(m), m[len(m)-1])
	}
	if !strings.Contains(string(raw), `"key":"todo"`) || out["groupKey"] != "g1" {
		t.Errorf("identifiers named key masked: %s", raw)
	}
	if !strings.Contains(string(raw), `"appId":"visible"`) {
		t.Errorf("nested non-secret lost: %s", raw)
	}
	// Positional arguments are masked by the names the dispatcher gives them.
	named := RedactNamed([]string{"id", "confirmToken"}, []json.RawMessage{json.RawMessage(`"c1"`), json.RawMessage(`"tok-123"`)})
	if string(named) != `{"confirmToken":"***","id":"c1"}` {
		t.Errorf("named = %s", named)
	}
	// An oversized document stays valid JSON without its content.
	big := make([]string, 40)
	for i := range big {
		big[i] = strings.Repeat("y", 250) + string(rune('a'+i%26))
	}
	if r := Redact(map[string]any{"files": map[string]any{"a": big, "b": big}}); !json.Valid(r) || bytes.Contains(r, []byte("yyyy")) {
		t.Errorf("oversized: %.80s", r)
	}
	huge := json.RawMessage(`{"name":"org.xlsx","contentBase64":"` + strings.Repeat("QUJD", 100_000) + `","password":"p"}`)
	if r := RedactNamed([]string{"file"}, []json.RawMessage{huge}); !strings.Contains(string(r), "bytes, too large to keep") || strings.Contains(string(r), "QUJD") {
		t.Errorf("huge argument kept: %.100s", r)
	}
	if Redact(nil) != nil || Redact(json.RawMessage(nil)) != nil {
		t.Error("nil should stay nil")
	}
}

func TestChangesListsDifferingPaths(t *testing.T) {
	b := json.RawMessage(`{"a":1,"b":{"c":"x","d":[1,2]},"e":"same"}`)
	a := json.RawMessage(`{"a":2,"b":{"c":"x","d":[1,3]},"e":"same","f":true}`)
	if got := Changes(b, a); !slices.Equal(got, []string{"a", "b.d", "f"}) {
		t.Fatalf("changes = %v", got)
	}
	if got := Changes(nil, a); !slices.Equal(got, []string{"."}) {
		t.Fatalf("create = %v", got)
	}
}

func record(l *Log, c *core.FakeClock, action, actor, outcome string) {
	l.Record(Entry{Actor: Actor{Kind: "admin", Name: actor, Addr: "127.0.0.1"}, Action: action, Outcome: outcome})
	c.Advance(time.Minute)
}

func TestListFiltersAndPages(t *testing.T) {
	l, c := newLog(t, Options{})
	start := c.Now()
	for i := 0; i < 30; i++ {
		outcome := OutcomeOK
		if i%3 == 0 {
			outcome = "required"
		}
		action := "tenant.SaveApp"
		if i%2 == 0 {
			action = "system.SaveSettings"
		}
		record(l, c, action, []string{"admin", "alice@pc"}[i%2], outcome)
	}
	all, err := l.List(Query{Limit: 500})
	if err != nil || len(all.Entries) != 30 || all.Next != "" {
		t.Fatalf("all = %d %q %v", len(all.Entries), all.Next, err)
	}
	for i := 1; i < len(all.Entries); i++ {
		if !all.Entries[i].At.Before(all.Entries[i-1].At) || all.Entries[i].ID >= all.Entries[i-1].ID {
			t.Fatal("not newest first")
		}
	}
	count := func(q Query) int {
		p, err := l.List(q)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Entries)
	}
	for name, tc := range map[string]struct {
		q    Query
		want int
	}{
		"action":      {Query{Action: "tenant.SaveApp"}, 15},
		"area":        {Query{Action: "system."}, 15},
		"errors":      {Query{Outcome: "error"}, 10},
		"ok":          {Query{Outcome: "ok"}, 20},
		"code":        {Query{Outcome: "required"}, 10},
		"actor":       {Query{Actor: "ALICE"}, 15},
		"address":     {Query{Actor: "127.0"}, 30},
		"range":       {Query{From: start.Add(10 * time.Minute).Format(time.RFC3339), To: start.Add(20 * time.Minute).Format(time.RFC3339)}, 10},
		"from":        {Query{From: start.Add(25 * time.Minute).Format(time.RFC3339)}, 5},
		"combination": {Query{Action: "system.SaveSettings", Outcome: "error", Actor: "admin"}, 5},
	} {
		if got := count(tc.q); got != tc.want {
			t.Errorf("%s: %d entries, want %d", name, got, tc.want)
		}
	}
	// Paging walks everything exactly once.
	var seen []string
	q := Query{Limit: 7}
	for {
		p, err := l.List(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			seen = append(seen, e.ID)
		}
		if p.Next == "" {
			break
		}
		q.Before = p.Next
	}
	if len(seen) != 30 || len(slices.Compact(slices.Clone(seen))) != 30 {
		t.Fatalf("paging saw %d entries", len(seen))
	}
	for _, bad := range []Query{{From: "yesterday"}, {From: start.Format(time.RFC3339), To: start.Add(-time.Hour).Format(time.RFC3339)}} {
		if _, err := l.List(bad); !core.Of(err, core.ErrInvalidInput) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestIDsStayOrderedWhenTheClockStandsStillOrGoesBack(t *testing.T) {
	l, c := newLog(t, Options{})
	for i := 0; i < 5; i++ {
		l.Record(Entry{Action: "a", Outcome: OutcomeOK})
	}
	c.Advance(-time.Hour)
	l.Record(Entry{Action: "b", Outcome: OutcomeOK})
	p, _ := l.List(Query{})
	if len(p.Entries) != 6 || p.Entries[0].Action != "b" {
		t.Fatalf("entries = %+v", p.Entries)
	}
}

func TestRetentionByAgeAndCount(t *testing.T) {
	l, c := newLog(t, Options{MaxAge: 30 * 24 * time.Hour, MaxEntries: 1500})
	for i := 0; i < 10; i++ {
		record(l, c, "old.Action", "admin", OutcomeOK)
	}
	c.Advance(40 * 24 * time.Hour)
	for i := 0; i < 1600; i++ {
		l.Record(Entry{Action: "new.Action", Outcome: OutcomeOK, At: c.Now().Add(time.Duration(i) * time.Second)})
	}
	n, err := l.Prune(context.Background())
	if err != nil || n != 110 {
		t.Fatalf("pruned %d, %v; want 10 too old + 100 over the count", n, err)
	}
	p, _ := l.List(Query{Limit: 500, Action: "old.Action"})
	if len(p.Entries) != 0 {
		t.Error("old entries survived")
	}
	got, _ := l.Each(Query{}, 1<<30, func(*Entry) error { return nil })
	if got != 1500 {
		t.Errorf("%d entries left, want 1500", got)
	}
	// The newest are kept.
	p, _ = l.List(Query{Limit: 1})
	if !p.Entries[0].At.Equal(c.Now().Add(1599 * time.Second).UTC()) {
		t.Errorf("newest = %v", p.Entries[0].At)
	}
	if n, _ := l.Prune(context.Background()); n != 0 {
		t.Errorf("second prune removed %d", n)
	}
}

func TestExportWorkbook(t *testing.T) {
	l, c := newLog(t, Options{})
	l.Record(Entry{Actor: Actor{Kind: "admin", Name: "admin", Addr: "127.0.0.1", Session: "abcd1234"}, Action: "system.SaveSettings", Outcome: OutcomeOK,
		Targets: []string{"id=x"}, Before: json.RawMessage(`{"publicBaseUrl":""}`), After: json.RawMessage(`{"publicBaseUrl":"https://a"}`)})
	c.Advance(time.Second)
	l.Record(Entry{Actor: Actor{Kind: "desktop", Name: "bob@pc"}, Action: "tenant.CreateCorp", Outcome: "required", ErrorParams: map[string]string{"field": "name"}})
	svc := NewService(l, func() []string { return []string{"tenant.CreateCorp", "system.SaveSettings"} })
	for lang, want := range map[string][]string{
		"zh-CN": {"时间", "操作人", "保存系统设置", "成功", "新建 WeLink 企业", "required — 请填写name"},
		"en-US": {"Time", "Actor", "Save the system settings", "Succeeded", "Create a WeLink enterprise"},
	} {
		f, err := svc.ExportEntries(Query{}, lang)
		if err != nil || !strings.HasSuffix(f.Name, ".xlsx") {
			t.Fatalf("%s: %v %q", lang, err, f.Name)
		}
		b, _ := base64.StdEncoding.DecodeString(f.ContentBase64)
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetName(0))
		x.Close()
		if err != nil || len(rows) != 3 {
			t.Fatalf("%s: %d rows, %v", lang, len(rows), err)
		}
		var cells []string
		for _, r := range rows {
			cells = append(cells, r...)
		}
		for _, w := range want {
			if !slices.Contains(cells, w) {
				t.Errorf("%s: no cell %q in %q", lang, w, cells)
			}
		}
		// Newest first; the settings row names the changed field.
		if rows[1][5] != "tenant.CreateCorp" || rows[2][8] != "publicBaseUrl" || rows[2][3] != "abcd1234" {
			t.Errorf("%s rows = %q", lang, rows[1:])
		}
	}
	acts, _ := svc.ListActions()
	if !slices.Equal(acts, []string{"system.SaveSettings", "tenant.CreateCorp"}) {
		t.Errorf("actions = %v", acts)
	}
}

func TestCloseDrainsAndLaterRecordsStillLand(t *testing.T) {
	l, _ := newLog(t, Options{})
	for i := 0; i < 3000; i++ { // more than the queue holds
		l.Record(Entry{Action: "x.Y", Outcome: OutcomeOK})
	}
	l.Close()
	l.Record(Entry{Action: "after.Close", Outcome: OutcomeOK})
	n, err := l.Each(Query{}, 1<<30, func(*Entry) error { return nil })
	if err != nil || n != 3001 {
		t.Fatalf("%d entries stored, %v", n, err)
	}
}

// The cost a dispatched call pays: redacting its arguments and queueing the
// entry (the write happens on the writer goroutine, in batches).
func BenchmarkRecord(b *testing.B) {
	l, _ := newLog(b, Options{})
	args := json.RawMessage(`[{"id":"a1","corpId":"c1","name":"OA","clientId":"20231101000000000000001","clientSecret":"s","homepage":{"kind":"entry","entry":"home"}}]`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Record(Entry{Actor: Actor{Kind: "admin", Name: "admin", Addr: "127.0.0.1"}, Action: "tenant.SaveApp", Outcome: OutcomeOK,
			Args: RedactNamed([]string{"in"}, []json.RawMessage{args})})
	}
	b.StopTimer()
	l.Flush()
}
