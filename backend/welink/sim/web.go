package sim

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The browser side of WeLink: the JSAPI script a light-app page loads, the
// OAuth2 authorize page, the scan-login QR iframe and a "phone" page that
// opens a scanned URL as a chosen WeLink user. Who is logged in to the
// emulated WeLink is, in this order: an explicit choice on the page, the
// wl_sim_user cookie (login pages), the server's current user.

const simCookie = "wl_sim_user"

func (s *Server) webRoutes() {
	js := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write([]byte(hwh5JS))
	}
	s.mux.HandleFunc("GET /docs/jsapi/2.0.9/hwh5-cloudonline.js", js) // same path as WeLink's CDN
	s.mux.HandleFunc("GET /sim/hwh5.js", js)
	s.mux.HandleFunc("/sim/jsapi/authcode", s.webAuthCode)
	s.mux.HandleFunc("GET /sso/oauth2/authorize", s.webAuthorize)
	s.mux.HandleFunc("POST /sso/oauth2/authorize", s.webAuthorize)
	s.mux.HandleFunc("GET /sso-proxy-front/public/qrcode/0.0.1/wlQrcodeLogin.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write([]byte(qrLoginJS))
	})
	s.mux.HandleFunc("GET /sso-proxy-front/public/qrcode/0.0.1/qrcode.html", s.webQR)
	s.mux.HandleFunc("GET /sim/qr/scan", s.webQRScan)
	s.mux.HandleFunc("GET /sim/phone", s.webPhone)
	s.mux.HandleFunc("GET /sim/login", s.webLogin)
}

// hwh5JS is the emulated JSAPI. getAuthCode resolves {code} like WeLink's;
// the user is opts.userId (emulator only), the script tag's data-user, the
// page's ?wl_sim_user=, localStorage "hwh5-sim-user", else the emulator's
// current user.
const hwh5JS = `(function () {
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src).origin : '';
  function pick(opts) {
    if (opts && opts.userId) return opts.userId;
    if (script && script.dataset && script.dataset.user) return script.dataset.user;
    var m = /[?&]wl_sim_user=([^&#]+)/.exec(location.search);
    if (m) return decodeURIComponent(m[1]);
    try { var u = localStorage.getItem('hwh5-sim-user'); if (u) return u; } catch (e) {}
    return '';
  }
  window.HWH5 = {
    simulated: true,
    getAuthCode: function (opts) {
      var q = 'clientId=' + encodeURIComponent((opts && opts.clientId) || '') + '&userId=' + encodeURIComponent(pick(opts));
      return fetch(base + '/sim/jsapi/authcode?' + q, { method: 'POST', mode: 'cors' })
        .then(function (r) { return r.json(); })
        .then(function (j) { if (j.code) return { code: j.code }; throw new Error(j.error || 'getAuthCode failed'); });
    },
    config: function () { return Promise.resolve(); },
    ready: function (cb) { setTimeout(cb, 0); },
    error: function () {},
    close: function () { window.close(); },
    setNavigationBarTitle: function () { return Promise.resolve(); }
  };
})();
`

// POST /sim/jsapi/authcode?clientId=&userId=: the code HWH5.getAuthCode gets.
func (s *Server) webAuthCode(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		return
	}
	uid := r.URL.Query().Get("userId")
	if uid == "" {
		uid = s.CurrentUser()
	}
	code, ok := s.IssueCode(uid, r.URL.Query().Get("clientId"))
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "unknown WeLink user " + uid})
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"code": code})
}

// loggedIn is the browser's WeLink user: the cookie, else the current user.
func (s *Server) loggedIn(r *http.Request) string {
	if c, err := r.Cookie(simCookie); err == nil {
		s.mu.RLock()
		ok := s.org.users[c.Value] != nil
		s.mu.RUnlock()
		if ok {
			return c.Value
		}
	}
	return ""
}

