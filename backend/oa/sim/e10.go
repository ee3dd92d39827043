package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Minimal E10 open-API emulation, enough for the E10 connector's tests.
//
// Verified by the reference: the paths, the authorize → access_token flow,
// the request parameters of queryOrg/queryEmployee and the envelope
// {"message":{"errcode":"0"},"data":{"current","total","data"}}.
// UNVERIFIED (each switchable in E10Options): the row field names, org
// types, employee status names, errcode types, and the etLoginToken landing
// (an emulator-only page at /sp/sim/etlogin).

// E10Options configure the E10 emulation.
type E10Options struct {
	CorpID, AppKey, AppSecret string
	TokenTTL                  time.Duration // default 2 h
	// ErrcodeNumbers sends errcode as a JSON number (a third-party stub
	// does) instead of a string.
	ErrcodeNumbers bool
	// DepartmentObjects sends an employee's "department" as [{"id":…}]
	// instead of an array of ids.
	DepartmentObjects bool
	// StatusNames maps "active"/"left" to the status strings sent and
	// accepted in userStatusList; default "normal"/"unavailable".
	ActiveStatus, LeftStatus string
}

func (o E10Options) withDefaults() E10Options {
	if o.CorpID == "" {
		o.CorpID = DemoE10CorpID
	}
	if o.AppKey == "" {
		o.AppKey = DemoE10AppKey
	}
	if o.AppSecret == "" {
		o.AppSecret = DemoE10AppSecret
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = 2 * time.Hour
	}
	if o.ActiveStatus == "" {
		o.ActiveStatus = "normal"
	}
	if o.LeftStatus == "" {
		o.LeftStatus = "unavailable"
	}
	return o
}

// E10 ids are unique across org types; the emulator offsets e-cology ids.
const (
	e10SubOffset  = 1_000_000
	e10DeptOffset = 2_000_000
)

type e10State struct {
	codes       map[string]time.Time
	tokens      map[string]time.Time
	loginTokens map[string]int
}

func newE10State() *e10State {
	return &e10State{codes: map[string]time.Time{}, tokens: map[string]time.Time{}, loginTokens: map[string]int{}}
}

func (s *Server) e10Routes(m *http.ServeMux) {
	m.HandleFunc("GET /papi/openapi/oauth2/authorize", s.handleE10Authorize)
	m.HandleFunc("POST /papi/openapi/oauth2/access_token", s.handleE10Token)
	m.HandleFunc("POST /papi/openapi/oauth2/get_logintoken", s.handleE10LoginToken)
	m.HandleFunc("POST /papi/openapi/api/hrm/restful/queryOrg", s.handleE10Query)
	m.HandleFunc("POST /papi/openapi/api/hrm/restful/queryEmployee", s.handleE10Query)
	m.HandleFunc("/papi/sso/oauth2.0/authorize", s.handleOAuthAuthorize)
	m.HandleFunc("/papi/sso/oauth2.0/accessToken", s.handleOAuthToken)
	m.HandleFunc("GET /papi/sso/oauth2.0/profile", s.handleOAuthProfile)
	m.HandleFunc("GET /sp/sim/etlogin", s.handleE10Landing)
}

func (s *Server) e10Code(code string) any {
	if s.opts.E10.ErrcodeNumbers {
		n, _ := strconv.Atoi(code)
		return n
	}
	return code
}

func (s *Server) handleE10Authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("corpid") != s.opts.E10.CorpID || q.Get("response_type") != "code" {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("100001"), "errmsg": "corpid无效"})
		return
	}
	code := "E10C-" + randomHex(10)
	s.mu.Lock()
	s.e10.codes[code] = s.clock.Now().Add(5 * time.Minute)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("0"), "code": code})
}

func (s *Server) handleE10Token(w http.ResponseWriter, r *http.Request) {
	var b map[string]string
	if json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&b) != nil {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("100000"), "errmsg": "参数错误"})
		return
	}
	s.mu.Lock()
	exp, ok := s.e10.codes[b["code"]]
	delete(s.e10.codes, b["code"])
	now := s.clock.Now()
	s.mu.Unlock()
	if b["app_key"] != s.opts.E10.AppKey || b["app_secret"] != s.opts.E10.AppSecret {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("100002"), "errmsg": "app_key或app_secret错误"})
		return
	}
	if !ok || !now.Before(exp) || b["grant_type"] != "authorization_code" {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("100003"), "errmsg": "code无效"})
		return
	}
	tok := "E10T-" + randomHex(12)
	s.mu.Lock()
	s.e10.tokens[tok] = now.Add(s.opts.E10.TokenTTL)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("0"), "accessToken": tok,
		"refreshToken": "E10R-" + randomHex(12), "expires_in": int(s.opts.E10.TokenTTL / time.Second)})
}

// ExpireE10Tokens drops every E10 access token.
func (s *Server) ExpireE10Tokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.e10.tokens = map[string]time.Time{}
}

