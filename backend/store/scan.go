package store

import (
	"encoding/json"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"cloudbridge/backend/core"
)

// scanChunk is how many records a decoder takes at a time.
const scanChunk = 1024

// ListWhere returns the records keep accepts (nil keeps all), in id order.
// The transaction's goroutine only reads; up to workers goroutines decode:
// in a full scan of a big collection (100k directory users) the JSON decode,
// not Badger's read, is where the time goes. keep runs on the decoders.
func (c *Collection[T]) ListWhere(tx *Tx, workers int, keep func(*T) bool) ([]T, error) {
	workers = max(1, workers)
	type chunk struct {
		seq int
		raw [][]byte
	}
	var (
		mu      sync.Mutex
		parts   [][]T
		failure error
		wg      sync.WaitGroup
	)
	work := make(chan chunk, workers*2)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range work {
				out := make([]T, 0, len(ch.raw))
				var bad error
				for i, b := range ch.raw {
					var v T
					if err := json.Unmarshal(b, &v); err != nil {
						bad = core.Errorf("decode %s record %d: %w", c.name, ch.seq*scanChunk+i, err)
						break
					}
					if keep == nil || keep(&v) {
						out = append(out, v)
					}
				}
				mu.Lock()
				if bad != nil && failure == nil {
					failure = bad
				}
				for len(parts) <= ch.seq {
					parts = append(parts, nil)
				}
				parts[ch.seq] = out
				mu.Unlock()
			}
		}()
	}
	opts := badger.DefaultIteratorOptions
	opts.Prefix = c.prefix()
	it := tx.txn.NewIterator(opts)
	cur := chunk{}
	var readErr error
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		b, err := item.ValueCopy(nil)
		if err != nil {
			readErr = err
			break
		}
		cur.raw = append(cur.raw, b)
		if len(cur.raw) == scanChunk {
			work <- cur
			cur = chunk{seq: cur.seq + 1}
		}
	}
	it.Close()
	if len(cur.raw) > 0 {
		work <- cur
	}
	close(work)
	wg.Wait()
	if readErr != nil {
		return nil, readErr
	}
	if failure != nil {
		return nil, failure
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]T, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, nil
}
