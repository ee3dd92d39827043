package tenant

import (
	"context"
	"time"

	"cloudbridge/backend/core"
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

// ProbeApp runs the permission probe and reads the visible range. Only a
// failure to get a token at all is an error; everything else is reported.
func (s *Service) ProbeApp(id string) (Probe, error) {
	wa, err := s.welinkApp(id)
	if err != nil {
		return Probe{}, err
	}
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
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
