package sim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sessionCookie is e-cology's session cookie name.
const sessionCookie = "ecology_JSessionid"

type session struct {
	userID  int // 0 = not logged in
	rsaCode string
}

type loginFailures struct {
	count       int
	lockedUntil time.Time
}

type ssoToken struct {
	userID int
	exp    time.Time
}

// rsaLoginKey is the login RSA key, made once per process (2048 bits, as
// the 240-character chunks of e-cology's login page imply).
var rsaLoginKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// rsaFlag marks the end of each encrypted chunk. guess: the real flag
// value is whatever GetRsaInfo says; clients must not assume this one.
const rsaFlag = "``RSA``"

// sessionFor returns the caller's session, creating one (and its cookie).
// The caller holds s.mu.
func (s *Server) sessionFor(w http.ResponseWriter, r *http.Request) *session {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if sess, ok := s.sessions[c.Value]; ok {
			return sess
		}
	}
	id := strings.ToUpper(randomHex(12))
	sess := &session{}
	s.sessions[id] = sess
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true})
	return sess
}

func (s *Server) handleRSAInfo(w http.ResponseWriter, r *http.Request) {
	if !s.opts.RSALogin {
		// guess: with RSA login off the endpoint answers empty values.
		writeJSON(w, http.StatusOK, map[string]string{"rsa_flag": "", "rsa_code": "", "rsa_pub": ""})
		return
	}
	s.mu.Lock()
	sess := s.sessionFor(w, r)
	sess.rsaCode = randomHex(4)
	code := sess.rsaCode
	s.mu.Unlock()
	der, _ := x509.MarshalPKIXPublicKey(&rsaLoginKey().PublicKey)
	writeJSON(w, http.StatusOK, map[string]string{"rsa_flag": rsaFlag, "rsa_code": code,
		"rsa_pub": base64.StdEncoding.EncodeToString(der)})
}

// rsaDecryptField undoes the login page's encryption: chunks of
// base64(RSA(value+rsa_code)) each followed by rsa_flag.
func rsaDecryptField(v, code string) (string, bool) {
	if !strings.HasSuffix(v, rsaFlag) {
		return "", false
	}
	var b strings.Builder
	for _, chunk := range strings.Split(strings.TrimSuffix(v, rsaFlag), rsaFlag) {
		ct, err := base64.StdEncoding.DecodeString(chunk)
		if err != nil {
			return "", false
		}
		plain, err := rsa.DecryptPKCS1v15(nil, rsaLoginKey(), ct)
		if err != nil {
			return "", false
		}
		b.Write(plain)
	}
	out := b.String()
	if code == "" || !strings.HasSuffix(out, code) {
		return "", false
	}
	return strings.TrimSuffix(out, code), true
}

// handleCheckLogin emulates /api/hrm/login/checkLogin.
// guess: the msg texts and msgcode values below; the reference documents
// only the field names and loginstatus "true"/"false".
func (s *Server) handleCheckLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusOK, map[string]string{"loginstatus": "false", "msg": "参数错误", "msgcode": "1"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessionFor(w, r)
	login, pwd := r.PostForm.Get("loginid"), r.PostForm.Get("userpassword")
	if s.opts.RSALogin {
		var ok1, ok2 bool
		login, ok1 = rsaDecryptField(login, sess.rsaCode)
		pwd, ok2 = rsaDecryptField(pwd, sess.rsaCode)
		sess.rsaCode = "" // one code per attempt
		if !ok1 || !ok2 {
			writeJSON(w, http.StatusOK, map[string]string{"loginstatus": "false", "msg": "登录信息解密失败，请刷新页面重试", "msgcode": "101"})
			return
		}
	}
	fail := func(msg, code string, wrong int) {
		writeJSON(w, http.StatusOK, map[string]string{"loginstatus": "false", "msg": msg, "msgcode": code,
			"userid": "", "user_token": "", "sumpasswordwrong": strconv.Itoa(wrong)})
	}
	if s.captcha {
		fail("请输入验证码", "20", 0)
		return
	}
	u := s.userByLogin(login)
	if u == nil || u.AccountType == 1 {
		fail("用户名或密码错误", "16", 0)
		return
	}
	lf := s.failures[u.ID]
	if lf == nil {
		lf = &loginFailures{}
		s.failures[u.ID] = lf
	}
	now := s.clock.Now()
	if now.Before(lf.lockedUntil) {
		fail(fmt.Sprintf("账号已被锁定，请%d分钟后再试", int(lf.lockedUntil.Sub(now).Minutes())+1), "17", lf.count)
		return
	}
	if u.Password == "" || pwd != u.Password {
		lf.count++
		if lf.count >= s.opts.LockoutAfter {
			lf.lockedUntil = now.Add(s.opts.LockoutFor)
			fail("密码错误次数过多，账号已被锁定", "17", lf.count)
			return
		}
		fail(fmt.Sprintf("用户名或密码错误，还可尝试%d次", s.opts.LockoutAfter-lf.count), "16", lf.count)
		return
	}
	if u.Status >= 4 {
		fail("该账号已离职或无效，不能登录", "18", lf.count)
		return
	}
	lf.count = 0
	sess.userID = u.ID
	writeJSON(w, http.StatusOK, map[string]string{"loginstatus": "true", "msg": "登录成功", "msgcode": "0",
		"userid": strconv.Itoa(u.ID), "user_token": strings.ToUpper(randomHex(16)), "sumpasswordwrong": "0"})
}

