package oaconfig

import (
	"strings"
	"time"

	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// Configuration export/import (backend/configio): the OA connection, its
// secrets apart. Secret names: tokenKey, appSecret, oauth2Secret.

// ExportConfig returns the stored OA connection without secrets, and the
// secrets in clear by name; ok is false when none is configured.
func ExportConfig(db *store.DB, tx *store.Tx) (cfg oa.Config, secrets map[string]string, ok bool, err error) {
	st, ok, err := record.Get(tx)
	if err != nil || !ok {
		return oa.Config{}, nil, false, err
	}
	secrets = map[string]string{}
	for _, f := range []struct {
		name string
		v    store.Sealed
		aad  string
	}{{"tokenKey", st.TokenKey, aadTokenKey}, {"appSecret", st.AppSecret, aadAppSecret}, {"oauth2Secret", st.OAuth2Secret, aadOAuth2}} {
		s, err := db.Unseal(f.aad, f.v)
		if err != nil {
			return oa.Config{}, nil, false, err
		}
		if s != "" {
			secrets[f.name] = s
		}
	}
	return blankSecrets(st.Config), secrets, true, nil
}

// ImportConfig validates and stores an OA connection like SaveOA: a secret
// given replaces the stored one, a missing one keeps it.
func ImportConfig(db *store.DB, tx *store.Tx, in oa.Config, secrets map[string]string, now time.Time) error {
	in.BaseURL = strings.TrimRight(strings.TrimSpace(in.BaseURL), "/")
	in.MobileBaseURL = strings.TrimRight(strings.TrimSpace(in.MobileBaseURL), "/")
	in = blankSecrets(in)
	st, _, err := record.Get(tx)
	if err != nil {
		return err
	}
	check := in
	for _, f := range []struct {
		dst   *store.Sealed
		name  string
		plain *string
		aad   string
	}{{&st.TokenKey, "tokenKey", &check.Auth.TokenKey, aadTokenKey}, {&st.AppSecret, "appSecret", &check.Auth.AppSecret, aadAppSecret}, {&st.OAuth2Secret, "oauth2Secret", &check.OAuth2.ClientSecret, aadOAuth2}} {
		if p := strings.TrimSpace(secrets[f.name]); p != "" {
			if *f.dst, err = db.Seal(f.aad, p); err != nil {
				return err
			}
		}
		// Validation sees the secret that will be in force.
		if *f.plain, err = db.Unseal(f.aad, *f.dst); err != nil {
			return err
		}
	}
	if err := validate(check); err != nil {
		return err
	}
	if in.Kind != st.Config.Kind || in.BaseURL != st.Config.BaseURL {
		st.LastTest = nil
	}
	st.Config, st.UpdatedAt = in, now.UTC()
	return record.Put(tx, &st)
}
