//go:build tools

// Package wailscli pins the Wails v2 CLI together with a golang.org/x/tools
// recent enough to compile on current Go. Built by build/scripts/wails.sh.
package wailscli

import _ "github.com/wailsapp/wails/v2/cmd/wails"
