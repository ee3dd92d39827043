package relay

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/server"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
	wlsim "cloudbridge/backend/welink/sim"
)

// fixture: a store, the WeLink emulator with the demo app, a corp and app
// in the tenant service, the relay on a test listener, the OA emulator
// pushing to it, and the demo OA users in the directory snapshot.
type fixture struct {
	t      *testing.T
	db     *store.DB
	wl     *wlsim.Server
	wlURL  string
	client *welink.Client
	tenant *tenant.Service
	corpID string
	appID  string
	e      *Engine
	svc    *Service
	pub    *httptest.Server
	oa     *oasim.Server
	users  []string // WeLink userIds of the emulated tenant
	log    *slog.Logger
}

type fixOpts struct {
	wlLimits   wlsim.Limits
	clLimits   welink.Limits
	retry      welink.Retry
	users      int
	noSync     bool
	workers    int
	dir        string // on-disk store (benchmarks); "" = in memory
	recheck    time.Duration
	realQuotas bool // the client keeps WeLink's real quotas and retry defaults
}

func newFixture(t testing.TB, o fixOpts) *fixture {
	tt, _ := t.(*testing.T)
	f := &fixture{t: tt, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	key := make([]byte, 32)
	rand.Read(key)
	db, err := store.Open(store.Options{InMemory: o.dir == "", Dir: o.dir, Key: key, Logger: f.log})
	if err != nil {
		t.Fatal(err)
	}
	f.db = db
	t.Cleanup(func() { db.Close() })
	if o.users == 0 {
		o.users = 30
	}
	if o.wlLimits == (wlsim.Limits{}) {
		o.wlLimits = wlsim.Limits{Disabled: true}
	}
	if o.clLimits == (welink.Limits{}) && !o.realQuotas {
		o.clLimits = welink.Limits{Disabled: true}
	}
	if o.retry == (welink.Retry{}) && !o.realQuotas {
		o.retry = welink.Retry{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond}
	}
	f.wl = wlsim.WithDemoApp(wlsim.New(wlsim.Options{Users: o.users, Seed: 7, Limits: o.wlLimits, Logger: f.log}))
	wsrv := httptest.NewServer(f.wl)
	t.Cleanup(wsrv.Close)
	t.Cleanup(f.wl.Close)
	f.wlURL = wsrv.URL + "/api"
	f.client = welink.New(welink.Options{BaseURL: f.wlURL, Limits: o.clLimits, Retry: o.retry, Logger: f.log,
		HTTP: &http.Client{Timeout: 5 * time.Second}})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	deps := &tenant.Dependents{}
	f.tenant = tenant.New(ctx, db, func() *welink.Client { return f.client }, deps, core.SystemClock{}, f.log)
	corp, err := f.tenant.CreateCorp("演示企业")
	if err != nil {
		t.Fatal(err)
	}
	app, err := f.tenant.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "云桥演示应用", ClientID: wlsim.DemoClientID,
		ClientSecret: wlsim.DemoClientSecret, Homepage: tenant.Homepage{Kind: "custom", CustomURL: "http://oa.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	f.corpID, f.appID = corp.ID, app.ID
	for _, u := range f.wl.FindUsers("", 200) {
		if u.Status != "4" { // left: WeLink refuses them (51019)
			f.users = append(f.users, u.UserID)
		}
	}
	// Public base URL for SSO links.
	if err := db.Update(func(tx *store.Tx) error {
		st, _ := settings.Load(tx)
		st.PublicBaseURL = "https://bridge.example.com"
		return settings.Save(tx, st)
	}); err != nil {
		t.Fatal(err)
	}
	if o.recheck == 0 {
		o.recheck = 30 * time.Millisecond
	}
	workers := o.workers
	if workers == 0 {
		workers = 8
	}
	f.e = New(ctx, Options{DB: db, Apps: f.tenant, WeLink: func() *welink.Client { return f.client }, Log: f.log,
		RetryBase: 20 * time.Millisecond, RetryMax: 80 * time.Millisecond, BindRecheck: o.recheck,
		NoSync: o.noSync, Workers: workers, Grace: time.Second})
	deps.Add(f.e)
	f.svc = f.e.Service()
	if err := f.e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.e.Stop)
	mux := http.NewServeMux()
	mux.HandleFunc(OFSPattern, f.e.ServeOFS)
	mux.HandleFunc(JSONPattern, f.e.ServeJSON)
	f.pub = httptest.NewServer(mux)
	t.Cleanup(f.pub.Close)

	f.oa = oasim.New(oasim.Options{Users: 30, Seed: 3, OFSReceiverURL: f.pub.URL, OFSSysCode: oasim.DemoOFSSysCode,
		PublicURL: "http://oa.example", Logger: f.log})
	// The OA snapshot the receivers resolve against.
	if err := db.Update(func(tx *store.Tx) error {
		for _, u := range f.oa.Org().Users {
			ou := oa.User{ID: strconv.Itoa(u.ID), LoginID: u.LoginID, WorkCode: u.WorkCode, Name: u.LastName, Status: u.Status,
				Left: u.Status >= 4, Secondary: u.AccountType == 1}
			if err := directory.OAUsers.Put(tx, &ou); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := SaveOASystem(f.e, OASystemInput{Name: "e-cology", SysCode: oasim.DemoOFSSysCode, Enabled: true, PersonRule: PersonLoginID}); err != nil {
		t.Fatal(err)
	}
	return f
}

// bind binds an OA user id to a WeLink user of the corp.
func (f *fixture) bind(oaID, welinkUser string) {
	f.t.Helper()
	if err := f.db.Update(func(tx *store.Tx) error {
		return binding.Bindings.Put(tx, &binding.Binding{CorpID: f.corpID, WeLinkUserID: welinkUser, OAUserID: oaID, Method: binding.MethodManual, At: time.Now()})
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) rule(source string, types ...string) RuleView {
	f.t.Helper()
	var ts []Target
	for _, ty := range types {
		ts = append(ts, Target{CorpID: f.corpID, AppID: f.appID, Type: ty})
	}
	r, err := f.svc.SaveRule(RuleInput{Name: "rule " + source + " " + strings.Join(types, ","), Enabled: true, Source: source, Targets: ts})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.t.Fatalf("timed out waiting for %s", what)
}

func (f *fixture) rows() []Delivery {
	var out []Delivery
	f.db.View(func(tx *store.Tx) error { var err error; out, err = deliveries.List(tx); return err })
	return out
}

func (f *fixture) post(path string, body []byte, hdr map[string]string) (int, map[string]any) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.pub.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func liveTodos(s *wlsim.Server) []wlsim.Todo {
	var out []wlsim.Todo
	for _, t := range s.Todos("") {
		if !t.Deleted {
			out = append(out, t)
		}
	}
	return out
}

// The e-cology emulator's OFS pusher drives a full to-do lifecycle:
// created → WeLink addtask with a stable taskId and an SSO link; approved
// → deltask; nothing stale stays.
func TestOFSLifecycleThroughEmulator(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule(SourceTodo, TypeTodo)
	f.bind("2", f.users[0]) // zhangsan
	f.bind("3", f.users[1]) // lisi
	id, err := f.oa.NewRequest(oasim.UserWangWu, "请假申请", "王五的请假申请", oasim.UserZhangSan, oasim.UserLiSi)
	if err != nil {
		t.Fatal(err)
	}
	if p := f.oa.Pushes(); len(p) != 1 || p[0].Status != 200 {
		t.Fatalf("pusher: %+v", p)
	}
	f.waitFor("two to-dos in WeLink", func() bool { return len(liveTodos(f.wl)) == 2 })
	todos := liveTodos(f.wl)
	want := TaskID(oasim.DemoOFSSysCode, strconv.Itoa(id), "zhangsan")
	var z wlsim.Todo
	for _, td := range todos {
		if td.TaskID == want {
			z = td
		}
	}
	if z.UserID != f.users[0] || z.Title != "王五的请假申请" || z.ApplicantID != strconv.Itoa(id) {
		t.Fatalf("to-do for zhangsan: %+v (want task %s)", z, want)
	}
	if !strings.HasPrefix(z.DetailsURL, "https://bridge.example.com/sso/"+f.appID+"/mobile?target=") ||
		!strings.Contains(z.DetailsURL, "verifyLogin.do") || !strings.HasPrefix(z.DetailsURLPc, "https://bridge.example.com/sso/"+f.appID+"/pc?target=") {
		t.Fatalf("links not through SSO: %s | %s", z.DetailsURL, z.DetailsURLPc)
	}
	f.waitFor("rows delivered", func() bool {
		for _, d := range f.rows() {
			if d.Status != StatusDelivered {
				return false
			}
		}
		return true
	})
	// zhangsan approves and hands over to wangwu (unbound); lisi's item
	// stays. Then lisi approves with no next: archived.
	if err := f.oa.Submit(id, oasim.UserZhangSan, oasim.UserWangWu); err != nil {
		t.Fatal(err)
	}
	f.waitFor("zhangsan's to-do removed", func() bool { return len(liveTodos(f.wl)) == 1 })
	f.waitFor("wangwu not bound", func() bool {
		for _, d := range f.rows() {
			if d.Receiver == "wangwu" {
				return d.Status == StatusNotBound && d.Reason != nil && d.Reason.Code == core.ErrRelayNotBound.Code
			}
		}
		return false
	})
	// Binding wangwu within the window delivers it.
	f.bind("4", f.users[2])
	f.e.RecheckUnbound()
	f.waitFor("wangwu's to-do", func() bool { return len(liveTodos(f.wl)) == 2 })
	if err := f.oa.Submit(id, oasim.UserLiSi); err != nil {
		t.Fatal(err)
	}
	f.waitFor("every to-do removed after archiving", func() bool { return len(liveTodos(f.wl)) == 0 })
	f.waitFor("all delivered", func() bool {
		for _, d := range f.rows() {
			if d.Status != StatusDelivered || d.Present {
				return false
			}
		}
		return true
	})
	// Three to-dos created over the flow, never a duplicate taskId.
	if n := len(f.wl.Todos("")); n != 3 {
		t.Fatalf("%d to-dos in WeLink, want 3", n)
	}
	d := f.rows()[0]
	detail, err := f.svc.GetDelivery(d.ID)
	if err != nil || len(detail.Events) < 3 || detail.Item.FlowID != strconv.Itoa(id) {
		t.Fatalf("detail: %+v %v", detail, err)
	}
	fig, err := f.svc.Stats(2)
	if err != nil || fig.Status[StatusDelivered] != 3 || fig.Hours[1].Delivered < 3 || fig.Hours[1].Received < 3 {
		t.Fatalf("figures: %+v %v", fig, err)
	}
}

func ofsItem(flow, receiver, remark string, ts int64) map[string]string {
	return map[string]string{"syscode": oasim.DemoOFSSysCode, "flowid": flow, "requestname": "申请 " + flow,
		"workflowname": "费用报销", "nodename": "审批", "receiver": receiver, "isremark": remark,
		"pcurl": "/workflow/request/ViewRequest.jsp?requestid=" + flow, "appurl": "", "receivets": strconv.FormatInt(ts, 10)}
}

// Repeats are idempotent and an older update never overwrites a newer one.
func TestIdempotentAndOrdered(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule(SourceTodo, TypeTodo)
	f.bind("2", f.users[0])
	body, _ := json.Marshal([]map[string]string{ofsItem("900", "zhangsan", "0", 1000)})
	for i := 0; i < 3; i++ {
		code, m := f.post("/rest/ofs/batchReceiveRequestInfoByJson", body, nil)
		if code != 200 || m["operResult"] != "1" {
			t.Fatalf("push %d: %d %v", i, code, m)
		}
	}
	f.waitFor("one to-do", func() bool { return len(liveTodos(f.wl)) == 1 })
	// Done at ts 3000, then a late pending at ts 2000: stays done.
	done, _ := json.Marshal([]map[string]string{ofsItem("900", "zhangsan", "2", 3000)})
	late, _ := json.Marshal([]map[string]string{ofsItem("900", "zhangsan", "0", 2000)})
	f.post("/rest/ofs/batchReceiveRequestInfoByJson", done, nil)
	f.post("/rest/ofs/batchReceiveRequestInfoByJson", late, nil)
	f.waitFor("to-do removed", func() bool {
		r := f.rows()
		return len(liveTodos(f.wl)) == 0 && len(r) == 1 && r[0].Status == StatusDelivered
	})
	time.Sleep(100 * time.Millisecond)
	if n := len(liveTodos(f.wl)); n != 0 {
		t.Fatalf("late update re-added the to-do (%d live)", n)
	}
	var it Item
	f.db.View(func(tx *store.Tx) error {
		var err error
		it, err = items.Get(tx, itemKey(oasim.DemoOFSSysCode, "900", "zhangsan"))
		return err
	})
	if it.State != StateDone || it.ReceiveTS != 3000 || it.Version != 2 {
		t.Fatalf("item: %+v", it)
	}
	rows := f.rows()
	if len(rows) != 1 || rows[0].Calls != 2 {
		t.Fatalf("rows: %+v", rows)
	}
	// Flow deletion (deleteRequestInfo, no receiver) reaches every item.
	f.post("/rest/ofs/batchReceiveRequestInfoByJson", mustJSON([]map[string]string{ofsItem("901", "zhangsan", "0", 10)}), nil)
	f.waitFor("second to-do", func() bool { return len(liveTodos(f.wl)) == 1 })
	code, m := f.post("/rest/ofs/deleteRequestInfoByJson", mustJSON(map[string]string{"syscode": oasim.DemoOFSSysCode, "flowid": "901"}), nil)
	if code != 200 || m["operResult"] != "1" {
		t.Fatalf("delete: %v", m)
	}
	f.waitFor("deleted flow removed", func() bool { return len(liveTodos(f.wl)) == 0 })
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

// Intake authentication and errors in each protocol's shape.
func TestIntakeAuthAndErrors(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule(SourceAll, TypeNotice)
	item := mustJSON([]map[string]string{ofsItem("1", "zhangsan", "0", 1)})

	// Unknown syscode: OFS reply with operResult 0 and the reason.
	bad := mustJSON([]map[string]string{{"syscode": "nope", "flowid": "1", "requestname": "x", "workflowname": "y", "receiver": "zhangsan", "isremark": "0"}})
	code, m := f.post("/rest/ofs/batchReceiveRequestInfoByJson", bad, map[string]string{"Accept-Language": "en-US"})
	if code != 200 || m["operResult"] != "0" || !strings.Contains(m["message"].(string), "nope") {
		t.Fatalf("unknown syscode: %d %v", code, m)
	}
	// Unknown operation and malformed body: OFS shape too.
	if _, m := f.post("/rest/ofs/noSuchOperation", item, nil); m["operResult"] != "0" {
		t.Fatalf("unknown op: %v", m)
	}
	if _, m := f.post("/rest/ofs/batchReceiveRequestInfoByJson", []byte("{not json"), nil); m["operResult"] != "0" {
		t.Fatalf("bad body: %v", m)
	}
	// IP allow-list that excludes loopback.
	sys, _ := f.svc.ListOASystems()
	in := OASystemInput{ID: sys[0].ID, Name: sys[0].Name, SysCode: sys[0].SysCode, Enabled: true, AllowedIPs: []string{"10.0.0.0/8"}, PersonRule: PersonLoginID}
	if _, err := f.svc.SaveOASystem(in); err != nil {
		t.Fatal(err)
	}
	if _, m := f.post("/rest/ofs/batchReceiveRequestInfoByJson", item, map[string]string{"Accept-Language": "en-US"}); m["operResult"] != "0" || !strings.Contains(m["message"].(string), "127.0.0.1") {
		t.Fatalf("ip allow-list: %v", m)
	}
	// Shared secret.
	in.AllowedIPs, in.AuthMode, in.Secret = []string{"127.0.0.1", "::1"}, AuthSecret, "s3cret"
	if _, err := f.svc.SaveOASystem(in); err != nil {
		t.Fatal(err)
	}
	if _, m := f.post("/rest/ofs/batchReceiveRequestInfoByJson", item, nil); m["operResult"] != "0" {
		t.Fatalf("missing secret accepted: %v", m)
	}
	if _, m := f.post("/rest/ofs/batchReceiveRequestInfoByJson", item, map[string]string{HeaderSecret: "s3cret"}); m["operResult"] != "1" {
		t.Fatalf("right secret refused: %v", m)
	}
	// HMAC on the JSON endpoint; errors in {code,message} with a status.
	in.AuthMode, in.Secret = AuthHMAC, ""
	v, err := f.svc.SaveOASystem(in)
	if err != nil || !v.SecretSet {
		t.Fatalf("keep secret: %+v %v", v, err)
	}
	msg := mustJSON(map[string]any{"syscode": oasim.DemoOFSSysCode, "module": "meeting", "title": "周会", "receivers": []any{"zhangsan"}})
	code, m = f.post(JSONPath, msg, nil)
	if code != 403 || m["code"] != core.ErrRelayTimestampSkew.Code {
		t.Fatalf("unsigned: %d %v", code, m)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	code, m = f.post(JSONPath, msg, map[string]string{HeaderTimestamp: ts, HeaderSignature: "sha256=" + hex.EncodeToString(Sign("wrong", ts, msg))})
	if code != 403 || m["code"] != core.ErrRelaySignatureBad.Code {
		t.Fatalf("bad signature: %d %v", code, m)
	}
	code, m = f.post(JSONPath, msg, map[string]string{HeaderTimestamp: ts, HeaderSignature: hex.EncodeToString(Sign("s3cret", ts, msg))})
	if code != 200 || m["accepted"].(float64) != 1 {
		t.Fatalf("signed: %d %v", code, m)
	}
	// Validation errors of the JSON endpoint.
	for _, c := range []struct{ body, field string }{
		{`{"syscode":"cloudbridge","title":"x","receivers":["a"]}`, "module"},
		{`{"syscode":"cloudbridge","module":"m","title":"x","receivers":[]}`, "receivers"},
		{`{"syscode":"cloudbridge","module":"m","title":"x","state":"done","receivers":["a"]}`, "businessId"},
		{`{"syscode":"cloudbridge","module":"m","title":"x","pcUrl":"javascript:alert(1)","receivers":["a"]}`, "pcUrl/mobileUrl"},
		{`{"syscode":"cloudbridge","module":"m","title":"x","receivers":[{"email":"a"}]}`, "receivers"},
		{`{"syscode":"cloudbridge","module":"m","title":"x","receivers":["a"],"extra":1}`, "body"},
	} {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		code, m := f.post(JSONPath, []byte(c.body), map[string]string{HeaderTimestamp: ts, HeaderSignature: hex.EncodeToString(Sign("s3cret", ts, []byte(c.body)))})
		p, _ := m["params"].(map[string]any)
		if code != 400 || m["code"] != core.ErrRelayMessageInvalid.Code || p["field"] != c.field {
			t.Fatalf("%s: %d %v", c.body, code, m)
		}
	}
	// Body limit.
	big := bytes.Repeat([]byte(" "), JSONMaxBody+10)
	if code, m := f.post(JSONPath, big, nil); code != 413 || m["code"] != core.ErrBodyTooLarge.Code {
		t.Fatalf("big body: %d %v", code, m)
	}
	// Disabled system.
	in.Enabled = false
	f.svc.SaveOASystem(in)
	if _, m := f.post("/rest/ofs/batchReceiveRequestInfoByJson", item, nil); m["operResult"] != "0" {
		t.Fatalf("disabled system accepted: %v", m)
	}
	// Form validation of OA systems.
	for _, bad := range []OASystemInput{
		{Name: "x", SysCode: "bad code"},
		{Name: "x", SysCode: "ok2", AllowedIPs: []string{"300.1.1.1"}},
		{Name: "x", SysCode: "ok3", AuthMode: AuthHMAC},
		{Name: "x", SysCode: oasim.DemoOFSSysCode},
	} {
		if _, err := f.svc.SaveOASystem(bad); err == nil {
			t.Fatalf("accepted %+v", bad)
		}
	}
}

// Generic messages: notices to many receivers go in one call; a receiver
// outside the app's visible range gets 51019 on its own row; cards carry a
// status that turns to 已处理 when the OA item is done.
func TestGroupedNoticeAndVisibleRange(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule("meeting", TypeNotice)
	f.bind("2", f.users[0])
	f.bind("3", f.users[1])
	f.bind("4", f.users[2])
	f.wl.SetVisibleRange(wlsim.DemoClientID, wlsim.VisibleRange{UserIDs: []string{f.users[0], f.users[1]}})
	msg := mustJSON(map[string]any{"syscode": oasim.DemoOFSSysCode, "module": "meeting", "title": "周一例会", "content": "9:00 三楼",
		"mobileUrl": "/meeting/view?id=7", "sender": "会议", "receivers": []any{"zhangsan", map[string]string{"id": "3"}, map[string]string{"loginid": "wangwu"}, "nobody"}})
	if code, m := f.post(JSONPath, msg, nil); code != 200 {
		t.Fatalf("post: %v", m)
	}
	f.waitFor("rows settled", func() bool {
		st := map[string]int{}
		for _, d := range f.rows() {
			st[d.Status]++
		}
		return st[StatusDelivered] == 2 && st[StatusDead] == 1 && st[StatusNotBound] == 1
	})
	msgs := f.wl.Messages(wlsim.DemoClientID)
	if len(msgs) != 1 || len(msgs[0].To) != 2 || msgs[0].Owner != "会议" {
		t.Fatalf("want one call reaching 2: %+v", msgs)
	}
	for _, d := range f.rows() {
		switch d.Receiver {
		case "loginid:wangwu":
			if d.Status != StatusDead || d.Reason.Code != "welink.51019" {
				t.Fatalf("wangwu: %+v", d)
			}
		case "nobody":
			if d.Reason.Code != core.ErrRelayOAUserUnknown.Code {
				t.Fatalf("nobody: %+v", d.Reason)
			}
		}
	}
	// Widening the range and resending the dead letter delivers it.
	f.wl.SetVisibleRange(wlsim.DemoClientID, wlsim.VisibleRange{AllStaff: true})
	page, err := f.svc.ListDeliveries(LogQuery{Status: StatusDead})
	if err != nil || page.Total != 1 || page.Counts[StatusDelivered] != 2 {
		t.Fatalf("log: %+v %v", page, err)
	}
	res, err := f.svc.Resend([]string{page.Rows[0].ID})
	if err != nil || res.Queued != 1 {
		t.Fatalf("resend: %+v %v", res, err)
	}
	f.waitFor("resent", func() bool { return len(f.wl.Messages(wlsim.DemoClientID)) == 2 })

	// A card for a to-do, then the to-do is done: card updated.
	f.rule(SourceTodo, TypeCard)
	f.post("/rest/ofs/batchReceiveRequestInfoByJson", mustJSON([]map[string]string{ofsItem("77", "zhangsan", "0", 1)}), nil)
	f.waitFor("card", func() bool { return len(f.wl.Messages(wlsim.DemoClientID)) == 3 })
	f.post("/rest/ofs/batchReceiveRequestInfoByJson", mustJSON([]map[string]string{ofsItem("77", "zhangsan", "2", 2)}), nil)
	f.waitFor("card marked done", func() bool {
		for _, m := range f.wl.Messages(wlsim.DemoClientID) {
			if m.Kind == "card" && strings.Contains(m.Status, "已处理") {
				return true
			}
		}
		return false
	})
}

// Failures: transient ones are retried with backoff, permanent ones are
// dead letters at once, and too many attempts end as a dead letter too.
func TestRetryDeadLetterResend(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule(SourceTodo, TypeTodo)
	f.bind("2", f.users[0])
	f.wl.AddFault(wlsim.Fault{Path: "/todo/v3/addtask", Code: "500", Count: 2})
	f.post("/rest/ofs/batchReceiveRequestInfoByJson", mustJSON([]map[string]string{ofsItem("5", "zhangsan", "0", 1)}), nil)
	f.waitFor("delivered after retries", func() bool {
		r := f.rows()
		return len(liveTodos(f.wl)) == 1 && len(r) == 1 && r[0].Status == StatusDelivered
	})
	d := f.rows()[0]
	if d.Calls != 3 || d.Status != StatusDelivered {
		t.Fatalf("row: calls %d status %s", d.Calls, d.Status)
	}
	fails := 0
	for _, ev := range d.Events {
		if ev.Kind == "fail" {
			fails++
		}
	}
	if fails != 2 {
		t.Fatalf("timeline: %+v", d.Events)
	}
	// Permanent: no permission.
	f.wl.ClearFaults()
	f.wl.AddFault(wlsim.Fault{Path: "/todo/v3/addtask", Code: "501"})
	f.post("/rest/ofs/batchReceiveRequestInfoByJson", mustJSON([]map[string]string{ofsItem("6", "zhangsan", "0", 1)}), nil)
	f.waitFor("dead letter", func() bool {
		page, _ := f.svc.ListDeliveries(LogQuery{Status: StatusDead})
		return page.Total == 1 && page.Rows[0].Reason.Code == "welink.501" && page.Rows[0].Calls == 1
	})
	// Too many attempts.
	cfg, _ := f.svc.GetConfig()
	cfg.MaxAttempts = 2
	if _, err := f.svc.SaveConfig(cfg); err != nil {
		t.Fatal(err)
	}
	f.wl.ClearFaults()
	f.wl.AddFault(wlsim.Fault{Path: "/todo/v3/addtask", Code: "48503"})
	f.post("/rest/ofs/batchReceiveRequestInfoByJson", mustJSON([]map[string]string{ofsItem("7", "zhangsan", "0", 1)}), nil)
	f.waitFor("dead after 2 attempts", func() bool {
		page, _ := f.svc.ListDeliveries(LogQuery{Status: StatusDead, Text: "申请 7"})
		return page.Total == 1 && page.Rows[0].Reason.Code == core.ErrRelayTooManyAttempts.Code
	})
	// Fixed: resend all dead letters.
	f.wl.ClearFaults()
	res, err := f.svc.ResendFiltered(LogQuery{Status: StatusDead})
	if err != nil || res.Queued != 2 {
		t.Fatalf("resend: %+v %v", res, err)
	}
	f.waitFor("all delivered", func() bool { return len(liveTodos(f.wl)) == 3 })
	if _, err := f.svc.SaveConfig(Config{BindWindowHours: 0, MaxAttempts: 3, RetentionDays: 1}); !core.Of(err, core.ErrRelayConfigInvalid) {
		t.Fatalf("config validation: %v", err)
	}
}

// A crash between recording an attempt and recording its outcome: the
// restart repeats a to-do add, WeLink refuses the known taskId, and that
// counts as delivered (one to-do, no duplicate); an interrupted notice is
// marked uncertain and not repeated.
func TestRestartAfterInterruptedCalls(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule(SourceTodo, TypeTodo)
	f.rule("meeting", TypeNotice)
	f.bind("2", f.users[0])
	f.e.Stop() // no dispatcher: rows stay queued
	ctx := context.Background()
	e2 := New(ctx, Options{DB: f.db, Apps: f.tenant, WeLink: func() *welink.Client { return f.client }, Log: f.log,
		RetryBase: 20 * time.Millisecond, RetryMax: 80 * time.Millisecond, Workers: 0})
	// Intake through a committer only.
	e2.reload()
	go e2.committer()
	in := []incoming{fromOFS(oa.Todo{Action: oa.OFSUpsert, State: oa.TodoPending, SysCode: oasim.DemoOFSSysCode, FlowID: "42",
		RequestName: "报销", WorkflowName: "费用报销", Receiver: "zhangsan", ReceiveTS: 1}),
		{item: Item{SysCode: oasim.DemoOFSSysCode, FlowID: "m1", Receiver: "zhangsan", Kind: KindMessage, Module: "meeting",
			State: StateMessage, Title: "会", Via: "json"}}}
	if err := e2.submit(ctx, in); err != nil {
		t.Fatal(err)
	}
	e2.cancel()
	<-e2.committerDone
	// Simulate the crash: the add reached WeLink, the outcome was never
	// written; both rows are "sending" with an attempt in flight.
	app := f.client.App(welink.Credentials{ClientID: wlsim.DemoClientID, ClientSecret: wlsim.DemoClientSecret})
	if _, err := app.AddTodo(ctx, welink.Todo{TaskID: TaskID(oasim.DemoOFSSysCode, "42", "zhangsan"), TaskTitle: "报销",
		UserID: f.users[0], UserNameCn: "张三", UserNameEn: "z", DetailsURL: "http://x", AppName: "a", ApplicantUserID: f.users[0],
		ApplicantUserNameCn: "张三", ApplicantUserNameEn: "z", ApplicantID: "42"}); err != nil {
		t.Fatal(err)
	}
	f.db.Update(func(tx *store.Tx) error {
		list, _ := deliveries.List(tx)
		for _, d := range list {
			op := opSend
			if d.Type == TypeTodo {
				op = opAdd
			}
			d.Status, d.InFlight = StatusSending, &Attempt{Op: op, Version: 1, At: time.Now()}
			deliveries.Put(tx, &d)
		}
		return nil
	})
	e3 := New(ctx, Options{DB: f.db, Apps: f.tenant, WeLink: func() *welink.Client { return f.client }, Log: f.log,
		RetryBase: 20 * time.Millisecond, RetryMax: 80 * time.Millisecond, Workers: 2})
	if err := e3.Start(); err != nil {
		t.Fatal(err)
	}
	defer e3.Stop()
	f.waitFor("recovered rows final", func() bool {
		st := map[string]string{}
		for _, d := range f.rows() {
			st[d.Type] = d.Status
		}
		return st[TypeTodo] == StatusDelivered && st[TypeNotice] == StatusUncertain
	})
	if n := len(f.wl.Todos("")); n != 1 {
		t.Fatalf("%d to-dos, want exactly 1", n)
	}
	if n := len(f.wl.Messages("")); n != 0 {
		t.Fatalf("notice repeated after an uncertain send: %d", n)
	}
	for _, d := range f.rows() {
		if d.Type == TypeTodo && (!d.Present || d.Calls != 1) {
			t.Fatalf("to-do row: %+v", d)
		}
	}
}

// Rules: validation, unsaved target edits replace the whole rule, the
// default to-do rule, and the corp delete cascade (tenant.Dependent).
func TestRulesAndCorpCascade(t *testing.T) {
	f := newFixture(t, fixOpts{})
	bad := []RuleInput{
		{Name: "", Source: SourceTodo, Targets: []Target{{CorpID: f.corpID, AppID: f.appID, Type: TypeTodo}}},
		{Name: "a", Source: "bad source!", Targets: []Target{{CorpID: f.corpID, AppID: f.appID, Type: TypeTodo}}},
		{Name: "a", Source: SourceTodo},
		{Name: "a", Source: SourceTodo, Targets: []Target{{CorpID: f.corpID, AppID: f.appID, Type: "sms"}}},
		{Name: "a", Source: SourceTodo, Targets: []Target{{CorpID: f.corpID, AppID: "nope", Type: TypeTodo}}},
		{Name: "a", Source: SourceTodo, Targets: []Target{{CorpID: "other", AppID: f.appID, Type: TypeTodo}}},
		{Name: "a", Source: SourceTodo, Targets: []Target{{CorpID: f.corpID, AppID: f.appID, Type: TypeTodo}, {CorpID: f.corpID, AppID: f.appID, Type: TypeTodo}}},
	}
	want := []core.Kind{core.ErrRequired, core.ErrRelaySourceInvalid, core.ErrRelayTargetsRequired, core.ErrRelayTargetInvalid,
		core.ErrRelayTargetInvalid, core.ErrRelayTargetAppCorp, core.ErrRelayTargetDuplicate}
	for i, in := range bad {
		if _, err := f.svc.SaveRule(in); !core.Of(err, want[i]) {
			t.Fatalf("case %d: %v", i, err)
		}
	}
	offer, err := f.svc.DefaultRuleFor(f.appID)
	if err != nil || !offer.Offer {
		t.Fatalf("offer: %+v %v", offer, err)
	}
	r, err := f.svc.CreateDefaultRule(f.appID)
	if err != nil || r.Source != SourceTodo || len(r.Targets) != 1 || r.Targets[0].AppName != "云桥演示应用" {
		t.Fatalf("default rule: %+v %v", r, err)
	}
	if _, err := f.svc.CreateDefaultRule(f.appID); !core.Of(err, core.ErrRelayDefaultRuleExist) {
		t.Fatalf("second default: %v", err)
	}
	if _, err := f.svc.SaveRule(RuleInput{Name: r.Name, Source: SourceAll, Targets: []Target{{CorpID: f.corpID, AppID: f.appID, Type: TypeCard}}}); !core.Of(err, core.ErrRelayRuleNameDup) {
		t.Fatalf("duplicate name: %v", err)
	}
	// Edit: targets replaced as a whole.
	in := RuleInput{ID: r.ID, Name: r.Name, Enabled: true, Source: SourceAll, Targets: []Target{r.Targets[0].Target, {CorpID: f.corpID, AppID: f.appID, Type: TypeCard}}}
	r2, err := f.svc.SaveRule(in)
	if err != nil || len(r2.Targets) != 2 || r2.Targets[0].ID != r.Targets[0].ID || !r2.CreatedAt.Equal(r.CreatedAt) {
		t.Fatalf("edit: %+v %v", r2, err)
	}
	if _, err := f.svc.SetRuleEnabled(r.ID, false); err != nil {
		t.Fatal(err)
	}
	mods, _ := f.svc.Modules()
	if len(mods) < len(knownModules) || mods[0].Name != ModuleWorkflow {
		t.Fatalf("modules: %+v", mods)
	}
	usage, err := f.tenant.CorpUsage(f.corpID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range usage.Uses {
		found = found || (u.Kind == "push_rule" && u.ID == r.ID)
	}
	if !found {
		t.Fatalf("corp usage lacks the rule: %+v", usage)
	}
	if err := f.tenant.DeleteCorp(f.corpID, usage.Token); err != nil {
		t.Fatal(err)
	}
	list, _ := f.svc.ListRules()
	if len(list) != 0 {
		t.Fatalf("rules left after corp delete: %+v", list)
	}
	if err := f.svc.DeleteRule(r.ID); !core.Of(err, core.ErrRelayRuleNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
}

// An unbound receiver whose window passes is given up with its reason.
func TestBindWindowExpires(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule(SourceTodo, TypeTodo)
	f.post("/rest/ofs/batchReceiveRequestInfoByJson", mustJSON([]map[string]string{ofsItem("8", "lisi", "0", 1)}), nil)
	f.waitFor("not bound", func() bool { r := f.rows(); return len(r) == 1 && r[0].Status == StatusNotBound })
	// Age the row past the window.
	f.db.Update(func(tx *store.Tx) error {
		d := f.rows()[0]
		d.CreatedAt, d.NextAt = time.Now().Add(-25*time.Hour), time.Time{}
		return deliveries.Put(tx, &d)
	})
	f.e.RecheckUnbound()
	f.waitFor("given up", func() bool {
		r := f.rows()
		return r[0].Status == StatusDead && r[0].Reason.Code == core.ErrRelayBindWindowOver.Code
	})
	// Resend gives a fresh window; binding then delivers.
	f.bind("3", f.users[1])
	if res, _ := f.svc.Resend([]string{f.rows()[0].ID}); res.Queued != 1 {
		t.Fatalf("resend: %+v", res)
	}
	f.waitFor("delivered", func() bool { return len(liveTodos(f.wl)) == 1 })
	if n, err := f.e.Housekeep(); err != nil || n != 0 {
		t.Fatalf("housekeep: %d %v", n, err)
	}
}

// Through the real public listener: a 1000-item batch larger than the
// listener's default body limit is accepted (the route's own limit), a
// body beyond the OFS limit is refused in the OFS shape.
func TestPublicListenerBatchLimit(t *testing.T) {
	f := newFixture(t, fixOpts{})
	srv := server.New(f.log, "test", "test")
	srv.HandleLimit(OFSPattern, oa.OFSMaxBody+4096, http.HandlerFunc(f.e.ServeOFS))
	if err := srv.Start(server.Config{Addr: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	base := "http://" + srv.Status().Addr
	// Rules make every item write two rows as well: the batch is larger
	// than one Badger transaction may be, so the committer splits it.
	f.rule(SourceTodo, TypeTodo, TypeCard)
	var batch []map[string]string
	for i := 0; i < 1000; i++ {
		it := ofsItem(strconv.Itoa(10000+i), "zhangsan", "0", 1)
		it["pcurl"] = "/workflow/request/ViewRequest.jsp?requestid=" + strconv.Itoa(i) + "&para=" + strings.Repeat("A", 1200)
		it["requestname"] = strings.Repeat("很长的标题", 100)
		batch = append(batch, it)
	}
	body := mustJSON(batch)
	if len(body) <= server.DefaultMaxBody {
		t.Fatalf("batch only %d bytes", len(body))
	}
	resp, err := http.Post(base+"/rest/ofs/batchReceiveRequestInfoByJson", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if m["operResult"] != "1" {
		t.Fatalf("big batch: %v", m)
	}
	n := 0
	f.db.View(func(tx *store.Tx) error { return items.Each(tx, func(Item) error { n++; return nil }) })
	if n != 1000 || len(f.rows()) != 2000 {
		t.Fatalf("%d items, %d rows stored", n, len(f.rows()))
	}
	huge := bytes.Repeat([]byte("x"), oa.OFSMaxBody+5000)
	resp, err = http.Post(base+"/rest/ofs/batchReceiveRequestInfoByJson", "application/json", bytes.NewReader(huge))
	if err != nil {
		t.Fatal(err)
	}
	m = nil
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if resp.StatusCode != 200 || m["operResult"] != "0" {
		t.Fatalf("huge body: %d %v", resp.StatusCode, m)
	}
}

// Without a link from the OA and without a public base URL for SSO there is
// nothing for WeLink to open: a clear dead letter, no WeLink call.
func TestNoLinkIsDeadLetter(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule("meeting", TypeCard)
	f.bind("2", f.users[0])
	f.db.Update(func(tx *store.Tx) error {
		st, _ := settings.Load(tx)
		st.PublicBaseURL = ""
		return settings.Save(tx, st)
	})
	f.post(JSONPath, mustJSON(map[string]any{"syscode": oasim.DemoOFSSysCode, "module": "meeting", "title": "无链接", "receivers": []any{"zhangsan"}}), nil)
	f.waitFor("dead letter", func() bool {
		r := f.rows()
		return len(r) == 1 && r[0].Status == StatusDead && r[0].Reason != nil && r[0].Reason.Code == core.ErrRelayNoLink.Code && r[0].Calls == 0
	})
	if n := len(f.wl.Messages("")); n != 0 {
		t.Fatalf("%d messages sent without a link", n)
	}
}

// With "resend uncertain" on, an interrupted notice is queued again (at
// least once) instead of waiting for the admin.
func TestResendUncertainSetting(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule("meeting", TypeNotice)
	f.bind("2", f.users[0])
	if _, err := f.svc.SaveConfig(Config{BindWindowHours: 24, MaxAttempts: 8, RetentionDays: 30, ResendUncertain: true}); err != nil {
		t.Fatal(err)
	}
	f.e.Stop()
	e2 := New(context.Background(), Options{DB: f.db, Apps: f.tenant, WeLink: func() *welink.Client { return f.client }, Log: f.log})
	e2.reload()
	go e2.committer()
	if err := e2.submit(context.Background(), []incoming{{item: Item{SysCode: oasim.DemoOFSSysCode, FlowID: "m9", Receiver: "zhangsan",
		Kind: KindMessage, Module: "meeting", State: StateMessage, Title: "会", AppURL: "/m", Via: "json"}}}); err != nil {
		t.Fatal(err)
	}
	e2.cancel()
	<-e2.committerDone
	f.db.Update(func(tx *store.Tx) error {
		d := f.rows()[0]
		d.Status, d.InFlight = StatusSending, &Attempt{Op: opSend, Version: 1, At: time.Now()}
		return deliveries.Put(tx, &d)
	})
	e3 := New(context.Background(), Options{DB: f.db, Apps: f.tenant, WeLink: func() *welink.Client { return f.client }, Log: f.log, Workers: 2})
	if err := e3.Start(); err != nil {
		t.Fatal(err)
	}
	defer e3.Stop()
	f.waitFor("resent notice", func() bool { r := f.rows(); return len(r) == 1 && r[0].Status == StatusDelivered })
	if n := len(f.wl.Messages("")); n != 1 {
		t.Fatalf("%d messages", n)
	}
}
