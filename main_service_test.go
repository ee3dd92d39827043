package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kardianos/service"

	"cloudbridge/backend/core"
	"cloudbridge/backend/platform"
)

// fakeService stands in for systemd / the SCM.
type fakeService struct {
	installed, running bool
	installErr         error
	calls              []string
	cfg                *service.Config
}

func (f *fakeService) Run() error   { return nil }
func (f *fakeService) Start() error { f.calls = append(f.calls, "start"); f.running = true; return nil }
func (f *fakeService) Stop() error  { f.calls = append(f.calls, "stop"); f.running = false; return nil }
func (f *fakeService) Restart() error {
	return nil
}
func (f *fakeService) Install() error {
	f.calls = append(f.calls, "install")
	if f.installErr != nil {
		return f.installErr
	}
	f.installed = true
	return nil
}
func (f *fakeService) Uninstall() error {
	f.calls = append(f.calls, "uninstall")
	f.installed = false
	return nil
}
func (f *fakeService) Logger(chan<- error) (service.Logger, error)       { return nil, nil }
func (f *fakeService) SystemLogger(chan<- error) (service.Logger, error) { return nil, nil }
func (f *fakeService) String() string                                    { return "fake" }
func (f *fakeService) Platform() string                                  { return "fake" }
func (f *fakeService) Status() (service.Status, error) {
	switch {
	case !f.installed:
		return service.StatusUnknown, service.ErrNotInstalled
	case f.running:
		return service.StatusRunning, nil
	}
	return service.StatusStopped, nil
}

func testCLI(t *testing.T, f *fakeService) (*serviceCLI, *bytes.Buffer) {
	t.Helper()
	out := &bytes.Buffer{}
	dir := t.TempDir()
	c := &serviceCLI{
		out:        out,
		privileged: func() bool { return true },
		system:     func() (string, bool) { return "linux-systemd", true },
		executable: func() (string, error) { return "/opt/cloudbridge/cloudbridge", nil },
		lookupUser: func(name string) (int, int, error) {
			if name != "cloudbridge" {
				return 0, 0, errors.New("unknown user")
			}
			return os.Getuid(), os.Getgid(), nil
		},
		unitPath:   filepath.Join(dir, "cloudbridge.service"),
		prepareDir: prepareServiceDataDir,
		newService: func(cfg *service.Config) (service.Service, error) { f.cfg = cfg; return f, nil },
	}
	return c, out
}

func TestServiceInstallRegistersServe(t *testing.T) {
	f := &fakeService{}
	c, out := testCLI(t, f)
	data := filepath.Join(t.TempDir(), "cb-data")
	if err := c.run([]string{"install", "--data", data + "/"}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.calls, ",") != "install" {
		t.Errorf("calls %v", f.calls)
	}
	if got := strings.Join(f.cfg.Arguments, " "); got != "serve --data "+data {
		t.Errorf("arguments %q", got)
	}
	if f.cfg.Name != "cloudbridge" || f.cfg.Executable != "/opt/cloudbridge/cloudbridge" {
		t.Errorf("config %+v", f.cfg)
	}
	unit, _ := f.cfg.Option["SystemdScript"].(string)
	if !strings.Contains(unit, "\nExecStart=/opt/cloudbridge/cloudbridge serve --data "+data+"\n") ||
		!strings.Contains(unit, "\nReadWritePaths="+data+"\n") {
		t.Errorf("unit:\n%s", unit)
	}
	fi, err := os.Stat(data)
	if err != nil || !fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700) {
		t.Errorf("data dir: %v %v", fi, err)
	}
	if !strings.Contains(out.String(), "cloudbridge service start") {
		t.Errorf("output %q", out)
	}

	// A second install is refused, naming the unit.
	err = c.run([]string{"install", "--data", data})
	if !core.Of(err, core.ErrServiceAlreadyInstalled) || !strings.Contains(describe(err), c.unitPath) {
		t.Errorf("second install: %v", describe(err))
	}
}

