package syncer

import (
	"context"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant/tenanttest"
)

// A corp whose delete was interrupted runs no sync in either direction:
// manual starts, a scheduled run and the approval of a stored preview all
// refuse with corp.deleting, record no run and call nothing in WeLink.
func TestDeletingCorpRunsNoSync(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) { s.OA.Scope.Depts = []string{"sub:1"} })
	ctx := context.Background()
	plan, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{PreviewOnly: true})
	if err != nil || plan.Status != StatusPlanned {
		t.Fatalf("preview: %s %v", plan.Status, err)
	}
	countRuns := func() int {
		n := 0
		e.db.View(func(tx *store.Tx) error { var err error; n, err = runs.Count(tx, "corp", e.corpID); return err })
		return n
	}
	before, jobs, users := countRuns(), len(e.wl.Jobs()), len(e.localUsers())

	tenanttest.MarkDeleting(t, e.db, e.corpID)

	_, err = e.svc.StartFromWeLink(e.corpID)
	wantDeleting(t, "StartFromWeLink", err)
	_, err = e.svc.StartFromOA(e.corpID, false, false)
	wantDeleting(t, "StartFromOA", err)
	_, err = e.svc.Apply(plan.ID, true)
	wantDeleting(t, "Apply", err)
	// The scheduler and a queued approval call the engine directly.
	_, err = e.eng.RunFromWeLink(ctx, e.corpID, TriggerSchedule)
	wantDeleting(t, "scheduled RunFromWeLink", err)
	_, err = e.eng.RunFromOA(ctx, e.corpID, OARunOptions{Trigger: TriggerSchedule})
	wantDeleting(t, "scheduled RunFromOA", err)
	_, err = e.eng.ApplyRun(ctx, plan.ID, true)
	wantDeleting(t, "ApplyRun", err)

	if n := countRuns(); n != before {
		t.Fatalf("runs %d → %d for a corp being deleted", before, n)
	}
	if n := len(e.wl.Jobs()); n != jobs {
		t.Fatalf("WeLink batch jobs %d → %d", jobs, n)
	}
	if n := len(e.localUsers()); n != users {
		t.Fatalf("local directory %d → %d users", users, n)
	}
}

func wantDeleting(t *testing.T, what string, err error) {
	t.Helper()
	if !core.Of(err, core.ErrCorpDeleting) {
		t.Fatalf("%s: %v, want corp.deleting", what, err)
	}
}
