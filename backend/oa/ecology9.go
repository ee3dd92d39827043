package oa

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cloudbridge/backend/core"
)

// HRM REST endpoints (note "resful": the t is missing in e-cology 9).
const (
	pathSubcompanies = "/api/hrm/resful/getHrmsubcompanyWithPage"
	pathDepartments  = "/api/hrm/resful/getHrmdepartmentWithPage"
	pathUsers        = "/api/hrm/resful/getHrmUserInfoWithPage"
	pathJobTitles    = "/api/hrm/resful/getJobtitleInfoWithPage"
	pathCheckLogin   = "/api/hrm/login/checkLogin"
	pathRSAInfo      = "/rsa/weaver.rsa.GetRsaInfo"
	pathSSOToken     = "/ssologin/getToken"
	pathTodoList     = "/api/workflow/paService/getToDoWorkflowRequestList"
)

// maxPages stops a server that ignores curpage and never returns an empty
// page (100k users at 200 per page is 500 pages).
const maxPages = 20000

type ecology9 struct {
	cfg    Config
	deps   Deps
	base   string
	mobile string
	call   *caller
	ecdev  *ecdevAuth
	loc    *time.Location
}

// oaLocation is the zone of e-cology's "yyyy-MM-dd HH:mm:ss" values.
// guess: the OA runs on China time; a fixed zone avoids depending on the
// host's tz database (absent on many Windows machines).
var oaLocation = time.FixedZone("CST", 8*3600)

