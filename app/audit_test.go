package app

import (
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/audit"
	"cloudbridge/backend/backup"
	"cloudbridge/backend/core"
)

// Every bound method is either read or recorded, by exactly one rule; every
// recorded one names its parameters (so a secret passed as a plain string
// is masked) and has a translated action name; no table entry is stale.
func TestAuditClassification(t *testing.T) {
	a, _ := newHeadlessTest(t)
	bound := map[string]reflect.Type{}
	for _, s := range a.Services() {
		v := reflect.ValueOf(s)
		pkg := v.Elem().Type().PkgPath()
		pkg = pkg[strings.LastIndexByte(pkg, '/')+1:]
		for i := 0; i < v.NumMethod(); i++ {
			bound[pkg+"."+v.Type().Method(i).Name] = v.Method(i).Type()
		}
	}
	if len(bound) < 60 {
		t.Fatalf("only %d bound methods found", len(bound))
	}
	for name, mt := range bound {
		switch classify(name) {
		case classUnknown:
			t.Errorf("%s is neither a read nor a recorded change: add its verb to readPrefixes/writePrefixes or the name to auditExceptions (app/audit.go)", name)
		case classWrite:
			names, ok := auditParams[name]
			if (!ok && mt.NumIn() > 0) || len(names) != mt.NumIn() {
				t.Errorf("%s is recorded but auditParams names %d of its %d parameters (app/audit.go)", name, len(names), mt.NumIn())
			}
			for _, lang := range core.Languages {
				if audit.ActionText(lang, name) == name {
					t.Errorf("%s: no %s text for %s in backend/core/locales", name, lang, audit.ActionKey(name))
				}
			}
		}
	}
	for _, table := range []map[string]bool{keys(auditExceptions), keys(auditStates)} {
		for name := range table {
			if _, ok := bound[name]; !ok {
				t.Errorf("%s is in an audit table but not bound (renamed?)", name)
			}
		}
	}
	// Parameter names may be written ahead of a method another area is
	// still adding: unused ones only clutter.
	for name := range auditParams {
		if _, ok := bound[name]; !ok {
			t.Logf("auditParams names %s, which is not bound (yet?)", name)
		}
	}
	for name := range auditParams {
		if classify(name) != classWrite {
			t.Errorf("%s has parameter names but is not recorded", name)
		}
	}
	for name := range auditStates {
		if classify(name) != classWrite {
			t.Errorf("%s captures before/after but is not recorded", name)
		}
	}
	// Every method saving a configuration object captures it.
	for name := range bound {
		if strings.Contains(name, ".Save") {
			if _, ok := auditStates[name]; !ok {
				t.Errorf("%s saves configuration but captures no before/after (auditStates)", name)
			}
		}
	}
	// The verbs decide as a reader would.
	for name, want := range map[string]callClass{
		"system.SaveSettings": classWrite, "system.GetSettings": classRead, "tenant.DeleteCorp": classWrite,
		"relay.SetRuleEnabled": classWrite, "binding.ExportUsers": classWrite, "binding.ListAudit": classRead,
		"binding.ImportReport": classRead, "tenant.VerifyApp": classRead, "syncer.Apply": classWrite,
		"binding.PreviewImport": classRead, "audit.ListEntries": classRead, "audit.ExportEntries": classWrite,
		"backup.BackupNow": classWrite, "tenant.Settings": classUnknown, "x.Frobnicate": classUnknown,
	} {
		if got := classify(name); got != want {
			t.Errorf("classify(%s) = %d, want %d", name, got, want)
		}
	}
	for _, act := range append(authActions, systemActions...) {
		for _, lang := range core.Languages {
			if audit.ActionText(lang, act) == act {
				t.Errorf("no %s text for %s", lang, act)
			}
		}
	}
}

