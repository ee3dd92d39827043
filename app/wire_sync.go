package app

import (
	"context"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/oaconfig"
	"cloudbridge/backend/store"
	"cloudbridge/backend/syncer"
)

// wireSync wires org sync (issue 5): the sync screens' service, the
// schedules (gocron, one run per corp and direction at a time) and the
// per-corp data a corp delete removes.
func (a *App) wireSync() error {
	eng := syncer.NewEngine(syncer.Options{
		DB: a.DB, WeLink: a.WeLink, Tenant: a.Tenant, Clock: a.clock, Log: a.log.With("service", "sync"),
		OA: func(ctx context.Context) (oa.Connector, error) { return a.OA.Connector(ctx) },
		SaveOASnapshot: func(org *oa.Org) error {
			_, err := oaconfig.ReplaceSnapshot(a.DB, org)
			return err
		},
		Binder: syncBinder{db: a.DB, clock: a.clock},
		Emit:   a.emit, // "sync:progress"
	})
	if err := eng.Recover(); err != nil {
		return err
	}
	sched := syncer.NewScheduler(a.ctx, eng, a.sched)
	svc := syncer.NewService(a.ctx, eng, sched.Apply)
	syncer.SetScheduler(svc, sched)
	if err := sched.Start(); err != nil {
		return err
	}
	a.closer = append([]func() error{func() error { syncer.Wait(svc); return nil }}, a.closer...)
	a.bind(svc)
	a.dependents.Add(syncer.Dependent())
	return nil
}

// syncBinder connects the sync engine to the binding package: the shared
// auto-binding switch and rules (one setting shown on three screens), and
// bindings written with their audit entries.
type syncBinder struct {
	db    *store.DB
	clock interface{ Now() time.Time }
}

func (b syncBinder) AutoBindEnabled(tx *store.Tx, corpID string) (bool, error) {
	s, err := binding.LoadSettings(tx, corpID)
	return s.AutoBind, err
}

// AutoBindNew runs the shared rules for new WeLink users, a few thousand
// per transaction (Badger caps the size of one).
func (b syncBinder) AutoBindNew(ctx context.Context, corpID string, users []directory.User) (int, error) {
	n := 0
	var idx *binding.OAIndex
	for start := 0; start < len(users); start += 2000 {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		part := users[start:min(start+2000, len(users))]
		stop := false
		err := b.db.Update(func(tx *store.Tx) error {
			if idx == nil {
				var err error
				if idx, err = binding.LoadOAIndex(tx); err != nil {
					return err
				}
			}
			res, err := binding.AutoBind(tx, corpID, part, idx, b.clock.Now())
			stop = res.Disabled
			n += res.Bound
			return err
		})
		if err != nil || stop {
			return n, err
		}
	}
	return n, nil
}

func (b syncBinder) Bind(tx *store.Tx, v binding.Binding) error {
	_, err := binding.Put(tx, v, false)
	return err
}

func (b syncBinder) Unbind(tx *store.Tx, corpID, welinkUserID string) error {
	_, err := binding.Unbind(tx, corpID, welinkUserID, binding.MethodSync, "sync", b.clock.Now())
	return err
}
