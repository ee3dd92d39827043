package app

import (
	"time"

	"cloudbridge/backend/dashboard"
	"cloudbridge/backend/syncer"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
)

// wireDashboard binds the 总览 aggregation. It runs after wireSync: the next
// scheduled runs come from the sync service's in-memory scheduler. The
// quota figures are read from the WeLink client in use (rebuilt when the
// base URL changes). It also runs the periodic light check of the apps
// (token and permissions) the dashboard shows: hourly, each app at most
// every tenant.RecheckEvery (6 h), the first pass two minutes after start.
func (a *App) wireDashboard() error {
	var next func(string) (map[string]time.Time, error)
	for _, s := range a.services {
		if sv, ok := s.(*syncer.Service); ok {
			next = sv.NextRuns
		}
	}
	quota := func() welink.QuotaSnapshot { return a.WeLink().QuotaSnapshot() }
	a.bind(dashboard.New(a.DB, a.Tenant, a.clock, next, quota))

	return a.every("apps-recheck", time.Hour, 2*time.Minute, func() {
		if n := tenant.RecheckApps(a.Tenant); n > 0 {
			a.log.Info("apps rechecked", "apps", n)
		}
	})
}
