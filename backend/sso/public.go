package sso

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
)

// Lifetimes. WeLink's own codes live 2 min (JSAPI) and 5 min (OAuth2).
const (
	FlowTTL         = 10 * time.Minute // homepage open → OA (the binding form takes a while)
	TicketTTL       = 2 * time.Minute  // one-time tickets (QR desktop, custom links)
	QRTTL           = 2 * time.Minute  // an unscanned QR; the page renews it before
	QRScannedTTL    = 5 * time.Minute  // scanned, waiting for the phone to finish
	codeMemory      = 6 * time.Minute  // longer than any WeLink code lives
	longPoll        = 25 * time.Second // desktop status wait, under common proxy timeouts
	cookieName      = "cb_sso"
	maxCodeLen      = 2000 // WeLink's OAuth2 limit (60002)
	maxLiveFlows    = 50000
	maxLiveQR       = 20000
	jsapiTimeout    = 5 * time.Second
	DefaultJSAPIURL = "https://open-doc.welink.huaweicloud.com/docs/jsapi/2.0.9/hwh5-cloudonline.js"
	ticketParam     = "cb_ticket"
	redeemPath      = "/sso/ticket/verify"
	callbackPath    = "/sso/callback"
)

// WebEndpoints are where browsers reach WeLink.
type WebEndpoints struct {
	LoginURL string // OAuth2 authorize host, e.g. https://login.welink.huaweicloud.com
	JSAPIURL string // hwh5-cloudonline.js
}

// Limits are per client IP token buckets.
type Limits struct {
	PerMinute int // refill; 0 = 60
	Burst     int // 0 = 30
	// QRPerMinute bounds QR sessions per IP: a whole office behind one NAT
	// opens the login page, so it is generous; 0 = 240.
	QRPerMinute int
}

// Options wire the public side.
type Options struct {
	DB        *store.DB
	Tenant    *tenant.Service
	WeLink    func() *welink.Client
	WeLinkWeb func() WebEndpoints
	// OA returns the configured connector; OAURLs its base URLs (PC and
	// mobile), used to refuse links to other hosts and to allow the OA
	// login page to frame the QR.
	OA     func(ctx context.Context) (oa.Connector, error)
	OAURLs func() []string
	Clock  core.Clock
	Log    *slog.Logger
	Limits Limits
}

// Public serves the pages WeLink users and the OA login page reach. Flow,
// QR and ticket state is in memory only: it lives minutes, and a restart
// simply asks the user to open the app again.
type Public struct {
	ctx  context.Context
	o    Options
	key  []byte // signs tickets and CSRF tokens; per process
	lim  *limiter
	qlim *limiter
	// Every request reads these; memos decode them once per change.
	settings *store.Memo[settings.Settings]
	apps     *tenant.AppCache
	// The rendered auth page per language, app and address (renderAuth).
	authPages     sync.Map
	authPageCount atomic.Int64

	mu      sync.Mutex
	flows   map[string]*flow
	qrs     map[string]*qrSession
	codes   map[string]time.Time // sha256(code) → forget after
	tickets map[string]*ticket
	teams   map[string]teamEntry // appID → WeLink tenant name
}

