package app

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32                   = windows.NewLazySystemDLL("user32.dll")
	procFindWindowW          = user32.NewProc("FindWindowW")
	procSendMessageW         = user32.NewProc("SendMessageW")
	procAllowSetForegroundWn = user32.NewProc("AllowSetForegroundWindow")
)

// sendSecondInstance sends the running window's hidden message window the
// WM_COPYDATA that wails.Run itself sends when its mutex exists.
func sendSecondInstance(uniqueID, msg string) bool {
	id := "wails-app-" + uniqueID
	class, _ := windows.UTF16PtrFromString(id + "-sic")
	title, _ := windows.UTF16PtrFromString(id + "-siw")
	hwnd, _, _ := procFindWindowW.Call(uintptr(unsafe.Pointer(class)), uintptr(unsafe.Pointer(title)))
	if hwnd == 0 {
		return false
	}
	data, err := windows.UTF16FromString(msg)
	if err != nil {
		return false
	}
	// Let the running window take the foreground (Windows refuses it to a
	// background process otherwise).
	const asfwAny = ^uintptr(0)
	procAllowSetForegroundWn.Call(asfwAny)
	cds := struct {
		dwData uintptr
		cbData uint32
		lpData uintptr
	}{1542, uint32(len(data) * 2), uintptr(unsafe.Pointer(&data[0]))}
	const wmCopyData = 0x004A
	procSendMessageW.Call(hwnd, wmCopyData, 0, uintptr(unsafe.Pointer(&cds)))
	return true
}
