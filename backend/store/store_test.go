package store

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"cloudbridge/backend/core"
)

type rec struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Tags  []string `json:"tags"`
	Owner string   `json:"owner"`
}

var recs = NewCollection("rec", func(r *rec) string { return r.ID },
	Index[rec]{Name: "name", Unique: true, Values: func(r *rec) []string { return []string{r.Name} }},
	Index[rec]{Name: "owner", Values: func(r *rec) []string { return []string{r.Owner} }},
)

func testKey(t *testing.T) []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func openTemp(t *testing.T, dir string, key []byte) *DB {
	t.Helper()
	db, err := Open(Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return db
}

func TestCollectionIndexesFollowUpdates(t *testing.T) {
	db := openTemp(t, t.TempDir(), testKey(t))
	defer db.Close()
	must(t, db.Update(func(tx *Tx) error {
		if err := recs.Put(tx, &rec{ID: "1", Name: "a", Owner: "x"}); err != nil {
			return err
		}
		return recs.Put(tx, &rec{ID: "2", Name: "b", Owner: "x"})
	}))
	// Unique index refuses a second holder and the transaction writes nothing.
	err := db.Update(func(tx *Tx) error {
		if err := recs.Put(tx, &rec{ID: "3", Name: "c", Owner: "y"}); err != nil {
			return err
		}
		return recs.Put(tx, &rec{ID: "4", Name: "a", Owner: "y"})
	})
	var ue *ErrUnique
	if !errors.As(err, &ue) || ue.HeldBy != "1" || ue.Index != "name" {
		t.Fatalf("want unique violation held by 1, got %v", err)
	}
	must(t, db.View(func(tx *Tx) error {
		if ok, _ := recs.Has(tx, "3"); ok {
			t.Error("record 3 was written by a failed transaction")
		}
		return nil
	}))
	// Renaming moves the index entry; the old name becomes free.
	must(t, db.Update(func(tx *Tx) error { return recs.Put(tx, &rec{ID: "1", Name: "a2", Owner: "y"}) }))
	must(t, db.Update(func(tx *Tx) error { return recs.Put(tx, &rec{ID: "5", Name: "a", Owner: "y"}) }))
	must(t, db.View(func(tx *Tx) error {
		xs, err := recs.Lookup(tx, "owner", "x")
		if err != nil || len(xs) != 1 || xs[0].ID != "2" {
			t.Errorf("owner x = %v, %v; want [2]", xs, err)
		}
		n, _ := recs.Count(tx, "owner", "y")
		if n != 2 {
			t.Errorf("owner y count = %d, want 2", n)
		}
		return nil
	}))
	must(t, db.Update(func(tx *Tx) error { return recs.Delete(tx, "5") }))
	must(t, db.View(func(tx *Tx) error {
		if n, _ := recs.Count(tx, "owner", "y"); n != 1 {
			t.Errorf("after delete owner y count = %d, want 1", n)
		}
		if _, err := recs.Get(tx, "5"); !core.Of(err, core.ErrNotFound) {
			t.Errorf("get deleted: %v, want not_found", err)
		}
		all, _ := recs.List(tx)
		if len(all) != 2 {
			t.Errorf("list = %d records, want 2", len(all))
		}
		return nil
	}))
}

func TestBatchWritesRecordsAndIndexes(t *testing.T) {
	db := openTemp(t, t.TempDir(), testKey(t))
	defer db.Close()
	b := db.NewBatch()
	for i := 0; i < 5000; i++ {
		id := string(rune('a'+i%26)) + string(rune('0'+i%10)) + itoa(i)
		must(t, recs.PutBatch(b, &rec{ID: id, Name: id, Owner: "bulk"}))
	}
	must(t, b.Flush())
	must(t, db.View(func(tx *Tx) error {
		n, err := recs.Count(tx, "owner", "bulk")
		if n != 5000 {
			t.Errorf("bulk count = %d (%v), want 5000", n, err)
		}
		return nil
	}))
}

func itoa(i int) string {
	return string([]byte{byte('0' + i/1000%10), byte('0' + i/100%10), byte('0' + i/10%10), byte('0' + i%10)})
}

func TestSecretsAreEncryptedAndBoundToOwner(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	db := openTemp(t, dir, key)
	s, err := db.Seal("app/1/client_secret", "super-secret-value")
	must(t, err)
	if bytes.Contains([]byte(s), []byte("super-secret")) {
		t.Fatal("sealed value contains the plaintext")
	}
	if got, err := db.Unseal("app/1/client_secret", s); err != nil || got != "super-secret-value" {
		t.Fatalf("unseal = %q, %v", got, err)
	}
	if _, err := db.Unseal("app/2/client_secret", s); !core.Of(err, core.ErrDecrypt) {
		t.Fatalf("unseal with another owner: %v, want store.decrypt_failed", err)
	}
	must(t, db.Update(func(tx *Tx) error { return recs.Put(tx, &rec{ID: "s", Name: string(s)}) }))
	db.Close()

	// Badger encrypts at rest: the plaintext name of a record is not on disk.
	must(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte("c/rec/s")) {
			t.Errorf("%s holds a record key in clear text", p)
		}
		return nil
	}))

	// The wrong key cannot open the store.
	if _, err := Open(Options{Dir: dir, Key: testKey(t)}); !core.Of(err, core.ErrDecrypt) {
		t.Fatalf("open with wrong key: %v, want store.decrypt_failed", err)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	db := openTemp(t, dir, key)
	defer db.Close()
	_, err := Open(Options{Dir: dir, Key: key})
	if !core.Of(err, core.ErrStoreLocked) {
		t.Fatalf("second open: %v, want store.locked", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	db := openTemp(t, dir, key)
	if v, _ := db.Schema(); v != SchemaVersion() {
		t.Fatalf("schema = %d, want %d", v, SchemaVersion())
	}
	must(t, db.Update(func(tx *Tx) error { v := SchemaVersion() + 1; return schemaKey.Put(tx, &v) }))
	db.Close()
	if _, err := Open(Options{Dir: dir, Key: key}); !core.Of(err, core.ErrStoreSchema) {
		t.Fatalf("open newer schema: %v, want store.schema_newer", err)
	}
}

func TestKeyFileCreatedOnceWithPrivateMode(t *testing.T) {
	dir := t.TempDir()
	k1, info, err := LoadKey(dir, "file")
	must(t, err)
	if info.Storage != KeyInFile || info.File != KeyFilePath(dir) {
		t.Fatalf("info = %+v", info)
	}
	st, err := os.Stat(info.File)
	must(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	k2, _, err := LoadKey(dir, "auto") // an existing key file wins over the keyring
	must(t, err)
	if !bytes.Equal(k1, k2) {
		t.Fatal("second load returned a different key")
	}
	os.WriteFile(info.File, []byte("garbage"), 0o600)
	if _, _, err := LoadKey(dir, "file"); !core.Of(err, core.ErrKeyMissing) {
		t.Fatalf("corrupt key file: %v, want store.key_missing", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestPurgesDeleteBeyondOneTransaction(t *testing.T) {
	db := openTemp(t, t.TempDir(), testKey(t))
	defer db.Close()
	b := db.NewBatch()
	for i := 0; i < 30000; i++ {
		id := "p" + itoa(i%10000) + string(rune('a'+i/10000))
		must(t, recs.PutBatch(b, &rec{ID: id, Name: id, Owner: "big", Tags: []string{"x"}}))
	}
	must(t, recs.PutBatch(b, &rec{ID: "keep", Name: "keep", Owner: "other"}))
	must(t, b.Flush())
	// One transaction cannot hold 30k deletes with their index entries
	// (Badger: "Txn is too big"); the purge can.
	err := db.Update(func(tx *Tx) error {
		ids, _ := recs.lookupIDs(tx, "owner", "big", 0)
		for _, id := range ids {
			if err := recs.Delete(tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		t.Log("note: Badger accepted the whole delete in one transaction")
	}
	n, err := recs.DeleteWhere(db, "owner", "big", 1000)
	if err != nil || n != 30000 {
		t.Fatalf("DeleteWhere = %d, %v", n, err)
	}
	must(t, db.View(func(tx *Tx) error {
		if c, _ := recs.Count(tx, "owner", "big"); c != 0 {
			t.Errorf("%d left", c)
		}
		if ok, _ := recs.Has(tx, "keep"); !ok {
			t.Error("purge deleted another owner's record")
		}
		return nil
	}))
	must(t, recs.PutBatch(db.NewBatch(), &rec{ID: "z", Name: "z", Owner: "z"}))
	n, err = recs.DeleteMatching(db, func(r *rec) bool { return r.Owner == "other" }, 10)
	if err != nil || n != 1 {
		t.Fatalf("DeleteMatching = %d, %v", n, err)
	}
}
