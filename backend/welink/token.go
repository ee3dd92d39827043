package welink

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"cloudbridge/backend/core"
)

// lockCooldown is how long the client stops asking for a token after WeLink
// answered 41403. WeLink does not publish the lock duration; its OAuth2
// service locks for 15 minutes (60009), so the same is assumed (inferred).
const lockCooldown = 15 * time.Minute

// App is one WeLink light app as seen by the client.
type App struct {
	c  *Client
	id string

	mu          sync.Mutex
	secret      string
	gen         uint64 // bumped when the secret changes; stale fetches are discarded
	tok         string
	refreshAt   time.Time
	rejected    bool      // 10007 for the current secret: stop until it changes
	lockedUntil time.Time // 41403 seen
	issuedAt    time.Time // when the cached token was fetched

	sf singleflight.Group

	lmu      sync.Mutex
	limiters map[string]*apiLimiter
}

// ClientID of the app.
func (a *App) ClientID() string { return a.id }

// TokenInfo is what a verification shows.
type TokenInfo struct {
	ExpiresIn int           // seconds, as WeLink said
	Elapsed   time.Duration // round trip of the token request
}

// Token returns a cached access token, fetching one when needed. Concurrent
// callers share one fetch; the token is renewed expires_in−300 s after issue.
func (a *App) Token(ctx context.Context) (string, error) {
	t, _, err := a.currentToken(ctx)
	return t, err
}

// token also reports whether the token was fetched during this call.
func (a *App) currentToken(ctx context.Context) (string, bool, error) {
	a.mu.Lock()
	if err := a.stopErr(); err != nil {
		a.mu.Unlock()
		return "", false, err
	}
	if a.tok != "" && a.c.clock.Now().Before(a.refreshAt) {
		t := a.tok
		a.mu.Unlock()
		return t, false, nil
	}
	gen := a.gen
	a.mu.Unlock()
	ch := a.sf.DoChan(strconv.FormatUint(gen, 10), func() (any, error) {
		// The fetch is shared: one caller giving up must not fail the others.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		t, _, err := a.fetchToken(fctx, gen)
		return t, err
	})
	select {
	case <-ctx.Done():
		return "", false, ctxError(ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return "", false, r.Err
		}
		return r.Val.(string), true, nil
	}
}

// Verify always asks WeLink for a new token (POST /auth/v2/tickets) and
// keeps it. After a rejected secret it refuses without calling WeLink.
func (a *App) Verify(ctx context.Context) (TokenInfo, error) {
	a.mu.Lock()
	err := a.stopErr()
	gen := a.gen
	a.mu.Unlock()
	if err != nil {
		return TokenInfo{}, err
	}
	start := time.Now()
	_, exp, err := a.fetchToken(ctx, gen)
	if err != nil {
		return TokenInfo{}, err
	}
	return TokenInfo{ExpiresIn: exp, Elapsed: time.Since(start)}, nil
}

// ResetToken forgets the cached token, e.g. after permissions were granted
// in the WeLink console (they apply to new tokens only).
func (a *App) ResetToken() {
	a.mu.Lock()
	a.tok, a.refreshAt = "", time.Time{}
	a.mu.Unlock()
}

// stopErr is the error returned without calling WeLink. Caller holds a.mu.
func (a *App) stopErr() error {
	if a.rejected {
		return core.ErrWeLinkLocked.New("code", CodeWrongSecret)
	}
	if a.c.clock.Now().Before(a.lockedUntil) {
		return apiError(CodeLocked, "", "POST /auth/v2/tickets", nil)
	}
	return nil
}

func (a *App) fetchToken(ctx context.Context, gen uint64) (string, int, error) {
	a.mu.Lock()
	secret := a.secret
	a.mu.Unlock()
	var out struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   FlexInt `json:"expires_in"`
	}
	r := newReq("POST", "/auth/v2/tickets")
	r.noAuth, r.idempotent = true, true
	r.body = map[string]string{"client_id": a.id, "client_secret": secret}
	err := a.do(ctx, r, &out)
	if err == nil && out.AccessToken == "" {
		err = core.ErrWeLinkNetwork.New("reason", "WeLink returned no access_token")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen {
		// The secret changed while this request ran: its outcome says
		// nothing about the new secret.
		if err != nil {
			return "", 0, err
		}
		return out.AccessToken, int(out.ExpiresIn), nil
	}
	if err != nil {
		a.noteAuthError(err)
		return "", 0, err
	}
	exp := time.Duration(out.ExpiresIn) * time.Second
	if exp <= 0 {
		// No expires_in: assume the shortest lifetime the docs mention
		// (1800 s); a token that dies sooner comes back as 47101 and is
		// replaced then.
		exp = 1800 * time.Second
	}
	life := exp - 5*time.Minute // WeLink's advice: cache for expires_in − 300 s
	if exp <= 10*time.Minute {
		life = exp / 2 // short-lived tokens (tests, odd tenants) still get reused
	}
	a.tok = out.AccessToken
	a.issuedAt = a.c.clock.Now()
	a.refreshAt = a.issuedAt.Add(life)
	return out.AccessToken, int(out.ExpiresIn), nil
}

// noteAuthError stops further token requests after a rejected secret or a
// lockout. Caller holds a.mu.
func (a *App) noteAuthError(err error) {
	switch CodeOf(err) {
	case CodeWrongSecret:
		a.rejected = true
		a.c.log.Warn("welink rejected the client secret; stopping until it changes", "app", a.id)
	case CodeLocked:
		a.lockedUntil = a.c.clock.Now().Add(lockCooldown)
	}
}

// dropToken forgets tok if it is still the cached one.
func (a *App) dropToken(tok string) {
	a.mu.Lock()
	if a.tok == tok {
		a.tok, a.refreshAt = "", time.Time{}
	}
	a.mu.Unlock()
}

// grantRefetchAge: a token at least this old may predate a permission the
// admin has just granted (grants apply to new tokens only), so a 501 with it
// is worth one new token. Younger tokens already saw the current grants;
// this bounds the extra token calls of a really missing permission to one
// a minute.
const grantRefetchAge = time.Minute

// first501 decides whether a 501 seen with tok is worth a new token.
func (a *App) first501(tok string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if tok != a.tok {
		return true // already replaced by a newer token: just try that one
	}
	return a.c.clock.Now().Sub(a.issuedAt) >= grantRefetchAge
}