// New builds the bound Service (扫码登录 settings) and the public handlers.
func New(ctx context.Context, o Options) (*Service, *Public) {
	if o.Clock == nil {
		o.Clock = core.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.Log = o.Log.With("service", "sso")
	if o.Limits.PerMinute <= 0 {
		o.Limits.PerMinute = 60
	}
	if o.Limits.Burst <= 0 {
		o.Limits.Burst = 30
	}
	if o.Limits.QRPerMinute <= 0 {
		o.Limits.QRPerMinute = 240
	}
	if o.WeLinkWeb == nil {
		o.WeLinkWeb = func() WebEndpoints { return WebEndpoints{LoginURL: welink.DefaultLoginURL, JSAPIURL: DefaultJSAPIURL} }
	}
	if o.OAURLs == nil {
		o.OAURLs = func() []string { return nil }
	}
	key := make([]byte, 32)
	rand.Read(key)
	p := &Public{ctx: ctx, o: o, key: key,
		lim:      newLimiter(o.Clock, o.Limits.PerMinute, o.Limits.Burst),
		qlim:     newLimiter(o.Clock, o.Limits.QRPerMinute, o.Limits.QRPerMinute/2),
		settings: settings.Memo(o.DB), apps: tenant.NewAppCache(o.DB),
		flows: map[string]*flow{}, qrs: map[string]*qrSession{}, codes: map[string]time.Time{}, tickets: map[string]*ticket{}}
	go p.janitor()
	s := &Service{ctx: ctx, db: o.DB, tenant: o.Tenant, clock: o.Clock, log: o.Log, oaURLs: o.OAURLs}
	return s, p
}

// Register adds the public routes (server.Server.Handle fits).
func (p *Public) Register(handle func(pattern string, h http.Handler)) {
	hf := func(pattern string, f func(http.ResponseWriter, *http.Request)) { handle(pattern, http.HandlerFunc(f)) }
	hf("GET /sso/{app}/{kind}", p.limited(p.open))
	hf("GET /sso/f/{flow}/auth", p.limited(p.authPage))
	hf("POST /sso/f/{flow}/code", p.limited(p.postCode))
	hf("GET /sso/f/{flow}/oauth", p.limited(p.oauthStart))
	hf("GET "+callbackPath, p.limited(p.oauthCallback))
	hf("GET /sso/f/{flow}/bind", p.limited(p.bindPage))
	hf("POST /sso/f/{flow}/bind", p.limited(p.bindSubmit))
	hf("GET /sso/f/{flow}/confirm", p.limited(p.confirmPage))
	hf("POST /sso/f/{flow}/confirm", p.limited(p.confirmSubmit))
	hf("POST "+redeemPath, p.limited(p.redeem))
	hf("GET /qr/login.js", p.loginJS)
	hf("GET /qr/frame", p.framePage)
	hf("POST /qr/api/new", p.qrNew)
	hf("POST /qr/api/status", p.qrStatus)
	hf("POST /qr/enter", p.limited(p.qrEnter))
	hf("GET /qr/s/{id}", p.limited(p.qrScan))
}

// ---- flows -----------------------------------------------------------------

type flow struct {
	id, browser, csrf string
	kind              string // "home" | "qr"
	appID, corpID     string
	mobile            bool
	target            string
	qrID              string
	expires           time.Time
	welinkUserID      string // set once identified
	welinkName        string
	wlUser            *directory.User
	bound             *binding.Binding
}

func (p *Public) now() time.Time { return p.o.Clock.Now() }

func hash(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// browserID returns the browser's nonce cookie, setting a new one when
// absent. Flows remember its hash: a flow id (the OAuth2 state) is worth
// nothing in another browser.
func (p *Public) browserID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(cookieName); err == nil && len(c.Value) >= 40 && len(c.Value) <= 64 {
		return c.Value
	}
	v := core.NewToken()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: v, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r, p.publicBase(r))})
	return v
}

func isHTTPS(r *http.Request, base string) bool {
	return r.TLS != nil || strings.HasPrefix(base, "https://")
}

func (p *Public) newFlow(w http.ResponseWriter, r *http.Request, f *flow) (*flow, error) {
	f.id, f.csrf = core.NewToken(), core.NewToken()
	f.browser = hash(p.browserID(w, r))
	f.expires = p.now().Add(FlowTTL)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.flows) >= maxLiveFlows {
		return nil, core.ErrSSOBusy.New()
	}
	p.flows[f.id] = f
	return f, nil
}

// flowFor finds the flow named in the URL (or the OAuth2 state) and checks
// it belongs to this browser and is still alive.
func (p *Public) flowFor(r *http.Request, id string) (*flow, error) {
	c, err := r.Cookie(cookieName)
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.flows[id]
	switch {
	case id == "" || f == nil:
		return nil, core.ErrSSOStateInvalid.New()
	case err != nil || !hmac.Equal([]byte(hash(c.Value)), []byte(f.browser)):
		return nil, core.ErrSSOStateInvalid.New()
	case !p.now().Before(f.expires):
		delete(p.flows, id)
		return nil, core.ErrSSOFlowExpired.New()
	}
	return f, nil
}

func (p *Public) endFlow(f *flow) {
	p.mu.Lock()
	delete(p.flows, f.id)
	p.mu.Unlock()
}

