package sim

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	pathSubcompanies = "/api/hrm/resful/getHrmsubcompanyWithPage"
	pathDepartments  = "/api/hrm/resful/getHrmdepartmentWithPage"
	pathUsers        = "/api/hrm/resful/getHrmUserInfoWithPage"
	pathJobTitles    = "/api/hrm/resful/getJobtitleInfoWithPage"
)

// hrmRequest is a decoded HRM REST call: params (form field "params" with a
// JSON string, or a JSON body {"params":{…}}) and an optional body token.
type hrmRequest struct {
	params map[string]string
	token  struct{ key, ts string }
}

func readHRMRequest(r *http.Request) (*hrmRequest, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, false
	}
	req := &hrmRequest{params: map[string]string{}}
	var rawParams, rawToken json.RawMessage
	ct := r.Header.Get("Content-Type")
	if strings.Contains(ct, "json") || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		var env struct {
			Params json.RawMessage `json:"params"`
			Token  json.RawMessage `json:"token"`
		}
		if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &env) != nil {
			return nil, false
		}
		rawParams, rawToken = env.Params, env.Token
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, false
		}
		rawParams, rawToken = json.RawMessage(form.Get("params")), json.RawMessage(form.Get("token"))
	}
	// params may itself be a JSON string holding the object.
	if len(rawParams) > 0 && rawParams[0] == '"' {
		var s string
		_ = json.Unmarshal(rawParams, &s)
		rawParams = json.RawMessage(s)
	}
	if len(bytes.TrimSpace(rawParams)) > 0 {
		var m map[string]any
		if json.Unmarshal(rawParams, &m) != nil {
			return nil, false
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				req.params[strings.ToLower(k)] = v
			case float64:
				req.params[strings.ToLower(k)] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	if len(rawToken) > 0 && rawToken[0] == '"' {
		var s string
		_ = json.Unmarshal(rawToken, &s)
		rawToken = json.RawMessage(s)
	}
	if len(bytes.TrimSpace(rawToken)) > 0 {
		var t struct {
			Key any `json:"key"`
			TS  any `json:"ts"`
		}
		if json.Unmarshal(rawToken, &t) == nil {
			req.token.key, req.token.ts = anyString(t.Key), anyString(t.TS)
		}
	}
	return req, true
}

func anyString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// authorize checks the HRM auth modes; it answers the failure itself.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, req *hrmRequest) (actingUser int, ok bool) {
	modes := s.opts.AuthModes
	// ec/dev token: presenting one means it must be right.
	if r.Header.Get("token") != "" && slices.Contains(modes, AuthECDev) {
		uid, msg := s.checkECDev(r)
		if msg != "" {
			// guess: the ec/dev filter's answer for a bad or expired token.
			writeJSON(w, http.StatusOK, map[string]any{"status": false, "code": -1, "msg": msg})
			return 0, false
		}
		return uid, true
	}
	key, ts := r.Header.Get("key"), r.Header.Get("ts")
	if key == "" && req != nil {
		key, ts = req.token.key, req.token.ts
	}
	if key != "" && slices.Contains(modes, AuthKey) {
		if msg := s.checkKey(key, ts); msg != "" {
			// guess: the HRM API's answer to a wrong key; the code/msg
			// texts are not documented.
			writeJSON(w, http.StatusOK, map[string]any{"code": "0", "msg": msg})
			return 0, false
		}
		return 1, true
	}
	if slices.Contains(modes, AuthIP) && ipAllowed(s.opts.AllowedIPs, clientIP(r)) {
		return 1, true
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": "0", "msg": "无权限访问：IP不在白名单中且未提供有效token"})
	return 0, false
}

func (s *Server) checkKey(key, ts string) string {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "token认证失败：ts无效"
	}
	now := s.clock.Now().UnixMilli()
	if d := now - n; d > 5*60*1000 || d < -5*60*1000 {
		return "token认证失败：token已过期"
	}
	sum := md5.Sum([]byte(s.opts.TokenKey + ts))
	if !strings.EqualFold(key, hex.EncodeToString(sum[:])) {
		return "token认证失败：key错误"
	}
	return ""
}

