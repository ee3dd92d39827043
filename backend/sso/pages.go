package sso

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/tenant"
)

// The pages are made for a phone screen, carry no external assets, and
// may not be framed (the confirm button must not be clickjacked).
var pages = template.Must(template.New("").Funcs(template.FuncMap{"t": tr}).Parse(`
{{define "head"}}<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f2f4f7;color:#1f2329;-webkit-text-size-adjust:100%}
main{max-width:480px;margin:0 auto;padding:24px 18px 40px}
.brand{font-size:13px;color:#8f959e;margin-bottom:18px;display:flex;align-items:center;gap:8px}
.brand i{display:inline-block;width:22px;height:22px;border-radius:6px;background:linear-gradient(135deg,#0a59f7,#36c4ff)}
.card{background:#fff;border-radius:14px;padding:22px 18px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:21px;margin:0 0 8px;font-weight:600}
p{margin:0 0 14px;color:#51565d}
label{display:block;font-size:14px;color:#51565d;margin:14px 0 6px}
input{width:100%;height:46px;padding:0 12px;font-size:16px;border:1px solid #d0d3d6;border-radius:10px;background:#fff;color:#1f2329}
input:focus{outline:2px solid #0a59f7;outline-offset:-1px;border-color:#0a59f7}
button,.btn{display:block;width:100%;height:48px;margin-top:18px;font-size:17px;border:0;border-radius:10px;background:#0a59f7;color:#fff;text-align:center;line-height:48px;text-decoration:none;cursor:pointer}
button.secondary,.btn.secondary{background:#fff;color:#1f2329;border:1px solid #d0d3d6;margin-top:10px}
button[disabled]{opacity:.6}
.err{background:#fff1f0;color:#c4302b;border-radius:10px;padding:10px 12px;margin:0 0 14px;font-size:15px}
.note{font-size:13px;color:#8f959e;margin-top:14px}
.list a{display:block;padding:14px 4px;border-bottom:1px solid #eef0f2;color:#1f2329;text-decoration:none}
.list a:last-child{border-bottom:0}
.list b{display:block;font-size:17px;font-weight:600}.list span{font-size:13px;color:#8f959e}
.spin{width:34px;height:34px;margin:18px auto;border:3px solid #dfe3e8;border-top-color:#0a59f7;border-radius:50%;animation:s 1s linear infinite}
@keyframes s{to{transform:rotate(360deg)}}
.ok{width:56px;height:56px;border-radius:50%;background:#e8f7ee;color:#1f9d55;font-size:32px;line-height:56px;text-align:center;margin:6px auto 12px}
.center{text-align:center}
</style></head><body><main><div class="brand"><i></i>{{t .Lang "brand"}}</div>{{end}}
{{define "foot"}}</main></body></html>{{end}}

{{define "auth"}}{{template "head" .}}<div class="card center" data-testid="sso-auth">
<h1 id="title">{{t .Lang "auth.title"}}</h1><p id="hint">{{t .Lang "auth.hint"}}</p><div class="spin" id="spin"></div>
<div class="err" id="err" role="alert" hidden></div>
<a class="btn secondary" id="oauth" href="{{.OAuthURL}}" hidden>{{t .Lang "auth.oauth"}}</a></div>
<script nonce="{{.Nonce}}">
(function () {
  var cfg = {clientId: {{.ClientID}}, codeURL: {{.CodeURL}}, oauthURL: {{.OAuthURL}}, csrf: {{.CSRF}}, jsapi: {{.JSAPI}}, wait: {{.WaitMs}}, failTitle: {{.FailTitle}}};
  var done = false;
  function fallback() { if (done) return; done = true; location.replace(cfg.oauthURL); }
  function fail(msg) {
    done = true;
    document.getElementById('spin').hidden = true;
    document.getElementById('hint').hidden = true;
    document.getElementById('title').textContent = cfg.failTitle;
    var e = document.getElementById('err'); e.textContent = msg; e.hidden = false;
  }
  var timer = setTimeout(fallback, cfg.wait);
  function go() {
    if (!window.HWH5 || !window.HWH5.getAuthCode) { clearTimeout(timer); fallback(); return; }
    window.HWH5.getAuthCode({clientId: cfg.clientId}).then(function (r) {
      clearTimeout(timer);
      if (done) return;
      done = true;
      var body = new URLSearchParams({code: (r && r.code) || '', csrf: cfg.csrf});
      return fetch(cfg.codeURL, {method: 'POST', body: body, credentials: 'same-origin'})
        .then(function (res) { return res.json(); })
        .then(function (j) { if (j.next) location.replace(j.next); else fail(j.message || 'error'); });
    }).catch(function () { clearTimeout(timer); if (!done) fallback(); else fail('network'); });
  }
  var s = document.createElement('script');
  s.src = cfg.jsapi; s.onload = go; s.onerror = function () { clearTimeout(timer); fallback(); };
  document.head.appendChild(s);
})();
</script>{{template "foot" .}}{{end}}

{{define "pick"}}{{template "head" .}}<div class="card" data-testid="sso-pick">
<h1>{{t .Lang "pick.title"}}</h1><p>{{t .Lang "pick.hint"}}</p>
<div class="list">{{range .Choices}}<a href="{{.URL}}" data-testid="sso-pick-item"><b>{{.Team}}</b><span>{{.Corp}} · {{t $.Lang "pick.app"}}{{.App}}</span></a>{{end}}</div>
</div>{{template "foot" .}}{{end}}

{{define "bind"}}{{template "head" .}}<div class="card" data-testid="sso-bind">
<h1>{{t .Lang "bind.title"}}</h1><p>{{t .Lang "bind.hint" "name" .Name}}</p>
{{if .Error}}<div class="err" role="alert" data-testid="sso-bind-error">{{.Error}}</div>{{end}}
<form method="post" action="{{.Action}}" autocomplete="off">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="loginId">{{t .Lang "bind.loginId"}}</label>
<input id="loginId" name="loginId" value="{{.LoginID}}" autocapitalize="none" autocorrect="off" spellcheck="false" required maxlength="128">
<label for="password">{{t .Lang "bind.password"}}</label>
<input id="password" name="password" type="password" required maxlength="256">
<button type="submit" id="bind-submit">{{t .Lang "bind.submit"}}</button>
</form><div class="note">{{t .Lang "bind.note"}}</div></div>{{template "foot" .}}{{end}}

{{define "confirm"}}{{template "head" .}}<div class="card" data-testid="sso-confirm">
<h1>{{t .Lang "confirm.title"}}</h1>
<p data-testid="sso-confirm-as">{{if .Name}}{{t .Lang "confirm.as" "name" .Name "login" .LoginID}}{{else}}{{t .Lang "confirm.asLogin" "login" .LoginID}}{{end}}</p>
<p class="note">{{t .Lang "confirm.from" "ip" .IP}}</p>
<form method="post" action="{{.Action}}"><input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit" name="action" value="confirm" id="confirm">{{t .Lang "confirm.ok"}}</button>
<button type="submit" name="action" value="cancel" class="secondary" id="cancel">{{t .Lang "confirm.cancel"}}</button>
</form></div>{{template "foot" .}}{{end}}

{{define "done"}}{{template "head" .}}<div class="card center" data-testid="sso-done">
{{if .OK}}<div class="ok">✓</div><h1>{{t .Lang "done.ok"}}</h1><p>{{t .Lang "done.okHint" "name" .Name}}</p>
{{else}}<h1>{{t .Lang "done.cancel"}}</h1><p>{{t .Lang "done.cancelHint"}}</p>{{end}}
</div>{{template "foot" .}}{{end}}

{{define "error"}}{{template "head" .}}<div class="card" data-testid="sso-error" data-code="{{.Code}}">
<h1>{{t .Lang "error.title"}}</h1><div class="err" role="alert">{{.Message}}</div>
<p class="note">{{t .Lang "error.back"}}</p></div>{{template "foot" .}}{{end}}
`))

