package app

import (
	"context"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/oaconfig"
)

// wireBinding wires user binding (issue 6): the binding screen's service,
// the per-corp data a corp delete removes, and the hourly pruning of
// self-service lockout counters. Self-service binding has no route here:
// the SSO area's public binding page calls binding.SelfBind.
func (a *App) wireBinding() error {
	svc := binding.New(a.ctx, binding.Deps{
		DB: a.DB, Clock: a.clock, Log: a.log,
		// A 100k-row import stays under 300 MB resident (see binding.Deps).
		BulkMemoryLimit: 200 << 20,
		Emit:            a.emit, // "binding:progress"
		RefreshOA: func(ctx context.Context) (binding.OARefresh, error) {
			conn, err := a.OA.Connector(ctx)
			if err != nil {
				return binding.OARefresh{}, err
			}
			n, err := oaconfig.RefreshSnapshot(ctx, a.DB, conn)
			return binding.OARefresh{Users: n.Users, Departments: n.Departments, Leavers: n.Leavers, Removed: n.Removed}, err
		},
		CorpName: func(corpID string) (string, error) {
			corps, err := a.Tenant.ListCorps()
			if err != nil {
				return "", err
			}
			for _, c := range corps {
				if c.ID == corpID {
					return c.Name, nil
				}
			}
			return "", core.ErrCorpNotFound.New()
		},
	})
	a.bind(svc)
	a.dependents.Add(binding.Dependent())

	return a.every("binding-prune-attempts", time.Hour, 0, func() {
		if n, err := binding.PruneAttempts(a.DB, a.clock); err != nil {
			a.log.Error("binding: pruning lockout counters failed", "err", err)
		} else if n > 0 {
			a.log.Info("binding: lockout counters pruned", "removed", n)
		}
	})
}
