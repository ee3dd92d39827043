package relay

import (
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"cloudbridge/backend/core"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
)

// Service is bound to the UI: its exported methods are exactly the push
// screens' API (rules, OA systems, message log, resend, figures).
type Service struct{ e *Engine }

// Service returns the UI API of the engine.
func (e *Engine) Service() *Service { return &Service{e: e} }

// ---- rules ----

// ListRules returns every rule with corp and app names.
func (s *Service) ListRules() ([]RuleView, error) {
	var list []Rule
	err := s.e.db.View(func(tx *store.Tx) error { var err error; list, err = rules.List(tx); return err })
	if err != nil {
		return nil, err
	}
	return viewRules(list, s.e.apps), nil
}

// SaveRule creates (ID "") or replaces a rule with its targets, all at once
// (the editor's explicit 保存).
func (s *Service) SaveRule(in RuleInput) (RuleView, error) {
	r, err := cleanRule(in, s.e.apps)
	if err != nil {
		return RuleView{}, err
	}
	now := s.e.clock.Now()
	err = s.e.db.Update(func(tx *store.Tx) error {
		if r.ID == "" {
			r.ID, r.CreatedAt = core.NewID(), now
		} else {
			old, err := rules.Get(tx, r.ID)
			if isNotFound(err) {
				return core.ErrRelayRuleNotFound.New()
			}
			if err != nil {
				return err
			}
			r.CreatedAt = old.CreatedAt
		}
		r.UpdatedAt = now
		return putRule(tx, &r)
	})
	if err != nil {
		return RuleView{}, err
	}
	s.e.rulesDirty.Store(true)
	s.e.log.Info("relay: rule saved", "rule", r.ID, "name", r.Name, "targets", len(r.Targets), "enabled", r.Enabled)
	return viewRules([]Rule{r}, s.e.apps)[0], nil
}

func putRule(tx *store.Tx, r *Rule) error {
	if err := rules.Put(tx, r); err != nil {
		if _, ok := err.(*store.ErrUnique); ok {
			return core.ErrRelayRuleNameDup.New("name", r.Name)
		}
		return err
	}
	return nil
}

// SetRuleEnabled switches a rule on or off.
func (s *Service) SetRuleEnabled(id string, enabled bool) (RuleView, error) {
	var r Rule
	err := s.e.db.Update(func(tx *store.Tx) error {
		var err error
		r, err = rules.Get(tx, id)
		if isNotFound(err) {
			return core.ErrRelayRuleNotFound.New()
		}
		if err != nil {
			return err
		}
		r.Enabled, r.UpdatedAt = enabled, s.e.clock.Now()
		return rules.Put(tx, &r)
	})
	if err != nil {
		return RuleView{}, err
	}
	s.e.rulesDirty.Store(true)
	return viewRules([]Rule{r}, s.e.apps)[0], nil
}

// DeleteRule deletes a rule. Rows it created keep following their items
// (a to-do it added is still removed when done).
func (s *Service) DeleteRule(id string) error {
	err := s.e.db.Update(func(tx *store.Tx) error {
		if ok, err := rules.Has(tx, id); err != nil || !ok {
			if err == nil {
				err = core.ErrRelayRuleNotFound.New()
			}
			return err
		}
		return rules.Delete(tx, id)
	})
	if err == nil {
		s.e.rulesDirty.Store(true)
		s.e.log.Info("relay: rule deleted", "rule", id)
	}
	return err
}

// Module is a message source the rule editor offers.
type Module struct {
	Name  string    `json:"name"`
	Seen  int       `json:"seen"` // items received from it
	Last  time.Time `json:"last,omitempty"`
	Known bool      `json:"known"` // offered before anything arrived
}

// Modules lists the OA modules seen at intake plus the usual ones.
func (s *Service) Modules() ([]Module, error) {
	by := map[string]*Module{}
	for _, m := range knownModules {
		by[m] = &Module{Name: m, Known: true}
	}
	err := s.e.db.View(func(tx *store.Tx) error {
		return modulesSeen.Each(tx, func(m moduleSeen) error {
			x := by[m.Name]
			if x == nil {
				x = &Module{Name: m.Name}
				by[m.Name] = x
			}
			x.Seen, x.Last = m.Count, m.Last
			return nil
		})
	})
	out := make([]Module, 0, len(by))
	for _, m := range by {
		out = append(out, *m)
	}
	rank := func(m Module) int {
		for i, k := range knownModules {
			if k == m.Name {
				return i
			}
		}
		return len(knownModules)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := rank(out[i]), rank(out[j]); a != b {
			return a < b
		}
		return out[i].Name < out[j].Name
	})
	return out, err
}

// DefaultRuleOffer says whether an app already gets to-dos (the WeLink
// screen offers "create a default to-do rule" when it does not).
type DefaultRuleOffer struct {
	AppID    string `json:"appId"`
	Offer    bool   `json:"offer"`
	RuleID   string `json:"ruleId,omitempty"`   // the rule that already covers it
	RuleName string `json:"ruleName,omitempty"` //
}

