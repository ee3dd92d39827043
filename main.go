// Command cloudbridge is 云桥 for WeLink: the desktop window by default,
// `serve` for a headless server with the same UI in a browser, `sim` for the
// WeLink emulator alone, `version`.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"cloudbridge/app"
	"cloudbridge/backend/core"
	oasim "cloudbridge/backend/oa/sim"
	welinksim "cloudbridge/backend/welink/sim"
)

//go:embed all:frontend/dist
var frontendDist embed.FS

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cloudbridge:", describe(err))
		os.Exit(1)
	}
}

func run(args []string) error {
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "", "desktop":
		return runApp(context.Background(), args, false)
	case "serve":
		return runServe(args)
	case "service":
		return runService(args)
	case "sim":
		return runSim(args)
	case "backup":
		return runBackup(args)
	case "restore":
		return runRestore(args)
	case "rotate-key":
		return runRotateKey(args)
	case "version":
		fmt.Printf("cloudbridge %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	case "help", "-h", "--help":
		usage()
		return nil
	}
	usage()
	return fmt.Errorf("unknown command %q", cmd)
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: cloudbridge [command] [flags]

commands:
  (none)     desktop window (falls back to serve without a display)
  serve      headless: public listener + admin UI on a loopback address
  service    install|uninstall|start|stop|status: run serve as a systemd unit
             or Windows service (see "cloudbridge service help")
  sim welink run the WeLink Open Platform emulator
  sim ecology run the e-cology 9 emulator
  backup     one encrypted backup of a stopped installation (--data DIR)
  restore    FILE --data DIR [--key-file master.key]: replace the store of a
             stopped installation (the old one is kept beside it)
  rotate-key --data DIR [--keep-old-key FILE]: new master key for a stopped
             installation (store re-keyed, secrets re-sealed)
  version    print the version

run "cloudbridge serve -h" for the flags.
`)
}

func runApp(ctx context.Context, args []string, headless bool) error {
	fl := flag.NewFlagSet("cloudbridge", flag.ContinueOnError)
	dataDir := fl.String("data", app.DefaultDataDir(), "data directory (store, key file, logs)")
	demo := fl.Bool("demo", false, "run against the built-in WeLink emulator")
	adminAddr := fl.String("admin-addr", "127.0.0.1:8898", "serve: loopback address of the admin UI")
	publicAddr := fl.String("public-addr", "", "public listener address for this run (overrides the setting)")
	keyStore := fl.String("key-store", "auto", "where the master key lives: auto, file or keyring")
	logLevel := fl.String("log-level", "info", "debug, info, warn or error")
	hidden := fl.Bool("hidden", false, "desktop: start in the system tray, without showing the window (start at login)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	assets, err := fs.Sub(frontendDist, "frontend/dist")
	if err != nil {
		return err
	}
	a, err := app.New(app.Config{DataDir: *dataDir, Demo: *demo, KeyStore: *keyStore, PublicAddr: *publicAddr, LogLevel: level, Version: version, StartHidden: *hidden})
	if err != nil {
		return inUseElsewhere(err, *dataDir, !headless && hasDisplay())
	}
	if !headless && hasDisplay() {
		err := app.RunDesktop(a, assets)
		if err == nil {
			return nil
		}
		// A server build has no WebKit linked in: serve instead.
		a.Log().Warn("desktop window unavailable, serving headless", "reason", err)
	}
	defer a.Close()
	return serve(ctx, a, assets, *adminAddr)
}

func hasDisplay() bool {
	if runtime.GOOS != "linux" {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

func serve(ctx context.Context, a *app.App, assets fs.FS, adminAddr string) error {
	host, _, err := net.SplitHostPort(adminAddr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("--admin-addr %q: the admin UI listens on loopback only (use a reverse proxy or SSH tunnel for remote access)", adminAddr)
	}
	ln, err := net.Listen("tcp", adminAddr)
	if err != nil {
		return fmt.Errorf("admin listener: %w", err)
	}
	if err := a.Start(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	h := app.NewHeadless(a, assets)
	st := a.Public.Status()
	fmt.Printf("CloudBridge %s\n  admin UI:        http://%s/\n  public listener: %s\n", version, ln.Addr(), describeListener(st.Running, st.Addr, st.TLS))
	a.Log().Info("admin UI listening", "addr", ln.Addr().String())
	return h.Serve(ctx, ln)
}

func describeListener(running bool, addr string, tls bool) string {
	if !running {
		return "not running (see 系统设置 in the admin UI)"
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	return scheme + "://" + addr
}

func runSim(args []string) error {
	if len(args) == 0 {
		return errors.New("sim: name the emulator: welink or ecology")
	}
	which := args[0]
	fl := flag.NewFlagSet("sim "+which, flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:9801", "listen address")
	users := fl.Int("users", 1000, "generated users")
	seed := fl.Int64("seed", 1, "org generator seed")
	if err := fl.Parse(args[1:]); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch which {
	case "welink":
		fmt.Printf("WeLink emulator on http://%s/api (demo client_id %s)\n", *addr, welinksim.DemoClientID)
		return welinksim.Run(ctx, *addr, *users, *seed)
	case "ecology":
		fmt.Printf("e-cology 9 emulator on http://%s (demo users password %s, HRM key %s)\n", *addr, oasim.DemoPassword, oasim.DemoTokenKey)
		return oasim.Run(ctx, *addr, *users, *seed)
	}
	return fmt.Errorf("sim: unknown emulator %q", which)
}

// describe prints catalogue errors in the user's language.
func describe(err error) string {
	var e *core.Error
	if errors.As(err, &e) {
		return core.Translate(os.Getenv("LANG"), e.Code, e.Params)
	}
	return err.Error()
}
