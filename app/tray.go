package app

import (
	"context"
	"os"
	"os/signal"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"cloudbridge/backend/core"
)

// The public listener carries every colleague's SSO and to-dos, so closing
// the desktop window must not stop it: the window hides into the system
// tray, whose menu shows the listener's state and offers "show window" and
// "quit". Without a tray host (a Linux desktop without a StatusNotifier
// watcher, Windows without Explorer) nothing may be hidden "into nowhere":
// closing asks whether to quit, and the log says why.
//
// The platform half (trayHostMissing, runTray, followTrayHost) is in tray_linux.go /
// tray_windows.go, on fyne.io/systray: on Linux it speaks DBus
// StatusNotifierItem, so it never touches GTK's main loop; on Windows it
// runs its own hidden window and message loop on a locked OS thread, so
// Wails keeps the main thread (see runTray).
type tray struct {
	a        *App
	win      windowOps    // the Wails window (wailsWindow); a fake in tests
	lang     atomic.Value // "zh-CN" | "en-US"
	ready    atomic.Bool  // our icon is shown: closing may hide the window
	hidden   atomic.Bool  // the window is hidden into the tray
	quitting atomic.Bool  // "quit" chosen: OnBeforeClose lets it close
	noTray   atomic.Value // why there is no tray (for the log and the dialog)
	mu       sync.Mutex
	items    trayItems
	stop     chan struct{}
	stopOnce sync.Once
	iconOn   atomic.Bool // the icon was started (startIcon)
	// hiddenWait: how long a --hidden start waits for its tray icon.
	hiddenWait time.Duration
	// signals: Wails turns SIGTERM/SIGINT (logout, shutdown, systemctl
	// --user stop, Ctrl+C) into the same Quit → OnBeforeClose path as the
	// close button; a signal must quit, not hide.
	signals chan os.Signal
}

// trayItems are the platform's menu entries behind small setters.
type trayItems struct {
	setStatus func(text string)
	setShow   func(text string)
	setQuit   func(text string)
	setTip    func(text string)
	ids       []int32 // status, show, quit: their dbusmenu ids (tests)
}

// windowOps is what the tray does to the window.
type windowOps interface {
	show()
	hide()
	quit()
	// ask shows a yes/no question; true is "yes".
	ask(title, message string) (bool, error)
}

// wailsWindow drives the window through Wails' runtime.
type wailsWindow struct{ ctx context.Context }

func (w wailsWindow) show() {
	runtime.WindowUnminimise(w.ctx)
	runtime.WindowShow(w.ctx)
}
func (w wailsWindow) hide() { runtime.WindowHide(w.ctx) }
func (w wailsWindow) quit() { runtime.Quit(w.ctx) }
func (w wailsWindow) ask(title, message string) (bool, error) {
	answer, err := runtime.MessageDialog(w.ctx, runtime.MessageDialogOptions{Type: runtime.QuestionDialog, Title: title, Message: message})
	return answer == "Yes", err
}

func newTray(a *App) *tray {
	t := &tray{a: a, stop: make(chan struct{}), signals: make(chan os.Signal, 1), hiddenWait: 20 * time.Second}
	signal.Notify(t.signals, syscall.SIGTERM, syscall.SIGINT)
	t.lang.Store(osLanguage())
	t.noTray.Store("")
	return t
}

// start runs from Wails' OnStartup.
func (t *tray) start(ctx context.Context) { t.startWith(wailsWindow{ctx}) }

func (t *tray) startWith(win windowOps) {
	t.win = win
	t.a.tray.Store(t)
	if t.a.cfg.StartHidden {
		// Started at login with --hidden: the window stays in the tray,
		// unless no icon comes up (no panel, or a panel that never starts).
		t.hidden.Store(true)
		go t.showUnlessIcon(t.hiddenWait)
	}
	if why := trayHostMissing(); why != "" {
		t.noTray.Store(why)
		t.a.log.Warn("no system tray: closing the window will ask before quitting (the public listener stops with it)", "reason", why)
		// At login the panel may start after us: show the icon when it
		// comes (Linux).
		followTrayHost(t)
		return
	}
	t.startIcon()
}

// startIcon shows the icon and menu once.
func (t *tray) startIcon() {
	if t.iconOn.CompareAndSwap(false, true) {
		runTray(t)
		go t.refresh()
	}
}

func (t *tray) showUnlessIcon(wait time.Duration) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !t.ready.Load() {
		select {
		case <-t.stop:
			return
		case <-tick.C:
		case <-deadline.C:
			t.a.log.Warn("started hidden but no tray icon came up: showing the window", "waited", wait.String())
			t.show()
			return
		}
	}
}

// ready is called by the platform once the icon and menu exist.
func (t *tray) onReady(items trayItems) {
	t.mu.Lock()
	t.items = items
	t.mu.Unlock()
	t.relabel()
	t.ready.Store(true)
	t.a.log.Info("system tray icon shown: closing the window keeps CloudBridge running")
}

