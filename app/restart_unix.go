//go:build !windows

package app

import (
	"os"
	"syscall"
)

// restartMode: on Linux and macOS the process replaces itself (execve) with
// the same arguments (less --hidden, see restartArgs) and environment. The pid stays, so a systemd unit
// (Type=simple) and a terminal keep following it, and the admin and public
// addresses are bound again by the new image.
func restartMode() string { return "exec" }

func restartProcess() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, restartArgs(os.Args), os.Environ())
}
