package store

import (
	"sort"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Count is how many records one collection holds.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Census counts the records of every collection (keys only, no values
// read), by name; singletons are counted under "settings". A restore's
// preview shows it for the backup and for the current store.
func (db *DB) Census() ([]Count, int, error) {
	counts := map[string]int{}
	total := 0
	err := db.View(func(tx *Tx) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		it := tx.txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := string(it.Item().Key())
			switch {
			case strings.HasPrefix(k, "c/"):
				name, _, ok := strings.Cut(k[2:], "/")
				if ok {
					counts[name]++
					total++
				}
			case strings.HasPrefix(k, "v/") && k != "v/"+schemaKey.name:
				counts["settings"]++
				total++
			}
		}
		return nil
	})
	out := make([]Count, 0, len(counts))
	for n, c := range counts {
		out = append(out, Count{Name: n, Count: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, total, mapIOError(err, db.dir)
}

// MasterKey is the key the store was opened with. Only for building a
// sibling store encrypted the same way (a restore staged from the UI).
func (db *DB) MasterKey() []byte { return append([]byte(nil), db.master...) }
