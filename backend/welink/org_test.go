package welink_test

import (
	"context"
	"testing"

	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
	"cloudbridge/backend/welink/sim/orggen"
)

func TestReadOrgWhole(t *testing.T) {
	e, org := orgEnv(t, 3000)
	var progress []welink.ReadProgress
	got := must[*welink.Org](t)(e.app.ReadOrg(context.Background(), welink.ReadOrgOptions{
		Workers: 4, Progress: func(p welink.ReadProgress) { progress = append(progress, p) }}))
	if len(got.Departments) != len(org.Depts) || len(got.Users) != len(org.Users) {
		t.Fatalf("read %d depts / %d users, org has %d / %d", len(got.Departments), len(got.Users), len(org.Depts), len(org.Users))
	}
	want := map[string]int{}
	for _, u := range org.Users {
		want[u.UserID] = len(u.Depts)
	}
	for _, u := range got.Users {
		if n, ok := want[u.UserID]; !ok || len(u.DeptCodes) != n {
			t.Fatalf("user %s: %d departments, want %d", u.UserID, len(u.DeptCodes), n)
		}
	}
	if got.Scope == nil || !got.Scope.AllStaff() {
		t.Fatal("scope not read")
	}
	last := progress[len(progress)-1]
	if last.Users != len(org.Users) || last.DeptsDone != len(org.Depts) || last.Calls != got.Calls {
		t.Fatalf("last progress %+v, calls %d", last, got.Calls)
	}
}

func TestReadOrgPartialRange(t *testing.T) {
	e, org := orgEnv(t, 600)
	top := org.Depts[0].Code
	inTree := map[string]bool{top: true}
	for _, d := range org.Depts { // parents come before children
		if inTree[d.Parent] {
			inTree[d.Code] = true
		}
	}
	var extra []string
	wantUsers := map[string]bool{}
	for _, u := range org.Users {
		for _, d := range u.Depts {
			if inTree[d] {
				wantUsers[u.UserID] = true
			}
		}
	}
	for _, u := range org.Users {
		if !wantUsers[u.UserID] && len(extra) < 3 {
			extra = append(extra, u.UserID)
			wantUsers[u.UserID] = true
		}
	}
	e.sim.SetVisibleRange(appID, sim.VisibleRange{DeptCodes: []string{top}, UserIDs: extra})
	got := must[*welink.Org](t)(e.app.ReadOrg(context.Background(), welink.ReadOrgOptions{}))
	if len(got.Departments) != len(inTree) || len(got.Users) != len(wantUsers) {
		t.Fatalf("read %d depts / %d users, range has %d / %d", len(got.Departments), len(got.Users), len(inTree), len(wantUsers))
	}
}

func TestReadOrgFailsWhole(t *testing.T) {
	org := orggen.Generate(orggen.Spec{Users: 600, Seed: 11})
	e := newEnv(t, 0, func(so *sim.Options, co *welink.Options) {
		so.Org = org
		co.Retry.Attempts = 2
	})
	// Pages failing past the retries must fail the read, never return a
	// short org (P(no page fails) over ~60 pages is about 1e-8).
	e.sim.AddFault(sim.Fault{Path: "/contact/v2/user/list", Code: "500", Rate: 0.5})
	got, err := e.app.ReadOrg(context.Background(), welink.ReadOrgOptions{})
	if err == nil || got != nil {
		t.Fatalf("partial read passed: err=%v", err)
	}
	if welink.CodeOf(err) != "500" {
		t.Fatalf("err = %v, want WeLink's 500", err)
	}
}