// DefaultRuleFor tells whether to offer a default to-do rule for an app.
func (s *Service) DefaultRuleFor(appID string) (DefaultRuleOffer, error) {
	if _, err := s.e.apps.GetApp(appID); err != nil {
		return DefaultRuleOffer{}, err
	}
	var list []Rule
	if err := s.e.db.View(func(tx *store.Tx) error { var err error; list, err = rules.List(tx); return err }); err != nil {
		return DefaultRuleOffer{}, err
	}
	for _, r := range list {
		if r.Source != SourceTodo && r.Source != SourceAll && r.Source != ModuleWorkflow {
			continue
		}
		for _, t := range r.Targets {
			if t.AppID == appID && t.Type == TypeTodo {
				return DefaultRuleOffer{AppID: appID, RuleID: r.ID, RuleName: r.Name}, nil
			}
		}
	}
	return DefaultRuleOffer{AppID: appID, Offer: true}, nil
}

// CreateDefaultRule creates "<app> 待办" (source 待办, one to-do target on
// the app), enabled.
func (s *Service) CreateDefaultRule(appID string) (RuleView, error) {
	app, err := s.e.apps.GetApp(appID)
	if err != nil {
		return RuleView{}, err
	}
	offer, err := s.DefaultRuleFor(appID)
	if err != nil {
		return RuleView{}, err
	}
	if !offer.Offer {
		return RuleView{}, core.ErrRelayDefaultRuleExist.New("name", offer.RuleName)
	}
	name := truncate(app.Name, 56) + " 待办"
	return s.SaveRule(RuleInput{Name: name, Enabled: true, Source: SourceTodo,
		Targets: []Target{{Platform: PlatformWeLink, CorpID: app.CorpID, AppID: app.ID, Type: TypeTodo}}})
}

// ---- OA systems (intake authentication) ----

