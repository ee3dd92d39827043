package store

import (
	"encoding/json"

	"github.com/dgraph-io/badger/v4"

	"cloudbridge/backend/core"
)

// Range walks the records whose id lies in [from, to) in id order, newest
// first when desc is set; an empty bound is open. The value is decoded only
// when asked for, so counting or collecting ids reads keys alone. fn
// returning false stops the walk.
//
// It exists for collections keyed by time-ordered ids (the audit log): a
// page of the newest entries, or the entries before a cut-off, without
// decoding the whole collection.
func (c *Collection[T]) Range(tx *Tx, from, to string, desc bool, fn func(id string, value func() (T, error)) (bool, error)) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = c.prefix()
	opts.Reverse = desc
	opts.PrefetchValues = false
	it := tx.txn.NewIterator(opts)
	defer it.Close()
	pre := c.prefix()
	if desc {
		if to != "" {
			it.Seek(c.key(to)) // the first key <= to; skipped below if equal
		} else {
			it.Seek(append(append([]byte{}, pre...), 0xff))
		}
	} else {
		it.Seek(c.key(from))
	}
	for ; it.Valid(); it.Next() {
		item := it.Item()
		id := string(item.Key()[len(pre):])
		if to != "" && id >= to {
			if desc {
				continue
			}
			return nil
		}
		if from != "" && id < from {
			if desc {
				return nil
			}
			continue
		}
		more, err := fn(id, func() (T, error) {
			var v T
			if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &v) }); err != nil {
				return v, core.Errorf("decode %s/%s: %w", c.name, id, err)
			}
			return v, nil
		})
		if err != nil || !more {
			return err
		}
	}
	return nil
}
