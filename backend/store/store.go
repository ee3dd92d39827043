// Package store is CloudBridge's embedded database: Badger, encrypted at rest
// with a key kept outside the data directory, holding typed collections.
package store

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/dgraph-io/badger/v4"

	"cloudbridge/backend/core"
)

// Options opens a store. Key is the 32-byte master key (see LoadKey); the
// Badger encryption key and the secret-sealing key are derived from it.
type Options struct {
	Dir      string
	Key      []byte
	InMemory bool // tests only: nothing touches the disk
	Logger   *slog.Logger
	// MinFree is the free space below which writes are refused with
	// store.disk_full (see space.go); 0 = DefaultMinFree.
	MinFree int64
}

// DB is the open store.
type DB struct {
	bdb    *badger.DB
	sealer *sealer
	dir    string
	log    *slog.Logger
	master []byte      // for DeriveKey (backup encryption)
	space  *spaceGuard // nil in memory
	writes writeCounts // per source, for Memo
}

// Open opens (creating when needed) the store and brings its schema up to
// date. A directory held by another process is reported as store.locked; a
// schema newer than this build as store.schema_newer.
func Open(opts Options) (*DB, error) {
	if len(opts.Key) != 32 {
		return nil, core.ErrKeyMissing.New()
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	bopts := badger.DefaultOptions(opts.Dir).
		WithInMemory(opts.InMemory).
		WithLogger(badgerLogger{log}).
		// A desktop app shares the machine with the OA admin's other work:
		// small memtables and caches keep the resident set near 100 MB.
		WithMemTableSize(16 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(32 << 20).
		WithIndexCacheSize(16 << 20).
		WithValueLogFileSize(64 << 20).
		WithNumCompactors(2).
		WithEncryptionKey(deriveKey(opts.Key, "badger-v1"))
	if opts.InMemory {
		bopts.Dir, bopts.ValueDir = "", ""
	} else if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, mapIOError(err, opts.Dir)
	}
	bdb, err := badger.Open(bopts)
	if err != nil {
		return nil, mapIOError(err, opts.Dir)
	}
	db := &DB{bdb: bdb, sealer: newSealer(deriveKey(opts.Key, "secrets-v1")), dir: opts.Dir, log: log, master: opts.Key}
	if !opts.InMemory {
		if opts.MinFree <= 0 {
			opts.MinFree = DefaultMinFree
		}
		db.space = &spaceGuard{dir: filepath.Clean(opts.Dir), minFree: opts.MinFree}
	}
	if err := db.migrate(); err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

// Close flushes and closes the store.
func (db *DB) Close() error { return db.bdb.Close() }

// Dir is where the store lives ("" in memory).
func (db *DB) Dir() string { return db.dir }

// Badger exposes the underlying database to the backup code only.
func (db *DB) Badger() *badger.DB { return db.bdb }

// View runs fn in a read-only transaction.
func (db *DB) View(fn func(tx *Tx) error) error {
	return db.bdb.View(func(txn *badger.Txn) error { return fn(&Tx{txn: txn, db: db}) })
}

// Update runs fn in a read-write transaction. All of fn's writes land or
// none do; a conflict with a concurrent writer is retried a few times. With
// less than MinFree left on the disk nothing is attempted: store.disk_full.
func (db *DB) Update(fn func(tx *Tx) error) error {
	if err := db.space.check(); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		tx := &Tx{db: db}
		err = db.bdb.Update(func(txn *badger.Txn) error { tx.txn = txn; return fn(tx) })
		if err == nil {
			db.writes.bump(tx.touched)
		}
		if !errors.Is(err, badger.ErrConflict) {
			break
		}
	}
	if errors.Is(err, badger.ErrConflict) {
		return core.ErrConflict.Wrap(err)
	}
	if errors.Is(err, badger.ErrTxnTooBig) {
		return core.Errorf("transaction too big: %w", err)
	}
	return mapIOError(err, db.dir)
}

// Tx is a transaction handed to View/Update callbacks.
type Tx struct {
	txn     *badger.Txn
	db      *DB
	touched map[string]struct{} // what it writes, for Memo
}

// Seal encrypts a secret for storage; aad binds it to its owner (e.g.
// "app/<id>/client_secret") so a sealed value copied elsewhere won't open.
func (db *DB) Seal(aad, plain string) (Sealed, error) { return db.sealer.seal(aad, plain) }

// Unseal decrypts a value made by Seal with the same aad.
func (db *DB) Unseal(aad string, s Sealed) (string, error) { return db.sealer.open(aad, s) }

func mapIOError(err error, dir string) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	dir = filepath.Clean(dir)
	switch {
	case errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "no space left on device"):
		return core.ErrStoreFull.Wrap(err, "dir", dir, "free", freeText(dir))
	case strings.Contains(err.Error(), "Cannot acquire directory lock"),
		strings.Contains(err.Error(), "resource temporarily unavailable"),
		// Windows: "Cannot create lock file …  Another process is using
		// this Badger database" (a sharing violation, before any denial).
		strings.Contains(err.Error(), "Another process is using this Badger database"):
		return core.ErrStoreLocked.Wrap(err, "dir", dir)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS),
		strings.Contains(err.Error(), "operation not permitted"),
		strings.Contains(err.Error(), "permission denied"),
		strings.Contains(err.Error(), "read-only file system"):
		// EACCES/EPERM (permissions, an immutable directory) and EROFS (a
		// read-only mount). Badger flattens some causes into text (its
		// LOCK file error), hence the strings too.
		reason := "permission denied"
		if errors.Is(err, syscall.EROFS) || strings.Contains(err.Error(), "read-only file system") {
			reason = "read-only file system"
		}
		return core.ErrStoreDenied.Wrap(err, "dir", dir, "reason", reason)
	case strings.Contains(err.Error(), "Encryption key mismatch"),
		strings.Contains(err.Error(), "Invalid encryption key"):
		return core.ErrDecrypt.Wrap(err)
	}
	return core.ErrInternal.Wrap(fmt.Errorf("store: %w", err))
}

// badgerLogger sends Badger's chatter to slog, keeping only warnings and up.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (b badgerLogger) Infof(string, ...any)  {}
func (b badgerLogger) Debugf(string, ...any) {}
