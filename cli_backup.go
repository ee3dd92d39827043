package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"cloudbridge/app"
	"cloudbridge/backend/backup"
	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// runBackup makes one backup of a stopped installation (`cloudbridge backup`).
// Badger admits one process per store: while the app runs, the admin backs
// up from 系统设置 › 备份 instead.
func runBackup(args []string) error {
	fl := flag.NewFlagSet("cloudbridge backup", flag.ContinueOnError)
	dataDir := fl.String("data", app.DefaultDataDir(), "data directory of the stopped installation")
	keyStore := fl.String("key-store", "auto", "where the master key lives: auto, file or keyring")
	if err := fl.Parse(args); err != nil {
		return err
	}
	key, _, err := store.LoadKey(*dataDir, *keyStore)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := store.Open(store.Options{Dir: *dataDir + "/db", Key: key, Logger: log})
	if core.Of(err, core.ErrStoreLocked) {
		return core.ErrBackupStoreRunning.Wrap(err, "dir", *dataDir)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	var st backup.Settings
	if err := db.View(func(tx *store.Tx) error { var e error; st, e = backup.LoadSettings(tx); return e }); err != nil {
		return err
	}
	inf, err := backup.Create(db, backup.Dir(*dataDir), time.Now(), version)
	if err != nil {
		return err
	}
	gone, err := backup.Prune(backup.Dir(*dataDir), st.Keep)
	if err != nil {
		return err
	}
	fmt.Printf("backup written: %s (%d bytes)\n", inf.Path, inf.Size)
	if len(gone) > 0 {
		fmt.Printf("older backups removed (keeping %d): %s\n", st.Keep, strings.Join(gone, ", "))
	}
	fmt.Println("restoring it needs this installation's master key (key file or OS keyring).")
	return nil
}

// runRestore replaces the store of a stopped installation with a backup
// (`cloudbridge restore FILE --data DIR`).
func runRestore(args []string) error {
	fl := flag.NewFlagSet("cloudbridge restore", flag.ContinueOnError)
	dataDir := fl.String("data", app.DefaultDataDir(), "data directory of the stopped installation")
	keyStore := fl.String("key-store", "auto", "where the master key lives: auto, file or keyring")
	keyFile := fl.String("key-file", "", "master.key of the installation the backup came from (restore on a new machine)")
	file := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	if file == "" && fl.NArg() > 0 {
		file = fl.Arg(0)
	}
	if file == "" {
		return errors.New("restore: name the backup file: cloudbridge restore FILE --data DIR")
	}
	if _, err := os.Stat(file); err != nil {
		return core.ErrBackupNotFound.Wrap(err, "name", file)
	}
	var key []byte
	var err error
	if *keyFile != "" {
		key, err = store.ReadKeyFile(*keyFile)
	} else {
		key, _, err = store.LoadKey(*dataDir, *keyStore)
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	res, err := backup.Restore(file, *dataDir, key, time.Now(), log)
	if core.Of(err, core.ErrBackupForeignKey) && *keyFile == "" {
		fmt.Fprintln(os.Stderr, "hint: restoring on another machine? pass that installation's key file: --key-file /path/to/master.key")
	}
	if err != nil {
		return err
	}
	if p, ok := backup.Pending(*dataDir); ok {
		// A restore scheduled in the UI would replace this one at the next
		// start: this command is the admin's later word.
		if err := backup.Discard(*dataDir); err != nil {
			return err
		}
		fmt.Printf("dropped the restore from %s that was scheduled in the UI\n", p.Source)
	}
	if *keyFile != "" {
		// The restored store needs that key from now on: install it as this
		// data directory's key file (an existing key file wins at start-up,
		// so a mismatching one is reported instead of replaced).
		wrote, err := store.InstallKeyFile(*dataDir, key)
		if err != nil {
			return err
		}
		if wrote {
			fmt.Printf("installed the master key as %s\n", store.KeyFilePath(*dataDir))
		} else if have, err := store.ReadKeyFile(store.KeyFilePath(*dataDir)); err != nil || string(have) != string(key) {
			fmt.Fprintf(os.Stderr, "warning: %s holds a different master key; replace it with %s before starting CloudBridge\n", store.KeyFilePath(*dataDir), *keyFile)
		}
	}
	fmt.Printf("restored %s (made %s by CloudBridge %s, schema %d) into %s\n",
		file, res.Header.Created.Local().Format(time.DateTime), res.Header.AppVersion, res.Header.Schema, res.DBDir)
	if res.Kept != "" {
		fmt.Printf("the previous store is kept at %s (delete it once the restored one checks out)\n", res.Kept)
	}
	return nil
}
