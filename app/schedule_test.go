package app

import (
	"slices"
	"testing"
	"time"

	"cloudbridge/backend/backup"
)

// Every area's jobs run on the one scheduler.
func TestOneSchedulerRunsEverySchedule(t *testing.T) {
	a := openApp(t, t.TempDir())
	var svc *backup.Service
	for _, s := range a.Services() {
		if b, ok := s.(*backup.Service); ok {
			svc = b
		}
	}
	if _, err := svc.SaveBackupSettings(backup.Settings{Enabled: true, Time: "02:30", Keep: 7}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range a.sched.Jobs() {
		names = append(names, j.Name())
		if next, err := j.NextRun(); err != nil || !next.After(time.Now()) {
			t.Errorf("job %s: next run %v, %v", j.Name(), next, err)
		}
	}
	slices.Sort(names)
	want := []string{"apps-recheck", "audit-prune", "backup-daily", "binding-prune-attempts", "relay-housekeeping", "relay-retry"}
	if !slices.Equal(names, want) {
		t.Fatalf("jobs %v, want %v", names, want)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}
