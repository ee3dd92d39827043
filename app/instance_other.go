//go:build !linux && !windows

package app

func sendSecondInstance(string, string) bool { return false }
