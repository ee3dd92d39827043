package syncer

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
	wlsim "cloudbridge/backend/welink/sim"
	"cloudbridge/backend/welink/sim/orggen"
)

const (
	testClientID = "20240101000000000000009"
	testSecret   = "sync-test-secret"
)

// env is a corp with one app, a WeLink emulator and an e-cology emulator,
// both over real HTTP.
type env struct {
	t      *testing.T
	db     *store.DB
	wl     *wlsim.Server
	oa     *oasim.Server
	eng    *Engine
	svc    *Service
	corpID string
	appID  string
	binder *testBinder
	wlURL  string
}

type testBinder struct{ enabled bool }

func (b *testBinder) AutoBindEnabled(*store.Tx, string) (bool, error) { return b.enabled, nil }
func (b *testBinder) AutoBindNew(context.Context, string, []directory.User) (int, error) {
	return 0, nil
}
func (b *testBinder) Bind(tx *store.Tx, v binding.Binding) error { return binding.Bindings.Put(tx, &v) }
func (b *testBinder) Unbind(tx *store.Tx, corpID, wl string) error {
	return binding.Bindings.Delete(tx, directory.Key(corpID, wl))
}

// seedWeLink is the WeLink side of the seed's example: 演示部门 with 部门A,
// and 其他部门 (a mount point for 4.3.2.2's second case).
func seedWeLink() *orggen.Org {
	return &orggen.Org{
		Depts: []orggen.Dept{
			{Code: "1000001", Parent: "0", NameCn: "演示部门", Order: 1},
			{Code: "1000002", Parent: "1000001", NameCn: "部门A", Order: 1},
			{Code: "1000003", Parent: "0", NameCn: "其他部门", Order: 2},
		},
		Users: []orggen.User{
			// zhangsan's mobile: linked by the mobile rule.
			{UserID: "zhangsan@t", Mobile: "+86-13800000002", NameCn: "张三", MainDept: "1000002", Depts: []string{"1000002"}, Status: "3", Created: "2020-01-01 00:00:00"},
			{UserID: "other@t", Mobile: "+86-13900000001", NameCn: "外部人员", MainDept: "1000003", Depts: []string{"1000003", "1000002"}, Status: "3", Created: "2020-01-01 00:00:00"},
		},
	}
}

func newEnv(t *testing.T, wlOrg *orggen.Org, oaUsers int) *env {
	t.Helper()
	return newEnvWrapped(t, wlOrg, oaUsers, nil)
}