func TestServiceInstallRefusals(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "d")
	for name, tc := range map[string]struct {
		args   []string
		adjust func(*serviceCLI, *fakeService)
		kind   core.Kind
	}{
		"not privileged": {[]string{"install", "--data", abs}, func(c *serviceCLI, _ *fakeService) { c.privileged = func() bool { return false } }, core.ErrServiceNotPrivileged},
		"relative data":  {[]string{"install", "--data", "data"}, nil, core.ErrServiceDataNotAbsolute},
		"unsafe data":    {[]string{"install", "--data", "/srv/cloud bridge"}, nil, core.ErrServicePathUnsafe},
		"no such user":   {[]string{"install", "--data", abs, "--user", "nobody-here"}, nil, core.ErrServiceUserMissing},
		"unit file left": {[]string{"install", "--data", abs}, func(c *serviceCLI, _ *fakeService) { os.WriteFile(c.unitPath, []byte("x"), 0o644) }, core.ErrServiceAlreadyInstalled},
		"no systemd": {[]string{"install", "--data", abs}, func(c *serviceCLI, _ *fakeService) {
			c.system = func() (string, bool) { return "linux-system-v", false }
		}, core.ErrServiceUnsupported},
		"uninstall, none": {[]string{"uninstall"}, nil, core.ErrServiceNotInstalled},
		"start, none":     {[]string{"start"}, nil, core.ErrServiceNotInstalled},
		"stop, none":      {[]string{"stop"}, nil, core.ErrServiceNotInstalled},
		"status, none":    {[]string{"status"}, nil, core.ErrServiceNotInstalled},
		"stop, not admin": {[]string{"stop"}, func(c *serviceCLI, _ *fakeService) { c.privileged = func() bool { return false } }, core.ErrServiceNotPrivileged},
		"enable fails":    {[]string{"install", "--data", abs}, func(_ *serviceCLI, f *fakeService) { f.installErr = errors.New("systemctl enable: exit status 1") }, core.ErrServiceFailed},
	} {
		t.Run(name, func(t *testing.T) {
			if runtime.GOOS == "windows" && (name == "unsafe data" || name == "no such user" || name == "unit file left") {
				t.Skip("Linux only")
			}
			f := &fakeService{}
			c, _ := testCLI(t, f)
			if tc.adjust != nil {
				tc.adjust(c, f)
			}
			err := c.run(tc.args)
			if !core.Of(err, tc.kind) {
				t.Fatalf("got %v, want %s", err, tc.kind.Code)
			}
			if tc.kind != core.ErrServiceFailed && tc.kind != core.ErrServiceAlreadyInstalled && len(f.calls) > 0 {
				t.Errorf("refused, yet called %v", f.calls)
			}
			// Every refusal reads as a sentence in both languages.
			for _, lang := range []string{"zh-CN", "en-US"} {
				e := core.AsError(err)
				if msg := core.Translate(lang, e.Code, e.Params); strings.HasPrefix(msg, "errors.") || strings.Contains(msg, "{") {
					t.Errorf("%s: untranslated %q", lang, msg)
				}
			}
		})
	}
}

func TestServiceInstallFailureLeavesNoUnit(t *testing.T) {
	f := &fakeService{installErr: errors.New("systemctl enable: exit status 1")}
	c, _ := testCLI(t, f)
	// kardianos writes the unit, then enable fails.
	f.installErr = errors.New("enable failed")
	c.newService = func(cfg *service.Config) (service.Service, error) {
		return &writeThenFail{fakeService: f, path: c.unitPath}, nil
	}
	err := c.run([]string{"install", "--data", filepath.Join(t.TempDir(), "d")})
	if !core.Of(err, core.ErrServiceFailed) {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.unitPath); !os.IsNotExist(err) {
		t.Errorf("unit file left behind: %v", err)
	}
}