func keys[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func entriesOf(t *testing.T, a *App, q audit.Query) []audit.Entry {
	t.Helper()
	p, err := a.audit.List(q)
	if err != nil {
		t.Fatal(err)
	}
	return p.Entries
}

func find(es []audit.Entry, action string) *audit.Entry {
	for i := range es {
		if es[i].Action == action {
			return &es[i]
		}
	}
	return nil
}

// Headless: changes are recorded with the admin's address and session,
// before and after; reads are not; failed and refused calls are, with
// their code; so are sign-in, failed sign-in and sign-out.
func TestDispatcherRecordsHeadlessActions(t *testing.T) {
	a, c := newHeadlessTest(t)
	c.do("POST", "/api/auth/setup", map[string]string{"password": "correct horse battery"}, nil)
	_, cur := c.do("POST", "/api/call/system/GetSettings", "[]", nil)
	cur["publicBaseUrl"] = "https://sso.example.com"
	if st, body := c.do("POST", "/api/call/system/SaveSettings", []any{cur}, nil); st != 200 {
		t.Fatalf("save settings = %d %v", st, body)
	}
	if st, _ := c.do("POST", "/api/call/tenant/CreateCorp", `[""]`, nil); st != 400 {
		t.Fatalf("empty corp name = %d", st)
	}
	c.do("POST", "/api/call/tenant/DeleteEverything", `[]`, nil)
	c.do("POST", "/api/call/tenant/CreateCorp", `["a"`, nil)
	_, corp := c.do("POST", "/api/call/tenant/CreateCorp", `["审计企业"]`, nil)
	in := map[string]any{"corpId": corp["id"], "name": "OA", "clientId": "20231101000000000000001", "clientSecret": "demo-secret-cloudbridge"}
	if st, body := c.do("POST", "/api/call/tenant/SaveApp", []any{in}, nil); st != 200 {
		t.Fatalf("save app = %d %v", st, body)
	}
	c.do("POST", "/api/auth/logout", nil, nil)
	c.do("POST", "/api/auth/login", map[string]string{"password": "wrong password!"}, nil)
	c.do("POST", "/api/auth/login", map[string]string{"password": "correct horse battery"}, nil)

	es := entriesOf(t, a, audit.Query{Limit: 100})
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action+":"+e.Outcome)
	}
	// Newest first.
	want := []string{"auth.Login:ok", "auth.Login:admin.login_failed", "auth.Logout:ok", "tenant.SaveApp:ok",
		"tenant.CreateCorp:ok", "tenant.CreateCorp:bad_json", "tenant.DeleteEverything:unknown_method",
		"tenant.CreateCorp:required", "system.SaveSettings:ok", "auth.Setup:ok"}
	if !slices.Equal(actions, want) {
		t.Fatalf("recorded\n %v\nwant\n %v", actions, want)
	}
	set := find(es, "system.SaveSettings")
	if set.Actor.Kind != "admin" || set.Actor.Addr != "127.0.0.1" || len(set.Actor.Session) != 8 {
		t.Errorf("actor = %+v", set.Actor)
	}
	if ch := audit.Changes(set.Before, set.After); !slices.Equal(ch, []string{"publicBaseUrl"}) {
		t.Errorf("settings changes = %v\nbefore %s\nafter %s", ch, set.Before, set.After)
	}
	app := find(es, "tenant.SaveApp")
	if strings.Contains(string(app.Args), "demo-secret") || !strings.Contains(string(app.Args), `"clientSecret":"***"`) {
		t.Errorf("secret not masked in args: %s", app.Args)
	}
	if app.Before != nil || !strings.Contains(string(app.After), `"clientId":"20231101000000000000001"`) {
		t.Errorf("app before %s after %s", app.Before, app.After)
	}
	if !slices.Contains(app.Targets, "corpId="+corp["id"].(string)) || !slices.ContainsFunc(app.Targets, func(s string) bool { return strings.HasPrefix(s, "id=") }) {
		t.Errorf("app targets = %v", app.Targets)
	}
	if e := es[len(es)-1]; e.Action != "auth.Setup" || e.Actor.Session != set.Actor.Session {
		t.Errorf("setup %+v and the session's calls differ", e.Actor)
	}
	if login := es[0]; login.Actor.Session == "" || login.Actor.Session == set.Actor.Session {
		t.Errorf("a new sign-in has session %q (old %q)", login.Actor.Session, set.Actor.Session)
	}
	if fail := find(es, "tenant.CreateCorp"); fail.Outcome != "ok" {
		t.Fatal("newest CreateCorp should be the successful one")
	}
	// Reads are not recorded.
	if find(es, "system.GetSettings") != nil {
		t.Error("a read was recorded")
	}
}

