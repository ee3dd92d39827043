package relay

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// Configuration export/import (backend/configio): the relay settings, the
// push rules and the OA systems allowed to push (their secrets apart).

// SystemConfig is an OA system in a configuration export.
type SystemConfig struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	SysCode    string   `json:"syscode"`
	Enabled    bool     `json:"enabled"`
	AllowedIPs []string `json:"allowedIps"`
	AuthMode   string   `json:"authMode"`
	PersonRule string   `json:"personRule"`
}

// RelayConfig is the relay's part of a configuration export.
type RelayConfig struct {
	Settings Config         `json:"settings"`
	Rules    []Rule         `json:"rules"`
	Systems  []SystemConfig `json:"systems"`
}

// ExportConfig returns the relay configuration and, by system id, the
// systems' secrets in clear.
func ExportConfig(db *store.DB, tx *store.Tx) (RelayConfig, map[string]string, error) {
	c, ok, err := configs.Get(tx)
	if err != nil {
		return RelayConfig{}, nil, err
	}
	if !ok {
		c = Defaults()
	}
	out := RelayConfig{Settings: c, Rules: []Rule{}, Systems: []SystemConfig{}}
	if out.Rules, err = rules.List(tx); err != nil {
		return RelayConfig{}, nil, err
	}
	if out.Rules == nil {
		out.Rules = []Rule{}
	}
	secrets := map[string]string{}
	err = systems.Each(tx, func(s OASystem) error {
		out.Systems = append(out.Systems, SystemConfig{ID: s.ID, Name: s.Name, SysCode: s.SysCode, Enabled: s.Enabled,
			AllowedIPs: s.AllowedIPs, AuthMode: s.AuthMode, PersonRule: s.PersonRule})
		p, err := db.Unseal(secretAAD(s.ID), s.Secret)
		if p != "" {
			secrets[s.ID] = p
		}
		return err
	})
	return out, secrets, err
}

// ImportConfig validates and stores the relay configuration with the rules
// of the UI. appCorp resolves a target's app to its corp in the same
// transaction. The engine reloads at the next start (the import restarts
// the app).
func ImportConfig(db *store.DB, tx *store.Tx, in RelayConfig, secrets map[string]string, appCorp func(string) (string, bool, error), now time.Time) error {
	c := in.Settings
	for _, f := range []struct {
		field     string
		v, lo, hi int
	}{{"bindWindowHours", c.BindWindowHours, 1, 24 * 30}, {"maxAttempts", c.MaxAttempts, 1, 50}, {"retentionDays", c.RetentionDays, 1, 3650}} {
		if f.v < f.lo || f.v > f.hi {
			return core.ErrRelayConfigInvalid.New("field", f.field, "min", strconv.Itoa(f.lo), "max", strconv.Itoa(f.hi))
		}
	}
	if err := configs.Put(tx, &c); err != nil {
		return err
	}
	for _, x := range in.Systems {
		if err := importSystem(db, tx, x, secrets[x.ID], now); err != nil {
			return err
		}
	}
	for _, r := range in.Rules {
		if err := importRule(tx, r, appCorp, now); err != nil {
			return err
		}
	}
	return nil
}

func importSystem(db *store.DB, tx *store.Tx, in SystemConfig, secret string, now time.Time) error {
	name := strings.Join(strings.Fields(in.Name), " ")
	code := strings.TrimSpace(in.SysCode)
	switch {
	case in.ID == "":
		return core.ErrRequired.New("field", "id")
	case name == "":
		return core.ErrRequired.New("field", "name")
	case utf8.RuneCountInString(name) > 64:
		return core.ErrTooLong.New("field", "name", "max", "64")
	case !sysCodeRe.MatchString(code):
		return core.ErrRelaySysCodeInvalid.New()
	}
	if in.AuthMode != AuthNone && in.AuthMode != AuthSecret && in.AuthMode != AuthHMAC {
		return core.ErrRelayAuthModeInvalid.New("mode", truncate(in.AuthMode, 20))
	}
	if in.PersonRule != PersonAuto && in.PersonRule != PersonID && in.PersonRule != PersonLoginID && in.PersonRule != PersonWorkCode {
		return core.ErrInvalidInput.New("field", "personRule")
	}
	if len(in.AllowedIPs) > 100 {
		return core.ErrTooLong.New("field", "allowedIps", "max", "100")
	}
	if _, err := parseNets(in.AllowedIPs); err != nil {
		return err
	}
	x, err := systems.Get(tx, in.ID)
	if isNotFound(err) {
		x = OASystem{ID: in.ID, CreatedAt: now}
	} else if err != nil {
		return err
	}
	x.Name, x.SysCode, x.Enabled, x.AllowedIPs, x.AuthMode, x.PersonRule, x.UpdatedAt = name, code, in.Enabled, in.AllowedIPs, in.AuthMode, in.PersonRule, now
	if secret != "" {
		if len(secret) > 256 {
			return core.ErrTooLong.New("field", "secret", "max", "256")
		}
		if x.Secret, err = db.Seal(secretAAD(x.ID), secret); err != nil {
			return err
		}
	}
	if x.AuthMode != AuthNone && !x.Secret.IsSet() {
		return core.ErrRelaySecretRequired.New()
	}
	return putSystem(tx, &x, code)
}

func importRule(tx *store.Tx, in Rule, appCorp func(string) (string, bool, error), now time.Time) error {
	if in.ID == "" {
		return core.ErrRequired.New("field", "id")
	}
	r, err := cleanRule(RuleInput{ID: in.ID, Name: in.Name, Enabled: in.Enabled, Source: in.Source, Targets: in.Targets}, txApps{appCorp})
	if err != nil {
		return err
	}
	old, err := rules.Get(tx, r.ID)
	switch {
	case isNotFound(err):
		r.CreatedAt = now
	case err != nil:
		return err
	default:
		r.CreatedAt = old.CreatedAt
	}
	r.UpdatedAt = now
	return putRule(tx, &r)
}

// txApps answers cleanRule's questions from the import's transaction.
type txApps struct {
	appCorp func(string) (string, bool, error)
}

func (a txApps) GetApp(id string) (tenant.AppView, error) {
	corp, ok, err := a.appCorp(id)
	if err != nil {
		return tenant.AppView{}, err
	}
	if !ok {
		return tenant.AppView{}, core.ErrAppNotFound.New()
	}
	var v tenant.AppView
	v.ID, v.CorpID, v.Name = id, corp, id
	return v, nil
}

func (a txApps) ListCorps() ([]tenant.CorpView, error) { return nil, nil }
