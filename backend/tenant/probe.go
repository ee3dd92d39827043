package tenant

import (
	"context"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// Probe tells, per permission the product's features need (seed §2.2),
// whether the app holds it, and shows the app's visible range.
type Probe struct {
	Permissions []welink.Permission `json:"permissions"`
	Scope       *Scope              `json:"scope,omitempty"`
	ScopeError  *core.Error         `json:"scopeError,omitempty"`
	Warnings    []string            `json:"warnings"`
}

// Scope summarises the app's visible range (/weopen/v1/userscope).
type Scope struct {
	AllStaff  bool `json:"allStaff"`
	DeptCount int  `json:"deptCount"`
	UserCount int  `json:"userCount"`
}

// ProbeResult is the last probe kept on the app for the dashboard: whether
// a token could be had (with WeLink's error when not), and the probe's
// answer when it could. By is "admin" (the button) or "schedule" (the
// periodic check).
type ProbeResult struct {
	At      time.Time   `json:"at"`
	By      string      `json:"by"`
	TokenOK bool        `json:"tokenOk"`
	Error   *core.Error `json:"error,omitempty"`
	Probe   *Probe      `json:"probe,omitempty"`
}

// Who ran a probe.
const (
	ProbeByAdmin    = "admin"
	ProbeBySchedule = "schedule"
)

// ProbeApp runs the permission probe and reads the visible range. Only a
// failure to get a token at all is an error; everything else is reported.
// Either way the outcome is kept on the app (LastProbe).
func (s *Service) ProbeApp(id string) (Probe, error) {
	return s.probe(id, ProbeByAdmin)
}

func (s *Service) probe(id, by string) (Probe, error) {
	wa, err := s.welinkApp(id)
	if err != nil {
		return Probe{}, err
	}
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	p, perr := runProbe(ctx, wa)
	res := ProbeResult{At: s.clock.Now().UTC(), By: by, TokenOK: perr == nil}
	if perr != nil {
		res.Error = core.AsError(perr)
	} else {
		res.Probe = &p
	}
	if s.ctx.Err() == nil { // not a shutdown cutting the probe short
		err = s.db.Update(func(tx *store.Tx) error {
			a, err := s.app(tx, id)
			if err != nil {
				return err
			}
			a.LastProbe = &res
			return apps.Put(tx, &a)
		})
	}
	s.log.Info("app probed", "app", id, "by", by, "tokenOk", res.TokenOK, "error", errCode(res.Error))
	if perr != nil {
		return Probe{}, perr
	}
	return p, err
}

func runProbe(ctx context.Context, wa *welink.App) (Probe, error) {
	perms, err := wa.Probe(ctx)
	if err != nil {
		return Probe{}, err
	}
	p := Probe{Permissions: perms, Warnings: []string{}}
	scope, err := wa.UserScope(ctx)
	if err != nil {
		p.ScopeError = core.AsError(err)
	} else {
		p.Scope = &Scope{AllStaff: scope.AllStaff(), DeptCount: len(scope.DeptCodes), UserCount: len(scope.UserIDs)}
		if !p.Scope.AllStaff {
			// Seed §4.2: a full sync needs the visible range to be everyone.
			p.Warnings = append(p.Warnings, "probe.warnings.scopeNotAll")
		}
	}
	for _, perm := range perms {
		if perm.Status == "denied" {
			p.Warnings = append(p.Warnings, "probe.warnings.denied."+perm.Key)
		}
	}
	return p, nil
}

// RecheckEvery is how old an app's last probe may get before the periodic
// check runs it again.
const RecheckEvery = 6 * time.Hour

// RecheckApps is the periodic light check (a package function, not bound
// to the UI): every app of an active corp whose last probe is older than
// RecheckEvery (or that never had one) is probed again, one app at a time.
// A probe is about a dozen calls, far inside WeLink's quotas. It returns how
// many apps it probed.
func RecheckApps(s *Service) int {
	var due []string
	cutoff := s.clock.Now().Add(-RecheckEvery)
	err := s.db.View(func(tx *store.Tx) error {
		return apps.Each(tx, func(a App) error {
			if CheckActive(tx, a.CorpID) != nil {
				return nil // being deleted: leave WeLink alone
			}
			if a.LastProbe == nil || a.LastProbe.At.Before(cutoff) {
				due = append(due, a.ID)
			}
			return nil
		})
	})
	if err != nil {
		s.log.Error("app recheck: cannot list apps", "err", err)
		return 0
	}
	n := 0
	for _, id := range due {
		if s.ctx.Err() != nil {
			break
		}
		if _, err := s.probe(id, ProbeBySchedule); err != nil && !isWeLinkVerdict(err) {
			s.log.Warn("app recheck failed", "app", id, "err", err)
		}
		n++
	}
	return n
}

// isWeLinkVerdict: a token refusal or network trouble is the probe's
// result (stored on the app), not a failure of the check itself.
func isWeLinkVerdict(err error) bool {
	code := core.AsError(err).Code
	return len(code) > 7 && code[:7] == "welink."
}
