package oa

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cloudbridge/backend/core"
)

// oauth2IdP logs a user in at the OA's own OAuth2 page (reference §5.4):
//
//	GET  {prefix}/authorize?client_id&response_type=code&redirect_uri&state
//	POST {prefix}/accessToken?client_id&client_secret&grant_type=authorization_code&code&redirect_uri → access_token
//	GET  {prefix}/profile?access_token=… → {"id": …, "attributes": …}
//
// e-cology 9 serves it at /sso/oauth2.0 where the customer deployed it,
// E10 at /papi/sso/oauth2.0.
type oauth2IdP struct {
	base    string
	prefix  string
	cfg     OAuth2Config
	call    *caller
	resolve func(ctx context.Context, profile map[string]any, subject string) (User, error)
}

func (p *oauth2IdP) configured() bool { return p.cfg.ClientID != "" && p.cfg.ClientSecret != "" }

func (p *oauth2IdP) AuthorizeURL(state, redirectURI string) (string, error) {
	if !p.configured() {
		return "", core.ErrOAConfig.New("field", "oauth2.clientId", "reason", "required")
	}
	if !strings.HasPrefix(redirectURI, "http://") && !strings.HasPrefix(redirectURI, "https://") {
		return "", core.ErrSettingsURL.New("field", "redirect_uri")
	}
	q := url.Values{"client_id": {p.cfg.ClientID}, "response_type": {"code"}, "redirect_uri": {redirectURI}, "state": {state}}
	return p.base + p.prefix + "/authorize?" + q.Encode(), nil
}

func (p *oauth2IdP) Exchange(ctx context.Context, code, redirectURI string) (User, error) {
	if !p.configured() {
		return User{}, core.ErrOAConfig.New("field", "oauth2.clientId", "reason", "required")
	}
	if code == "" {
		return User{}, core.ErrRequired.New("field", "code")
	}
	tokenPath := p.prefix + "/accessToken"
	q := url.Values{"client_id": {p.cfg.ClientID}, "client_secret": {p.cfg.ClientSecret},
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	resp, err := p.call.do(ctx, tokenPath, func(ctx context.Context) (*http.Request, error) {
		return formRequest(ctx, p.base+tokenPath+"?"+q.Encode(), q, nil)
	})
	if err != nil {
		return User{}, err
	}
	access := ""
	var tok struct {
		AccessToken flexString `json:"access_token"`
		Error       flexString `json:"error"`
		ErrorDesc   flexString `json:"error_description"`
	}
	if json.Unmarshal(resp.body, &tok) == nil {
		access = tok.AccessToken.String()
		if access == "" && tok.Error != "" {
			return User{}, core.ErrOAAuthRejected.New("mode", "oauth2", "message", tok.Error.String()+" "+tok.ErrorDesc.String())
		}
	} else if v, err := url.ParseQuery(strings.TrimSpace(string(resp.body))); err == nil {
		// guess: CAS-style servers may answer "access_token=…&expires=…".
		access = v.Get("access_token")
	}
	if resp.status != http.StatusOK || access == "" {
		return User{}, core.ErrOAAuthRejected.New("mode", "oauth2", "message", "HTTP "+strconv.Itoa(resp.status)+" "+snippet(resp.body))
	}
	profilePath := p.prefix + "/profile"
	resp, err = p.call.do(ctx, profilePath, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, p.base+profilePath+"?access_token="+url.QueryEscape(access), nil)
	})
	if err != nil {
		return User{}, err
	}
	if resp.status != http.StatusOK {
		return User{}, core.ErrOAHTTPStatus.New("endpoint", profilePath, "status", strconv.Itoa(resp.status))
	}
	var profile map[string]any
	if err := json.Unmarshal(resp.body, &profile); err != nil {
		return User{}, core.ErrOABadResponse.Wrap(err, "endpoint", profilePath)
	}
	field := p.cfg.UserField
	if field == "" {
		field = "id"
	}
	subject := profileValue(profile, field)
	if subject == "" {
		return User{}, core.ErrOABadResponse.New("endpoint", profilePath)
	}
	return p.resolve(ctx, profile, subject)
}

// profileValue finds field at the top level or under "attributes", which
// CAS-style servers send as an object or as a list of one-key objects.
func profileValue(profile map[string]any, field string) string {
	str := func(v any) string {
		switch v := v.(type) {
		case string:
			return strings.TrimSpace(v)
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	if s := str(profile[field]); s != "" {
		return s
	}
	switch a := profile["attributes"].(type) {
	case map[string]any:
		return str(a[field])
	case []any:
		for _, e := range a {
			if m, ok := e.(map[string]any); ok {
				if s := str(m[field]); s != "" {
					return s
				}
			}
		}
	}
	return ""
}

// IdentityProvider for e-cology 9 (only when Config.OAuth2 is set).
func (c *ecology9) idp() *oauth2IdP {
	return &oauth2IdP{base: c.base, prefix: "/sso/oauth2.0", cfg: c.cfg.OAuth2, call: c.call,
		resolve: func(ctx context.Context, _ map[string]any, subject string) (User, error) {
			// guess: the CAS-style principal is the login id; an OA user id
			// is accepted too.
			for _, field := range []string{"loginid", "id"} {
				u, ok, err := c.lookupUser(ctx, field, subject)
				if err != nil {
					return User{}, err
				}
				if ok {
					if u.Left {
						return User{}, core.ErrOAAccountDisabled.New("loginid", u.LoginID)
					}
					return u, nil
				}
			}
			return User{}, core.ErrOAUserNotFound.New("loginid", subject)
		}}
}

func (c *ecology9) AuthorizeURL(state, redirectURI string) (string, error) {
	return c.idp().AuthorizeURL(state, redirectURI)
}

func (c *ecology9) Exchange(ctx context.Context, code, redirectURI string) (User, error) {
	return c.idp().Exchange(ctx, code, redirectURI)
}
