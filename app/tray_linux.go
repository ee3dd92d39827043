package app

import (
	_ "embed"

	"github.com/godbus/dbus/v5"
)

//go:embed trayicon/icon.png
var trayIconPNG []byte

const snWatcher = "org.kde.StatusNotifierWatcher"

// trayHostMissing says why no tray icon can be shown ("" when one can): the
// StatusNotifierItem protocol needs a watcher on the session bus with a
// host registered (KDE, Xfce, Cinnamon, UKUI/DDE, GNOME with the
// AppIndicator extension).
func trayHostMissing() string {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return "no DBus session bus: " + err.Error()
	}
	defer conn.Close()
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, snWatcher).Store(&has); err != nil {
		return "DBus NameHasOwner failed: " + err.Error()
	}
	if !has {
		return "no StatusNotifierWatcher on the session bus (on GNOME, the AppIndicator extension provides one)"
	}
	v, err := conn.Object(snWatcher, "/StatusNotifierWatcher").GetProperty(snWatcher + ".IsStatusNotifierHostRegistered")
	if err == nil {
		if ok, isBool := v.Value().(bool); isBool && !ok {
			return "a StatusNotifierWatcher runs but no tray host is registered with it"
		}
	}
	return ""
}

func runTray(t *tray) {
	startSystray(t, trayIconPNG)
	go watchTrayHost(t)
}

// followTrayHost waits for a panel that starts after us.
func followTrayHost(t *tray) { go watchTrayHost(t) }

// watchTrayHost follows the watcher: when the panel goes away a hidden
// window comes back; when it returns, systray registers again by itself.
func watchTrayHost(t *tray) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return
	}
	defer conn.Close()
	if err := conn.AddMatchSignal(
		dbus.WithMatchObjectPath("/org/freedesktop/DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, snWatcher),
	); err != nil {
		t.a.log.Warn("cannot follow the system tray host", "err", err)
		return
	}
	ch := make(chan *dbus.Signal, 8)
	conn.Signal(ch)
	for {
		select {
		case <-t.stop:
			return
		case sig, ok := <-ch:
			if !ok || sig == nil {
				return
			}
			if len(sig.Body) < 3 {
				continue
			}
			owner, _ := sig.Body[2].(string)
			switch {
			case owner == "":
				t.hostGone("the StatusNotifierWatcher left the session bus")
			case !t.iconStarted():
				// The panel came after us (a login race): show the icon
				// now; onReady makes closing hide again.
				t.a.log.Info("a system tray appeared: showing the tray icon")
				t.startIcon()
				return // runTray follows the host from here on
			default:
				t.hostBack()
			}
		}
	}
}

func platformLanguage() string { return "" }
