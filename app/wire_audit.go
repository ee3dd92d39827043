package app

import (
	"context"
	"path"
	"reflect"
	"time"

	"cloudbridge/backend/audit"
	"cloudbridge/backend/backup"
	"cloudbridge/backend/store"
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
	a.recordMaintenance()

	return a.every("audit-prune", 24*time.Hour, time.Minute, func() {
		ctx, cancel := context.WithTimeout(a.ctx, 10*time.Minute)
		defer cancel()
		if n, err := a.audit.Prune(ctx); err != nil {
			a.log.Error("audit: pruning failed", "err", err)
		} else if n > 0 {
			a.log.Info("audit: old entries pruned", "removed", n)
		}
	})
}

// A restore or a key rotation is confirmed in the UI (recorded then) and
// applied at the next start, before the store opens. Its outcome is
// recorded here, once, by the process: after a restore this is the first
// entry of the restored store, whose log ends when its backup was made (the
// previous store, with its log, is kept beside it: the entry names it).
var maintenanceSeen = store.NewSingleton[time.Time]("audit.maintenance.seen")

var systemActions = []string{"backup.RestoreApplied", "backup.KeyRotationApplied"}

func (a *App) recordMaintenance() {
	n, err := backup.ReadNotice(a.cfg.DataDir)
	if err != nil || n == nil {
		return
	}
	err = a.DB.Update(func(tx *store.Tx) error {
		seen, _, err := maintenanceSeen.Get(tx)
		if err != nil || !n.At.After(seen) {
			return err
		}
		e := audit.Entry{At: n.At, Actor: audit.Actor{Kind: "system", Name: "cloudbridge"}, Outcome: audit.OutcomeOK}
		details := map[string]any{}
		switch n.Kind {
		case "restore":
			e.Action = "backup.RestoreApplied"
			details["source"], details["kept"] = n.Source, n.Kept
			if !n.Created.IsZero() {
				details["backupCreated"] = n.Created
			}
		case "rotate":
			e.Action = "backup.KeyRotationApplied"
			details["rolledBack"] = n.RolledBack
		default:
			return nil
		}
		if n.Error != nil {
			e.Outcome, e.ErrorParams = n.Error.Code, n.Error.Params
		}
		e.Args = audit.Redact(details)
		a.audit.Record(e)
		at := n.At
		return maintenanceSeen.Put(tx, &at)
	})
	if err != nil {
		a.log.Warn("audit: the start-up maintenance outcome was not recorded", "err", err)
	}
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
		out := append(append([]string(nil), authActions...), systemActions...)
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
