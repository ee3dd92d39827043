//go:build !windows

package platform

func newAutostarter() autostarter { return xdgAutostart{} }
