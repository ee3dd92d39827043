// Package system is the 系统设置/诊断 and 日志 screens' backend: settings,
// the public listener's state, network diagnostics, logs and the overview.
package system

import (
	"context"
	"log/slog"

	"cloudbridge/backend/core"
	"cloudbridge/backend/logs"
	"cloudbridge/backend/server"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// Env is what the system screens show about this installation and what they
// need to act on it.
type Env struct {
	DataDir       string
	Key           store.KeyInfo
	Demo          bool
	Version       string
	WeLinkBaseURL func() string // the base URL in use (the emulator's in demo mode)
	// Apply makes saved settings take effect (listener restart, new WeLink
	// client); wired by the app shell.
	Apply func(settings.Settings) error
}

// Service is bound to the UI.
type Service struct {
	ctx    context.Context
	db     *store.DB
	public *server.Server
	ring   *logs.Ring
	env    Env
	log    *slog.Logger
}

func New(ctx context.Context, db *store.DB, public *server.Server, ring *logs.Ring, env Env, log *slog.Logger) *Service {
	return &Service{ctx: ctx, db: db, public: public, ring: ring, env: env, log: log.With("service", "system")}
}

// SettingsView is the stored settings plus read-only facts.
type SettingsView struct {
	settings.Settings
	EffectiveWeLinkBaseURL string `json:"effectiveWelinkBaseUrl"`
	KeyStorage             string `json:"keyStorage"`
	KeyFile                string `json:"keyFile"`
	DataDir                string `json:"dataDir"`
	Demo                   bool   `json:"demo"`
	Version                string `json:"version"`
}

func (s *Service) GetSettings() (SettingsView, error) {
	var st settings.Settings
	err := s.db.View(func(tx *store.Tx) error { var e error; st, e = settings.Load(tx); return e })
	return s.settingsView(st), err
}

func (s *Service) settingsView(st settings.Settings) SettingsView {
	return SettingsView{
		Settings: st, EffectiveWeLinkBaseURL: s.env.WeLinkBaseURL(),
		KeyStorage: string(s.env.Key.Storage), KeyFile: s.env.Key.File,
		DataDir: s.env.DataDir, Demo: s.env.Demo, Version: s.env.Version,
	}
}

// SaveSettings validates, stores and applies the settings. An OA entry that
// an app uses as its homepage cannot be removed.
func (s *Service) SaveSettings(in settings.Settings) (SettingsView, error) {
	in.Normalize()
	if in.OAEntries == nil {
		in.OAEntries = []settings.OAEntry{}
	}
	err := s.db.Update(func(tx *store.Tx) error {
		keys := map[string]bool{}
		for _, e := range in.OAEntries {
			keys[e.Key] = true
		}
		if app, key, used := tenant.EntryInUse(tx, keys); used {
			return core.ErrSettingsEntryUsed.New("key", key, "app", app)
		}
		return settings.Save(tx, in)
	})
	if err != nil {
		return SettingsView{}, err
	}
	s.log.Info("settings saved", "publicListen", in.PublicListen, "publicBaseUrl", in.PublicBaseURL, "tls", in.TLSCertFile != "")
	if err := s.env.Apply(in); err != nil {
		// Stored but not applied (e.g. the port is taken): the listener
		// status shows why, and the admin can fix and save again.
		return s.settingsView(in), err
	}
	return s.settingsView(in), nil
}

func (s *Service) ListenerStatus() (server.Status, error) { return s.public.Status(), nil }

func (s *Service) Logs(q logs.Query) ([]logs.Entry, error) { return s.ring.Query(q), nil }

// Overview is the dashboard's figures; every one is read, none invented.
type Overview struct {
	tenant.Stats
	Listener      server.Status `json:"listener"`
	PublicBaseURL string        `json:"publicBaseUrl"`
	Demo          bool          `json:"demo"`
}

func (s *Service) Overview() (Overview, error) {
	var o Overview
	err := s.db.View(func(tx *store.Tx) error {
		st, err := tenant.CountAll(tx)
		if err != nil {
			return err
		}
		set, err := settings.Load(tx)
		o = Overview{Stats: st, PublicBaseURL: set.PublicBaseURL}
		return err
	})
	o.Listener, o.Demo = s.public.Status(), s.env.Demo
	return o, err
}
