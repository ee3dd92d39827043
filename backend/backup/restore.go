package backup

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// RestoreResult says what Restore did.
type RestoreResult struct {
	Header Header
	DBDir  string // the restored store
	Kept   string // the previous store, moved aside ("" if there was none)
}

// Restore replaces the store of a stopped installation (dataDir/db) with the
// backup in file. It loads into a fresh sibling directory, opens it once
// (checks and migrates it), and only then swaps directories by rename; the
// old store is kept as db.before-restore-<time>. A store held open by any
// process — this one included — is refused, as is a foreign or damaged
// backup; in every failure the existing store is left untouched.
func Restore(file, dataDir string, master []byte, now time.Time, log *slog.Logger) (RestoreResult, error) {
	dbDir := filepath.Join(dataDir, "db")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return RestoreResult{}, core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	if err := checkNotInUse(dbDir, master, log); err != nil {
		return RestoreResult{}, err
	}
	h, tmp, err := load(file, dataDir, master, log)
	if err != nil {
		return RestoreResult{}, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	res := RestoreResult{Header: h, DBDir: dbDir}
	if _, err := os.Stat(dbDir); err == nil {
		res.Kept = dbDir + ".before-restore-" + now.UTC().Format(timeLayout)
		if err := os.Rename(dbDir, res.Kept); err != nil {
			return RestoreResult{}, core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
		}
	}
	if err := os.Rename(tmp, dbDir); err != nil {
		// Put the old store back so the installation still starts.
		if res.Kept != "" {
			os.Rename(res.Kept, dbDir)
		}
		return RestoreResult{}, core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	ok = true
	return res, nil
}

// load checks a backup file against the master key and loads it into a new
// store directory inside dataDir, opened once (so an older schema is
// migrated and a damaged stream is refused). The caller owns the returned
// directory.
func load(file, dataDir string, master []byte, log *slog.Logger) (Header, string, error) {
	f, err := os.Open(file)
	if err != nil {
		return Header{}, "", core.ErrBackupNotFound.Wrap(err, "name", filepath.Base(file))
	}
	defer f.Close()
	name := filepath.Base(file)
	h, plain, err := decrypt(f, master, name)
	if err != nil {
		return h, "", err
	}
	tmp, err := os.MkdirTemp(dataDir, ".restore-")
	if err != nil {
		return h, "", core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	fail := func(err error) (Header, string, error) {
		os.RemoveAll(tmp)
		return h, "", err
	}
	if err := store.LoadBackup(store.Options{Dir: tmp, Key: master, Logger: log}, plain); err != nil {
		if errors.Is(err, errCorrupt) {
			return fail(core.ErrBackupCorrupt.Wrap(err, "file", name))
		}
		var ce *core.Error
		if errors.As(err, &ce) && ce.Code == core.ErrInternal.Code {
			// Badger rejects a stream it cannot parse; after authentication
			// that means a backup of a broken store.
			return fail(core.ErrBackupCorrupt.Wrap(err, "file", name))
		}
		return fail(err)
	}
	// Opening runs the schema migrations an older backup needs.
	db, err := store.Open(store.Options{Dir: tmp, Key: master, Logger: log})
	if err != nil {
		return fail(err)
	}
	if err := db.Close(); err != nil {
		return fail(core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir))
	}
	return h, tmp, nil
}

// checkNotInUse refuses a store directory another handle holds: Badger's
// directory lock is per open file, so this also catches this very process.
func checkNotInUse(dbDir string, master []byte, log *slog.Logger) error {
	if _, err := os.Stat(dbDir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	db, err := store.Open(store.Options{Dir: dbDir, Key: master, Logger: log})
	if core.Of(err, core.ErrStoreLocked) {
		return core.ErrBackupRestoreInUse.Wrap(err, "dir", dbDir)
	}
	if err != nil {
		// A broken or foreign current store is exactly what a restore fixes.
		return nil
	}
	return db.Close()
}
