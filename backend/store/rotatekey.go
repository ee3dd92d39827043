package store

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/zalando/go-keyring"

	"cloudbridge/backend/core"
)

// Master key rotation, across restarts. BeginKeyRotation stages a new key
// beside the current one and writes a journal; FinishKeyRotation (run while
// the store is closed: the rotate-key command, or the app before it opens
// the store) re-keys the store with RotateStore and only then puts the new
// key where the old one was. The old key stays in place until the store is
// proven to open with the new one, and every step can be repeated, so an
// installation interrupted anywhere still opens: the next start finishes
// the rotation (or rolls it back when it cannot finish).

const (
	rotationJournal = "key-rotation.json"
	nextKeyFile     = "master.key.next"
)

// Rotation is the journal of a staged rotation.
type Rotation struct {
	Started time.Time  `json:"started"`
	Storage KeyStorage `json:"storage"` // where the current key lives, and the new one goes
}

func journalPath(dataDir string) string { return filepath.Join(dataDir, rotationJournal) }

// RotationPending returns the staged rotation, if any.
func RotationPending(dataDir string) (Rotation, bool, error) {
	var r Rotation
	b, err := os.ReadFile(journalPath(dataDir))
	if errors.Is(err, os.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, mapIOError(err, dataDir)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, false, core.Errorf("key rotation journal: %w", err)
	}
	return r, true, nil
}

// BeginKeyRotation generates the new master key for dataDir and stages it
// where the current one lives (a file beside master.key, or a second
// keyring entry). It does not touch the store. Staging twice keeps the first
// staged key.
func BeginKeyRotation(dataDir, mode string, now time.Time) (Rotation, error) {
	if r, ok, err := RotationPending(dataDir); err != nil || ok {
		return r, err
	}
	_, info, err := LoadKey(dataDir, mode)
	if err != nil {
		return Rotation{}, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return Rotation{}, core.Errorf("key: %w", err)
	}
	switch info.Storage {
	case KeyInKeyring:
		if err := keyring.Set(keyringService, keyringAccount(dataDir)+"-next", encodeKey(key)); err != nil {
			return Rotation{}, core.ErrKeyRotateKeyring.Wrap(err)
		}
	default:
		os.Remove(filepath.Join(dataDir, nextKeyFile)) // a leftover without a journal was never used
		if err := writeKeyFile(filepath.Join(dataDir, nextKeyFile), key); err != nil {
			return Rotation{}, err
		}
	}
	r := Rotation{Started: now.UTC(), Storage: info.Storage}
	b, _ := json.Marshal(r)
	if err := writeFileAtomic(journalPath(dataDir), b); err != nil {
		return Rotation{}, err
	}
	return r, nil
}

// CancelKeyRotation drops a staged rotation that has not started on the
// store (the UI's cancel before the restart).
func CancelKeyRotation(dataDir string) error {
	r, ok, err := RotationPending(dataDir)
	if err != nil || !ok {
		return err
	}
	return dropStaged(dataDir, r)
}

// RotateOptions are the inputs of FinishKeyRotation.
type RotateOptions struct {
	DataDir    string
	Mode       string // --key-store: auto, file or keyring
	Owners     []SecretOwner
	KeepOldKey string // when set, the old key is written there first (restoring older backups)
	Logger     *slog.Logger
}

// RotateResult says what FinishKeyRotation did.
type RotateResult struct {
	Rotated    bool       // false: nothing was staged
	Storage    KeyStorage // where the new key is
	Started    time.Time
	RolledBack bool // the rotation failed and the store is back on the old key
}

