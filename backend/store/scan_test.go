package store

import (
	"strconv"
	"testing"
)

type scanRec struct {
	ID   string `json:"id"`
	Corp string `json:"corp"`
	N    int    `json:"n"`
}

var scanColl = NewCollection("test.scan", func(r *scanRec) string { return r.ID })

func TestListWhereKeepsOrderAndFilters(t *testing.T) {
	db := openTemp(t, t.TempDir(), testKey(t))
	const n = 3*scanChunk + 17 // several chunks and a partial one
	b := db.NewBatch()
	for i := range n {
		corp := "a"
		if i%3 == 0 {
			corp = "b"
		}
		if err := scanColl.PutBatch(b, &scanRec{ID: pad8(i), Corp: corp, N: i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 4} {
		var all, bs []scanRec
		err := db.View(func(tx *Tx) error {
			var err error
			if all, err = scanColl.ListWhere(tx, workers, nil); err != nil {
				return err
			}
			bs, err = scanColl.ListWhere(tx, workers, func(r *scanRec) bool { return r.Corp == "b" })
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != n {
			t.Fatalf("workers %d: %d records, want %d", workers, len(all), n)
		}
		for i, r := range all {
			if r.N != i {
				t.Fatalf("workers %d: record %d is %d: order lost", workers, i, r.N)
			}
		}
		if len(bs) != (n+2)/3 {
			t.Fatalf("workers %d: %d kept, want %d", workers, len(bs), (n+2)/3)
		}
		for i, r := range bs {
			if r.N != 3*i {
				t.Fatalf("workers %d: kept record %d is %d", workers, i, r.N)
			}
		}
	}
	// A record that does not decode is an error, not a silent gap.
	if err := db.Update(func(tx *Tx) error { return tx.txn.Set(scanColl.key("zzz"), []byte("{")) }); err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(tx *Tx) error { _, err := scanColl.ListWhere(tx, 2, nil); return err }); err == nil {
		t.Fatal("a broken record went unnoticed")
	}
}

func pad8(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 8 {
		s = "0" + s
	}
	return s
}
