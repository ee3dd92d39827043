package app

import (
	"context"
	"path"
	"reflect"
	"time"

	"github.com/go-co-op/gocron/v2"

	"cloudbridge/backend/audit"
	"cloudbridge/backend/core"
)

// wireAudit wires the audit log (issue 9, item 3): the log every dispatched
// change is recorded in, the 系统设置 › 审计日志 tab's service, and the daily
// pruning to the retention limits. It runs last: the dispatcher built on
// first use sees every bound service.
// UI event: "audit:changed" after entries were stored.
func (a *App) wireAudit() error {
	a.audit = audit.New(audit.Options{
		DB: a.DB, Clock: a.clock, Log: a.log.With("service", "audit"),
		Written: func(int) { a.emit("audit:changed", nil) },
	})
	a.closer = append([]func() error{a.audit.Close}, a.closer...)
	a.bind(audit.NewService(a.audit, recordedActions(a)))

	sched, err := gocron.NewScheduler()
	if err != nil {
		return core.ErrInternal.Wrap(err)
	}
	prune := func() {
		ctx, cancel := context.WithTimeout(a.ctx, 10*time.Minute)
		defer cancel()
		if n, err := a.audit.Prune(ctx); err != nil {
			a.log.Error("audit: pruning failed", "err", err)
		} else if n > 0 {
			a.log.Info("audit: old entries pruned", "removed", n)
		}
	}
	_, err = sched.NewJob(gocron.DurationJob(24*time.Hour), gocron.NewTask(prune),
		gocron.WithSingletonMode(gocron.LimitModeReschedule), gocron.WithName("audit-prune"),
		gocron.WithStartAt(gocron.WithStartDateTime(a.clock.Now().Add(time.Minute))))
	if err != nil {
		sched.Shutdown()
		return core.ErrInternal.Wrap(err)
	}
	sched.Start()
	// Stop pruning before the log closes (closers run first to last).
	a.closer = append([]func() error{sched.Shutdown}, a.closer...)
	return nil
}

// Dispatcher is the one path from either transport to the bound services.
func (a *App) Dispatcher() *Dispatcher {
	a.dispOnce.Do(func() { a.disp = NewDispatcher(a.audit, a.clock, a.services...) })
	return a.disp
}

// recordedActions lists the audit log's action codes: every recorded bound
// method, and the headless login events.
func recordedActions(a *App) func() []string {
	return func() []string {
		out := append([]string(nil), authActions...)
		for _, name := range boundMethods(a.services) {
			if classify(name) == classWrite {
				out = append(out, name)
			}
		}
		return out
	}
}

// boundMethods lists "pkg.Method" for every method the dispatcher serves.
func boundMethods(services []any) []string {
	var out []string
	for _, s := range services {
		v := reflect.ValueOf(s)
		pkg := path.Base(v.Elem().Type().PkgPath())
		for i := 0; i < v.NumMethod(); i++ {
			out = append(out, pkg+"."+v.Type().Method(i).Name)
		}
	}
	return out
}