// newEnvWrapped is newEnv with the WeLink emulator's handler wrapped (to
// watch the calls).
func newEnvWrapped(t *testing.T, wlOrg *orggen.Org, oaUsers int, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	key := make([]byte, 32)
	db, err := store.Open(store.Options{InMemory: true, Key: key, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	wl := wlsim.New(wlsim.Options{Org: wlOrg, BatchDelay: 20 * time.Millisecond})
	wl.AddApp(wlsim.AppSpec{ClientID: testClientID, Secret: testSecret, Grants: []string{"all"}, VisibleRange: wlsim.VisibleRange{AllStaff: true}})
	var h http.Handler = wl
	if wrap != nil {
		h = wrap(wl)
	}
	wlSrv := httptest.NewServer(h)
	t.Cleanup(wlSrv.Close)
	o := oasim.New(oasim.Options{Users: oaUsers, Seed: 1})
	oaSrv := httptest.NewServer(o)
	t.Cleanup(oaSrv.Close)
	o.SetPublicURL(oaSrv.URL)

	client := welink.New(welink.Options{BaseURL: wlSrv.URL + "/api", Retry: welink.Retry{Attempts: 2, Base: time.Millisecond, Max: 5 * time.Millisecond}})
	log := slog.New(slog.DiscardHandler)
	ten := tenant.New(context.Background(), db, func() *welink.Client { return client }, nil, core.SystemClock{}, log)
	corp, err := ten.CreateCorp("测试企业")
	if err != nil {
		t.Fatal(err)
	}
	app, err := ten.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "同步应用", ClientID: testClientID, ClientSecret: testSecret,
		Homepage: tenant.Homepage{Kind: "custom", CustomURL: "https://oa.example.com/"}})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := oa.New(oa.Config{Kind: oa.KindEcology9, BaseURL: oaSrv.URL, PageSize: 50, Retries: -1, Auth: oa.AuthConfig{Mode: oa.AuthNone}}, oa.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	b := &testBinder{enabled: true}
	eng := NewEngine(Options{DB: db, WeLink: func() *welink.Client { return client }, Tenant: ten,
		OA:     func(context.Context) (oa.Connector, error) { return conn, nil },
		Binder: b, Log: log, PollEvery: 10 * time.Millisecond})
	e := &env{t: t, db: db, wl: wl, oa: o, eng: eng, corpID: corp.ID, appID: app.ID, binder: b, wlURL: wlSrv.URL + "/api"}
	e.svc = NewService(context.Background(), eng, nil)
	return e
}

func (e *env) settings(fn func(s *Settings)) {
	e.t.Helper()
	s, err := e.svc.GetSettings(e.corpID)
	if err != nil {
		e.t.Fatal(err)
	}
	s.AppID, s.Mode = e.appID, ModeReadWrite
	s.OA.CreateUsers = true
	if fn != nil {
		fn(&s)
	}
	if _, err := e.svc.SaveSettings(s); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) actions(runID string) []Action {
	e.t.Helper()
	var list []Action
	if err := e.db.View(func(tx *store.Tx) error { var err error; list, err = RunActions(tx, runID); return err }); err != nil {
		e.t.Fatal(err)
	}
	return list
}

func find(list []Action, obj, oaName string) *Action {
	for i := range list {
		if list[i].Object == obj && list[i].OAName == oaName {
			return &list[i]
		}
	}
	return nil
}

func (e *env) localUsers() map[string]directory.User {
	e.t.Helper()
	out := map[string]directory.User{}
	e.db.View(func(tx *store.Tx) error {
		us, err := directory.Users.Lookup(tx, "corp", e.corpID)
		for _, u := range us {
			out[u.UserID] = u
		}
		return err
	})
	return out
}

func (e *env) localDepts() map[string]directory.Dept {
	e.t.Helper()
	out := map[string]directory.Dept{}
	e.db.View(func(tx *store.Tx) error {
		ds, err := directory.Depts.Lookup(tx, "corp", e.corpID)
		for _, d := range ds {
			out[d.Code] = d
		}
		return err
	})
	return out
}

func TestFromWeLinkPullsEveryDepartmentAndUser(t *testing.T) {
	org := orggen.Generate(orggen.Spec{Users: 400, Seed: 7})
	e := newEnv(t, org, 9)
	e.settings(nil)
	r, err := e.eng.RunFromWeLink(context.Background(), e.corpID, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusDone || !r.Complete || r.Stats.Depts != len(org.Depts) {
		t.Fatalf("run %+v stats %+v, want %d depts", r, r.Stats, len(org.Depts))
	}
	// Closed accounts without departments are not listed by department reads.
	users := e.localUsers()
	if len(users) != r.Stats.Users || len(users) < 350 {
		t.Fatalf("%d local users, stats %d", len(users), r.Stats.Users)
	}
	depts := e.localDepts()
	multi := 0
	for _, g := range org.Users {
		u, ok := users[g.UserID]
		if !ok {
			continue
		}
		if !slices.Equal(u.Depts, g.Depts) && len(u.Depts) != len(g.Depts) {
			t.Fatalf("%s depts %v, WeLink %v", g.UserID, u.Depts, g.Depts)
		}
		if len(u.Depts) > 1 {
			multi++
		}
	}
	if multi == 0 {
		t.Fatal("no user kept more than one department")
	}
	for _, d := range depts {
		if d.ParentCode == "0" && d.Level != 1 || d.ParentCode != "0" && d.Level != depts[d.ParentCode].Level+1 {
			t.Fatalf("dept %s level %d, parent %s level %d", d.Code, d.Level, d.ParentCode, depts[d.ParentCode].Level)
		}
	}
	// A second pull changes nothing.
	r2, err := e.eng.RunFromWeLink(context.Background(), e.corpID, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if s := r2.Stats; s.UsersAdded+s.UsersChanged+s.UsersRemoved+s.DeptsAdded+s.DeptsChanged+s.DeptsRemoved != 0 {
		t.Fatalf("second pull changed things: %+v", s)
	}
}

func TestFromWeLinkFailedReadLeavesDirectoryAlone(t *testing.T) {
	e := newEnv(t, orggen.Generate(orggen.Spec{Users: 200, Seed: 3}), 9)
	e.settings(nil)
	if _, err := e.eng.RunFromWeLink(context.Background(), e.corpID, TriggerManual); err != nil {
		t.Fatal(err)
	}
	before := len(e.localUsers())
	// One department's user page fails on every try: the read must fail as
	// a whole, never pass for "everybody else left".
	e.wl.AddFault(wlsim.Fault{Path: "/contact/v2/user/list", Code: "500"})
	r, err := e.eng.RunFromWeLink(context.Background(), e.corpID, TriggerManual)
	if !core.Of(err, core.ErrSyncWeLinkRead) || r.Status != StatusFailed {
		t.Fatalf("err %v status %s", err, r.Status)
	}
	if after := len(e.localUsers()); after != before {
		t.Fatalf("directory changed after a failed read: %d → %d", before, after)
	}
}

func TestFromOATopLevelMismatchStops(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(nil)
	_, err := e.eng.RunFromOA(context.Background(), e.corpID, OARunOptions{PreviewOnly: true})
	if !core.Of(err, core.ErrSyncTopMismatch) {
		t.Fatalf("err %v, want top mismatch", err)
	}
	p := core.AsError(err).Params
	if p["oa"] != "Re部门" || !strings.Contains(p["welink"], "演示部门") {
		t.Fatalf("message params %v", p)
	}
	// Nothing was written to WeLink.
	if n := len(e.wl.Jobs()); n != 0 {
		t.Fatalf("%d batch jobs after an aborted run", n)
	}
}

func TestFromOAPreviewApplyAndRerun(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) { s.OA.Scope.Depts = []string{"sub:1"} }) // 演示部门 only
	ctx := context.Background()
	r, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{PreviewOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusPlanned || !r.Complete {
		t.Fatalf("preview %+v", r)
	}
	acts := e.actions(r.ID)
	// Seed 4.3.2.2: 演示部门 and 部门A match by level + name; the others are new.
	for name, kind := range map[string]string{"演示部门": ActMatch, "部门A": ActMatch, "部门B": ActCreate, "部门C": ActCreate, "部门A1": ActCreate, "部门A2": ActCreate} {
		if a := find(acts, "dept", name); a == nil || a.Kind != kind {
			t.Fatalf("dept %s: %+v, want %s", name, a, kind)
		}
	}
	if a := find(acts, "dept", "已封存部门"); a != nil {
		t.Fatalf("sealed department planned: %+v", a)
	}
	if a := find(acts, "user", "张三"); a == nil || a.Kind != ActBind || a.WLID != "zhangsan@t" || a.Reason.Params["rule"] != "mobile=mobile" {
		t.Fatalf("张三: %+v", a)
	}
	if a := find(acts, "user", "周八"); a == nil || a.Kind != ActReview {
		t.Fatalf("周八 (no mobile) should wait for review: %+v", a)
	}
	if a := find(acts, "user", "孙七"); a != nil {
		t.Fatalf("a leaver who was never linked got an action: %+v", a)
	}
	if a := find(acts, "user", "李四"); a == nil || a.Kind != ActCreate {
		t.Fatalf("李四: %+v", a)
	}
	// Nothing written yet.
	if len(e.wl.Jobs()) != 0 {
		t.Fatal("a preview wrote to WeLink")
	}

	r, err = e.eng.ApplyRun(ctx, r.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusDone || r.Counts.Failed != 0 || r.Counts.Done == 0 {
		t.Fatalf("apply %+v", r.Counts)
	}
	// WeLink now has 部门A1 under 部门A, with our marker.
	depts := e.localDepts()
	var a1 directory.Dept
	for _, d := range depts {
		if d.NameCn == "部门A1" {
			a1 = d
		}
	}
	if a1.ParentCode != "1000002" || a1.CorpDeptCode != deptMarker("dep:4") || a1.OADeptID != "dep:4" {
		t.Fatalf("部门A1 locally %+v", a1)
	}
	if !strings.HasPrefix(depts["1000001"].OADeptID, "sub:") || depts["1000003"].OADeptID != "" {
		t.Fatalf("links: 演示部门 %q 其他部门 %q", depts["1000001"].OADeptID, depts["1000003"].OADeptID)
	}
	var bs []binding.Binding
	e.db.View(func(tx *store.Tx) error {
		var err error
		bs, err = binding.Bindings.Lookup(tx, "corp", e.corpID)
		return err
	})
	byOA := map[string]binding.Binding{}
	for _, b := range bs {
		byOA[b.OAUserID] = b
	}
	if byOA["2"].WeLinkUserID != "zhangsan@t" || byOA["3"].WeLinkUserID == "" || byOA["3"].Method != binding.MethodSync {
		t.Fatalf("bindings %+v", byOA)
	}
	// The created user exists in WeLink, in 部门A1, with our corpUserId.
	if u := e.wl.FindUsers("cb-3", 5); len(u) != 1 {
		t.Fatalf("李四 in WeLink: %+v", u)
	}

	// A re-run plans no creation: everything is found again.
	r2, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{PreviewOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Counts.Create != 0 || r2.Counts.Delete != 0 || r2.Counts.Bind != 0 {
		t.Fatalf("re-run counts %+v", r2.Counts)
	}
	// The first preview can no longer be applied.
	if _, err := e.eng.ApplyRun(ctx, r.ID, true); !core.Of(err, core.ErrSyncNotApprovable) && !core.Of(err, core.ErrSyncPlanStale) {
		t.Fatalf("old plan applied again: %v", err)
	}
}

func TestFromOALeaverQuarantineAndRehire(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) { s.OA.Scope.Depts = []string{"sub:1"} })
	ctx := context.Background()
	if _, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{}); err != nil {
		t.Fatal(err)
	}
	var wangwu string
	e.db.View(func(tx *store.Tx) error {
		b, _, err := binding.ForOAUser(tx, e.corpID, "4")
		wangwu = b.WeLinkUserID
		return err
	})
	if wangwu == "" {
		t.Fatal("王五 not bound after the first run")
	}
	// 王五 resigns (status 5).
	e.oa.UpdateUser(oasim.UserWangWu, func(u *oasim.User) { u.Status = 5 })
	r, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := find(e.actions(r.ID), "user", "王五")
	if a == nil || a.Kind != ActDelete || a.Reason.Code != "user_left" || a.Result != ResHeld {
		t.Fatalf("王五: %+v", a)
	}
	if r.Status != StatusQuarantined || !r.DeletesHeld {
		t.Fatalf("run %s held=%v", r.Status, r.DeletesHeld)
	}
	if u := e.localUsers()[wangwu]; u.Status == "4" {
		t.Fatal("deleted before approval")
	}
	r, err = e.eng.ApplyRun(ctx, r.ID, true)
	if err != nil || r.Status != StatusDone {
		t.Fatalf("approve: %v %s", err, r.Status)
	}
	if u := e.localUsers()[wangwu]; u.Status != "4" {
		t.Fatalf("王五 after approval: %+v", u)
	}
	// Re-hired: the old account is reopened, not a second one created.
	e.oa.UpdateUser(oasim.UserWangWu, func(u *oasim.User) { u.Status = 1 })
	r, err = e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a = find(e.actions(r.ID), "user", "王五")
	if a == nil || a.Kind != ActUpdate || a.WLID != wangwu || a.Result != ResDone {
		t.Fatalf("re-hire: %+v", a)
	}
	if _, err := e.eng.RunFromWeLink(ctx, e.corpID, TriggerManual); err != nil {
		t.Fatal(err)
	}
	if u := e.localUsers()[wangwu]; u.Status != "3" || len(u.Depts) == 0 {
		t.Fatalf("王五 after re-hire: %+v", u)
	}
	if n := len(e.wl.FindUsers("王五", 10)); n != 1 {
		t.Fatalf("%d WeLink accounts named 王五", n)
	}
}

func TestFromOAFailedReadAndThreshold(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) {
		s.OA.Scope.Depts = []string{"sub:1"}
		s.OA.Safety.MaxDropCount = 1
	})
	ctx := context.Background()
	if _, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{}); err != nil {
		t.Fatal(err)
	}
	jobs := len(e.wl.Jobs())
	// A failing OA page: the run stops before planning; nothing is deleted.
	e.oa.AddFault(oasim.Fault{Path: "/api/hrm/resful/getHrmUserInfoWithPage", Status: 500})
	r, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if err == nil || r.Status != StatusFailed || len(e.wl.Jobs()) != jobs {
		t.Fatalf("failed OA read: err %v status %s jobs %d→%d", err, r.Status, jobs, len(e.wl.Jobs()))
	}
	e.oa.ClearFaults()
	// Three people leave at once: above the threshold of 1.
	for _, id := range []int{oasim.UserLiSi, oasim.UserWangWu, oasim.UserWuJiu} {
		e.oa.UpdateUser(id, func(u *oasim.User) { u.Status = 5 })
	}
	_, err = e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if !core.Of(err, core.ErrSyncThreshold) {
		t.Fatalf("err %v, want threshold", err)
	}
	if len(e.wl.Jobs()) != jobs {
		t.Fatal("a stopped run wrote to WeLink")
	}
	r, err = e.eng.RunFromOA(ctx, e.corpID, OARunOptions{PreviewOnly: true, IgnoreThreshold: true})
	if err != nil || r.Counts.Delete != 3 {
		t.Fatalf("ignore once: %v %+v", err, r.Counts)
	}
}

