package platform

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"cloudbridge/backend/core"
)

func newTestService(t *testing.T, desktop bool) (*Service, string) {
	t.Helper()
	cfg := t.TempDir()
	s := New(Env{DataDir: "/srv/cloud bridge/data", Executable: "/opt/cloudbridge/cloudbridge", Desktop: func() bool { return desktop }})
	s.auto = xdgAutostart{configHome: cfg}
	return s, filepath.Join(cfg, "autostart", "cloudbridge.desktop")
}

func TestXDGAutostartOnOff(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("XDG autostart is the Linux mechanism")
	}
	s, file := newTestService(t, true)
	st, err := s.GetAutostart()
	if err != nil || !st.Supported || st.Enabled || st.Location != file {
		t.Fatalf("initial state %+v, %v", st, err)
	}
	st, err = s.SetAutostart(true)
	if err != nil || !st.Enabled || st.Stale {
		t.Fatalf("after enabling: %+v, %v", st, err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := `Exec=/opt/cloudbridge/cloudbridge --data "/srv/cloud bridge/data" --hidden`
	if !strings.Contains(string(b), "\n"+want+"\n") || !strings.HasPrefix(string(b), "[Desktop Entry]\nType=Application\n") {
		t.Fatalf("autostart entry:\n%s\nwant a line %s", b, want)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode())
	}
	// Another data directory makes the stored entry stale.
	s.env.DataDir = "/var/lib/other"
	if st, _ = s.GetAutostart(); !st.Enabled || !st.Stale || st.Command != want[len("Exec="):] {
		t.Errorf("stale entry reported as %+v", st)
	}
	// The desktop's own switch (Hidden=true) counts as off.
	os.WriteFile(file, append(b, "Hidden=true\n"...), 0o644)
	if st, _ = s.GetAutostart(); st.Enabled {
		t.Errorf("Hidden=true entry reported enabled")
	}
	if st, err = s.SetAutostart(false); err != nil || st.Enabled {
		t.Fatalf("after disabling: %+v, %v", st, err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("entry still there: %v", err)
	}
	// Disabling twice is fine.
	if _, err := s.SetAutostart(false); err != nil {
		t.Fatal(err)
	}
}

func TestAutostartRefusedOutsideTheDesktop(t *testing.T) {
	s, file := newTestService(t, false)
	st, err := s.GetAutostart()
	if err != nil || st.Supported {
		t.Fatalf("serve mode: %+v, %v", st, err)
	}
	_, err = s.SetAutostart(true)
	if !core.Of(err, core.ErrAutostartUnsupported) {
		t.Fatalf("serve mode enable: %v", err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("serve mode wrote %s", file)
	}
}

func TestAutostartUnwritableConfig(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs a directory the test user cannot write")
	}
	s, _ := newTestService(t, true)
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	s.auto = xdgAutostart{configHome: dir}
	_, err := s.SetAutostart(true)
	if !core.Of(err, core.ErrAutostartFailed) {
		t.Fatalf("got %v", err)
	}
}

func TestExecArgQuoting(t *testing.T) {
	for in, want := range map[string]string{
		"/opt/cloudbridge/cloudbridge": "/opt/cloudbridge/cloudbridge",
		"/home/a b/data":               `"/home/a b/data"`,
		"/data/100%":                   "/data/100%%",
		`/data/$HOME`:                  `"/data/\\$HOME"`,
		`/data/a"b`:                    `"/data/a\\"b"`,
		`/data/a\b`:                    `"/data/a\\\\b"`,
		"/数据/云桥":                       "/数据/云桥",
	} {
		if got := execArg(in); got != want {
			t.Errorf("execArg(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSetLanguageTellsTheTray(t *testing.T) {
	var got []string
	s := New(Env{OnLanguage: func(l string) { got = append(got, l) }})
	for _, l := range []string{"en", "en-US", "zh-CN", "fr"} {
		if err := s.SetLanguage(l); err != nil {
			t.Fatal(err)
		}
	}
	// "en" and "en-US" are one language; "fr" falls back to zh-CN, already set.
	if strings.Join(got, ",") != "en-US,zh-CN" {
		t.Errorf("OnLanguage calls: %v", got)
	}
}
