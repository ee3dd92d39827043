package main

import (
	"path/filepath"
	"strings"

	"cloudbridge/app"
	"cloudbridge/backend/core"
)

// inUseElsewhere handles app.New failing because another CloudBridge holds
// the data directory. A second desktop launch brings the running window
// forward and ends quietly, as a desktop user expects from a double-click;
// anything else gets the translated store.locked message naming the
// directory (and, on Windows, a message box: the GUI binary has no console).
func inUseElsewhere(err error, dataDir string, desktop bool) error {
	// Badger's lock failure on Windows ("Cannot create lock file …") is not
	// mapped to store.locked by the store yet; its text is the same on both.
	if !core.Of(err, core.ErrStoreLocked) && !strings.Contains(err.Error(), "Another process is using this Badger database") {
		return err
	}
	// Name the directory the admin chose, not the store inside it.
	if abs, e := filepath.Abs(dataDir); e == nil {
		dataDir = abs
	}
	err = core.ErrStoreLocked.Wrap(err, "dir", dataDir)
	if !desktop {
		return err
	}
	if app.ActivateRunning(dataDir) {
		return nil
	}
	showError(describe(err))
	return err
}
