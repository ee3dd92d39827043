package platform

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"cloudbridge/backend/core"
)

// The tarball's unit (install.sh --service) is the unit `service install`
// writes for the same binary and data directory.
// UPDATE_UNIT=1 go test ./backend/platform -run TarballUnit rewrites it.
func TestTarballUnitIsTheGeneratedUnit(t *testing.T) {
	sp := ServiceSpec{Exe: "/opt/cloudbridge/cloudbridge-server", DataDir: "/var/lib/cloudbridge", User: "cloudbridge"}
	path := filepath.Join("..", "..", "build", "linux", "cloudbridge.service")
	if os.Getenv("UPDATE_UNIT") == "1" {
		if err := os.WriteFile(path, []byte(sp.SystemdUnit()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(have) != sp.SystemdUnit() {
		t.Fatalf("%s differs from the generated unit (UPDATE_UNIT=1 rewrites it):\n%s", path, sp.SystemdUnit())
	}
	for _, line := range []string{
		"User=cloudbridge",
		"ExecStart=/opt/cloudbridge/cloudbridge-server serve --data /var/lib/cloudbridge",
		"StateDirectory=cloudbridge",
		"WorkingDirectory=/var/lib/cloudbridge",
		"ProtectHome=yes",
		"ProtectSystem=strict",
		"WantedBy=multi-user.target",
	} {
		if !strings.Contains(string(have), "\n"+line+"\n") {
			t.Errorf("unit lacks %q", line)
		}
	}
}

func TestUnitForAnotherDataDir(t *testing.T) {
	u := ServiceSpec{Exe: "/usr/local/bin/cloudbridge", DataDir: "/home/oa/cloudbridge/", User: "oa"}.SystemdUnit()
	for _, line := range []string{
		"ExecStart=/usr/local/bin/cloudbridge serve --data /home/oa/cloudbridge",
		"ReadWritePaths=/home/oa/cloudbridge",
		"ProtectHome=read-only",
		"User=oa",
	} {
		if !strings.Contains(u, "\n"+line+"\n") {
			t.Errorf("unit lacks %q:\n%s", line, u)
		}
	}
	if strings.Contains(u, "StateDirectory=") {
		t.Error("StateDirectory is only for /var/lib/cloudbridge")
	}
	if strings.Contains(u, "{{") {
		t.Error("the unit must not contain template actions (kardianos renders SystemdScript)")
	}
}

func TestServiceSpecValidate(t *testing.T) {
	ok := ServiceSpec{Exe: "/opt/cloudbridge/cloudbridge-server", DataDir: "/var/lib/cloudbridge", User: "cloudbridge"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	rel := ok
	rel.DataDir = "data"
	if err := rel.Validate(); !core.Of(err, core.ErrServiceDataNotAbsolute) {
		t.Errorf("relative --data: %v", err)
	}
	if runtime.GOOS != "windows" {
		for _, bad := range []string{"/srv/cloud bridge", "/srv/100%", "/srv/$x", `/srv/a"b`} {
			sp := ok
			sp.DataDir = bad
			if err := sp.Validate(); !core.Of(err, core.ErrServicePathUnsafe) {
				t.Errorf("--data %q: %v", bad, err)
			}
		}
	}
	cfg := ok.ServiceConfig()
	if cfg.Name != ServiceName || strings.Join(cfg.Arguments, " ") != "serve --data /var/lib/cloudbridge" {
		t.Errorf("config %+v", cfg)
	}
	if cfg.Option["SystemdScript"] != ok.SystemdUnit() {
		t.Error("kardianos must write our unit")
	}
}

func TestServerBinaryPrefersTheStaticBuild(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("one binary on Windows")
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, "cloudbridge")
	if got := ServerBinary(exe); got != exe {
		t.Errorf("without a server binary: %s", got)
	}
	os.WriteFile(filepath.Join(dir, "cloudbridge-server"), []byte("#!/bin/sh\n"), 0o755)
	if got := ServerBinary(exe); got != filepath.Join(dir, "cloudbridge-server") {
		t.Errorf("with a server binary: %s", got)
	}
}
