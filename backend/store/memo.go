package store

import (
	"sync"
	"sync/atomic"
)

// Memo keeps a value derived from the store in memory until a write to one
// of the collections or singletons it reads commits. Hot read paths (every
// SSO request reads the settings, the app and its credentials) then decode
// nothing while nothing changed, and still see an admin's change at once.
//
// The value is shared by every caller: treat it as read-only.
type Memo[T any] struct {
	db   *DB
	deps []Source
	load func(tx *Tx) (T, error)

	mu  sync.Mutex
	gen uint64
	ok  bool
	val T
}

// Source is what a memo depends on: a *Collection or a *Singleton.
type Source interface{ source() string }

func (c *Collection[T]) source() string { return "c/" + c.name }
func (s *Singleton[T]) source() string  { return "v/" + s.name }

// NewMemo declares a memo of load, which must read only from deps.
func NewMemo[T any](db *DB, load func(tx *Tx) (T, error), deps ...Source) *Memo[T] {
	return &Memo[T]{db: db, deps: deps, load: load}
}

// Get returns the memoised value, loading it when a dependency changed.
func (m *Memo[T]) Get() (T, error) {
	// The generation is read before loading: a write that commits during
	// the load bumps it afterwards, so the next Get loads again.
	gen := m.db.generation(m.deps)
	m.mu.Lock()
	if m.ok && m.gen == gen {
		v := m.val
		m.mu.Unlock()
		return v, nil
	}
	m.mu.Unlock()
	var v T
	err := m.db.View(func(tx *Tx) error {
		var err error
		v, err = m.load(tx)
		return err
	})
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	if !m.ok || gen >= m.gen {
		m.gen, m.val, m.ok = gen, v, true
	}
	m.mu.Unlock()
	return v, nil
}

// writeCounts counts committed writes per source; a memo's generation is the
// sum over its dependencies, which only grows.
type writeCounts struct{ m sync.Map } // source → *atomic.Uint64

func (w *writeCounts) bump(sources map[string]struct{}) {
	for s := range sources {
		c, _ := w.m.LoadOrStore(s, new(atomic.Uint64))
		c.(*atomic.Uint64).Add(1)
	}
}

func (db *DB) generation(deps []Source) uint64 {
	var g uint64
	for _, d := range deps {
		if c, ok := db.writes.m.Load(d.source()); ok {
			g += c.(*atomic.Uint64).Load()
		}
	}
	return g
}

// touch notes that this transaction writes to src; the counts are bumped
// once it commits.
func (tx *Tx) touch(src Source) {
	if tx.touched == nil {
		tx.touched = map[string]struct{}{}
	}
	tx.touched[src.source()] = struct{}{}
}
