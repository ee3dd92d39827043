package system

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/logs"
	"cloudbridge/backend/server"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink/sim"
)

type fixture struct {
	svc     *Service
	public  *server.Server
	applied []settings.Settings
}

func setup(t *testing.T, welinkBase string) *fixture {
	t.Helper()
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log, ring, _ := logs.Setup("", slog.LevelInfo, io.Discard)
	pub := server.New(log, "this-instance", "test")
	t.Cleanup(func() { pub.Stop(context.Background()) })
	f := &fixture{public: pub}
	f.svc = New(context.Background(), db, pub, ring, Env{
		DataDir: "/data", Key: store.KeyInfo{Storage: store.KeyInFile, File: "/data/master.key"}, Version: "test",
		WeLinkBaseURL: func() string { return welinkBase },
		Apply: func(s settings.Settings) error {
			f.applied = append(f.applied, s)
			return pub.Start(server.Config{Addr: s.PublicListen})
		},
	}, log)
	return f
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestSaveSettingsValidatesAndApplies(t *testing.T) {
	f := setup(t, "http://127.0.0.1:1/api")
	got, err := f.svc.GetSettings()
	if err != nil || got.PublicListen != "0.0.0.0:8899" || got.KeyStorage != "file" || len(got.OAEntries) == 0 {
		t.Fatalf("defaults = %+v %v", got, err)
	}
	in := got.Settings
	addr := freeAddr(t)
	in.PublicListen = addr
	in.PublicBaseURL = " https://bridge.example.com/ "
	saved, err := f.svc.SaveSettings(in)
	if err != nil || saved.PublicBaseURL != "https://bridge.example.com" || len(f.applied) != 1 {
		t.Fatalf("save = %+v %v (applied %d)", saved, err, len(f.applied))
	}
	if st, _ := f.svc.ListenerStatus(); !st.Running {
		t.Fatalf("listener not started: %+v", st)
	}
	bad := saved.Settings
	bad.PublicListen = "nonsense"
	if _, err := f.svc.SaveSettings(bad); !core.Of(err, core.ErrSettingsAddr) || len(f.applied) != 1 {
		t.Fatalf("invalid address: %v (applied %d)", err, len(f.applied))
	}
	if again, _ := f.svc.GetSettings(); again.PublicListen != addr {
		t.Fatalf("a refused save changed the stored settings: %+v", again)
	}
}

func TestDiagnosticsAgainstTheEmulator(t *testing.T) {
	hs := httptest.NewServer(sim.Demo())
	defer hs.Close()
	f := setup(t, hs.URL+"/api")
	d, err := f.svc.RunDiagnostics()
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict != "ok" || len(d.Steps) != 3 { // dns, tcp, http (no TLS on http://)
		t.Fatalf("diagnostics = %+v", d)
	}
	if d.PublicCheck.OK || !core.Of(d.PublicCheck.Error, core.ErrPublicURLUnset) {
		t.Fatalf("public check without a base URL: %+v", d.PublicCheck)
	}

	// The public URL reaches this very listener.
	in, _ := f.svc.GetSettings()
	in.PublicListen = freeAddr(t)
	in.PublicBaseURL = "http://" + in.PublicListen
	if _, err := f.svc.SaveSettings(in.Settings); err != nil {
		t.Fatal(err)
	}
	if d, _ = f.svc.RunDiagnostics(); !d.PublicCheck.OK {
		t.Fatalf("self check: %+v", d.PublicCheck)
	}

	// Another CloudBridge answers at the public URL: not ok.
	other := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), "other", "test")
	other.Start(server.Config{Addr: "127.0.0.1:0"})
	defer other.Stop(context.Background())
	in.PublicBaseURL = "http://" + other.Status().Addr
	f.svc.SaveSettings(in.Settings)
	if d, _ = f.svc.RunDiagnostics(); !core.Of(d.PublicCheck.Error, core.ErrDiagPublicOther) {
		t.Fatalf("other instance: %+v", d.PublicCheck)
	}
}

func TestDiagnosticsNamesTheFailingStep(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	f := setup(t, "http://"+addr+"/api")
	d, err := f.svc.RunDiagnostics()
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict != "tcp" || len(d.Steps) != 2 || !d.Steps[0].OK || !core.Of(d.Steps[1].Error, core.ErrDiagTCP) {
		t.Fatalf("diagnostics = %+v", d)
	}
	// An HTTP server that is not WeLink: the http step fails.
	hs := httptest.NewServer(nil)
	defer hs.Close()
	f = setup(t, hs.URL+"/api")
	if d, _ = f.svc.RunDiagnostics(); d.Verdict != "http" {
		t.Fatalf("non-WeLink server verdict = %s", d.Verdict)
	}
}

// The dashboard's public check alone: an unset URL says so; a URL that
// reaches this listener is OK.
func TestCheckPublic(t *testing.T) {
	f := setup(t, "http://127.0.0.1:1/api")
	pc, err := f.svc.CheckPublic()
	if err != nil || pc.OK || !core.Of(pc.Error, core.ErrPublicURLUnset) {
		t.Fatalf("unset = %+v %v", pc, err)
	}
	addr := freeAddr(t)
	st, _ := f.svc.GetSettings()
	st.PublicListen, st.PublicBaseURL = addr, "http://"+addr
	if _, err := f.svc.SaveSettings(st.Settings); err != nil {
		t.Fatal(err)
	}
	if pc, err = f.svc.CheckPublic(); err != nil || !pc.OK || pc.URL != "http://"+addr+"/healthz" {
		t.Fatalf("reachable = %+v %v", pc, err)
	}
}
