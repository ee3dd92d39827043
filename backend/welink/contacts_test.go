package welink_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
	"cloudbridge/backend/welink/sim/orggen"
)

// orgEnv is an env over an org generated here, so tests know its shape.
func orgEnv(t *testing.T, users int) (*env, *orggen.Org) {
	org := orggen.Generate(orggen.Spec{Users: users, Seed: 11})
	e := newEnv(t, 0, func(so *sim.Options, _ *welink.Options) { so.Org = org })
	return e, org
}

// biggest returns the department with the most members and its size.
func biggest(org *orggen.Org) (string, int) {
	n := map[string]int{}
	for _, u := range org.Users {
		for _, d := range u.Depts {
			n[d]++
		}
	}
	best, size := "", 0
	for d, k := range n {
		if k > size || k == size && d < best {
			best, size = d, k
		}
	}
	return best, size
}

func TestDepartmentUsersAllPages(t *testing.T) {
	e, org := orgEnv(t, 600)
	ctx := context.Background()
	code, size := biggest(org)
	if size <= 100 {
		t.Fatalf("generator gave no department over two pages (max %d)", size)
	}
	full := must[[]welink.User](t)(e.app.DeptUsers(ctx, welink.DeptKey{DeptCode: code}))
	old := must[[]welink.UserV1](t)(e.app.DeptUsersV1(ctx, code))
	ids := must[[]welink.UserRef](t)(e.app.DeptUserIDs(ctx, code))
	simple := must[[]welink.UserRef](t)(e.app.DeptUserSimpleList(ctx, welink.DeptKey{DeptCode: code}))
	if len(full) != size || len(old) != size || len(ids) != size || len(simple) != size {
		t.Fatalf("dept %s has %d users; lists read %d/%d/%d/%d", code, size, len(full), len(old), len(ids), len(simple))
	}
	seen := map[string]bool{}
	for i, u := range full {
		if seen[u.UserID] {
			t.Fatalf("user %s read twice across pages", u.UserID)
		}
		seen[u.UserID] = true
		if old[i].UserID != u.UserID || ids[i].UserID != u.UserID || simple[i].UserID != u.UserID {
			t.Fatalf("lists disagree at %d", i)
		}
	}
	if pages := (size + 49) / 50; e.calls("GET /contact/v2/user/list") != int64(pages) {
		t.Fatalf("user/list calls = %d, want %d pages", e.calls("GET /contact/v2/user/list"), pages)
	}
	// Absent fields read as empty; present ones are all there.
	var withMail, withoutMail int
	for _, u := range full {
		if u.UserEmail == "" {
			withoutMail++
		} else {
			withMail++
		}
		if u.UserNameCn == "" || u.MainDeptCode == "" || len(u.DeptCodes) == 0 || u.CreationTime == "" {
			t.Fatalf("incomplete user %+v", u)
		}
	}
	if withMail == 0 || withoutMail == 0 {
		t.Fatalf("expected users with and without e-mail, got %d/%d", withMail, withoutMail)
	}
}

