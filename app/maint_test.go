package app

import (
	"bytes"
	"io"
	"log/slog"
	"testing"
	"time"

	"cloudbridge/backend/backup"
	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

func openApp(t *testing.T, dir string) *App {
	t.Helper()
	a, err := New(Config{DataDir: dir, KeyStore: "file", PublicAddr: "127.0.0.1:0", LogLevel: slog.LevelError, Version: "test", Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func corpNames(t *testing.T, a *App) []string {
	t.Helper()
	cs, err := a.Tenant.ListCorps()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func appSecret(t *testing.T, a *App, appID string) string {
	t.Helper()
	var secret string
	err := a.DB.View(func(tx *store.Tx) error {
		c, err := tenant.Credentials(a.DB, tx, appID)
		secret = c.ClientSecret
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// A restore confirmed in the UI is applied by the next start, before the
// store opens; a key rotation staged in the UI likewise, with every sealed
// secret (here an app's client secret) still readable afterwards.
func TestRestoreAndRotationApplyAtStart(t *testing.T) {
	dir := t.TempDir()
	a := openApp(t, dir)
	corp, err := a.Tenant.CreateCorp("恢复前企业")
	if err != nil {
		t.Fatal(err)
	}
	app, err := a.Tenant.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "轻应用", ClientID: "20230000000000000000001", ClientSecret: "s3cret-value"})
	if err != nil {
		t.Fatal(err)
	}
	inf, err := backup.Create(a.DB, backup.Dir(dir), time.Now(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Tenant.CreateCorp("备份之后的企业"); err != nil {
		t.Fatal(err)
	}
	p, err := backup.Stage(inf.Path, dir, a.DB.MasterKey(), time.Now(), a.log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Confirm(dir, p.Token); err != nil {
		t.Fatal(err)
	}
	a.Close()

	a = openApp(t, dir)
	if got := corpNames(t, a); len(got) != 1 || got[0] != "恢复前企业" {
		t.Fatalf("after restore: %v", got)
	}
	n, err := backup.ReadNotice(dir)
	if err != nil || n == nil || !n.OK || n.Kind != "restore" || n.Source != inf.Name || n.Kept == "" {
		t.Fatalf("notice %+v %v", n, err)
	}
	if appSecret(t, a, app.ID) != "s3cret-value" {
		t.Fatal("secret lost in the restore")
	}
	oldKey := a.DB.MasterKey()
	if _, err := store.BeginKeyRotation(dir, "file", time.Now()); err != nil {
		t.Fatal(err)
	}
	a.Close()

	a = openApp(t, dir)
	defer a.Close()
	if bytes.Equal(a.DB.MasterKey(), oldKey) {
		t.Fatal("key not rotated")
	}
	if appSecret(t, a, app.ID) != "s3cret-value" {
		t.Fatal("secret unreadable after rotation")
	}
	if n, _ := backup.ReadNotice(dir); n == nil || n.Kind != "rotate" || !n.OK {
		t.Fatalf("rotation notice %+v", n)
	}
	// A backup made before the rotation needs the old key now.
	if _, err := backup.Stage(inf.Path, dir, a.DB.MasterKey(), time.Now(), a.log); err == nil {
		t.Fatal("old backup restored with the new key")
	}
}

// A second start while the first process still holds the store must not
// move the store directory from under it.
func TestPendingRestoreWaitsForTheStore(t *testing.T) {
	dir := t.TempDir()
	a := openApp(t, dir)
	defer a.Close()
	if _, err := a.Tenant.CreateCorp("仍在运行的企业"); err != nil {
		t.Fatal(err)
	}
	inf, err := backup.Create(a.DB, backup.Dir(dir), time.Now(), "test")
	if err != nil {
		t.Fatal(err)
	}
	p, err := backup.Stage(inf.Path, dir, a.DB.MasterKey(), time.Now(), a.log)
	if err != nil {
		t.Fatal(err)
	}
	backup.Confirm(dir, p.Token)
	err = applyPending(Config{DataDir: dir, KeyStore: "file"}, a.log)
	if !core.Of(err, core.ErrStoreLocked) {
		t.Fatalf("want store.locked, got %v", err)
	}
	if _, ok := backup.Pending(dir); !ok {
		t.Fatal("the scheduled restore was dropped")
	}
	if got := corpNames(t, a); len(got) != 1 {
		t.Fatalf("running store disturbed: %v", got)
	}
}