type pageBase struct {
	Lang, Title, Nonce string
}

func (p *Public) render(w http.ResponseWriter, name string, status int, data any) {
	setPageHeaders(w, status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		p.o.Log.Error("sso: page template", "page", name, "err", err)
	}
}

func setPageHeaders(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	w.WriteHeader(status)
}

// fail shows an error page in the user's language.
func (p *Public) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := core.AsError(err)
	lang := langOf(r)
	if e.Code == core.ErrInternal.Code {
		p.o.Log.Error("sso: internal error", "path", r.URL.Path, "err", err)
	}
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	p.render(w, "error", status, struct {
		pageBase
		Code, Message string
	}{pageBase{Lang: lang, Title: tr(lang, "error.title")}, e.Code, core.Translate(lang, e.Code, e.Params)})
}

func (p *Public) failJSON(w http.ResponseWriter, r *http.Request, err error) {
	e := core.AsError(err)
	if e.Code == core.ErrInternal.Code {
		p.o.Log.Error("sso: internal error", "path", r.URL.Path, "err", err)
	}
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": e.Code, "params": e.Params, "message": core.Translate(langOf(r), e.Code, e.Params)})
}

func (p *Public) renderAuth(w http.ResponseWriter, r *http.Request, f *flow, app tenant.AppView) {
	lang := langOf(r)
	jsapi := p.o.WeLinkWeb().JSAPIURL
	if jsapi == "" {
		jsapi = DefaultJSAPIURL
	}
	// The page is the same for every login of an app but for three tokens:
	// it is rendered once with placeholders, which are then replaced.
	// Template escaping was a tenth of a login's CPU.
	codeURL := p.local(r, "/sso/f/"+phFlow+"/code")
	key := strings.Join([]string{lang, app.ClientID, jsapi, codeURL}, "\x00")
	page, ok := p.authPages.Load(key)
	if !ok {
		var b strings.Builder
		err := pages.ExecuteTemplate(&b, "auth", struct {
			pageBase
			ClientID, CodeURL, OAuthURL, CSRF, JSAPI, FailTitle string
			WaitMs                                              int
		}{pageBase{Lang: lang, Title: tr(lang, "auth.title"), Nonce: phNonce}, app.ClientID,
			codeURL, p.local(r, "/sso/f/"+phFlow+"/oauth"), phCSRF, jsapi, tr(lang, "error.title"), int(jsapiTimeout / time.Millisecond)})
		if err != nil {
			p.o.Log.Error("sso: page template", "page", "auth", "err", err)
			return
		}
		if p.authPageCount.Add(1) > 256 { // apps × languages × base URLs: a handful
			p.authPages.Clear()
			p.authPageCount.Store(1)
		}
		page, _ = p.authPages.LoadOrStore(key, b.String())
	}
	setPageHeaders(w, http.StatusOK)
	// Tokens are base32 and ids lower-case base32: safe in every context
	// the placeholders sit in (URL path, JS string, attribute).
	strings.NewReplacer(phFlow, f.id, phCSRF, f.csrf, phNonce, core.NewID()).WriteString(w, page.(string))
}