func TestFromOADuplicatesAreReviewedNotGuessed(t *testing.T) {
	wl := seedWeLink()
	// Two WeLink users share 李四's work code; one more has 王五's mobile.
	wl.Users = append(wl.Users,
		orggen.User{UserID: "a@t", Mobile: "+86-13700000001", EmployeeID: "E00003", NameCn: "李四甲", MainDept: "1000002", Depts: []string{"1000002"}, Status: "3"},
		orggen.User{UserID: "b@t", Mobile: "+86-13700000002", EmployeeID: "E00003", NameCn: "李四乙", MainDept: "1000002", Depts: []string{"1000002"}, Status: "3"},
		orggen.User{UserID: "c@t", Mobile: "+86-13800000004", NameCn: "王五", MainDept: "1000002", Depts: []string{"1000002"}, Status: "3"},
	)
	e := newEnv(t, wl, 9)
	e.settings(func(s *Settings) { s.OA.Scope.Depts = []string{"sub:1"} })
	// A second OA person with 王五's mobile, and one with a mobile WeLink refuses.
	e.oa.AddUser(oasim.User{LoginID: "wangwu2", LastName: "王五二", Mobile: "13800000004", Department: oasim.DeptB, Subcompany: oasim.SubDemo, Status: 1})
	e.oa.AddUser(oasim.User{LoginID: "bad", LastName: "坏号码", Mobile: "12", Department: oasim.DeptB, Subcompany: oasim.SubDemo, Status: 1})
	r, err := e.eng.RunFromOA(context.Background(), e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acts := e.actions(r.ID)
	if a := find(acts, "user", "李四"); a == nil || a.Kind != ActReview || a.Reason.Code != "user_ambiguous" {
		t.Fatalf("李四: %+v", a)
	}
	for _, n := range []string{"王五", "王五二"} {
		if a := find(acts, "user", n); a == nil || a.Kind != ActReview || a.Reason.Code != "user_conflict" {
			t.Fatalf("%s: %+v", n, a)
		}
	}
	bad := find(acts, "user", "坏号码")
	if bad == nil || bad.Kind != ActCreate || bad.Result != ResFailed || !strings.Contains(bad.Error, "47004") {
		t.Fatalf("bad record: %+v", bad)
	}
	// The run went on: everybody else was created.
	if a := find(acts, "user", "吴九"); a == nil || a.Result != ResDone {
		t.Fatalf("吴九: %+v", a)
	}
	if r.Status != StatusDone || r.Counts.Failed != 1 {
		t.Fatalf("run %s %+v", r.Status, r.Counts)
	}
}

func TestFromOAMountPointAndResumeByMarker(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(nil)
	ctx := context.Background()
	if _, err := e.eng.RunFromWeLink(ctx, e.corpID, TriggerManual); err != nil {
		t.Fatal(err)
	}
	e.settings(func(s *Settings) { s.OA.TopDeptCode = "1000003" }) // 其他部门
	r, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{PreviewOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	acts := e.actions(r.ID)
	for _, n := range []string{"演示部门", "Re部门", "Re一组"} {
		if a := find(acts, "dept", n); a == nil || a.Kind != ActCreate {
			t.Fatalf("%s under the mount point: %+v", n, a)
		}
	}
	// An earlier run died after WeLink created 演示部门: it is found by its
	// marker instead of created twice (WeLink would refuse the sibling name).
	app := e.eng.o.WeLink().App(welink.Credentials{ClientID: testClientID, ClientSecret: testSecret})
	if _, err := app.CreateDepartment(ctx, welink.DeptInput{CorpDeptCode: deptMarker("sub:1"), ParentCode: "1000003", DeptNameCn: "演示部门"}); err != nil {
		t.Fatal(err)
	}
	r, err = e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acts = e.actions(r.ID)
	if a := find(acts, "dept", "演示部门"); a == nil || a.Kind != ActMatch || a.Reason.Code != "dept_marker" {
		t.Fatalf("演示部门 after the crash: %+v", a)
	}
	if r.Counts.Failed != 0 {
		t.Fatalf("failures: %+v", r.Counts)
	}
	// 张三 keeps his department outside the mount point and gains the new one.
	u := e.localUsers()["zhangsan@t"]
	if !slices.Contains(u.Depts, "1000002") || len(u.Depts) != 2 {
		t.Fatalf("张三 depts %v", u.Depts)
	}
}

func TestReadOnlyAndSettingsValidation(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) { s.Mode = ModeReadOnly })
	if _, err := e.eng.RunFromOA(context.Background(), e.corpID, OARunOptions{}); !core.Of(err, core.ErrSyncReadOnly) {
		t.Fatalf("read-only OA run: %v", err)
	}
	if _, err := e.svc.StartFromOA(e.corpID, true, false); !core.Of(err, core.ErrSyncReadOnly) {
		t.Fatalf("read-only StartFromOA: %v", err)
	}
	if err := e.db.View(func(tx *store.Tx) error { return CheckWritable(tx, e.corpID) }); !core.Of(err, core.ErrSyncReadOnly) {
		t.Fatalf("CheckWritable: %v", err)
	}
	s, _ := e.svc.GetSettings(e.corpID)
	bad := []func(*Settings){
		func(s *Settings) { s.Mode = "both" },
		func(s *Settings) { s.OA.Schedule = Schedule{Kind: "daily", At: "25:00"} },
		func(s *Settings) { s.WeLink.Schedule = Schedule{Kind: "interval", Minutes: 1} },
		func(s *Settings) { s.OA.FieldMap = []FieldRule{{OA: "shoeSize", WeLink: WLFieldMobile}} },
		func(s *Settings) { s.OA.Safety.MaxDropPercent = 150 },
		func(s *Settings) { s.OA.TopDeptCode = "nope" },
		func(s *Settings) { s.CorpID = "missing" },
	}
	for i, fn := range bad {
		c := s
		fn(&c)
		if _, err := e.svc.SaveSettings(c); err == nil {
			t.Fatalf("bad settings %d saved", i)
		}
	}
	// A name rule never matches people.
	c := s
	c.OA.FieldMap = []FieldRule{{OA: OAFieldName, WeLink: WLFieldNameCn, Match: true, Fill: true}}
	got, err := e.svc.SaveSettings(c)
	if err != nil || got.OA.FieldMap[0].Match {
		t.Fatalf("name rule: %v %+v", err, got.OA.FieldMap)
	}
}