func (s *Server) handleHRM(w http.ResponseWriter, r *http.Request) {
	req, ok := readHRMRequest(r)
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"code": "0", "msg": "参数格式错误"})
		return
	}
	if _, ok := s.authorize(w, r, req); !ok {
		return
	}
	p := req.params
	page, size := atoiDefault(p["curpage"], 1), atoiDefault(p["pagesize"], 20)
	if page < 1 || size < 1 {
		writeJSON(w, http.StatusOK, map[string]any{"code": "0", "msg": "curpage/pagesize 无效"})
		return
	}
	var since, created time.Time
	if v := p["modified"]; v != "" {
		t, err := time.ParseInLocation("2006-01-02 15:04:05", v, baseTime.Location())
		if err != nil {
			writeJSON(w, http.StatusOK, map[string]any{"code": "0", "msg": "modified 格式错误"})
			return
		}
		since = t
	}
	if v := p["created"]; v != "" {
		created, _ = time.ParseInLocation("2006-01-02 15:04:05", v, baseTime.Location())
	}
	keep := func(c, m time.Time) bool {
		return (since.IsZero() || !m.Before(since)) && (created.IsZero() || !c.Before(created))
	}
	// canceled: "" active only, "1" sealed only, "2" all.
	canceledOK := func(c bool) bool {
		switch p["canceled"] {
		case "1":
			return c
		case "2":
			return true
		}
		return !c
	}
	match := func(field, val string) bool { v := p[field]; return v == "" || v == val }
	matchInt := func(field string, val int) bool { v := p[field]; return v == "" || v == strconv.Itoa(val) }

	// Select indices first, render only the requested page (100k users
	// are 500 pages of 200).
	s.mu.Lock()
	defer s.mu.Unlock()
	var idx []int
	var render func(i int) map[string]string
	switch r.URL.Path {
	case pathSubcompanies:
		for i, x := range s.org.Subcompanies {
			if keep(x.Created, x.Modified) && canceledOK(x.Canceled) && matchInt("id", x.ID) &&
				match("subcompanycode", x.Code) && (p["subcompanyname"] == "" || strings.Contains(x.Name, p["subcompanyname"])) {
				idx = append(idx, i)
			}
		}
		render = func(i int) map[string]string { return subcompanyRow(s.org.Subcompanies[i]) }
	case pathDepartments:
		for i, x := range s.org.Departments {
			if keep(x.Created, x.Modified) && canceledOK(x.Canceled) && matchInt("id", x.ID) &&
				matchInt("subcompanyid1", x.Subcompany) && match("departmentcode", x.Code) &&
				(p["departmentname"] == "" || strings.Contains(x.Name, p["departmentname"])) {
				idx = append(idx, i)
			}
		}
		render = func(i int) map[string]string { return departmentRow(s.org.Departments[i]) }
	case pathUsers:
		for i := range s.org.Users {
			x := &s.org.Users[i]
			if keep(x.Created, x.Modified) && matchInt("id", x.ID) && match("workcode", x.WorkCode) &&
				matchInt("departmentid", x.Department) && matchInt("subcompanyid1", x.Subcompany) &&
				matchInt("jobtitleid", x.JobTitle) && (p["loginid"] == "" || strings.EqualFold(p["loginid"], x.LoginID)) {
				idx = append(idx, i)
			}
		}
		var names *orgNames
		render = func(i int) map[string]string {
			if names == nil {
				names = s.names()
			}
			return userRow(s.org.Users[i], names)
		}
	case pathJobTitles:
		for i, x := range s.org.JobTitles {
			if keep(x.Created, x.Modified) && matchInt("id", x.ID) {
				idx = append(idx, i)
			}
		}
		render = func(i int) map[string]string {
			x := s.org.JobTitles[i]
			return map[string]string{"id": strconv.Itoa(x.ID), "jobtitlename": x.Name, "jobtitlemark": x.Mark,
				"jobtitleremark": "", "jobresponsibility": "", "jobcompetency": "", "jobdoc": "", "jobdepartmentid": "",
				"created": fmtTime(x.Created), "modified": fmtTime(x.Modified)}
		}
	}
	total := len(idx)
	from := min((page-1)*size, total)
	to := min(from+size, total)
	list := make([]map[string]string, 0, to-from)
	for _, i := range idx[from:to] {
		list = append(list, render(i))
	}
	// totalSize is the record count (the fixture choice the reference
	// recommends); past the last page dataList is empty.
	writeJSON(w, http.StatusOK, map[string]any{"code": "1", "data": map[string]any{
		"totalSize": total, "pageSize": size, "page": page, "dataList": list}})
}

