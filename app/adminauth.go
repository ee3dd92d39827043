package app

import (
	"crypto/rand"
	"crypto/subtle"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// Admin login for the headless admin UI. The desktop window needs none: it
// is the logged-in OS user's own process.
//
// The password is stored as argon2id (OWASP's minimum profile: 19 MiB, 2
// passes), sessions live in memory (a restart signs everyone out), and
// repeated failures lock the login with a doubling delay.

const (
	minPasswordLen = 10
	sessionTTL     = 12 * time.Hour
	freeFailures   = 5
	maxLockout     = 15 * time.Minute
)

type passwordRecord struct {
	Hash    []byte    `json:"hash"`
	Salt    []byte    `json:"salt"`
	Time    uint32    `json:"time"`
	Memory  uint32    `json:"memoryKiB"`
	Threads uint8     `json:"threads"`
	SetAt   time.Time `json:"setAt"`
}

var adminPassword = store.NewSingleton[passwordRecord]("admin.password")

type AdminAuth struct {
	db    *store.DB
	clock core.Clock

	mu          sync.Mutex
	sessions    map[string]time.Time
	failures    int
	lockedUntil time.Time
}

func NewAdminAuth(db *store.DB, clock core.Clock) *AdminAuth {
	return &AdminAuth{db: db, clock: clock, sessions: map[string]time.Time{}}
}

func (a *AdminAuth) PasswordSet() (bool, error) {
	var ok bool
	err := a.db.View(func(tx *store.Tx) error { var e error; _, ok, e = adminPassword.Get(tx); return e })
	return ok, err
}

func hashPassword(pw string, salt []byte) passwordRecord {
	r := passwordRecord{Salt: salt, Time: 2, Memory: 19 * 1024, Threads: 1}
	r.Hash = argon2.IDKey([]byte(pw), salt, r.Time, r.Memory, r.Threads, 32)
	return r
}

// Setup sets the first password and returns a session token. It is refused
// once a password exists (changing it needs the old one: ChangePassword).
func (a *AdminAuth) Setup(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < minPasswordLen {
		return "", core.ErrAdminPasswordWeak.New("min", strconv.Itoa(minPasswordLen))
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	rec := hashPassword(pw, salt)
	rec.SetAt = a.clock.Now().UTC()
	err := a.db.Update(func(tx *store.Tx) error {
		if _, ok, err := adminPassword.Get(tx); err != nil || ok {
			if ok {
				return core.ErrAdminPasswordSet.New()
			}
			return err
		}
		return adminPassword.Put(tx, &rec)
	})
	if err != nil {
		return "", err
	}
	return a.newSession(), nil
}

// Login checks the password and returns a session token.
func (a *AdminAuth) Login(pw string) (string, error) {
	now := a.clock.Now()
	a.mu.Lock()
	if now.Before(a.lockedUntil) {
		wait := a.lockedUntil.Sub(now)
		a.mu.Unlock()
		return "", core.ErrAdminLockedOut.New("seconds", strconv.Itoa(int(wait.Seconds())+1))
	}
	a.mu.Unlock()
	var rec passwordRecord
	var ok bool
	if err := a.db.View(func(tx *store.Tx) error { var e error; rec, ok, e = adminPassword.Get(tx); return e }); err != nil {
		return "", err
	}
	if !ok {
		return "", core.ErrAdminSetupRequired.New()
	}
	got := argon2.IDKey([]byte(pw), rec.Salt, rec.Time, rec.Memory, rec.Threads, uint32(len(rec.Hash)))
	a.mu.Lock()
	defer a.mu.Unlock()
	if subtle.ConstantTimeCompare(got, rec.Hash) != 1 {
		a.failures++
		if a.failures >= freeFailures {
			d := time.Duration(30<<min(a.failures-freeFailures, 5)) * time.Second
			a.lockedUntil = now.Add(min(d, maxLockout))
		}
		return "", core.ErrAdminLoginFailed.New()
	}
	a.failures = 0
	return a.newSessionLocked(), nil
}

func (a *AdminAuth) newSession() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.newSessionLocked()
}

func (a *AdminAuth) newSessionLocked() string {
	tok := core.NewToken()
	a.sessions[tok] = a.clock.Now().Add(sessionTTL)
	return tok
}

// Valid reports whether a session token is live, sliding its expiry.
func (a *AdminAuth) Valid(tok string) bool {
	if tok == "" {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.sessions[tok]
	now := a.clock.Now()
	if !ok || now.After(exp) {
		delete(a.sessions, tok)
		return false
	}
	a.sessions[tok] = now.Add(sessionTTL)
	return true
}

func (a *AdminAuth) Logout(tok string) {
	a.mu.Lock()
	delete(a.sessions, tok)
	a.mu.Unlock()
}
