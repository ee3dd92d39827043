// Package dashboard is the 总览 screen's read-only aggregation: per corp the
// apps' last credential check, the last and next sync per direction, the
// bound ratio, and the relay's hourly figures. It only reads what the other
// areas stored; nothing is estimated.
package dashboard

import (
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/relay"
	"cloudbridge/backend/store"
	"cloudbridge/backend/syncer"
	"cloudbridge/backend/tenant"
)

// Tenants lists corps and their apps (tenant.Service).
type Tenants interface {
	ListCorps() ([]tenant.CorpView, error)
	ListApps(corpID string) ([]tenant.AppView, error)
}

// Service is bound to the UI.
type Service struct {
	db      *store.DB
	tenants Tenants
	clock   core.Clock
	// next returns when each direction of a corp runs next by schedule
	// (the syncer's scheduler lives in memory, not in the store).
	next func(corpID string) (map[string]time.Time, error)
}

func New(db *store.DB, tenants Tenants, clock core.Clock, next func(corpID string) (map[string]time.Time, error)) *Service {
	return &Service{db: db, tenants: tenants, clock: clock, next: next}
}

// AppHealth is one app's last credential check. Permissions are not stored
// by the probe, so the UI links to the app page to run it.
type AppHealth struct {
	ID         string               `json:"id"`
	Name       string               `json:"name"`
	ClientID   string               `json:"clientId"`
	LastVerify *tenant.VerifyResult `json:"lastVerify,omitempty"`
}

// SyncState is one direction's last run and next scheduled time.
type SyncState struct {
	Last *syncer.Run `json:"last,omitempty"`
	Next *time.Time  `json:"next,omitempty"`
}

// CorpHealth is one corp's row on the dashboard.
type CorpHealth struct {
	ID    string               `json:"id"`
	Name  string               `json:"name"`
	Apps  []AppHealth          `json:"apps"`
	Sync  map[string]SyncState `json:"sync"`  // by direction (syncer.FromWeLink, syncer.FromOA)
	Users int                  `json:"users"` // local WeLink directory users
	Bound int                  `json:"bound"` // bindings of the corp
}

// Health is the whole dashboard below the counters.
type Health struct {
	Corps []CorpHealth `json:"corps"`
	// Push is the relay's last 24 hours; counters reach the store every
	// 10 s, so the current hour may lag by that much.
	Push relay.Figures `json:"push"`
	At   time.Time     `json:"at"`
}

// Health reads every corp's health and the relay's last 24 hours.
func (s *Service) Health() (Health, error) {
	h := Health{Corps: []CorpHealth{}, At: s.clock.Now()}
	corps, err := s.tenants.ListCorps()
	if err != nil {
		return h, err
	}
	for _, c := range corps {
		if c.Deleting {
			continue
		}
		ch, err := s.corp(c)
		if err != nil {
			return h, err
		}
		h.Corps = append(h.Corps, ch)
	}
	h.Push, err = relay.Metrics(s.db, h.At, 24)
	return h, err
}

func (s *Service) corp(c tenant.CorpView) (CorpHealth, error) {
	ch := CorpHealth{ID: c.ID, Name: c.Name, Apps: []AppHealth{}, Sync: map[string]SyncState{}}
	apps, err := s.tenants.ListApps(c.ID)
	if err != nil {
		return ch, err
	}
	for _, a := range apps {
		ch.Apps = append(ch.Apps, AppHealth{ID: a.ID, Name: a.Name, ClientID: a.ClientID, LastVerify: a.LastVerify})
	}
	var last map[string]syncer.Run
	err = s.db.View(func(tx *store.Tx) error {
		var err error
		if last, err = syncer.LastRuns(tx, c.ID); err != nil {
			return err
		}
		if ch.Users, err = directory.Users.Count(tx, "corp", c.ID); err != nil {
			return err
		}
		ch.Bound, err = binding.Bindings.Count(tx, "corp", c.ID)
		return err
	})
	if err != nil {
		return ch, err
	}
	next := map[string]time.Time{}
	if s.next != nil {
		if next, err = s.next(c.ID); err != nil {
			return ch, err
		}
	}
	for _, dir := range []string{syncer.FromWeLink, syncer.FromOA} {
		var st SyncState
		if r, ok := last[dir]; ok {
			st.Last = &r
		}
		if t, ok := next[dir]; ok && !t.IsZero() {
			st.Next = &t
		}
		ch.Sync[dir] = st
	}
	return ch, nil
}
