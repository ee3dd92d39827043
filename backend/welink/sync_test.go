package welink_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cloudbridge/backend/welink"
)

func TestRealtimeSync(t *testing.T) {
	e, _ := orgEnv(t, 100)
	ctx := context.Background()
	top := must[welink.Department](t)(e.app.CreateDepartment(ctx, welink.DeptInput{CorpDeptCode: "OA-100", CorpParentCode: "0", DeptNameCn: "云桥测试部", DeptNameEn: "Bridge Test", OrderNo: "5"}))
	if top.DeptCode == "" || top.CorpDeptCode != "OA-100" || top.ParentCode != "0" {
		t.Fatalf("created department %+v", top)
	}
	sub := must[welink.Department](t)(e.app.CreateDepartment(ctx, welink.DeptInput{CorpDeptCode: "OA-101", CorpParentCode: "OA-100", DeptNameCn: "一组"}))
	if sub.ParentCode != top.DeptCode || sub.DeptAllNameCn != "云桥测试部>>一组" {
		t.Fatalf("sub department %+v", sub)
	}
	if _, err := e.app.CreateDepartment(ctx, welink.DeptInput{CorpDeptCode: "OA-102", CorpParentCode: "OA-100", DeptNameCn: "一组"}); welink.CodeOf(err) != "47008" {
		t.Fatalf("same-named sibling: %v", err)
	}

	u := must[welink.UserWriteResult](t)(e.app.CreateUser(ctx, welink.UserInput{CorpUserID: "oa-zhangsan", UserNameCn: "张三", UserNameEn: "San Zhang",
		MobileNumber: "+86-13900000001", CorpDeptCodes: []string{"OA-101"}, UserEmail: "zhangsan@example.com"}))
	if u.UserID == "" || u.CorpUserID != "oa-zhangsan" {
		t.Fatalf("created user %+v", u)
	}
	if _, err := e.app.CreateUser(ctx, welink.UserInput{UserNameCn: "重复", MobileNumber: "+86-13900000001", CorpDeptCodes: []string{"OA-101"}}); welink.CodeOf(err) != "47008" {
		t.Fatalf("duplicate mobile: %v", err)
	}
	if _, err := e.app.CreateUser(ctx, welink.UserInput{UserNameCn: "坏号码", MobileNumber: "13900000002", CorpDeptCodes: []string{"OA-101"}}); welink.CodeOf(err) != "47004" {
		t.Fatalf("mobile without +86-: %v", err)
	}
	must[welink.UserWriteResult](t)(e.app.UpdateUser(ctx, welink.UserInput{CorpUserID: "oa-zhangsan", Position: "经理", CorpDeptCodes: []string{"OA-100", "OA-101"}}))
	got := must[welink.User](t)(e.app.User(ctx, welink.UserKey{CorpUserID: "oa-zhangsan"}))
	if got.Position != "经理" || len(got.DeptCodes) != 2 || got.MainDeptCode != top.DeptCode {
		t.Fatalf("updated user %+v", got)
	}

	// The bound mobile changes at most three times a day.
	for i := range 3 {
		if err := e.app.ChangeMobile(ctx, welink.UserKey{UserID: u.UserID}, fmt.Sprintf("+86-1390000010%d", i)); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	if err := e.app.ChangeMobile(ctx, welink.UserKey{UserID: u.UserID}, "+86-13900000109"); welink.CodeOf(err) != "47008" {
		t.Fatalf("fourth change in 24 h: %v", err)
	}
	e.clock.Advance(24*time.Hour + time.Minute)
	if err := e.app.ChangeMobile(ctx, welink.UserKey{CorpUserID: "oa-zhangsan"}, "+86-13900000109"); err != nil {
		t.Fatalf("change the next day: %v", err)
	}

	if err := e.app.DeleteDepartment(ctx, welink.DeptKey{CorpDeptCode: "OA-101"}); welink.CodeOf(err) != "47008" {
		t.Fatalf("deleting a department with people: %v", err)
	}
	must[welink.UserWriteResult](t)(e.app.DeleteUser(ctx, welink.UserKey{CorpUserID: "oa-zhangsan"}, true))
	if _, err := e.app.User(ctx, welink.UserKey{UserID: u.UserID}); welink.CodeOf(err) != "47012" {
		t.Fatalf("deleted user still there: %v", err)
	}
	if err := e.app.DeleteDepartment(ctx, welink.DeptKey{DeptCode: sub.DeptCode}); err != nil {
		t.Fatal(err)
	}
	upd := must[welink.Department](t)(e.app.UpdateDepartment(ctx, welink.DeptInput{DeptCode: top.DeptCode, DeptNameCn: "云桥测试中心"}))
	if upd.DeptNameCn != "云桥测试中心" {
		t.Fatalf("renamed department %+v", upd)
	}
}

func TestBatchJobs(t *testing.T) {
	e, _ := orgEnv(t, 100)
	ctx := context.Background()
	must[[]string](t)(e.app.BatchDepartments(ctx, welink.BatchCreate, []welink.DeptInput{
		{CorpDeptCode: "B-1", CorpParentCode: "0", DeptNameCn: "批量部门"},
		{CorpDeptCode: "B-2", CorpParentCode: "B-1", DeptNameCn: "批量子部门"}, // parent made earlier in the same job
	}))
	var users []welink.UserInput
	for i := range 150 {
		users = append(users, welink.UserInput{CorpUserID: fmt.Sprintf("b%03d", i), UserNameCn: fmt.Sprintf("批量%d", i),
			MobileNumber: fmt.Sprintf("+86-1370000%04d", i), CorpDeptCodes: []string{"B-2"}})
	}
	users[149].MobileNumber = "bad" // one record fails inside the job
	jobs := must[[]string](t)(e.app.BatchUsers(ctx, welink.BatchCreate, users))
	if len(jobs) != 2 {
		t.Fatalf("150 users in %d jobs, want 2 (100 per request)", len(jobs))
	}
	res := must[welink.BatchResult](t)(e.app.BatchResult(ctx, jobs[0]))
	if res.Done() || res.Total != 100 {
		t.Fatalf("job done at once: %+v", res)
	}
	e.clock.Advance(3 * time.Second) // the emulator finishes jobs 2 s after submission
	res = must[welink.BatchResult](t)(e.app.WaitBatch(ctx, jobs[1], time.Millisecond))
	if !res.Done() || len(res.Data) != 50 || res.Data[49].OK() || res.Data[49].Code != "47004" || !res.Data[0].OK() {
		t.Fatalf("job result %+v", res)
	}
	ids := must[map[string]string](t)(e.app.UserIDs(ctx, []string{"b000", "b120", "b149"}))
	if len(ids) != 2 {
		t.Fatalf("created users found: %v", ids)
	}
	if _, err := e.app.BatchResult(ctx, "no-such-job"); welink.CodeOf(err) != "47012" {
		t.Fatalf("unknown job: %v", err)
	}
}

func TestBatchV2AndSoftDelete(t *testing.T) {
	e, org := orgEnv(t, 100)
	ctx := context.Background()
	jobs := must[[]string](t)(e.app.BatchDepartmentsV2(ctx, welink.BatchCreate, []welink.DeptInput{{CorpDeptCode: "V2-1", ParentCode: "0", DeptNameCn: "二代部门"}}))
	e.clock.Advance(3 * time.Second)
	if res := must[welink.BatchResult](t)(e.app.BatchResult(ctx, jobs[0])); !res.Done() || !res.Data[0].OK() || res.Data[0].DeptCode == "" {
		t.Fatalf("v2 batch %+v", res)
	}
	// Without isDeleteUser=1 the account stays, closed and out of every department.
	u := org.Users[3]
	must[welink.UserWriteResult](t)(e.app.DeleteUser(ctx, welink.UserKey{UserID: u.UserID}, false))
	got := must[welink.User](t)(e.app.User(ctx, welink.UserKey{UserID: u.UserID}))
	if got.UserStatus != "4" || len(got.DeptCodes) != 0 {
		t.Fatalf("soft-deleted user %+v", got)
	}
	// Parents of a user's departments (type 1).
	v := org.Users[5]
	chain := must[[]welink.Department](t)(e.app.DepartmentParentsV2(ctx, welink.ParentQuery{Type: 1, UserKey: welink.UserKey{UserID: v.UserID}}))
	if len(chain) == 0 || chain[0].ParentCode != "0" {
		t.Fatalf("user's department chain %+v", chain)
	}
}
