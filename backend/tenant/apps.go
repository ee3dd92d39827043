package tenant

import (
	"context"
	"errors"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// AppView is an app as the UI sees it: the secret is never included, only
// whether one is set (secrets are write-only).
type AppView struct {
	ID              string        `json:"id"`
	CorpID          string        `json:"corpId"`
	Name            string        `json:"name"`
	ClientID        string        `json:"clientId"`
	SecretSet       bool          `json:"secretSet"`
	SecretUpdatedAt time.Time     `json:"secretUpdatedAt"`
	Homepage        Homepage      `json:"homepage"`
	HomepageURLs    HomepageURLs  `json:"homepageUrls"`
	LastVerify      *VerifyResult `json:"lastVerify,omitempty"`
	LastProbe       *ProbeResult  `json:"lastProbe,omitempty"`
	CreatedAt       time.Time     `json:"createdAt"`
	UpdatedAt       time.Time     `json:"updatedAt"`
}

// AppInput is the app form. An empty ClientSecret on edit keeps the stored one.
type AppInput struct {
	ID           string   `json:"id"`
	CorpID       string   `json:"corpId"`
	Name         string   `json:"name"`
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	Homepage     Homepage `json:"homepage"`
}

func view(a App, st settings.Settings) AppView {
	return AppView{
		ID: a.ID, CorpID: a.CorpID, Name: a.Name, ClientID: a.ClientID,
		SecretSet: a.Secret.IsSet(), SecretUpdatedAt: a.SecretUpdatedAt,
		Homepage: a.Homepage, HomepageURLs: homepageURLs(st.PublicBaseURL, a.ID),
		LastVerify: a.LastVerify, LastProbe: a.LastProbe, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
}

func (s *Service) ListApps(corpID string) ([]AppView, error) {
	out := []AppView{}
	err := s.db.View(func(tx *store.Tx) error {
		if _, err := s.corp(tx, corpID); err != nil {
			return err
		}
		st, err := s.loadSettings(tx)
		if err != nil {
			return err
		}
		as, err := apps.Lookup(tx, "corp", corpID)
		for _, a := range as {
			out = append(out, view(a, st))
		}
		return err
	})
	return out, err
}

func (s *Service) GetApp(id string) (AppView, error) {
	var v AppView
	err := s.db.View(func(tx *store.Tx) error {
		a, err := s.app(tx, id)
		if err != nil {
			return err
		}
		st, err := s.loadSettings(tx)
		v = view(a, st)
		return err
	})
	return v, err
}

func (s *Service) app(tx *store.Tx, id string) (App, error) {
	a, err := apps.Get(tx, id)
	if core.Of(err, core.ErrNotFound) {
		return a, core.ErrAppNotFound.New()
	}
	return a, err
}

// SaveApp creates (ID "") or updates an app after validating every field.
func (s *Service) SaveApp(in AppInput) (AppView, error) {
	name, err := cleanName("name", in.Name, 64)
	if err != nil {
		return AppView{}, err
	}
	clientID := strings.TrimSpace(in.ClientID)
	if clientID == "" {
		return AppView{}, core.ErrRequired.New("field", "clientId")
	}
	if len(clientID) > 128 || strings.ContainsAny(clientID, " \t\r\n/") {
		return AppView{}, core.ErrInvalidInput.New("field", "clientId")
	}
	secret := strings.TrimSpace(in.ClientSecret)
	if len(secret) > 256 {
		return AppView{}, core.ErrTooLong.New("field", "clientSecret", "max", "256")
	}
	var v AppView
	err = s.db.Update(func(tx *store.Tx) error {
		st, err := s.loadSettings(tx)
		if err != nil {
			return err
		}
		hp, err := cleanHomepage(in.Homepage, st)
		if err != nil {
			return err
		}
		now := s.clock.Now().UTC()
		var a App
		if in.ID == "" {
			if secret == "" {
				return core.ErrRequired.New("field", "clientSecret")
			}
			if _, err := s.corp(tx, in.CorpID); err != nil {
				return err
			}
			if err := CheckActive(tx, in.CorpID); err != nil {
				return err
			}
			a = App{ID: core.NewID(), CorpID: in.CorpID, CreatedAt: now}
		} else if a, err = s.app(tx, in.ID); err != nil {
			return err
		}
		credsChanged := a.ClientID != clientID || secret != ""
		a.Name, a.ClientID, a.Homepage, a.UpdatedAt = name, clientID, hp, now
		if secret != "" {
			if a.Secret, err = s.db.Seal(secretAAD(a.ID), secret); err != nil {
				return err
			}
			a.SecretUpdatedAt = now
		}
		if credsChanged {
			a.LastVerify, a.LastProbe = nil, nil // the old verdicts were about other credentials
		}
		if err := apps.Put(tx, &a); err != nil {
			var ue *store.ErrUnique
			if errors.As(err, &ue) {
				return s.duplicateClientID(tx, clientID, ue.HeldBy)
			}
			return err
		}
		v = view(a, st)
		return nil
	})
	if err == nil {
		s.log.Info("app saved", "app", v.ID, "corp", v.CorpID, "clientId", v.ClientID, "created", in.ID == "")
	}
	return v, err
}

func (s *Service) duplicateClientID(tx *store.Tx, clientID, holderID string) error {
	corpName := ""
	if holder, err := apps.Get(tx, holderID); err == nil {
		if c, err := corps.Get(tx, holder.CorpID); err == nil {
			corpName = c.Name
		}
	}
	return core.ErrAppClientIDDuplicate.New("clientId", clientID, "corp", corpName)
}

func cleanHomepage(h Homepage, st settings.Settings) (Homepage, error) {
	switch h.Kind {
	case "", "entry":
		key := strings.TrimSpace(h.Entry)
		if key == "" {
			key = "home" // seed §2.1: 调用模块默认为打开应用
		}
		if _, ok := st.Entry(key); !ok {
			return Homepage{}, core.ErrAppEntryUnknown.New("entry", key)
		}
		return Homepage{Kind: "entry", Entry: key}, nil
	case "custom":
		u := strings.TrimSpace(h.CustomURL)
		if !settings.IsHTTPURL(u) {
			return Homepage{}, core.ErrAppHomepageURL.New()
		}
		return Homepage{Kind: "custom", CustomURL: u}, nil
	}
	return Homepage{}, core.ErrInvalidInput.New("field", "homepage.kind")
}

func (s *Service) DeleteApp(id string) error {
	err := s.db.Update(func(tx *store.Tx) error {
		if _, err := s.app(tx, id); err != nil {
			return err
		}
		return apps.Delete(tx, id)
	})
	if err == nil {
		s.log.Info("app deleted", "app", id)
	}
	return err
}

// Credentials returns an app's WeLink credentials for the domain services
// (sync, relay, SSO). A package function, not a Service method, so it is
// never bound to the UI: secrets do not leave Go.
func Credentials(db *store.DB, tx *store.Tx, appID string) (welink.Credentials, error) {
	a, err := apps.Get(tx, appID)
	if core.Of(err, core.ErrNotFound) {
		return welink.Credentials{}, core.ErrAppNotFound.New()
	}
	if err != nil {
		return welink.Credentials{}, err
	}
	secret, err := db.Unseal(secretAAD(a.ID), a.Secret)
	return welink.Credentials{ClientID: a.ClientID, ClientSecret: secret}, err
}

// TokenOK is the newest token verdict of the app: from the verify button
// or from a probe (the admin's or the periodic one), whichever ran last.
func (a App) TokenOK() (ok, known bool) {
	v, p := a.LastVerify, a.LastProbe
	switch {
	case v != nil && (p == nil || !p.At.After(v.At)):
		return v.OK, true
	case p != nil:
		return p.TokenOK, true
	}
	return false, false
}

// Stats counts corps and apps for the dashboard.
type Stats struct {
	Corps        int `json:"corps"`
	Apps         int `json:"apps"`
	AppsVerified int `json:"appsVerified"`
	AppsFailing  int `json:"appsFailing"`
}

func CountAll(tx *store.Tx) (Stats, error) {
	var st Stats
	err := corps.Each(tx, func(Corp) error { st.Corps++; return nil })
	if err != nil {
		return st, err
	}
	err = apps.Each(tx, func(a App) error {
		st.Apps++
		if ok, known := a.TokenOK(); known && ok {
			st.AppsVerified++
		} else if known {
			st.AppsFailing++
		}
		return nil
	})
	return st, err
}

func (s *Service) welinkApp(appID string) (*welink.App, error) {
	var cr welink.Credentials
	err := s.db.View(func(tx *store.Tx) error {
		var err error
		cr, err = Credentials(s.db, tx, appID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.welink().App(cr), nil
}

// VerifyApp fetches a fresh access token with the stored credentials. A
// WeLink rejection is a result (ok=false, with the translated code), not a
// failure of the call; it is remembered on the app for the list view.
func (s *Service) VerifyApp(id string) (VerifyResult, error) {
	wa, err := s.welinkApp(id)
	if err != nil {
		return VerifyResult{}, err
	}
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	start := time.Now()
	info, verr := wa.Verify(ctx)
	res := VerifyResult{At: s.clock.Now().UTC(), OK: verr == nil, ElapsedMs: time.Since(start).Milliseconds()}
	if verr != nil {
		res.Error = core.AsError(verr)
	} else {
		res.ExpiresIn = info.ExpiresIn
	}
	err = s.db.Update(func(tx *store.Tx) error {
		a, err := s.app(tx, id)
		if err != nil {
			return err
		}
		a.LastVerify = &res
		return apps.Put(tx, &a)
	})
	s.log.Info("app verified", "app", id, "ok", res.OK, "elapsedMs", res.ElapsedMs, "error", errCode(res.Error))
	return res, err
}

func errCode(e *core.Error) string {
	if e == nil {
		return ""
	}
	return e.Code
}

// EntryInUse reports an app whose homepage is an OA entry not in keep.
func EntryInUse(tx *store.Tx, keep map[string]bool) (appName, entry string, used bool) {
	apps.Each(tx, func(a App) error {
		if a.Homepage.Kind == "entry" && !keep[a.Homepage.Entry] && !used {
			appName, entry, used = a.Name, a.Homepage.Entry, true
		}
		return nil
	})
	return
}

// AppCache serves an app's view and credentials from memory until an app or
// the settings change: the SSO pages ask for them on every request, and
// decoding and unsealing them each time cost a fifth of a login's CPU.
type AppCache struct {
	m *store.Memo[map[string]cachedApp]
}

type cachedApp struct {
	view  AppView
	creds welink.Credentials
	err   error // the secret did not unseal
}

func NewAppCache(db *store.DB) *AppCache {
	return &AppCache{m: store.NewMemo(db, func(tx *store.Tx) (map[string]cachedApp, error) {
		st, err := settings.Load(tx)
		if err != nil {
			return nil, err
		}
		out := map[string]cachedApp{}
		err = apps.Each(tx, func(a App) error {
			secret, err := db.Unseal(secretAAD(a.ID), a.Secret)
			out[a.ID] = cachedApp{view: view(a, st), creds: welink.Credentials{ClientID: a.ClientID, ClientSecret: secret}, err: err}
			return nil
		})
		return out, err
	}, apps, settings.Source())}
}

// App returns the app's view, or app.not_found.
func (c *AppCache) App(id string) (AppView, error) {
	a, err := c.get(id)
	return a.view, err
}

// Credentials returns the app's WeLink credentials, or app.not_found.
func (c *AppCache) Credentials(id string) (welink.Credentials, error) {
	a, err := c.get(id)
	if err == nil {
		err = a.err
	}
	return a.creds, err
}

func (c *AppCache) get(id string) (cachedApp, error) {
	all, err := c.m.Get()
	if err != nil {
		return cachedApp{}, err
	}
	a, ok := all[id]
	if !ok {
		return cachedApp{}, core.ErrAppNotFound.New()
	}
	return a, nil
}