func atoiDefault(s string, d int) int {
	if s == "" {
		return d
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func subcompanyRow(x Subcompany) map[string]string {
	return map[string]string{"id": strconv.Itoa(x.ID), "subcompanyname": x.Name, "subcompanydesc": x.Desc,
		"subcompanycode": x.Code, "supsubcomid": strconv.Itoa(x.Parent), "canceled": boolStr(x.Canceled),
		"showorder": fmtOrder(x.ShowOrder), "created": fmtTime(x.Created), "modified": fmtTime(x.Modified), "url": ""}
}

func departmentRow(x Department) map[string]string {
	return map[string]string{"id": strconv.Itoa(x.ID), "departmentname": x.Name, "departmentmark": x.Mark,
		"departmentcode": x.Code, "subcompanyid1": strconv.Itoa(x.Subcompany), "supdepid": strconv.Itoa(x.Parent),
		"canceled": boolStr(x.Canceled), "showorder": fmtOrder(x.ShowOrder), "created": fmtTime(x.Created),
		"modified": fmtTime(x.Modified)}
}

// orgNames resolves ids to names and codes for user rows.
type orgNames struct {
	dept, deptCode, sub, subCode map[int]string
}

func (s *Server) names() *orgNames {
	n := &orgNames{dept: map[int]string{}, deptCode: map[int]string{}, sub: map[int]string{}, subCode: map[int]string{}}
	for _, d := range s.org.Departments {
		n.dept[d.ID], n.deptCode[d.ID] = d.Name, d.Code
	}
	for _, c := range s.org.Subcompanies {
		n.sub[c.ID], n.subCode[c.ID] = c.Name, c.Code
	}
	return n
}

func userRow(x User, n *orgNames) map[string]string {
	mgr := ""
	if x.Manager != 0 {
		mgr = strconv.Itoa(x.Manager)
	}
	belong, acct := "", strconv.Itoa(x.AccountType)
	if x.AccountType == 1 {
		belong = strconv.Itoa(x.BelongTo)
	}
	// The documented sample carries a (masked) password field; the
	// emulator sends a hash-like value that must never be stored.
	pwd := ""
	if x.Password != "" {
		sum := md5.Sum([]byte(x.Password))
		pwd = strings.ToUpper(hex.EncodeToString(sum[:]))
	}
	return map[string]string{"id": strconv.Itoa(x.ID), "loginid": x.LoginID, "workcode": x.WorkCode,
		"lastname": x.LastName, "sex": x.Sex, "birthday": "", "mobile": x.Mobile, "telephone": x.Telephone,
		"mobilecall": "", "email": x.Email, "departmentid": strconv.Itoa(x.Department), "departmentname": n.dept[x.Department],
		"departmentcode": n.deptCode[x.Department], "subcompanyid1": strconv.Itoa(x.Subcompany), "subcompanyname": n.sub[x.Subcompany],
		"subcompanycode": n.subCode[x.Subcompany], "jobtitle": strconv.Itoa(x.JobTitle), "managerid": mgr, "assistantid": "",
		"seclevel": "10", "joblevel": "0", "jobcall": "", "locationid": "1", "status": strconv.Itoa(x.Status),
		"accounttype": acct, "belongto": belong, "dsporder": fmtOrder(x.DspOrder), "companystartdate": "",
		"createdate": x.Created.Format("2006-01-02"), "lastmoddate": x.Modified.Format("2006-01-02"),
		"created": fmtTime(x.Created), "modified": fmtTime(x.Modified), "password": pwd}
}

// ---- ec/dev handshake -------------------------------------------------------

type ecdevReg struct {
	key    *rsa.PrivateKey
	secrit string
}

type ecdevToken struct {
	appid string
	exp   time.Time
	reg   *ecdevReg
}

func (s *Server) handleRegist(w http.ResponseWriter, r *http.Request) {
	appid, cpk := r.Header.Get("appid"), r.Header.Get("cpk")
	if !slices.Contains(s.opts.AppIDs, appid) {
		// guess: the answer for an appid missing from ECOLOGY_BIZ_EC.
		writeJSON(w, http.StatusOK, map[string]any{"status": false, "code": -1, "msg": "appid未注册"})
		return
	}
	der, err := base64.StdEncoding.DecodeString(cpk)
	if err == nil {
		_, err = x509.ParsePKIXPublicKey(der)
	}
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"status": false, "code": -1, "msg": "cpk无效"})
		return
	}
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": false, "msg": err.Error()})
		return
	}
	spk, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	reg := &ecdevReg{key: key, secrit: randomHex(16)}
	s.mu.Lock()
	s.ecdev[appid] = reg
	// Registering again rotates the keys: every other client of the appid
	// is locked out until it registers too (the reported behaviour).
	for t, tok := range s.tokens {
		if tok.appid == appid {
			delete(s.tokens, t)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"status": true, "code": 0, "msg": "ok",
		"spk": base64.StdEncoding.EncodeToString(spk), "secrit": reg.secrit})
}

