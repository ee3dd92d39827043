// Package sim emulates the WeLink Open Platform for tests, the --demo mode
// and benchmarks: the server API under /api (same paths, envelopes, codes,
// quotas and paging as WeLink), the browser side (JSAPI script with
// HWH5.getAuthCode, OAuth2 authorize page, scan-login QR page) and a
// control API under /sim for fault injection, grants, visible ranges and
// reading what was sent.
//
// Facts come from ../shared/reference/welink-open-api.md. Where WeLink's
// behaviour is not documented the choice is marked "inferred", and the ones
// a client could depend on are switchable in Options.
package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/welink/sim/orggen"
)

// Options configure an emulator. The zero value is an empty tenant (root
// department only) with WeLink's documented limits.
type Options struct {
	Clock  core.Clock // TTLs, lockouts, quotas, job delays; default system clock
	Logger *slog.Logger

	// Org to load; nil generates one from Users/Depts/Seed when Users > 0.
	Org   *orggen.Org
	Users int
	Depts int
	Seed  int64

	TenantID   string // default derived from Seed
	TenantName string // default "云桥演示科技有限公司"

	TokenTTL     time.Duration // expires_in of app tokens; default 7200 s
	LockAfter    int           // wrong secrets in a row before 41403; default 5 (threshold undocumented)
	LockFor      time.Duration // 41403 duration; default 15 min (undocumented; the OAuth2 lock is 15 min)
	InAppCodeTTL time.Duration // HWH5.getAuthCode codes; default 2 min
	OAuthCodeTTL time.Duration // OAuth2 and scan-login codes; default 5 min
	BatchDelay   time.Duration // async batch jobs finish this long after submission; default 2 s (WeLink publishes no latency: a guess, inferred)
	Limits       Limits

	// Switches for undocumented behaviour (all inferred):

	// ExpiredTokenCode answers calls with an expired or revoked token on
	// contact and other APIs (to-do uses 55014, jstickets 41600). Default 47101.
	ExpiredTokenCode string
	// ClampPaging clamps an oversized pageSize/limit instead of answering
	// 47004.
	ClampPaging bool
	// StrictScope refuses a whole message when any receiver is outside the
	// visible range (51019, nothing delivered). Default: deliver to the
	// others and answer 51019 only when nobody could be reached, otherwise
	// code 0 with failedUserId.
	StrictScope bool
	// ScopeTypeAll is the userScopeType sent for an all-staff range;
	// default "1", ScopeTypeSome for the others, default "2".
	ScopeTypeAll, ScopeTypeSome string
	// OAuthSuccessCode is the code of a successful /oauth2/v1/token answer;
	// default "60001" (WeLink's OAuth2 code list calls it success).
	OAuthSuccessCode string
}

// Limits are the platform quotas the emulator enforces with 48503.
type Limits struct {
	Disabled  bool
	PerSecond int           // per app per API; default 40
	PerMinute int           // per app per API; default 1500
	PerIP     int           // per source IP over all APIs; default 3000
	IPWindow  time.Duration // default 20 s
}

// Server is the emulator. It is an http.Handler; mount it at the root of a
// listener and point the client at <url>/api.
type Server struct {
	opts  Options
	clock core.Clock
	log   *slog.Logger
	mux   *http.ServeMux

	mu      sync.RWMutex
	org     *org
	tenant  tenantInfo
	apps    map[string]*app
	tokens  map[string]*token
	codes   map[string]*authCode
	todos   map[string]map[string]*Todo // clientID → taskId
	msgs    []*Message
	msgByID map[string]*Message
	jobs    map[string]*job
	pending []*job
	current string // the user "logged in" to the emulated WeLink

	visMu sync.Mutex
	vis   map[*app]visEntry

	pendingN  atomic.Int32
	throttled atomic.Int64 // calls refused with 48503 by the quotas
	quota     quotas
	faults    faults
	seq       atomic.Int64
	closing   chan struct{}
	once      sync.Once
}