func newEcology9(cfg Config, deps Deps) (*ecology9, error) {
	base, err := normalizeBaseURL("baseUrl", cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	mobile := base
	if cfg.MobileBaseURL != "" {
		if mobile, err = normalizeBaseURL("mobileBaseUrl", cfg.MobileBaseURL); err != nil {
			return nil, err
		}
	}
	c := &ecology9{cfg: cfg, deps: deps, base: base, mobile: mobile, call: newCaller(cfg, deps), loc: oaLocation}
	switch cfg.Auth.Mode {
	case AuthNone, "":
		c.cfg.Auth.Mode = AuthNone
	case AuthKey:
		if cfg.Auth.TokenKey == "" {
			return nil, core.ErrOAConfig.New("field", "auth.tokenKey", "reason", "required")
		}
	case AuthECDev:
		if cfg.Auth.AppID == "" {
			return nil, core.ErrOAConfig.New("field", "auth.appId", "reason", "required")
		}
		c.ecdev = newECDevAuth(base, cfg.Auth, c.call, deps)
	default:
		return nil, core.ErrOAConfig.New("field", "auth.mode", "reason", cfg.Auth.Mode)
	}
	switch cfg.Login.RSA {
	case RSAAuto, RSAOn, RSAOff:
	default:
		return nil, core.ErrOAConfig.New("field", "login.rsa", "reason", cfg.Login.RSA)
	}
	return c, nil
}

func (c *ecology9) Kind() string { return KindEcology9 }

// ---- HRM REST --------------------------------------------------------------

// hrmPage is the HRM REST envelope: {"code":"1","data":{"totalSize","pageSize","page","dataList"}}.
type hrmPage struct {
	Code    flexString `json:"code"`
	Msg     flexString `json:"msg"`
	Message flexString `json:"message"`
	Data    struct {
		TotalSize flexInt           `json:"totalSize"`
		DataList  []json.RawMessage `json:"dataList"`
	} `json:"data"`
}

// authHeaders returns the HRM auth headers and, for ec/dev, the token used.
func (c *ecology9) authHeaders(ctx context.Context) (http.Header, string, error) {
	switch c.cfg.Auth.Mode {
	case AuthKey:
		ts := strconv.FormatInt(c.deps.Clock.Now().UnixMilli(), 10)
		sum := md5.Sum([]byte(c.cfg.Auth.TokenKey + ts))
		h := http.Header{}
		h.Set("key", strings.ToUpper(hex.EncodeToString(sum[:])))
		h.Set("ts", ts)
		return h, "", nil
	case AuthECDev:
		return c.ecdev.headers(ctx, "")
	}
	return http.Header{}, "", nil
}

// hrm calls one HRM REST list endpoint. The body is the documented form
// encoding: one field "params" holding a JSON string.
func (c *ecology9) hrm(ctx context.Context, path string, params map[string]any) (*hrmPage, error) {
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, core.Errorf("oa: params: %v", err)
	}
	form := url.Values{"params": {string(raw)}}
	for attempt := 0; ; attempt++ {
		h, token, err := c.authHeaders(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := c.call.do(ctx, path, func(ctx context.Context) (*http.Request, error) {
			return formRequest(ctx, c.base+path, form, h)
		})
		if err != nil {
			return nil, err
		}
		if c.ecdev != nil && attempt == 0 && tokenRejected(resp) {
			c.ecdev.invalidate(token)
			continue
		}
		return c.parseHRM(path, resp)
	}
}

// tokenRejected recognises the ec/dev "token expired" answer.
// guess: e-cology answers HTTP 200 with {"status":false,"msg":"token:不存在或者超时"}
// (the message the reference quotes); HTTP 401 is accepted as well.
func tokenRejected(resp *response) bool {
	if resp.status == http.StatusUnauthorized {
		return true
	}
	var ans struct {
		Status flexString `json:"status"`
		Code   flexString `json:"code"`
		Msg    flexString `json:"msg"`
	}
	if json.Unmarshal(resp.body, &ans) != nil {
		return false
	}
	return ans.Code.String() != "1" && strings.Contains(strings.ToLower(ans.Msg.String()), "token")
}

func (c *ecology9) parseHRM(path string, resp *response) (*hrmPage, error) {
	if resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden {
		return nil, core.ErrOAAuthRejected.New("mode", c.cfg.Auth.Mode, "message", "HTTP "+strconv.Itoa(resp.status))
	}
	if resp.status != http.StatusOK {
		return nil, core.ErrOAHTTPStatus.New("endpoint", path, "status", strconv.Itoa(resp.status))
	}
	body := strings.TrimSpace(string(resp.body))
	if strings.HasPrefix(body, "<") {
		// guess: a caller that is not allowed gets the OA's login page
		// (HTML) rather than a JSON error.
		return nil, core.ErrOAAuthRejected.New("mode", c.cfg.Auth.Mode, "message", "the OA answered with a web page (login page?)")
	}
	var page hrmPage
	if err := json.Unmarshal(resp.body, &page); err != nil {
		return nil, core.ErrOABadResponse.Wrap(err, "endpoint", path)
	}
	if code := page.Code.String(); code != "1" {
		msg := page.Msg.String()
		if msg == "" {
			msg = page.Message.String()
		}
		if authHint(msg) {
			return nil, core.ErrOAAuthRejected.New("mode", c.cfg.Auth.Mode, "message", msg)
		}
		return nil, core.ErrOARemote.New("endpoint", path, "code", code, "message", msg)
	}
	return &page, nil
}

// authHint spots an authentication failure in an OA error message.
// guess: the exact texts are undocumented; these words cover the ones
// seen in public code (token, 权限, 白名单, key).
func authHint(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range []string{"token", "key", "权限", "白名单", "认证", "授权", "unauthor", "forbidden"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// listAll reads every page of one HRM list and hands each row to fn.
//
// Paging: e-cology's totalSize is documented both as a record count and as
// a page count. The loop therefore reads until an empty page, and stops
// early only when a short page brings the running count exactly to
// totalSize, which is right under both readings.
//
// offset is what earlier lists of the same stage already fetched (progress
// counts continue); it returns the rows read. The caller reports Done.
func (c *ecology9) listAll(ctx context.Context, stage, path string, params map[string]any, prog *progress, offset int, fn func(json.RawMessage) error) (int, error) {
	size := c.cfg.pageSize()
	fetched := 0
	var prevFirst string
	for page := 1; ; page++ {
		if page > maxPages {
			return fetched, core.ErrOAPaging.New("endpoint", path)
		}
		p := map[string]any{}
		for k, v := range params {
			p[k] = v
		}
		p["curpage"] = page
		p["pagesize"] = size
		res, err := c.hrm(ctx, path, p)
		if err != nil {
			return fetched, err
		}
		rows := res.Data.DataList
		if len(rows) == 0 {
			break
		}
		var first struct {
			ID flexString `json:"id"`
		}
		_ = json.Unmarshal(rows[0], &first)
		if page > 1 && first.ID != "" && first.ID.String() == prevFirst {
			// The OA ignores curpage: it would return page 1 forever.
			return fetched, core.ErrOAPaging.New("endpoint", path)
		}
		prevFirst = first.ID.String()
		for _, r := range rows {
			if err := fn(r); err != nil {
				return fetched, err
			}
		}
		fetched += len(rows)
		total := int(res.Data.TotalSize)
		prog.report(Progress{Stage: stage, Page: page, Fetched: offset + fetched, Total: offset + total})
		if len(rows) < size && fetched == total {
			break
		}
		if c.cfg.PageDelay > 0 {
			t := time.NewTimer(c.cfg.PageDelay)
			select {
			case <-ctx.Done():
				t.Stop()
				return fetched, core.ErrTimeout.Wrap(ctx.Err())
			case <-t.C:
			}
		}
	}
	return fetched, nil
}

type e9Subcompany struct {
	ID        flexString `json:"id"`
	Name      flexString `json:"subcompanyname"`
	Desc      flexString `json:"subcompanydesc"`
	Code      flexString `json:"subcompanycode"`
	Parent    flexString `json:"supsubcomid"`
	Canceled  flexString `json:"canceled"`
	ShowOrder flexString `json:"showorder"`
	Modified  flexString `json:"modified"`
}

type e9Department struct {
	ID         flexString `json:"id"`
	Name       flexString `json:"departmentname"`
	Mark       flexString `json:"departmentmark"`
	Code       flexString `json:"departmentcode"`
	Subcompany flexString `json:"subcompanyid1"`
	Parent     flexString `json:"supdepid"`
	Canceled   flexString `json:"canceled"`
	ShowOrder  flexString `json:"showorder"`
	Modified   flexString `json:"modified"`
}

type e9User struct {
	ID           flexString `json:"id"`
	LoginID      flexString `json:"loginid"`
	WorkCode     flexString `json:"workcode"`
	LastName     flexString `json:"lastname"`
	Sex          flexString `json:"sex"`
	Mobile       flexString `json:"mobile"`
	Telephone    flexString `json:"telephone"`
	Email        flexString `json:"email"`
	DepartmentID flexString `json:"departmentid"`
	SubcompanyID flexString `json:"subcompanyid1"`
	JobTitle     flexString `json:"jobtitle"`
	JobTitleName flexString `json:"jobtitlename"`
	ManagerID    flexString `json:"managerid"`
	Status       flexString `json:"status"`
	AccountType  flexString `json:"accounttype"`
	BelongTo     flexString `json:"belongto"`
	DspOrder     flexString `json:"dsporder"`
	Modified     flexString `json:"modified"`
}

type e9JobTitle struct {
	ID   flexString `json:"id"`
	Name flexString `json:"jobtitlename"`
}

// isRootRef: e-cology writes "0" (or nothing) for "no parent".
func isRootRef(s flexString) bool {
	v := s.String()
	return v == "" || v == "0" || v == "-1"
}

func (c *ecology9) mapSubcompany(r e9Subcompany) Department {
	d := Department{ID: NodeID(TypeSubcompany, r.ID.String()), SourceID: r.ID.String(), Type: TypeSubcompany,
		Name: r.Name.String(), ShortName: r.Desc.String(), Code: r.Code.String(),
		Order: parseOrder(r.ShowOrder.String()), Sealed: r.Canceled.String() == "1"}
	if !isRootRef(r.Parent) {
		d.ParentID = NodeID(TypeSubcompany, r.Parent.String())
	}
	d.Modified, _ = parseOATime(r.Modified.String(), c.loc)
	return d
}

func (c *ecology9) mapDepartment(r e9Department) Department {
	d := Department{ID: NodeID(TypeDepartment, r.ID.String()), SourceID: r.ID.String(), Type: TypeDepartment,
		Name: r.Name.String(), ShortName: r.Mark.String(), Code: r.Code.String(),
		Order: parseOrder(r.ShowOrder.String()), Sealed: r.Canceled.String() == "1"}
	switch {
	case !isRootRef(r.Parent):
		d.ParentID = NodeID(TypeDepartment, r.Parent.String())
	case !isRootRef(r.Subcompany):
		d.ParentID = NodeID(TypeSubcompany, r.Subcompany.String())
	}
	d.Modified, _ = parseOATime(r.Modified.String(), c.loc)
	return d
}

func (c *ecology9) mapUser(r e9User, titles map[string]string) rawUser {
	u := User{ID: r.ID.String(), LoginID: r.LoginID.String(), WorkCode: r.WorkCode.String(),
		Name: r.LastName.String(), Sex: r.Sex.String(), Mobile: r.Mobile.String(), Telephone: r.Telephone.String(),
		Email: r.Email.String(), JobTitleID: r.JobTitle.String(), ManagerID: r.ManagerID.String(),
		BelongTo: r.BelongTo.String(), Order: parseOrder(r.DspOrder.String())}
	if isRootRef(r.ManagerID) {
		u.ManagerID = ""
	}
	if !isRootRef(r.DepartmentID) {
		u.DepartmentID = NodeID(TypeDepartment, r.DepartmentID.String())
	}
	if !isRootRef(r.SubcompanyID) {
		u.SubcompanyID = NodeID(TypeSubcompany, r.SubcompanyID.String())
	}
	u.JobTitle = r.JobTitleName.String()
	if u.JobTitle == "" {
		u.JobTitle = titles[u.JobTitleID]
	}
	// guess: an empty status means active (every documented row has one).
	u.Status = 1
	if s := r.Status.String(); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			u.Status = n
		}
	}
	u.Left = IsLeaver(u.Status)
	u.Modified, _ = parseOATime(r.Modified.String(), c.loc)
	at := r.AccountType.String()
	if at != "1" {
		at = "0"
	}
	return rawUser{User: u, accountType: at}
}

// PullOrg implements Connector.
func (c *ecology9) PullOrg(ctx context.Context, opts PullOptions) (*Org, error) {
	started := c.deps.Clock.Now()
	prog := &progress{fn: opts.Progress, clock: c.deps.Clock}
	filter := map[string]any{}
	var since time.Time
	if !opts.Since.IsZero() {
		since = opts.Since.Add(-c.cfg.overlap())
		filter["modified"] = since.In(c.loc).Format(oaTimeLayout)
	}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range filter {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	var depts []Department
	done := func(stage string, n int) { prog.report(Progress{Stage: stage, Fetched: n, Total: n, Done: true}) }
	// Subcompanies and departments: the default query returns active ones
	// only; canceled=1 asks for sealed ones. (A "2 = all" value exists for
	// departments in one client DTO only, so two queries are used instead.)
	n := 0
	for _, canceled := range []string{"", "1"} {
		got, err := c.listAll(ctx, StageSubcompanies, pathSubcompanies, with(map[string]any{"canceled": canceled}), prog, n, func(raw json.RawMessage) error {
			var r e9Subcompany
			if err := json.Unmarshal(raw, &r); err != nil {
				return core.ErrOABadResponse.Wrap(err, "endpoint", pathSubcompanies)
			}
			if r.ID.String() != "" {
				depts = append(depts, c.mapSubcompany(r))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		n += got
	}
	done(StageSubcompanies, n)
	n = 0
	for _, canceled := range []string{"", "1"} {
		got, err := c.listAll(ctx, StageDepartments, pathDepartments, with(map[string]any{"canceled": canceled}), prog, n, func(raw json.RawMessage) error {
			var r e9Department
			if err := json.Unmarshal(raw, &r); err != nil {
				return core.ErrOABadResponse.Wrap(err, "endpoint", pathDepartments)
			}
			if r.ID.String() != "" {
				depts = append(depts, c.mapDepartment(r))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		n += got
	}
	done(StageDepartments, n)

	// Job titles resolve users' jobtitle ids to names. Always a full read
	// (the list is short), and optional: an OA without the endpoint still
	// syncs, only without titles.
	titles := map[string]string{}
	var warnings []Warning
	n, err := c.listAll(ctx, StageJobTitles, pathJobTitles, map[string]any{}, prog, 0, func(raw json.RawMessage) error {
		var r e9JobTitle
		if json.Unmarshal(raw, &r) == nil && r.ID.String() != "" {
			titles[r.ID.String()] = r.Name.String()
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		c.deps.Logger.Warn("oa job titles unavailable; users get no title", "err", err)
		warnings = append(warnings, Warning{Kind: "jobtitle", Reason: "unavailable", Ref: core.AsError(err).Code})
	}
	done(StageJobTitles, n)

	// guess: getHrmUserInfoWithPage returns every status (leavers included)
	// when no status filter is given; the doc lists no such filter.
	var users []rawUser
	n, err = c.listAll(ctx, StageUsers, pathUsers, with(nil), prog, 0, func(raw json.RawMessage) error {
		var r e9User
		if err := json.Unmarshal(raw, &r); err != nil {
			return core.ErrOABadResponse.Wrap(err, "endpoint", pathUsers)
		}
		users = append(users, c.mapUser(r, titles))
		return nil
	})
	if err != nil {
		return nil, err
	}
	done(StageUsers, n)
	org, err := assemble(depts, users, since.IsZero(), opts)
	if err != nil {
		return nil, err
	}
	org.Since = since
	org.PulledAt = started
	org.Warnings = append(warnings, org.Warnings...)
	return org, nil
}

// lookupUser finds one user by an HRM filter field ("id" or "loginid").
func (c *ecology9) lookupUser(ctx context.Context, field, value string) (User, bool, error) {
	res, err := c.hrm(ctx, pathUsers, map[string]any{field: value, "curpage": 1, "pagesize": 10})
	if err != nil {
		return User{}, false, err
	}
	for _, raw := range res.Data.DataList {
		var r e9User
		if json.Unmarshal(raw, &r) != nil {
			continue
		}
		// The filter may match loosely; insist on an exact match.
		got := r.ID.String()
		if field == "loginid" {
			got = r.LoginID.String()
		}
		if strings.EqualFold(got, value) {
			return c.mapUser(r, nil).User, true, nil
		}
	}
	return User{}, false, nil
}

// ---- connection test -------------------------------------------------------

// Test implements Connector: one page of each list, with counts and timings.
func (c *ecology9) Test(ctx context.Context) (TestReport, error) {
	rep := TestReport{Kind: KindEcology9, OK: true}
	wall := time.Now()
	if c.ecdev != nil {
		t0 := time.Now()
		_, _, err := c.ecdev.headers(ctx, "")
		step := TestStep{Name: "auth", OK: err == nil, Elapsed: Millis(time.Since(t0))}
		if err != nil {
			step.Error = core.AsError(err)
			rep.OK = false
			rep.Steps = append(rep.Steps, step)
			rep.Elapsed = Millis(time.Since(wall))
			return rep, nil
		}
		rep.Steps = append(rep.Steps, step)
	}
	for _, s := range []struct{ name, path string }{
		{StageSubcompanies, pathSubcompanies}, {StageDepartments, pathDepartments},
		{StageUsers, pathUsers}, {StageJobTitles, pathJobTitles},
	} {
		t0 := time.Now()
		res, err := c.hrm(ctx, s.path, map[string]any{"curpage": 1, "pagesize": c.cfg.pageSize()})
		step := TestStep{Name: s.name, OK: err == nil, Elapsed: Millis(time.Since(t0))}
		if err != nil {
			step.Error = core.AsError(err)
			// A missing job-title endpoint does not make the connector unusable.
			if s.path != pathJobTitles {
				rep.OK = false
			}
		} else {
			step.Count = len(res.Data.DataList)
			step.Total = int(res.Data.TotalSize)
		}
		rep.Steps = append(rep.Steps, step)
		if err != nil && core.Of(err, core.ErrOAAuthRejected) {
			break // every further call fails the same way
		}
	}
	rep.Elapsed = Millis(time.Since(wall))
	return rep, nil
}

// ---- pending to-dos (reconciliation) --------------------------------------

// PendingTodos implements TodoLister via paService, acting as userID.
// It needs the ec/dev auth mode: paService reads the acting user from the
// userid header.
func (c *ecology9) PendingTodos(ctx context.Context, userID string, page, pageSize int) ([]PendingTodo, error) {
	if c.ecdev == nil {
		return nil, core.ErrOANotSupported.New("kind", KindEcology9, "feature", "todo_reconcile (needs ec/dev auth)")
	}
	if page < 1 {
		page = 1
	}
	if pageSize <= 0 {
		pageSize = 100
	}
	form := url.Values{"pageNo": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(pageSize)},
		"conditions": {"{}"}, "isMergeShow": {"0"}, "isNeedOs": {"0"}}
	for attempt := 0; ; attempt++ {
		h, token, err := c.ecdev.headers(ctx, userID)
		if err != nil {
			return nil, err
		}
		resp, err := c.call.do(ctx, pathTodoList, func(ctx context.Context) (*http.Request, error) {
			return formRequest(ctx, c.base+pathTodoList, form, h)
		})
		if err != nil {
			return nil, err
		}
		if attempt == 0 && tokenRejected(resp) {
			c.ecdev.invalidate(token)
			continue
		}
		if resp.status != http.StatusOK {
			return nil, core.ErrOAHTTPStatus.New("endpoint", pathTodoList, "status", strconv.Itoa(resp.status))
		}
		return parseTodoList(resp.body)
	}
}

// parseTodoList reads the paService answer: documented as an array of
// items. guess: some versions wrap it as {"code":…,"data":[…]}; both parse.
func parseTodoList(body []byte) ([]PendingTodo, error) {
	type item struct {
		RequestID    flexString `json:"requestId"`
		RequestName  flexString `json:"requestName"`
		WorkflowInfo struct {
			WorkflowID   flexString `json:"workflowId"`
			WorkflowName flexString `json:"workflowName"`
		} `json:"workflowBaseInfo"`
		CurrentNodeName flexString `json:"currentNodeName"`
		CreatorID       flexString `json:"creatorId"`
		CreatorName     flexString `json:"creatorName"`
		CreateTime      flexString `json:"createTime"`
		ReceiveTime     flexString `json:"receiveTime"`
	}
	var items []item
	if err := json.Unmarshal(body, &items); err != nil {
		var wrapped struct {
			Code flexString `json:"code"`
			Data []item     `json:"data"`
			Msg  flexString `json:"msg"`
		}
		if err2 := json.Unmarshal(body, &wrapped); err2 != nil {
			return nil, core.ErrOABadResponse.Wrap(err, "endpoint", pathTodoList)
		}
		if code := strings.ToUpper(wrapped.Code.String()); wrapped.Data == nil && code != "" && code != "SUCCESS" && code != "1" {
			return nil, core.ErrOARemote.New("endpoint", pathTodoList, "code", code, "message", wrapped.Msg.String())
		}
		items = wrapped.Data
	}
	out := make([]PendingTodo, 0, len(items))
	for _, it := range items {
		out = append(out, PendingTodo{RequestID: it.RequestID.String(), RequestName: it.RequestName.String(),
			WorkflowID: it.WorkflowInfo.WorkflowID.String(), WorkflowName: it.WorkflowInfo.WorkflowName.String(),
			NodeName: it.CurrentNodeName.String(), CreatorID: it.CreatorID.String(), CreatorName: it.CreatorName.String(),
			CreateTime: it.CreateTime.String(), ReceiveTime: it.ReceiveTime.String()})
	}
	return out, nil
}
