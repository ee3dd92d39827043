//go:build !windows

package main

// showError: on Linux the message goes to stderr (main prints it), which is
// the terminal or the desktop session's log.
func showError(string) {}
