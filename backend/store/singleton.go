package store

import (
	"encoding/json"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"cloudbridge/backend/core"
)

// Singleton is one typed record under "v/<name>", e.g. the settings.
type Singleton[T any] struct{ name string }

func NewSingleton[T any](name string) *Singleton[T] { return &Singleton[T]{name: name} }

// Get returns the stored value, or ok=false when it was never written.
func (s *Singleton[T]) Get(tx *Tx) (v T, ok bool, err error) {
	item, err := tx.txn.Get([]byte("v/" + s.name))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, mapIOError(err, tx.db.dir)
	}
	err = item.Value(func(b []byte) error { return json.Unmarshal(b, &v) })
	if err != nil {
		return v, false, core.Errorf("decode %s: %w", s.name, err)
	}
	return v, true, nil
}

func (s *Singleton[T]) Put(tx *Tx, v *T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return core.Errorf("encode %s: %w", s.name, err)
	}
	tx.touch(s)
	return mapIOError(tx.txn.Set([]byte("v/"+s.name), b), tx.db.dir)
}
