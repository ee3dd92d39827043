package app

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// One CloudBridge per data directory: Badger's directory lock refuses a
// second process (store.locked). For the desktop window the second launch
// should not just fail but bring the running window forward, so the window
// also takes Wails' single-instance lock under an id derived from the data
// directory (two installations with two data directories may run side by
// side), and a second desktop launch that finds the store locked sends the
// first one Wails' "second instance" message (ActivateRunning).

// InstanceID is the single-instance id of the data directory dir.
func InstanceID(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	dir = filepath.Clean(dir)
	if runtime.GOOS == "windows" {
		dir = strings.ToLower(dir) // one directory, however it is spelt
	}
	sum := sha256.Sum256([]byte(dir))
	return "cloudbridge-" + hex.EncodeToString(sum[:8])
}

// ActivateRunning asks the desktop window running on dir to come forward
// (Wails' SingleInstanceLock protocol: DBus on Linux, WM_COPYDATA on
// Windows). False when no window answers — e.g. the store is held by
// `serve` or the system service.
func ActivateRunning(dir string) bool {
	wd, _ := os.Getwd()
	msg, err := json.Marshal(struct {
		Args             []string
		WorkingDirectory string
	}{os.Args[1:], wd})
	if err != nil {
		return false
	}
	return sendSecondInstance(InstanceID(dir), string(msg))
}
