package sso

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
)

// GET /sso/{app}/{mobile|pc}[?target=]: the light app's homepage.
func (p *Public) open(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	if kind != "mobile" && kind != "pc" {
		p.fail(w, r, core.ErrNotFound.New())
		return
	}
	app, err := p.apps.App(r.PathValue("app"))
	if err != nil {
		if core.Of(err, core.ErrAppNotFound) {
			err = core.ErrSSOAppUnknown.New()
		}
		p.fail(w, r, err)
		return
	}
	if err := p.corpActive(app.CorpID); err != nil {
		p.fail(w, r, err)
		return
	}
	target := strings.TrimSpace(r.URL.Query().Get(TargetParam))
	if target != "" {
		if err := p.checkTarget(target); err != nil {
			p.o.Log.Warn("sso: deep link refused", "app", app.ID, "reason", core.AsError(err).Params["reason"], "ip", clientIP(r))
			p.fail(w, r, err)
			return
		}
	}
	f, err := p.newFlow(w, r, &flow{kind: "home", appID: app.ID, corpID: app.CorpID, mobile: kind == "mobile", target: target})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if kind == "pc" {
		// WeLink's desktop client has no documented JSAPI for the code:
		// the web OAuth2 authorize redirect identifies the user instead.
		p.redirectOAuth(w, r, f, app)
		return
	}
	p.renderAuth(w, r, f, app)
}

