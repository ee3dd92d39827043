package store

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"cloudbridge/backend/core"
)

type vault struct {
	ID     string `json:"id"`
	Secret Sealed `json:"secret"`
	Note   string `json:"note"`
}

var vaults = NewCollection("vault", func(v *vault) string { return v.ID })

func vaultAAD(id string) string { return "vault/" + id }

// vaultOwner is what an area's SecretOwner looks like.
func vaultOwner(tx *Tx, reseal Reseal) error {
	all, err := vaults.List(tx)
	if err != nil {
		return err
	}
	for _, v := range all {
		if v.Secret, err = reseal(vaultAAD(v.ID), v.Secret); err != nil {
			return err
		}
		if err := vaults.Put(tx, &v); err != nil {
			return err
		}
	}
	return nil
}

// seedVaults writes n sealed secrets (and plain records) into the store at
// dir with key.
func seedVaults(t testing.TB, dir string, key []byte, n int) {
	t.Helper()
	db, err := Open(Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *Tx) error {
		for i := range n {
			id := fmt.Sprint(i)
			s, err := db.Seal(vaultAAD(id), "secret-"+id)
			if err != nil {
				return err
			}
			if err := vaults.Put(tx, &vault{ID: id, Secret: s, Note: "plain " + id}); err != nil {
				return err
			}
			if err := recs.Put(tx, &rec{ID: id, Name: "n" + id, Owner: "o"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkVaults opens dir with key and reads every secret back.
func checkVaults(t *testing.T, dir string, key []byte, n int) {
	t.Helper()
	db := openTemp(t, dir, key)
	defer db.Close()
	must(t, db.View(func(tx *Tx) error {
		for i := range n {
			id := fmt.Sprint(i)
			v, err := vaults.Get(tx, id)
			if err != nil {
				return err
			}
			plain, err := db.Unseal(vaultAAD(id), v.Secret)
			if err != nil {
				return fmt.Errorf("unseal %s: %w", id, err)
			}
			if plain != "secret-"+id || v.Note != "plain "+id {
				return fmt.Errorf("record %s: %q %q", id, plain, v.Note)
			}
			if _, err := recs.Get(tx, id); err != nil {
				return err
			}
		}
		return nil
	}))
}

func TestRotateStoreNewKeyOpensOldRefused(t *testing.T) {
	dir := t.TempDir()
	oldKey, newKey := testKey(t), testKey(t)
	seedVaults(t, dir, oldKey, 50)
	must(t, RotateStore(dir, oldKey, newKey, []SecretOwner{vaultOwner}, nil))
	checkVaults(t, dir, newKey, 50)
	if _, err := Open(Options{Dir: dir, Key: oldKey}); !core.Of(err, core.ErrDecrypt) {
		t.Fatalf("old key: want store.decrypt_failed, got %v", err)
	}
	// Running it again (a repeat after a crash) changes nothing.
	must(t, RotateStore(dir, oldKey, newKey, []SecretOwner{vaultOwner}, nil))
	checkVaults(t, dir, newKey, 50)
}

func TestRotateStoreRefusesUnknownSecret(t *testing.T) {
	dir := t.TempDir()
	oldKey, newKey := testKey(t), testKey(t)
	seedVaults(t, dir, oldKey, 3)
	// No owner for the vaults: their secrets would be lost.
	err := RotateStore(dir, oldKey, newKey, nil, nil)
	if !core.Of(err, core.ErrKeyRotateUnknownSecret) || core.AsError(err).Params["where"] != "c/vault" {
		t.Fatalf("want key.rotate_unknown_secret in c/vault, got %v", err)
	}
	checkVaults(t, dir, oldKey, 3) // untouched
}

func TestRotateStoreWithoutStore(t *testing.T) {
	must(t, RotateStore(filepath.Join(t.TempDir(), "db"), testKey(t), testKey(t), nil, nil))
}

func TestKeyRotationFileStorage(t *testing.T) {
	data := t.TempDir()
	oldKey, info, err := LoadKey(data, "file")
	must(t, err)
	if info.Storage != KeyInFile {
		t.Fatalf("storage %s", info.Storage)
	}
	seedVaults(t, filepath.Join(data, "db"), oldKey, 5)
	r, err := BeginKeyRotation(data, "auto", time.Now())
	must(t, err)
	if r.Storage != KeyInFile {
		t.Fatalf("journal storage %s", r.Storage)
	}
	// Staging alone changes nothing: the installation still opens with the old key.
	checkVaults(t, filepath.Join(data, "db"), oldKey, 5)
	keep := filepath.Join(t.TempDir(), "old.key")
	res, err := FinishKeyRotation(RotateOptions{DataDir: data, Mode: "auto", Owners: []SecretOwner{vaultOwner}, KeepOldKey: keep})
	must(t, err)
	if !res.Rotated || res.RolledBack {
		t.Fatalf("result %+v", res)
	}
	newKey, _, err := LoadKey(data, "auto")
	must(t, err)
	if bytes.Equal(newKey, oldKey) {
		t.Fatal("key did not change")
	}
	checkVaults(t, filepath.Join(data, "db"), newKey, 5)
	if kept, err := ReadKeyFile(keep); err != nil || !bytes.Equal(kept, oldKey) {
		t.Fatalf("old key not kept: %v", err)
	}
	for _, f := range []string{rotationJournal, nextKeyFile} {
		if _, err := os.Stat(filepath.Join(data, f)); !os.IsNotExist(err) {
			t.Errorf("%s left behind", f)
		}
	}
	// Nothing staged: nothing to do.
	res, err = FinishKeyRotation(RotateOptions{DataDir: data, Owners: []SecretOwner{vaultOwner}})
	if err != nil || res.Rotated {
		t.Fatalf("second finish: %+v %v", res, err)
	}
}

func TestKeyRotationKeyringStorage(t *testing.T) {
	keyring.MockInit()
	data := t.TempDir()
	oldKey, info, err := LoadKey(data, "keyring")
	must(t, err)
	if info.Storage != KeyInKeyring {
		t.Fatalf("storage %s", info.Storage)
	}
	seedVaults(t, filepath.Join(data, "db"), oldKey, 5)
	_, err = BeginKeyRotation(data, "keyring", time.Now())
	must(t, err)
	if _, err := os.Stat(filepath.Join(data, nextKeyFile)); !os.IsNotExist(err) {
		t.Fatal("a keyring rotation must not stage the key in a file")
	}
	_, err = FinishKeyRotation(RotateOptions{DataDir: data, Mode: "keyring", Owners: []SecretOwner{vaultOwner}})
	must(t, err)
	newKey, _, err := LoadKey(data, "keyring")
	must(t, err)
	if bytes.Equal(newKey, oldKey) {
		t.Fatal("key did not change")
	}
	checkVaults(t, filepath.Join(data, "db"), newKey, 5)
	if _, err := keyring.Get(keyringService, keyringAccount(data)+"-next"); err == nil {
		t.Fatal("staged keyring entry left behind")
	}
}

// A crash (here: a panic out of the rotation) at every step leaves an
// installation that the next start — FinishKeyRotation again, then Open with
// whatever key LoadKey returns — brings up with every secret readable.
func TestKeyRotationInterrupted(t *testing.T) {
	for _, point := range []string{"resealed", "registry", "rekeyed", "installed"} {
		t.Run(point, func(t *testing.T) {
			data := t.TempDir()
			oldKey, _, err := LoadKey(data, "file")
			must(t, err)
			seedVaults(t, filepath.Join(data, "db"), oldKey, 8)
			_, err = BeginKeyRotation(data, "file", time.Now())
			must(t, err)
			crashPoint = func(p string) {
				if p == point {
					panic("crash at " + p)
				}
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Fatalf("no crash at %s", point)
					}
				}()
				FinishKeyRotation(RotateOptions{DataDir: data, Mode: "file", Owners: []SecretOwner{vaultOwner}})
			}()
			crashPoint = func(string) {}
			if _, ok, _ := RotationPending(data); !ok {
				t.Fatal("journal lost in the crash")
			}
			// The next start.
			res, err := FinishKeyRotation(RotateOptions{DataDir: data, Mode: "file", Owners: []SecretOwner{vaultOwner}})
			if err != nil || !res.Rotated || res.RolledBack {
				t.Fatalf("recovery: %+v %v", res, err)
			}
			key, _, err := LoadKey(data, "file")
			must(t, err)
			if bytes.Equal(key, oldKey) {
				t.Fatal("still on the old key")
			}
			checkVaults(t, filepath.Join(data, "db"), key, 8)
		})
	}
}

// A rotation that cannot finish (an unknown sealed field) is rolled back:
// the old key stays, the staged one is dropped.
func TestKeyRotationRollsBack(t *testing.T) {
	data := t.TempDir()
	oldKey, _, err := LoadKey(data, "file")
	must(t, err)
	seedVaults(t, filepath.Join(data, "db"), oldKey, 2)
	_, err = BeginKeyRotation(data, "file", time.Now())
	must(t, err)
	res, err := FinishKeyRotation(RotateOptions{DataDir: data, Mode: "file"})
	if !core.Of(err, core.ErrKeyRotateUnknownSecret) || !res.RolledBack {
		t.Fatalf("want rolled-back unknown secret, got %+v %v", res, err)
	}
	key, _, err := LoadKey(data, "file")
	must(t, err)
	if !bytes.Equal(key, oldKey) {
		t.Fatal("key changed after a failed rotation")
	}
	checkVaults(t, filepath.Join(data, "db"), oldKey, 2)
	if _, ok, _ := RotationPending(data); ok {
		t.Fatal("journal kept after rollback")
	}
}

// A store held open (the app running) is refused before anything changes.
func TestKeyRotationStoreInUse(t *testing.T) {
	data := t.TempDir()
	oldKey, _, err := LoadKey(data, "file")
	must(t, err)
	seedVaults(t, filepath.Join(data, "db"), oldKey, 1)
	db := openTemp(t, filepath.Join(data, "db"), oldKey)
	_, err = BeginKeyRotation(data, "file", time.Now())
	must(t, err)
	_, err = FinishKeyRotation(RotateOptions{DataDir: data, Mode: "file", Owners: []SecretOwner{vaultOwner}})
	if !core.Of(err, core.ErrStoreLocked) {
		t.Fatalf("want store.locked, got %v", err)
	}
	db.Close()
	must(t, CancelKeyRotation(data))
	checkVaults(t, filepath.Join(data, "db"), oldKey, 1)
}

// A failure after the store was re-keyed (here: the proof step) rolls the
// store back to the old key: registry and secrets.
func TestKeyRotationRollsBackAfterRekey(t *testing.T) {
	data := t.TempDir()
	oldKey, _, err := LoadKey(data, "file")
	must(t, err)
	seedVaults(t, filepath.Join(data, "db"), oldKey, 4)
	_, err = BeginKeyRotation(data, "file", time.Now())
	must(t, err)
	calls := 0
	flaky := func(tx *Tx, reseal Reseal) error {
		calls++
		if calls == 2 {
			return core.ErrDecrypt.New()
		}
		return vaultOwner(tx, reseal)
	}
	res, err := FinishKeyRotation(RotateOptions{DataDir: data, Mode: "file", Owners: []SecretOwner{flaky}})
	if !core.Of(err, core.ErrDecrypt) || !res.RolledBack {
		t.Fatalf("want a rolled-back rotation, got %+v %v", res, err)
	}
	key, _, err := LoadKey(data, "file")
	must(t, err)
	if !bytes.Equal(key, oldKey) {
		t.Fatal("key changed")
	}
	checkVaults(t, filepath.Join(data, "db"), oldKey, 4)
}

// BenchmarkRotateStore: the rotation of a store with 100 000 plain records
// (a large directory) and 1 000 sealed secrets. The data files are not
// rewritten; the time goes to the scan for unknown sealed values.
func BenchmarkRotateStore(b *testing.B) {
	dir := b.TempDir()
	keys := [][]byte{make([]byte, 32), make([]byte, 32)}
	rand.Read(keys[0])
	rand.Read(keys[1])
	db, err := Open(Options{Dir: dir, Key: keys[0]})
	if err != nil {
		b.Fatal(err)
	}
	batch := db.NewBatch()
	for i := range 100_000 {
		if err := recs.PutBatch(batch, &rec{ID: fmt.Sprint("u", i), Name: fmt.Sprint("用户", i), Owner: "corp", Tags: []string{"dept-1", "dept-2"}}); err != nil {
			b.Fatal(err)
		}
	}
	if err := batch.Flush(); err != nil {
		b.Fatal(err)
	}
	db.Close()
	seedVaults(b, dir, keys[0], 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		from, to := keys[i%2], keys[(i+1)%2]
		if err := RotateStore(dir, from, to, []SecretOwner{vaultOwner}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