// The desktop window's one binding goes through the same dispatcher, as the
// OS user; the result and errors are what the services return.
func TestBridgeRecordsDesktopActions(t *testing.T) {
	a, _ := newHeadlessTest(t)
	b := NewBridge(a)
	res, err := b.Call("tenant", "CreateCorp", []json.RawMessage{json.RawMessage(`"桌面企业"`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Call("tenant", "CreateCorp", []json.RawMessage{json.RawMessage(`"桌面企业"`)}); !core.Of(err, core.ErrCorpNameDuplicate) {
		t.Fatalf("duplicate = %v", err)
	}
	if list, err := b.Call("tenant", "ListCorps", nil); err != nil || reflect.ValueOf(list).Len() != 1 {
		t.Fatalf("list = %v %v", list, err)
	}
	es := entriesOf(t, a, audit.Query{Action: "tenant."})
	if len(es) != 2 || es[0].Outcome != "corp.name_duplicate" || !es[1].OK() {
		t.Fatalf("entries = %+v", es)
	}
	if act := es[1].Actor; act.Kind != "desktop" || !strings.Contains(act.Name, "@") {
		t.Errorf("desktop actor = %+v", act)
	}
	if field(res, "name") != "桌面企业" || !strings.Contains(string(es[1].After), "桌面企业") {
		t.Errorf("result %v after %s", res, es[1].After)
	}
}

// What recording costs a dispatched change: the same configuration save
// (backup schedule: a store write and a job reschedule) through a
// dispatcher without the log and through the app's, which also reads the
// settings before and after, redacts the arguments and queues the entry.
func BenchmarkDispatchRecorded(b *testing.B) {
	a, err := New(Config{DataDir: b.TempDir(), KeyStore: "file", PublicAddr: "127.0.0.1:0", Version: "bench", Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	actor := audit.Actor{Kind: "admin", Name: "admin", Addr: "127.0.0.1"}
	for _, bc := range []struct {
		name string
		d    *Dispatcher
	}{{"unrecorded", NewDispatcher(nil, nil, a.Services()...)}, {"recorded", a.Dispatcher()}} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				st := json.RawMessage(`{"enabled":true,"time":"02:3` + strconv.Itoa(i%10) + `","keep":7}`)
				if _, err := bc.d.Call(actor, "backup", "SaveBackupSettings", []json.RawMessage{st}); err != nil {
					b.Fatal(err)
				}
			}
			a.audit.Flush()
		})
	}
}

// A restore applied at start-up is recorded once, as the process, with the
// backup restored and where the previous store (and its log) was kept.
func TestMaintenanceOutcomeRecordedOnce(t *testing.T) {
	dir := t.TempDir()
	at := time.Now().Add(-time.Minute).UTC()
	if err := backup.WriteNotice(dir, backup.Notice{Kind: "restore", OK: true, At: at, Source: "cloudbridge-x.bak", Kept: "db.before-restore-x"}); err != nil {
		t.Fatal(err)
	}
	open := func() *App {
		a, err := New(Config{DataDir: dir, KeyStore: "file", PublicAddr: "127.0.0.1:0", Version: "test", Stderr: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for run := 0; run < 2; run++ {
		a := open()
		es := entriesOf(t, a, audit.Query{Action: "backup.RestoreApplied"})
		a.Close()
		if len(es) != 1 || es[0].Actor.Kind != "system" || !es[0].At.Equal(at) || !strings.Contains(string(es[0].Args), "db.before-restore-x") {
			t.Fatalf("run %d: %+v", run, es)
		}
	}
}

// The window's one binding takes and returns JSON like the methods behind it.
func TestBridgeIsAJSONAPI(t *testing.T) {
	mt := reflect.TypeOf((*Bridge).Call)
	for i := 1; i < mt.NumIn(); i++ {
		if bad := nonJSON(mt.In(i), map[reflect.Type]bool{}); bad != "" {
			t.Errorf("Bridge.Call parameter %d: %s", i, bad)
		}
	}
	if mt.NumOut() != 2 || mt.Out(1) != reflect.TypeOf((*error)(nil)).Elem() {
		t.Errorf("Bridge.Call returns %v", mt)
	}
	if n := reflect.TypeOf(&Bridge{}).NumMethod(); n != 1 {
		t.Errorf("Bridge exposes %d methods to the window, want only Call", n)
	}
}