// GET/POST /sso/oauth2/authorize: WeLink's web OAuth2 (scope backendlogin).
// A logged-in browser goes straight back to redirect_uri?code=&state=;
// otherwise a login page lets the tester pick the user.
func (s *Server) webAuthorize(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	clientID, redirect, state := r.Form.Get("client_id"), r.Form.Get("redirect_uri"), r.Form.Get("state")
	s.mu.RLock()
	known := s.apps[clientID] != nil
	s.mu.RUnlock()
	switch {
	case !known:
		oauthError(w, "60010", "client_id or client_secret authentication failed")
		return
	case redirect == "" || !httpURL(redirect):
		oauthError(w, "60019", "redirectUrl invalid")
		return
	case strings.Contains(redirect, "?"):
		// "redirect_uri must not contain query parameters (404 otherwise)".
		http.NotFound(w, r)
		return
	case len(state) > 255:
		oauthError(w, "60006", "state is too long")
		return
	case r.Form.Get("response_type") != "code" || r.Form.Get("scope") != "backendlogin":
		oauthError(w, "60020", "response_type must be code and scope backendlogin")
		return
	}
	uid := r.Form.Get("userIdOther")
	if uid == "" {
		uid = r.Form.Get("userId")
	}
	if uid == "" {
		uid = s.loggedIn(r)
	}
	if uid == "" {
		s.loginPage(w, r, "WeLink 登录", r.URL.Path, r.Form)
		return
	}
	code, ok := s.IssueOAuthCode(uid, clientID, redirect)
	if !ok {
		s.loginPage(w, r, "WeLink 登录", r.URL.Path, r.Form)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: simCookie, Value: uid, Path: "/", HttpOnly: true})
	http.Redirect(w, r, withCode(redirect, code, state), http.StatusFound)
}

func withCode(redirect, code, state string) string {
	q := url.Values{"code": {code}}
	if state != "" {
		q.Set("state", state)
	}
	sep := "?"
	if strings.Contains(redirect, "?") {
		sep = "&"
	}
	return redirect + sep + q.Encode()
}

func oauthError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
}

type pageUser struct{ ID, Name, Dept string }

