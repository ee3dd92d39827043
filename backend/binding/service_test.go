package binding

import (
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// fixture: a corp "c1" with WeLink users and a hand-made OA snapshot that
// has the awkward cases (formatting differences, duplicates, a leaver).
type fixture struct {
	db    *store.DB
	svc   *Service
	clock *core.FakeClock
	emits []Progress
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{db: openDB(t), clock: core.NewFakeClock(t0)}
	f.svc = New(context.Background(), Deps{DB: f.db, Clock: f.clock, Log: slog.New(slog.DiscardHandler),
		Emit: func(ev string, data any) { f.emits = append(f.emits, data.(Progress)) },
		CorpName: func(id string) (string, error) {
			return map[string]string{"c1": "华为演示", "c2": "Other"}[id], nil
		}})
	putUsers(t, f.db,
		directory.User{CorpID: "c1", UserID: "zhangsan@demo", NameCn: "张三", Mobile: "+86-13800000001", Email: "ZhangSan@Demo.com", Depts: []string{"d1"}, MainDept: "d1"},
		directory.User{CorpID: "c1", UserID: "lisi@demo", NameCn: "李四", Mobile: "13800000002", EmployeeID: " E002 "},
		directory.User{CorpID: "c1", UserID: "wangwu@demo", NameCn: "王五", Mobile: "13800000003"},      // two OA users share this mobile
		directory.User{CorpID: "c1", UserID: "zhaoliu@demo", NameCn: "赵六", Email: "zhaoliu@demo.com"}, // no OA match
		directory.User{CorpID: "c1", UserID: "sunqi@demo", NameCn: "孙七", Mobile: "13800000007"},       // OA user has left
		directory.User{CorpID: "c1", UserID: "zhouba@demo", NameCn: "周八", CorpUserID: "ZhouBa"},       // loginid match, case differs
		directory.User{CorpID: "c1", UserID: "wujiu@demo", NameCn: "吴九", Email: "same@demo.com"},      // with zhengshi: same OA user
		directory.User{CorpID: "c1", UserID: "zhengshi@demo", NameCn: "郑十", Email: "SAME@demo.com"},
		directory.User{CorpID: "c2", UserID: "zhangsan@demo", NameCn: "张三", Mobile: "13800000001"},
	)
	mustUpdate(t, f.db, func(tx *store.Tx) error {
		directory.Depts.Put(tx, &directory.Dept{CorpID: "c1", Code: "d1", NameCn: "研发部"})
		directory.OADepts.Put(tx, &oa.Department{ID: "od1", Name: "技术中心"})
		for _, u := range []oa.User{
			{ID: "1", LoginID: "zhangsan", Name: "张三", Mobile: "138 0000 0001", Email: "zhangsan@demo.com", DepartmentID: "od1", Status: 1},
			{ID: "2", LoginID: "lisi", Name: "李四", WorkCode: "E002", Status: 1},
			{ID: "3", LoginID: "wangwu", Name: "王五", Mobile: "13800000003", Status: 1},
			{ID: "33", LoginID: "wangwu2", Name: "王五", Mobile: "+86 13800000003", Status: 1},
			{ID: "7", LoginID: "sunqi", Name: "孙七", Mobile: "13800000007", Status: 5, Left: true},
			{ID: "8", LoginID: "zhouba", Name: "周八", Status: 1},
			{ID: "9", LoginID: "same", Name: "同邮箱", Email: "same@demo.com", Status: 1},
			{ID: "10", LoginID: "zhaoliu", Name: "赵六", Status: 1}, // only findable by login id
		} {
			if err := directory.OAUsers.Put(tx, &u); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

func (f *fixture) enableRules(t testing.TB, rules ...Rule) {
	t.Helper()
	s, err := f.svc.GetSettings("c1")
	if err != nil {
		t.Fatal(err)
	}
	s.AutoBind = true
	if rules != nil {
		s.Rules = rules
	}
	if _, err := f.svc.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
}

func outcome(t testing.TB, r Result, user string) Outcome {
	t.Helper()
	for _, o := range r.Outcomes {
		if o.WeLinkUserID == user {
			return o
		}
	}
	t.Fatalf("no outcome for %s in %+v", user, r.Outcomes)
	return Outcome{}
}

func TestAutoBindRulesNormaliseAndRefuseAmbiguity(t *testing.T) {
	f := newFixture(t)
	users := func(corp string) []directory.User {
		var us []directory.User
		f.db.View(func(tx *store.Tx) error { var e error; us, e = directory.Users.Lookup(tx, "corp", corp); return e })
		return us
	}
	// Off by default: the sync engine's call examines nothing.
	mustUpdate(t, f.db, func(tx *store.Tx) error {
		r, err := AutoBind(tx, "c1", users("c1"), nil, t0)
		if err != nil || !r.Disabled || len(r.Outcomes) != 0 {
			t.Fatalf("disabled run = %+v, %v", r, err)
		}
		return nil
	})
	f.enableRules(t, append(DefaultRules(), Rule{WLEmail, OAEmail})[:4]...)
	var res Result
	mustUpdate(t, f.db, func(tx *store.Tx) error {
		var err error
		res, err = AutoBind(tx, "c1", users("c1"), nil, t0)
		return err
	})
	want := map[string]string{
		"zhangsan@demo": ReasonBound,     // +86-138… vs "138 0000 0001"
		"lisi@demo":     ReasonBound,     // employeeId " E002 " = workCode
		"wangwu@demo":   ReasonAmbiguous, // two OA users with the mobile
		"zhaoliu@demo":  ReasonNone,      // nothing; never by name
		"sunqi@demo":    ReasonNone,      // the only match has left
		"zhouba@demo":   ReasonBound,     // corpUserId ZhouBa = loginid zhouba
		"wujiu@demo":    ReasonConflict,  // two WeLink users, one OA user
		"zhengshi@demo": ReasonConflict,
	}
	for u, reason := range want {
		if o := outcome(t, res, u); o.Reason != reason {
			t.Errorf("%s: %s, want %s (%+v)", u, o.Reason, reason, o)
		}
	}
	if o := outcome(t, res, "zhangsan@demo"); o.Rule != "mobile=mobile" || o.OALoginID != "zhangsan" || o.Value != "13800000001" {
		t.Errorf("zhangsan outcome = %+v", o)
	}
	if o := outcome(t, res, "wangwu@demo"); len(o.Candidates) != 2 {
		t.Errorf("candidates = %v", o.Candidates)
	}
	if res.Bound != 3 || res.Ambiguous != 1 || res.None != 2 || res.Conflict != 2 {
		t.Errorf("counts = %+v", res)
	}
	f.db.View(func(tx *store.Tx) error {
		b, ok, _ := ForWeLinkUser(tx, "c1", "lisi@demo")
		if !ok || b.OAUserID != "2" || b.Method != MethodRule || b.Detail != "employeeId=workCode" || b.By != "rule" {
			t.Errorf("lisi binding = %+v", b)
		}
		if _, ok, _ := ForWeLinkUser(tx, "c2", "zhangsan@demo"); ok {
			t.Error("the rules ran for another corp")
		}
		return nil
	})
	// Second run: the bound stay, the OA users they hold count as taken for others.
	mustUpdate(t, f.db, func(tx *store.Tx) error {
		r, err := AutoBind(tx, "c1", users("c1"), nil, t0)
		if err != nil {
			return err
		}
		if r.AlreadyBound != 3 || r.Bound != 0 {
			t.Errorf("second run = %+v", r)
		}
		return nil
	})
	if n := len(auditOf(t, f.db, "c1")); n != 3 {
		t.Errorf("audit entries = %d, want 3", n)
	}
}

func TestRunAutoBindPreviewsThenApplies(t *testing.T) {
	f := newFixture(t)
	f.enableRules(t)
	prev, err := f.svc.PreviewAutoBind("c1")
	if err != nil {
		t.Fatal(err)
	}
	if prev.Result.Bound != 3 || prev.OAUsers != 7 || prev.Examined != 8 || prev.Result.Outcomes[0].Reason != ReasonBound {
		t.Fatalf("preview = %+v", prev)
	}
	if o, _ := f.svc.Overview("c1"); o.Bound != 0 {
		t.Fatal("the preview wrote bindings")
	}
	// Meanwhile an admin binds zhouba by hand to someone else: skipped as stale.
	if _, err := f.svc.BindUser("c1", "zhouba@demo", "10"); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.ApplyAutoBind(prev.Token)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 2 || res.Stale != 1 || res.Problems[0].WeLinkUserID != "zhouba@demo" || res.NotApplied != 0 {
		t.Fatalf("apply = %+v", res)
	}
	_, err = f.svc.ApplyAutoBind(prev.Token)
	wantKind(t, err, core.ErrBindingImportExpired)
	if st, _ := f.svc.JobStatus(); st.Job != "autobind" || st.Running || st.Done != 3 {
		t.Fatalf("job status = %+v", st)
	}
	if len(f.emits) == 0 || f.emits[len(f.emits)-1].Running {
		t.Fatalf("progress events = %+v", f.emits)
	}
}

func TestSettingsValidation(t *testing.T) {
	f := newFixture(t)
	s, _ := f.svc.GetSettings("c1")
	if s.AutoBind || !s.SelfService || len(s.Rules) != 4 {
		t.Fatalf("defaults = %+v", s)
	}
	_, err := f.svc.SaveSettings(Settings{CorpID: "c1", Rules: []Rule{{"name", OALoginID}}})
	wantKind(t, err, core.ErrBindingRuleInvalid)
	_, err = f.svc.SaveSettings(Settings{CorpID: "c1", Rules: []Rule{{WLMobile, OAMobile}, {WLMobile, OAMobile}}})
	wantKind(t, err, core.ErrBindingRuleInvalid)
	saved, err := f.svc.SaveSettings(Settings{CorpID: "c1", AutoBind: true, Rules: []Rule{{WLUserIDPrefix, OALoginID}}})
	if err != nil || saved.UpdatedBy != Admin || !saved.UpdatedAt.Equal(t0) {
		t.Fatalf("saved = %+v, %v", saved, err)
	}
	// One record: what the sync engines read is what this screen saved.
	f.db.View(func(tx *store.Tx) error {
		got, _ := LoadSettings(tx, "c1")
		if !got.AutoBind || got.Rules[0] != (Rule{WLUserIDPrefix, OALoginID}) || got.SelfService {
			t.Errorf("loaded = %+v", got)
		}
		return nil
	})
	// userIdPrefix: zhaoliu@demo → zhaoliu.
	prev, err := f.svc.PreviewAutoBind("c1")
	if err != nil {
		t.Fatal(err)
	}
	if o := outcome(t, prev.Result, "zhaoliu@demo"); o.Reason != ReasonBound || o.OAUserID != "10" {
		t.Fatalf("prefix rule = %+v", o)
	}
}

func TestPersonCardBindUnbindAndPicker(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.GetCard("c1", "zhangsan@demo")
	if err != nil || c.Binding != nil || c.DeptNames[0] != "研发部" {
		t.Fatalf("card = %+v, %v", c, err)
	}
	_, err = f.svc.GetCard("c1", "nobody")
	wantKind(t, err, core.ErrBindingWeLinkUserUnknown)

	cands, err := f.svc.SearchOAUsers("c1", "王五", 10)
	if err != nil || len(cands) != 2 {
		t.Fatalf("picker = %+v, %v", cands, err)
	}
	if cands, _ := f.svc.SearchOAUsers("c1", "+86 138-0000-0001", 10); len(cands) != 1 || cands[0].ID != "1" || cands[0].Dept != "技术中心" {
		t.Fatalf("mobile search = %+v", cands)
	}
	b, err := f.svc.BindUser("c1", "zhangsan@demo", "1")
	if err != nil || b.Method != MethodManual || b.OALoginID != "zhangsan" {
		t.Fatalf("bind = %+v, %v", b, err)
	}
	c, _ = f.svc.GetCard("c1", "zhangsan@demo")
	if c.Binding == nil || c.OA == nil || c.OA.LoginID != "zhangsan" || c.OADept != "技术中心" || !c.Binding.At.Equal(t0) {
		t.Fatalf("card after bind = %+v", c)
	}
	if cands, _ := f.svc.SearchOAUsers("c1", "zhangsan", 10); cands[0].BoundTo != "zhangsan@demo" {
		t.Fatalf("picker does not show the holder: %+v", cands)
	}
	_, err = f.svc.BindUser("c1", "lisi@demo", "1")
	wantKind(t, err, core.ErrBindingOAUserTaken)
	_, err = f.svc.BindUser("c1", "lisi@demo", "7")
	wantKind(t, err, core.ErrBindingOAUserLeft)
	_, err = f.svc.BindUser("c1", "lisi@demo", "404")
	wantKind(t, err, core.ErrBindingOAUserUnknown)
	// Rebind from the card.
	f.clock.Advance(time.Minute)
	if _, err := f.svc.BindUser("c1", "zhangsan@demo", "8"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.svc.UnbindUser("c1", "zhangsan@demo"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UnbindUser("c1", "zhangsan@demo")
	wantKind(t, err, core.ErrBindingNotBound)

	page, err := f.svc.ListAudit(AuditQuery{CorpID: "c1"})
	if err != nil || page.Total != 3 {
		t.Fatalf("audit = %+v, %v", page, err)
	}
	if e := page.Items[0]; e.Action != ActionUnbind || e.PrevOALoginID != "zhouba" || e.By != Admin {
		t.Errorf("newest entry = %+v", e)
	}
	if e := page.Items[1]; e.Action != ActionRebind || e.PrevOALoginID != "zhangsan" || e.OALoginID != "zhouba" {
		t.Errorf("rebind entry = %+v", e)
	}
	if p, _ := f.svc.ListAudit(AuditQuery{CorpID: "c1", Action: ActionBind}); p.Total != 1 {
		t.Errorf("action filter = %+v", p)
	}
	if p, _ := f.svc.ListAudit(AuditQuery{CorpID: "c1", Search: "ZHOUBA"}); p.Total != 2 {
		t.Errorf("search filter = %+v", p)
	}
	if p, _ := f.svc.ListAudit(AuditQuery{CorpID: "c1", From: "2026-11-25", To: "2026-11-30"}); p.Total != 0 {
		t.Errorf("date filter = %+v", p)
	}
	if p, _ := f.svc.ListAudit(AuditQuery{CorpID: "c1", Limit: 1, Offset: 2}); p.Total != 3 || len(p.Items) != 1 || p.Items[0].Action != ActionBind {
		t.Errorf("paging = %+v", p)
	}
	_, err = f.svc.ListAudit(AuditQuery{CorpID: "c1", From: "yesterday"})
	wantKind(t, err, core.ErrInvalidInput)

	list, err := f.svc.ListUsers(UserQuery{CorpID: "c1", Search: "138000000"})
	if err != nil || list.Total != 4 {
		t.Fatalf("list = %+v, %v", list, err)
	}
}

func TestBatchUnbindSnapshotAndRestore(t *testing.T) {
	f := newFixture(t)
	for u, o := range map[string]string{"zhangsan@demo": "1", "lisi@demo": "2", "zhouba@demo": "8"} {
		if _, err := f.svc.BindUser("c1", u, o); err != nil {
			t.Fatal(err)
		}
	}
	f.svc.BindUser("c2", "zhangsan@demo", "1")
	_, err := f.svc.UnbindAll("c1", "华为")
	wantKind(t, err, core.ErrBindingConfirmMismatch)
	snap, err := f.svc.UnbindAll("c1", " 华为演示 ")
	if err != nil || snap.Count != 3 || !snap.Complete {
		t.Fatalf("snapshot = %+v, %v", snap, err)
	}
	if o, _ := f.svc.Overview("c1"); o.Bound != 0 || o.Snapshots != 1 {
		t.Fatalf("after unbind all = %+v", o)
	}
	if o, _ := f.svc.Overview("c2"); o.Bound != 1 {
		t.Fatal("another corp was unbound")
	}
	// Meanwhile lisi's OA user is bound to someone else: that one is skipped.
	f.svc.BindUser("c1", "wangwu@demo", "2")
	got, err := f.svc.RestoreSnapshot(snap.ID)
	if err != nil || got.Restored != 2 || got.Skipped != 1 || got.RestoredAt.IsZero() {
		t.Fatalf("restore = %+v, %v", got, err)
	}
	f.db.View(func(tx *store.Tx) error {
		b, ok, _ := ForWeLinkUser(tx, "c1", "zhangsan@demo")
		if !ok || b.Method != MethodRestore || b.Detail != MethodManual {
			t.Errorf("restored = %+v", b)
		}
		return nil
	})
	_, err = f.svc.RestoreSnapshot(snap.ID)
	wantKind(t, err, core.ErrBindingSnapshotRestored)
	_, err = f.svc.RestoreSnapshot("nope")
	wantKind(t, err, core.ErrBindingSnapshotNotFound)
	if p, _ := f.svc.ListAudit(AuditQuery{CorpID: "c1", Method: MethodBatch}); p.Total != 3 {
		t.Errorf("batch audit = %d", p.Total)
	}
}

func TestCorpDeleteRemovesBindingData(t *testing.T) {
	f := newFixture(t)
	f.svc.BindUser("c1", "zhangsan@demo", "1")
	f.svc.BindUser("c2", "zhangsan@demo", "1")
	f.enableRules(t)
	f.svc.UnbindAll("c1", "华为演示")
	f.svc.BindUser("c1", "lisi@demo", "2")
	d := Dependent()
	mustUpdate(t, f.db, func(tx *store.Tx) error {
		uses, err := d.CorpUses(tx, "c1")
		if err != nil || len(uses) != 3 {
			t.Fatalf("uses = %+v, %v", uses, err)
		}
		return d.DeleteCorpData(tx, "c1")
	})
	f.db.View(func(tx *store.Tx) error {
		uses, _ := d.CorpUses(tx, "c1")
		if len(uses) != 0 {
			t.Errorf("left behind: %+v", uses)
		}
		for _, c := range []struct {
			name string
			n    func() (int, error)
		}{
			{"audit", func() (int, error) { return len(auditOf(t, f.db, "c1")), nil }},
			{"snapitems", func() (int, error) { n := 0; return n, snapItems.Each(tx, func(snapItem) error { n++; return nil }) }},
		} {
			if n, _ := c.n(); n != 0 {
				t.Errorf("%s: %d left", c.name, n)
			}
		}
		if n, _ := Bindings.Count(tx, "corp", "c2"); n != 1 {
			t.Error("another corp's binding was removed")
		}
		return nil
	})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestImportCSVValidatesEveryRow(t *testing.T) {
	f := newFixture(t)
	f.svc.BindUser("c1", "zhouba@demo", "8")
	f.svc.BindUser("c1", "zhengshi@demo", "9")
	csv := strings.Join([]string{
		"WeLink账号 userId,姓名 Name,OA匹配值 OA match value",
		"zhangsan@demo,张三,+86 138-0000-0001", // bind by mobile
		"lisi@demo,李四,",                      // empty: skipped
		"wangwu@demo,王五,13800000003",         // ambiguous
		"ghost@demo,鬼,13800000001",           // unknown user
		"zhaoliu@demo,赵六,13999999999",        // not found
		"sunqi@demo,孙七,13800000007",          // leaver: not found
		"wujiu@demo,吴九,same@demo.com",        // mobile field: not found
		"zhouba@demo,周八,",                    // empty
		"",
		"lisi@demo,李四,",
	}, "\r\n")
	prev, err := f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "a.csv", ContentBase64: b64(csv), MatchField: OAMobile})
	if err != nil {
		t.Fatal(err)
	}
	if prev.Rows != 9 || prev.Valid != 1 || prev.Encoding != "utf-8" {
		t.Fatalf("preview = %+v", prev)
	}
	want := map[int]string{3: RowAmbiguous, 4: RowUnknownUser, 5: RowNotFound, 6: RowNotFound, 7: RowNotFound}
	if len(prev.Problems) != len(want) {
		t.Fatalf("problems = %+v", prev.Problems)
	}
	for _, p := range prev.Problems {
		if want[p.Row-1] != p.Status {
			t.Errorf("row %d: %s, want %s", p.Row, p.Status, want[p.Row-1])
		}
	}

	// By login id: taken, duplicates, rebind, unchanged.
	csv2 := "OA匹配值 OA match value,WeLink账号 userId\n" + strings.Join([]string{
		"ZhangSan,zhangsan@demo", // bind (login ids are case-insensitive)
		"same,wujiu@demo",        // taken by zhengshi
		"lisi,lisi@demo",         // duplicate user (row 5 too)
		"wangwu,lisi@demo",
		"zhaoliu,zhaoliu@demo", // duplicate OA user with row 7
		"zhaoliu,wangwu@demo",
		"zhangsan,zhouba@demo", // zhouba is bound to 8: rebind... but zhangsan is row 2's: duplicate OA
		"zhouba,zhouba@demo",   // also zhouba: duplicate user
	}, "\n")
	prev, err = f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "b.csv", ContentBase64: b64(csv2), MatchField: OALoginID})
	if err != nil {
		t.Fatal(err)
	}
	status := map[int]string{}
	for _, p := range prev.Problems {
		status[p.Row] = p.Status
	}
	for _, p := range prev.Sample {
		status[p.Row] = p.Status
	}
	wantStatus := map[int]string{3: RowTaken, 4: RowDuplicateUser, 5: RowDuplicateUser, 6: RowDuplicateOA, 7: RowDuplicateOA,
		8: RowDuplicateOA, 9: RowDuplicateUser}
	for row, st := range wantStatus {
		if status[row] != st {
			t.Errorf("row %d: %q, want %q", row, status[row], st)
		}
	}
	// Row 2 points at zhangsan too (row 8): duplicate as well; nothing valid is left.
	if prev.Valid != 0 {
		t.Errorf("valid = %d (%+v)", prev.Valid, prev.Sample)
	}

	// Bad input.
	_, err = f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "c.csv", ContentBase64: b64("a,b\n1,2\n"), MatchField: OALoginID})
	wantKind(t, err, core.ErrBindingImportColumns)
	_, err = f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "c.xls", ContentBase64: b64("x"), MatchField: OALoginID})
	wantKind(t, err, core.ErrBindingImportFormat)
	_, err = f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "c.xlsx", ContentBase64: b64("PK\x03\x04garbage"), MatchField: OALoginID})
	wantKind(t, err, core.ErrBindingImportFormat)
	_, err = f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "c.csv", ContentBase64: "***", MatchField: OALoginID})
	wantKind(t, err, core.ErrBindingImportFormat)
	_, err = f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "c.csv", ContentBase64: b64(csv), MatchField: "name"})
	wantKind(t, err, core.ErrBindingFieldUnknown)
}

func TestApplyStopsBetweenChunksWhenCanceled(t *testing.T) {
	f := newFixture(t)
	_, j, err := f.svc.startJob("import", 2)
	if err != nil {
		t.Fatal(err)
	}
	// One long job at a time.
	_, err = f.svc.ExportUsers("c1")
	wantKind(t, err, core.ErrBindingBusy)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := f.svc.applyChanges(ctx, j, "c1", MethodImport, []change{
		{Row: 2, WeLinkUserID: "zhangsan@demo", OAUserID: "1", OALoginID: "zhangsan"},
		{Row: 3, WeLinkUserID: "lisi@demo", OAUserID: "2", OALoginID: "lisi"},
	})
	f.svc.endJob(j, nil)
	if !res.Canceled || res.NotApplied != 2 || res.Applied != 0 {
		t.Fatalf("result = %+v", res)
	}
	if o, _ := f.svc.Overview("c1"); o.Bound != 0 {
		t.Fatal("a canceled apply wrote bindings")
	}
	if ok, _ := f.svc.CancelJob(); ok {
		t.Fatal("no job should be running")
	}
}
