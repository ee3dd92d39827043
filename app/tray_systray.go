//go:build linux || windows

package app

import (
	"fmt"
	goruntime "runtime"

	"fyne.io/systray"
)

// startSystray runs fyne.io/systray's own loop on a locked OS thread of its
// own. Not RunWithExternalLoop: on Windows that creates the tray's hidden
// window on the calling thread and pumps messages from another goroutine,
// so the window's messages would only be seen by Wails' loop on the main
// thread — and the tray's WM_DESTROY would PostQuitMessage into Wails' loop.
// On Linux systray.Run is plain DBus and blocks only this goroutine.
func startSystray(t *tray, icon []byte) {
	go func() {
		goruntime.LockOSThread()
		systray.Run(func() { t.onReady(buildTrayMenu(t, icon)) }, nil)
	}()
}

func buildTrayMenu(t *tray, icon []byte) trayItems {
	systray.SetIcon(icon)
	systray.SetTitle("云桥 CloudBridge")
	status := systray.AddMenuItem("", "")
	status.Disable() // information only
	systray.AddSeparator()
	show := systray.AddMenuItem("", "")
	quit := systray.AddMenuItem("", "")
	systray.SetOnTapped(t.show) // a left click opens the window
	go func() {
		for {
			select {
			case <-show.ClickedCh:
				t.show()
			case <-quit.ClickedCh:
				t.quit()
			case <-t.stop:
				return
			}
		}
	}()
	return trayItems{setStatus: status.SetTitle, setShow: show.SetTitle, setQuit: quit.SetTitle, setTip: systray.SetTooltip,
		ids: []int32{menuID(status), menuID(show), menuID(quit)}}
}

// menuID is an item's dbusmenu id (systray prints it, it has no getter).
func menuID(item *systray.MenuItem) int32 {
	var id int32
	fmt.Sscanf(item.String(), "MenuItem[%d,", &id)
	return id
}

func quitTray() { systray.Quit() }
