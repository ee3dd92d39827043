package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zalando/go-keyring"

	"cloudbridge/backend/core"
)

// KeyStorage says where the master key lives; the settings screen shows it.
type KeyStorage string

const (
	KeyInKeyring KeyStorage = "keyring"
	KeyInFile    KeyStorage = "file"
)

// KeyInfo describes the loaded master key without revealing it.
type KeyInfo struct {
	Storage KeyStorage
	File    string // the key file when Storage is file
}

const keyringService = "cloudbridge"

// KeyFilePath is where the file-stored key lives. It sits beside, not inside,
// the Badger directory, so a copy of the database alone cannot be decrypted.
func KeyFilePath(dataDir string) string { return filepath.Join(dataDir, "master.key") }

// LoadKey returns the master key for dataDir, creating one on first use.
// mode is "auto" (an existing key file wins, then the OS keyring, and a new
// key goes to the keyring when it works, else to a 0600 file), "file" or
// "keyring".
func LoadKey(dataDir, mode string) ([]byte, KeyInfo, error) {
	path := KeyFilePath(dataDir)
	account := keyringAccount(dataDir)
	if mode != string(KeyInKeyring) {
		if key, err := readKeyFile(path); err == nil {
			return key, KeyInfo{Storage: KeyInFile, File: path}, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, KeyInfo{}, err
		}
	}
	if mode != string(KeyInFile) {
		if s, err := keyring.Get(keyringService, account); err == nil {
			key, err := decodeKey(s)
			if err != nil {
				return nil, KeyInfo{}, err
			}
			return key, KeyInfo{Storage: KeyInKeyring}, nil
		}
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, KeyInfo{}, core.Errorf("key: %w", err)
	}
	if mode != string(KeyInFile) {
		if err := keyring.Set(keyringService, account, encodeKey(key)); err == nil {
			return key, KeyInfo{Storage: KeyInKeyring}, nil
		} else if mode == string(KeyInKeyring) {
			return nil, KeyInfo{}, core.ErrKeyMissing.Wrap(err)
		}
	}
	if err := writeKeyFile(path, key); err != nil {
		return nil, KeyInfo{}, err
	}
	return key, KeyInfo{Storage: KeyInFile, File: path}, nil
}

// keyringAccount names the keyring entry after the data directory, so two
// data directories of one user keep separate keys.
func keyringAccount(dataDir string) string {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	sum := sha256.Sum256([]byte(abs))
	return "master-" + hex.EncodeToString(sum[:8])
}

func encodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

func decodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) != 32 {
		return nil, core.ErrKeyMissing.Wrap(fmt.Errorf("master key is not 32 bytes of base64"))
	}
	return k, nil
}

func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeKey(string(b))
}

func writeKeyFile(path string, key []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return mapIOError(err, filepath.Dir(path))
	}
	// O_EXCL: never overwrite a key that another process just wrote.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return mapIOError(err, filepath.Dir(path))
	}
	if _, err := f.WriteString(encodeKey(key) + "\n"); err != nil {
		f.Close()
		return mapIOError(err, filepath.Dir(path))
	}
	return mapIOError(f.Close(), filepath.Dir(path))
}
