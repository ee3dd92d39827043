package store

import (
	"errors"
	"io/fs"
	"strconv"
	"sync"
	"syscall"
	"time"

	"cloudbridge/backend/core"
)

// Why a free-space guard and not just ENOSPC: Badger writes its write-ahead
// log (the memtable file) and new tables through mmap. When the disk fills
// up, a store into an mmapped page that has no block behind it raises
// SIGBUS, which kills the whole process instead of returning an error
// (measured: filling an 8 MiB tmpfs through an unguarded store dies with
// "fatal error: fault [signal SIGBUS]" in badger's logFile.writeEntry). So writes are refused while the data directory's
// file system has less than MinFree left, which must cover what Badger may
// still write on its own: the rest of the current memtable log (up to
// MemTableSize), its flush into a table (about as much again) and a
// compaction step.
const (
	// DefaultMinFree is 6 × the 16 MiB memtable.
	DefaultMinFree = 96 << 20
	// LowSpaceWarning is where the dashboard starts warning: several days of
	// heavy relay traffic, well before writes are refused.
	LowSpaceWarning = 1 << 30
)

// DiskSpace is the space left on the data directory's file system.
type DiskSpace struct {
	Dir     string `json:"dir"`
	Free    int64  `json:"free"`  // bytes available to this process
	Total   int64  `json:"total"` // size of the file system
	MinFree int64  `json:"minFree"`
	Warn    int64  `json:"warn"` // the dashboard's warning threshold
	Low     bool   `json:"low"`  // Free < Warn
	Full    bool   `json:"full"` // Free < MinFree: writes are refused
}

type spaceGuard struct {
	dir     string
	minFree int64
	mu      sync.Mutex
	at      time.Time
	free    int64
}

// check returns store.disk_full when less than minFree is left. The figure
// is re-read at most every 200 ms while far from the limit (statfs is cheap
// but not free on a busy intake path) and on every write near it.
func (g *spaceGuard) check() error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if g.at.IsZero() || now.Sub(g.at) > 200*time.Millisecond || g.free < 4*g.minFree {
		free, _, err := diskSpace(g.dir)
		if err != nil {
			return nil // an unreadable figure does not stop writes; a real ENOSPC still maps
		}
		g.free, g.at = free, now
	}
	if g.free < g.minFree {
		return core.ErrStoreFull.New("dir", g.dir, "free", HumanBytes(g.free))
	}
	return nil
}

// Space reads the data directory's free space now ("" dir in memory: zero).
func (db *DB) Space() (DiskSpace, error) {
	s := DiskSpace{Dir: db.dir, Warn: LowSpaceWarning}
	if db.space == nil {
		return s, nil
	}
	s.MinFree = db.space.minFree
	free, total, err := diskSpace(db.dir)
	if err != nil {
		return s, core.ErrInternal.Wrap(err)
	}
	s.Free, s.Total = free, total
	s.Low, s.Full = free < s.Warn, free < s.MinFree
	return s, nil
}

// freeText is the free space for an error message, "?" if unreadable.
func freeText(dir string) string {
	if dir == "" {
		return "?"
	}
	free, _, err := diskSpace(dir)
	if err != nil {
		return "?"
	}
	return HumanBytes(free)
}

// HumanBytes formats a size for messages (binary units, one decimal from GiB).
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// Sync makes every committed write durable (an fsync), with the store's
// error mapping: a full disk is store.disk_full, not an internal error.
func (db *DB) Sync() error { return mapIOError(db.bdb.Sync(), db.dir) }

// DirErrorReason names why a directory could not be created or written, for
// store.dir_denied's {reason}.
func DirErrorReason(err error) string {
	switch {
	case errors.Is(err, syscall.EROFS):
		return "read-only file system"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, syscall.ENOSPC):
		return "no space left on device"
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, fs.ErrExist):
		return "not a directory"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
