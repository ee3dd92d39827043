package oa

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloudbridge/backend/core"
)

// E10 (e-teams private deployment) open API, reference §3 and §5.5.
//
// Verified by Weaver docs: the token flow (authorize → access_token), the
// queryOrg/queryEmployee paths and request parameters, the OAuth2 IdP paths.
// UNVERIFIED (from third-party code, switchable in E10Config where it
// matters): the response field names of org and employee rows, the org type
// names, employee status values, the token-rejected code 200007, and how to
// open E10 with an etLoginToken (SSOConfig.E10LoginURL).
const (
	e10Authorize   = "/papi/openapi/oauth2/authorize"
	e10AccessToken = "/papi/openapi/oauth2/access_token"
	e10LoginToken  = "/papi/openapi/oauth2/get_logintoken"
	e10QueryOrg    = "/papi/openapi/api/hrm/restful/queryOrg"
	e10QueryEmp    = "/papi/openapi/api/hrm/restful/queryEmployee"
	// e10TokenRejected is the errcode of a refused access_token (single
	// source: a third-party directory gateway).
	e10TokenRejected = "200007"
)

type e10 struct {
	cfg  Config
	deps Deps
	base string
	call *caller

	mu    sync.Mutex
	token string
	exp   time.Time
}

func newE10(cfg Config, deps Deps) (*e10, error) {
	base, err := normalizeBaseURL("baseUrl", cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	for field, v := range map[string]string{"auth.corpId": cfg.Auth.CorpID, "auth.appKey": cfg.Auth.AppKey, "auth.appSecret": cfg.Auth.AppSecret} {
		if v == "" {
			return nil, core.ErrOAConfig.New("field", field, "reason", "required")
		}
	}
	return &e10{cfg: cfg, deps: deps, base: base, call: newCaller(cfg, deps)}, nil
}

func (c *e10) Kind() string { return KindE10 }

// e10Message is E10's error block, found at the top level or under "message".
type e10Message struct {
	ErrCode flexString `json:"errcode"`
	ErrMsg  flexString `json:"errmsg"`
}

// accessToken returns a valid token, fetching one when needed.
func (c *e10) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.deps.Clock.Now().Before(c.exp.Add(-5*time.Minute)) {
		return c.token, nil
	}
	q := url.Values{"corpid": {c.cfg.Auth.CorpID}, "response_type": {"code"}, "state": {"cloudbridge"}}
	resp, err := c.call.do(ctx, e10Authorize, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, c.base+e10Authorize+"?"+q.Encode(), nil)
	})
	if err != nil {
		return "", err
	}
	var code struct {
		e10Message
		Code flexString `json:"code"`
	}
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &code) != nil || code.Code == "" {
		return "", core.ErrOAHandshake.New("step", "authorize", "message", e10Reason(resp, code.ErrMsg.String()))
	}
	body := map[string]string{"app_key": c.cfg.Auth.AppKey, "app_secret": c.cfg.Auth.AppSecret,
		"grant_type": "authorization_code", "code": code.Code.String()}
	resp, err = c.call.do(ctx, e10AccessToken, func(ctx context.Context) (*http.Request, error) {
		return jsonRequest(ctx, c.base+e10AccessToken, body, nil)
	})
	if err != nil {
		return "", err
	}
	var tok struct {
		e10Message
		AccessToken flexString `json:"accessToken"`
		ExpiresIn   flexInt    `json:"expires_in"`
	}
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &tok) != nil || tok.AccessToken == "" {
		return "", core.ErrOAAuthRejected.New("mode", "e10", "message", e10Reason(resp, tok.ErrMsg.String()))
	}
	ttl := time.Duration(tok.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = 2 * time.Hour
	}
	c.token, c.exp = tok.AccessToken.String(), c.deps.Clock.Now().Add(ttl)
	return c.token, nil
}

func e10Reason(resp *response, msg string) string {
	if msg != "" {
		return msg
	}
	return "HTTP " + strconv.Itoa(resp.status) + " " + snippet(resp.body)
}