// Placeholders of the cached auth page; upper-case letters and digits only,
// so template escaping leaves them as they are.
const (
	phFlow  = "CBFLOWPLACEHOLDER0"
	phCSRF  = "CBCSRFPLACEHOLDER0"
	phNonce = "CBNONCEPLACEHOLDER0"
)

type choice struct{ Team, Corp, App, URL string }

func (p *Public) renderPick(w http.ResponseWriter, r *http.Request, f *flow, apps []QRApp) {
	lang := langOf(r)
	var cs []choice
	corpNames := map[string]string{}
	if corps, err := p.o.Tenant.ListCorps(); err == nil {
		for _, c := range corps {
			corpNames[c.ID] = c.Name
		}
	}
	for _, a := range apps {
		app, err := p.apps.App(a.AppID)
		if err != nil {
			continue
		}
		team := p.teamName(r.Context(), a.AppID, lang)
		if team == "" {
			team = corpNames[a.CorpID]
		}
		cs = append(cs, choice{Team: team, Corp: corpNames[a.CorpID], App: app.Name,
			URL: p.local(r, "/sso/f/"+f.id+"/auth?app="+url.QueryEscape(a.AppID))})
	}
	p.render(w, "pick", http.StatusOK, struct {
		pageBase
		Choices []choice
	}{pageBase{Lang: lang, Title: tr(lang, "pick.title")}, cs})
}

type teamEntry struct {
	cn, en string
	at     time.Time
}

// teamName is the WeLink tenant's company name (GET /tenant/v1/tenants),
// cached for an hour; "" when WeLink does not answer in time.
func (p *Public) teamName(ctx context.Context, appID, lang string) string {
	p.mu.Lock()
	if p.teams == nil {
		p.teams = map[string]teamEntry{}
	}
	e, ok := p.teams[appID]
	p.mu.Unlock()
	if !ok || p.now().Sub(e.at) > time.Hour {
		wa, err := p.welinkApp(appID)
		if err == nil {
			ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			t, terr := wa.Tenant(ctx)
			cancel()
			if terr == nil {
				e = teamEntry{cn: t.CompanyNameCn, en: t.CompanyNameEn, at: p.now()}
				p.mu.Lock()
				p.teams[appID] = e
				p.mu.Unlock()
			}
		}
	}
	if lang == "en-US" && e.en != "" {
		return e.en
	}
	return e.cn
}

func (p *Public) renderBind(w http.ResponseWriter, r *http.Request, f *flow, loginID string, err error, status int) {
	lang := langOf(r)
	msg := ""
	if err != nil {
		e := core.AsError(err)
		msg = core.Translate(lang, e.Code, e.Params)
	}
	p.mu.Lock()
	name := f.welinkName
	p.mu.Unlock()
	p.render(w, "bind", status, struct {
		pageBase
		Name, Error, Action, CSRF, LoginID string
	}{pageBase{Lang: lang, Title: tr(lang, "bind.title")}, name, msg, p.local(r, "/sso/f/"+f.id+"/bind"), f.csrf, loginID})
}

func (p *Public) renderConfirm(w http.ResponseWriter, r *http.Request, f *flow, u oa.User, ip string) {
	lang := langOf(r)
	p.render(w, "confirm", http.StatusOK, struct {
		pageBase
		Name, LoginID, IP, Action, CSRF string
	}{pageBase{Lang: lang, Title: tr(lang, "confirm.title")}, u.Name, u.LoginID, ip, p.local(r, "/sso/f/"+f.id+"/confirm"), f.csrf})
}

func (p *Public) renderDone(w http.ResponseWriter, r *http.Request, ok bool, name string) {
	lang := langOf(r)
	title := tr(lang, "done.cancel")
	if ok {
		title = tr(lang, "done.ok")
	}
	p.render(w, "done", http.StatusOK, struct {
		pageBase
		OK   bool
		Name string
	}{pageBase{Lang: lang, Title: title}, ok, name})
}

// allowedOrigins may frame the QR page and receive its postMessage: the
// OA's addresses and this listener's own.
func (p *Public) allowedOrigins(r *http.Request) []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range append(p.o.OAURLs(), p.publicBase(r)) {
		if o := origin(u); o != "" && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}
