//go:build !linux && !windows

package app

func trayHostMissing() string  { return "no system tray support on this OS in this build" }
func runTray(*tray)            {}
func followTrayHost(*tray)     {}
func quitTray()                {}
func platformLanguage() string { return "" }