// OASystemView is an OA system without its secret.
type OASystemView struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	SysCode    string    `json:"syscode"`
	Enabled    bool      `json:"enabled"`
	AllowedIPs []string  `json:"allowedIps"`
	AuthMode   string    `json:"authMode"`
	SecretSet  bool      `json:"secretSet"`
	PersonRule string    `json:"personRule"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// OASystemInput is the form. An empty Secret on edit keeps the stored one.
type OASystemInput struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	SysCode    string   `json:"syscode"`
	Enabled    bool     `json:"enabled"`
	AllowedIPs []string `json:"allowedIps"`
	AuthMode   string   `json:"authMode"`
	Secret     string   `json:"secret"`
	PersonRule string   `json:"personRule"`
}

func viewSystem(s OASystem) OASystemView {
	ips := s.AllowedIPs
	if ips == nil {
		ips = []string{}
	}
	return OASystemView{ID: s.ID, Name: s.Name, SysCode: s.SysCode, Enabled: s.Enabled, AllowedIPs: ips,
		AuthMode: s.AuthMode, SecretSet: s.Secret.IsSet(), PersonRule: s.PersonRule, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

var sysCodeRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// ListOASystems lists the OA systems allowed to push.
func (s *Service) ListOASystems() ([]OASystemView, error) {
	var list []OASystem
	err := s.e.db.View(func(tx *store.Tx) error { var err error; list, err = systems.List(tx); return err })
	out := make([]OASystemView, 0, len(list))
	for _, x := range list {
		out = append(out, viewSystem(x))
	}
	return out, err
}

// SaveOASystem creates or updates an OA system.
func (s *Service) SaveOASystem(in OASystemInput) (OASystemView, error) {
	x, err := SaveOASystem(s.e, in)
	return viewSystem(x), err
}

// SaveOASystem validates and stores an OA system (also used by the app's
// demo wiring, which registers the emulator's syscode).
func SaveOASystem(e *Engine, in OASystemInput) (OASystem, error) {
	name := strings.Join(strings.Fields(in.Name), " ")
	code := strings.TrimSpace(in.SysCode)
	if name == "" {
		return OASystem{}, core.ErrRequired.New("field", "name")
	}
	if utf8.RuneCountInString(name) > 64 {
		return OASystem{}, core.ErrTooLong.New("field", "name", "max", "64")
	}
	if !sysCodeRe.MatchString(code) {
		return OASystem{}, core.ErrRelaySysCodeInvalid.New()
	}
	mode := in.AuthMode
	if mode == "" {
		mode = AuthNone
	}
	if mode != AuthNone && mode != AuthSecret && mode != AuthHMAC {
		return OASystem{}, core.ErrRelayAuthModeInvalid.New("mode", truncate(mode, 20))
	}
	rule := in.PersonRule
	if rule == "" {
		rule = PersonAuto
	}
	if rule != PersonAuto && rule != PersonID && rule != PersonLoginID && rule != PersonWorkCode {
		return OASystem{}, core.ErrInvalidInput.New("field", "personRule")
	}
	var ips []string
	for _, ip := range in.AllowedIPs {
		if ip = strings.TrimSpace(ip); ip != "" {
			ips = append(ips, ip)
		}
	}
	if len(ips) > 100 {
		return OASystem{}, core.ErrTooLong.New("field", "allowedIps", "max", "100")
	}
	if _, err := parseNets(ips); err != nil {
		return OASystem{}, err
	}
	if len(in.Secret) > 256 {
		return OASystem{}, core.ErrTooLong.New("field", "secret", "max", "256")
	}
	now := e.clock.Now()
	var x OASystem
	err := e.db.Update(func(tx *store.Tx) error {
		if in.ID != "" {
			old, err := systems.Get(tx, in.ID)
			if isNotFound(err) {
				return core.ErrRelayOASystemNotFound.New()
			}
			if err != nil {
				return err
			}
			x = old
		} else {
			x = OASystem{ID: core.NewID(), CreatedAt: now}
		}
		x.Name, x.SysCode, x.Enabled, x.AllowedIPs, x.AuthMode, x.PersonRule, x.UpdatedAt = name, code, in.Enabled, ips, mode, rule, now
		if in.Secret != "" {
			sealed, err := e.db.Seal(secretAAD(x.ID), in.Secret)
			if err != nil {
				return err
			}
			x.Secret = sealed
		}
		if mode != AuthNone && !x.Secret.IsSet() {
			return core.ErrRelaySecretRequired.New()
		}
		return putSystem(tx, &x, code)
	})
	if err != nil {
		return OASystem{}, err
	}
	if err := e.reload(); err != nil {
		return x, err
	}
	e.log.Info("relay: OA system saved", "syscode", x.SysCode, "auth", x.AuthMode, "ips", len(x.AllowedIPs))
	return x, nil
}

// DeleteOASystem removes an OA system; its pushes are refused from then on.
func (s *Service) DeleteOASystem(id string) error {
	err := s.e.db.Update(func(tx *store.Tx) error {
		if ok, err := systems.Has(tx, id); err != nil || !ok {
			if err == nil {
				err = core.ErrRelayOASystemNotFound.New()
			}
			return err
		}
		return systems.Delete(tx, id)
	})
	if err != nil {
		return err
	}
	return s.e.reload()
}

// IntakeInfo is what the admin configures in the OA.
type IntakeInfo struct {
	BaseURL   string   `json:"baseUrl"`   // the OA's OFS {serverurl}; "" until the public base URL is set
	OFSURL    string   `json:"ofsUrl"`    // example: batchReceiveRequestInfoByJson
	JSONURL   string   `json:"jsonUrl"`   //
	Ops       []string `json:"ops"`       // every OFS operation accepted
	Headers   []string `json:"headers"`   // authentication headers
	MaxSkewS  int      `json:"maxSkewS"`  // HMAC timestamp tolerance
	MaxBodyMB int      `json:"maxBodyMb"` //
}

// IntakeInfo returns the receiver addresses.
func (s *Service) IntakeInfo() (IntakeInfo, error) {
	var st settings.Settings
	if err := s.e.db.View(func(tx *store.Tx) error { var err error; st, err = settings.Load(tx); return err }); err != nil {
		return IntakeInfo{}, err
	}
	base := strings.TrimRight(st.PublicBaseURL, "/")
	info := IntakeInfo{BaseURL: base, Ops: ofsOps(), Headers: []string{HeaderSecret, HeaderTimestamp, HeaderSignature},
		MaxSkewS: int(MaxSkew / time.Second), MaxBodyMB: JSONMaxBody >> 20}
	if base != "" {
		info.OFSURL = base + OFSPathPrefix + "batchReceiveRequestInfoByJson"
		info.JSONURL = base + JSONPath
	}
	return info, nil
}

// ---- configuration ----

// GetConfig returns the relay settings.
func (s *Service) GetConfig() (Config, error) { return s.e.config(), nil }

// SaveConfig validates and stores the relay settings.
func (s *Service) SaveConfig(c Config) (Config, error) {
	check := func(field string, v, lo, hi int) error {
		if v < lo || v > hi {
			return core.ErrRelayConfigInvalid.New("field", field, "min", itoa(lo), "max", itoa(hi))
		}
		return nil
	}
	for _, err := range []error{check("bindWindowHours", c.BindWindowHours, 1, 24*30),
		check("maxAttempts", c.MaxAttempts, 1, 50), check("retentionDays", c.RetentionDays, 1, 3650)} {
		if err != nil {
			return Config{}, err
		}
	}
	if err := s.e.db.Update(func(tx *store.Tx) error { return configs.Put(tx, &c) }); err != nil {
		return Config{}, err
	}
	return c, s.e.reload()
}

// putSystem stores an OA system; a taken syscode is relay.syscode_dup.
func putSystem(tx *store.Tx, x *OASystem, code string) error {
	if err := systems.Put(tx, x); err != nil {
		if _, ok := err.(*store.ErrUnique); ok {
			return core.ErrRelaySysCodeDup.New("syscode", code)
		}
		return err
	}
	return nil
}
