// Package welink is the client of the Huawei WeLink Open Platform: token
// cache per app, WeLink's call quotas, retries, and typed endpoints for auth,
// contacts (query and sync), messages and to-dos. Facts come from
// ../shared/reference/welink-open-api.md; every guess is marked "inferred".
package welink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloudbridge/backend/core"
)

const (
	DefaultBaseURL  = "https://open.welink.huaweicloud.com/api"
	DefaultLoginURL = "https://login.welink.huaweicloud.com"
	maxBody         = 64 << 20
)

// Options configure a Client. The zero value talks to the real WeLink with
// its real quotas.
type Options struct {
	BaseURL string       // default DefaultBaseURL
	HTTP    *http.Client // default: 10 s timeout per call
	Clock   core.Clock   // token lifetimes; default core.SystemClock{}
	Limits  Limits       // zero value = WeLink's real quotas
	Retry   Retry        // zero value = defaults below
	Logger  *slog.Logger // default: discard
	// LoginURL is the host of the browser-facing login pages (OAuth2
	// authorize, scan-login QR). Default DefaultLoginURL; the emulator
	// serves them on its own address.
	LoginURL string
}

// Retry shapes backoff on 48503, 5xx and timeouts.
type Retry struct {
	Attempts   int           // tries per call including the first; 0 = 5
	Base       time.Duration // first backoff; doubles per attempt, full jitter; 0 = 500 ms
	Max        time.Duration // cap of one backoff; 0 = 20 s
	PauseAfter int           // consecutive 48503 on one app×API before pausing it; 0 = 3
	Pause      time.Duration // how long that app×API is paused; 0 = 60 s (the longest quota window)
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 5
	}
	if r.Base <= 0 {
		r.Base = 500 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = 20 * time.Second
	}
	if r.PauseAfter <= 0 {
		r.PauseAfter = 3
	}
	if r.Pause <= 0 {
		r.Pause = time.Minute
	}
	return r
}

// Client is safe for concurrent use. One Client stands for one source IP:
// the per-IP quota is shared by all its apps.
type Client struct {
	base, login string
	hc          *http.Client
	clock       core.Clock
	limits      Limits
	retry       Retry
	log         *slog.Logger
	ip          ipLimiter

	mu   sync.Mutex
	apps map[string]*App
}

