package main

import "golang.org/x/sys/windows"

// showError tells a desktop user why the window does not open.
func showError(msg string) {
	title, _ := windows.UTF16PtrFromString("云桥 CloudBridge")
	text, _ := windows.UTF16PtrFromString(msg)
	windows.MessageBox(0, text, title, windows.MB_OK|windows.MB_ICONWARNING)
}