func TestCorpDeleteRemovesSyncData(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(nil)
	if _, err := e.eng.RunFromWeLink(context.Background(), e.corpID, TriggerManual); err != nil {
		t.Fatal(err)
	}
	d := Dependent()
	var uses []tenant.Use
	e.db.View(func(tx *store.Tx) error { var err error; uses, err = d.CorpUses(tx, e.corpID); return err })
	if len(uses) != 4 {
		t.Fatalf("uses %+v", uses)
	}
	// The corp delete purges the bulk in chunks first, then the rest in one
	// transaction.
	if err := d.(tenant.Purger).PurgeCorpData(e.db, e.corpID); err != nil {
		t.Fatal(err)
	}
	if n := len(e.localUsers()); n != 0 {
		t.Fatalf("%d directory users after the purge", n)
	}
	if err := e.db.Update(func(tx *store.Tx) error { return d.DeleteCorpData(tx, e.corpID) }); err != nil {
		t.Fatal(err)
	}
	e.db.View(func(tx *store.Tx) error { var err error; uses, err = d.CorpUses(tx, e.corpID); return err })
	if len(uses) != 0 || len(e.localUsers()) != 0 {
		t.Fatalf("left after delete: %+v", uses)
	}
}

func TestFromOASameNamedSiblingsAreRenamedNotFailed(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) { s.OA.Scope.Depts = []string{"sub:1"} })
	// e-cology lets two departments under one parent share a name; WeLink
	// does not.
	e.oa.UpdateDepartment(oasim.DeptC, func(d *oasim.Department) { d.Name = "部门B" })
	ctx := context.Background()
	r, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var renamed *Action
	for _, a := range e.actions(r.ID) {
		if a.Object == "dept" && a.OAID == "dep:3" {
			renamed = &a
		}
	}
	if renamed == nil || renamed.Kind != ActCreate || renamed.Result != ResDone || renamed.Reason.Code != "dept_new_renamed" || !strings.HasPrefix(renamed.WLName, "部门B（") {
		t.Fatalf("second 部门B: %+v", renamed)
	}
	// The next run finds it again and does not rename it back.
	r, err = e.eng.RunFromOA(ctx, e.corpID, OARunOptions{PreviewOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Counts.Create != 0 || r.Counts.Update != 0 {
		t.Fatalf("re-run %+v", r.Counts)
	}
}

func TestFromOABoundAccountDeletedInWeLinkIsRecreated(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) { s.OA.Scope.Depts = []string{"sub:1"} })
	ctx := context.Background()
	if _, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{}); err != nil {
		t.Fatal(err)
	}
	var wl string
	e.db.View(func(tx *store.Tx) error {
		b, _, err := binding.ForOAUser(tx, e.corpID, "4") // 王五
		wl = b.WeLinkUserID
		return err
	})
	// Someone deletes the account in the WeLink console.
	app := e.eng.o.WeLink().App(welink.Credentials{ClientID: testClientID, ClientSecret: testSecret})
	if _, err := app.DeleteUser(ctx, welink.UserKey{UserID: wl}, true); err != nil {
		t.Fatal(err)
	}
	r, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := find(e.actions(r.ID), "user", "王五")
	if a == nil || a.Reason.Code != "user_relink" || a.Result != ResFailed || !strings.Contains(a.Error, "47012") {
		t.Fatalf("relink of a deleted account: %+v", a)
	}
	// The stale binding is gone; the next run creates the person again.
	r, err = e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a = find(e.actions(r.ID), "user", "王五")
	if a == nil || a.Kind != ActCreate || a.Result != ResDone || a.WLID == wl {
		t.Fatalf("re-created: %+v", a)
	}
}