func (s *Server) handleApplyToken(w http.ResponseWriter, r *http.Request) {
	appid := r.Header.Get("appid")
	s.mu.Lock()
	reg := s.ecdev[appid]
	s.mu.Unlock()
	fail := func(msg string) {
		writeJSON(w, http.StatusOK, map[string]any{"status": false, "code": -1, "msg": msg})
	}
	if reg == nil {
		fail("appid未注册或未调用regist")
		return
	}
	ct, err := base64.StdEncoding.DecodeString(r.Header.Get("secret"))
	if err != nil {
		fail("解密失败！")
		return
	}
	plain, err := rsa.DecryptPKCS1v15(nil, reg.key, ct)
	if err != nil || string(plain) != reg.secrit {
		fail("解密失败！")
		return
	}
	ttl := time.Duration(atoiDefault(r.Header.Get("time"), 1800)) * time.Second
	if ttl <= 0 {
		ttl = 1800 * time.Second
	}
	tok := strings.ToUpper(randomHex(16))
	s.mu.Lock()
	s.tokens[tok] = ecdevToken{appid: appid, exp: s.clock.Now().Add(ttl), reg: reg}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"status": true, "code": 0, "msg": "获取成功", "token": tok})
}

// checkECDev validates appid/token/userid headers; it returns the acting
// user id or a failure message.
func (s *Server) checkECDev(r *http.Request) (int, string) {
	appid, tok := r.Header.Get("appid"), r.Header.Get("token")
	s.mu.Lock()
	t, ok := s.tokens[tok]
	now := s.clock.Now()
	s.mu.Unlock()
	if !ok || t.appid != appid || !now.Before(t.exp) {
		return 0, "token:不存在或者超时"
	}
	uid := 1
	if enc := r.Header.Get("userid"); enc != "" {
		ct, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return 0, "userid解密失败"
		}
		plain, err := rsa.DecryptPKCS1v15(nil, t.reg.key, ct)
		if err != nil {
			return 0, "userid解密失败"
		}
		if uid, err = strconv.Atoi(string(plain)); err != nil {
			return 0, "userid无效"
		}
	}
	return uid, ""
}

// RotateECDevKeys re-registers appid as another client calling regist
// would: the saved spk/secrit of every client stop working.
func (s *Server) RotateECDevKeys(appid string) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ecdev[appid] = &ecdevReg{key: key, secrit: randomHex(16)}
	for t, tok := range s.tokens {
		if tok.appid == appid {
			delete(s.tokens, t)
		}
	}
}

// ExpireTokens drops every ec/dev token (as an OA restart without Redis).
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]ecdevToken{}
}
