package platform

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"cloudbridge/backend/core"
)

// xdgAutostart is the freedesktop.org autostart entry
// ($XDG_CONFIG_HOME/autostart/cloudbridge.desktop) that GNOME, KDE, Xfce,
// UKUI/DDE (the desktops of Chinese Linux distributions) run at login.
type xdgAutostart struct {
	// configHome overrides $XDG_CONFIG_HOME (tests).
	configHome string
}

func (x xdgAutostart) supported() bool {
	return runtime.GOOS != "windows" && runtime.GOOS != "darwin"
}

func (x xdgAutostart) location() string {
	dir := x.configHome
	if dir == "" {
		dir = os.Getenv("XDG_CONFIG_HOME")
	}
	if dir == "" || !filepath.IsAbs(dir) { // the spec ignores a relative value
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", "cloudbridge.desktop")
}

func (x xdgAutostart) command(exe, dataDir string) string {
	return execArg(exe) + " --data " + execArg(dataDir) + " --hidden"
}

func (x xdgAutostart) stored() (string, bool, error) {
	path := x.location()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	defer f.Close()
	var exec string
	enabled, inEntry := true, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			inEntry = line == "[Desktop Entry]"
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !inEntry || !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "Exec":
			exec = strings.TrimSpace(v)
		case "Hidden": // the desktop's own "don't start this" switch
			if strings.TrimSpace(v) == "true" {
				enabled = false
			}
		case "X-GNOME-Autostart-enabled":
			if strings.TrimSpace(v) == "false" {
				enabled = false
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", false, core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	return exec, enabled && exec != "", nil
}

func (x xdgAutostart) enable(exe, dataDir string) error {
	for _, p := range []string{exe, dataDir} {
		if strings.ContainsAny(p, "\n\r") || !filepath.IsAbs(p) {
			err := fmt.Errorf("cannot start %q at login: not an absolute single-line path", p)
			return core.ErrAutostartFailed.Wrap(err, "message", err.Error())
		}
	}
	path := x.location()
	if path == "" {
		err := errors.New("no home directory")
		return core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	entry := "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=CloudBridge\n" +
		"Name[zh_CN]=云桥\n" +
		"Comment=WeLink single sign-on and OA to-dos for your colleagues\n" +
		"Comment[zh_CN]=为同事提供 WeLink 单点登录与 OA 待办\n" +
		"Exec=" + x.command(exe, dataDir) + "\n" +
		"Icon=cloudbridge\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
	if err := writeFileAtomic(path, []byte(entry), 0o644); err != nil {
		return core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	return nil
}

func (x xdgAutostart) disable() error {
	err := os.Remove(x.location())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	return nil
}

// execArg quotes one argument of a desktop entry's Exec key: reserved
// characters need double quotes, inside which " ` $ \ take a backslash; a
// literal % is %% (field codes); and the key's value is itself a string
// whose backslashes are escaped once more.
func execArg(s string) string {
	q := s
	if s == "" || strings.ContainsAny(s, " \t\"'\\><~|&;$*?#()`") {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range s {
			if strings.ContainsRune("\"`$\\", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
		q = b.String()
	}
	q = strings.ReplaceAll(q, "%", "%%")
	return strings.ReplaceAll(q, `\`, `\\`)
}

// writeFileAtomic replaces path by a complete new file, never a torn one.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cloudbridge-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
