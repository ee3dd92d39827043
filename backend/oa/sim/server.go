// Package sim emulates a Weaver e-cology 9 OA (and just enough of E10) for
// tests, the product's --demo mode and `cloudbridge sim ecology`.
//
// It follows shared/reference/oa-ecology.md. Where the reference is silent
// (error bodies, message texts, lifetimes) the emulator makes a choice,
// marked "guess:" in a comment, and the connector in backend/oa must cope
// with it and with reasonable alternatives.
//
// Emulated: HRM REST paging (/api/hrm/resful/*WithPage, form or JSON body,
// string ids, totalSize, empty page past the end, canceled and modified
// filters), the three HRM auth modes (IP allow-list, key+ts, ec/dev
// token), /api/ec/dev/auth/regist + applytoken (RSA), checkLogin with an
// optional RSA variant and a lockout counter, /ssologin/getToken and pages
// that accept ssoToken, /sso/oauth2.0/*, paService's to-do list, and an OFS
// pusher that sends what the stock push class sends. Emulator-only control
// endpoints live under /_sim/.
package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"cloudbridge/backend/core"
)

// Demo credentials (the product's --demo mode and `cloudbridge sim ecology`).
const (
	// DemoPassword is the OA password of the demo users zhangsan, lisi,
	// wangwu, zhaoliu, sunqi (left: refused) and wujiu.
	DemoPassword = "demo123"
	// DemoAdminPassword is sysadmin's OA password.
	DemoAdminPassword = "admin123"
	// DefaultPassword is the password of every generated user (u000100 …).
	DefaultPassword = "1234"
	// DemoTokenKey is the HRM key+ts token key (hrm_webservice_config.jsp).
	DemoTokenKey = "cloudbridge-demo-key"
	// DemoAppID is the ec/dev appid registered in ECOLOGY_BIZ_EC.
	DemoAppID = "8d1a1f4c-6c1e-4c5b-9b4a-0c6e2b7c1d01"
	// DemoSSOAppID is the ssologin appid (WeaverLoginClient.properties),
	// allowed from any IP in the demo.
	DemoSSOAppID = "cloudbridge"
	// DemoOFSSysCode is the syscode the OFS pusher sends.
	DemoOFSSysCode = "cloudbridge"
	// DemoOAuthClientID / DemoOAuthClientSecret are an OAuth2 client of
	// /sso/oauth2.0 (and, in E10 mode, /papi/sso/oauth2.0).
	DemoOAuthClientID     = "cloudbridge"
	DemoOAuthClientSecret = "cloudbridge-oauth-secret"
	// DemoE10CorpID / DemoE10AppKey / DemoE10AppSecret: the E10 open-platform app.
	DemoE10CorpID    = "demo-corp"
	DemoE10AppKey    = "demo-app-key"
	DemoE10AppSecret = "demo-app-secret"
)

// HRM auth modes the emulator can require (any enabled one suffices).
const (
	AuthIP    = "ip"
	AuthKey   = "key"
	AuthECDev = "ecdev"
)

// Options configure a Server. The zero value is a small org that accepts
// every auth mode with the demo credentials.
type Options struct {
	Users int   // people in the org (about; default 30, at most 100k)
	Seed  int64 // same seed, same org
	Clock core.Clock
	// PublicURL is the emulator's own base URL, used in the links the OFS
	// pusher sends. Set it (or call SetPublicURL) once the listener is up.
	PublicURL string

	// AuthModes enabled for the HRM REST API; nil = all three.
	AuthModes []string
	// AllowedIPs for AuthIP (HrmWebserviceIP.properties); nil = loopback.
	AllowedIPs []string
	TokenKey   string   // AuthKey; "" = DemoTokenKey
	AppIDs     []string // ec/dev appids; nil = [DemoAppID]

	// SSOApps maps a ssologin appid to the caller IP allowed to use it
	// ("*" = any); nil = {DemoSSOAppID: "*"}.
	SSOApps map[string]string
	// SSOTokenTTL: guess: the real lifetime is undocumented; 60 s default.
	SSOTokenTTL time.Duration
	// SSOTokenReusable: guess: single use by default (the safe reading).
	SSOTokenReusable bool

	// RSALogin makes checkLogin require RSA-encrypted fields.
	RSALogin bool
	// LockoutAfter wrong passwords lock an account for LockoutFor
	// (defaults 5 and 30 min).
	LockoutAfter int
	LockoutFor   time.Duration

	// OAuth2Clients maps client_id → secret; nil = the demo client.
	OAuth2Clients map[string]string

	// OFS pusher: where to push, which syscode, and how persons are
	// rendered (hrmtransrule: "loginid" (default), "id", "workcode", "email").
	OFSReceiverURL string
	OFSSysCode     string
	OFSPersonRule  string
	OFSClient      *http.Client

	E10 E10Options

	// LoginPageSnippet is raw HTML added to the OA login page (e.g. the
	// bridge's QR login iframe, as a customer would customise it).
	LoginPageSnippet string

	Logger *slog.Logger
}

