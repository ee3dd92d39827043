package backup

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// A restore from the UI. The running app cannot swap its open Badger store,
// so the restore is staged and applied by the next start, before the store
// opens:
//
//	Stage      decrypt + authenticate every chunk, load into
//	           <data>/restore-pending/db, open it (schema check, migration),
//	           count its records → a Preview for the confirmation dialog
//	Confirm    mark the staging confirmed; the app restarts
//	ApplyStaged (next start) move db aside as db.before-restore-<time>, move
//	           the staged store in, prove it opens, else move the old one back
//
// Nothing touches the current store before ApplyStaged, and ApplyStaged
// journals its phase so a crash between its renames is finished next time.

const (
	stagingDir  = "restore-pending"
	stagingFile = "restore.json"
	noticeFile  = "maintenance-result.json"
)

// Preview is what a staged restore contains, for the confirmation dialog.
type Preview struct {
	Token      string        `json:"token"` // ties the confirmation to this preview
	Source     string        `json:"source"`
	Created    time.Time     `json:"created"`
	AppVersion string        `json:"appVersion"`
	Schema     int           `json:"schema"`
	Size       int64         `json:"size"`
	Records    int           `json:"records"`
	Counts     []store.Count `json:"counts"`  // in the backup
	Current    []store.Count `json:"current"` // in the running store, to compare
	StagedAt   time.Time     `json:"stagedAt"`
}

type staging struct {
	Preview   Preview `json:"preview"`
	Confirmed bool    `json:"confirmed"`
	Applying  bool    `json:"applying,omitempty"`
	Kept      string  `json:"kept,omitempty"` // where the old store goes / went
}

func stagingPath(dataDir string) string { return filepath.Join(dataDir, stagingDir) }

// Stage verifies file completely and loads it beside the running store.
// A staging that was not confirmed is replaced.
func Stage(file, dataDir string, master []byte, now time.Time, log *slog.Logger) (Preview, error) {
	if st, ok, err := readStaging(dataDir); err != nil {
		return Preview{}, err
	} else if ok && st.Confirmed {
		return Preview{}, core.ErrBackupMaintenancePending.New()
	}
	if err := os.RemoveAll(stagingPath(dataDir)); err != nil {
		return Preview{}, core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	fi, err := os.Stat(file)
	if err != nil {
		return Preview{}, core.ErrBackupNotFound.Wrap(err, "name", filepath.Base(file))
	}
	h, tmp, err := load(file, dataDir, master, log)
	if err != nil {
		return Preview{}, err
	}
	fail := func(err error) (Preview, error) {
		os.RemoveAll(tmp)
		os.RemoveAll(stagingPath(dataDir))
		return Preview{}, err
	}
	db, err := store.Open(store.Options{Dir: tmp, Key: master, Logger: log})
	if err != nil {
		return fail(err)
	}
	counts, total, err := db.Census()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	tok := make([]byte, 12)
	rand.Read(tok)
	p := Preview{Token: hex.EncodeToString(tok), Source: filepath.Base(file), Created: h.Created, AppVersion: h.AppVersion,
		Schema: h.Schema, Size: fi.Size(), Records: total, Counts: counts, StagedAt: now.UTC()}
	if err := os.MkdirAll(stagingPath(dataDir), 0o700); err != nil {
		return fail(core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir))
	}
	if err := os.Rename(tmp, filepath.Join(stagingPath(dataDir), "db")); err != nil {
		return fail(core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir))
	}
	if err := writeStaging(dataDir, staging{Preview: p}); err != nil {
		return fail(err)
	}
	return p, nil
}

// Confirm marks the staged restore (the one token names) for the next start.
func Confirm(dataDir, token string) (Preview, error) {
	st, ok, err := readStaging(dataDir)
	if err != nil {
		return Preview{}, err
	}
	if !ok || st.Preview.Token != token || token == "" {
		return Preview{}, core.ErrBackupRestoreNotPrepared.New()
	}
	st.Confirmed = true
	return st.Preview, writeStaging(dataDir, st)
}

