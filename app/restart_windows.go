//go:build windows

package app

import (
	"os"
	"os/exec"

	"golang.org/x/sys/windows/svc"
)

// restartMode: Windows has no exec. Run as a Windows service, the process
// exits with code 75 and the service manager's recovery action (restart on
// failure, set by `cloudbridge service install`) starts it again; otherwise
// it starts a new copy with the same arguments and exits. The store is
// closed before either, so the new process can open it.
func restartMode() string {
	if ok, _ := svc.IsWindowsService(); ok {
		return "service"
	}
	return "spawn"
}

func restartProcess() error {
	if restartMode() == "service" {
		os.Exit(75)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, restartArgs(os.Args)[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	os.Exit(0)
	return nil
}
