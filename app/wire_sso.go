package app

import (
	"context"
	"net/http"
	"net/url"

	"cloudbridge/backend/oa"
	"cloudbridge/backend/sso"
	"cloudbridge/backend/welink"
)

// wireSSO wires SSO and QR login (issue 8): the bound 扫码登录 settings, the
// public homepage / binding / QR routes, and the corp-delete hook.
func (a *App) wireSSO() error {
	svc, pub := sso.New(a.ctx, sso.Options{
		DB: a.DB, Tenant: a.Tenant, WeLink: a.WeLink, WeLinkWeb: a.welinkWeb,
		OA:     func(ctx context.Context) (oa.Connector, error) { return a.OA.Connector(ctx) },
		OAURLs: a.oaURLs,
		Clock:  a.clock, Log: a.log,
	})
	a.bind(svc)
	a.dependents.Add(sso.Dependent())
	pub.Register(func(pattern string, h http.Handler) { a.Public.Handle(pattern, h) })
	return nil
}

// welinkWeb is where browsers reach WeLink: in demo mode the emulator
// serves the OAuth2 pages and a stand-in JSAPI script on its own address.
func (a *App) welinkWeb() sso.WebEndpoints {
	if a.demoWeLink != "" {
		if u, err := url.Parse(a.demoWeLink); err == nil {
			o := u.Scheme + "://" + u.Host
			return sso.WebEndpoints{LoginURL: o, JSAPIURL: o + "/docs/jsapi/2.0.9/hwh5-cloudonline.js"}
		}
	}
	login := welink.DefaultLoginURL
	if c := a.WeLink(); c != nil {
		login = c.LoginURL()
	}
	return sso.WebEndpoints{LoginURL: login, JSAPIURL: sso.DefaultJSAPIURL}
}

// oaURLs are the configured OA addresses (PC and mobile).
func (a *App) oaURLs() []string {
	if a.OA == nil {
		return nil
	}
	cfg, ok, err := a.OA.Config()
	if err != nil || !ok {
		return nil
	}
	var out []string
	for _, u := range []string{cfg.BaseURL, cfg.MobileBaseURL} {
		if u != "" {
			out = append(out, u)
		}
	}
	return out
}