// New builds an emulator.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = core.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.TokenTTL, 7200*time.Second)
	def(&opts.LockFor, 15*time.Minute)
	def(&opts.InAppCodeTTL, 2*time.Minute)
	def(&opts.OAuthCodeTTL, 5*time.Minute)
	def(&opts.BatchDelay, 2*time.Second)
	if opts.LockAfter <= 0 {
		opts.LockAfter = 5
	}
	if opts.ExpiredTokenCode == "" {
		opts.ExpiredTokenCode = "47101"
	}
	if opts.ScopeTypeAll == "" {
		opts.ScopeTypeAll = "1"
	}
	if opts.ScopeTypeSome == "" {
		opts.ScopeTypeSome = "2"
	}
	if opts.OAuthSuccessCode == "" {
		opts.OAuthSuccessCode = "60001"
	}
	l := &opts.Limits
	if l.PerSecond <= 0 {
		l.PerSecond = 40
	}
	if l.PerMinute <= 0 {
		l.PerMinute = 1500
	}
	if l.PerIP <= 0 {
		l.PerIP = 3000
	}
	def(&l.IPWindow, 20*time.Second)

	s := &Server{
		opts: opts, clock: opts.Clock, log: opts.Logger, mux: http.NewServeMux(),
		apps: map[string]*app{}, tokens: map[string]*token{}, codes: map[string]*authCode{},
		todos: map[string]map[string]*Todo{}, msgByID: map[string]*Message{}, jobs: map[string]*job{},
		closing: make(chan struct{}),
	}
	s.quota.init(opts.Limits, opts.Clock)
	s.faults.init(opts.Seed)
	o := opts.Org
	if o == nil && opts.Users > 0 {
		o = orggen.Generate(orggen.Spec{Users: opts.Users, Depts: opts.Depts, Seed: opts.Seed})
	}
	s.org = newOrg(s.clock)
	if o != nil {
		s.org.load(o)
		if len(o.Users) > 0 {
			s.current = o.Users[0].UserID
		}
	}
	s.tenant = tenantInfo{
		TenantID:      opts.TenantID,
		CompanyNameCn: opts.TenantName,
		CompanyNameEn: "CloudBridge Demo Co., Ltd.",
	}
	if s.tenant.TenantID == "" {
		s.tenant.TenantID = "T" + strconv.FormatUint(uint64(opts.Seed)*2654435761%1e12+1e11, 16)
	}
	if s.tenant.CompanyNameCn == "" {
		s.tenant.CompanyNameCn = "云桥演示科技有限公司"
	}
	s.routes()
	return s
}

// Close releases requests held by "hang" faults.
func (s *Server) Close() { s.once.Do(func() { close(s.closing) }) }

// Throttled counts the calls the quotas refused with 48503.
func (s *Server) Throttled() int64 { return s.throttled.Load() }

// TenantID of the emulated enterprise.
func (s *Server) TenantID() string { return s.tenant.TenantID }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// route is one API of the emulated platform.
type route struct {
	method, path string // path after /api
	grant        string // "" = no permission needed
	auth         bool   // needs x-wlk-Authorization
	numeric      bool   // answers with a numeric code (some contact lists)
	tokenCode    string // code for a bad token; default Options.ExpiredTokenCode / 47101
	h            func(*call)
}

// call is one request being served.
type call struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	rt   *route
	app  *app
	tok  *token
	now  time.Time
	body []byte
}

func (s *Server) api(rt route) {
	rt2 := rt
	pattern := rt.method + " /api" + rt.path
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.serveAPI(w, r, &rt2) })
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rt *route) {
	c := &call{s: s, w: w, r: r, rt: rt, now: s.clock.Now()}
	if !s.faults.apply(c) {
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return
	}
	c.body = b
	if !s.quota.allowIP(clientIP(r)) {
		s.throttled.Add(1)
		c.fail("48503", "接口调用超过限制(IP)", nil)
		return
	}
	if rt.auth {
		tokCode := rt.tokenCode
		if tokCode == "" {
			tokCode = "47101"
		}
		raw := r.Header.Get("x-wlk-Authorization")
		s.mu.RLock()
		t := s.tokens[raw]
		var a *app
		dead := false
		if t != nil {
			a = s.apps[t.clientID]
			dead = t.revoked || !c.now.Before(t.expires)
		}
		s.mu.RUnlock()
		switch {
		case raw == "" || t == nil || a == nil:
			c.fail(tokCode, "Token格式错误", emptyData{Data: []string{}})
			return
		case dead:
			if rt.tokenCode == "" {
				tokCode = s.opts.ExpiredTokenCode
			}
			c.fail(tokCode, "Token已过期", emptyData{Data: []string{}})
			return
		}
		c.tok, c.app = t, a
		if rt.grant != "" && !t.grants[rt.grant] {
			c.fail("501", "第三方接口无权限", nil)
			return
		}
		if !s.quota.allowApp(a.spec.ClientID, rt.method+" "+rt.path) {
			s.throttled.Add(1)
			c.fail("48503", "接口调用超过限制", nil)
			return
		}
	}
	if s.pendingN.Load() > 0 {
		s.settleJobs(c.now)
	}
	rt.h(c)
}

