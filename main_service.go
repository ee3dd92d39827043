package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/kardianos/service"

	"cloudbridge/backend/core"
	"cloudbridge/backend/platform"
)

// `cloudbridge service install|uninstall|start|stop|status` registers `serve`
// with the OS service manager (systemd, the Windows SCM) so the public
// listener — every colleague's SSO and to-dos — runs without anyone logged
// in. The unit itself is platform.ServiceSpec; this is the command line.

func runService(args []string) error {
	attachConsole() // Windows: the GUI binary prints to the calling console
	return defaultServiceCLI().run(args)
}

// serviceCLI has its OS hooks as fields so the argument handling and every
// refusal can be tested on any machine, systemd or not.
type serviceCLI struct {
	out        io.Writer
	privileged func() bool
	system     func() (name string, supported bool)
	executable func() (string, error)
	lookupUser func(name string) (uid, gid int, err error)
	unitPath   string // Linux: the unit file kardianos writes
	prepareDir func(dir string, uid, gid int) error
	newService func(cfg *service.Config) (service.Service, error)
}

func defaultServiceCLI() *serviceCLI {
	return &serviceCLI{
		out:        os.Stdout,
		privileged: isPrivileged,
		system:     platform.ServiceSystem,
		executable: platform.Executable,
		lookupUser: func(name string) (int, int, error) {
			u, err := user.Lookup(name)
			if err != nil {
				return 0, 0, err
			}
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			return uid, gid, nil
		},
		unitPath:   platform.UnitPath(),
		prepareDir: prepareServiceDataDir,
		newService: func(cfg *service.Config) (service.Service, error) { return service.New(nil, cfg) },
	}
}

const serviceUsage = `usage: cloudbridge service COMMAND [flags]

commands:
  install    register "serve --data DIR" with systemd (Linux) or the Windows
             service manager: starts with the machine, restarts after a crash
  uninstall  stop and remove the service (the data directory is kept)
  start      start the installed service
  stop       stop it
  status     installed? running?

install flags:
  --data DIR   absolute data directory (default %s)
  --user NAME  Linux: the account the unit runs as (default cloudbridge; it must exist)
`

func (c *serviceCLI) run(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(c.out, serviceUsage, platform.DefaultServiceDataDir())
		if len(args) == 0 {
			return errors.New("service: name a command: install, uninstall, start, stop or status")
		}
		return nil
	}
	cmd := args[0]
	fl := flag.NewFlagSet("service "+cmd, flag.ContinueOnError)
	fl.SetOutput(c.out)
	dataDir := platform.DefaultServiceDataDir()
	username := "cloudbridge"
	if cmd == "install" {
		fl.StringVar(&dataDir, "data", dataDir, "absolute data directory")
		fl.StringVar(&username, "user", username, "Linux: the account the service runs as")
	}
	if err := fl.Parse(args[1:]); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("service %s: unexpected argument %q", cmd, fl.Arg(0))
	}
	switch cmd {
	case "install", "uninstall", "start", "stop", "status":
	default:
		return fmt.Errorf("service: unknown command %q (install, uninstall, start, stop or status)", cmd)
	}
	exe, err := c.executable()
	if err != nil {
		return core.ErrServiceFailed.Wrap(err, "action", cmd, "message", err.Error())
	}
	spec := platform.ServiceSpec{Exe: platform.ServerBinary(exe), DataDir: dataDir, User: username}
	if cmd == "install" {
		// The arguments first: they are wrong on any machine.
		if err := spec.Validate(); err != nil {
			return err
		}
	}
	if name, ok := c.system(); !ok {
		if name == "" {
			name = "none"
		}
		return core.ErrServiceUnsupported.New("system", name)
	}
	if cmd != "status" && !c.privileged() {
		return core.ErrServiceNotPrivileged.New("action", "cloudbridge service "+cmd)
	}
	if cmd == "install" {
		return c.install(spec)
	}
	svc, err := c.newService(spec.ServiceConfig())
	if err != nil {
		return core.ErrServiceFailed.Wrap(err, "action", cmd, "message", err.Error())
	}
	status, statusErr := svc.Status()
	installed := !errors.Is(statusErr, service.ErrNotInstalled) || c.unitExists()
	if !installed {
		return core.ErrServiceNotInstalled.New("name", platform.ServiceName)
	}
	switch cmd {
	case "status":
		state := "stopped"
		switch {
		case statusErr != nil:
			state = "unknown (" + statusErr.Error() + ")"
		case status == service.StatusRunning:
			state = "running"
		}
		fmt.Fprintf(c.out, "%s: %s (%s)\n", platform.ServiceName, state, c.unitPathText())
		return nil
	case "start":
		if err := svc.Start(); err != nil {
			return core.ErrServiceFailed.Wrap(err, "action", "start", "message", err.Error())
		}
		fmt.Fprintf(c.out, "%s started; admin UI on http://127.0.0.1:8898/\n", platform.ServiceName)
	case "stop":
		if err := svc.Stop(); err != nil {
			return core.ErrServiceFailed.Wrap(err, "action", "stop", "message", err.Error())
		}
		fmt.Fprintf(c.out, "%s stopped\n", platform.ServiceName)
	case "uninstall":
		if status == service.StatusRunning {
			if err := svc.Stop(); err != nil {
				return core.ErrServiceFailed.Wrap(err, "action", "stop", "message", err.Error())
			}
		}
		if err := svc.Uninstall(); err != nil {
			return core.ErrServiceFailed.Wrap(err, "action", "uninstall", "message", err.Error())
		}
		fmt.Fprintf(c.out, "%s removed; its data directory is kept\n", platform.ServiceName)
	}
	return nil
}

