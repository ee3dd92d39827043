package sim

import (
	"sort"
	"time"

	"cloudbridge/backend/core"
)

// Grants are the API permission groups of the WeLink console (接口权限),
// as listed on start-10. Department queries, messages, the visible-range
// APIs and the batch-result query are not listed there; their groups are
// inferred.
const (
	GrantJSAPI       = "jsapi"        // 轻应用鉴权: /auth/v1/jstickets
	GrantTenant      = "tenant"       // 租户详细信息: /tenant/v1/tenants
	GrantLogin       = "login"        // 用户登录信息: /auth/v2/userid, /contact/v1/users/accounts, /weopen/v1/isadmin
	GrantUserDetail  = "user_detail"  // 用户详细信息: user details and detailed lists
	GrantUserEmail   = "user_email"   // 用户邮箱信息
	GrantUserSimple  = "user_simple"  // 用户简单信息: /contact/v2/user/userid, users/simple
	GrantDept        = "dept"         // department queries (group inferred)
	GrantContactSync = "contact_sync" // 通讯录同步: every contact write, batch results (inferred)
	GrantMessage     = "message"      // messages and cards (group inferred)
	GrantTodo        = "todo"         // 待办
	GrantAppInfo     = "app_info"     // /weopen/v1/userscope, /contact/v3/user/permission/users (group inferred)
)

// AllGrants is every permission.
var AllGrants = []string{GrantJSAPI, GrantTenant, GrantLogin, GrantUserDetail, GrantUserEmail,
	GrantUserSimple, GrantDept, GrantContactSync, GrantMessage, GrantTodo, GrantAppInfo}

// grantAliases let tests speak in the product's permission keys (those of
// welink.Probe) as well as in console groups.
var grantAliases = map[string][]string{
	"all":           AllGrants,
	"auth":          {GrantLogin, GrantJSAPI},
	"contacts_read": {GrantDept, GrantUserDetail, GrantUserSimple, GrantUserEmail, GrantTenant, GrantAppInfo},
	"contacts_sync": {GrantContactSync},
}

func expandGrants(list []string) map[string]bool {
	m := map[string]bool{}
	for _, g := range list {
		if x, ok := grantAliases[g]; ok {
			for _, y := range x {
				m[y] = true
			}
			continue
		}
		m[g] = true
	}
	return m
}

// VisibleRange is who may use an app (可见范围). Contact reads, messages and
// to-dos are limited to it.
type VisibleRange struct {
	AllStaff  bool     `json:"allStaff"`
	DeptCodes []string `json:"deptCodes,omitempty"` // with their subtrees
	UserIDs   []string `json:"userIds,omitempty"`
}

// AppSpec registers a light app.
type AppSpec struct {
	ClientID     string       `json:"clientId"`
	Secret       string       `json:"secret"`
	Name         string       `json:"name"`
	Grants       []string     `json:"grants"` // console groups (Grant*) or "auth", "contacts_read", "contacts_sync", "todo", "message", "all"
	VisibleRange VisibleRange `json:"visibleRange"`
	Admins       []string     `json:"admins,omitempty"` // userIds that administer the app (appAdmin)
}

type app struct {
	spec        AppSpec
	grants      map[string]bool
	rng         scope
	rngVer      int
	failures    int
	lockedUntil time.Time
	jsticket    string
}

type scope struct {
	all   bool
	depts map[string]bool
	users map[string]bool
}

func newScope(v VisibleRange) scope {
	s := scope{all: v.AllStaff, depts: map[string]bool{}, users: map[string]bool{}}
	for _, d := range v.DeptCodes {
		if d == "0" {
			s.all = true
		}
		s.depts[d] = true
	}
	for _, u := range v.UserIDs {
		s.users[u] = true
	}
	return s
}

type token struct {
	value, clientID string
	userID          string // set on legacy type=u tickets
	grants          map[string]bool
	expires         time.Time
	revoked         bool
}

// AddApp registers (or replaces) an app. Tokens already issued keep the
// grants they were issued with.
func (s *Server) AddApp(spec AppSpec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[spec.ClientID]
	if a == nil {
		a = &app{}
		s.apps[spec.ClientID] = a
	}
	a.spec = spec
	a.grants = expandGrants(spec.Grants)
	a.rng = newScope(spec.VisibleRange)
	a.rngVer++
}

// SetGrants changes an app's permissions. Like WeLink, only tokens issued
// afterwards see the change.
func (s *Server) SetGrants(clientID string, grants []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[clientID]
	if a == nil {
		return false
	}
	a.spec.Grants = grants
	a.grants = expandGrants(grants)
	return true
}