// FinishKeyRotation applies a staged rotation to the closed store in
// DataDir/db. On failure it rolls the store back to the old key and drops
// the staged one, so the installation keeps working with the old key; the
// error says why.
func FinishKeyRotation(o RotateOptions) (RotateResult, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	r, ok, err := RotationPending(o.DataDir)
	if err != nil || !ok {
		return RotateResult{}, err
	}
	res := RotateResult{Rotated: true, Storage: r.Storage, Started: r.Started}
	old, err := installedKey(o.DataDir, r.Storage)
	if err != nil {
		return res, err
	}
	next, err := stagedKey(o.DataDir, r)
	if err != nil {
		return res, err
	}
	if o.KeepOldKey != "" && !bytes.Equal(old, next) {
		if err := writeKeyFile(o.KeepOldKey, old); err != nil {
			return res, err
		}
	}
	dbDir := filepath.Join(o.DataDir, "db")
	if changed, err := rotateStore(dbDir, old, next, o.Owners, log); err != nil {
		if core.Of(err, core.ErrStoreLocked) {
			return res, err // in use: nothing was changed, the rotation stays staged
		}
		log.Error("key rotation failed, rolling back", "err", err, "storeChanged", changed)
		if !changed {
			// Nothing to undo.
		} else if rerr := RotateStore(dbDir, next, old, o.Owners, log); rerr != nil {
			// Keep the journal: both keys stay available and the next
			// start tries again.
			return res, errors.Join(err, rerr)
		}
		res.RolledBack = true
		if derr := dropStaged(o.DataDir, r); derr != nil {
			log.Warn("could not remove the staged key", "err", derr)
		}
		return res, err
	}
	crashPoint("rekeyed")
	if err := installKey(o.DataDir, r.Storage, next); err != nil {
		// The store is on the new key and the old one is still installed:
		// the journal stays, the next start installs it.
		return res, err
	}
	crashPoint("installed")
	if err := dropStaged(o.DataDir, r); err != nil {
		return res, err
	}
	log.Info("master key rotated", "storage", r.Storage)
	return res, nil
}

// installedKey reads the current key without LoadKey's create-on-first-use:
// a missing key here must never be replaced by a fresh one.
func installedKey(dataDir string, storage KeyStorage) ([]byte, error) {
	if storage == KeyInKeyring {
		s, err := keyring.Get(keyringService, keyringAccount(dataDir))
		if err != nil {
			return nil, core.ErrKeyMissing.Wrap(err)
		}
		return decodeKey(s)
	}
	k, err := readKeyFile(KeyFilePath(dataDir))
	if err != nil {
		return nil, core.ErrKeyMissing.Wrap(err)
	}
	return k, nil
}

func stagedKey(dataDir string, r Rotation) ([]byte, error) {
	if r.Storage == KeyInKeyring {
		s, err := keyring.Get(keyringService, keyringAccount(dataDir)+"-next")
		if err != nil {
			return nil, core.ErrKeyMissing.Wrap(err)
		}
		return decodeKey(s)
	}
	k, err := readKeyFile(filepath.Join(dataDir, nextKeyFile))
	if err != nil {
		return nil, core.ErrKeyMissing.Wrap(err)
	}
	return k, nil
}

// installKey puts key where the current master key lives, replacing it in
// one step (rename over the key file; a keyring entry is set and read back).
func installKey(dataDir string, storage KeyStorage, key []byte) error {
	if storage == KeyInKeyring {
		account := keyringAccount(dataDir)
		if err := keyring.Set(keyringService, account, encodeKey(key)); err != nil {
			return core.ErrKeyRotateKeyring.Wrap(err)
		}
		if s, err := keyring.Get(keyringService, account); err != nil || s != encodeKey(key) {
			return core.ErrKeyRotateKeyring.Wrap(fmt.Errorf("keyring read-back differs: %v", err))
		}
		return nil
	}
	return writeFileAtomic(KeyFilePath(dataDir), []byte(encodeKey(key)+"\n"))
}

func dropStaged(dataDir string, r Rotation) error {
	if r.Storage == KeyInKeyring {
		if err := keyring.Delete(keyringService, keyringAccount(dataDir)+"-next"); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			return core.ErrKeyRotateKeyring.Wrap(err)
		}
	} else if err := os.Remove(filepath.Join(dataDir, nextKeyFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return mapIOError(err, dataDir)
	}
	// The journal goes last: while it exists the staged key is looked for.
	if err := os.Remove(journalPath(dataDir)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return mapIOError(err, dataDir)
	}
	return syncDir(dataDir)
}

// writeFileAtomic writes path through a synced temporary file and a rename,
// so a crash leaves the old or the new content, never a mix.
func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return mapIOError(err, dir)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return mapIOError(err, dir)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return mapIOError(err, dir)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return mapIOError(err, dir)
	}
	if err := f.Close(); err != nil {
		return mapIOError(err, dir)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return mapIOError(err, dir)
	}
	return syncDir(dir)
}

// syncDir makes a rename durable (a no-op where directories cannot be
// synced, e.g. Windows).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	d.Sync()
	return nil
}
