package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"cloudbridge/backend/core"
)

// Reseal re-encrypts one sealed secret for the key being rotated to. It is
// called with the same aad the secret was sealed with.
type Reseal func(aad string, s Sealed) (Sealed, error)

// SecretOwner rewrites the sealed secrets one area keeps: for each, it calls
// reseal and stores the result in tx. The app lists the owners (see
// app.SecretOwners); a sealed value no owner rewrote stops the rotation.
type SecretOwner func(tx *Tx, reseal Reseal) error

// badgerKey and secretsKey are the two keys derived from the master key.
func badgerKey(master []byte) []byte  { return deriveKey(master, "badger-v1") }
func secretsKey(master []byte) []byte { return deriveKey(master, "secrets-v1") }

// RotateStore moves the closed store in dir from master key from to master
// key to. Both derived keys change: every sealed secret is re-sealed (one
// transaction: all or none) and Badger's key registry — the data keys that
// encrypt the SST and value-log files — is re-encrypted (Badger writes it to
// a temporary file and renames it, so it is either old or new). The data
// files themselves are not rewritten, which is what Badger's own
// `badger rotate` does as well.
//
// It can be run again after an interruption at any point, in either
// direction: it finds which key opens the registry, and a secret opens with
// either key. Last, it opens the store with the new key through Open and
// unseals every secret, so the caller installs the new key only once it is
// proven.
func RotateStore(dir string, from, to []byte, owners []SecretOwner, log *slog.Logger) error {
	_, err := rotateStore(dir, from, to, owners, log)
	return err
}

// rotateStore also says whether it changed anything on disk (a failure
// before the first commit needs no rollback).
func rotateStore(dir string, from, to []byte, owners []SecretOwner, log *slog.Logger) (changed bool, err error) {
	if len(from) != 32 || len(to) != 32 {
		return false, core.ErrKeyMissing.New()
	}
	if log == nil {
		log = slog.Default()
	}
	if _, err := os.Stat(filepath.Join(dir, badger.KeyRegistryFileName)); errors.Is(err, os.ErrNotExist) {
		return false, nil // no store yet: nothing is encrypted with the old key
	}
	current := from
	if ok, err := registryOpens(dir, from); err != nil {
		return false, err
	} else if !ok {
		if ok, err := registryOpens(dir, to); err != nil {
			return false, err
		} else if !ok {
			return false, core.ErrDecrypt.New()
		}
		current = to // an earlier run got past the registry
	}
	changed = !bytes.Equal(current, from)

	// 1. Re-seal every secret under the new key.
	db, err := Open(Options{Dir: dir, Key: current, Logger: log})
	if err != nil {
		return false, err
	}
	db.sealer = newSealer(secretsKey(to)) // seals with the new key only
	old := newSealer(secretsKey(from))
	fresh := map[Sealed]bool{}
	n := 0
	err = db.Update(func(tx *Tx) error {
		clear(fresh)
		n = 0
		reseal := func(aad string, s Sealed) (Sealed, error) {
			if s == "" {
				return "", nil
			}
			plain, err := db.sealer.open(aad, s) // already moved by an earlier run
			if err != nil {
				if plain, err = old.open(aad, s); err != nil {
					return "", err
				}
			}
			out, err := db.sealer.seal(aad, plain)
			fresh[out] = true
			n++
			return out, err
		}
		for _, own := range owners {
			if err := own(tx, reseal); err != nil {
				return err
			}
		}
		return checkResealed(tx, fresh)
	})
	if cerr := db.Close(); err == nil {
		err = mapIOError(cerr, dir)
	}
	if err != nil {
		return changed, err // this transaction did not commit
	}
	changed = true
	crashPoint("resealed")

	// 2. Re-encrypt the data keys.
	if !bytes.Equal(current, to) {
		reg, err := badger.OpenKeyRegistry(badger.KeyRegistryOptions{Dir: dir, ReadOnly: true, EncryptionKey: badgerKey(current)})
		if err != nil {
			return changed, mapIOError(err, dir)
		}
		reg.Close()
		if err := badger.WriteKeyRegistry(reg, badger.KeyRegistryOptions{Dir: dir, EncryptionKey: badgerKey(to)}); err != nil {
			return changed, mapIOError(err, dir)
		}
	}

	crashPoint("registry")

	// 3. Prove it: the normal open path with the new key, every secret opens.
	ndb, err := Open(Options{Dir: dir, Key: to, Logger: log})
	if err != nil {
		return changed, err
	}
	err = ndb.Update(func(tx *Tx) error {
		for _, own := range owners {
			if err := own(tx, func(aad string, s Sealed) (Sealed, error) {
				_, err := ndb.Unseal(aad, s)
				return s, err
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := ndb.Close(); err == nil {
		err = mapIOError(cerr, dir)
	}
	if err != nil {
		return changed, err
	}
	log.Info("store re-keyed", "dir", dir, "secrets", n)
	return changed, nil
}

// crashPoint lets tests stop a rotation between steps, as a crash would.
var crashPoint = func(string) {}

// registryOpens reports whether master opens the key registry in dir.
func registryOpens(dir string, master []byte) (bool, error) {
	reg, err := badger.OpenKeyRegistry(badger.KeyRegistryOptions{Dir: dir, ReadOnly: true, EncryptionKey: badgerKey(master)})
	if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
		return false, nil
	}
	if err != nil {
		return false, mapIOError(err, dir)
	}
	reg.Close()
	return true, nil
}

// checkResealed walks every record and refuses the rotation if a value
// still holds a sealed-looking secret that no owner re-sealed: it would no
// longer open under the new key. This catches an area that adds a sealed
// field without a SecretOwner.
func checkResealed(tx *Tx, fresh map[Sealed]bool) error {
	it := tx.txn.NewIterator(badger.DefaultIteratorOptions)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		k := string(item.Key())
		if strings.HasPrefix(k, "i/") {
			continue // index entries have no values
		}
		var bad string
		err := item.Value(func(b []byte) error {
			var v any
			if json.Unmarshal(b, &v) != nil {
				return nil
			}
			bad = findSealed(v, fresh)
			return nil
		})
		if err != nil {
			return mapIOError(err, tx.db.dir)
		}
		if bad != "" {
			where := k
			if i := strings.LastIndexByte(k, '/'); strings.HasPrefix(k, "c/") && i > 2 {
				where = k[:i] // the collection, not the record id
			}
			return core.ErrKeyRotateUnknownSecret.New("where", where)
		}
	}
	return nil
}

func findSealed(v any, fresh map[Sealed]bool) string {
	switch x := v.(type) {
	case string:
		if looksSealed(x) && !fresh[Sealed(x)] {
			return x
		}
	case []any:
		for _, e := range x {
			if s := findSealed(e, fresh); s != "" {
				return s
			}
		}
	case map[string]any:
		for _, e := range x {
			if s := findSealed(e, fresh); s != "" {
				return s
			}
		}
	}
	return ""
}

// looksSealed matches Seal's output: "v1:" and base64 of nonce, tag and at
// least one byte.
func looksSealed(s string) bool {
	raw, ok := strings.CutPrefix(s, "v1:")
	if !ok {
		return false
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	return err == nil && len(b) > 12+16
}
