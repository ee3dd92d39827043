package backup

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// proveWith is the app's prove step: the store opens with the key.
func proveWith(key []byte) func(string) error {
	return func(dir string) error {
		db, err := store.Open(store.Options{Dir: dir, Key: key, Logger: testLog()})
		if err != nil {
			return err
		}
		return db.Close()
	}
}

// makeBackup writes a store with n records under dataDir, backs it up and
// closes it; the store then gets extra records (the "change since").
func makeBackup(t *testing.T, dataDir string, key []byte, n, extra int) Info {
	t.Helper()
	db := openFilled(t, dataDir, key, n)
	inf, err := Create(db, Dir(dataDir), time.Now(), "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if extra > 0 {
		db = openFilled(t, dataDir, key, n+extra)
		db.Close()
	}
	return inf
}

func TestStageConfirmApply(t *testing.T) {
	data, key := t.TempDir(), newKey(t)
	inf := makeBackup(t, data, key, 30, 20)
	// Staging runs while the store is open (the app is running).
	live, err := store.Open(store.Options{Dir: filepath.Join(data, "db"), Key: key, Logger: testLog()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Stage(inf.Path, data, key, time.Now(), testLog())
	if err != nil {
		t.Fatal(err)
	}
	live.Close()
	if p.Source != inf.Name || p.AppVersion != "1.2.3" || p.Token == "" {
		t.Fatalf("preview %+v", p)
	}
	found := false
	for _, c := range p.Counts {
		if c.Name == "backuptest.recs" {
			found = c.Count == 30
		}
	}
	if !found || p.Records < 30 {
		t.Fatalf("counts %+v", p.Counts)
	}
	// Not confirmed: the next start drops it and changes nothing.
	if _, _, applied, err := ApplyStaged(data, time.Now(), proveWith(key)); applied || err != nil {
		t.Fatalf("unconfirmed staging applied: %v %v", applied, err)
	}
	check(t, data, key, 50)
	if _, err := Confirm(data, p.Token); !core.Of(err, core.ErrBackupRestoreNotPrepared) {
		t.Fatalf("confirm after drop: %v", err)
	}

	p, err = Stage(inf.Path, data, key, time.Now(), testLog())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Confirm(data, "wrong-token"); !core.Of(err, core.ErrBackupRestoreNotPrepared) {
		t.Fatalf("wrong token: %v", err)
	}
	if _, err := Confirm(data, p.Token); err != nil {
		t.Fatal(err)
	}
	if _, ok := Pending(data); !ok {
		t.Fatal("not pending after confirm")
	}
	got, kept, applied, err := ApplyStaged(data, time.Now(), proveWith(key))
	if err != nil || !applied || got.Source != inf.Name {
		t.Fatalf("apply: %+v %v %v", got, applied, err)
	}
	check(t, data, key, 30) // the 20 later records are gone
	if kept == "" || !exists(kept) {
		t.Fatalf("old store not kept: %q", kept)
	}
	if exists(stagingPath(data)) {
		t.Fatal("staging left behind")
	}
}

func TestStageRefusesCorruptAndForeign(t *testing.T) {
	data, key := t.TempDir(), newKey(t)
	inf := makeBackup(t, data, key, 10, 0)
	raw, _ := os.ReadFile(inf.Path)

	damaged := filepath.Join(t.TempDir(), "cloudbridge-damaged.bak")
	bad := append([]byte(nil), raw...)
	bad[len(bad)-40] ^= 0xff
	os.WriteFile(damaged, bad, 0o600)
	if _, err := Stage(damaged, data, key, time.Now(), testLog()); !core.Of(err, core.ErrBackupCorrupt) {
		t.Fatalf("damaged: want backup.corrupt, got %v", err)
	}
	truncated := filepath.Join(t.TempDir(), "cloudbridge-short.bak")
	os.WriteFile(truncated, raw[:len(raw)/2], 0o600)
	if _, err := Stage(truncated, data, key, time.Now(), testLog()); !core.Of(err, core.ErrBackupCorrupt) {
		t.Fatalf("truncated: want backup.corrupt, got %v", err)
	}
	if _, err := Stage(inf.Path, data, newKey(t), time.Now(), testLog()); !core.Of(err, core.ErrBackupForeignKey) {
		t.Fatalf("wrong key: want backup.foreign_key, got %v", err)
	}
	notBackup := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notBackup, []byte("hello"), 0o600)
	if _, err := Stage(notBackup, data, key, time.Now(), testLog()); !core.Of(err, core.ErrBackupNotABackup) {
		t.Fatalf("not a backup: %v", err)
	}
	// Every refusal left nothing staged and the store as it was.
	if exists(stagingPath(data)) {
		t.Fatal("a refused restore left a staging")
	}
	ents, _ := os.ReadDir(data)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".restore-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
	check(t, data, key, 10)
}

// A staged store that does not open at start-up (here: the key changed in
// between) is moved aside and the previous store put back.
func TestApplyStagedFailsSafe(t *testing.T) {
	data, key := t.TempDir(), newKey(t)
	inf := makeBackup(t, data, key, 12, 3)
	p, err := Stage(inf.Path, data, key, time.Now(), testLog())
	if err != nil {
		t.Fatal(err)
	}
	Confirm(data, p.Token)
	_, _, applied, err := ApplyStaged(data, time.Now(), proveWith(newKey(t)))
	if !applied || !core.Of(err, core.ErrDecrypt) {
		t.Fatalf("want a failed apply with store.decrypt_failed, got %v %v", applied, err)
	}
	check(t, data, key, 15) // the current store, untouched
	if exists(stagingPath(data)) {
		t.Fatal("staging left behind")
	}
}

// A crash between ApplyStaged's steps is finished by the next start.
func TestApplyStagedInterrupted(t *testing.T) {
	for _, point := range []string{"journaled", "moved-old", "moved-new"} {
		t.Run(point, func(t *testing.T) {
			data, key := t.TempDir(), newKey(t)
			inf := makeBackup(t, data, key, 7, 5)
			p, err := Stage(inf.Path, data, key, time.Now(), testLog())
			if err != nil {
				t.Fatal(err)
			}
			Confirm(data, p.Token)
			crashPoint = func(p string) {
				if p == point {
					panic(p)
				}
			}
			func() {
				defer func() { recover() }()
				ApplyStaged(data, time.Now(), proveWith(key))
			}()
			crashPoint = func(string) {}
			if _, _, applied, err := ApplyStaged(data, time.Now().Add(time.Second), proveWith(key)); !applied || err != nil {
				t.Fatalf("recovery: %v %v", applied, err)
			}
			check(t, data, key, 7)
		})
	}
}

func TestServiceRestoreFlow(t *testing.T) {
	data, key := t.TempDir(), newKey(t)
	inf := makeBackup(t, data, key, 5, 2)
	db, err := store.Open(store.Options{Dir: filepath.Join(data, "db"), Key: key, Logger: testLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	restarts := 0
	s := NewService(context.Background(), db, data, "test", core.SystemClock{}, testLog(), nil)
	SetMaintenance(s, Maintenance{KeyStore: "file", RestartMode: "exec", Restart: func() { restarts++ }})

	if _, err := s.PrepareRestore("../etc/passwd"); !core.Of(err, core.ErrBackupNotFound) {
		t.Fatalf("path: %v", err)
	}
	p, err := s.PrepareRestore(inf.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Current) == 0 {
		t.Fatal("no current counts in the preview")
	}
	// The same file uploaded from the browser.
	raw, _ := os.ReadFile(inf.Path)
	up, err := s.PrepareRestoreUpload(UploadedBackup{Name: `C:\Users\admin\` + inf.Name, ContentBase64: base64.StdEncoding.EncodeToString(raw)})
	if err != nil || up.Source != inf.Name {
		t.Fatalf("upload: %+v %v", up, err)
	}
	if _, err := s.PrepareRestoreUpload(UploadedBackup{Name: "x.bak", ContentBase64: "bm90IGEgYmFja3Vw"}); !core.Of(err, core.ErrBackupNotABackup) {
		t.Fatalf("junk upload: %v", err)
	}
	up, err = s.PrepareRestore(inf.Name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.ConfirmRestore(up.Token)
	if err != nil || !r.Restarting || restarts != 1 {
		t.Fatalf("confirm: %+v %v restarts=%d", r, err, restarts)
	}
	// While it waits for the restart, no other restore or rotation.
	if _, err := s.PrepareRestore(inf.Name); !core.Of(err, core.ErrBackupMaintenancePending) {
		t.Fatalf("second prepare: %v", err)
	}
	if _, err := s.RotateMasterKey(); !core.Of(err, core.ErrBackupMaintenancePending) {
		t.Fatalf("rotate while a restore waits: %v", err)
	}
	st, err := s.GetMaintenance()
	if err != nil || st.RestorePending == nil || st.RestorePending.Source != inf.Name {
		t.Fatalf("state %+v %v", st, err)
	}
	if err := WriteNotice(data, Notice{Kind: "restore", OK: true, Source: inf.Name}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.GetMaintenance(); st.Notice == nil || st.Notice.Source != inf.Name {
		t.Fatalf("notice %+v", st.Notice)
	}
	s.DismissNotice()
	if st, _ := s.GetMaintenance(); st.Notice != nil {
		t.Fatal("notice not dismissed")
	}
}

// A restore from the command line drops one scheduled in the UI.
func TestDiscardConfirmedStaging(t *testing.T) {
	data, key := t.TempDir(), newKey(t)
	inf := makeBackup(t, data, key, 3, 1)
	p, err := Stage(inf.Path, data, key, time.Now(), testLog())
	if err != nil {
		t.Fatal(err)
	}
	Confirm(data, p.Token)
	if err := Discard(data); err != nil {
		t.Fatal(err)
	}
	if _, ok := Pending(data); ok {
		t.Fatal("still pending")
	}
	if _, _, applied, err := ApplyStaged(data, time.Now(), proveWith(key)); applied || err != nil {
		t.Fatalf("applied after discard: %v %v", applied, err)
	}
	check(t, data, key, 4)
}

// BenchmarkStage100k: the full check of a restore from the UI (decrypt,
// authenticate, load beside the store, open, count) for a store of 100 000
// records — the time the confirmation dialog waits for.
func BenchmarkStage100k(b *testing.B) {
	data, key := b.TempDir(), make([]byte, 32)
	rand.Read(key)
	db, err := store.Open(store.Options{Dir: filepath.Join(data, "db"), Key: key, Logger: testLog()})
	if err != nil {
		b.Fatal(err)
	}
	batch := db.NewBatch()
	for i := range 100_000 {
		id := fmt.Sprintf("r%06d", i)
		if err := recs.PutBatch(batch, &rec{ID: id, Name: "用户 " + id + " 研发部 华为技术有限公司"}); err != nil {
			b.Fatal(err)
		}
	}
	if err := batch.Flush(); err != nil {
		b.Fatal(err)
	}
	inf, err := Create(db, Dir(data), time.Now(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := Stage(inf.Path, data, key, time.Now(), testLog())
		if err != nil || p.Records < 100_000 {
			b.Fatalf("%+v %v", p.Records, err)
		}
	}
	b.ReportMetric(float64(inf.Size)/1e6, "backup-MB")
}
