package backup

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// Maintenance is what the app hands the service for a restore or a key
// rotation from the UI: both are applied by a restart (see stage.go).
type Maintenance struct {
	KeyStore    string // --key-store of this run (auto, file, keyring)
	KeyStorage  store.KeyStorage
	RestartMode string // how this process restarts (app/restart*.go), shown in the dialog
	Restart     func() // closes the app and starts it again; nil = cannot restart
}

// SetMaintenance wires the restart (kept off the bound API).
func SetMaintenance(s *Service, m Maintenance) { s.maint = m }

// MaxUpload is the largest backup the UI uploads: the admin transport takes
// 32 MiB of JSON and base64 adds a third. Bigger files are copied into the
// backups folder and restored from the list.
const MaxUpload = 24 << 20

// UploadedBackup is a backup file chosen in the browser.
type UploadedBackup struct {
	Name          string `json:"name"`
	ContentBase64 string `json:"contentBase64"`
}

// MaintenanceState is what the 备份 tab and the start-up notice show.
type MaintenanceState struct {
	Notice          *Notice          `json:"notice,omitempty"`         // the last restore/rotation applied at start-up
	RestorePending  *Preview         `json:"restorePending,omitempty"` // confirmed, waiting for the restart
	RotationPending bool             `json:"rotationPending"`
	KeyStorage      store.KeyStorage `json:"keyStorage"`
	RestartMode     string           `json:"restartMode"`
	CanRestart      bool             `json:"canRestart"`
	MaxUpload       int64            `json:"maxUpload"`
}

// Restarting answers a confirmed restore or rotation.
type Restarting struct {
	Restarting bool   `json:"restarting"`
	Mode       string `json:"mode"`
}

// GetMaintenance returns the start-up notice and anything pending.
func (s *Service) GetMaintenance() (MaintenanceState, error) {
	n, err := ReadNotice(s.dataDir)
	if err != nil {
		return MaintenanceState{}, err
	}
	st := MaintenanceState{Notice: n, KeyStorage: s.maint.KeyStorage, RestartMode: s.maint.RestartMode,
		CanRestart: s.maint.Restart != nil, MaxUpload: MaxUpload}
	if p, ok := Pending(s.dataDir); ok {
		st.RestorePending = &p
	}
	_, st.RotationPending, err = store.RotationPending(s.dataDir)
	return st, err
}

// DismissNotice hides the start-up notice.
func (s *Service) DismissNotice() (bool, error) { return true, DismissNotice(s.dataDir) }

func (s *Service) pendingWork() error {
	if _, ok := Pending(s.dataDir); ok {
		return core.ErrBackupMaintenancePending.New()
	}
	if _, ok, err := store.RotationPending(s.dataDir); err != nil || ok {
		if err != nil {
			return err
		}
		return core.ErrBackupMaintenancePending.New()
	}
	return nil
}

// PrepareRestore verifies a backup from the backups folder completely and
// stages it; the preview says what it holds. Nothing changes until
// ConfirmRestore.
func (s *Service) PrepareRestore(name string) (Preview, error) {
	if _, ok := parseName(name); !ok || filepath.Base(name) != name {
		return Preview{}, core.ErrBackupNotFound.New("name", name)
	}
	return s.stage(filepath.Join(Dir(s.dataDir), name))
}

// PrepareRestoreUpload is PrepareRestore for a file chosen in the browser
// (another machine's backup needs that machine's key: see the CLI's
// --key-file).
func (s *Service) PrepareRestoreUpload(f UploadedBackup) (Preview, error) {
	if len(f.ContentBase64) > MaxUpload/3*4+4 {
		return Preview{}, core.ErrBackupUploadTooLarge.New("max", "24 MB")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(f.ContentBase64))
	name := filepath.Base(strings.ReplaceAll(f.Name, `\`, "/"))
	if err != nil || len(raw) == 0 {
		return Preview{}, core.ErrBackupNotABackup.New("file", name)
	}
	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return Preview{}, core.ErrBackupWriteFailed.Wrap(err, "dir", s.dataDir)
	}
	// Named like the upload so messages name the admin's file.
	dir, err := os.MkdirTemp(s.dataDir, ".upload-")
	if err != nil {
		return Preview{}, core.ErrBackupWriteFailed.Wrap(err, "dir", s.dataDir)
	}
	defer os.RemoveAll(dir)
	if name == "." || name == "/" || name == "" {
		name = "upload.bak"
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return Preview{}, core.ErrBackupWriteFailed.Wrap(err, "dir", s.dataDir)
	}
	return s.stage(path)
}

func (s *Service) stage(path string) (Preview, error) {
	if !s.mu.TryLock() {
		return Preview{}, core.ErrBackupBusy.New()
	}
	defer s.mu.Unlock()
	if err := s.pendingWork(); err != nil {
		return Preview{}, err
	}
	start := time.Now()
	p, err := Stage(path, s.dataDir, s.db.MasterKey(), s.clock.Now(), s.log)
	if err != nil {
		s.log.Warn("restore refused", "file", filepath.Base(path), "err", err)
		return Preview{}, err
	}
	if p.Current, _, err = s.db.Census(); err != nil {
		return Preview{}, err
	}
	s.log.Info("restore staged", "file", p.Source, "records", p.Records, "took", time.Since(start).Round(time.Millisecond))
	return p, nil
}

// ConfirmRestore applies the staged restore the token names: the app
// restarts and swaps the store in before it opens it.
func (s *Service) ConfirmRestore(token string) (Restarting, error) {
	if s.maint.Restart == nil {
		return Restarting{}, core.ErrUnavailable.New()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok, err := store.RotationPending(s.dataDir); err != nil || ok {
		if err != nil {
			return Restarting{}, err
		}
		return Restarting{}, core.ErrBackupMaintenancePending.New()
	}
	p, err := Confirm(s.dataDir, token)
	if err != nil {
		return Restarting{}, err
	}
	s.log.Warn("restore confirmed, restarting", "file", p.Source, "created", p.Created)
	s.maint.Restart()
	return Restarting{Restarting: true, Mode: s.maint.RestartMode}, nil
}

// CancelRestore drops a staged restore that was not confirmed.
func (s *Service) CancelRestore() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return true, Cancel(s.dataDir)
}

// RotateMasterKey stages a new master key and restarts: the rotation runs
// before the store opens (store.FinishKeyRotation). Backups made before it
// need the old key.
func (s *Service) RotateMasterKey() (Restarting, error) {
	if s.maint.Restart == nil {
		return Restarting{}, core.ErrUnavailable.New()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := Pending(s.dataDir); ok {
		return Restarting{}, core.ErrBackupMaintenancePending.New()
	}
	if err := Cancel(s.dataDir); err != nil { // an unconfirmed restore preview goes
		return Restarting{}, err
	}
	if _, err := store.BeginKeyRotation(s.dataDir, s.maint.KeyStore, s.clock.Now()); err != nil {
		return Restarting{}, err
	}
	s.log.Warn("master key rotation staged, restarting")
	s.maint.Restart()
	return Restarting{Restarting: true, Mode: s.maint.RestartMode}, nil
}
