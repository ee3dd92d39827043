//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

func isPrivileged() bool { return windows.GetCurrentProcessToken().IsElevated() }

// attachConsole: the desktop build is a GUI-subsystem program, so a command
// typed in cmd.exe or PowerShell would print nowhere; attach to the caller's
// console unless the output is already redirected.
func attachConsole() {
	if h, err := windows.GetStdHandle(windows.STD_OUTPUT_HANDLE); err == nil && h != 0 && h != windows.InvalidHandle {
		return
	}
	const attachParentProcess = ^uintptr(0)
	r, _, _ := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole").Call(attachParentProcess)
	if r == 0 {
		return
	}
	if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = f, f
	}
}

// restrictToService: a new data directory under ProgramData would inherit
// "Users: read"; the store's key file must be readable by the service
// (LocalSystem) and administrators only.
func restrictToService(dir string, _, _ int) error {
	sd, err := windows.SecurityDescriptorFromString("D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)")
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	return windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}
