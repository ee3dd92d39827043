package app

import (
	"time"

	"cloudbridge/backend/dashboard"
	"cloudbridge/backend/syncer"
)

// wireDashboard binds the 总览 aggregation. It runs after wireSync: the next
// scheduled runs come from the sync service's in-memory scheduler.
func (a *App) wireDashboard() error {
	var next func(string) (map[string]time.Time, error)
	for _, s := range a.services {
		if sv, ok := s.(*syncer.Service); ok {
			next = sv.NextRuns
		}
	}
	a.bind(dashboard.New(a.DB, a.Tenant, a.clock, next))
	return nil
}