// emptyData renders as "data":[] the way WeLink's token errors do.
type emptyData struct {
	Data []string `json:"data"`
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ok answers code 0 with the fields of payload next to code and message.
func (c *call) ok(message string, payload any) { c.write(http.StatusOK, "0", message, payload) }

// fail answers a business error (HTTP 200, as WeLink does; inferred).
func (c *call) fail(code, message string, payload any) {
	c.write(http.StatusOK, code, message, payload)
}

// write splices payload's JSON object after code and message. Empty fields
// are omitted by the payload types' omitempty tags, as WeLink omits them.
func (c *call) write(status int, code, message string, payload any) {
	var buf bytes.Buffer
	buf.WriteString(`{"code":`)
	if c.rt != nil && c.rt.numeric {
		buf.WriteString(code)
	} else {
		buf.WriteString(strconv.Quote(code))
	}
	buf.WriteString(`,"message":`)
	m, _ := json.Marshal(message)
	buf.Write(m)
	if payload != nil {
		p, err := json.Marshal(payload)
		if err != nil {
			c.s.log.Error("sim: encoding a response", "err", err)
		} else if len(p) > 2 && p[0] == '{' {
			buf.WriteByte(',')
			buf.Write(p[1:])
		} else {
			buf.WriteByte('}')
		}
	} else {
		buf.WriteByte('}')
	}
	c.w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	c.w.WriteHeader(status)
	c.w.Write(buf.Bytes())
}

// decode reads the JSON body; a malformed body is answered with 47004.
func (c *call) decode(v any) bool {
	if len(bytes.TrimSpace(c.body)) == 0 {
		c.fail("47003", "参数为空", nil)
		return false
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		c.fail("47004", "参数不对: "+err.Error(), nil)
		return false
	}
	return true
}

func (c *call) q(key string) string { return strings.TrimSpace(c.r.URL.Query().Get(key)) }

// page reads pageNo/pageSize-style paging. Oversized pages are refused
// with 47004 unless Options.ClampPaging (WeLink's reaction is undocumented).
func (c *call) page(noKey, sizeKey string, def, max int) (int, int, bool) {
	no, size := 1, def
	if v := c.q(noKey); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.fail("47004", "参数不对: "+noKey, nil)
			return 0, 0, false
		}
		no = n
	}
	if v := c.q(sizeKey); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.fail("47004", "参数不对: "+sizeKey, nil)
			return 0, 0, false
		}
		size = n
	}
	if size > max {
		if !c.s.opts.ClampPaging {
			c.fail("47004", "参数不对: "+sizeKey+" 最大 "+strconv.Itoa(max), nil)
			return 0, 0, false
		}
		size = max
	}
	return no, size, true
}

// pageOf slices items for a 1-based page.
func pageOf[T any](items []T, no, size int) []T {
	start := (no - 1) * size
	if start >= len(items) || start < 0 {
		return nil
	}
	return items[start:min(start+size, len(items))]
}

func pages(total, size int) int {
	if total == 0 {
		return 0
	}
	return (total + size - 1) / size
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Server) nextID(prefix string) string {
	return prefix + strconv.FormatInt(s.seq.Add(1), 10)
}

func uuidLike() string {
	id := core.NewToken() // 52 base32 chars of crypto randomness
	h := strings.ToLower(id)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
