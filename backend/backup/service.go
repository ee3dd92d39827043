package backup

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// Settings are the backup schedule and retention.
type Settings struct {
	Enabled bool   `json:"enabled"`
	Time    string `json:"time"` // HH:MM, local time of the server
	Keep    int    `json:"keep"`
}

// Limits of Settings.Keep.
const (
	MinKeep = 1
	MaxKeep = 365
)

// DefaultSettings: a nightly backup at 02:30, a week kept.
func DefaultSettings() Settings { return Settings{Enabled: true, Time: "02:30", Keep: 7} }

var settingsKey = store.NewSingleton[Settings]("backup.settings")

// LoadSettings returns the stored settings or the defaults.
func LoadSettings(tx *store.Tx) (Settings, error) {
	s, ok, err := settingsKey.Get(tx)
	if err != nil || !ok {
		return DefaultSettings(), err
	}
	return s, nil
}

// ParseTime parses "HH:MM".
func ParseTime(v string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(strings.TrimSpace(v), ":")
	hour, e1 := strconv.Atoi(h)
	minute, e2 := strconv.Atoi(m)
	if !ok || e1 != nil || e2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 || len(m) != 2 {
		return 0, 0, core.ErrBackupInvalidTime.New("value", v)
	}
	return hour, minute, nil
}

func (s *Settings) validate() error {
	h, m, err := ParseTime(s.Time)
	if err != nil {
		return err
	}
	s.Time = fmt.Sprintf("%02d:%02d", h, m)
	if s.Keep < MinKeep || s.Keep > MaxKeep {
		return core.ErrBackupInvalidKeep.New("min", strconv.Itoa(MinKeep), "max", strconv.Itoa(MaxKeep))
	}
	return nil
}

// Overview is what the 备份 tab shows.
type Overview struct {
	Dir            string      `json:"dir"`
	Backups        []Info      `json:"backups"`
	RestoreCommand string      `json:"restoreCommand"` // with the data dir filled in
	Settings       Settings    `json:"settings"`
	LastError      *core.Error `json:"lastError,omitempty"` // the last failed backup, until one succeeds
	LastErrorAt    string      `json:"lastErrorAt,omitempty"`
	NextRun        string      `json:"nextRun,omitempty"` // next scheduled backup, absent when off
}

// Service is bound to the UI (系统设置 › 备份).
type Service struct {
	ctx     context.Context
	db      *store.DB
	dataDir string
	version string
	clock   core.Clock
	log     *slog.Logger
	apply   func(Settings) error // reschedules; nil in tests
	nextRun func() (time.Time, bool)
	maint   Maintenance // restore from the UI, key rotation (maint.go)

	mu      sync.Mutex // one backup at a time
	lastErr *core.Error
	lastAt  time.Time
}

// NewService builds the service; apply is called with saved settings.
func NewService(ctx context.Context, db *store.DB, dataDir, version string, clock core.Clock, log *slog.Logger, apply func(Settings) error) *Service {
	return &Service{ctx: ctx, db: db, dataDir: dataDir, version: version, clock: clock, log: log, apply: apply}
}

// ListBackups returns the backups, newest first, with the settings.
func (s *Service) ListBackups() (Overview, error) {
	all, err := List(Dir(s.dataDir))
	if err != nil {
		return Overview{}, err
	}
	var st Settings
	if err := s.db.View(func(tx *store.Tx) error { var e error; st, e = LoadSettings(tx); return e }); err != nil {
		return Overview{}, err
	}
	ov := Overview{Dir: Dir(s.dataDir), Backups: all, Settings: st, RestoreCommand: RestoreCommand(s.dataDir)}
	if s.nextRun != nil {
		if t, ok := s.nextRun(); ok {
			ov.NextRun = t.UTC().Format(time.RFC3339)
		}
	}
	s.mu.Lock()
	if s.lastErr != nil {
		ov.LastError, ov.LastErrorAt = s.lastErr, s.lastAt.UTC().Format(time.RFC3339)
	}
	s.mu.Unlock()
	return ov, nil
}

// SetNextRun tells the service when the scheduler runs next (kept off the
// bound API).
func SetNextRun(s *Service, fn func() (time.Time, bool)) { s.nextRun = fn }

// RestoreCommand is the command line an admin runs, with the app stopped.
func RestoreCommand(dataDir string) string {
	// Plain double quotes, not %q: Go escaping would double Windows backslashes.
	return fmt.Sprintf(`cloudbridge restore "%s" --data "%s"`, filepath.Join(Dir(dataDir), "cloudbridge-<time>.bak"), dataDir)
}

// BackupNow makes a backup and applies retention.
func (s *Service) BackupNow() (Info, error) {
	if !s.mu.TryLock() {
		return Info{}, core.ErrBackupBusy.New()
	}
	defer s.mu.Unlock()
	return s.run()
}

// RunScheduled is the scheduled job; failures are logged and shown in the tab.
func (s *Service) runScheduled() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.run()
}

// Scheduled returns the job the scheduler runs (kept off the bound API).
func Scheduled(s *Service) func() { return s.runScheduled }

func (s *Service) run() (Info, error) {
	var st Settings
	if err := s.db.View(func(tx *store.Tx) error { var e error; st, e = LoadSettings(tx); return e }); err != nil {
		return Info{}, err
	}
	start := time.Now()
	inf, err := Create(s.db, Dir(s.dataDir), s.clock.Now(), s.version)
	if err != nil {
		s.lastErr, s.lastAt = core.AsError(err), s.clock.Now()
		s.log.Error("backup failed", "err", err)
		return Info{}, err
	}
	s.lastErr = nil
	gone, err := Prune(Dir(s.dataDir), st.Keep)
	if err != nil {
		s.log.Error("backup retention failed", "err", err)
	}
	s.log.Info("backup written", "file", inf.Path, "bytes", inf.Size, "took", time.Since(start).Round(time.Millisecond), "pruned", len(gone))
	return inf, nil
}

// GetBackupSettings returns the schedule and retention.
func (s *Service) GetBackupSettings() (Settings, error) {
	var st Settings
	err := s.db.View(func(tx *store.Tx) error { var e error; st, e = LoadSettings(tx); return e })
	return st, err
}

// SaveBackupSettings validates, stores and applies the settings. Retention
// applies at the next backup, never by deleting on save.
func (s *Service) SaveBackupSettings(st Settings) (Settings, error) {
	if err := st.validate(); err != nil {
		return Settings{}, err
	}
	if err := s.db.Update(func(tx *store.Tx) error { return settingsKey.Put(tx, &st) }); err != nil {
		return Settings{}, err
	}
	if s.apply != nil {
		if err := s.apply(st); err != nil {
			return Settings{}, err
		}
	}
	return st, nil
}

// DeleteBackup removes one backup file by name.
func (s *Service) DeleteBackup(name string) (bool, error) {
	if _, ok := parseName(name); !ok || filepath.Base(name) != name {
		return false, core.ErrBackupNotFound.New("name", name)
	}
	err := os.Remove(filepath.Join(Dir(s.dataDir), name))
	if os.IsNotExist(err) {
		return false, core.ErrBackupNotFound.New("name", name)
	}
	if err != nil {
		return false, core.ErrBackupWriteFailed.Wrap(err, "dir", Dir(s.dataDir))
	}
	s.log.Info("backup deleted", "file", name)
	return true, nil
}
