package app

import (
	"time"

	"github.com/go-co-op/gocron/v2"

	"cloudbridge/backend/core"
)

// One gocron scheduler runs every schedule of the installation: syncs,
// backups, delivery retries, housekeeping. Areas add their jobs while they
// wire; it starts once everything is wired and stops first on Close, before
// the services its jobs call and the store.

func newScheduler() (gocron.Scheduler, error) {
	s, err := gocron.NewScheduler(gocron.WithLocation(time.Local))
	if err != nil {
		return nil, core.ErrInternal.Wrap(err)
	}
	return s, nil
}

// every runs task every interval under a name, never two runs at once (a
// run still going makes the next one wait). first, when set, is the delay
// before the first run (default: one interval).
func (a *App) every(name string, interval, first time.Duration, task func()) error {
	opts := []gocron.JobOption{gocron.WithSingletonMode(gocron.LimitModeReschedule), gocron.WithName(name)}
	if first > 0 {
		opts = append(opts, gocron.WithStartAt(gocron.WithStartDateTime(time.Now().Add(first))))
	}
	if _, err := a.sched.NewJob(gocron.DurationJob(interval), gocron.NewTask(task), opts...); err != nil {
		return core.ErrInternal.Wrap(err)
	}
	return nil
}