func (c *e10) dropToken(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

// e10Page is the list envelope {"message":{"errcode":"0"},"data":{"current","total","data":[…]}}.
type e10Page struct {
	ErrCode flexString `json:"errcode"`
	ErrMsg  flexString `json:"errmsg"`
	Message e10Message `json:"message"`
	Data    struct {
		Current flexInt           `json:"current"`
		Total   flexInt           `json:"total"`
		Data    []json.RawMessage `json:"data"`
	} `json:"data"`
}

func (p *e10Page) code() (string, string) {
	if c := p.Message.ErrCode.String(); c != "" {
		return c, p.Message.ErrMsg.String()
	}
	return p.ErrCode.String(), p.ErrMsg.String()
}

// post calls an open-API list endpoint, refreshing the token once when
// E10 refuses it (errcode 200007 or HTTP 401).
func (c *e10) post(ctx context.Context, path string, body map[string]any) (*e10Page, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return nil, err
		}
		target := c.base + path + "?access_token=" + url.QueryEscape(tok)
		b := body
		if c.cfg.E10.TokenInBody {
			target = c.base + path
			b = map[string]any{"access_token": tok}
			for k, v := range body {
				b[k] = v
			}
		}
		resp, err := c.call.do(ctx, path, func(ctx context.Context) (*http.Request, error) {
			return jsonRequest(ctx, target, b, nil)
		})
		if err != nil {
			return nil, err
		}
		var page e10Page
		jsonErr := json.Unmarshal(resp.body, &page)
		code, msg := page.code()
		if resp.status == http.StatusUnauthorized || code == e10TokenRejected {
			c.dropToken(tok)
			if attempt == 0 {
				continue
			}
			return nil, core.ErrOAAuthRejected.New("mode", "e10", "message", msg)
		}
		if resp.status != http.StatusOK {
			return nil, core.ErrOAHTTPStatus.New("endpoint", path, "status", strconv.Itoa(resp.status))
		}
		if jsonErr != nil {
			return nil, core.ErrOABadResponse.Wrap(jsonErr, "endpoint", path)
		}
		if code != "0" && code != "" {
			return nil, core.ErrOARemote.New("endpoint", path, "code", code, "message", msg)
		}
		return &page, nil
	}
}

// listAll reads pages until the running count reaches total or a page is
// empty. E10's total is a record count (a gateway checks rows == total).
func (c *e10) listAll(ctx context.Context, stage, path string, body map[string]any, prog *progress, fn func(json.RawMessage) error) error {
	size := c.cfg.pageSize()
	fetched := 0
	for page := 1; page <= maxPages; page++ {
		b := map[string]any{"current": page, "pageSize": size}
		for k, v := range body {
			b[k] = v
		}
		res, err := c.post(ctx, path, b)
		if err != nil {
			return err
		}
		for _, r := range res.Data.Data {
			if err := fn(r); err != nil {
				return err
			}
		}
		fetched += len(res.Data.Data)
		total := int(res.Data.Total)
		prog.report(Progress{Stage: stage, Page: page, Fetched: fetched, Total: total})
		if len(res.Data.Data) == 0 || fetched >= total {
			if fetched < total {
				// An empty page before the announced total: a read that
				// looks complete but is not must not reach the sync engine.
				return core.ErrOAPaging.New("endpoint", path)
			}
			prog.report(Progress{Stage: stage, Fetched: fetched, Total: total, Done: true})
			return nil
		}
		if c.cfg.PageDelay > 0 {
			t := time.NewTimer(c.cfg.PageDelay)
			select {
			case <-ctx.Done():
				t.Stop()
				return core.ErrTimeout.Wrap(ctx.Err())
			case <-t.C:
			}
		}
	}
	return core.ErrOAPaging.New("endpoint", path)
}

// e10Org is a queryOrg row. Unverified beyond id/name/parent.
type e10Org struct {
	ID      flexString `json:"id"`
	Name    flexString `json:"name"`
	Parent  flexString `json:"parent"`
	Type    flexString `json:"type"`
	Code    flexString `json:"code"`
	Order   flexString `json:"showOrder"`
	Disable flexString `json:"disable"`
}

// e10Employee is a queryEmployee row. Unverified field names, from
// third-party code.
type e10Employee struct {
	ID         flexString      `json:"id"`
	UserID     flexString      `json:"user_id"`
	Username   flexString      `json:"username"`
	JobNum     flexString      `json:"job_num"`
	Mobile     flexString      `json:"mobile"`
	Email      flexString      `json:"email"`
	Account    flexString      `json:"account"`
	Status     flexString      `json:"status"`
	Department json.RawMessage `json:"department"`
}

func (c *e10) orgTypes() []string {
	if len(c.cfg.E10.OrgTypes) > 0 {
		return c.cfg.E10.OrgTypes
	}
	return []string{"subcompany", "department"}
}

