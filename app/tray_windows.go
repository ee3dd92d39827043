package app

import (
	_ "embed"
	"unsafe"

	"golang.org/x/sys/windows"
)

//go:embed trayicon/icon.ico
var trayIconICO []byte

// trayHostMissing: the notification area belongs to Explorer's taskbar
// (Shell_TrayWnd); without it (Explorer not running, some kiosk shells)
// there is nowhere to hide the window.
func trayHostMissing() string {
	class, _ := windows.UTF16PtrFromString("Shell_TrayWnd")
	hwnd, _, _ := procFindWindowW.Call(uintptr(unsafe.Pointer(class)), 0)
	if hwnd == 0 {
		return "no taskbar notification area (Explorer is not running)"
	}
	return ""
}

func runTray(t *tray) { startSystray(t, trayIconICO) }

// followTrayHost: Explorer's taskbar exists before a login's Run entries;
// nothing to wait for.
func followTrayHost(*tray) {}

// platformLanguage is the user's Windows display language ("zh-CN", "en-US").
func platformLanguage() string {
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil || len(langs) == 0 {
		return ""
	}
	return langs[0]
}
