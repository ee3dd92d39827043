package store

import (
	"io"
	"log/slog"
	"os"

	"cloudbridge/backend/core"

	"github.com/dgraph-io/badger/v4"
)

// DeriveKey returns a 32-byte key for purpose, derived from the master key.
// The "export/" namespace keeps it distinct from the Badger and secret keys.
func (db *DB) DeriveKey(purpose string) []byte { return DeriveKeyFrom(db.master, purpose) }

// DeriveKeyFrom is DeriveKey for a master key read with LoadKey while the
// store is closed (the restore command).
func DeriveKeyFrom(master []byte, purpose string) []byte {
	return deriveKey(master, "export/"+purpose)
}

// LoadBackup loads a Badger backup stream (DB.Badger().Backup) into an
// empty, closed store directory, encrypted with the master key like Open
// would. It does not migrate: open the directory with Open afterwards.
func LoadBackup(opts Options, r io.Reader) error {
	if len(opts.Key) != 32 {
		return core.ErrKeyMissing.New()
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	bopts := badger.DefaultOptions(opts.Dir).
		WithLogger(badgerLogger{log}).
		WithMemTableSize(16 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(32 << 20).
		WithIndexCacheSize(16 << 20).
		WithValueLogFileSize(64 << 20).
		WithEncryptionKey(deriveKey(opts.Key, "badger-v1"))
	bdb, err := badger.Open(bopts)
	if err != nil {
		return mapIOError(err, opts.Dir)
	}
	if err := bdb.Load(r, 256); err != nil {
		bdb.Close()
		return mapIOError(err, opts.Dir)
	}
	return mapIOError(bdb.Close(), opts.Dir)
}

// ReadKeyFile reads a master key file (master.key of another installation,
// for a restore on a new machine).
func ReadKeyFile(path string) ([]byte, error) {
	k, err := readKeyFile(path)
	if err != nil && !core.Of(err, core.ErrKeyMissing) {
		return nil, core.ErrKeyMissing.Wrap(err)
	}
	return k, err
}

// InstallKeyFile writes key as dataDir's key file unless one exists; it
// reports whether it wrote one.
func InstallKeyFile(dataDir string, key []byte) (bool, error) {
	if _, err := os.Stat(KeyFilePath(dataDir)); err == nil {
		return false, nil
	}
	if err := writeKeyFile(KeyFilePath(dataDir), key); err != nil {
		return false, err
	}
	return true, nil
}
