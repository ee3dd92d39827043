package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"cloudbridge/backend/core"
)

// Collection is a typed set of JSON records under "c/<name>/<id>", with
// secondary indexes under "i/<name>/<index>/<value>\x00<id>". Index entries
// are written in the same transaction as the record, so they never drift.
type Collection[T any] struct {
	name    string
	id      func(*T) string
	indexes []Index[T]
}

// Index derives zero or more values from a record. A unique index refuses a
// second record with the same value (ErrUnique tells which record holds it).
type Index[T any] struct {
	Name   string
	Unique bool
	Values func(*T) []string
}

// ErrUnique is returned by Put when a unique index value is taken. Callers
// turn it into the catalogue error their users understand.
type ErrUnique struct {
	Index, Value, HeldBy string
}

func (e *ErrUnique) Error() string {
	return "unique index " + e.Index + " value " + e.Value + " held by " + e.HeldBy
}

// NewCollection declares a collection. Names are part of the on-disk format.
func NewCollection[T any](name string, id func(*T) string, indexes ...Index[T]) *Collection[T] {
	return &Collection[T]{name: name, id: id, indexes: indexes}
}

func (c *Collection[T]) key(id string) []byte { return []byte("c/" + c.name + "/" + id) }

func (c *Collection[T]) prefix() []byte { return []byte("c/" + c.name + "/") }

func (c *Collection[T]) indexPrefix(index, value string) []byte {
	return []byte("i/" + c.name + "/" + index + "/" + value + "\x00")
}

// Get reads one record; a missing one is core.ErrNotFound.
func (c *Collection[T]) Get(tx *Tx, id string) (T, error) {
	var v T
	item, err := tx.txn.Get(c.key(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return v, core.ErrNotFound.New()
	}
	if err != nil {
		return v, mapIOError(err, tx.db.dir)
	}
	err = item.Value(func(b []byte) error { return json.Unmarshal(b, &v) })
	if err != nil {
		return v, core.Errorf("decode %s/%s: %w", c.name, id, err)
	}
	return v, nil
}

// Has reports whether a record exists.
func (c *Collection[T]) Has(tx *Tx, id string) (bool, error) {
	_, err := tx.txn.Get(c.key(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, mapIOError(err, tx.db.dir)
}

// Put inserts or replaces a record and its index entries.
func (c *Collection[T]) Put(tx *Tx, v *T) error {
	id := c.id(v)
	if id == "" || strings.ContainsAny(id, "/\x00") {
		return core.Errorf("store: bad id %q for %s", id, c.name)
	}
	old, err := c.Get(tx, id)
	exists := err == nil
	if err != nil && !core.Of(err, core.ErrNotFound) {
		return err
	}
	for _, ix := range c.indexes {
		var oldVals []string
		if exists {
			oldVals = ix.Values(&old)
		}
		newVals := ix.Values(v)
		for _, val := range oldVals {
			if !contains(newVals, val) {
				if err := tx.txn.Delete(append(c.indexPrefix(ix.Name, val), id...)); err != nil {
					return mapIOError(err, tx.db.dir)
				}
			}
		}
		for _, val := range newVals {
			if ix.Unique {
				holder, err := c.lookupIDs(tx, ix.Name, val, 2)
				if err != nil {
					return err
				}
				for _, h := range holder {
					if h != id {
						return &ErrUnique{Index: ix.Name, Value: val, HeldBy: h}
					}
				}
			}
			if err := tx.txn.Set(append(c.indexPrefix(ix.Name, val), id...), nil); err != nil {
				return mapIOError(err, tx.db.dir)
			}
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return core.Errorf("encode %s/%s: %w", c.name, id, err)
	}
	tx.touch(c)
	return mapIOError(tx.txn.Set(c.key(id), b), tx.db.dir)
}

// Delete removes a record and its index entries; deleting a missing record
// is not an error.
func (c *Collection[T]) Delete(tx *Tx, id string) error {
	old, err := c.Get(tx, id)
	if core.Of(err, core.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	tx.touch(c)
	for _, ix := range c.indexes {
		for _, val := range ix.Values(&old) {
			if err := tx.txn.Delete(append(c.indexPrefix(ix.Name, val), id...)); err != nil {
				return mapIOError(err, tx.db.dir)
			}
		}
	}
	return mapIOError(tx.txn.Delete(c.key(id)), tx.db.dir)
}

// Each calls fn for every record in id order; fn returning an error stops.
func (c *Collection[T]) Each(tx *Tx, fn func(v T) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = c.prefix()
	it := tx.txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var v T
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &v) }); err != nil {
			return core.Errorf("decode %s: %w", it.Item().Key(), err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// List returns every record in id order.
func (c *Collection[T]) List(tx *Tx) ([]T, error) {
	var out []T
	err := c.Each(tx, func(v T) error { out = append(out, v); return nil })
	return out, err
}

// Lookup returns the records whose index has the given value.
func (c *Collection[T]) Lookup(tx *Tx, index, value string) ([]T, error) {
	ids, err := c.lookupIDs(tx, index, value, 0)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		v, err := c.Get(tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Count returns how many records have the index value.
func (c *Collection[T]) Count(tx *Tx, index, value string) (int, error) {
	ids, err := c.lookupIDs(tx, index, value, 0)
	return len(ids), err
}

func (c *Collection[T]) lookupIDs(tx *Tx, index, value string, limit int) ([]string, error) {
	p := c.indexPrefix(index, value)
	opts := badger.DefaultIteratorOptions
	opts.Prefix = p
	opts.PrefetchValues = false
	it := tx.txn.NewIterator(opts)
	defer it.Close()
	var ids []string
	for it.Rewind(); it.Valid(); it.Next() {
		ids = append(ids, string(bytes.TrimPrefix(it.Item().Key(), p)))
		if limit > 0 && len(ids) >= limit {
			break
		}
	}
	return ids, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
