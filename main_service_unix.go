//go:build !windows

package main

import "os"

func isPrivileged() bool { return os.Geteuid() == 0 }

func attachConsole() {}

// restrictToService hands a new data directory to the unit's user.
func restrictToService(dir string, uid, gid int) error {
	if uid < 0 {
		return nil
	}
	return os.Chown(dir, uid, gid)
}
