package store

import (
	"encoding/json"

	"github.com/dgraph-io/badger/v4"

	"cloudbridge/backend/core"
)

// Batch writes many records fast (Badger's WriteBatch): no reads, no
// conflict checks, committed in large transactions. Use it only for records
// that are new or whose index values did not change (bulk loads, imports
// that were validated first); everything else goes through Update.
type Batch struct {
	wb      *badger.WriteBatch
	db      *DB
	touched map[string]struct{} // what it writes, for Memo
}

// NewBatch starts a batch; always Flush or Cancel it.
func (db *DB) NewBatch() *Batch { return &Batch{wb: db.bdb.NewWriteBatch(), db: db} }

// Flush commits everything written so far.
func (b *Batch) Flush() error {
	err := b.wb.Flush()
	// Part of a batch may have landed even when Flush fails: forget memos.
	b.db.writes.bump(b.touched)
	return mapIOError(err, b.db.dir)
}

// Cancel drops the batch; writes already flushed internally stay.
func (b *Batch) Cancel() { b.wb.Cancel() }

// PutBatch adds a record and its index entries to a batch.
func (c *Collection[T]) PutBatch(b *Batch, v *T) error {
	if err := b.db.space.check(); err != nil {
		return err
	}
	id := c.id(v)
	if b.touched == nil {
		b.touched = map[string]struct{}{}
	}
	b.touched[c.source()] = struct{}{}
	for _, ix := range c.indexes {
		for _, val := range ix.Values(v) {
			if err := b.wb.Set(append(c.indexPrefix(ix.Name, val), id...), nil); err != nil {
				return mapIOError(err, b.db.dir)
			}
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return core.Errorf("encode %s/%s: %w", c.name, id, err)
	}
	return mapIOError(b.wb.Set(c.key(id), raw), b.db.dir)
}
