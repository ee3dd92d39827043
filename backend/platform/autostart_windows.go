//go:build windows

package platform

import (
	"errors"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"cloudbridge/backend/core"
)

const (
	runKey      = `Software\Microsoft\Windows\CurrentVersion\Run`
	approvedKey = `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`
	runValue    = "CloudBridge"
)

// runKeyAutostart is the per-user Run key: no administrator rights needed,
// and it shows in Task Manager's Startup apps.
type runKeyAutostart struct{}

func newAutostarter() autostarter { return runKeyAutostart{} }

func (runKeyAutostart) supported() bool  { return true }
func (runKeyAutostart) location() string { return `HKCU\` + runKey + `\` + runValue }

func (runKeyAutostart) command(exe, dataDir string) string {
	// The exe is always quoted: an unquoted path with spaces would be
	// resolved piecewise ("C:\Program.exe").
	return `"` + exe + `" --data ` + windows.EscapeArg(dataDir) + " --hidden"
}

func (r runKeyAutostart) stored() (string, bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	defer k.Close()
	v, _, err := k.GetStringValue(runValue)
	if errors.Is(err, registry.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	return v, v != "" && !disabledInTaskManager(), nil
}

// disabledInTaskManager: Task Manager's Startup tab keeps its own switch;
// an odd first byte of the StartupApproved value means "disabled".
func disabledInTaskManager() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	b, _, err := k.GetBinaryValue(runValue)
	return err == nil && len(b) > 0 && b[0]&1 == 1
}

func (r runKeyAutostart) enable(exe, dataDir string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	defer k.Close()
	if err := k.SetStringValue(runValue, r.command(exe, dataDir)); err != nil {
		return core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	// Turning it on here also clears a "disabled" left in Task Manager.
	if a, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.SET_VALUE); err == nil {
		a.DeleteValue(runValue)
		a.Close()
	}
	return nil
}

func (runKeyAutostart) disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	defer k.Close()
	if err := k.DeleteValue(runValue); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	return nil
}
