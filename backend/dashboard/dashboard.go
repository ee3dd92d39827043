// Package dashboard is the 总览 screen's read-only aggregation: per corp the
// apps' token state, permissions (the last probe) and quota use, the last
// and next sync per direction, the bound ratio, the relay's hourly figures
// and the free space of the data directory. It only reads what the other
// areas stored or measured; nothing is estimated.
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
	"cloudbridge/backend/welink"
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
	// quota reads the WeLink client's quota windows (nil: not shown).
	quota func() welink.QuotaSnapshot
}

func New(db *store.DB, tenants Tenants, clock core.Clock, next func(corpID string) (map[string]time.Time, error), quota func() welink.QuotaSnapshot) *Service {
	return &Service{db: db, tenants: tenants, clock: clock, next: next, quota: quota}
}

// AppHealth is one app's state: the newest token verdict (from the verify
// button or a probe), the last permission probe and the quota use.
type AppHealth struct {
	ID         string               `json:"id"`
	Name       string               `json:"name"`
	ClientID   string               `json:"clientId"`
	LastVerify *tenant.VerifyResult `json:"lastVerify,omitempty"`
	Token      *TokenState          `json:"token,omitempty"`
	LastProbe  *tenant.ProbeResult  `json:"lastProbe,omitempty"`
	Quota      []ClassQuota         `json:"quota"`
}

// TokenState is whether the app's credentials got a token the last time
// anything tried, with WeLink's error when not.
type TokenState struct {
	At     time.Time   `json:"at"`
	OK     bool        `json:"ok"`
	Error  *core.Error `json:"error,omitempty"`
	Source string      `json:"source"` // "verify" | "probe"
}

// tokenState picks the newer of the verify and the probe verdicts.
func tokenState(v *tenant.VerifyResult, p *tenant.ProbeResult) *TokenState {
	var t *TokenState
	if v != nil {
		t = &TokenState{At: v.At, OK: v.OK, Error: v.Error, Source: "verify"}
	}
	if p != nil && (t == nil || p.At.After(t.At)) {
		t = &TokenState{At: p.At, OK: p.TokenOK, Error: p.Error, Source: "probe"}
	}
	return t
}

// NearLimit is the share of a quota window from which the dashboard shows
// the bar in red.
const NearLimit = 0.8

// ClassQuota is one endpoint class of an app (auth, contacts, todo,
// message, other). WeLink counts its quota per API, so the bar shows the
// busiest API of the class in the minute window (1500 a minute is the
// quota a sustained load meets; the client paces bursts at the per-second
// limit on purpose, so a full second during a sync is normal and only
// shown beside it). The counters add up all the class's APIs since the
// WeLink client started.
type ClassQuota struct {
	Class       string     `json:"class"`
	API         string     `json:"api"`    // the busiest API this minute
	Window      string     `json:"window"` // "minute"
	Used        int        `json:"used"`
	Limit       int        `json:"limit"`
	Ratio       float64    `json:"ratio"`
	Near        bool       `json:"near"`      // Ratio ≥ NearLimit
	Second      int        `json:"second"`    // most calls of one API in the last second
	PerSecond   int        `json:"perSecond"` // its limit
	Calls       int64      `json:"calls"`
	Waits       int64      `json:"waits"`    // calls held back to stay inside a window
	WaitedMs    int64      `json:"waitedMs"` // time they waited
	Refused     int64      `json:"refused"`  // 48503 answers
	PausedUntil *time.Time `json:"pausedUntil,omitempty"`
}

var classOrder = []string{welink.ClassAuth, welink.ClassContacts, welink.ClassTodo, welink.ClassMessage, welink.ClassOther}

// classQuotas folds an app's per-API quota lines into one line per class.
func classQuotas(apis []welink.APIQuota) []ClassQuota {
	by := map[string]*ClassQuota{}
	for _, q := range apis {
		c := by[q.Class]
		if c == nil {
			c = &ClassQuota{Class: q.Class, Window: "minute", Ratio: -1}
			by[q.Class] = c
		}
		c.Calls += q.Calls
		c.Waits += q.Waits
		c.WaitedMs += q.WaitedMs
		c.Refused += q.Refused
		if q.PausedUntil != nil && (c.PausedUntil == nil || q.PausedUntil.After(*c.PausedUntil)) {
			c.PausedUntil = q.PausedUntil
		}
		if q.PerMinute > 0 {
			if r := float64(q.Minute) / float64(q.PerMinute); r > c.Ratio {
				c.Ratio, c.API, c.Used, c.Limit = r, q.API, q.Minute, q.PerMinute
			}
		}
		if q.Second >= c.Second {
			c.Second, c.PerSecond = q.Second, q.PerSecond
		}
	}
	out := []ClassQuota{}
	for _, k := range classOrder {
		if c := by[k]; c != nil {
			c.Ratio = max(c.Ratio, 0)
			c.Near = c.Ratio >= NearLimit
			out = append(out, *c)
		}
	}
	return out
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
	// Deleting are corps an interrupted delete left marked: they take no
	// new data until the delete is resumed in the WeLink list.
	Deleting []CorpRef `json:"deleting"`
	// Push is the relay's last 24 hours; counters reach the store every
	// 10 s, so the current hour may lag by that much.
	Push relay.Figures `json:"push"`
	// Disk is the data directory's free space (warning below Disk.Warn,
	// writes refused below Disk.MinFree); nil when it cannot be read.
	Disk *store.DiskSpace `json:"disk,omitempty"`
	// QuotaIP is the per-source-IP window all apps share.
	QuotaIP       *welink.QuotaIP `json:"quotaIp,omitempty"`
	QuotaDisabled bool            `json:"quotaDisabled,omitempty"`
	At            time.Time       `json:"at"`
}

// CorpRef names a corp.
type CorpRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Health reads every corp's health and the relay's last 24 hours.
func (s *Service) Health() (Health, error) {
	h := Health{Corps: []CorpHealth{}, Deleting: []CorpRef{}, At: s.clock.Now()}
	corps, err := s.tenants.ListCorps()
	if err != nil {
		return h, err
	}
	quota := map[string][]welink.APIQuota{}
	if s.quota != nil {
		snap := s.quota()
		h.QuotaIP, h.QuotaDisabled = &snap.IP, snap.Disabled
		for _, a := range snap.Apps {
			quota[a.ClientID] = a.APIs
		}
	}
	if d, err := s.db.Space(); err == nil && d.Dir != "" {
		h.Disk = &d
	}
	for _, c := range corps {
		if c.Deleting {
			h.Deleting = append(h.Deleting, CorpRef{ID: c.ID, Name: c.Name})
			continue
		}
		ch, err := s.corp(c, quota)
		if err != nil {
			return h, err
		}
		h.Corps = append(h.Corps, ch)
	}
	h.Push, err = relay.Metrics(s.db, h.At, 24)
	return h, err
}

func (s *Service) corp(c tenant.CorpView, quota map[string][]welink.APIQuota) (CorpHealth, error) {
	ch := CorpHealth{ID: c.ID, Name: c.Name, Apps: []AppHealth{}, Sync: map[string]SyncState{}}
	apps, err := s.tenants.ListApps(c.ID)
	if err != nil {
		return ch, err
	}
	for _, a := range apps {
		ch.Apps = append(ch.Apps, AppHealth{ID: a.ID, Name: a.Name, ClientID: a.ClientID, LastVerify: a.LastVerify,
			Token: tokenState(a.LastVerify, a.LastProbe), LastProbe: a.LastProbe, Quota: classQuotas(quota[a.ClientID])})
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
