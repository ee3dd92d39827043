// Package oa talks to the customer's OA: Weaver e-cology 9 (REST), E10 (open
// API) or an Excel/CSV export for any other OA. One Connector interface, three
// implementations, chosen per installation. The package also parses the OFS
// to-do protocol that e-cology pushes to the bridge (ofs.go).
//
// Facts about e-cology come from shared/reference/oa-ecology.md. Every guess
// about OA behaviour is marked "guess:" in a comment next to the code that
// relies on it, so a field test knows what to check.
package oa

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloudbridge/backend/core"
)

// Connector kinds (Config.Kind).
const (
	KindEcology9 = "ecology9"
	KindE10      = "e10"
	KindFile     = "file"
)

// Connector is one OA. Every method is safe for concurrent use.
type Connector interface {
	// Kind is KindEcology9, KindE10 or KindFile.
	Kind() string
	// PullOrg reads the org chart. A full pull (opts.Since zero) reads every
	// page of every list and fails as a whole if any page fails, so a
	// partial read can never look like mass deletions. An incremental pull
	// (opts.Since set) returns only records changed since then and cannot
	// see deletions (Org.Full is false).
	PullOrg(ctx context.Context, opts PullOptions) (*Org, error)
	// CheckPassword verifies an OA account and password (self-service
	// binding). Errors: core.ErrOABadCredentials, ErrOALocked, ErrOACaptcha,
	// ErrOAAccountDisabled, ErrOANotSupported (E10, file).
	CheckPassword(ctx context.Context, loginID, password string) (User, error)
	// SSOURL returns a URL that opens target in the OA already logged in as
	// u (e-cology: /ssologin/getToken + ssoToken). The URL carries a fresh
	// token: hand it to the browser at once, do not store it.
	SSOURL(ctx context.Context, u User, target Target) (string, error)
	// Test pulls one page of each list and reports counts and timings.
	Test(ctx context.Context) (TestReport, error)
}

// IdentityProvider is implemented by connectors that can let a user log in
// at the OA's own OAuth2 page, so that binding never handles a password
// (e-cology 9 and E10). Both methods return core.ErrOAConfig while
// Config.OAuth2 has no client id/secret.
type IdentityProvider interface {
	// AuthorizeURL is where the browser goes; the OA redirects back to
	// redirectURI with ?code=…&state=….
	AuthorizeURL(state, redirectURI string) (string, error)
	// Exchange turns the code into the OA user who logged in.
	Exchange(ctx context.Context, code, redirectURI string) (User, error)
}

// TodoLister is implemented by connectors that can list a user's pending
// workflow items (e-cology 9 paService, ec/dev auth), for reconciling the
// push relay when the OA dropped a push.
type TodoLister interface {
	PendingTodos(ctx context.Context, userID string, page, pageSize int) ([]PendingTodo, error)
}

// Config selects and configures one connector. Secrets are plain fields
// here; the caller keeps them encrypted at rest and never logs Config.
type Config struct {
	Kind string `json:"kind"`
	// BaseURL is the OA root, e.g. "http://oa.example.com:8080" (no path).
	BaseURL string `json:"baseUrl"`
	// MobileBaseURL is the OA address phones reach, when it differs from
	// BaseURL (e.g. an external reverse proxy). Empty = BaseURL.
	MobileBaseURL string     `json:"mobileBaseUrl,omitempty"`
	Auth          AuthConfig `json:"auth"`

	// PageSize per list call; 0 = DefaultPageSize.
	PageSize int `json:"pageSize,omitempty"`
	// PageDelay is a pause between pages, to be gentle with a busy OA.
	// Zero = no pause; the settings UI proposes DefaultPageDelay.
	PageDelay time.Duration `json:"pageDelay,omitempty"`
	// Retries of a failed call (network error, 502/503/504); 0 = DefaultRetries,
	// negative = none. RetryBase is the first back-off (doubling, capped at
	// 30 s); 0 = 1 s.
	Retries   int           `json:"retries,omitempty"`
	RetryBase time.Duration `json:"retryBase,omitempty"`
	// Timeout of one HTTP call; 0 = DefaultTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// IncrementalOverlap is subtracted from PullOptions.Since against clock
	// skew between bridge and OA; 0 = DefaultOverlap, negative = none.
	IncrementalOverlap time.Duration `json:"incrementalOverlap,omitempty"`

	SSO    SSOConfig    `json:"sso"`
	Login  LoginConfig  `json:"login"`
	OAuth2 OAuth2Config `json:"oauth2"`
	E10    E10Config    `json:"e10"`
	File   FileConfig   `json:"file"`
}