// Fault makes matching requests fail, for error-path tests.
type Fault struct {
	Path   string        // request path prefix
	Status int           // HTTP status to answer (0 = 500)
	Body   string        // answer body
	Delay  time.Duration // wait before answering (or before the real handler, if Status is -1)
	Times  int           // how many requests to hit; 0 = until ClearFaults
	Abort  bool          // close the connection without an answer
}

// Server is the emulator; it is an http.Handler.
type Server struct {
	opts  Options
	clock core.Clock
	log   *slog.Logger
	mux   *http.ServeMux

	mu        sync.Mutex
	org       *Org
	faults    []*Fault
	hits      map[string]int
	ecdev     map[string]*ecdevReg // appid → current registration
	tokens    map[string]ecdevToken
	sessions  map[string]*session
	ssoTokens map[string]ssoToken
	failures  map[int]*loginFailures
	captcha   bool
	codes     map[string]oauthCode // OAuth2 codes
	access    map[string]oauthAccess
	requests  map[int]*Request
	nextReq   int
	pushes    []Push
	e10       *e10State
	publicURL string
}

// New builds an emulator.
func New(opts Options) *Server {
	if opts.Users <= 0 {
		opts.Users = 30
	}
	opts.Users = min(opts.Users, 100_000)
	if opts.Clock == nil {
		opts.Clock = core.SystemClock{}
	}
	if opts.AuthModes == nil {
		opts.AuthModes = []string{AuthIP, AuthKey, AuthECDev}
	}
	if opts.AllowedIPs == nil {
		opts.AllowedIPs = []string{"127.0.0.1", "::1"}
	}
	if opts.TokenKey == "" {
		opts.TokenKey = DemoTokenKey
	}
	if opts.AppIDs == nil {
		opts.AppIDs = []string{DemoAppID}
	}
	if opts.SSOApps == nil {
		opts.SSOApps = map[string]string{DemoSSOAppID: "*"}
	}
	if opts.SSOTokenTTL <= 0 {
		opts.SSOTokenTTL = time.Minute
	}
	if opts.LockoutAfter <= 0 {
		opts.LockoutAfter = 5
	}
	if opts.LockoutFor <= 0 {
		opts.LockoutFor = 30 * time.Minute
	}
	if opts.OAuth2Clients == nil {
		opts.OAuth2Clients = map[string]string{DemoOAuthClientID: DemoOAuthClientSecret}
	}
	if opts.OFSSysCode == "" {
		opts.OFSSysCode = DemoOFSSysCode
	}
	if opts.OFSPersonRule == "" {
		opts.OFSPersonRule = "loginid"
	}
	if opts.OFSClient == nil {
		opts.OFSClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.E10 = opts.E10.withDefaults()
	s := &Server{opts: opts, clock: opts.Clock, log: opts.Logger,
		org: generateOrg(opts.Users, opts.Seed), hits: map[string]int{}, ecdev: map[string]*ecdevReg{},
		tokens: map[string]ecdevToken{}, sessions: map[string]*session{}, ssoTokens: map[string]ssoToken{},
		failures: map[int]*loginFailures{}, codes: map[string]oauthCode{}, access: map[string]oauthAccess{},
		requests: map[int]*Request{}, nextReq: 1000, e10: newE10State(), publicURL: strings.TrimRight(opts.PublicURL, "/")}
	s.seedRequests()
	s.routes()
	return s
}

// Demo is the emulator of the product's --demo mode: the fixed demo org
// (see the User* and Dept* constants) plus about 40 generated people,
// every auth mode open with the Demo* credentials.
func Demo() *Server {
	return New(Options{Users: 50, Seed: 1})
}

func (s *Server) routes() {
	m := http.NewServeMux()
	for _, p := range []string{pathSubcompanies, pathDepartments, pathUsers, pathJobTitles} {
		m.HandleFunc("POST "+p, s.handleHRM)
	}
	m.HandleFunc("POST /api/ec/dev/auth/regist", s.handleRegist)
	m.HandleFunc("POST /api/ec/dev/auth/applytoken", s.handleApplyToken)
	m.HandleFunc("POST /api/hrm/login/checkLogin", s.handleCheckLogin)
	m.HandleFunc("GET /rsa/weaver.rsa.GetRsaInfo", s.handleRSAInfo)
	m.HandleFunc("POST /ssologin/getToken", s.handleSSOToken)
	m.HandleFunc("POST /api/workflow/paService/getToDoWorkflowRequestList", s.handleTodoList)
	m.HandleFunc("/sso/oauth2.0/authorize", s.handleOAuthAuthorize)
	m.HandleFunc("/sso/oauth2.0/accessToken", s.handleOAuthToken)
	m.HandleFunc("GET /sso/oauth2.0/profile", s.handleOAuthProfile)
	m.HandleFunc("GET /wui/", s.handlePage)
	m.HandleFunc("GET /spa/", s.handlePage)
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/wui/index.html", http.StatusFound)
	})
	s.e10Routes(m)
	s.controlRoutes(m)
	s.mux = m
}

