package app

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"cloudbridge/backend/platform"
)

// fakeWindow records what the tray did to the window.
type fakeWindow struct {
	mu     sync.Mutex
	calls  []string
	answer bool
}

func (w *fakeWindow) record(s string) { w.mu.Lock(); w.calls = append(w.calls, s); w.mu.Unlock() }
func (w *fakeWindow) show()           { w.record("show") }
func (w *fakeWindow) hide()           { w.record("hide") }
func (w *fakeWindow) quit()           { w.record("quit") }
func (w *fakeWindow) ask(title, _ string) (bool, error) {
	w.record("ask:" + title)
	return w.answer, nil
}
func (w *fakeWindow) got() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.calls, ",")
}

// privateSessionBus starts a dbus-daemon of the test's own.
func privateSessionBus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon not installed (build/scripts/deps.sh installs it)")
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr = strings.TrimSpace(addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}

// fakeWatcher is a panel's StatusNotifierWatcher with a host registered.
type fakeWatcher struct {
	conn  *dbus.Conn
	items chan string
}

func (w *fakeWatcher) RegisterStatusNotifierItem(sender dbus.Sender, path string) *dbus.Error {
	w.items <- string(sender) + path
	return nil
}

func startWatcher(t *testing.T) *fakeWatcher {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	w := &fakeWatcher{conn: conn, items: make(chan string, 4)}
	if err := conn.Export(w, "/StatusNotifierWatcher", snWatcher); err != nil {
		t.Fatal(err)
	}
	if _, err := prop.Export(conn, "/StatusNotifierWatcher", prop.Map{snWatcher: {
		"IsStatusNotifierHostRegistered": {Value: true},
	}}); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(snWatcher, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("watcher name: %v %v", reply, err)
	}
	return w
}

type menuEntry struct {
	id      int32
	label   string
	enabled bool
}

