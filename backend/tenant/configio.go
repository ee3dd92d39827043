package tenant

import (
	"errors"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
)

// Configuration export/import (backend/configio): corps and their apps,
// without status (verify results) and with the client secrets apart.

// CorpConfig is a corp in a configuration export.
type CorpConfig struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// AppConfig is an app in a configuration export; the secret travels apart.
type AppConfig struct {
	ID       string   `json:"id"`
	CorpID   string   `json:"corpId"`
	Name     string   `json:"name"`
	ClientID string   `json:"clientId"`
	Homepage Homepage `json:"homepage"`
}

// ExportCorps lists the corps (one being deleted is left out).
func ExportCorps(tx *store.Tx) ([]CorpConfig, error) {
	out := []CorpConfig{}
	err := corps.Each(tx, func(c Corp) error {
		if !c.Deleting {
			out = append(out, CorpConfig{ID: c.ID, Name: c.Name})
		}
		return nil
	})
	return out, err
}

// ExportApps lists the apps of the exported corps and, by app id, their
// client secrets in clear (the caller encrypts or drops them).
func ExportApps(db *store.DB, tx *store.Tx) ([]AppConfig, map[string]string, error) {
	out, secrets := []AppConfig{}, map[string]string{}
	err := apps.Each(tx, func(a App) error {
		if c, err := corps.Get(tx, a.CorpID); err != nil || c.Deleting {
			return nil
		}
		out = append(out, AppConfig{ID: a.ID, CorpID: a.CorpID, Name: a.Name, ClientID: a.ClientID, Homepage: a.Homepage})
		s, err := db.Unseal(secretAAD(a.ID), a.Secret)
		if err != nil {
			return err
		}
		if s != "" {
			secrets[a.ID] = s
		}
		return nil
	})
	return out, secrets, err
}

// ImportCorps creates or renames corps by id, with the rules of the UI.
func ImportCorps(tx *store.Tx, in []CorpConfig, now time.Time) error {
	for _, c := range in {
		name, err := cleanName("name", c.Name, 64)
		if err != nil {
			return err
		}
		if c.ID == "" {
			return core.ErrRequired.New("field", "id")
		}
		cur, err := corps.Get(tx, c.ID)
		switch {
		case core.Of(err, core.ErrNotFound):
			cur = Corp{ID: c.ID, CreatedAt: now}
		case err != nil:
			return err
		case cur.Deleting:
			return core.ErrCorpNotFound.New()
		}
		if cur.Name == name {
			continue
		}
		cur.Name, cur.UpdatedAt = name, now
		if err := corps.Put(tx, &cur); err != nil {
			var ue *store.ErrUnique
			if errors.As(err, &ue) {
				return core.ErrCorpNameDuplicate.New("name", name)
			}
			return err
		}
	}
	return nil
}

// ImportApps creates or updates apps by id. A secret in secrets replaces
// the stored one; without one an existing app keeps its secret and a new
// app is created without (the admin enters it in 企业应用).
func ImportApps(db *store.DB, tx *store.Tx, in []AppConfig, secrets map[string]string, now time.Time) error {
	st, err := settings.Load(tx)
	if err != nil {
		return err
	}
	for _, a := range in {
		if a.ID == "" {
			return core.ErrRequired.New("field", "id")
		}
		name, err := cleanName("name", a.Name, 64)
		if err != nil {
			return err
		}
		if a.ClientID == "" || len(a.ClientID) > 128 {
			return core.ErrInvalidInput.New("field", "clientId")
		}
		if c, err := corps.Get(tx, a.CorpID); err != nil || c.Deleting {
			return core.ErrCorpNotFound.New()
		}
		hp, err := cleanHomepage(a.Homepage, st)
		if err != nil {
			return err
		}
		cur, err := apps.Get(tx, a.ID)
		if core.Of(err, core.ErrNotFound) {
			cur = App{ID: a.ID, CreatedAt: now}
		} else if err != nil {
			return err
		}
		changed := cur.CorpID != a.CorpID || cur.Name != name || cur.ClientID != a.ClientID || cur.Homepage != hp
		if s := secrets[a.ID]; s != "" {
			if old, err := db.Unseal(secretAAD(a.ID), cur.Secret); err != nil || old != s {
				if cur.Secret, err = db.Seal(secretAAD(a.ID), s); err != nil {
					return err
				}
				cur.SecretUpdatedAt, changed = now, true
			}
		}
		if !changed {
			continue
		}
		if cur.ClientID != a.ClientID {
			cur.LastVerify = nil
		}
		cur.CorpID, cur.Name, cur.ClientID, cur.Homepage, cur.UpdatedAt = a.CorpID, name, a.ClientID, hp, now
		if err := apps.Put(tx, &cur); err != nil {
			var ue *store.ErrUnique
			if errors.As(err, &ue) {
				return core.ErrInvalidInput.New("field", "clientId")
			}
			return err
		}
	}
	return nil
}

// AppCorp returns the corp of an app in tx (ok false when there is no such
// app, or its corp is being deleted): references in an import are checked
// against it.
func AppCorp(tx *store.Tx, appID string) (corpID string, ok bool, err error) {
	a, err := apps.Get(tx, appID)
	if core.Of(err, core.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	c, err := corps.Get(tx, a.CorpID)
	if err != nil || c.Deleting {
		return "", false, nil
	}
	return a.CorpID, true, nil
}

// CorpExists reports whether a corp (not being deleted) is in tx.
func CorpExists(tx *store.Tx, corpID string) (bool, error) {
	c, err := corps.Get(tx, corpID)
	if core.Of(err, core.ErrNotFound) {
		return false, nil
	}
	return err == nil && !c.Deleting, err
}
