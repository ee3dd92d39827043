package app

import (
	"encoding/json"
	"os"
	"os/user"

	"cloudbridge/backend/audit"
)

// Bridge is the desktop window's only Wails binding:
// window.go.app.Bridge.Call(pkg, method, args). It hands every call to the
// same Dispatcher the headless transport uses, so the desktop window's
// actions reach the audit log too; binding each service directly would
// let Wails call them around it.
type Bridge struct {
	disp  *Dispatcher
	actor audit.Actor
}

// NewBridge binds the app's dispatcher for the OS user running the window.
func NewBridge(a *App) *Bridge { return &Bridge{disp: a.Dispatcher(), actor: desktopActor()} }

// Call calls pkg.method with args, one JSON value per parameter. Errors
// reach the frontend as {code, params} (the window's ErrorFormatter).
func (b *Bridge) Call(pkg, method string, args []json.RawMessage) (any, error) {
	return b.disp.Call(b.actor, pkg, method, args)
}

// desktopActor is "user@host": the window needs no login, it is the
// logged-in OS user's own process.
func desktopActor() audit.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		name += "@" + h
	}
	return audit.Actor{Kind: "desktop", Name: name}
}