// menu reads the tray's menu items over dbusmenu, as a panel does
// (GetGroupProperties: fyne.io/systray's GetLayout races with its own
// refresh under the race detector).
func menu(t *testing.T, conn *dbus.Conn, dest string, ids []int32) []menuEntry {
	t.Helper()
	var props []struct {
		V0 int32
		V1 map[string]dbus.Variant
	}
	call := conn.Object(dest, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.GetGroupProperties", 0, ids, []string{})
	if call.Err != nil {
		t.Fatal(call.Err)
	}
	if err := call.Store(&props); err != nil {
		t.Fatal(err)
	}
	var out []menuEntry
	for _, p := range props {
		e := menuEntry{id: p.V0, enabled: true}
		if v, ok := p.V1["label"]; ok {
			e.label, _ = v.Value().(string)
		}
		if v, ok := p.V1["enabled"]; ok {
			e.enabled, _ = v.Value().(bool)
		}
		out = append(out, e)
	}
	return out
}

func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if f() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// The tray against a real DBus session with a fake panel: no watcher means
// no hiding (closing asks), a watcher gets our StatusNotifierItem whose
// menu shows the listener and follows the UI language, "Quit" quits,
// closing hides, and a panel that goes away brings the hidden window back.
func TestTrayOverDBus(t *testing.T) {
	privateSessionBus(t)
	a, _ := newHeadlessTest(t)

	if why := trayHostMissing(); !strings.Contains(why, "no StatusNotifierWatcher") {
		t.Fatalf("without a panel: %q", why)
	}
	// Without a tray, closing asks; "no" keeps the window, "yes" quits.
	tr := newTray(a)
	defer tr.shutdown()
	win := &fakeWindow{}
	tr.startWith(win)
	if !tr.beforeClose(context.Background()) || win.got() != "ask:退出云桥？" {
		t.Fatalf("close without tray: calls %s", win.got())
	}
	win.answer = true
	if tr.beforeClose(context.Background()) {
		t.Fatal(`"yes" did not let the window close`)
	}
	tr.quitting.Store(false) // (the window would be gone now)
	win = &fakeWindow{}
	tr.win = win

	// The panel starts after us (the login race): the icon appears then.
	w := startWatcher(t)
	if why := trayHostMissing(); why != "" {
		t.Fatalf("with a panel: %q", why)
	}
	var item string
	select {
	case item = <-w.items:
	case <-time.After(10 * time.Second):
		t.Fatal("the tray never registered with the watcher")
	}
	sender := strings.TrimSuffix(item, "/StatusNotifierItem")
	eventually(t, "tray ready", tr.ready.Load)

	var m []menuEntry
	eventually(t, "menu labels", func() bool {
		m = menu(t, w.conn, sender, tr.menuIDs())
		return len(m) == 3 && m[1].label == "显示窗口"
	})
	addr := a.Public.Status().Addr
	if m[0].label != "公网监听：运行中 http://"+addr || m[0].enabled || m[2].label != "退出" {
		t.Fatalf("menu %+v", m)
	}

	// The UI switches to English: the menu follows.
	svc := platformService(t, a)
	if err := svc.SetLanguage("en-US"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "English labels", func() bool {
		m = menu(t, w.conn, sender, tr.menuIDs())
		return len(m) == 3 && m[1].label == "Show window" && m[2].label == "Quit"
	})
	if st, _ := svc.GetAutostart(); !st.Supported || !st.Tray {
		t.Errorf("while the window runs with a tray: %+v", st)
	}

	// Closing hides (the listener keeps running).
	if !tr.beforeClose(context.Background()) || win.got() != "hide" || !a.Public.Status().Running {
		t.Fatalf("close with tray: %s", win.got())
	}
	// "Show window" in the menu, as a panel sends it.
	click := func(id int32) {
		call := w.conn.Object(sender, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0))
		if call.Err != nil {
			t.Fatal(call.Err)
		}
	}
	click(m[1].id)
	eventually(t, "show", func() bool { return win.got() == "hide,show" })

	// The panel goes away while the window is hidden: it comes back.
	tr.beforeClose(context.Background())
	if _, err := w.conn.ReleaseName(snWatcher); err != nil {
		t.Fatal(err)
	}
	eventually(t, "window back when the panel left", func() bool { return win.got() == "hide,show,hide,show" })
	if tr.ready.Load() {
		t.Fatal("tray still counted as ready without a panel")
	}
	if !tr.beforeClose(context.Background()) || !strings.HasPrefix(win.got()[len("hide,show,hide,show"):], ",ask:") {
		t.Fatalf("close after the panel left: %s", win.got())
	}

	// "Quit" quits, and the close that follows is let through.
	click(m[2].id)
	eventually(t, "quit", func() bool { return strings.HasSuffix(win.got(), ",quit") })
	if tr.beforeClose(context.Background()) {
		t.Fatal("close after Quit was prevented")
	}
}

func platformService(t *testing.T, a *App) *platform.Service {
	for _, s := range a.Services() {
		if p, ok := s.(*platform.Service); ok {
			return p
		}
	}
	t.Fatal(errors.New("platform.Service is not bound"))
	return nil
}

// SIGTERM (logout, shutdown) reaches OnBeforeClose through Wails' Quit like
// the close button: it must quit, never hide into the tray.
func TestTraySignalQuitsInsteadOfHiding(t *testing.T) {
	a, _ := newHeadlessTest(t)
	tr := newTray(a)
	defer tr.shutdown()
	win := &fakeWindow{}
	tr.win = win
	tr.ready.Store(true) // as if a panel showed the icon
	if !tr.beforeClose(context.Background()) || win.got() != "hide" {
		t.Fatalf("close button: %s", win.got())
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if tr.beforeClose(context.Background()) {
		t.Fatal("a close caused by SIGTERM was turned into hiding")
	}
	if win.got() != "hide" || !tr.quitting.Load() {
		t.Fatalf("after SIGTERM: %s", win.got())
	}
}

// Started at login with --hidden but no panel ever comes: the window must
// not stay hidden where nobody can reach it.
func TestTrayHiddenStartWithoutPanelShowsTheWindow(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	a, _ := newHeadlessTest(t)
	a.cfg.StartHidden = true
	tr := newTray(a)
	defer tr.shutdown()
	tr.hiddenWait = 300 * time.Millisecond
	win := &fakeWindow{}
	tr.startWith(win)
	if win.got() != "" {
		t.Fatalf("shown at once: %s", win.got())
	}
	eventually(t, "the window shown after the wait", func() bool { return win.got() == "show" })
	if tr.hidden.Load() {
		t.Error("still marked hidden")
	}
}
