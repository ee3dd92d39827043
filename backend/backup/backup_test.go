package backup

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

type rec struct {
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	Secret store.Sealed `json:"secret"`
}

var recs = store.NewCollection[rec]("backuptest.recs", func(r *rec) string { return r.ID })

func newKey(t *testing.T) []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// openFilled opens a store in dataDir/db with n records, each with a sealed secret.
func openFilled(t *testing.T, dataDir string, key []byte, n int) *store.DB {
	t.Helper()
	db, err := store.Open(store.Options{Dir: filepath.Join(dataDir, "db"), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("r%04d", i)
			sec, err := db.Seal("rec/"+id, "secret-"+id)
			if err != nil {
				return err
			}
			if err := recs.Put(tx, &rec{ID: id, Name: "名字 " + id, Secret: sec}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func check(t *testing.T, dataDir string, key []byte, n int) {
	t.Helper()
	db, err := store.Open(store.Options{Dir: filepath.Join(dataDir, "db"), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := 0
	err = db.View(func(tx *store.Tx) error {
		return recs.Each(tx, func(r rec) error {
			plain, err := db.Unseal("rec/"+r.ID, r.Secret)
			if err != nil {
				return err
			}
			if plain != "secret-"+r.ID || r.Name != "名字 "+r.ID {
				return fmt.Errorf("record %s: %q %q", r.ID, r.Name, plain)
			}
			got++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("restored %d records, want %d", got, n)
	}
}

func TestRoundTripIntoNewDir(t *testing.T) {
	// The target data directory does not exist yet (a new machine).
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "new", "data")
	key := newKey(t)
	db := openFilled(t, src, key, 3000)
	inf, err := Create(db, Dir(src), time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC), "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if inf.Name != "cloudbridge-20261124T023000Z.bak" || inf.Size == 0 || inf.AppVersion != "1.2.3" {
		t.Fatalf("info %+v", inf)
	}
	raw, _ := os.ReadFile(inf.Path)
	if bytes.Contains(raw, []byte("secret-r0001")) || bytes.Contains(raw, []byte("backuptest.recs")) {
		t.Fatal("backup file holds plaintext")
	}
	res, err := Restore(inf.Path, dst, key, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kept != "" || res.Header.AppVersion != "1.2.3" || res.Header.Schema != store.SchemaVersion() {
		t.Fatalf("result %+v", res)
	}
	check(t, dst, key, 3000)
}

func TestRestoreKeepsOldStore(t *testing.T) {
	dir := t.TempDir()
	key := newKey(t)
	db := openFilled(t, dir, key, 10)
	inf, err := Create(db, Dir(dir), time.Now(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	// Changes after the backup: the restore must undo them, the kept store must hold them.
	if err := db.Update(func(tx *store.Tx) error { return recs.Put(tx, &rec{ID: "zz-later", Name: "later"}) }); err != nil {
		t.Fatal(err)
	}
	// While the store is open (by this very process) restore is refused.
	if _, err := Restore(inf.Path, dir, key, time.Now(), nil); !core.Of(err, core.ErrBackupRestoreInUse) {
		t.Fatalf("restore over an open store: %v", err)
	}
	db.Close()
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	res, err := Restore(inf.Path, dir, key, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kept != filepath.Join(dir, "db.before-restore-20261125T030000Z") {
		t.Fatalf("kept %q", res.Kept)
	}
	check(t, dir, key, 10)
	old, err := store.Open(store.Options{Dir: res.Kept, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := old.View(func(tx *store.Tx) error {
		if ok, err := recs.Has(tx, "zz-later"); !ok || err != nil {
			return fmt.Errorf("kept store lost the later record: %v", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".restore-*")); len(left) != 0 {
		t.Fatalf("temp dirs left: %v", left)
	}
}

func TestForeignAndTamperedRefused(t *testing.T) {
	src := t.TempDir()
	key := newKey(t)
	db := openFilled(t, src, key, 200)
	inf, err := Create(db, Dir(src), time.Now(), "dev")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(inf.Path)
	assertRefused := func(name string, data []byte, k []byte, kind core.Kind) {
		t.Helper()
		dst := t.TempDir()
		// An existing store that must survive the failed restore untouched.
		keep := openFilled(t, dst, k, 5)
		keep.Close()
		f := filepath.Join(t.TempDir(), name)
		os.WriteFile(f, data, 0o600)
		_, err := Restore(f, dst, k, time.Now(), nil)
		if !core.Of(err, kind) {
			t.Fatalf("%s: got %v, want %s", name, err, kind.Code)
		}
		if msg := core.Translate("zh-CN", core.AsError(err).Code, core.AsError(err).Params); !strings.Contains(msg, name) && kind != core.ErrBackupSchemaNewer {
			t.Fatalf("%s: message %q does not name the file", name, msg)
		}
		check(t, dst, k, 5)
		if left, _ := filepath.Glob(filepath.Join(dst, "db.before-restore-*")); len(left) != 0 {
			t.Fatalf("%s: store moved aside on a failed restore", name)
		}
	}
	assertRefused("foreign.bak", raw, newKey(t), core.ErrBackupForeignKey)
	flip := bytes.Clone(raw)
	flip[len(flip)/2] ^= 0x01
	assertRefused("flipped.bak", flip, key, core.ErrBackupCorrupt)
	assertRefused("truncated.bak", raw[:len(raw)-100], key, core.ErrBackupCorrupt)
	hdr := bytes.Replace(raw, []byte(`"appVersion":"dev"`), []byte(`"appVersion":"xyz"`), 1)
	assertRefused("header.bak", hdr, key, core.ErrBackupCorrupt)
	assertRefused("notes.bak", []byte("hello, not a backup"), key, core.ErrBackupNotABackup)
}

func TestRetentionDeletesOnlyOldest(t *testing.T) {
	dir := t.TempDir()
	key := newKey(t)
	db := openFilled(t, dir, key, 3)
	defer db.Close()
	clock := core.NewFakeClock(time.Date(2026, 11, 1, 2, 30, 0, 0, time.UTC))
	svc := NewService(t.Context(), db, dir, "dev", clock, testLog(), nil)
	if _, err := svc.SaveBackupSettings(Settings{Enabled: true, Time: "2:30", Keep: 3}); err != nil {
		t.Fatal(err)
	}
	// A file of the admin's own in the backups folder is never touched.
	os.MkdirAll(Dir(dir), 0o700)
	os.WriteFile(filepath.Join(Dir(dir), "notes.txt"), []byte("mine"), 0o600)
	var names []string
	for i := 0; i < 5; i++ {
		inf, err := svc.BackupNow()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, inf.Name)
		clock.Advance(24 * time.Hour)
	}
	ov, err := svc.ListBackups()
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Backups) != 3 || ov.Backups[0].Name != names[4] || ov.Backups[2].Name != names[2] {
		t.Fatalf("kept %+v", ov.Backups)
	}
	if ov.Settings.Time != "02:30" || !strings.Contains(ov.RestoreCommand, "restore") {
		t.Fatalf("overview %+v", ov)
	}
	if _, err := os.Stat(filepath.Join(Dir(dir), "notes.txt")); err != nil {
		t.Fatal("retention deleted a foreign file")
	}
	if _, err := svc.DeleteBackup(names[3]); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeleteBackup("../db/MANIFEST"); !core.Of(err, core.ErrBackupNotFound) {
		t.Fatalf("path escape: %v", err)
	}
	if _, err := svc.DeleteBackup("notes.txt"); !core.Of(err, core.ErrBackupNotFound) {
		t.Fatalf("non-backup delete: %v", err)
	}
}

func TestSettingsValidation(t *testing.T) {
	dir := t.TempDir()
	db := openFilled(t, dir, newKey(t), 0)
	defer db.Close()
	svc := NewService(t.Context(), db, dir, "dev", core.SystemClock{}, testLog(), nil)
	if st, _ := svc.GetBackupSettings(); st != DefaultSettings() {
		t.Fatalf("defaults %+v", st)
	}
	for _, bad := range []Settings{{Time: "24:00", Keep: 7}, {Time: "2:3", Keep: 7}, {Time: "abc", Keep: 7}} {
		if _, err := svc.SaveBackupSettings(bad); !core.Of(err, core.ErrBackupInvalidTime) {
			t.Fatalf("%+v: %v", bad, err)
		}
	}
	if _, err := svc.SaveBackupSettings(Settings{Time: "01:00", Keep: 0}); !core.Of(err, core.ErrBackupInvalidKeep) {
		t.Fatal(err)
	}
	if st, _ := svc.GetBackupSettings(); st != DefaultSettings() {
		t.Fatalf("bad input half-applied: %+v", st)
	}
}

func testLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// BenchmarkBackupRestore reports backup and restore throughput and the file
// size per record for a store of 20 000 records (about 200 bytes each).
func BenchmarkBackupRestore(b *testing.B) {
	src := b.TempDir()
	key := make([]byte, 32)
	rand.Read(key)
	db, err := store.Open(store.Options{Dir: filepath.Join(src, "db"), Key: key})
	if err != nil {
		b.Fatal(err)
	}
	const n = 20000
	for start := 0; start < n; start += 2000 {
		if err := db.Update(func(tx *store.Tx) error {
			for i := start; i < start+2000; i++ {
				id := fmt.Sprintf("r%06d", i)
				sec, _ := db.Seal("rec/"+id, "secret-"+id)
				if err := recs.Put(tx, &rec{ID: id, Name: strings.Repeat("名字", 20) + id, Secret: sec}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var size int64
	var backupDur, restoreDur time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		inf, err := Create(db, b.TempDir(), time.Now(), "bench")
		if err != nil {
			b.Fatal(err)
		}
		backupDur += time.Since(t0)
		size = inf.Size
		t1 := time.Now()
		if _, err := Restore(inf.Path, b.TempDir(), key, time.Now(), testLog()); err != nil {
			b.Fatal(err)
		}
		restoreDur += time.Since(t1)
	}
	db.Close()
	b.ReportMetric(float64(size)/n, "file-bytes/record")
	b.ReportMetric(n*float64(b.N)/backupDur.Seconds(), "backup-records/s")
	b.ReportMetric(n*float64(b.N)/restoreDur.Seconds(), "restore-records/s")
}

// A backup taken while writers are busy is a consistent snapshot: every
// restored record opens, and the restored count is one the writers passed
// through (a multiple of the batch size, as each batch is one transaction).
func TestOnlineBackupUnderWrites(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	key := newKey(t)
	db := openFilled(t, src, key, 0)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for b := 0; ; b++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			err := db.Update(func(tx *store.Tx) error {
				for i := 0; i < 50; i++ {
					id := fmt.Sprintf("r%06d", b*50+i)
					sec, err := db.Seal("rec/"+id, "secret-"+id)
					if err != nil {
						return err
					}
					if err := recs.Put(tx, &rec{ID: id, Name: "名字 " + id, Secret: sec}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				done <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	inf, err := Create(db, Dir(src), time.Now(), "dev")
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatal(werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Restore(inf.Path, dst, key, time.Now(), testLog()); err != nil {
		t.Fatal(err)
	}
	rdb, err := store.Open(store.Options{Dir: filepath.Join(dst, "db"), Key: key, Logger: testLog()})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = rdb.View(func(tx *store.Tx) error { return recs.Each(tx, func(rec) error { n++; return nil }) })
	rdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || n%50 != 0 {
		t.Fatalf("restored %d records: not a transaction boundary", n)
	}
	check(t, dst, key, n)
}

// An unwritable backups directory is a translated error and leaves no file
// that looks like a backup.
func TestBackupDirUnwritable(t *testing.T) {
	dir := t.TempDir()
	db := openFilled(t, dir, newKey(t), 3)
	defer db.Close()
	os.WriteFile(Dir(dir), []byte("a file where the folder should be"), 0o600)
	svc := NewService(t.Context(), db, dir, "dev", core.SystemClock{}, testLog(), nil)
	if _, err := svc.BackupNow(); !core.Of(err, core.ErrBackupWriteFailed) {
		t.Fatalf("got %v", err)
	}
	os.Remove(Dir(dir))
	ov, err := svc.ListBackups()
	if err != nil || ov.LastError == nil || ov.LastError.Code != core.ErrBackupWriteFailed.Code || len(ov.Backups) != 0 {
		t.Fatalf("overview after a failure: %+v %v", ov, err)
	}
	if _, err := svc.BackupNow(); err != nil {
		t.Fatal(err)
	}
	if ov, _ := svc.ListBackups(); ov.LastError != nil || len(ov.Backups) != 1 {
		t.Fatalf("overview after a success: %+v", ov)
	}
}
