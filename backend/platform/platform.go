// Package platform is what makes CloudBridge run like infrastructure on the
// admin's machine: start at login (XDG autostart on Linux, the HKCU Run key on
// Windows), the system service unit that `cloudbridge service` installs
// (systemd or the Windows service manager, through kardianos/service), and the
// UI language the tray menu follows.
package platform

import (
	"os"
	"path/filepath"
	"sync"

	"cloudbridge/backend/core"
)

// Env is what the shell tells the service.
type Env struct {
	DataDir string
	// Executable is the binary that start at login runs; "" means
	// os.Executable().
	Executable string
	// Desktop reports whether this process shows the desktop window: start
	// at login only makes sense for it (a server uses the system service).
	Desktop func() bool
	// OnLanguage is told when the UI language changes (the tray's labels).
	OnLanguage func(lang string)
	// Tray reports whether closing the window hides it into a system tray.
	Tray func() bool
}

// Service is bound to the UI (系统设置 › 常规).
type Service struct {
	env  Env
	auto autostarter
	mu   sync.Mutex
	lang string
}

// New builds the service for this OS.
func New(env Env) *Service {
	return &Service{env: env, auto: newAutostarter()}
}

// Autostart is the start-at-login state shown in 系统设置.
type Autostart struct {
	// Supported is false in serve mode and on systems without a mechanism.
	Supported bool `json:"supported"`
	Enabled   bool `json:"enabled"`
	// Command is what runs at login (the stored one when enabled, else the
	// one that enabling would store): this binary with --data and --hidden
	// (the window starts in the tray).
	Command string `json:"command"`
	// Location is the autostart file or registry value.
	Location string `json:"location"`
	// Stale: the stored entry runs another binary or data directory than
	// this process; enabling again rewrites it.
	Stale bool `json:"stale"`
	// Tray: closing the window hides it into the system tray (false: no
	// tray host, closing asks whether to quit).
	Tray bool `json:"tray"`
}

// GetAutostart reports whether CloudBridge starts at login.
func (s *Service) GetAutostart() (Autostart, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state()
}

// SetAutostart turns start at login on or off for this binary and data
// directory.
func (s *Service) SetAutostart(enabled bool) (Autostart, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.supported() {
		return Autostart{}, core.ErrAutostartUnsupported.New()
	}
	if enabled {
		exe, err := s.executable()
		if err != nil {
			return Autostart{}, core.ErrAutostartFailed.Wrap(err, "message", err.Error())
		}
		if err := s.auto.enable(exe, s.env.DataDir); err != nil {
			return Autostart{}, err
		}
	} else if err := s.auto.disable(); err != nil {
		return Autostart{}, err
	}
	return s.state()
}

// SetLanguage is called by the UI when its language is chosen, so the tray
// menu speaks the same language ("zh-CN" or "en-US").
func (s *Service) SetLanguage(lang string) error {
	lang = core.NormalizeLang(lang)
	s.mu.Lock()
	changed := s.lang != lang
	s.lang = lang
	s.mu.Unlock()
	if changed && s.env.OnLanguage != nil {
		s.env.OnLanguage(lang)
	}
	return nil
}

func (s *Service) supported() bool {
	return s.auto.supported() && s.env.Desktop != nil && s.env.Desktop()
}

func (s *Service) state() (Autostart, error) {
	st := Autostart{Supported: s.supported(), Location: s.auto.location(), Tray: s.env.Tray != nil && s.env.Tray()}
	exe, err := s.executable()
	if err != nil {
		return Autostart{}, core.ErrAutostartFailed.Wrap(err, "message", err.Error())
	}
	want := s.auto.command(exe, s.env.DataDir)
	st.Command = want
	have, ok, err := s.auto.stored()
	if err != nil {
		return Autostart{}, err
	}
	if ok {
		st.Enabled, st.Command, st.Stale = true, have, have != want
	}
	return st, nil
}

func (s *Service) executable() (string, error) {
	if s.env.Executable != "" {
		return s.env.Executable, nil
	}
	return Executable()
}

// Executable is this program's real path (symlinks resolved), as start-at-
// login entries and service units must name it.
func Executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return exe, nil
}

// autostarter is one OS's start-at-login mechanism.
type autostarter interface {
	supported() bool
	location() string
	// command is the command line stored for exe and dataDir.
	command(exe, dataDir string) string
	// stored returns the stored command line, if any.
	stored() (string, bool, error)
	enable(exe, dataDir string) error
	disable() error
}
