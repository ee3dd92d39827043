// Package backup makes online, encrypted backups of the store and restores
// them into a stopped installation's data directory.
//
// File format (all integers big-endian):
//
//	"CBBAK\x00\x01\n"            magic and format version
//	uint32 n, n bytes            header JSON (schema, time, app version, key id)
//	8 bytes                      random nonce prefix
//	chunks: uint32 n, n bytes    AES-256-GCM of ≤64 KiB of gzip(Badger backup)
//
// Badger's own encryption covers its SST and value-log files, but a Backup
// stream is plaintext, so the file is sealed with a key derived from the
// master key: a copied backup is useless without the key file or keyring.
// Each chunk's nonce is prefix‖counter and its AAD binds the header hash, the
// counter and a last-chunk flag, so reordering, truncation and header edits
// are all detected.
package backup

import (
	"bufio"
	"compress/gzip"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

const (
	magic      = "CBBAK\x00\x01\n"
	chunkSize  = 64 << 10
	keyPurpose = "backup-v1"
	filePrefix = "cloudbridge-"
	fileSuffix = ".bak"
	timeLayout = "20060102T150405Z"
	maxHeader  = 4 << 10
)

// Header is the clear-text part of a backup file.
type Header struct {
	Schema     int       `json:"schema"`
	Created    time.Time `json:"created"`
	AppVersion string    `json:"appVersion"`
	KeyID      string    `json:"keyId"` // tells "wrong key" from "damaged"
}

// Info describes a backup file in the backups directory.
type Info struct {
	Name       string    `json:"name"`
	Path       string    `json:"path"`
	Size       int64     `json:"size"`
	Created    time.Time `json:"created"`
	Schema     int       `json:"schema"`
	AppVersion string    `json:"appVersion"`
}

// Dir is where backups of a data directory are kept.
func Dir(dataDir string) string { return filepath.Join(dataDir, "backups") }

func keyID(key []byte) string {
	h := sha256.Sum256(append([]byte("cloudbridge/backup-key-id/"), key...))
	return hex.EncodeToString(h[:8])
}

func newAEAD(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // 32-byte key by construction
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

func chunkAAD(hh [32]byte, n uint64, last bool) []byte {
	aad := make([]byte, 0, 41)
	aad = append(aad, hh[:]...)
	aad = binary.BigEndian.AppendUint64(aad, n)
	if last {
		return append(aad, 1)
	}
	return append(aad, 0)
}

func nonce(prefix []byte, n uint64) []byte {
	return binary.BigEndian.AppendUint32(append([]byte{}, prefix...), uint32(n))
}

// sealWriter encrypts what is written to it in chunks; Close seals the last.
type sealWriter struct {
	w      io.Writer
	aead   cipher.AEAD
	hh     [32]byte
	prefix []byte
	n      uint64
	buf    []byte
}

func (s *sealWriter) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		k := min(chunkSize-len(s.buf), len(p))
		s.buf = append(s.buf, p[:k]...)
		p = p[k:]
		// A full chunk is only flushed once more data follows, so the last
		// chunk (possibly full) is the one Close seals with the flag.
		if len(s.buf) == chunkSize && len(p) > 0 {
			if err := s.flush(false); err != nil {
				return 0, err
			}
		}
	}
	return total, nil
}

func (s *sealWriter) flush(last bool) error {
	if s.n == 1<<32-1 {
		return errors.New("backup too large")
	}
	ct := s.aead.Seal(nil, nonce(s.prefix, s.n), s.buf, chunkAAD(s.hh, s.n, last))
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(ct)))
	if _, err := s.w.Write(l[:]); err != nil {
		return err
	}
	if _, err := s.w.Write(ct); err != nil {
		return err
	}
	s.n++
	s.buf = s.buf[:0]
	return nil
}

func (s *sealWriter) Close() error { return s.flush(true) }

// openReader decrypts chunks; any failure is errCorrupt.
type openReader struct {
	r      *bufio.Reader
	aead   cipher.AEAD
	hh     [32]byte
	prefix []byte
	n      uint64
	plain  []byte
	done   bool
}

var errCorrupt = errors.New("backup: authentication failed")

func (o *openReader) Read(p []byte) (int, error) {
	for len(o.plain) == 0 {
		if o.done {
			return 0, io.EOF
		}
		var l [4]byte
		if _, err := io.ReadFull(o.r, l[:]); err != nil {
			return 0, errCorrupt // truncated: the last chunk never came
		}
		size := binary.BigEndian.Uint32(l[:])
		if size > chunkSize+uint32(o.aead.Overhead()) {
			return 0, errCorrupt
		}
		ct := make([]byte, size)
		if _, err := io.ReadFull(o.r, ct); err != nil {
			return 0, errCorrupt
		}
		// The last chunk is the one followed by end of file.
		_, peekErr := o.r.Peek(1)
		last := peekErr == io.EOF
		pt, err := o.aead.Open(nil, nonce(o.prefix, o.n), ct, chunkAAD(o.hh, o.n, last))
		if err != nil {
			return 0, errCorrupt
		}
		o.n++
		o.plain, o.done = pt, last
	}
	k := copy(p, o.plain)
	o.plain = o.plain[k:]
	return k, nil
}