// hostGone: the tray host went away (the panel crashed or was removed):
// a hidden window must come back, or nobody could reach it.
func (t *tray) hostGone(why string) {
	t.ready.Store(false)
	t.noTray.Store(why)
	t.a.log.Warn("system tray gone", "reason", why)
	if t.hidden.Load() {
		t.show()
	}
}

func (t *tray) hostBack() {
	t.noTray.Store("")
	t.ready.Store(true)
	t.a.log.Info("system tray available again")
}

func (t *tray) setLanguage(lang string) {
	t.lang.Store(core.NormalizeLang(lang))
	t.relabel()
}

func (t *tray) text(key string, params ...string) string {
	p := map[string]string{}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = params[i+1]
	}
	return core.T(t.lang.Load().(string), "tray."+key, p)
}

func (t *tray) statusText() string {
	st := t.a.Public.Status()
	if !st.Running {
		return t.text("listener_stopped")
	}
	scheme := "http"
	if st.TLS {
		scheme = "https"
	}
	return t.text("listener_running", "addr", scheme+"://"+st.Addr)
}

func (t *tray) relabel() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.items.setStatus == nil {
		return
	}
	t.items.setStatus(t.statusText())
	t.items.setShow(t.text("show"))
	t.items.setQuit(t.text("quit"))
	t.items.setTip(t.text("tooltip", "status", t.statusText()))
}

// refresh keeps the status line current (the listener restarts when the
// settings change).
func (t *tray) refresh() {
	last := ""
	tk := time.NewTicker(2 * time.Second)
	defer tk.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tk.C:
		}
		if s := t.statusText(); s != last {
			last = s
			t.relabel()
		}
	}
}

func (t *tray) show() {
	if t.win == nil {
		return
	}
	t.hidden.Store(false)
	t.win.show()
}

// quit is the menu's "quit": the only way out while a tray exists.
func (t *tray) quit() {
	t.quitting.Store(true)
	if t.win != nil {
		t.win.quit()
	}
}

// beforeClose is Wails' OnBeforeClose: true keeps the app running.
func (t *tray) beforeClose(context.Context) bool {
	if t.quitting.Load() || t.signalled() {
		return false
	}
	if t.ready.Load() {
		t.win.hide()
		t.hidden.Store(true)
		t.a.log.Info("window hidden into the system tray; the public listener keeps running")
		return true
	}
	why, _ := t.noTray.Load().(string)
	t.a.log.Warn("window closed without a system tray: asking before quitting", "reason", why)
	yes, err := t.win.ask(t.text("quit_title"), t.text("quit_message"))
	if err != nil {
		t.a.log.Error("quit dialog failed; quitting", "err", err)
		return false
	}
	if !yes {
		return true
	}
	t.quitting.Store(true)
	return false
}

// signalled reports a SIGTERM/SIGINT behind this close. The runtime hands
// a signal to every channel in one pass, so ours holds it by the time
// Wails' handler has got as far as OnBeforeClose; off Windows that call runs
// in a goroutine of its own and may wait a moment to be sure.
func (t *tray) signalled() bool {
	wait := 50 * time.Millisecond
	if goruntime.GOOS == "windows" { // OnBeforeClose runs on the UI thread there
		wait = 0
	}
	select {
	case sig := <-t.signals:
		t.quitting.Store(true)
		t.a.log.Info("quitting on a signal", "signal", sig.String())
		return true
	case <-time.After(wait):
		return false
	}
}

// secondInstance brings the window forward when CloudBridge is started
// again on the same data directory (Wails' SingleInstanceLock).
func (t *tray) secondInstance(options.SecondInstanceData) {
	t.a.log.Info("CloudBridge started again on this data directory: showing the window")
	t.show()
}

// singleInstance is the window's single-instance lock, per data directory.
func (t *tray) singleInstance() *options.SingleInstanceLock {
	return &options.SingleInstanceLock{UniqueId: InstanceID(t.a.cfg.DataDir), OnSecondInstanceLaunch: t.secondInstance}
}

// shutdown runs from OnShutdown.
func (t *tray) shutdown() {
	t.stopOnce.Do(func() {
		close(t.stop)
		signal.Stop(t.signals)
		t.mu.Lock()
		started := t.items.setStatus != nil
		t.mu.Unlock()
		if started {
			quitTray()
		}
	})
}

// osLanguage is the OS's language for the menu until the UI tells its own
// (platform.Service.SetLanguage).
func osLanguage() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" && s != "C" && !strings.HasPrefix(s, "C.") && s != "POSIX" {
			return core.NormalizeLang(s)
		}
	}
	return core.NormalizeLang(platformLanguage())
}

func (t *tray) menuIDs() []int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.items.ids
}

// iconStarted reports whether the icon was started (it may not be ready).
func (t *tray) iconStarted() bool { return t.iconOn.Load() }