func TestDepartmentLists(t *testing.T) {
	e, org := orgEnv(t, 10000) // 1000 departments: subtrees over 100 need pages
	ctx := context.Background()
	top := must[[]welink.Department](t)(e.app.Departments(ctx, welink.DeptQuery{DeptKey: welink.DeptKey{DeptCode: "0"}}))
	var wantTop []string
	children := map[string][]string{}
	for _, d := range org.Depts {
		children[d.Parent] = append(children[d.Parent], d.Code)
		if d.Parent == "0" {
			wantTop = append(wantTop, d.Code)
		}
	}
	if len(top) != len(wantTop) {
		t.Fatalf("top departments %d, want %d", len(top), len(wantTop))
	}
	total := len(top)
	var paged bool
	for _, d := range top {
		if d.DeptLevel != 2 || d.ParentCode != "0" || d.DeptAllCode != d.DeptCode {
			t.Fatalf("top department %+v", d)
		}
		sub := must[[]welink.Department](t)(e.app.Departments(ctx, welink.DeptQuery{DeptKey: welink.DeptKey{DeptCode: d.DeptCode}, Recursive: true}))
		old := must[[]welink.DepartmentV1](t)(e.app.DepartmentsV1(ctx, d.DeptCode, true))
		if len(sub) != len(old) {
			t.Fatalf("new and old lists disagree under %s: %d vs %d", d.DeptCode, len(sub), len(old))
		}
		paged = paged || len(sub) > 100
		total += len(sub)
		for _, s := range sub {
			if !strings.HasPrefix(s.DeptAllCode, d.DeptCode+">>") {
				t.Fatalf("%s is not under %s: %s", s.DeptCode, d.DeptCode, s.DeptAllCode)
			}
		}
		direct := must[[]welink.DepartmentV1](t)(e.app.DepartmentsV1(ctx, d.DeptCode, false))
		if len(direct) != len(children[d.DeptCode]) {
			t.Fatalf("direct children of %s: %d, want %d", d.DeptCode, len(direct), len(children[d.DeptCode]))
		}
	}
	if total != len(org.Depts) {
		t.Fatalf("read %d departments, org has %d", total, len(org.Depts))
	}
	if !paged {
		t.Fatal("no subtree over one page: paging untested")
	}
	// Root cannot be listed recursively (documented).
	if _, err := e.app.Departments(ctx, welink.DeptQuery{DeptKey: welink.DeptKey{DeptCode: "0"}, Recursive: true}); welink.CodeOf(err) != "47004" {
		t.Fatalf("recursive root: %v", err)
	}
}

func TestDetails(t *testing.T) {
	e, org := orgEnv(t, 300)
	ctx := context.Background()
	var u orggen.User
	for _, x := range org.Users {
		if x.CorpUserID != "" && x.Mobile != "" && x.Email != "" && x.Status == "3" {
			u = x
			break
		}
	}
	byID := must[welink.User](t)(e.app.User(ctx, welink.UserKey{UserID: u.UserID}))
	byCorp := must[welink.User](t)(e.app.User(ctx, welink.UserKey{CorpUserID: u.CorpUserID}))
	byMobile := must[welink.User](t)(e.app.User(ctx, welink.UserKey{MobileNumber: u.Mobile}))
	if byID.UserID != u.UserID || byCorp.UserID != u.UserID || byMobile.UserID != u.UserID {
		t.Fatal("lookups by userId / corpUserId / mobile disagree")
	}
	if byID.MobileNumber != u.Mobile || byID.UserEmail != u.Email || byID.UserStatus != "3" || byID.UserNameCn != u.NameCn {
		t.Fatalf("user detail = %+v, want %+v", byID, u)
	}
	v1 := must[welink.UserV1](t)(e.app.UserV1(ctx, welink.UserKey{CorpUserID: u.CorpUserID}))
	v3 := must[welink.UserV1](t)(e.app.UserV3(ctx, welink.UserKey{UserID: u.UserID}))
	if v1.UserID != u.UserID || v1.DeptCode != u.MainDept || v3.Position != u.Position || len(v3.DeptInfo) == 0 {
		t.Fatalf("v1=%+v v3=%+v", v1, v3)
	}
	if _, err := e.app.User(ctx, welink.UserKey{UserID: "nobody@nowhere"}); welink.CodeOf(err) != "47012" {
		t.Fatalf("unknown user: %v", err)
	}

	// corpUserId → userId, more than one call's worth (50).
	var corp []string
	want := map[string]string{}
	for _, x := range org.Users {
		if x.CorpUserID != "" && len(corp) < 120 {
			corp = append(corp, x.CorpUserID)
			want[x.CorpUserID] = x.UserID
		}
	}
	corp = append(corp, "NO-SUCH-ID")
	got := must[map[string]string](t)(e.app.UserIDs(ctx, corp))
	if len(got) != 120 || got[corp[0]] != want[corp[0]] || e.calls("POST /contact/v1/users/accounts") != 3 {
		t.Fatalf("UserIDs: %d mapped in %d calls", len(got), e.calls("POST /contact/v1/users/accounts"))
	}

	paths := must[[]welink.DeptPath](t)(e.app.UserParents(ctx, welink.UserKey{UserID: u.UserID}))
	if len(paths) != len(u.Depts) || !strings.HasSuffix(paths[0].DeptAllCode, u.MainDept) {
		t.Fatalf("user parents = %+v", paths)
	}
	d := must[welink.Department](t)(e.app.Department(ctx, welink.DeptKey{DeptCode: u.MainDept}))
	dOld := must[welink.DepartmentV1](t)(e.app.DepartmentV1(ctx, u.MainDept))
	dp := must[[]welink.DeptPath](t)(e.app.DepartmentParents(ctx, welink.DeptKey{DeptCode: u.MainDept}))
	chain := must[[]welink.Department](t)(e.app.DepartmentParentsV2(ctx, welink.ParentQuery{Type: 0, DeptKey: welink.DeptKey{DeptCode: u.MainDept}}))
	if d.DeptCode != u.MainDept || dOld.Parent() != d.ParentCode || dp[0].DeptAllCode != d.DeptAllCode ||
		len(chain) != strings.Count(d.DeptAllCode, ">>")+1 || chain[len(chain)-1].DeptCode != d.DeptCode {
		t.Fatalf("department %+v / %+v / %+v / %d", d, dOld, dp, len(chain))
	}
	if d.CorpDeptCode != "" {
		byCorp := must[welink.Department](t)(e.app.Department(ctx, welink.DeptKey{CorpDeptCode: d.CorpDeptCode}))
		if byCorp.DeptCode != d.DeptCode {
			t.Fatal("department by corpDeptCode")
		}
	}
	if _, err := e.app.Department(ctx, welink.DeptKey{DeptCode: "404404"}); welink.CodeOf(err) != "47009" {
		t.Fatalf("unknown department: %v", err)
	}
}