func TestFromWeLinkHistoryListsChanges(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(nil)
	ctx := context.Background()
	r, err := e.eng.RunFromWeLink(ctx, e.corpID, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.actions(r.ID)); n != 0 {
		t.Fatalf("first load recorded %d actions, want counts only", n)
	}
	app := e.eng.o.WeLink().App(welink.Credentials{ClientID: testClientID, ClientSecret: testSecret})
	if _, err := app.DeleteUser(ctx, welink.UserKey{UserID: "other@t"}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := app.UpdateUser(ctx, welink.UserInput{UserID: "zhangsan@t", UserNameCn: "张三丰"}); err != nil {
		t.Fatal(err)
	}
	r, err = e.eng.RunFromWeLink(ctx, e.corpID, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	acts := e.actions(r.ID)
	if len(acts) != 2 || r.Counts.Delete != 1 || r.Counts.Update != 1 {
		t.Fatalf("history %+v counts %+v", acts, r.Counts)
	}
	for _, a := range acts {
		if a.WLID == "zhangsan@t" && (a.Kind != ActUpdate || len(a.Changes) != 1 || !strings.Contains(a.Changes[0], "张三丰")) {
			t.Fatalf("change: %+v", a)
		}
	}
}

func TestResumeAfterCrashFindsCreatedUsersAndMarksRunsInterrupted(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) { s.OA.Scope.Depts = []string{"sub:1"} })
	ctx := context.Background()
	// A run died after WeLink created 李四 (corpUserId cb-3) but before the
	// binding was written; its record was left "applying".
	app := e.eng.o.WeLink().App(welink.Credentials{ClientID: testClientID, ClientSecret: testSecret})
	if _, err := app.CreateUser(ctx, welink.UserInput{UserNameCn: "李四", MobileNumber: "+86-13800000003", CorpUserID: userMarker("3"), DeptCodes: []string{"1000002"}}); err != nil {
		t.Fatal(err)
	}
	stuck := Run{ID: "20200101T000000.000000000Z-abcdef", CorpID: e.corpID, Direction: FromOA, Status: StatusApplying}
	e.db.Update(func(tx *store.Tx) error { return runs.Put(tx, &stuck) })
	if err := e.eng.Recover(); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.svc.GetRun(stuck.ID); r.Status != StatusInterrupted {
		t.Fatalf("stuck run %s", r.Status)
	}
	r, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := find(e.actions(r.ID), "user", "李四")
	if a == nil || a.Kind != ActBind || a.Reason.Code != "user_marker" || a.Result != ResDone {
		t.Fatalf("李四 after the crash: %+v", a)
	}
	if n := len(e.wl.FindUsers("李四", 10)); n != 1 {
		t.Fatalf("%d WeLink accounts for 李四", n)
	}
}