type writeThenFail struct {
	*fakeService
	path string
}

func (w *writeThenFail) Install() error {
	os.WriteFile(w.path, []byte("[Unit]\n"), 0o644)
	return w.fakeService.Install()
}

func TestServiceLifecycle(t *testing.T) {
	f := &fakeService{installed: true}
	c, out := testCLI(t, f)
	for _, step := range []struct{ cmd, want string }{
		{"status", "cloudbridge: stopped"},
		{"start", "cloudbridge started"},
		{"status", "cloudbridge: running"},
		{"uninstall", "cloudbridge removed"},
	} {
		out.Reset()
		if err := c.run([]string{step.cmd}); err != nil {
			t.Fatalf("%s: %v", step.cmd, err)
		}
		if !strings.Contains(out.String(), step.want) {
			t.Errorf("%s printed %q", step.cmd, out)
		}
	}
	// uninstall stops a running service first.
	if got := strings.Join(f.calls, ","); got != "start,stop,uninstall" {
		t.Errorf("calls %s", got)
	}
}

func TestServiceArguments(t *testing.T) {
	c, out := testCLI(t, &fakeService{})
	if err := c.run(nil); err == nil || !strings.Contains(out.String(), "install") {
		t.Errorf("no command: %v, usage %q", err, out)
	}
	if err := c.run([]string{"help"}); err != nil {
		t.Error(err)
	}
	if err := c.run([]string{"restart"}); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
	if err := c.run([]string{"start", "now"}); err == nil || !strings.Contains(err.Error(), "unexpected argument") {
		t.Errorf("extra argument: %v", err)
	}
	// --data belongs to install only: start/stop act on the installed unit.
	if err := c.run([]string{"start", "--data", "/x"}); err == nil {
		t.Error("start --data accepted")
	}
}

// This machine's real service manager: without systemd as PID 1 (a
// container), install is refused rather than writing a SysV script.
func TestServiceRefusedWithoutSystemd(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux")
	}
	if platform.SystemdRunning() {
		t.Skip("systemd runs here: this test is for machines without it")
	}
	name, ok := platform.ServiceSystem()
	if ok {
		t.Fatalf("service system %q reported supported without systemd", name)
	}
	err := defaultServiceCLI().run([]string{"install", "--data", t.TempDir()})
	if !core.Of(err, core.ErrServiceUnsupported) {
		t.Fatalf("got %v", err)
	}
	t.Logf("refused as expected: %s", core.Translate("en-US", core.AsError(err).Code, core.AsError(err).Params))
}

// Badger's Windows lock failure arrives as an internal error whose cause
// names the lock; it is reported as store.locked naming the data directory.
func TestBadgerLockTextIsStoreLocked(t *testing.T) {
	cause := errors.New(`Cannot create lock file "C:\\d\\db\\LOCK".  Another process is using this Badger database. error: The process cannot access the file because it is being used by another process.`)
	dir := t.TempDir()
	err := inUseElsewhere(core.ErrInternal.Wrap(cause), dir, false)
	if !core.Of(err, core.ErrStoreLocked) || core.AsError(err).Params["dir"] != dir {
		t.Fatalf("got %v", err)
	}
	other := core.ErrKeyMissing.New()
	if got := inUseElsewhere(other, dir, false); got != error(other) {
		t.Fatalf("other errors pass through: %v", got)
	}
}

// Under the Windows SCM, Stop must not return before serve has closed the
// listeners and the store: the SCM may end the process right after.
func TestSCMProgramStopWaitsForServe(t *testing.T) {
	closed := make(chan struct{})
	p := &scmProgram{run: func(ctx context.Context) error {
		<-ctx.Done()
		time.Sleep(100 * time.Millisecond) // listeners stopping, store closing
		close(closed)
		return nil
	}}
	if err := p.Start(nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.Stop(nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	default:
		t.Fatal("Stop returned before serve finished")
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("Stop took %v", d)
	}
}
