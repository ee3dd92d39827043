package syncer

import (
	"context"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/welink"
)

func (e *env) welinkApp() *welink.App {
	return e.eng.o.WeLink().App(welink.Credentials{ClientID: testClientID, ClientSecret: testSecret})
}

func wantKind(t *testing.T, err error, k core.Kind) {
	t.Helper()
	if !core.Of(err, k) {
		t.Fatalf("got %v, want %s", err, k.Code)
	}
}

// Read-only: every org edit is refused before WeLink is called.
func TestLocalEditsRefusedInReadOnlyMode(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(nil)
	ctx := context.Background()
	if _, err := e.eng.RunFromWeLink(ctx, e.corpID, TriggerManual); err != nil {
		t.Fatal(err)
	}
	e.settings(func(s *Settings) { s.Mode = ModeReadOnly })
	before := e.wl.State()
	_, err := e.svc.CreateDept(DeptEdit{CorpID: e.corpID, ParentCode: "1000001", Name: "新部门"})
	wantKind(t, err, core.ErrSyncReadOnly)
	_, err = e.svc.UpdateDept(DeptEdit{CorpID: e.corpID, Code: "1000002", ParentCode: "1000001", Name: "部门A2"})
	wantKind(t, err, core.ErrSyncReadOnly)
	wantKind(t, e.svc.DeleteDept(e.corpID, "1000003"), core.ErrSyncReadOnly)
	_, err = e.svc.CreateUser(UserEdit{CorpID: e.corpID, NameCn: "新人", Mobile: "13912345678", Depts: []string{"1000002"}})
	wantKind(t, err, core.ErrSyncReadOnly)
	_, err = e.svc.UpdateUser(UserEdit{CorpID: e.corpID, UserID: "zhangsan@t", NameCn: "张三丰", Depts: []string{"1000002"}})
	wantKind(t, err, core.ErrSyncReadOnly)
	wantKind(t, e.svc.DeleteUser(e.corpID, "zhangsan@t"), core.ErrSyncReadOnly)
	if after := e.wl.State(); after.Users != before.Users || after.Departments != before.Departments {
		t.Fatalf("WeLink changed in read-only mode: %+v → %+v", before, after)
	}
	if u := e.localUsers()["zhangsan@t"]; u.NameCn != "张三" || u.Status == "4" {
		t.Fatalf("local changed: %+v", u)
	}
}

