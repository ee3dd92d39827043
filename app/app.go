// Package app is the shell: it wires the domain services to the store, the
// WeLink client, the public listener and the schedules, and exposes them to
// the desktop window (Wails) or the headless admin transport. Domain
// packages never import it.
package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cloudbridge/backend/audit"

	"github.com/go-co-op/gocron/v2"

	"cloudbridge/backend/core"
	"cloudbridge/backend/logs"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/oaconfig"
	"cloudbridge/backend/server"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/system"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
	welinksim "cloudbridge/backend/welink/sim"
)

// Config comes from the command line.
type Config struct {
	DataDir    string
	Demo       bool
	KeyStore   string // auto | file | keyring
	PublicAddr string // overrides the stored listen address for this run
	LogLevel   slog.Level
	Version    string
	Stderr     io.Writer
	// StartHidden: the desktop window starts in the tray (start at login);
	// it is shown when no tray icon comes up.
	StartHidden bool
}

// App holds the running services.
type App struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger
	logs   *logs.Ring
	closer []func() error

	DB     *store.DB
	Public *server.Server
	Tenant *tenant.Service
	System *system.Service

	OA *oaconfig.Source

	clock      core.Clock
	demoOA     *oasim.Server      // demo mode: the e-cology emulator (for OFS pushes)
	dependents *tenant.Dependents // domains with per-corp data (corp delete)
	sched      gocron.Scheduler   // every schedule (schedule.go)
	services   []any              // bound to the UI, in both transports
	audit      *audit.Log         // admin actions (wire_audit.go)
	disp       *Dispatcher        // the one path to services (Dispatcher())
	dispOnce   sync.Once
	emitter    atomic.Pointer[Emitter]
	tray       atomic.Pointer[tray] // the desktop window's tray (tray.go); nil in serve

	welink       atomic.Pointer[welink.Client]
	welinkMu     sync.Mutex
	welinkBase   string
	demoWeLink   string // emulator base URL in demo mode
	settingsLock sync.Mutex
}

// New opens the store and builds every service; Start begins serving.
func New(cfg Config) (*App, error) {
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		// Not store.locked: nothing holds it, it cannot be made (no
		// permission, a read-only disk, a file in the way).
		return nil, core.ErrStoreDenied.Wrap(err, "dir", cfg.DataDir, "reason", store.DirErrorReason(err))
	}
	log, ring, logFile := logs.Setup(cfg.DataDir+"/logs", cfg.LogLevel, cfg.Stderr)
	a := &App{cfg: cfg, log: log, logs: ring}
	a.closer = append(a.closer, logFile.Close)
	a.ctx, a.cancel = context.WithCancel(context.Background())

	if err := applyPending(cfg, log); err != nil { // restore / key rotation from the UI (app/maint.go)
		return nil, err
	}
	key, keyInfo, err := store.LoadKey(cfg.DataDir, cfg.KeyStore)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(store.Options{Dir: cfg.DataDir + "/db", Key: key, Logger: log})
	if err != nil {
		return nil, err
	}
	a.DB = db
	a.closer = append([]func() error{db.Close}, a.closer...)
	log.Info("store opened", "dir", db.Dir(), "key", keyInfo.Storage)

	if cfg.Demo {
		if err := a.startDemoWeLink(); err != nil {
			a.Close()
			return nil, err
		}
	}
	var st settings.Settings
	if err := db.View(func(tx *store.Tx) error { var e error; st, e = settings.Load(tx); return e }); err != nil {
		a.Close()
		return nil, err
	}
	a.setWeLinkBase(st.WeLinkBaseURL)

	a.clock = core.SystemClock{}
	a.Public = server.New(log, core.NewID(), cfg.Version)
	a.dependents = &tenant.Dependents{}
	a.Tenant = tenant.New(a.ctx, db, a.WeLink, a.dependents, a.clock, log)
	a.System = system.New(a.ctx, db, a.Public, ring, system.Env{
		DataDir: cfg.DataDir, Key: keyInfo, Demo: cfg.Demo, Version: cfg.Version,
		WeLinkBaseURL: func() string { a.welinkMu.Lock(); defer a.welinkMu.Unlock(); return a.welinkBase },
		Apply:         a.applySettings,
	}, log)
	a.services = []any{a.Tenant, a.System}
	// Each product area wires itself in its own file (wire_<area>.go): its
	// bound service, its public routes, its schedules, its per-corp data.
	if a.sched, err = newScheduler(); err != nil {
		a.Close()
		return nil, err
	}
	for _, wire := range []func() error{a.wireOA, a.wireBinding, a.wireSync, a.wireRelay, a.wireSSO, a.wireDashboard, a.wireBackup, a.wirePlatform, a.wireAudit} {
		if err := wire(); err != nil {
			a.Close()
			return nil, err
		}
	}
	a.sched.Start()
	return a, nil
}