func TestScheduledRunDeletesWithinQuarantineOnly(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) {
		s.OA.Scope.Depts = []string{"sub:1"}
		s.OA.Safety = Safety{QuarantineCount: 1}
	})
	ctx := context.Background()
	if _, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{Trigger: TriggerSchedule}); err != nil {
		t.Fatal(err)
	}
	// One leaver: within the limit, a scheduled run deletes on its own.
	e.oa.UpdateUser(oasim.UserWangWu, func(u *oasim.User) { u.Status = 5 })
	r, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{Trigger: TriggerSchedule})
	if err != nil || r.Status != StatusDone || r.Counts.Delete != 1 || r.Counts.Done == 0 {
		t.Fatalf("one deletion: %v %s %+v", err, r.Status, r.Counts)
	}
	// Two more: above the limit, they wait in quarantine.
	for _, id := range []int{oasim.UserLiSi, oasim.UserWuJiu} {
		e.oa.UpdateUser(id, func(u *oasim.User) { u.Status = 5 })
	}
	r, err = e.eng.RunFromOA(ctx, e.corpID, OARunOptions{Trigger: TriggerSchedule})
	if err != nil || r.Status != StatusQuarantined || r.Counts.Delete != 2 {
		t.Fatalf("two deletions: %v %s %+v", err, r.Status, r.Counts)
	}
}