// Write streams a full online backup of db to w.
func Write(db *store.DB, w io.Writer, h Header) error {
	key := db.DeriveKey(keyPurpose)
	h.KeyID = keyID(key)
	hb, err := json.Marshal(h)
	if err != nil {
		return core.ErrInternal.Wrap(err)
	}
	prefix := make([]byte, 8)
	if _, err := rand.Read(prefix); err != nil {
		return core.ErrInternal.Wrap(err)
	}
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(hb)))
	for _, b := range [][]byte{[]byte(magic), l[:], hb, prefix} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	sw := &sealWriter{w: w, aead: newAEAD(key), hh: sha256.Sum256(hb), prefix: prefix}
	zw, _ := gzip.NewWriterLevel(sw, gzip.BestSpeed)
	if _, err := db.Badger().Backup(zw, 0); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return sw.Close()
}

// ReadHeader reads and checks the clear-text header of a backup file.
func ReadHeader(r *bufio.Reader, file string) (Header, []byte, error) {
	var h Header
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(r, m); err != nil || string(m) != magic {
		return h, nil, core.ErrBackupNotABackup.New("file", file)
	}
	var l [4]byte
	if _, err := io.ReadFull(r, l[:]); err != nil {
		return h, nil, core.ErrBackupCorrupt.New("file", file)
	}
	n := binary.BigEndian.Uint32(l[:])
	if n == 0 || n > maxHeader {
		return h, nil, core.ErrBackupCorrupt.New("file", file)
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(r, hb); err != nil {
		return h, nil, core.ErrBackupCorrupt.New("file", file)
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return h, nil, core.ErrBackupCorrupt.Wrap(err, "file", file)
	}
	return h, hb, nil
}

// Decrypt checks a backup file against the master key and returns a reader
// of the plain Badger backup stream. Damage shows up as errCorrupt while
// reading; the caller maps it (see Restore).
func decrypt(r io.Reader, master []byte, file string) (Header, io.Reader, error) {
	br := bufio.NewReaderSize(r, chunkSize+64)
	h, hb, err := ReadHeader(br, file)
	if err != nil {
		return h, nil, err
	}
	key := store.DeriveKeyFrom(master, keyPurpose)
	if h.KeyID != keyID(key) {
		return h, nil, core.ErrBackupForeignKey.New("file", file)
	}
	if h.Schema > store.SchemaVersion() {
		return h, nil, core.ErrBackupSchemaNewer.New("have", fmt.Sprint(h.Schema), "want", fmt.Sprint(store.SchemaVersion()))
	}
	prefix := make([]byte, 8)
	if _, err := io.ReadFull(br, prefix); err != nil {
		return h, nil, core.ErrBackupCorrupt.New("file", file)
	}
	or := &openReader{r: br, aead: newAEAD(key), hh: sha256.Sum256(hb), prefix: prefix}
	zr, err := gzip.NewReader(or)
	if err != nil {
		return h, nil, core.ErrBackupCorrupt.Wrap(err, "file", file)
	}
	return h, zr, nil
}

// fileName is the name of a backup made at t.
func fileName(t time.Time) string { return filePrefix + t.UTC().Format(timeLayout) + fileSuffix }

// parseName returns the time in a backup's file name.
func parseName(name string) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, filePrefix)
	if !ok {
		return time.Time{}, false
	}
	s, ok = strings.CutSuffix(s, fileSuffix)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(timeLayout, s)
	return t, err == nil
}

// List returns the backups in dir, newest first. Files that are not named
// like a backup are ignored (and never deleted by retention).
func List(dir string) ([]Info, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return []Info{}, nil
	}
	if err != nil {
		return nil, core.ErrBackupWriteFailed.Wrap(err, "dir", dir)
	}
	out := []Info{}
	for _, e := range ents {
		t, ok := parseName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		inf := Info{Name: e.Name(), Path: filepath.Join(dir, e.Name()), Size: fi.Size(), Created: t}
		if f, err := os.Open(inf.Path); err == nil {
			if h, _, err := ReadHeader(bufio.NewReader(f), e.Name()); err == nil {
				inf.Schema, inf.AppVersion = h.Schema, h.AppVersion
			}
			f.Close()
		}
		out = append(out, inf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Prune deletes all but the keep newest backups in dir; it returns the names
// deleted.
func Prune(dir string, keep int) ([]string, error) {
	all, err := List(dir)
	if err != nil {
		return nil, err
	}
	var gone []string
	for i := keep; i < len(all); i++ {
		if err := os.Remove(all[i].Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return gone, core.ErrBackupWriteFailed.Wrap(err, "dir", dir)
		}
		gone = append(gone, all[i].Name)
	}
	return gone, nil
}

// Create writes a backup of db into dir, named after now, through a
// temporary file so a crash or a full disk never leaves a half backup with a
// backup's name.
func Create(db *store.DB, dir string, now time.Time, appVersion string) (Info, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Info{}, core.ErrBackupWriteFailed.Wrap(err, "dir", dir)
	}
	schema, err := db.Schema()
	if err != nil {
		return Info{}, err
	}
	name := fileName(now)
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		// Two backups in the same second: the newer one waits its turn.
		return Info{}, core.ErrBackupBusy.New()
	}
	tmp, err := os.CreateTemp(dir, ".partial-*")
	if err != nil {
		return Info{}, core.ErrBackupWriteFailed.Wrap(err, "dir", dir)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 256<<10)
	err = Write(db, bw, Header{Schema: schema, Created: now.UTC(), AppVersion: appVersion})
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			return Info{}, err
		}
		return Info{}, core.ErrBackupWriteFailed.Wrap(err, "dir", dir)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return Info{}, core.ErrBackupWriteFailed.Wrap(err, "dir", dir)
	}
	return Info{Name: name, Path: path, Size: fi.Size(), Created: now.UTC(), Schema: schema, AppVersion: appVersion}, nil
}