func (p *Public) checkCSRF(r *http.Request, f *flow) error {
	if !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(f.csrf)) {
		return core.ErrSSOCSRF.New()
	}
	return nil
}

// ---- one-time codes and tickets ---------------------------------------------

// useCode remembers a WeLink code so a replay is refused here, without a
// WeLink call (WeLink refuses it too: codes are single use).
func (p *Public) useCode(code string) error {
	h := hash(code)
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, seen := p.codes[h]; seen {
		return core.ErrSSOCodeReplayed.New()
	}
	p.codes[h] = p.now().Add(codeMemory)
	return nil
}

type ticket struct {
	id, kind, qrID string
	appID, corpID  string
	welinkUserID   string
	oaUser         oa.User
	expires        time.Time
}

// issueTicket returns "<id>.<mac>": opaque, signed (forgeries are refused
// without a lookup), single use, TicketTTL.
func (p *Public) issueTicket(t *ticket) string {
	t.id = core.NewToken()
	t.expires = p.now().Add(TicketTTL)
	p.mu.Lock()
	p.tickets[t.id] = t
	p.mu.Unlock()
	return t.id + "." + p.mac("ticket|"+t.kind+"|"+t.id)
}

func (p *Public) mac(s string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// takeTicket consumes a ticket of the given kind.
func (p *Public) takeTicket(tok, kind string) (*ticket, error) {
	id, sig, ok := strings.Cut(tok, ".")
	if !ok || id == "" || !hmac.Equal([]byte(sig), []byte(p.mac("ticket|"+kind+"|"+id))) {
		return nil, core.ErrSSOTicketInvalid.New()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.tickets[id]
	delete(p.tickets, id)
	if t == nil || t.kind != kind || !p.now().Before(t.expires) {
		return nil, core.ErrSSOTicketExpired.New()
	}
	return t, nil
}

// janitor forgets what has expired.
func (p *Public) janitor() {
	tk := time.NewTicker(30 * time.Second)
	defer tk.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-tk.C:
			p.sweep()
		}
	}
}

func (p *Public) sweep() {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, f := range p.flows {
		if !now.Before(f.expires) {
			delete(p.flows, k)
		}
	}
	for k, exp := range p.codes {
		if !now.Before(exp) {
			delete(p.codes, k)
		}
	}
	for k, t := range p.tickets {
		if !now.Before(t.expires) {
			delete(p.tickets, k)
		}
	}
	for k, q := range p.qrs {
		if !now.Before(q.expires.Add(time.Minute)) { // a minute more to answer "expired"
			delete(p.qrs, k)
		}
	}
	p.lim.sweep()
	p.qlim.sweep()
}

// ---- helpers ---------------------------------------------------------------

func (p *Public) publicBase(r *http.Request) string {
	if st, err := p.settings.Get(); err == nil && st.PublicBaseURL != "" {
		return st.PublicBaseURL
	}
	// Not configured yet: answer on the address the browser used. The
	// admin sets the real one before pasting homepage URLs into WeLink.
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// local is a path on this listener as the browser must see it: behind a
// reverse proxy that publishes it under a prefix (public base URL
// "https://host/cloudbridge"), the prefix comes first.
func (p *Public) local(r *http.Request, path string) string {
	if u, err := url.Parse(p.publicBase(r)); err == nil {
		return strings.TrimRight(u.Path, "/") + path
	}
	return path
}

// clientIP is the peer address; behind a local reverse proxy (loopback or
// private peer) the last X-Forwarded-For hop is the client.
func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if h, _, ok := strings.Cut(host, "]:"); ok && strings.HasPrefix(h, "[") {
		host = h[1:]
	} else if i := strings.LastIndexByte(host, ':'); i > 0 && strings.Count(host, ":") == 1 {
		host = host[:i]
	}
	if isPrivate(host) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if last := strings.TrimSpace(parts[len(parts)-1]); last != "" {
				return last
			}
		}
	}
	return host
}

func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && strings.EqualFold(ua.Host, ub.Host) && ua.Host != ""
}

func origin(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// welinkApp is the WeLink client of an app, with its stored credentials.
func (p *Public) welinkApp(appID string) (*welink.App, error) {
	cr, err := p.apps.Credentials(appID)
	if err != nil {
		return nil, err
	}
	return p.o.WeLink().App(cr), nil
}
