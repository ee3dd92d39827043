package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"cloudbridge/app"
	"cloudbridge/backend/backup"
	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// runRotateKey rotates the master key of a stopped installation
// (`cloudbridge rotate-key --data DIR`). A running app rotates from
// 系统设置 › 备份 instead, which stages the same rotation for its restart.
func runRotateKey(args []string) error {
	fl := flag.NewFlagSet("cloudbridge rotate-key", flag.ContinueOnError)
	dataDir := fl.String("data", app.DefaultDataDir(), "data directory of the stopped installation")
	keyStore := fl.String("key-store", "auto", "where the master key lives: auto, file or keyring")
	keepOld := fl.String("keep-old-key", "", "also write the old key to this file (to restore backups made before the rotation)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*dataDir, "db")); err != nil {
		return fmt.Errorf("rotate-key: no store in %s", *dataDir)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if p, ok := backup.Pending(*dataDir); ok {
		// The staged store is encrypted with the current key: rotating now
		// would leave it unopenable at the next start.
		return fmt.Errorf("rotate-key: a restore from %s is scheduled; start CloudBridge once to apply it (or run cloudbridge restore), then rotate", p.Source)
	}
	_, staged, err := store.RotationPending(*dataDir)
	if err != nil {
		return err
	}
	if !staged {
		// Refuse a running installation before staging anything.
		key, _, err := store.LoadKey(*dataDir, *keyStore)
		if err != nil {
			return err
		}
		db, err := store.Open(store.Options{Dir: filepath.Join(*dataDir, "db"), Key: key, Logger: log})
		if core.Of(err, core.ErrStoreLocked) {
			return core.ErrKeyRotateRunning.Wrap(err, "dir", *dataDir)
		}
		if err != nil {
			return err
		}
		db.Close()
		if _, err := store.BeginKeyRotation(*dataDir, *keyStore, time.Now()); err != nil {
			return err
		}
	} else {
		fmt.Println("finishing the key rotation staged earlier")
	}
	start := time.Now()
	res, err := store.FinishKeyRotation(store.RotateOptions{DataDir: *dataDir, Mode: *keyStore, Owners: app.SecretOwners(), KeepOldKey: *keepOld, Logger: log})
	if core.Of(err, core.ErrStoreLocked) {
		if !staged {
			store.CancelKeyRotation(*dataDir)
		}
		return core.ErrKeyRotateRunning.Wrap(err, "dir", *dataDir)
	}
	if err != nil {
		if res.RolledBack {
			fmt.Fprintln(os.Stderr, "the rotation was rolled back; the old key is still in use")
		}
		return err
	}
	where := string(res.Storage)
	if res.Storage == store.KeyInFile {
		where = store.KeyFilePath(*dataDir)
	}
	fmt.Printf("master key rotated in %s; the new key is in %s\n", time.Since(start).Round(time.Millisecond), where)
	if *keepOld != "" {
		fmt.Printf("the old key is in %s (keep it apart; it opens backups made before now)\n", *keepOld)
	}
	fmt.Println("backups made before now need the old key; make a new backup: cloudbridge backup --data " + *dataDir)
	return nil
}
