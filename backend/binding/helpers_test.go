package binding

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/store"
)

var t0 = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newOA starts the e-cology 9 emulator over HTTP and returns a connector.
func newOA(t testing.TB) (oa.Connector, *oasim.Server) {
	t.Helper()
	s := oasim.Demo()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	s.SetPublicURL(ts.URL)
	c, err := oa.New(oa.Config{Kind: oa.KindEcology9, BaseURL: ts.URL, PageSize: 100, RetryBase: time.Millisecond,
		Auth: oa.AuthConfig{Mode: oa.AuthNone}, SSO: oa.SSOConfig{AppID: oasim.DemoSSOAppID},
		OAuth2: oa.OAuth2Config{ClientID: oasim.DemoOAuthClientID, ClientSecret: oasim.DemoOAuthClientSecret}},
		oa.Deps{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// loadOA pulls the emulator's org into the snapshot, as oaconfig.RefreshSnapshot does.
func loadOA(t testing.TB, db *store.DB, c oa.Connector) *oa.Org {
	t.Helper()
	org, err := c.PullOrg(context.Background(), oa.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, db, func(tx *store.Tx) error {
		for i := range org.Users {
			if err := directory.OAUsers.Put(tx, &org.Users[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return org
}

func mustUpdate(t testing.TB, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func putUsers(t testing.TB, db *store.DB, users ...directory.User) {
	t.Helper()
	mustUpdate(t, db, func(tx *store.Tx) error {
		for i := range users {
			if err := directory.Users.Put(tx, &users[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func wantKind(t testing.TB, err error, k core.Kind) {
	t.Helper()
	if !core.Of(err, k) {
		t.Fatalf("error = %v, want %s", err, k.Code)
	}
}

func auditOf(t testing.TB, db *store.DB, corpID string) []AuditEntry {
	t.Helper()
	var out []AuditEntry
	db.View(func(tx *store.Tx) error {
		return audits.Each(tx, func(e AuditEntry) error {
			if e.CorpID == corpID {
				out = append(out, e)
			}
			return nil
		})
	})
	return out
}
