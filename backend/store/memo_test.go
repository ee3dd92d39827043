package store

import (
	"errors"
	"sync"
	"testing"
)

func TestMemoReloadsOnlyAfterAWriteToItsSources(t *testing.T) {
	db := openTemp(t, t.TempDir(), testKey(t))
	defer db.Close()
	conf := NewSingleton[rec]("memo-conf")
	other := NewSingleton[rec]("memo-other")
	loads := 0
	m := NewMemo(db, func(tx *Tx) (string, error) {
		loads++
		c, _, err := conf.Get(tx)
		all, err2 := recs.List(tx)
		return c.Name + "/" + string(rune('0'+len(all))), errors.Join(err, err2)
	}, conf, recs)
	get := func(want string, wantLoads int) {
		t.Helper()
		v, err := m.Get()
		if err != nil || v != want || loads != wantLoads {
			t.Fatalf("Get = %q, %v after %d loads; want %q after %d", v, err, loads, want, wantLoads)
		}
	}
	get("/0", 1)
	get("/0", 1)
	must(t, db.Update(func(tx *Tx) error { return conf.Put(tx, &rec{Name: "a"}) }))
	get("a/0", 2)
	// A write elsewhere keeps the memo.
	must(t, db.Update(func(tx *Tx) error { return other.Put(tx, &rec{Name: "x"}) }))
	get("a/0", 2)
	// A failed transaction changes nothing and keeps it too.
	boom := errors.New("boom")
	if err := db.Update(func(tx *Tx) error { conf.Put(tx, &rec{Name: "b"}); return boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	get("a/0", 2)
	must(t, db.Update(func(tx *Tx) error { return recs.Put(tx, &rec{ID: "1", Name: "n1"}) }))
	get("a/1", 3)
	must(t, db.Update(func(tx *Tx) error { return recs.Delete(tx, "1") }))
	get("a/0", 4)
	b := db.NewBatch()
	must(t, recs.PutBatch(b, &rec{ID: "2", Name: "n2"}))
	must(t, b.Flush())
	get("a/1", 5)
}

// Readers racing a writer never keep a value older than the last commit.
func TestMemoSeesTheLastCommitUnderConcurrency(t *testing.T) {
	db := openTemp(t, t.TempDir(), testKey(t))
	defer db.Close()
	conf := NewSingleton[rec]("memo-conf")
	m := NewMemo(db, func(tx *Tx) (string, error) { c, _, err := conf.Get(tx); return c.Name, err }, conf)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					m.Get()
				}
			}
		}()
	}
	for i := range 200 {
		must(t, db.Update(func(tx *Tx) error { return conf.Put(tx, &rec{Name: string(rune('A' + i%26))}) }))
	}
	close(stop)
	wg.Wait()
	if v, err := m.Get(); err != nil || v != string(rune('A'+199%26)) {
		t.Fatalf("after the last write Get = %q, %v", v, err)
	}
}
