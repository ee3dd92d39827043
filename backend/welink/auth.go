package welink

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"cloudbridge/backend/core"
)

// Identity is who a login code belongs to.
type Identity struct {
	UserID   string `json:"userId"`
	TenantID string `json:"tenantId"`
}

// UserIDByCode exchanges an in-app free-login code (HWH5.getAuthCode, 2 min,
// single use) for the user: GET /auth/v2/userid.
func (a *App) UserIDByCode(ctx context.Context, code string) (Identity, error) {
	var out Identity
	r := newReq(http.MethodGet, "/auth/v2/userid")
	r.query = url.Values{"code": {code}}
	r.idempotent = false // a code is single use: a blind retry would burn it
	err := a.do(ctx, r, &out)
	return out, err
}

// Ticket is a token issued by the legacy /auth/v1/tickets.
type Ticket struct {
	AccessToken string  `json:"access_token"`
	ExpiresIn   FlexInt `json:"expires_in"`
}

// TicketV1 calls the legacy POST /auth/v1/tickets: typ "e" for a system
// token, "u" with a free-login code for a user-identity token. It does not
// touch the cached v2 token.
func (a *App) TicketV1(ctx context.Context, typ, code string) (Ticket, error) {
	a.mu.Lock()
	err := a.stopErr()
	secret, gen := a.secret, a.gen
	a.mu.Unlock()
	if err != nil {
		return Ticket{}, err
	}
	body := map[string]string{"client_id": a.id, "client_secret": secret, "type": typ}
	if code != "" {
		body["code"] = code
	}
	var out Ticket
	r := newReq(http.MethodPost, "/auth/v1/tickets")
	r.noAuth, r.body = true, body
	err = a.do(ctx, r, &out)
	if err != nil {
		a.mu.Lock()
		if a.gen == gen {
			a.noteAuthError(err) // the same secret is wrong for v2 too
		}
		a.mu.Unlock()
	}
	return out, err
}

// UserIDByCodeV1 is the legacy identity flow: a type=u ticket for the code,
// then GET /auth/v1/userid with that ticket.
func (a *App) UserIDByCodeV1(ctx context.Context, code string) (string, error) {
	t, err := a.TicketV1(ctx, "u", code)
	if err != nil {
		return "", err
	}
	var out struct {
		UserID string `json:"userId"`
	}
	r := newReq(http.MethodGet, "/auth/v1/userid")
	r.noAuth, r.extraToken = true, t.AccessToken // the user ticket replaces the app token
	err = a.do(ctx, r, &out)
	return out.UserID, err
}

// JSTicket returns the JSAPI ticket for HWH5.config (GET /auth/v1/jstickets).
func (a *App) JSTicket(ctx context.Context) (string, error) {
	var out struct {
		JSTickets string `json:"jstickets"`
	}
	err := a.do(ctx, newReq(http.MethodGet, "/auth/v1/jstickets"), &out)
	return out.JSTickets, err
}

// JSSignature signs a page for HWH5.config:
// sha1("jsapi_ticket=<t>&noncestr=<n>&timestamp=<ts>&url=<url>") with the
// URL's query decoded and without the fragment.
func JSSignature(ticket, nonce, timestamp, pageURL string) string {
	if i := strings.IndexByte(pageURL, '#'); i >= 0 {
		pageURL = pageURL[:i]
	}
	if u, err := url.QueryUnescape(pageURL); err == nil {
		pageURL = u
	}
	sum := sha1.Sum([]byte("jsapi_ticket=" + ticket + "&noncestr=" + nonce + "&timestamp=" + timestamp + "&url=" + pageURL))
	return hex.EncodeToString(sum[:])
}

// AuthorizeURL is where a browser goes for WeLink's web OAuth2 login
// (scope backendlogin). WeLink refuses a redirect_uri with a query string,
// so carry state in state.
func (a *App) AuthorizeURL(redirectURI, state string) string {
	q := url.Values{"client_id": {a.id}, "response_type": {"code"}, "redirect_uri": {redirectURI}, "scope": {"backendlogin"}}
	if state != "" {
		q.Set("state", state)
	}
	return a.c.login + "/sso/oauth2/authorize?" + q.Encode()
}

// QRLoginScriptURL is WeLink's wlQrcodeLogin.js, which injects the scan-login
// iframe (QRFrameURL) into a page.
func (a *App) QRLoginScriptURL() string {
	return a.c.login + "/sso-proxy-front/public/qrcode/0.0.1/wlQrcodeLogin.js"
}

// QRFrameURL is the scan-login QR page (scope snsapi_login) the script
// would embed. After a scan the browser is sent to redirect_uri?code=&state=
// (inferred by analogy with OAuth2; not publicly documented).
func (a *App) QRFrameURL(redirectURI, state string) string {
	q := url.Values{"redirect_uri": {redirectURI}, "client_id": {a.id}, "response_type": {"code"},
		"scope": {"snsapi_login"}, "state": {state}, "self_redirect": {"false"}, "lang": {"cn"}}
	return a.c.login + "/sso-proxy-front/public/qrcode/0.0.1/qrcode.html?" + q.Encode()
}

// OAuth2Token is the answer of the OAuth2 code exchange. Its fields are not
// publicly documented; those below are the standard OAuth2 ones plus the
// user fields of /auth/v2/userid (inferred).
type OAuth2Token struct {
	AccessToken  string  `json:"access_token,omitempty"`
	RefreshToken string  `json:"refresh_token,omitempty"`
	ExpiresIn    FlexInt `json:"expires_in,omitempty"`
	UserID       string  `json:"userId,omitempty"`
	TenantID     string  `json:"tenantId,omitempty"`
}

// ExchangeOAuth2Code trades a web OAuth2 code (5 min, single use) at
// POST /oauth2/v1/token. Only the endpoint name is documented; the
// form-encoded standard parameters are inferred, and 60001 is read as
// success because WeLink's OAuth2 error list calls it so. Errors come back
// with HTTP 400 and a JSON code (60007 expired, 60008 invalid, …).
//
// Because the exchange is undocumented, callers that only need the user can
// instead pass the code to UserIDByCode (the emulator accepts both).
func (a *App) ExchangeOAuth2Code(ctx context.Context, code, redirectURI string) (OAuth2Token, error) {
	a.mu.Lock()
	secret := a.secret
	a.mu.Unlock()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {a.id},
		"client_secret": {secret}, "redirect_uri": {redirectURI}}
	var out OAuth2Token
	r := newReq(http.MethodPost, "/oauth2/v1/token")
	r.noAuth, r.form, r.okCodes = true, form.Encode(), []string{"60001"}
	err := a.do(ctx, r, &out)
	if err == nil && out.UserID == "" && out.AccessToken == "" {
		err = core.ErrWeLinkNetwork.New("reason", "WeLink returned no user for the code")
	}
	return out, err
}