// Read-write: departments and people are created, changed and deleted in
// WeLink and locally; a refusal (by the checks or by WeLink) changes
// neither; afterwards a pull from WeLink finds nothing to change.
func TestLocalEditsGoToWeLinkThenLocal(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(nil)
	ctx := context.Background()
	if _, err := e.eng.RunFromWeLink(ctx, e.corpID, TriggerManual); err != nil {
		t.Fatal(err)
	}
	app := e.welinkApp()

	// Departments.
	d, err := e.svc.CreateDept(DeptEdit{CorpID: e.corpID, ParentCode: "1000001", Name: " 研发部 ", Order: 5})
	if err != nil {
		t.Fatal(err)
	}
	if d.Code == "" || d.Name != "研发部" || d.Level != 2 || d.ParentCode != "1000001" {
		t.Fatalf("created %+v", d)
	}
	if w, err := app.Department(ctx, welink.DeptKey{DeptCode: d.Code}); err != nil || w.DeptNameCn != "研发部" || w.ParentCode != "1000001" {
		t.Fatalf("in WeLink: %+v %v", w, err)
	}
	n := e.wl.State().Departments
	_, err = e.svc.CreateDept(DeptEdit{CorpID: e.corpID, ParentCode: "1000001", Name: "部门A"})
	wantKind(t, err, core.ErrSyncDeptNameTaken)
	_, err = e.svc.CreateDept(DeptEdit{CorpID: e.corpID, ParentCode: "1000001", Name: "  "})
	wantKind(t, err, core.ErrSyncEditRequired)
	_, err = e.svc.CreateDept(DeptEdit{CorpID: e.corpID, ParentCode: "999", Name: "x"})
	wantKind(t, err, core.ErrSyncDeptNotFound)
	_, err = e.svc.CreateDept(DeptEdit{CorpID: e.corpID, ParentCode: "1000001", Name: "x", Order: 1000})
	wantKind(t, err, core.ErrSyncEditOrder)
	if e.wl.State().Departments != n {
		t.Fatal("a refused department reached WeLink")
	}
	// Move 研发部 under 其他部门 and rename it; a move under itself is refused.
	d, err = e.svc.UpdateDept(DeptEdit{CorpID: e.corpID, Code: d.Code, ParentCode: "1000003", Name: "研发中心"})
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := app.Department(ctx, welink.DeptKey{DeptCode: d.Code}); w.DeptNameCn != "研发中心" || w.ParentCode != "1000003" {
		t.Fatalf("moved in WeLink: %+v", w)
	}
	_, err = e.svc.UpdateDept(DeptEdit{CorpID: e.corpID, Code: "1000001", ParentCode: "1000002", Name: "演示部门"})
	wantKind(t, err, core.ErrSyncDeptCycle)
	// 部门A has people: not deleted.
	wantKind(t, e.svc.DeleteDept(e.corpID, "1000002"), core.ErrSyncDeptNotEmpty)

	// People.
	_, err = e.svc.CreateUser(UserEdit{CorpID: e.corpID, NameCn: "赵六", Mobile: "12345", Depts: []string{d.Code}})
	wantKind(t, err, core.ErrSyncEditMobile)
	_, err = e.svc.CreateUser(UserEdit{CorpID: e.corpID, NameCn: "赵六", Mobile: "13912345678"})
	wantKind(t, err, core.ErrSyncEditNoDept)
	_, err = e.svc.CreateUser(UserEdit{CorpID: e.corpID, NameCn: "赵六", Mobile: "13912345678", Email: "not an address", Depts: []string{d.Code}})
	wantKind(t, err, core.ErrSyncEditEmail)
	users := e.wl.State().Users
	// WeLink refuses a second account with 张三's mobile: nothing changes locally.
	local := len(e.localUsers())
	_, err = e.svc.CreateUser(UserEdit{CorpID: e.corpID, NameCn: "冒名", Mobile: "+86-13800000002", Depts: []string{d.Code}})
	wantKind(t, err, core.ErrSyncWeLinkWrite)
	if e.wl.State().Users != users || len(e.localUsers()) != local {
		t.Fatal("a refused person was created")
	}
	p, err := e.svc.CreateUser(UserEdit{CorpID: e.corpID, NameCn: "赵六", Mobile: "139 1234 5678", Email: "zhaoliu@example.com",
		Position: "工程师", Depts: []string{d.Code, "1000002"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID == "" || p.Mobile != "+86-13912345678" || p.MainDept != d.Code || len(p.DeptNames) != 2 || p.DeptNames[0] != "研发中心" {
		t.Fatalf("created %+v", p)
	}
	// The getters the audit log reads before and after an edit.
	if g, err := e.svc.GetPerson(e.corpID, p.UserID); err != nil || g.NameCn != "赵六" || len(g.DeptNames) != 2 {
		t.Fatalf("GetPerson %+v %v", g, err)
	}
	if g, err := e.svc.GetDept(e.corpID, d.Code); err != nil || g.Name != "研发中心" || g.Users != 1 {
		t.Fatalf("GetDept %+v %v", g, err)
	}
	_, err = e.svc.GetPerson(e.corpID, "nobody")
	wantKind(t, err, core.ErrSyncUserNotFound)
	_, err = e.svc.GetDept(e.corpID, "")
	wantKind(t, err, core.ErrSyncDeptNotFound)
	if w, err := app.User(ctx, welink.UserKey{UserID: p.UserID}); err != nil || w.UserNameCn != "赵六" || w.MainDeptCode != d.Code {
		t.Fatalf("in WeLink: %+v %v", w, err)
	}
	p, err = e.svc.UpdateUser(UserEdit{CorpID: e.corpID, UserID: p.UserID, NameCn: "赵六六", Depts: []string{"1000002"}})
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := app.User(ctx, welink.UserKey{UserID: p.UserID}); w.UserNameCn != "赵六六" || w.MainDeptCode != "1000002" {
		t.Fatalf("changed in WeLink: %+v", w)
	}
	if u := e.localUsers()[p.UserID]; u.NameCn != "赵六六" || u.MainDept != "1000002" || u.Email != "zhaoliu@example.com" {
		t.Fatalf("changed locally: %+v", u)
	}
	_, err = e.svc.UpdateUser(UserEdit{CorpID: e.corpID, UserID: "nobody@t", NameCn: "x", Depts: []string{"1000002"}})
	wantKind(t, err, core.ErrSyncUserNotFound)

	// The department is empty now: deleted.
	if err := e.svc.DeleteDept(e.corpID, d.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Department(ctx, welink.DeptKey{DeptCode: d.Code}); err == nil {
		t.Fatal("still in WeLink")
	}
	if _, ok := e.localDepts()[d.Code]; ok {
		t.Fatal("still local")
	}
	if err := e.svc.DeleteUser(e.corpID, p.UserID); err != nil {
		t.Fatal(err)
	}
	if w, _ := app.User(ctx, welink.UserKey{UserID: p.UserID}); w.UserStatus != "4" {
		t.Fatalf("closed in WeLink: %+v", w)
	}
	if _, ok := e.localUsers()[p.UserID]; ok {
		t.Fatal("closed person still listed locally")
	}

	// The local directory and WeLink agree: a pull finds no change.
	r, err := e.eng.RunFromWeLink(ctx, e.corpID, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if acts := e.actions(r.ID); len(acts) != 0 {
		t.Fatalf("pull after the edits changed %d records: %+v", len(acts), acts)
	}
}
