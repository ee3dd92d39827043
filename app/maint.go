package app

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"cloudbridge/backend/backup"
	"cloudbridge/backend/configio"
	"cloudbridge/backend/core"
	"cloudbridge/backend/oaconfig"
	"cloudbridge/backend/relay"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// SecretOwners re-seal every sealed secret for a master key rotation. An
// area that adds a store.Sealed field adds its owner here; a rotation that
// finds a sealed value nobody re-sealed stops (key.rotate_unknown_secret).
func SecretOwners() []store.SecretOwner {
	return []store.SecretOwner{tenant.ResealSecrets, relay.ResealSecrets, oaconfig.ResealSecrets}
}

// applyPending runs, before the store opens, what the admin scheduled for a
// restart from 系统设置 › 备份: a master key rotation, then a restore. Each
// outcome is written for the UI (backup.Notice). A failed restore or a
// rolled-back rotation leaves the current store as it was and the app
// starts; only a state that cannot be told safe stops the start.
func applyPending(cfg Config, log *slog.Logger) error {
	now := time.Now()
	if _, ok, err := store.RotationPending(cfg.DataDir); err != nil {
		return err
	} else if ok {
		start := time.Now()
		res, err := store.FinishKeyRotation(store.RotateOptions{DataDir: cfg.DataDir, Mode: cfg.KeyStore, Owners: SecretOwners(), Logger: log})
		n := backup.Notice{Kind: "rotate", OK: err == nil, At: now.UTC(), RolledBack: res.RolledBack}
		if err != nil {
			n.Error = core.AsError(err)
			log.Error("master key rotation failed", "err", err, "rolledBack", res.RolledBack)
		} else {
			log.Info("master key rotated at start-up", "storage", res.Storage, "took", time.Since(start).Round(time.Millisecond))
		}
		if werr := backup.WriteNotice(cfg.DataDir, n); werr != nil {
			log.Warn("could not record the rotation outcome", "err", werr)
		}
		if err != nil && !res.RolledBack {
			// Still journaled (e.g. the store is locked by another
			// process): the next start tries again.
			return err
		}
	}
	if _, ok := backup.Pending(cfg.DataDir); ok {
		// Moving a store directory another process has open would pull it
		// from under that process: a second start while the first still
		// runs must not apply the restore.
		if key, _, err := store.LoadKey(cfg.DataDir, cfg.KeyStore); err == nil {
			db, err := store.Open(store.Options{Dir: filepath.Join(cfg.DataDir, "db"), Key: key, Logger: log})
			if core.Of(err, core.ErrStoreLocked) {
				return err
			}
			if err == nil {
				db.Close()
			}
		}
	}
	p, kept, applied, err := backup.ApplyStaged(cfg.DataDir, now, func(dbDir string) error {
		key, _, err := store.LoadKey(cfg.DataDir, cfg.KeyStore)
		if err != nil {
			return err
		}
		db, err := store.Open(store.Options{Dir: dbDir, Key: key, Logger: log})
		if err != nil {
			return err
		}
		return db.Close()
	})
	if !applied {
		return nil
	}
	n := backup.Notice{Kind: "restore", OK: err == nil, At: now.UTC(), Source: p.Source, Created: p.Created, AppVersion: p.AppVersion}
	if kept != "" {
		n.Kept = filepath.Base(kept)
	}
	if err != nil {
		n.Error = core.AsError(err)
		log.Error("restore failed; the previous store is in place", "file", p.Source, "err", err)
	} else {
		log.Info("restored at start-up", "file", p.Source, "created", p.Created, "kept", kept)
	}
	if werr := backup.WriteNotice(cfg.DataDir, n); werr != nil {
		log.Warn("could not record the restore outcome", "err", werr)
	}
	return nil
}

// restartSoon closes the app and starts the process again, after the bound
// call that asked for it has answered.
func (a *App) restartSoon() {
	go func() {
		time.Sleep(400 * time.Millisecond)
		a.log.Warn("restarting to apply the scheduled maintenance", "mode", restartMode())
		if err := a.Close(); err != nil {
			a.log.Warn("close before restart", "err", err)
		}
		if err := restartProcess(); err != nil {
			// Nothing left to serve with: exit non-zero so a service
			// manager starts us again; the pending work waits for it.
			a.log.Error("restart failed; start CloudBridge again to finish", "err", err)
			os.Exit(75)
		}
	}()
}

// adminPasswordExtra carries the admin password hash in a configuration
// export with secrets (it lives here, out of configio's reach).
func adminPasswordExtra() configio.Extra {
	return configio.Extra{
		Name: "admin",
		Export: func(tx *store.Tx) (json.RawMessage, bool, error) {
			r, ok, err := adminPassword.Get(tx)
			if err != nil || !ok {
				return nil, false, err
			}
			b, err := json.Marshal(r)
			return b, true, err
		},
		Import: func(tx *store.Tx, v json.RawMessage) error {
			var r passwordRecord
			if err := json.Unmarshal(v, &r); err != nil || len(r.Hash) != 32 || len(r.Salt) < 16 ||
				r.Time == 0 || r.Time > 10 || r.Memory < 8*1024 || r.Memory > 1<<20 || r.Threads == 0 || r.Threads > 16 {
				return core.ErrInvalidInput.New("field", "admin")
			}
			return adminPassword.Put(tx, &r)
		},
	}
}