// PullOrg implements Connector. E10 documents no "modified since" filter,
// so every pull is a full pull (Org.Full true even when opts.Since is set).
func (c *e10) PullOrg(ctx context.Context, opts PullOptions) (*Org, error) {
	started := c.deps.Clock.Now()
	prog := &progress{fn: opts.Progress, clock: c.deps.Clock}
	var rows []e10Org
	err := c.listAll(ctx, StageDepartments, e10QueryOrg,
		map[string]any{"typeList": c.orgTypes(), "containDisableOrg": true}, prog,
		func(raw json.RawMessage) error {
			var r e10Org
			if err := json.Unmarshal(raw, &r); err != nil {
				return core.ErrOABadResponse.Wrap(err, "endpoint", e10QueryOrg)
			}
			if r.ID.String() != "" {
				rows = append(rows, r)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	typeOf := map[string]string{}
	for _, r := range rows {
		typeOf[r.ID.String()] = e10Type(r.Type.String())
	}
	depts := make([]Department, 0, len(rows))
	for _, r := range rows {
		id := r.ID.String()
		d := Department{ID: NodeID(typeOf[id], id), SourceID: id, Type: typeOf[id], Name: r.Name.String(),
			Code: r.Code.String(), Order: parseOrder(r.Order.String()), Sealed: truthy(r.Disable.String())}
		if p := r.Parent.String(); p != "" && p != "0" && p != "-1" {
			t, ok := typeOf[p]
			if !ok {
				t = TypeDepartment
			}
			d.ParentID = NodeID(t, p)
		}
		depts = append(depts, d)
	}

	body := map[string]any{"containEmployeeExtend": false}
	if len(c.cfg.E10.EmployeeStatuses) > 0 {
		body["userStatusList"] = c.cfg.E10.EmployeeStatuses
	}
	var users []rawUser
	err = c.listAll(ctx, StageUsers, e10QueryEmp, body, prog, func(raw json.RawMessage) error {
		var r e10Employee
		if err := json.Unmarshal(raw, &r); err != nil {
			return core.ErrOABadResponse.Wrap(err, "endpoint", e10QueryEmp)
		}
		users = append(users, rawUser{User: c.mapEmployee(r, typeOf), accountType: "0"})
		return nil
	})
	if err != nil {
		return nil, err
	}
	org, err := assemble(depts, users, true, opts)
	if err != nil {
		return nil, err
	}
	org.PulledAt = started
	return org, nil
}

// e10Type maps an org row type. Unverified: "subcompany" (or "company")
// for 分部, anything else is a department.
func e10Type(t string) string {
	switch strings.ToLower(t) {
	case "subcompany", "company", "sub_company":
		return TypeSubcompany
	}
	return TypeDepartment
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "y", "yes":
		return true
	}
	return false
}

func (c *e10) mapEmployee(r e10Employee, typeOf map[string]string) User {
	u := User{ID: r.ID.String(), LoginID: r.Account.String(), WorkCode: r.JobNum.String(),
		Name: r.Username.String(), Mobile: r.Mobile.String(), Email: r.Email.String(), Status: 1}
	if u.ID == "" {
		u.ID = r.UserID.String()
	}
	// Unverified: "normal" is the only status value seen in public code;
	// anything else is taken as having left.
	if s := strings.ToLower(r.Status.String()); s != "" && s != "normal" && s != "1" {
		u.Status = 5
	}
	u.Left = IsLeaver(u.Status)
	for i, id := range e10DepartmentIDs(r.Department) {
		t, ok := typeOf[id]
		if !ok {
			t = TypeDepartment
		}
		if i == 0 {
			u.DepartmentID = NodeID(t, id)
		} else {
			u.PartTimeDepartmentIDs = append(u.PartTimeDepartmentIDs, NodeID(t, id))
		}
	}
	return u
}

// e10DepartmentIDs reads "department": an array of ids, of {"id":…}
// objects, or a single id. The first is taken as the main department.
func e10DepartmentIDs(raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var list []json.RawMessage
	if raw[0] != '[' {
		list = []json.RawMessage{raw}
	} else if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, e := range list {
		var obj struct {
			ID flexString `json:"id"`
		}
		var s flexString
		switch {
		case len(e) > 0 && e[0] == '{' && json.Unmarshal(e, &obj) == nil:
			s = obj.ID
		case json.Unmarshal(e, &s) == nil:
		}
		if v := s.String(); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// CheckPassword implements Connector: E10 offers no password check to
// third parties; binding uses the OAuth2 login (IdentityProvider) instead.
func (c *e10) CheckPassword(context.Context, string, string) (User, error) {
	return User{}, core.ErrOANotSupported.New("kind", KindE10, "feature", "password check (use the E10 OAuth2 login)")
}

// SSOURL implements Connector with get_logintoken and the customer's
// SSOConfig.E10LoginURL template ({base}, {token}, {target}).
func (c *e10) SSOURL(ctx context.Context, u User, t Target) (string, error) {
	tmpl := c.cfg.SSO.E10LoginURL
	if tmpl == "" {
		return "", core.ErrOANotSupported.New("kind", KindE10, "feature", "SSO (how E10 accepts a login token is not publicly documented; set the login URL template once verified)")
	}
	target := "/"
	switch t.Page {
	case PageHome, "":
	case PagePath:
		if !strings.HasPrefix(t.Path, "/") || strings.HasPrefix(t.Path, "//") {
			return "", core.ErrOATargetInvalid.New("target", t.Path)
		}
		target = t.Path
	default:
		return "", core.ErrOATargetInvalid.New("target", t.Page)
	}
	authType := c.cfg.SSO.E10AuthType
	account := u.LoginID
	switch authType {
	case "":
		authType = "loginID"
	case "JOB_NUM":
		account = u.WorkCode
	case "EMAIL":
		account = u.Email
	case "MOBILE":
		account = u.Mobile
	case "id":
		account = u.ID
	}
	if account == "" {
		return "", core.ErrOASSOToken.New("reason", "the OA user has no "+authType)
	}
	body := map[string]string{"app_key": c.cfg.Auth.AppKey, "app_security": c.cfg.Auth.AppSecret,
		"account": account, "authType": authType}
	resp, err := c.call.do(ctx, e10LoginToken, func(ctx context.Context) (*http.Request, error) {
		return jsonRequest(ctx, c.base+e10LoginToken, body, nil)
	})
	if err != nil {
		return "", err
	}
	var ans struct {
		e10Message
		Token flexString `json:"etLoginToken"`
	}
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &ans) != nil || ans.Token == "" {
		return "", core.ErrOASSOToken.New("reason", e10Reason(resp, ans.ErrMsg.String()))
	}
	r := strings.NewReplacer("{base}", c.base, "{token}", url.QueryEscape(ans.Token.String()), "{target}", url.QueryEscape(target))
	return r.Replace(tmpl), nil
}

// Test implements Connector.
func (c *e10) Test(ctx context.Context) (TestReport, error) {
	rep := TestReport{Kind: KindE10, OK: true}
	wall := time.Now()
	t0 := time.Now()
	_, err := c.accessToken(ctx)
	step := TestStep{Name: "auth", OK: err == nil, Elapsed: Millis(time.Since(t0))}
	if err != nil {
		step.Error = core.AsError(err)
		rep.OK = false
		rep.Steps = append(rep.Steps, step)
		rep.Elapsed = Millis(time.Since(wall))
		return rep, nil
	}
	rep.Steps = append(rep.Steps, step)
	for _, s := range []struct {
		name, path string
		body       map[string]any
	}{
		{StageDepartments, e10QueryOrg, map[string]any{"typeList": c.orgTypes(), "containDisableOrg": true}},
		{StageUsers, e10QueryEmp, map[string]any{}},
	} {
		t0 := time.Now()
		b := map[string]any{"current": 1, "pageSize": c.cfg.pageSize()}
		for k, v := range s.body {
			b[k] = v
		}
		res, err := c.post(ctx, s.path, b)
		step := TestStep{Name: s.name, OK: err == nil, Elapsed: Millis(time.Since(t0))}
		if err != nil {
			step.Error = core.AsError(err)
			rep.OK = false
		} else {
			step.Count, step.Total = len(res.Data.Data), int(res.Data.Total)
		}
		rep.Steps = append(rep.Steps, step)
	}
	rep.Elapsed = Millis(time.Since(wall))
	return rep, nil
}

// IdentityProvider: E10's OAuth2 server (统一认证中心 → OAuth2认证).
func (c *e10) idp() *oauth2IdP {
	return &oauth2IdP{base: c.base, prefix: "/papi/sso/oauth2.0", cfg: c.cfg.OAuth2, call: c.call,
		resolve: func(_ context.Context, profile map[string]any, subject string) (User, error) {
			// Unverified: the profile attribute names. The subject is the
			// user id unless OAuth2Config.UserField says otherwise.
			u := User{ID: subject, Status: 1}
			for _, f := range []string{"loginid", "loginId", "account"} {
				if v := profileValue(profile, f); v != "" {
					u.LoginID = v
					break
				}
			}
			for _, f := range []string{"name", "username", "lastname"} {
				if v := profileValue(profile, f); v != "" {
					u.Name = v
					break
				}
			}
			u.Mobile, u.Email, u.WorkCode = profileValue(profile, "mobile"), profileValue(profile, "email"), profileValue(profile, "job_num")
			return u, nil
		}}
}

func (c *e10) AuthorizeURL(state, redirectURI string) (string, error) {
	return c.idp().AuthorizeURL(state, redirectURI)
}

func (c *e10) Exchange(ctx context.Context, code, redirectURI string) (User, error) {
	return c.idp().Exchange(ctx, code, redirectURI)
}