func New(opts Options) *Client {
	c := &Client{
		base:   strings.TrimRight(opts.BaseURL, "/"),
		login:  strings.TrimRight(opts.LoginURL, "/"),
		hc:     opts.HTTP,
		clock:  opts.Clock,
		limits: opts.Limits.withDefaults(),
		retry:  opts.Retry.withDefaults(),
		log:    opts.Logger,
		apps:   map[string]*App{},
	}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if c.login == "" {
		c.login = DefaultLoginURL
	}
	if c.hc == nil {
		// Keep enough idle connections for concurrent readers and SSO
		// logins: the default two per host would redo a TLS handshake for
		// most calls.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 128
		c.hc = &http.Client{Timeout: 10 * time.Second, Transport: tr}
	}
	if c.clock == nil {
		c.clock = core.SystemClock{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.ip.win = newWindow(c.limits.PerIP, c.limits.IPWindow+c.limits.Margin)
	return c
}

// BaseURL is the API base the client talks to.
func (c *Client) BaseURL() string { return c.base }

// LoginURL is the host of WeLink's browser login pages.
func (c *Client) LoginURL() string { return c.login }

// Credentials identify a WeLink light app.
type Credentials struct{ ClientID, ClientSecret string }

// App returns the handle of one WeLink app, cached per ClientID. Passing a
// different secret for a known ClientID drops its token and lifts the stop
// that a rejected secret (10007) put on it.
func (c *Client) App(cr Credentials) *App {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.apps[cr.ClientID]
	if a == nil {
		a = &App{c: c, id: cr.ClientID, secret: cr.ClientSecret, limiters: map[string]*apiLimiter{}}
		c.apps[cr.ClientID] = a
		return a
	}
	a.mu.Lock()
	if a.secret != cr.ClientSecret {
		a.secret = cr.ClientSecret
		a.gen++
		a.tok, a.refreshAt = "", time.Time{}
		a.rejected, a.lockedUntil = false, time.Time{}
	}
	a.mu.Unlock()
	return a
}

// Forget drops the cached handle of an app (deleted in the UI).
func (c *Client) Forget(clientID string) {
	c.mu.Lock()
	delete(c.apps, clientID)
	c.mu.Unlock()
}

// req describes one API call.
type req struct {
	api    string // quota key and error label: "GET /contact/v2/user/list"
	method string
	path   string
	query  url.Values
	body   any    // JSON body
	form   string // form body instead of JSON
	noAuth bool
	// extraToken is sent instead of the app token (legacy user tickets).
	extraToken string
	// idempotent calls are retried after timeouts and 5xx; others only when
	// WeLink surely did not act (48503, connection refused).
	idempotent bool
	okCodes    []string // codes that mean success here besides "0"
	// status receives the HTTP status; some endpoints answer errors with 400.
	status *int
}

func newReq(method, path string) *req {
	return &req{api: method + " " + path, method: method, path: path, idempotent: method == http.MethodGet}
}

type envelope struct {
	Code         *Code    `json:"code"`
	Message      string   `json:"message"`
	ErrorCode    *Code    `json:"errorCode"`
	Errcode      *Code    `json:"errcode"`
	ErrorMessage string   `json:"errorMessage"`
	FailedUserID []string `json:"failedUserId"`
}

// code reads the business code; "errorCode"/"errcode" are looked at only
// when "code" is absent (shapes seen in third-party callers, inferred).
func (e *envelope) code() (string, string) {
	msg := e.Message
	if msg == "" {
		msg = e.ErrorMessage
	}
	switch {
	case e.Code != nil:
		return string(*e.Code), msg
	case e.ErrorCode != nil:
		return string(*e.ErrorCode), msg
	case e.Errcode != nil:
		return string(*e.Errcode), msg
	}
	return "", msg
}

// do runs one call: token, quota, send, decode, retry. out receives the
// whole response body (envelope fields included) on success.
func (a *App) do(ctx context.Context, r *req, out any) error {
	c := a.c
	lim := a.limiter(r.api)
	tokenRetried := false
	for attempt := 1; ; attempt++ {
		tok, fresh := r.extraToken, false
		if !r.noAuth {
			var err error
			if tok, fresh, err = a.currentToken(ctx); err != nil {
				return err
			}
		}
		sent, err := c.wait(ctx, lim)
		if err != nil {
			return ctxError(err)
		}
		status, body, err := c.send(ctx, r, tok)
		if r.status != nil {
			*r.status = status
		}
		last := attempt >= c.retry.Attempts
		if err != nil {
			err = stripURL(err, r.api)
			if ctx.Err() != nil {
				return ctxError(ctx.Err())
			}
			if (r.idempotent || notSent(err)) && !last {
				c.log.Warn("welink call failed, retrying", "api", r.api, "attempt", attempt, "err", err)
				if err := sleep(ctx, c.backoff(attempt)); err != nil {
					return ctxError(err)
				}
				continue
			}
			return core.ErrWeLinkNetwork.Wrap(err, "reason", netReason(err))
		}
		var env envelope
		if jerr := json.Unmarshal(body, &env); jerr != nil {
			// Not JSON: a proxy page or a bare HTTP error. The Java SDK
			// turns a non-200 into {code: <status>}; 5xx is retried.
			if status >= 500 && r.idempotent && !last {
				if err := sleep(ctx, c.backoff(attempt)); err != nil {
					return ctxError(err)
				}
				continue
			}
			if status != http.StatusOK {
				if status >= 500 {
					return core.ErrWeLinkNetwork.Wrap(errors.New(http.StatusText(status)), "reason", "HTTP "+strconv.Itoa(status))
				}
				return apiError(strconv.Itoa(status), http.StatusText(status), r.api, nil)
			}
			return core.ErrWeLinkNetwork.Wrap(jerr, "reason", "invalid response from WeLink")
		}
		code, msg := env.code()
		if code == "" && status != http.StatusOK {
			code = strconv.Itoa(status)
		}
		if code == CodeRateLimited {
			a.note48503(lim, sent)
			c.log.Warn("welink quota hit (48503)", "api", r.api, "attempt", attempt)
			if !last {
				if err := sleep(ctx, c.backoff(attempt)); err != nil {
					return ctxError(err)
				}
				continue
			}
			return apiError(code, msg, r.api, nil)
		}
		a.clear48503(lim)
		if code == "" || code == CodeOK || contains(r.okCodes, code) {
			if out != nil {
				if err := json.Unmarshal(body, out); err != nil {
					var te *json.UnmarshalTypeError
					if !errors.As(err, &te) {
						return core.ErrWeLinkNetwork.Wrap(err, "reason", "invalid response from WeLink")
					}
					// A field of an unexpected type stays empty; the rest of
					// the record is kept (absent = empty).
					c.log.Warn("welink field of unexpected type ignored", "api", r.api, "field", te.Field, "value", te.Value)
				}
			}
			return nil
		}
		if !r.noAuth && !tokenRetried && !fresh && (tokenInvalidCodes[code] || code == CodePermissionDenied && a.first501(tok)) {
			// A token WeLink no longer accepts, or one issued before a
			// permission was granted (grants apply to new tokens only):
			// fetch a new one and try once more.
			a.dropToken(tok)
			tokenRetried = true
			attempt--
			continue
		}
		if (code == CodeSystemError || status >= 500) && r.idempotent && !last {
			if err := sleep(ctx, c.backoff(attempt)); err != nil {
				return ctxError(err)
			}
			continue
		}
		return apiError(code, msg, r.api, env.FailedUserID)
	}
}

func (c *Client) send(ctx context.Context, r *req, tok string) (int, []byte, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	ctype := ""
	switch {
	case r.form != "":
		body, ctype = strings.NewReader(r.form), "application/x-www-form-urlencoded"
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return 0, nil, err
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	hr, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return 0, nil, err
	}
	hr.Header.Set("Accept-Charset", "UTF-8")
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if tok != "" {
		hr.Header.Set("x-wlk-Authorization", tok)
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, b, nil
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.Base << (attempt - 1)
	if d > c.retry.Max || d <= 0 {
		d = c.retry.Max
	}
	// Full jitter, never below half the step so that a retry storm thins out.
	return d/2 + rand.N(d/2+1)
}

func (a *App) limiter(api string) *apiLimiter {
	a.lmu.Lock()
	defer a.lmu.Unlock()
	l := a.limiters[api]
	if l == nil {
		m := a.c.limits.Margin
		l = &apiLimiter{sec: newWindow(a.c.limits.PerSecond, time.Second+m), min: newWindow(a.c.limits.PerMinute, time.Minute+m)}
		a.limiters[api] = l
	}
	return l
}

// note48503 counts a refusal. Calls that were already under way when the
// previous refusal came back belong to the same round and count once, so a
// burst of concurrent calls meeting one full window does not look like a
// persistent shortage.
func (a *App) note48503(l *apiLimiter, sent time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refused++
	if sent.After(l.last48503) {
		l.streak++
	}
	l.last48503 = time.Now()
	if l.streak >= a.c.retry.PauseAfter {
		// Repeated 48503 means someone else shares the quota (another
		// system on this client_id or this IP): stop asking for a while.
		l.pausedUntil = time.Now().Add(a.c.retry.Pause)
		l.streak = 0
		a.c.log.Warn("welink quota exhausted, pausing this API", "app", a.id, "pause", a.c.retry.Pause)
	}
}

func (a *App) clear48503(l *apiLimiter) {
	l.mu.Lock()
	l.streak = 0
	l.mu.Unlock()
}

// Calls reports how many requests this app sent, per API.
func (a *App) Calls() map[string]int64 {
	a.lmu.Lock()
	defer a.lmu.Unlock()
	m := make(map[string]int64, len(a.limiters))
	for k, l := range a.limiters {
		l.mu.Lock()
		if l.calls > 0 {
			m[k] = l.calls
		}
		l.mu.Unlock()
	}
	return m
}

// stripURL drops the URL from a transport error: its query may hold a
// login code, which must not reach the logs.
func stripURL(err error, api string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", api, ue.Err)
	}
	return err
}

// notSent tells errors where the request surely never reached WeLink, so
// even a non-idempotent call may be repeated.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// netReason is a short text safe to show in the UI.
func netReason(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return "DNS lookup failed for " + dns.Name
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &op) && op.Op == "dial":
		return "connection refused or unreachable"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server"
	case strings.Contains(err.Error(), "certificate"), strings.Contains(err.Error(), "tls:"):
		return "TLS handshake failed"
	}
	return "network error"
}

func ctxError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return core.ErrWeLinkNetwork.Wrap(err, "reason", "timeout")
	}
	return core.ErrWeLinkNetwork.Wrap(err, "reason", "cancelled")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
