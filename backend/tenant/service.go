package tenant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cloudbridge/backend/core"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// Use is something that depends on a corp and goes with it in a cascading
// delete (an app, a push rule, the sync settings, …).
type Use struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Dependent is implemented by every domain that keeps data per corp, so a
// corp delete can list and remove exactly what it holds. Registered at wiring.
type Dependent interface {
	CorpUses(tx *store.Tx, corpID string) ([]Use, error)
	DeleteCorpData(tx *store.Tx, corpID string) error
}

// Purger is implemented by dependents whose per-corp data can outgrow one
// store transaction (bindings, the local directory): DeleteCorp purges it in
// chunks after marking the corp as being deleted, then runs DeleteCorpData
// for the rest in one final transaction.
type Purger interface {
	PurgeCorpData(db *store.DB, corpID string) error
}

// Dependents collects the domains that keep per-corp data; each domain adds
// itself at wiring time.
type Dependents struct{ list []Dependent }

func (d *Dependents) Add(x Dependent) { d.list = append(d.list, x) }

// Service is bound to the UI (Wails and the headless transport): its
// exported methods are exactly the UI's API, so domain-internal helpers are
// package functions instead.
type Service struct {
	ctx        context.Context
	db         *store.DB
	welink     func() *welink.Client
	clock      core.Clock
	log        *slog.Logger
	dependents *Dependents
}

// New wires the service; welinkClient returns the client for the current
// WeLink base URL (it changes when the settings do).
func New(ctx context.Context, db *store.DB, welinkClient func() *welink.Client, deps *Dependents, clock core.Clock, log *slog.Logger) *Service {
	if deps == nil {
		deps = &Dependents{}
	}
	return &Service{ctx: ctx, db: db, welink: welinkClient, dependents: deps, clock: clock, log: log.With("service", "tenant")}
}

// CorpView is a corp as the UI lists it.
type CorpView struct {
	Corp
	AppCount int `json:"appCount"`
}