// someUsers lists users for the pickers: the current one first, then the
// tenant's first ones.
func (s *Server) someUsers(n int) []pageUser {
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := make([]*user, 0, len(s.org.users))
	for _, u := range s.org.users {
		if u.Status == "3" {
			list = append(list, u)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	var out []pageUser
	add := func(u *user) {
		dn := ""
		if d := s.org.depts[u.MainDept]; d != nil {
			dn = d.NameCn
		}
		out = append(out, pageUser{u.UserID, u.NameCn, dn})
	}
	if u := s.org.users[s.current]; u != nil {
		add(u)
	}
	for _, u := range list {
		if len(out) >= n {
			break
		}
		if u.UserID != s.current {
			add(u)
		}
	}
	return out
}

var pageTmpl = template.Must(template.New("p").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;background:#f3f5f8;color:#1f2329}
.box{max-width:420px;margin:40px auto;background:#fff;border-radius:10px;padding:24px;box-shadow:0 2px 12px #0001}
h1{font-size:20px;margin:0 0 4px}.sub{color:#8f959e;font-size:13px;margin-bottom:16px}
.qr{width:180px;height:180px;margin:10px auto 16px;background:repeating-conic-gradient(#1f2329 0 25%,#fff 0 50%) 0 0/22px 22px;border:8px solid #fff;outline:1px solid #dee0e3}
select,input,button{width:100%;box-sizing:border-box;padding:9px;margin:6px 0;font-size:15px;border-radius:6px;border:1px solid #c9cdd4}
button{background:#0a59f7;color:#fff;border:0;cursor:pointer}.note{font-size:12px;color:#8f959e;margin-top:12px}
</style></head><body><div class="box">
<h1>{{.Title}}</h1><div class="sub">WeLink 模拟器 · emulated WeLink</div>
{{if .QR}}<div class="qr" aria-label="QR"></div><div class="sub" style="text-align:center">请使用 WeLink 扫码登录</div>{{end}}
<form method="{{.Method}}" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<label for="userId">{{.Label}}</label>
<select id="userId" name="userId">{{range .Users}}<option value="{{.ID}}">{{.Name}} · {{.Dept}} ({{.ID}})</option>{{end}}</select>
<input name="userIdOther" placeholder="或输入 userId / or type a userId" aria-label="userId">
{{if .URLField}}<input name="url" placeholder="扫描到的地址 / scanned URL" value="{{.URL}}" aria-label="URL">{{end}}
<button type="submit" id="go">{{.Button}}</button>
</form><div class="note">{{.Note}}</div></div></body></html>`))

type pageData struct {
	Title, Label, Button, Note, Method, Action, URL string
	QR, URLField                                    bool
	Hidden                                          map[string]string
	Users                                           []pageUser
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, title, action string, form url.Values) {
	hidden := map[string]string{}
	for k := range form {
		if k != "userId" && k != "userIdOther" {
			hidden[k] = form.Get(k)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTmpl.Execute(w, pageData{Title: title, Label: "以此用户登录 / sign in as", Button: "登录 / Sign in",
		Method: "post", Action: action, Hidden: hidden, Users: s.someUsers(50),
		Note: "模拟器不校验密码 · the emulator asks no password"})
}

// GET qrcode.html: the scan-login iframe. A tester "scans" by choosing a
// user; the page then sends the top window to redirect_uri?code=&state=
// (the redirect format is not documented; inferred from OAuth2).
func (s *Server) webQR(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.RLock()
	known := s.apps[q.Get("client_id")] != nil
	s.mu.RUnlock()
	if !known {
		oauthError(w, "60010", "client_id invalid")
		return
	}
	if q.Get("redirect_uri") == "" {
		oauthError(w, "60019", "redirectUrl invalid")
		return
	}
	hidden := map[string]string{}
	for _, k := range []string{"client_id", "redirect_uri", "state", "self_redirect"} {
		hidden[k] = q.Get(k)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTmpl.Execute(w, pageData{Title: "扫码登录", QR: true, Label: "模拟扫码的用户 / scanning user",
		Button: "模拟扫码 / Simulate scan", Method: "get", Action: "/sim/qr/scan", Hidden: hidden, Users: s.someUsers(50),
		Note: "真实 WeLink 在手机上扫码；模拟器用此按钮代替 · WeLink scans with the phone; here the button stands in"})
}

// GET /sim/qr/scan: the simulated scan; redirects the top window.
func (s *Server) webQRScan(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	uid := q.Get("userIdOther")
	if uid == "" {
		uid = q.Get("userId")
	}
	if uid == "" {
		uid = s.CurrentUser()
	}
	redirect := q.Get("redirect_uri")
	if u, err := url.QueryUnescape(redirect); err == nil && strings.HasPrefix(u, "http") && !strings.HasPrefix(redirect, "http") {
		redirect = u // callers like MaxKey pass it encoded twice
	}
	if !httpURL(redirect) {
		oauthError(w, "60019", "redirectUrl invalid")
		return
	}
	code, ok := s.IssueOAuthCode(uid, q.Get("client_id"), "")
	if !ok {
		oauthError(w, "60008", "unknown WeLink user "+uid)
		return
	}
	target := withCode(redirect, code, q.Get("state"))
	if q.Get("self_redirect") == "true" {
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	b, _ := json.Marshal(target)
	w.Write([]byte(`<!doctype html><meta charset="utf-8"><script>window.top.location.href=` + string(b) + `;</script>`))
}

// qrLoginJS mirrors WeLink's wlQrcodeLogin.js: it puts the QR iframe into
// the element opts.id.
const qrLoginJS = `(function () {
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : '';
  window.wlQrcodeLogin = function (o) {
    var base = o.baseUrl || origin;
    var src = base + '/sso-proxy-front/public/qrcode/0.0.1/qrcode.html?redirect_uri=' + encodeURIComponent(o.redirect_uri) +
      '&client_id=' + encodeURIComponent(o.client_id) + '&response_type=' + (o.response_type || 'code') +
      '&scope=' + (o.scope || 'snsapi_login') + '&state=' + encodeURIComponent(o.state || '') +
      '&self_redirect=' + (o.self_redirect ? 'true' : 'false') + '&lang=' + (o.lang || 'cn');
    var f = document.createElement('iframe');
    f.src = src; f.width = o.width || 365; f.height = o.height || 400; f.frameBorder = '0'; f.scrolling = 'no';
    f.setAttribute('title', 'WeLink QR login');
    var el = document.getElementById(o.id); el.innerHTML = ''; el.appendChild(f);
  };
})();
`

// GET /sim/phone?url=&userId=: "open this scanned URL in WeLink as this
// user": sets the emulator's current user (what HWH5.getAuthCode falls back
// to) and goes to the URL. Without a url it shows a form.
func (s *Server) webPhone(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	uid := q.Get("userIdOther")
	if uid == "" {
		uid = q.Get("userId")
	}
	target := q.Get("url")
	if target != "" && uid != "" && httpURL(target) && s.SetCurrentUser(uid) {
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTmpl.Execute(w, pageData{Title: "模拟手机 WeLink", Label: "WeLink 用户 / user", Button: "在 WeLink 中打开 / Open in WeLink",
		Method: "get", Action: "/sim/phone", URLField: true, URL: target, Users: s.someUsers(50),
		Note: "粘贴二维码里的地址 · paste the address the QR code holds"})
}

// GET /sim/login?userId=&next=: log the browser in to the emulated WeLink.
func (s *Server) webLogin(w http.ResponseWriter, r *http.Request) {
	uid := r.URL.Query().Get("userId")
	s.mu.RLock()
	ok := s.org.users[uid] != nil
	s.mu.RUnlock()
	if !ok {
		http.Error(w, "unknown WeLink user", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: simCookie, Value: uid, Path: "/", HttpOnly: true})
	if next := r.URL.Query().Get("next"); httpURL(next) || strings.HasPrefix(next, "/") {
		http.Redirect(w, r, next, http.StatusFound)
		return
	}
	w.Write([]byte("ok"))
}