// Defaults, with the reason for each.
const (
	// DefaultPageSize: the peer default (org.dromara.ecology) and small
	// enough that one page of users with custom fields stays well under
	// a megabyte.
	DefaultPageSize = 200
	// DefaultPageDelay: the peer default between pages; 100k users at 200
	// per page then cost 150 s of pauses, acceptable for a nightly job.
	DefaultPageDelay = 300 * time.Millisecond
	// DefaultRetries: two retries with exponential back-off, as the peers.
	DefaultRetries = 2
	// DefaultTimeout: e-cology answers a 200-user page in well under a
	// second; 30 s tolerates a database that is busy with a nightly job.
	DefaultTimeout = 30 * time.Second
	// DefaultOverlap: the peer default for `modified` pulls (300 s).
	DefaultOverlap = 300 * time.Second
)

// Auth modes of the e-cology 9 HRM REST API (the OA admin picks one).
const (
	AuthNone  = "none"  // caller IP is on the OA's allow-list (HrmWebserviceIP.properties)
	AuthKey   = "key"   // key = UPPER(MD5(tokenKey + ts)) headers
	AuthECDev = "ecdev" // /api/ec/dev/auth regist → applytoken; appid/token/userid headers
)

// AuthConfig holds the credentials of one connector.
type AuthConfig struct {
	// Mode is AuthNone, AuthKey or AuthECDev (e-cology 9 only).
	Mode string `json:"mode"`
	// TokenKey is the key shown on the OA's hrm_webservice_config.jsp (AuthKey).
	TokenKey string `json:"tokenKey,omitempty"`
	// AppID is the ec/dev appid registered in ECOLOGY_BIZ_EC (AuthECDev).
	AppID string `json:"appId,omitempty"`
	// UserID is the OA user id the ec/dev calls act as; "" = "1" (sysadmin).
	UserID string `json:"userId,omitempty"`
	// TokenTTL is the lifetime asked for an ec/dev token; 0 = 30 min.
	TokenTTL time.Duration `json:"tokenTtl,omitempty"`

	// E10 open platform.
	CorpID    string `json:"corpId,omitempty"`
	AppKey    string `json:"appKey,omitempty"`
	AppSecret string `json:"appSecret,omitempty"`
}

// SSOConfig configures the hand-off into the OA.
type SSOConfig struct {
	// AppID is the e-cology ssologin appid: a line "<appid>=<bridge IP>" in
	// WEB-INF/prop/WeaverLoginClient.properties. Not the ec/dev appid.
	AppID string `json:"appId,omitempty"`
	// E10LoginURL is a template for entering E10 with a login token
	// (E10 only), e.g. "{base}/…?etLoginToken={token}&redirect={target}".
	// How E10 accepts etLoginToken is not publicly documented, so the
	// template is the customer's to fill after checking their E10; empty
	// means SSO into E10 is off.
	E10LoginURL string `json:"e10LoginUrl,omitempty"`
	// E10AuthType is the get_logintoken authType ("loginID", "JOB_NUM",
	// "EMAIL", "MOBILE", …); empty = "loginID".
	E10AuthType string `json:"e10AuthType,omitempty"`
}

// RSA modes of e-cology's login check.
const (
	RSAAuto = ""    // ask /rsa/weaver.rsa.GetRsaInfo; encrypt when it offers a key
	RSAOn   = "on"  // always encrypt
	RSAOff  = "off" // never encrypt (and do not call GetRsaInfo)
)