func (s *Service) ListCorps() ([]CorpView, error) {
	var out []CorpView
	err := s.db.View(func(tx *store.Tx) error {
		all, err := corps.List(tx)
		if err != nil {
			return err
		}
		for _, c := range all {
			n, err := apps.Count(tx, "corp", c.ID)
			if err != nil {
				return err
			}
			out = append(out, CorpView{Corp: c, AppCount: n})
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	if out == nil {
		out = []CorpView{}
	}
	return out, err
}

func (s *Service) CreateCorp(name string) (CorpView, error) {
	name, err := cleanName("name", name, 64)
	if err != nil {
		return CorpView{}, err
	}
	now := s.clock.Now().UTC()
	c := Corp{ID: core.NewID(), Name: name, CreatedAt: now, UpdatedAt: now}
	err = s.db.Update(func(tx *store.Tx) error { return s.putCorp(tx, &c) })
	if err != nil {
		return CorpView{}, err
	}
	s.log.Info("corp created", "corp", c.ID, "name", c.Name)
	return CorpView{Corp: c}, nil
}

func (s *Service) RenameCorp(id, name string) (CorpView, error) {
	name, err := cleanName("name", name, 64)
	if err != nil {
		return CorpView{}, err
	}
	var v CorpView
	err = s.db.Update(func(tx *store.Tx) error {
		c, err := s.corp(tx, id)
		if err != nil {
			return err
		}
		c.Name, c.UpdatedAt = name, s.clock.Now().UTC()
		if err := s.putCorp(tx, &c); err != nil {
			return err
		}
		n, err := apps.Count(tx, "corp", c.ID)
		v = CorpView{Corp: c, AppCount: n}
		return err
	})
	return v, err
}

func (s *Service) putCorp(tx *store.Tx, c *Corp) error {
	err := corps.Put(tx, c)
	var ue *store.ErrUnique
	if errors.As(err, &ue) {
		return core.ErrCorpNameDuplicate.New("name", c.Name)
	}
	return err
}

func (s *Service) corp(tx *store.Tx, id string) (Corp, error) {
	c, err := corps.Get(tx, id)
	if core.Of(err, core.ErrNotFound) {
		return c, core.ErrCorpNotFound.New()
	}
	return c, err
}

// CorpUsage lists everything that depends on a corp; Token fingerprints the
// list so that DeleteCorp cascades only over what the admin saw.
type CorpUsage struct {
	CorpID string `json:"corpId"`
	Name   string `json:"name"`
	Apps   []Use  `json:"apps"` // the apps among Uses, for the drawer's app list
	Uses   []Use  `json:"uses"`
	Token  string `json:"token"`
}

func (s *Service) CorpUsage(id string) (CorpUsage, error) {
	var u CorpUsage
	err := s.db.View(func(tx *store.Tx) error {
		var err error
		u, err = s.usage(tx, id)
		return err
	})
	return u, err
}

func (s *Service) usage(tx *store.Tx, id string) (CorpUsage, error) {
	c, err := s.corp(tx, id)
	if err != nil {
		return CorpUsage{}, err
	}
	uses, appUses := []Use{}, []Use{}
	as, err := apps.Lookup(tx, "corp", id)
	if err != nil {
		return CorpUsage{}, err
	}
	for _, a := range as {
		appUses = append(appUses, Use{Kind: "app", ID: a.ID, Name: a.Name})
	}
	uses = append(uses, appUses...)
	for _, d := range s.dependents.list {
		more, err := d.CorpUses(tx, id)
		if err != nil {
			return CorpUsage{}, err
		}
		uses = append(uses, more...)
	}
	h := sha256.New()
	for _, u := range uses {
		h.Write([]byte(u.Kind + "\x00" + u.ID + "\x00" + u.Name + "\x00"))
	}
	return CorpUsage{CorpID: c.ID, Name: c.Name, Apps: appUses, Uses: uses, Token: hex.EncodeToString(h.Sum(nil))[:16]}, nil
}

// DeleteCorp deletes an unused corp (confirmToken ""), or cascades over
// exactly the uses the admin confirmed (confirmToken from CorpUsage). The
// corp is first marked as being deleted; bulk data is then purged in chunks
// and the rest goes with the corp in one final transaction. An interrupted
// delete leaves the corp marked (the list shows it) and is resumed by
// deleting it again; nothing is removed before the admin confirmed it.
func (s *Service) DeleteCorp(id, confirmToken string) error {
	var deleted CorpUsage
	err := s.db.Update(func(tx *store.Tx) error {
		c, err := s.corp(tx, id)
		if err != nil {
			return err
		}
		if c.Deleting {
			return nil // resuming a confirmed delete
		}
		u, err := s.usage(tx, id)
		if err != nil {
			return err
		}
		if len(u.Uses) > 0 {
			if confirmToken == "" {
				return core.ErrCorpInUse.New("name", u.Name, "uses", describeUses(u.Uses))
			}
			if confirmToken != u.Token {
				return core.ErrCorpConfirm.New()
			}
		}
		deleted = u
		c.Deleting, c.UpdatedAt = true, s.clock.Now().UTC()
		return corps.Put(tx, &c)
	})
	if err != nil {
		return err
	}
	for _, d := range s.dependents.list {
		if p, ok := d.(Purger); ok {
			if err := p.PurgeCorpData(s.db, id); err != nil {
				s.log.Error("corp delete interrupted; deleting it again resumes", "corp", id, "err", err)
				return err
			}
		}
	}
	err = s.db.Update(func(tx *store.Tx) error {
		as, err := apps.Lookup(tx, "corp", id)
		if err != nil {
			return err
		}
		for _, a := range as {
			if err := apps.Delete(tx, a.ID); err != nil {
				return err
			}
		}
		for _, d := range s.dependents.list {
			if err := d.DeleteCorpData(tx, id); err != nil {
				return err
			}
		}
		return corps.Delete(tx, id)
	})
	if err == nil {
		s.log.Info("corp deleted", "corp", id, "name", deleted.Name, "cascaded", len(deleted.Uses))
	}
	return err
}

func describeUses(uses []Use) string {
	names := make([]string, 0, len(uses))
	for _, u := range uses {
		names = append(names, u.Name)
	}
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	return strings.Join(names, ", ")
}

// cleanName trims and checks a display name: required, at most max runes,
// no control characters (they break Excel exports and log lines).
func cleanName(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", core.ErrRequired.New("field", field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", core.ErrTooLong.New("field", field, "max", strconv.Itoa(max))
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", core.ErrInvalidInput.New("field", field)
		}
	}
	return s, nil
}

// homepageURLs builds the addresses the admin pastes into the WeLink open
// platform (设置首页地址): served by the public listener, per app.
func homepageURLs(base, appID string) HomepageURLs {
	if base == "" {
		return HomepageURLs{}
	}
	p := url.PathEscape(appID)
	return HomepageURLs{Mobile: base + "/sso/" + p + "/mobile", PC: base + "/sso/" + p + "/pc"}
}

// HomepageURLs are the light app's homepage addresses, "" until the public
// base URL is set.
type HomepageURLs struct {
	Mobile string `json:"mobile"`
	PC     string `json:"pc"`
}

func (s *Service) loadSettings(tx *store.Tx) (settings.Settings, error) { return settings.Load(tx) }