// Cancel drops a staged restore that was not confirmed.
func Cancel(dataDir string) error {
	st, ok, err := readStaging(dataDir)
	if err != nil || (ok && st.Confirmed) {
		return err // a confirmed one is the next start's business
	}
	if err := os.RemoveAll(stagingPath(dataDir)); err != nil {
		return core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	return nil
}

// Discard drops any staged restore, confirmed or not (a restore from the
// command line supersedes one scheduled in the UI).
func Discard(dataDir string) error {
	if err := os.RemoveAll(stagingPath(dataDir)); err != nil {
		return core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	return nil
}

// Pending reports whether a confirmed restore waits for the next start.
func Pending(dataDir string) (Preview, bool) {
	st, ok, err := readStaging(dataDir)
	if err != nil || !ok || !st.Confirmed {
		return Preview{}, false
	}
	return st.Preview, true
}

// ApplyStaged runs at start-up before the store opens. With a confirmed
// restore it swaps the staged store in and calls prove on it (the caller
// opens it with the master key); when prove fails the old store is put back.
// An unconfirmed staging is dropped. applied is false when there was nothing
// to do.
func ApplyStaged(dataDir string, now time.Time, prove func(dbDir string) error) (p Preview, kept string, applied bool, err error) {
	st, ok, err := readStaging(dataDir)
	if err != nil {
		// An unreadable journal: leave everything as it is and say so.
		return Preview{}, "", true, err
	}
	if !ok || !st.Confirmed {
		os.RemoveAll(stagingPath(dataDir))
		return Preview{}, "", false, nil
	}
	dbDir := filepath.Join(dataDir, "db")
	staged := filepath.Join(stagingPath(dataDir), "db")
	if !st.Applying {
		st.Applying = true
		st.Kept = dbDir + ".before-restore-" + now.UTC().Format(timeLayout)
		if err := writeStaging(dataDir, st); err != nil {
			return st.Preview, "", true, err
		}
	}
	crashPoint("journaled")
	// Each rename is skipped when an interrupted run already did it.
	if exists(dbDir) && exists(staged) && !exists(st.Kept) {
		if err := os.Rename(dbDir, st.Kept); err != nil {
			return st.Preview, "", true, core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
		}
	}
	crashPoint("moved-old")
	if exists(staged) {
		if err := os.Rename(staged, dbDir); err != nil {
			if !exists(dbDir) && exists(st.Kept) {
				os.Rename(st.Kept, dbDir)
			}
			os.RemoveAll(stagingPath(dataDir))
			return st.Preview, "", true, core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
		}
	}
	crashPoint("moved-new")
	kept = st.Kept
	if !exists(kept) {
		kept = "" // there was no store before
	}
	if perr := prove(dbDir); perr != nil {
		// Put the old store back; keep the failed one for a look.
		failed := dbDir + ".failed-restore-" + now.UTC().Format(timeLayout)
		if err := os.Rename(dbDir, failed); err == nil && kept != "" {
			os.Rename(kept, dbDir)
		}
		os.RemoveAll(stagingPath(dataDir))
		return st.Preview, "", true, perr
	}
	if err := os.RemoveAll(stagingPath(dataDir)); err != nil {
		return st.Preview, kept, true, core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	return st.Preview, kept, true, nil
}

// crashPoint lets tests stop ApplyStaged between steps, as a crash would.
var crashPoint = func(string) {}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func readStaging(dataDir string) (staging, bool, error) {
	var st staging
	b, err := os.ReadFile(filepath.Join(stagingPath(dataDir), stagingFile))
	if errors.Is(err, os.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, false, core.ErrBackupCorrupt.Wrap(err, "file", stagingFile)
	}
	return st, true, nil
}

func writeStaging(dataDir string, st staging) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	return writeAtomic(filepath.Join(stagingPath(dataDir), stagingFile), b)
}

func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return core.ErrBackupWriteFailed.Wrap(err, "dir", dir)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return core.ErrBackupWriteFailed.Wrap(err, "dir", dir)
	}
	return nil
}

// Notice is the outcome of the last restore or key rotation applied at
// start-up; the UI shows it until the admin dismisses it.
type Notice struct {
	Kind       string      `json:"kind"` // restore | rotate
	OK         bool        `json:"ok"`
	At         time.Time   `json:"at"`
	Source     string      `json:"source,omitempty"` // the backup restored
	Created    time.Time   `json:"created,omitzero"` // when that backup was made
	AppVersion string      `json:"appVersion,omitempty"`
	Kept       string      `json:"kept,omitempty"` // the previous store
	RolledBack bool        `json:"rolledBack,omitempty"`
	Error      *core.Error `json:"error,omitempty"`
}

// WriteNotice records the outcome for the UI.
func WriteNotice(dataDir string, n Notice) error {
	b, _ := json.MarshalIndent(n, "", "  ")
	return writeAtomic(filepath.Join(dataDir, noticeFile), b)
}

// ReadNotice returns the recorded outcome, if any.
func ReadNotice(dataDir string) (*Notice, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, noticeFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	var n Notice
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, nil // a damaged notice is not worth an error screen
	}
	return &n, nil
}

// DismissNotice removes the recorded outcome.
func DismissNotice(dataDir string) error {
	err := os.Remove(filepath.Join(dataDir, noticeFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return core.ErrBackupWriteFailed.Wrap(err, "dir", dataDir)
	}
	return nil
}
