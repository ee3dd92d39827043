package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// POST /auth/v2/tickets
func hTicketsV2(c *call) {
	var in struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		TenantID     string `json:"tenant_id"`
	}
	if !c.decodeAuth(&in) {
		return
	}
	if in.ClientID != "" && !c.s.quota.allowApp(in.ClientID, "POST /auth/v2/tickets") {
		c.s.throttled.Add(1)
		c.fail("48503", "接口调用超过限制", nil)
		return
	}
	c.s.mu.Lock()
	a, code, msg := c.s.checkSecret(strings.TrimSpace(in.ClientID), in.ClientSecret, c.now)
	if code == "" && in.TenantID != "" && in.TenantID != c.s.tenant.TenantID {
		// Tokens for other tenants (ISV apps) are not emulated.
		code, msg = "41500", "获取access_token异常"
	}
	var t *token
	if code == "" {
		t = c.s.issueToken(a, c.now, "")
	}
	c.s.mu.Unlock()
	c.tokenAnswer(t, code, msg)
}

// tokenAnswer writes a token, or the refusal when code is set.
func (c *call) tokenAnswer(t *token, code, msg string) {
	if code != "" {
		c.fail(code, msg, nil)
		return
	}
	c.ok("ok", struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{t.value, int(c.s.opts.TokenTTL.Seconds())})
}

// decodeAuth reads a JSON body, or a form body as some old callers send.
func (c *call) decodeAuth(v any) bool {
	if err := json.Unmarshal(c.body, v); err == nil {
		return true
	}
	form, err := url.ParseQuery(string(c.body))
	if err != nil {
		c.fail("41500", "获取access_token异常", nil)
		return false
	}
	m := map[string]string{}
	for k := range form {
		m[k] = form.Get(k)
	}
	b, _ := json.Marshal(m)
	if json.Unmarshal(b, v) != nil {
		c.fail("41500", "获取access_token异常", nil)
		return false
	}
	return true
}

// POST /auth/v1/tickets: type e (system) or u (user, with a code).
func hTicketsV1(c *call) {
	var in struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Type         string `json:"type"`
		Code         string `json:"code"`
	}
	if !c.decodeAuth(&in) {
		return
	}
	if in.ClientID != "" && !c.s.quota.allowApp(in.ClientID, "POST /auth/v1/tickets") {
		c.fail("48503", "接口调用超过限制", nil)
		return
	}
	c.s.mu.Lock()
	a, code, msg := c.s.checkSecret(strings.TrimSpace(in.ClientID), in.ClientSecret, c.now)
	var t *token
	if code == "" {
		switch in.Type {
		case "e":
			t = c.s.issueToken(a, c.now, "")
		case "u":
			var uid string
			uid, code, msg = c.s.redeem(in.Code, a.spec.ClientID, c.now)
			if code == "" {
				t = c.s.issueToken(a, c.now, uid)
			}
		default:
			code, msg = "41500", "获取access_token异常: type"
		}
	}
	c.s.mu.Unlock()
	c.tokenAnswer(t, code, msg)
}

// redeem uses up a login code. Codes: 41501 malformed or unknown, 41503
// expired, 41504 already used (documented for v1; used for v2 as well,
// inferred). A code bound to another app is unknown to this one. Caller
// holds s.mu.
func (s *Server) redeem(code, clientID string, now time.Time) (string, string, string) {
	ac := s.codes[strings.TrimSpace(code)]
	switch {
	case code == "" || ac == nil || (ac.clientID != "" && ac.clientID != clientID):
		return "", "41501", "code不合法"
	case ac.used:
		return "", "41504", "code已被使用"
	case !now.Before(ac.expires):
		return "", "41503", "code已过期"
	}
	ac.used = true
	return ac.userID, "", ""
}

// GET /auth/v2/userid?code=
func hUserID(c *call) {
	c.s.mu.Lock()
	uid, code, msg := c.s.redeem(c.q("code"), c.app.spec.ClientID, c.now)
	tenant := c.s.tenant.TenantID
	c.s.mu.Unlock()
	if code != "" {
		c.fail(code, msg, nil)
		return
	}
	c.ok("ok", struct {
		UserID   string `json:"userId"`
		TenantID string `json:"tenantId"`
	}{uid, tenant})
}

// GET /auth/v1/userid with a type=u ticket.
func hUserIDV1(c *call) {
	if c.tok.userID == "" {
		c.fail("41500", "获取用户信息异常", nil)
		return
	}
	c.ok("ok", struct {
		UserID string `json:"userId"`
	}{c.tok.userID})
}

// GET /auth/v1/jstickets
func hJSTickets(c *call) {
	c.s.mu.Lock()
	if c.app.jsticket == "" {
		c.app.jsticket = strings.ToUpper(strings.ReplaceAll(uuidLike(), "-", ""))
	}
	t := c.app.jsticket
	c.s.mu.Unlock()
	c.ok("ok", struct {
		JSTickets string `json:"jstickets"`
	}{t})
}

// POST /oauth2/v1/token: only the endpoint is documented. Standard OAuth2
// parameters, form or JSON (inferred); errors are HTTP 400 with the OAuth2
// service's codes (documented list).
func hOAuthToken(c *call) {
	var in struct {
		GrantType    string `json:"grant_type"`
		Code         string `json:"code"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		RedirectURI  string `json:"redirect_uri"`
	}
	bad := func(code, msg string) { c.write(http.StatusBadRequest, code, msg, nil) }
	if !c.decodeAuth(&in) {
		return
	}
	switch {
	case in.GrantType != "authorization_code":
		bad("60013", "grant_type error")
		return
	case in.Code == "":
		bad("60003", "code is empty")
		return
	case len(in.Code) > 2000:
		bad("60002", "code is too long")
		return
	case len(in.ClientID) > 255:
		bad("60004", "client_id is too long")
		return
	case len(in.ClientSecret) > 255:
		bad("60005", "client_secret is too long")
		return
	}
	if !c.s.quota.allowApp(in.ClientID, "POST /oauth2/v1/token") {
		c.fail("48503", "接口调用超过限制", nil)
		return
	}
	c.s.mu.Lock()
	a, code, _ := c.s.checkSecret(in.ClientID, in.ClientSecret, c.now)
	var t *token
	var uid string
	if code == "41403" {
		code = "60009"
	} else if code != "" {
		code = "60010"
	} else {
		ac := c.s.codes[in.Code]
		switch {
		case ac == nil || ac.used || (ac.clientID != "" && ac.clientID != a.spec.ClientID):
			code = "60008"
		case !c.now.Before(ac.expires):
			code = "60007"
		case ac.redirectURI != "" && in.RedirectURI != "" && ac.redirectURI != in.RedirectURI:
			code = "60019"
		default:
			ac.used = true
			uid = ac.userID
			t = c.s.issueToken(a, c.now, uid)
		}
	}
	tenant := c.s.tenant.TenantID
	c.s.mu.Unlock()
	msgs := map[string]string{"60007": "code is expired", "60008": "code is invalid", "60009": "account is locked, retry in 15 minutes",
		"60010": "client_id or client_secret authentication failed", "60019": "redirectUrl invalid"}
	if code != "" {
		bad(code, msgs[code])
		return
	}
	c.write(http.StatusOK, c.s.opts.OAuthSuccessCode, "success", struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		UserID      string `json:"userId"`
		TenantID    string `json:"tenantId"`
	}{t.value, int(c.s.opts.TokenTTL.Seconds()), uid, tenant})
}