// handleSSOToken emulates /ssologin/getToken: appid must be configured
// for the caller's IP; the body is the plain-text token.
// guess: a refused appid/IP or an unknown loginid gets an empty body.
func (s *Server) handleSSOToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	appid, login := r.PostForm.Get("appid"), r.PostForm.Get("loginid")
	allowed, ok := s.opts.SSOApps[appid]
	if !ok || (allowed != "*" && allowed != clientIP(r)) {
		w.WriteHeader(http.StatusOK)
		return
	}
	s.mu.Lock()
	u := s.userByLogin(login)
	if u == nil || u.Status >= 4 {
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		return
	}
	tok := strings.ToUpper(randomHex(16))
	s.ssoTokens[tok] = ssoToken{userID: u.ID, exp: s.clock.Now().Add(s.opts.SSOTokenTTL)}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	// Real servers pad the token with whitespace; callers trim().
	_, _ = fmt.Fprintf(w, "%s\r\n", tok)
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{if .User}}e-cology - {{.User.LastName}}{{else}}e-cology 登录{{end}}</title></head>
<body>
{{if .User}}
<div id="oa-user" data-testid="oa-logged-in" data-userid="{{.User.ID}}" data-loginid="{{.User.LoginID}}">已登录：{{.User.LastName}}（{{.User.LoginID}}） / logged in as {{.User.LastName}} ({{.User.LoginID}})</div>
<div>页面 / page: <span id="oa-page" data-testid="oa-page">{{.Path}}</span><span id="oa-hash" data-testid="oa-hash"></span></div>
{{if .RequestID}}<div data-testid="oa-request">流程 / request {{.RequestID}}</div>{{end}}
<script>document.getElementById('oa-hash').textContent = location.hash;</script>
{{else}}
<h1>e-cology 9 (emulator)</h1>
{{if .Error}}<p data-testid="oa-error" style="color:#c00">{{.Error}}</p>{{end}}
<form id="login" data-testid="oa-login">
 <input name="loginid" placeholder="账号"> <input name="userpassword" type="password" placeholder="密码">
 <button type="submit">登录</button>
</form>
<script>
document.getElementById('login').onsubmit = async function (e) {
  e.preventDefault();
  const body = new URLSearchParams(new FormData(e.target));
  body.set('logintype', '1');
  const r = await fetch('/api/hrm/login/checkLogin', {method: 'POST', body});
  const j = await r.json();
  if (j.loginstatus === 'true') location.reload(); else alert(j.msg);
};
</script>
{{.Snippet}}
{{end}}
</body></html>`))

// handlePage serves /wui/* and /spa/* pages: a valid ssoToken logs the
// browser in (session cookie), then the page shows who is logged in, so
// browser tests can prove the hand-off; without a session it is the login
// page.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, ".html") && !strings.HasSuffix(r.URL.Path, ".jsp") && !strings.HasSuffix(r.URL.Path, "/") {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	sess := s.sessionFor(w, r)
	errText := ""
	if tok := r.URL.Query().Get("ssoToken"); tok != "" {
		t, ok := s.ssoTokens[tok]
		switch {
		case !ok:
			errText = "ssoToken 无效 / invalid ssoToken"
		case !s.clock.Now().Before(t.exp):
			errText = "ssoToken 已过期 / ssoToken expired"
			delete(s.ssoTokens, tok)
		default:
			sess.userID = t.userID
			if !s.opts.SSOTokenReusable {
				delete(s.ssoTokens, tok)
			}
		}
	}
	var user *User
	if sess.userID != 0 && errText == "" {
		if u := s.userByID(sess.userID); u != nil {
			cp := *u
			user = &cp
		}
	}
	snippet := template.HTML(s.opts.LoginPageSnippet) // trusted: set by the test or operator
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, map[string]any{"User": user, "Path": r.URL.Path, "Error": errText,
		"RequestID": r.URL.Query().Get("requestid"), "Snippet": snippet})
}

// ---- OAuth2 identity provider (/sso/oauth2.0, /papi/sso/oauth2.0) --------

type oauthCode struct {
	userID   int
	clientID string
	redirect string
	exp      time.Time
	e10      bool
}

type oauthAccess struct {
	userID int
	exp    time.Time
	e10    bool
}

var authorizeTmpl = template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>OA 授权登录</title></head><body>
<h1>OA 授权登录 (emulator)</h1>{{if .Error}}<p data-testid="oa-error">{{.Error}}</p>{{end}}
<form method="post" data-testid="oa-oauth-login">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<input name="loginid" placeholder="账号"> <input name="userpassword" type="password" placeholder="密码">
<button type="submit">登录并授权</button></form></body></html>`))