func TestAppInfo(t *testing.T) {
	e, org := orgEnv(t, 300)
	ctx := context.Background()
	tn := must[welink.Tenant](t)(e.app.Tenant(ctx))
	if tn.TenantID != e.sim.TenantID() || tn.CompanyNameCn == "" || int(tn.RegisteredNumbers) != len(org.Users) {
		t.Fatalf("tenant = %+v", tn)
	}
	// The first user administers the tenant; a plain user answers 58003.
	adm := must[welink.AdminInfo](t)(e.app.IsAdmin(ctx, org.Users[0].UserID))
	if !adm.IsAdmin || adm.Roles[0] != "enterpriseAdmin" {
		t.Fatalf("admin = %+v", adm)
	}
	if adm := must[welink.AdminInfo](t)(e.app.IsAdmin(ctx, org.Users[5].UserID)); adm.IsAdmin {
		t.Fatalf("plain user is admin: %+v", adm)
	}
	sc := must[welink.UserScope](t)(e.app.UserScope(ctx))
	if !sc.AllStaff() {
		t.Fatalf("all-staff app: %+v", sc)
	}
	pu := must[[]welink.PermissionUser](t)(e.app.PermissionUsers(ctx))
	if len(pu) != len(org.Users) {
		t.Fatalf("permission users %d, want %d", len(pu), len(org.Users))
	}
}

func TestUserScopePages(t *testing.T) {
	e, org := orgEnv(t, 600)
	ctx := context.Background()
	var ids []string
	for _, u := range org.Users[:250] {
		ids = append(ids, u.UserID)
	}
	e.sim.SetVisibleRange(appID, sim.VisibleRange{DeptCodes: []string{org.Depts[0].Code}, UserIDs: ids})
	sc := must[welink.UserScope](t)(e.app.UserScope(ctx))
	if sc.AllStaff() || len(sc.UserIDs) != 250 || sc.UserTotal != 250 || len(sc.DeptCodes) != 1 {
		t.Fatalf("scope: allStaff=%v users=%d total=%d depts=%v", sc.AllStaff(), len(sc.UserIDs), sc.UserTotal, sc.DeptCodes)
	}
	if n := e.calls("GET /weopen/v1/userscope"); n != 3 {
		t.Fatalf("userscope calls = %d, want 3 pages", n)
	}
	sort.Strings(ids)
	got := append([]string(nil), sc.UserIDs...)
	sort.Strings(got)
	for i := range ids {
		if ids[i] != got[i] {
			t.Fatal("scope users differ")
		}
	}
}
