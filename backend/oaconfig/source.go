// Package oaconfig holds the installation's OA connection (seed: the OA side
// of every flow): which connector, its address and credentials (secrets
// sealed, write-only), the connection test, and the OA snapshot refresh that
// sync, binding and the push relay read from the local directory.
package oaconfig

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// stored is the OA config at rest: the plain config with its secrets
// blanked, and the secrets sealed beside it.
type stored struct {
	Config       oa.Config    `json:"config"`
	TokenKey     store.Sealed `json:"tokenKey,omitempty"`
	AppSecret    store.Sealed `json:"appSecret,omitempty"`
	OAuth2Secret store.Sealed `json:"oauth2Secret,omitempty"`
	LastTest     *TestResult  `json:"lastTest,omitempty"`
	UpdatedAt    time.Time    `json:"updatedAt"`
}

// TestResult is the last "test connection" outcome.
type TestResult struct {
	At     time.Time      `json:"at"`
	Report *oa.TestReport `json:"report,omitempty"`
	Error  *core.Error    `json:"error,omitempty"`
}

var record = store.NewSingleton[stored]("oa.config")

const (
	aadTokenKey  = "oa/auth/tokenKey"
	aadAppSecret = "oa/auth/appSecret"
	aadOAuth2    = "oa/oauth2/clientSecret"
)

// Source builds the configured connector and keeps it while the config is
// unchanged, so an ec/dev token or E10 access token is reused.
type Source struct {
	db     *store.DB
	demo   *oa.Config // demo mode: the built-in emulator, whatever is stored
	deps   oa.Deps
	config *store.Memo[configured] // every SSO hand-off asks for the connector
	mu     sync.Mutex
	conn   oa.Connector
	built  [32]byte
}

type configured struct {
	cfg oa.Config
	ok  bool
}

// NewSource wires the source. demo, when set, replaces the stored config.
func NewSource(db *store.DB, demo *oa.Config, clock core.Clock, log *slog.Logger) *Source {
	// SSO hand-offs call the OA concurrently: keep their connections (and
	// TLS sessions) instead of the default two idle ones per host.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 128
	s := &Source{db: db, demo: demo, deps: oa.Deps{
		HTTP: &http.Client{Timeout: oa.DefaultTimeout, Transport: tr}, Clock: clock, Logger: log.With("component", "oa"),
		State: &sealedState{db: db},
	}}
	s.config = store.NewMemo(db, s.load, record)
	return s
}

// Demo reports whether the demo emulator is in use.
func (s *Source) Demo() bool { return s.demo != nil }

// Config returns the effective config with secrets filled in (never send
// it to the UI).
func (s *Source) Config() (oa.Config, bool, error) {
	if s.demo != nil {
		return *s.demo, true, nil
	}
	c, err := s.config.Get()
	return c.cfg, c.ok, err
}

func (s *Source) load(tx *store.Tx) (configured, error) {
	st, ok, err := record.Get(tx)
	if err != nil || !ok {
		return configured{}, err
	}
	cfg := st.Config
	for _, f := range []struct {
		dst *string
		v   store.Sealed
		aad string
	}{{&cfg.Auth.TokenKey, st.TokenKey, aadTokenKey}, {&cfg.Auth.AppSecret, st.AppSecret, aadAppSecret}, {&cfg.OAuth2.ClientSecret, st.OAuth2Secret, aadOAuth2}} {
		if *f.dst, err = s.db.Unseal(f.aad, f.v); err != nil {
			return configured{}, err
		}
	}
	return configured{cfg, true}, nil
}

// Connector returns the configured OA connector, or oa.not_configured.
func (s *Source) Connector(ctx context.Context) (oa.Connector, error) {
	cfg, ok, err := s.Config()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, core.ErrOANotConfigured.New()
	}
	raw, _ := json.Marshal(cfg)
	sum := sha256.Sum256(raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil && sum == s.built {
		return s.conn, nil
	}
	conn, err := oa.New(cfg, s.deps)
	if err != nil {
		return nil, err
	}
	s.conn, s.built = conn, sum
	return conn, nil
}

// sealedState keeps connector state (the ec/dev spk and secrit) sealed in
// the store, so the handshake survives restarts without leaking.
type sealedState struct{ db *store.DB }

type stateRecord struct {
	ID    string       `json:"id"`
	Value store.Sealed `json:"value"`
}

var states = store.NewCollection("oa.state", func(r *stateRecord) string { return r.ID })

func stateID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return encodeHex(sum[:16])
}

func (s *sealedState) Get(_ context.Context, key string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *store.Tx) error {
		r, err := states.Get(tx, stateID(key))
		if core.Of(err, core.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err := s.db.Unseal("oa/state/"+key, r.Value)
		out = []byte(v)
		return err
	})
	return out, err
}

func (s *sealedState) Put(_ context.Context, key string, value []byte) error {
	sealed, err := s.db.Seal("oa/state/"+key, string(value))
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *store.Tx) error {
		return states.Put(tx, &stateRecord{ID: stateID(key), Value: sealed})
	})
}

func encodeHex(b []byte) string {
	const hex = "0123456789abcdef"
	out := make([]byte, len(b)*2)
	for i, c := range b {
		out[i*2], out[i*2+1] = hex[c>>4], hex[c&15]
	}
	return string(out)
}