// Services are the structs bound to the UI, in both transports.
func (a *App) Services() []any { return a.services }

// bind adds a service to the UI's API.
func (a *App) bind(svc any) { a.services = append(a.services, svc) }

// Log is the application logger.
func (a *App) Log() *slog.Logger { return a.log }

// Start starts the public listener with the stored settings.
func (a *App) Start() error {
	var st settings.Settings
	if err := a.DB.View(func(tx *store.Tx) error { var e error; st, e = settings.Load(tx); return e }); err != nil {
		return err
	}
	if err := a.applySettings(st); err != nil {
		// The admin UI still starts so the admin can fix the address.
		a.log.Error("public listener could not start; fix it in 系统设置", "err", err)
	}
	return nil
}

func (a *App) applySettings(st settings.Settings) error {
	a.settingsLock.Lock()
	defer a.settingsLock.Unlock()
	a.setWeLinkBase(st.WeLinkBaseURL)
	cfg := server.Config{Addr: st.PublicListen, CertFile: st.TLSCertFile, KeyFile: st.TLSKeyFile}
	if a.cfg.Demo && st.PublicListen == settings.Defaults().PublicListen {
		// A demo has no business on the company network: loopback only,
		// unless the admin chose an address.
		cfg.Addr = "127.0.0.1:8899"
	}
	if a.cfg.PublicAddr != "" {
		cfg.Addr = a.cfg.PublicAddr
	}
	return a.Public.Start(cfg)
}

// WeLink returns the client for the WeLink base URL in use.
func (a *App) WeLink() *welink.Client { return a.welink.Load() }

func (a *App) setWeLinkBase(base string) {
	if a.demoWeLink != "" {
		base = a.demoWeLink // demo mode always talks to the built-in emulator
	}
	a.welinkMu.Lock()
	defer a.welinkMu.Unlock()
	if base == a.welinkBase && a.welink.Load() != nil {
		return
	}
	a.welinkBase = base
	opts := welink.Options{BaseURL: base, Logger: a.log}
	if a.demoWeLink != "" {
		// The emulator also serves the OAuth2 and QR pages WeLink's login
		// host would.
		opts.LoginURL = strings.TrimSuffix(a.demoWeLink, "/api")
	}
	a.welink.Store(welink.New(opts))
}

// startDemoWeLink runs the WeLink emulator on a loopback port.
func (a *App) startDemoWeLink() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return core.ErrUnavailable.Wrap(err)
	}
	srv := &http.Server{Handler: welinksim.Demo(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	a.demoWeLink = "http://" + ln.Addr().String() + "/api"
	a.closer = append([]func() error{srv.Close}, a.closer...)
	// The demo secret is printed in the README, but secrets are never logged.
	a.log.Info("demo: WeLink emulator running", "base", a.demoWeLink, "clientId", welinksim.DemoClientID)
	return nil
}

// Close stops everything in reverse order of start.
func (a *App) Close() error {
	a.cancel()
	var errs []error
	if a.Public != nil {
		errs = append(errs, a.Public.Stop(context.Background()))
	}
	if a.sched != nil {
		// Waits for running jobs: nothing calls a service once it closes.
		errs = append(errs, a.sched.Shutdown())
	}
	for _, c := range a.closer {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}