func (c *serviceCLI) install(spec platform.ServiceSpec) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	spec.DataDir = filepath.Clean(spec.DataDir)
	svc, err := c.newService(spec.ServiceConfig())
	if err != nil {
		return core.ErrServiceFailed.Wrap(err, "action", "install", "message", err.Error())
	}
	if _, err := svc.Status(); !errors.Is(err, service.ErrNotInstalled) || c.unitExists() {
		return core.ErrServiceAlreadyInstalled.New("name", platform.ServiceName, "path", c.unitPathText())
	}
	uid, gid := -1, -1
	if runtime.GOOS != "windows" {
		if uid, gid, err = c.lookupUser(spec.User); err != nil {
			return core.ErrServiceUserMissing.New("user", spec.User)
		}
	}
	if err := c.prepareDir(spec.DataDir, uid, gid); err != nil {
		return core.ErrServiceFailed.Wrap(err, "action", "install", "message", err.Error())
	}
	if err := svc.Install(); err != nil {
		// Nothing half-applied: kardianos writes the unit before enabling
		// it, so a failed enable leaves a file behind.
		if c.unitExists() {
			os.Remove(c.unitPath)
		}
		return core.ErrServiceFailed.Wrap(err, "action", "install", "message", err.Error())
	}
	fmt.Fprintf(c.out, "installed %s (%s): %s\nstart it with: cloudbridge service start\n",
		platform.ServiceName, c.unitPathText(), spec)
	return nil
}

func (c *serviceCLI) unitPathText() string {
	if runtime.GOOS == "windows" {
		return platform.UnitPath()
	}
	return c.unitPath
}

// unitExists: systemctl may not list a unit file it has not loaded yet;
// the file itself decides. On Windows the SCM's status answers alone.
func (c *serviceCLI) unitExists() bool {
	if runtime.GOOS == "windows" {
		return false
	}
	_, err := os.Stat(c.unitPath)
	return err == nil
}

// prepareServiceDataDir creates the data directory for the service account.
// systemd's StateDirectory= makes /var/lib/cloudbridge itself; any other
// directory must exist and belong to the unit's user.
func prepareServiceDataDir(dir string, uid, gid int) error {
	if runtime.GOOS != "windows" && dir == "/var/lib/"+platform.ServiceName {
		return nil
	}
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := restrictToService(dir, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// runServe is `cloudbridge serve`: started by the Windows service manager it
// speaks the SCM protocol (kardianos/service) and stops cleanly on its Stop;
// everywhere else it runs until SIGINT/SIGTERM (systemd sends SIGTERM).
func runServe(args []string) error {
	if runtime.GOOS != "windows" || service.Interactive() {
		return runApp(context.Background(), args, true)
	}
	p := &scmProgram{run: func(ctx context.Context) error { return runApp(ctx, args, true) }}
	svc, err := service.New(p, &service.Config{Name: platform.ServiceName})
	if err != nil {
		return err
	}
	return svc.Run()
}

// scmProgram runs serve under the SCM: Start returns at once (the SCM wants
// "running" quickly), Stop cancels serve and waits until the listeners are
// closed and the store is flushed, so the SCM never kills a half-closed
// Badger.
type scmProgram struct {
	run    func(context.Context) error
	cancel context.CancelFunc
	done   chan error
}

func (p *scmProgram) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan error, 1)
	go func() {
		err := p.run(ctx)
		if ctx.Err() == nil {
			// serve ended by itself (the store is locked, the admin port is
			// taken…): exit non-zero so the SCM records the failure and its
			// recovery action restarts the service.
			fmt.Fprintln(os.Stderr, "cloudbridge:", describe(err))
			os.Exit(1)
		}
		p.done <- err
	}()
	return nil
}

func (p *scmProgram) Stop(service.Service) error {
	p.cancel()
	select {
	case err := <-p.done:
		return err
	case <-time.After(25 * time.Second):
		return errors.New("serve did not stop within 25 s")
	}
}