// GET /sso/f/{flow}/auth[?app=]: the identification page (QR: after the
// tenant/corp choice).
func (p *Public) authPage(w http.ResponseWriter, r *http.Request) {
	f, err := p.flowFor(r, r.PathValue("flow"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if f.welinkUserID != "" {
		p.fail(w, r, core.ErrSSOStateInvalid.New())
		return
	}
	if f.kind == "qr" {
		if id := r.URL.Query().Get("app"); id != "" {
			qa, ok, err := p.qrApp(id)
			if err != nil || !ok {
				p.fail(w, r, firstErr(err, core.ErrSSOQRAppNotInList.New()))
				return
			}
			p.mu.Lock()
			f.appID, f.corpID = qa.AppID, qa.CorpID
			p.mu.Unlock()
		}
	}
	app, err := p.apps.App(f.appID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if err := p.corpActive(app.CorpID); err != nil {
		p.fail(w, r, err)
		return
	}
	p.renderAuth(w, r, f, app)
}

// corpActive refuses a sign-in into a corp marked for deletion with
// corp.deleting, shown translated on the error page. One key read: the
// homepage is the hot path.
func (p *Public) corpActive(corpID string) error {
	return signInError(p.o.DB.View(func(tx *store.Tx) error { return tenant.CheckActive(tx, corpID) }))
}

// signInError tells a WeLink user that the corp is going, without the
// admin's advice to resume the delete.
func signInError(err error) error {
	if core.Of(err, core.ErrCorpDeleting) {
		return core.ErrCorpDeletingSignIn.Wrap(err, "name", core.AsError(err).Params["name"])
	}
	return err
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// GET /sso/f/{flow}/oauth: no JSAPI here, use WeLink's web OAuth2.
func (p *Public) oauthStart(w http.ResponseWriter, r *http.Request) {
	f, err := p.flowFor(r, r.PathValue("flow"))
	if err == nil && (f.appID == "" || f.welinkUserID != "") {
		err = core.ErrSSOStateInvalid.New()
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	app, err := p.apps.App(f.appID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.redirectOAuth(w, r, f, app)
}

func (p *Public) redirectOAuth(w http.ResponseWriter, r *http.Request, f *flow, app tenant.AppView) {
	// redirect_uri may carry no query (WeLink answers 404 otherwise): the
	// flow travels in state, and state is tied to this browser's cookie.
	q := url.Values{"client_id": {app.ClientID}, "response_type": {"code"}, "scope": {"backendlogin"},
		"redirect_uri": {p.publicBase(r) + callbackPath}, "state": {f.id}}
	login := strings.TrimRight(p.o.WeLinkWeb().LoginURL, "/")
	http.Redirect(w, r, login+"/sso/oauth2/authorize?"+q.Encode(), http.StatusFound)
}

// GET /sso/callback?code=&state=: back from WeLink's OAuth2.
func (p *Public) oauthCallback(w http.ResponseWriter, r *http.Request) {
	f, err := p.flowFor(r, r.URL.Query().Get("state"))
	if err != nil {
		p.o.Log.Warn("sso: callback with an unknown or foreign state", "ip", clientIP(r))
		p.fail(w, r, err)
		return
	}
	next, err := p.identify(r, f, r.URL.Query().Get("code"), true)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// POST /sso/f/{flow}/code (code, csrf): the JSAPI code from the page.
func (p *Public) postCode(w http.ResponseWriter, r *http.Request) {
	f, err := p.flowFor(r, r.PathValue("flow"))
	if err == nil {
		err = p.checkCSRF(r, f)
	}
	var next string
	if err == nil {
		next, err = p.identify(r, f, r.PostFormValue("code"), false)
	}
	if err != nil {
		p.failJSON(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"next": next})
}

func (p *Public) ctxFor(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 20*time.Second)
}

// identify turns a WeLink code into the user, then continues.
func (p *Public) identify(r *http.Request, f *flow, code string, oauth bool) (string, error) {
	code = strings.TrimSpace(code)
	switch {
	case code == "":
		return "", core.ErrSSOCodeMissing.New()
	case len(code) > maxCodeLen:
		return "", core.ErrSSOCodeRejected.New("reason", "too long")
	}
	p.mu.Lock()
	used := f.welinkUserID != "" || f.appID == ""
	p.mu.Unlock()
	if used {
		return "", core.ErrSSOStateInvalid.New()
	}
	if err := p.useCode(code); err != nil {
		p.o.Log.Warn("sso: replayed WeLink code", "app", f.appID, "ip", clientIP(r))
		return "", err
	}
	wa, err := p.welinkApp(f.appID)
	if err != nil {
		return "", err
	}
	ctx, cancel := p.ctxFor(r)
	defer cancel()
	var uid string
	if oauth {
		// The OAuth2 code exchange is not publicly documented (inferred:
		// standard form parameters, userId in the answer); see welink.
		var tok welink.OAuth2Token
		tok, err = wa.ExchangeOAuth2Code(ctx, code, p.publicBase(r)+callbackPath)
		uid = tok.UserID
	} else {
		var id welink.Identity
		id, err = wa.UserIDByCode(ctx, code)
		uid = id.UserID
	}
	if err == nil && uid == "" {
		err = core.ErrSSOCodeRejected.New("reason", "no userId")
	}
	if err != nil {
		wc := welink.CodeOf(err)
		p.o.Log.Warn("sso: WeLink refused the code", "app", f.appID, "welinkCode", wc, "oauth", oauth, "err", err)
		switch {
		case wc == "41504":
			return "", core.ErrSSOCodeReplayed.Wrap(err)
		case wc != "":
			return "", core.ErrSSOCodeRejected.Wrap(err, "reason", "WeLink "+wc)
		case core.Of(err, core.ErrSSOCodeRejected):
			return "", err
		}
		return "", core.ErrSSOCodeRejected.Wrap(err, "reason", core.AsError(err).Code)
	}
	wu := p.recordUser(ctx, wa, f.corpID, uid)
	p.mu.Lock()
	f.welinkUserID, f.welinkName, f.wlUser = uid, firstNonEmpty(wu.NameCn, uid), &wu
	p.mu.Unlock()
	p.o.Log.Info("sso: WeLink user identified", "kind", f.kind, "app", f.appID, "corp", f.corpID, "welinkUser", uid, "oauth", oauth)
	return p.proceed(r, f)
}

// proceed continues an identified flow: bound → OA (or the QR confirm
// page); unbound → auto-association, else the binding page.
func (p *Public) proceed(r *http.Request, f *flow) (string, error) {
	var b binding.Binding
	var ok bool
	err := p.o.DB.View(func(tx *store.Tx) error {
		// A flow started before the corp was marked for deletion ends here.
		if err := tenant.CheckActive(tx, f.corpID); err != nil {
			return signInError(err)
		}
		var err error
		b, ok, err = binding.ForWeLinkUser(tx, f.corpID, f.welinkUserID)
		return err
	})
	if err != nil {
		return "", err
	}
	if !ok {
		p.mu.Lock()
		wu := f.wlUser
		p.mu.Unlock()
		b, ok, err = p.autoBind(f.corpID, wu)
		if err != nil {
			return "", err
		}
		if ok {
			p.o.Log.Info("sso: auto-associated", "corp", f.corpID, "welinkUser", f.welinkUserID, "oaUser", b.OAUserID)
		}
	}
	if !ok {
		return p.local(r, "/sso/f/"+f.id+"/bind"), nil
	}
	p.mu.Lock()
	f.bound = &b
	p.mu.Unlock()
	if f.kind == "qr" {
		return p.local(r, "/sso/f/"+f.id+"/confirm"), nil
	}
	u, err := p.oaUser(b)
	if err != nil {
		return "", err
	}
	link, err := p.handoff(r, f.appID, f.corpID, f.welinkUserID, u, f.mobile, f.target)
	if err != nil {
		return "", err
	}
	p.endFlow(f)
	return link, nil
}

// oaUser is the bound OA person: from the OA snapshot, else (snapshot not
// pulled yet) the login id the binding remembers; the OA has the last word.
func (p *Public) oaUser(b binding.Binding) (oa.User, error) {
	var u oa.User
	var found bool
	err := p.o.DB.View(func(tx *store.Tx) error {
		var err error
		u, err = directory.OAUsers.Get(tx, url.PathEscape(b.OAUserID))
		if core.Of(err, core.ErrNotFound) {
			return nil
		}
		found = err == nil
		return err
	})
	switch {
	case err != nil:
		return oa.User{}, err
	case found && (u.Left || u.LoginID == ""):
		return oa.User{}, core.ErrSSOOAUserGone.New("oa", firstNonEmpty(u.LoginID, u.Name, b.OAUserID))
	case found:
		return u, nil
	case b.OALoginID == "":
		return oa.User{}, core.ErrSSOOAUserGone.New("oa", b.OAUserID)
	}
	return oa.User{ID: b.OAUserID, LoginID: b.OALoginID}, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// handoff returns the address that opens the OA logged in: the deep link,
// else the app's homepage (an OA entry, or a custom link with a ticket).
func (p *Public) handoff(r *http.Request, appID, corpID, welinkUserID string, u oa.User, mobile bool, target string) (string, error) {
	app, err := p.apps.App(appID)
	if err != nil {
		return "", err
	}
	t := oa.Target{Page: oa.PagePath, Path: target, Mobile: mobile}
	if target == "" {
		if app.Homepage.Kind == "custom" {
			tok := p.issueTicket(&ticket{kind: "custom", appID: appID, corpID: corpID, welinkUserID: welinkUserID, oaUser: u})
			p.o.Log.Info("sso: hand-off to custom link", "app", appID, "oaUser", u.ID)
			return withParam(app.Homepage.CustomURL, ticketParam, tok), nil
		}
		st, err := p.settings.Get()
		if err != nil {
			return "", err
		}
		var entryURL string
		if e, ok := st.Entry(app.Homepage.Entry); ok {
			entryURL = e.URL
		} else if e, ok := st.Entry("home"); ok {
			entryURL = e.URL
		}
		if entryURL == "" {
			t.Page = oa.PageHome
		}
		t.Path = entryURL
	}
	conn, err := p.o.OA(r.Context())
	if err != nil {
		return "", err
	}
	ctx, cancel := p.ctxFor(r)
	defer cancel()
	link, err := conn.SSOURL(ctx, u, t)
	if err != nil {
		p.o.Log.Warn("sso: OA hand-off failed", "app", appID, "oaUser", u.ID, "err", err)
		return "", err
	}
	// The link carries the OA's own token: log where it goes, not the link.
	p.o.Log.Info("sso: hand-off to OA", "app", appID, "oaUser", u.ID, "loginId", u.LoginID, "mobile", mobile, "deepLink", target != "")
	return link, nil
}

func withParam(raw, k, v string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// checkTarget accepts a path on the OA or an absolute URL on an OA host.
func (p *Public) checkTarget(t string) error {
	if len(t) > MaxTargetLen {
		return core.ErrSSOTargetInvalid.New("reason", "too long")
	}
	for _, c := range t {
		if c < ' ' || c == '\\' || c == 0x7f {
			return core.ErrSSOTargetInvalid.New("reason", "control character")
		}
	}
	if strings.HasPrefix(t, "/") {
		if strings.HasPrefix(t, "//") {
			return core.ErrSSOTargetInvalid.New("reason", "scheme-relative")
		}
		// A path that does not parse (a broken %-escape) is refused rather
		// than handed to the OA as-is: it is no link an OA would send.
		if _, err := url.Parse(t); err != nil {
			return core.ErrSSOTargetInvalid.New("reason", "malformed path")
		}
		return nil
	}
	u, err := url.Parse(t)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return core.ErrSSOTargetInvalid.New("reason", "not an OA address")
	}
	for _, base := range p.o.OAURLs() {
		if b, err := url.Parse(base); err == nil && b.Host != "" && strings.EqualFold(b.Host, u.Host) {
			return nil
		}
	}
	return core.ErrSSOTargetInvalid.New("reason", "host "+u.Hostname())
}

// GET /sso/f/{flow}/bind: "link your OA account" (seed §4.2.3 手动绑定).
func (p *Public) bindPage(w http.ResponseWriter, r *http.Request) {
	f, err := p.bindableFlow(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.renderBind(w, r, f, "", nil, http.StatusOK)
}

func (p *Public) bindableFlow(r *http.Request) (*flow, error) {
	f, err := p.flowFor(r, r.PathValue("flow"))
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	ok := f.welinkUserID != "" && f.bound == nil
	p.mu.Unlock()
	if !ok {
		return nil, core.ErrSSOStateInvalid.New()
	}
	if !p.selfServiceEnabled(f.corpID) {
		return nil, core.ErrSSONotBound.New()
	}
	return f, nil
}

// POST /sso/f/{flow}/bind (loginId, password, csrf).
func (p *Public) bindSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := p.bindableFlow(r)
	if err == nil {
		err = p.checkCSRF(r, f)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	loginID := strings.TrimSpace(r.PostFormValue("loginId"))
	password := r.PostFormValue("password")
	if loginID == "" || password == "" {
		field := "loginId"
		if loginID != "" {
			field = "password"
		}
		p.renderBind(w, r, f, loginID, core.ErrRequired.New("field", field), http.StatusBadRequest)
		return
	}
	b, err := p.selfBind(r, f.corpID, f.welinkUserID, loginID, password)
	if err != nil {
		e := core.AsError(err)
		p.o.Log.Info("sso: self-service bind refused", "corp", f.corpID, "welinkUser", f.welinkUserID, "code", e.Code)
		status := e.Status
		if status == 0 || status == http.StatusUnauthorized {
			status = http.StatusBadRequest
		}
		p.renderBind(w, r, f, loginID, err, status)
		return
	}
	p.o.Log.Info("sso: self-service bound", "corp", f.corpID, "welinkUser", f.welinkUserID, "oaUser", b.OAUserID)
	next, err := p.proceed(r, f)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// POST /sso/ticket/verify (ticket): a custom homepage redeems the ticket
// it received as ?cb_ticket= (single use, TicketTTL).
func (p *Public) redeem(w http.ResponseWriter, r *http.Request) {
	t, err := p.takeTicket(r.PostFormValue("ticket"), "custom")
	if err != nil {
		p.failJSON(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{
		"loginId": t.oaUser.LoginID, "oaUserId": t.oaUser.ID, "name": t.oaUser.Name,
		"welinkUserId": t.welinkUserID, "corpId": t.corpID, "appId": t.appID,
	})
}
