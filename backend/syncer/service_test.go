package syncer

import (
	"archive/zip"
	"bytes"
	"context"
	"github.com/go-co-op/gocron/v2"
	"testing"
	"time"

	"cloudbridge/backend/core"
)

func TestServiceBackgroundRunHistoryAndExport(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(func(s *Settings) { s.OA.Scope.Depts = []string{"sub:1"} })
	if _, err := e.svc.StartFromOA(e.corpID, true, false); err != nil {
		t.Fatal(err)
	}
	// A second start while the first runs is refused, not queued twice.
	if _, err := e.svc.StartFromOA(e.corpID, true, false); err != nil && !core.Of(err, core.ErrSyncRunning) {
		t.Fatal(err)
	}
	Wait(e.svc)
	page, err := e.svc.ListRuns(e.corpID, FromOA, 0, 10)
	if err != nil || page.Total == 0 {
		t.Fatalf("runs %+v %v", page, err)
	}
	r := page.Runs[0]
	if r.Status != StatusPlanned && r.Status != StatusSuperseded {
		t.Fatalf("run %+v", r)
	}
	for _, x := range page.Runs {
		if x.Status == StatusPlanned {
			r = x
		}
	}
	tree, err := e.svc.PlanTree(r.ID)
	if err != nil || len(tree) != 6 {
		t.Fatalf("plan tree %d %v", len(tree), err)
	}
	acts, err := e.svc.ListActions(r.ID, ActionFilter{Object: "user", Kind: ActCreate})
	if err != nil || acts.Total == 0 || acts.Actions[0].Kind != ActCreate {
		t.Fatalf("actions %+v %v", acts, err)
	}
	if got, _ := e.svc.ListActions(r.ID, ActionFilter{Query: "张三"}); got.Total != 1 {
		t.Fatalf("search 张三: %d", got.Total)
	}
	x, err := e.svc.ExportRun(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zip.NewReader(bytes.NewReader(x.Data), int64(len(x.Data))); err != nil {
		t.Fatalf("export is not an xlsx: %v", err)
	}
	if _, err := e.svc.Apply(r.ID, false); err != nil {
		t.Fatal(err)
	}
	Wait(e.svc)
	got, _ := e.svc.GetRun(r.ID)
	if got.Status != StatusDone || got.Counts.Failed != 0 {
		t.Fatalf("applied run %+v", got)
	}
	if _, err := e.svc.Apply(r.ID, false); !core.Of(err, core.ErrSyncNotApprovable) {
		t.Fatalf("applied twice: %v", err)
	}
	if _, err := e.svc.GetRun("nope"); !core.Of(err, core.ErrSyncRunNotFound) {
		t.Fatalf("missing run: %v", err)
	}
	info, err := e.svc.DirectoryTree(e.corpID)
	if err != nil || info.ReadOnly || len(info.Depts) < 6 {
		t.Fatalf("tree %+v %v", info, err)
	}
	linked := 0
	for _, d := range info.Depts {
		if d.Linked {
			linked++
		}
	}
	if linked != 6 {
		t.Fatalf("%d linked departments, want 6", linked)
	}
	people, err := e.svc.DirectoryUsers(e.corpID, "", "张三", 0, 10)
	if err != nil || people.Total != 1 || people.Users[0].Binding == nil || people.Users[0].Binding.OAUserID != "2" {
		t.Fatalf("person %+v %v", people, err)
	}
}

func TestCancelStopsARun(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	e.settings(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := e.eng.RunFromWeLink(ctx, e.corpID, TriggerManual)
	if err == nil || r.Status != StatusCancelled {
		t.Fatalf("cancelled run: %v %s", err, r.Status)
	}
	if ok, _ := e.svc.Cancel(e.corpID, FromWeLink); ok {
		t.Fatal("cancelled an idle direction")
	}
}

func TestSchedulerFollowsSettings(t *testing.T) {
	e := newEnv(t, seedWeLink(), 9)
	gs, err := gocron.NewScheduler(gocron.WithLocation(time.Local))
	if err != nil {
		t.Fatal(err)
	}
	gs.Start()
	defer gs.Shutdown()
	sc := NewScheduler(context.Background(), e.eng, gs)
	SetScheduler(e.svc, sc)
	e.svc.onSettings = sc.Apply
	if err := sc.Start(); err != nil {
		t.Fatal(err)
	}
	e.settings(func(s *Settings) {
		s.WeLink.Schedule = Schedule{Enabled: true, Kind: "interval", Minutes: 30}
		s.OA.Schedule = Schedule{Enabled: true, Kind: "daily", At: "03:15"}
	})
	next, _ := e.svc.NextRuns(e.corpID)
	if d := time.Until(next[FromWeLink]); d < 29*time.Minute || d > 31*time.Minute {
		t.Fatalf("welink next in %v", d)
	}
	if n := next[FromOA]; n.IsZero() || n.Hour() != 3 || n.Minute() != 15 {
		t.Fatalf("oa next %v", n)
	}
	// Read-only: the OA direction is never scheduled.
	e.settings(func(s *Settings) {
		s.Mode = ModeReadOnly
		s.OA.Schedule = Schedule{Enabled: true, Kind: "daily", At: "03:15"}
	})
	next, _ = e.svc.NextRuns(e.corpID)
	if _, ok := next[FromOA]; ok {
		t.Fatal("OA sync scheduled in read-only mode")
	}
}