func (s *Server) handleE10Query(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(raw) > 0 && json.Unmarshal(raw, &body) != nil {
		writeJSON(w, http.StatusOK, map[string]any{"message": map[string]any{"errcode": s.e10Code("100000"), "errmsg": "参数错误"}})
		return
	}
	tok := r.URL.Query().Get("access_token")
	if tok == "" {
		tok, _ = body["access_token"].(string)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if exp, ok := s.e10.tokens[tok]; !ok || !s.clock.Now().Before(exp) {
		writeJSON(w, http.StatusOK, map[string]any{"message": map[string]any{"errcode": s.e10Code("200007"), "errmsg": "access_token无效或已过期"}})
		return
	}
	num := func(k string, d int) int {
		if f, ok := body[k].(float64); ok && f >= 1 {
			return int(f)
		}
		return d
	}
	strs := func(k string) []string {
		var out []string
		if l, ok := body[k].([]any); ok {
			for _, v := range l {
				if s, ok := v.(string); ok {
					out = append(out, s)
				}
			}
		}
		return out
	}
	current, size := num("current", 1), num("pageSize", 20)
	var rows []map[string]any
	if strings.HasSuffix(r.URL.Path, "queryOrg") {
		types := strs("typeList")
		withDisabled, _ := body["containDisableOrg"].(bool)
		if len(types) == 0 || slices.Contains(types, "subcompany") {
			for _, x := range s.org.Subcompanies {
				if x.Canceled && !withDisabled {
					continue
				}
				parent := "0"
				if x.Parent != 0 {
					parent = strconv.Itoa(e10SubOffset + x.Parent)
				}
				rows = append(rows, map[string]any{"id": strconv.Itoa(e10SubOffset + x.ID), "name": x.Name, "parent": parent,
					"type": "subcompany", "code": x.Code, "showOrder": x.ShowOrder, "disable": x.Canceled})
			}
		}
		if len(types) == 0 || slices.Contains(types, "department") {
			for _, x := range s.org.Departments {
				if x.Canceled && !withDisabled {
					continue
				}
				parent := strconv.Itoa(e10SubOffset + x.Subcompany)
				if x.Parent != 0 {
					parent = strconv.Itoa(e10DeptOffset + x.Parent)
				}
				rows = append(rows, map[string]any{"id": strconv.Itoa(e10DeptOffset + x.ID), "name": x.Name, "parent": parent,
					"type": "department", "code": x.Code, "showOrder": x.ShowOrder, "disable": x.Canceled})
			}
		}
	} else {
		// Defaults to active staff (reference §3.2); userStatusList widens it.
		statuses := strs("userStatusList")
		if len(statuses) == 0 {
			statuses = []string{s.opts.E10.ActiveStatus}
		}
		parttime := map[int][]int{}
		for _, x := range s.org.Users {
			if x.AccountType == 1 && x.Status < 4 {
				parttime[x.BelongTo] = append(parttime[x.BelongTo], x.Department)
			}
		}
		for _, x := range s.org.Users {
			if x.AccountType == 1 {
				continue
			}
			st := s.opts.E10.ActiveStatus
			if x.Status >= 4 {
				st = s.opts.E10.LeftStatus
			}
			if !slices.Contains(statuses, st) {
				continue
			}
			var depts []any
			for _, d := range append([]int{x.Department}, parttime[x.ID]...) {
				id := strconv.Itoa(e10DeptOffset + d)
				if s.opts.E10.DepartmentObjects {
					depts = append(depts, map[string]string{"id": id})
				} else {
					depts = append(depts, id)
				}
			}
			rows = append(rows, map[string]any{"id": strconv.Itoa(x.ID), "user_id": strconv.Itoa(900_000_000 + x.ID),
				"username": x.LastName, "job_num": x.WorkCode, "mobile": x.Mobile, "email": x.Email,
				"account": x.LoginID, "status": st, "department": depts, "tenant_key": s.opts.E10.CorpID})
		}
	}
	total := len(rows)
	from := min((current-1)*size, total)
	to := min(from+size, total)
	page := rows[from:to]
	if page == nil {
		page = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": map[string]any{"errcode": s.e10Code("0"), "errmsg": "success"},
		"data": map[string]any{"current": current, "pageSize": size, "total": total, "data": page}})
}

func (s *Server) handleE10LoginToken(w http.ResponseWriter, r *http.Request) {
	var b map[string]string
	if json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&b) != nil {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("100000"), "errmsg": "参数错误"})
		return
	}
	if b["app_key"] != s.opts.E10.AppKey || b["app_security"] != s.opts.E10.AppSecret {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("100002"), "errmsg": "app_key或app_security错误"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var u *User
	switch b["authType"] {
	case "loginID", "account", "":
		u = s.userByLogin(b["account"])
	case "JOB_NUM":
		for i := range s.org.Users {
			if s.org.Users[i].WorkCode == b["account"] && b["account"] != "" {
				u = &s.org.Users[i]
			}
		}
	case "id":
		if n, err := strconv.Atoi(b["account"]); err == nil {
			u = s.userByID(n)
		}
	}
	if u == nil || u.Status >= 4 {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("100004"), "errmsg": "用户不存在"})
		return
	}
	tok := "ETL-" + randomHex(12)
	s.e10.loginTokens[tok] = u.ID
	writeJSON(w, http.StatusOK, map[string]any{"errcode": s.e10Code("0"), "etLoginToken": tok})
}

// handleE10Landing is emulator-only: how E10 accepts an etLoginToken is
// not publicly documented, so this page stands in for it.
func (s *Server) handleE10Landing(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	uid, ok := s.e10.loginTokens[r.URL.Query().Get("etLoginToken")]
	delete(s.e10.loginTokens, r.URL.Query().Get("etLoginToken"))
	var user *User
	if ok {
		sess := s.sessionFor(w, r)
		sess.userID = uid
		if u := s.userByID(uid); u != nil {
			cp := *u
			user = &cp
		}
	}
	s.mu.Unlock()
	errText := ""
	if user == nil {
		errText = "etLoginToken 无效 / invalid etLoginToken"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, map[string]any{"User": user, "Path": r.URL.Query().Get("redirect"), "Error": errText})
}