// handleOAuthAuthorize: GET shows the OA's login form (or redirects at
// once when the browser has an OA session); POST checks the password.
func (s *Server) handleOAuthAuthorize(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	e10 := strings.HasPrefix(r.URL.Path, "/papi/")
	clientID, redirect, state := r.Form.Get("client_id"), r.Form.Get("redirect_uri"), r.Form.Get("state")
	if _, ok := s.opts.OAuth2Clients[clientID]; !ok || r.Form.Get("response_type") != "code" {
		http.Error(w, "invalid client_id or response_type", http.StatusBadRequest)
		return
	}
	if u, err := url.Parse(redirect); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	sess := s.sessionFor(w, r)
	uid, errText := sess.userID, ""
	if r.Method == http.MethodPost {
		u := s.userByLogin(r.PostForm.Get("loginid"))
		switch {
		case u == nil || u.Password == "" || u.Password != r.PostForm.Get("userpassword"):
			errText, uid = "用户名或密码错误", 0
		case u.Status >= 4:
			errText, uid = "该账号已离职或无效", 0
		default:
			uid, sess.userID = u.ID, u.ID
		}
	}
	if uid == 0 {
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = authorizeTmpl.Execute(w, map[string]any{"Error": errText, "Hidden": map[string]string{
			"client_id": clientID, "redirect_uri": redirect, "state": state, "response_type": "code"}})
		return
	}
	code := "OC-" + randomHex(12)
	s.codes[code] = oauthCode{userID: uid, clientID: clientID, redirect: redirect, exp: s.clock.Now().Add(5 * time.Minute), e10: e10}
	s.mu.Unlock()
	sep := "?"
	if strings.Contains(redirect, "?") {
		sep = "&"
	}
	http.Redirect(w, r, redirect+sep+"code="+url.QueryEscape(code)+"&state="+url.QueryEscape(state), http.StatusFound)
}

func (s *Server) handleOAuthToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	q := r.Form
	s.mu.Lock()
	c, ok := s.codes[q.Get("code")]
	delete(s.codes, q.Get("code")) // single use
	secret, known := s.opts.OAuth2Clients[q.Get("client_id")]
	now := s.clock.Now()
	if !ok || !known || secret != q.Get("client_secret") || c.clientID != q.Get("client_id") ||
		q.Get("grant_type") != "authorization_code" || !now.Before(c.exp) || c.redirect != q.Get("redirect_uri") {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "code or client invalid"})
		return
	}
	tok := "AT-" + randomHex(16)
	s.access[tok] = oauthAccess{userID: c.userID, exp: now.Add(2 * time.Hour), e10: c.e10}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": 7200})
}

// handleOAuthProfile answers the CAS-style profile. guess: e-cology's
// principal ("id") is the login id; E10's is the user id.
func (s *Server) handleOAuthProfile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a, ok := s.access[r.URL.Query().Get("access_token")]
	var u *User
	if ok && s.clock.Now().Before(a.exp) {
		u = s.userByID(a.userID)
	}
	var cp User
	if u != nil {
		cp = *u
	}
	s.mu.Unlock()
	if u == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	id := cp.LoginID
	if a.e10 {
		id = strconv.Itoa(cp.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "attributes": map[string]string{
		"loginid": cp.LoginID, "userid": strconv.Itoa(cp.ID), "name": cp.LastName, "mobile": cp.Mobile,
		"email": cp.Email, "job_num": cp.WorkCode}})
}