// ServeHTTP applies faults, counts the request and routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	var f *Fault
	for i, cand := range s.faults {
		if strings.HasPrefix(r.URL.Path, cand.Path) {
			f = cand
			if cand.Times > 0 {
				cand.Times--
				if cand.Times == 0 {
					s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
				}
			}
			break
		}
	}
	s.mu.Unlock()
	if f != nil {
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Abort {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if f.Status != -1 {
			st := f.Status
			if st == 0 {
				st = http.StatusInternalServerError
			}
			w.WriteHeader(st)
			_, _ = w.Write([]byte(f.Body))
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// AddFault installs a fault; faults match in the order added.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Hits counts requests to path since the start.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// SetPublicURL sets the emulator's own base URL (for pushed links).
func (s *Server) SetPublicURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publicURL = strings.TrimRight(u, "/")
}

// SetOFSReceiver points the OFS pusher at a receiver base URL (the
// "serverurl" of ofs_sendinfo); "" stops pushing.
func (s *Server) SetOFSReceiver(url, syscode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.OFSReceiverURL = strings.TrimRight(url, "/")
	if syscode != "" {
		s.opts.OFSSysCode = syscode
	}
}

// SetCaptcha makes checkLogin ask for a captcha (as after repeated failures
// on some installations).
func (s *Server) SetCaptcha(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.captcha = on
}

// Org returns a copy of the org chart.
func (s *Server) Org() Org {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Org{Subcompanies: append([]Subcompany(nil), s.org.Subcompanies...),
		Departments: append([]Department(nil), s.org.Departments...),
		Users:       append([]User(nil), s.org.Users...),
		JobTitles:   append([]JobTitle(nil), s.org.JobTitles...)}
}

// UpdateUser changes a user (Modified becomes now); false if unknown.
func (s *Server) UpdateUser(id int, fn func(*User)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.org.Users {
		if s.org.Users[i].ID == id {
			fn(&s.org.Users[i])
			s.org.Users[i].Modified = s.clock.Now()
			return true
		}
	}
	return false
}

// UpdateDepartment changes a department (Modified becomes now).
func (s *Server) UpdateDepartment(id int, fn func(*Department)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.org.Departments {
		if s.org.Departments[i].ID == id {
			fn(&s.org.Departments[i])
			s.org.Departments[i].Modified = s.clock.Now()
			return true
		}
	}
	return false
}

// AddUser adds a person (ID 0 = next free id) and returns its id.
func (s *Server) AddUser(u User) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		for _, x := range s.org.Users {
			u.ID = max(u.ID, x.ID)
		}
		u.ID++
	}
	now := s.clock.Now()
	u.Created, u.Modified = now, now
	s.org.Users = append(s.org.Users, u)
	return u.ID
}

func (s *Server) userByLogin(login string) *User {
	if login == "" {
		return nil
	}
	for i := range s.org.Users {
		// guess: e-cology compares login ids case-insensitively.
		if strings.EqualFold(s.org.Users[i].LoginID, login) {
			return &s.org.Users[i]
		}
	}
	return nil
}

func (s *Server) userByID(id int) *User {
	for i := range s.org.Users {
		if s.org.Users[i].ID == id {
			return &s.org.Users[i]
		}
	}
	return nil
}

// Run serves an emulator with users people on addr until ctx ends (the
// `cloudbridge sim ecology` subcommand). Credentials are the Demo* ones.
func Run(ctx context.Context, addr string, users int, seed int64) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s := New(Options{Users: users, Seed: seed, AllowedIPs: []string{"*"}})
	host := ln.Addr().String()
	if h, p, err := net.SplitHostPort(host); err == nil && (h == "::" || h == "0.0.0.0" || h == "") {
		host = net.JoinHostPort("127.0.0.1", p)
	}
	s.SetPublicURL("http://" + host)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.log.Info("e-cology 9 emulator listening", "url", "http://"+host, "users", len(s.org.Users),
		"tokenKey", DemoTokenKey, "appid", DemoAppID, "ssoAppId", DemoSSOAppID, "demoPassword", DemoPassword)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// ---- helpers ---------------------------------------------------------------

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func clientIP(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

func ipAllowed(list []string, ip string) bool {
	for _, a := range list {
		if a == "*" || a == ip {
			return true
		}
	}
	return false
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(baseTime.Location()).Format("2006-01-02 15:04:05")
}

func fmtOrder(f float64) string { return fmt.Sprintf("%.1f", f) }
