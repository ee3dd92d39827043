package app

import "strings"

// restartArgs are the arguments the restarted process gets: this run's,
// without --hidden — the admin who asked for the restart is looking at the
// window and expects it back, not only the tray icon.
func restartArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		switch strings.TrimLeft(a, "-") {
		case "hidden", "hidden=true", "hidden=1":
			if strings.HasPrefix(a, "-") {
				continue
			}
		}
		out = append(out, a)
	}
	return out
}
