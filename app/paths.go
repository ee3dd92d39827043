package app

import (
	"os"
	"path/filepath"
	"runtime"
)

// DefaultDataDir is where the store, key file and logs live unless --data
// says otherwise: %AppData%\CloudBridge on Windows, $XDG_DATA_HOME/cloudbridge
// (default ~/.local/share/cloudbridge) on Linux.
func DefaultDataDir() string {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("AppData"); d != "" {
			return filepath.Join(d, "CloudBridge")
		}
	case "darwin":
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, "Library", "Application Support", "CloudBridge")
		}
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "cloudbridge")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "cloudbridge")
	}
	return "cloudbridge-data"
}