// SetVisibleRange changes who may use an app; effective at once.
func (s *Server) SetVisibleRange(clientID string, v VisibleRange) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[clientID]
	if a == nil {
		return false
	}
	a.spec.VisibleRange = v
	a.rng = newScope(v)
	a.rngVer++
	return true
}

// SetSecret changes an app's secret (the admin reset it in the console).
func (s *Server) SetSecret(clientID, secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[clientID]
	if a == nil {
		return false
	}
	a.spec.Secret = secret
	return true
}

// RevokeTokens invalidates every token of an app.
func (s *Server) RevokeTokens(clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.tokens {
		if t.clientID == clientID && !t.revoked {
			t.revoked = true
			n++
		}
	}
	return n
}

// Unlock lifts a 41403 lockout.
func (s *Server) Unlock(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.apps[clientID]; a != nil {
		a.failures, a.lockedUntil = 0, time.Time{}
	}
}

// Apps lists the registered apps.
func (s *Server) Apps() []AppSpec {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []AppSpec
	for _, a := range s.apps {
		out = append(out, a.spec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ClientID < out[j].ClientID })
	return out
}

// issueToken makes an app token. Caller holds s.mu.
func (s *Server) issueToken(a *app, now time.Time, userID string) *token {
	if len(s.tokens) > 50000 {
		for k, t := range s.tokens {
			if !now.Before(t.expires) || t.revoked {
				delete(s.tokens, k)
			}
		}
	}
	g := make(map[string]bool, len(a.grants))
	for k := range a.grants {
		g[k] = true
	}
	t := &token{value: uuidLike(), clientID: a.spec.ClientID, userID: userID, grants: g, expires: now.Add(s.opts.TokenTTL)}
	s.tokens[t.value] = t
	return t
}

// checkSecret validates client credentials with the lockout. Caller holds
// s.mu. It returns the app or a WeLink code and message.
func (s *Server) checkSecret(id, secret string, now time.Time) (*app, string, string) {
	switch {
	case id == "":
		return nil, "41579", "clientId为空"
	case secret == "":
		return nil, "41580", "clientSecret为空"
	}
	a := s.apps[id]
	if a == nil {
		return nil, "10007", "clientId或clientSecret错误"
	}
	if now.Before(a.lockedUntil) {
		return nil, "41403", "该clientId验证失败次数过多，已被锁定"
	}
	if a.spec.Secret != secret {
		a.failures++
		if a.failures >= s.opts.LockAfter {
			a.lockedUntil = now.Add(s.opts.LockFor)
			a.failures = 0
		}
		return nil, "10007", "clientId或clientSecret错误"
	}
	a.failures = 0
	return a, "", ""
}

// authCode is a single-use login code.
type authCode struct {
	code, userID, clientID string
	oauth                  bool
	redirectURI            string
	expires                time.Time
	used                   bool
}

// IssueCode returns an in-app free-login code (what HWH5.getAuthCode gives
// the page) for a user: single use, valid Options.InAppCodeTTL. clientID
// may be empty (then any app of the tenant may redeem it).
func (s *Server) IssueCode(userID, clientID string) (string, bool) {
	return s.issueCode(userID, clientID, false, "")
}

// IssueOAuthCode returns a web OAuth2 / scan-login code: single use, valid
// Options.OAuthCodeTTL.
func (s *Server) IssueOAuthCode(userID, clientID, redirectURI string) (string, bool) {
	return s.issueCode(userID, clientID, true, redirectURI)
}

func (s *Server) issueCode(userID, clientID string, oauth bool, redirect string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.org.users[userID] == nil {
		return "", false
	}
	now := s.clock.Now()
	if len(s.codes) > 10000 {
		for k, c := range s.codes {
			if c.used || !now.Before(c.expires) {
				delete(s.codes, k)
			}
		}
	}
	ttl := s.opts.InAppCodeTTL
	if oauth {
		ttl = s.opts.OAuthCodeTTL
	}
	c := &authCode{code: core.NewID() + core.NewID(), userID: userID, clientID: clientID, oauth: oauth, redirectURI: redirect, expires: now.Add(ttl)}
	s.codes[c.code] = c
	return c.code, true
}

// SetCurrentUser sets who is "logged in" to the emulated WeLink: the user
// HWH5.getAuthCode and the login pages pick when nothing else says.
func (s *Server) SetCurrentUser(userID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.org.users[userID] == nil {
		return false
	}
	s.current = userID
	return true
}

// CurrentUser returns the user set by SetCurrentUser (default: the first
// generated user).
func (s *Server) CurrentUser() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.current
}
