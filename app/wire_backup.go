package app

import (
	"path/filepath"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"cloudbridge/backend/backup"
	"cloudbridge/backend/configio"
	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// wireBackup wires backups (issue 9, item 2): the 系统设置 › 备份 tab's
// service and the daily backup job, rescheduled when the settings change.
func (a *App) wireBackup() error {
	sched := a.sched
	var (
		mu  sync.Mutex
		job gocron.Job
		run func()
	)
	apply := func(st backup.Settings) error {
		mu.Lock()
		defer mu.Unlock()
		if job != nil {
			if err := sched.RemoveJob(job.ID()); err != nil {
				return core.ErrInternal.Wrap(err)
			}
			job = nil
		}
		if !st.Enabled {
			return nil
		}
		h, m, err := backup.ParseTime(st.Time)
		if err != nil {
			return err
		}
		j, err := sched.NewJob(gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(uint(h), uint(m), 0))),
			gocron.NewTask(run), gocron.WithSingletonMode(gocron.LimitModeReschedule), gocron.WithName("backup-daily"))
		if err != nil {
			return core.ErrInternal.Wrap(err)
		}
		job = j
		return nil
	}
	svc := backup.NewService(a.ctx, a.DB, a.cfg.DataDir, a.cfg.Version, a.clock, a.log.With("service", "backup"), apply)
	run = backup.Scheduled(svc)
	_, keyInfo, err := store.LoadKey(a.cfg.DataDir, a.cfg.KeyStore)
	if err != nil {
		return err
	}
	backup.SetMaintenance(svc, backup.Maintenance{KeyStore: a.cfg.KeyStore, KeyStorage: keyInfo.Storage, RestartMode: restartMode(), Restart: a.restartSoon})
	backup.SetNextRun(svc, func() (time.Time, bool) {
		mu.Lock()
		defer mu.Unlock()
		if job == nil {
			return time.Time{}, false
		}
		t, err := job.NextRun()
		return t, err == nil && !t.IsZero()
	})
	var st backup.Settings
	if err := a.DB.View(func(tx *store.Tx) error { var e error; st, e = backup.LoadSettings(tx); return e }); err != nil {
		return err
	}
	if err := apply(st); err != nil {
		return err
	}
	a.bind(svc)
	// Configuration export/import shares the 备份 tab and the restart.
	a.bind(configio.NewService(a.ctx, a.DB, a.cfg.Version, a.clock, a.log.With("service", "configio"),
		[]configio.Extra{adminPasswordExtra()}, filepath.Join(a.cfg.DataDir, "tls"), a.restartSoon))
	return nil
}