// LoginConfig configures CheckPassword (e-cology 9).
type LoginConfig struct {
	RSA string `json:"rsa,omitempty"`
}

// OAuth2Config enables the OA as an OAuth2 identity provider for binding.
// e-cology 9: /sso/oauth2.0/* (only where the customer deployed it);
// E10: /papi/sso/oauth2.0/* (统一认证中心 → OAuth2认证).
type OAuth2Config struct {
	ClientID     string `json:"clientId,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
	// UserField names the profile attribute that holds the OA user id or
	// login id; "" = "id" (guess, see oauth2.go).
	UserField string `json:"userField,omitempty"`
}

// E10Config holds E10 switches for behaviour not publicly documented.
type E10Config struct {
	// OrgTypes for queryOrg typeList; nil = ["subcompany","department"].
	// Unverified: the public doc shows only "department".
	OrgTypes []string `json:"orgTypes,omitempty"`
	// EmployeeStatuses for queryEmployee userStatusList; nil = do not send
	// the filter (E10 then returns active staff only, which hides leavers).
	// Unverified value names; "normal" is the only one seen in public code.
	EmployeeStatuses []string `json:"employeeStatuses,omitempty"`
	// TokenInBody sends access_token in the JSON body instead of the query
	// string (both are seen in public code).
	TokenInBody bool `json:"tokenInBody,omitempty"`
}

// FileConfig configures the file connector: Path is an .xlsx workbook, a
// .csv file (users only) or a directory holding subcompany.csv,
// department.csv and user.csv (any may also be .xlsx).
type FileConfig struct {
	Path string `json:"path"`
}

// FileValidator is implemented by the file connector: it checks the
// configured file(s) and returns the row-level report (import preview).
type FileValidator interface {
	Validate() (*FileReport, error)
}

// Deps are the connector's collaborators. Zero values get sane defaults.
type Deps struct {
	HTTP   *http.Client // nil = a client without cookie jar (see ecology9.go)
	Clock  core.Clock   // nil = core.SystemClock
	Logger *slog.Logger // nil = slog.Default()
	// State persists the ec/dev handshake (spk + secrit). Calling regist
	// again rotates the OA's keys and breaks every other client of the
	// same appid, so the handshake must survive restarts. nil = memory only.
	State StateStore
}

// StateStore keeps small connector state between runs. The caller encrypts
// it at rest: the ec/dev secrit is a credential.
type StateStore interface {
	// Get returns nil, nil when key has no value.
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
}

// MemoryState is a StateStore in memory (tests, demo).
type MemoryState struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *MemoryState) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.m[key]...), nil
}

func (s *MemoryState) Put(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[key] = append([]byte(nil), value...)
	return nil
}

// PullOptions tunes one PullOrg.
type PullOptions struct {
	// Since, when set, makes the pull incremental (records modified at or
	// after Since minus Config.IncrementalOverlap).
	Since time.Time
	// IncludeSecondary keeps secondary accounts (次账号) as users of their
	// own. By default they are skipped as users, and their departments are
	// added to the main account's PartTimeDepartmentIDs.
	IncludeSecondary bool
	// Progress, when set, is called at most every 100 ms and at the end of
	// each stage. It must not block.
	Progress func(Progress)
}

// Progress of a pull.
type Progress struct {
	Stage   string `json:"stage"` // StageSubcompanies, StageDepartments, StageUsers, StageJobTitles
	Page    int    `json:"page"`
	Fetched int    `json:"fetched"`
	// Total as reported by the OA, 0 when unknown. e-cology's totalSize
	// is ambiguous (record or page count), so treat it as a hint.
	Total int  `json:"total"`
	Done  bool `json:"done"` // the stage finished
}

// Pull stages.
const (
	StageSubcompanies = "subcompanies"
	StageDepartments  = "departments"
	StageUsers        = "users"
	StageJobTitles    = "jobtitles"
)

// Target is where SSOURL lands.
type Target struct {
	// Page is PageHome, PageTodo, PageRequest or PagePath.
	Page string `json:"page"`
	// RequestID is the OA workflow request id (PageRequest).
	RequestID string `json:"requestId,omitempty"`
	// Path is an OA-relative path such as "/spa/document/index.html#/…"
	// (PagePath). Absolute URLs are accepted only on the OA's own host.
	Path string `json:"path,omitempty"`
	// Mobile selects the OA's mobile pages.
	Mobile bool `json:"mobile,omitempty"`
}

// Target pages.
const (
	PageHome    = "home"
	PageTodo    = "todo"
	PageRequest = "request"
	PagePath    = "path"
)

// TestReport is what "test connection" shows.
type TestReport struct {
	Kind    string     `json:"kind"`
	OK      bool       `json:"ok"`
	Steps   []TestStep `json:"steps"`
	Elapsed Millis     `json:"elapsedMs"`
}

// Millis is a duration that JSON-encodes as whole milliseconds (for the UI).
type Millis time.Duration

func (m Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, time.Duration(m).Milliseconds(), 10), nil
}

// TestStep is one call of a connection test.
type TestStep struct {
	Name    string      `json:"name"` // e.g. "auth", "subcompanies", "users"
	OK      bool        `json:"ok"`
	Count   int         `json:"count"` // rows in the first page
	Total   int         `json:"total"` // as reported by the OA (hint)
	Elapsed Millis      `json:"elapsedMs"`
	Error   *core.Error `json:"error,omitempty"`
}

// PendingTodo is one item of a user's pending list (reconciliation).
type PendingTodo struct {
	RequestID    string `json:"requestId"`
	RequestName  string `json:"requestName"`
	WorkflowID   string `json:"workflowId"`
	WorkflowName string `json:"workflowName"`
	NodeName     string `json:"nodeName"`
	CreatorID    string `json:"creatorId"`
	CreatorName  string `json:"creatorName"`
	CreateTime   string `json:"createTime"`
	ReceiveTime  string `json:"receiveTime"`
}

// New builds the connector cfg.Kind names.
func New(cfg Config, deps Deps) (Connector, error) {
	deps = deps.withDefaults()
	switch cfg.Kind {
	case KindEcology9:
		return newEcology9(cfg, deps)
	case KindE10:
		return newE10(cfg, deps)
	case KindFile:
		return newFileConnector(cfg, deps)
	default:
		return nil, core.ErrOAKindUnknown.New("kind", cfg.Kind)
	}
}

func (d Deps) withDefaults() Deps {
	if d.HTTP == nil {
		// No cookie jar: a reused JSESSIONID makes e-cology ignore the
		// ec/dev userid header (reported identity mix-up, reference §2).
		d.HTTP = &http.Client{}
	}
	if d.Clock == nil {
		d.Clock = core.SystemClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.State == nil {
		d.State = &MemoryState{}
	}
	return d
}

func (c Config) pageSize() int {
	if c.PageSize <= 0 {
		return DefaultPageSize
	}
	return c.PageSize
}

func (c Config) retries() int {
	switch {
	case c.Retries < 0:
		return 0
	case c.Retries == 0:
		return DefaultRetries
	}
	return c.Retries
}

func (c Config) retryBase() time.Duration {
	if c.RetryBase <= 0 {
		return time.Second
	}
	return c.RetryBase
}

func (c Config) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c Config) overlap() time.Duration {
	switch {
	case c.IncrementalOverlap < 0:
		return 0
	case c.IncrementalOverlap == 0:
		return DefaultOverlap
	}
	return c.IncrementalOverlap
}

// normalizeBaseURL checks and trims an OA base URL.
func normalizeBaseURL(field, raw string) (string, error) {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") || len(s) <= len("https://") {
		return "", core.ErrSettingsURL.New("field", field)
	}
	return s, nil
}

// progress throttles a Progress callback to one call per 100 ms, plus the
// final call of each stage.
type progress struct {
	fn    func(Progress)
	clock core.Clock
	last  time.Time
}

func (p *progress) report(pr Progress) {
	if p == nil || p.fn == nil {
		return
	}
	now := p.clock.Now()
	if !pr.Done && !p.last.IsZero() && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.fn(pr)
}
