package sim

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Contact writes. WeLink documents the fields but neither the required
// ones nor the error codes of these APIs; the checks below (name, mobile
// and a department required to create a user; mobile and corpUserId
// unique; department names unique among siblings; only empty departments
// deleted) and their codes (47003 empty, 47004 invalid, 47008 conflict,
// 47009/47012 not found, 47000 outside the range) are inferred.

var mobileRE = regexp.MustCompile(`^\+\d{1,4}-\d{5,15}$`)

type userIn struct {
	UserID            string          `json:"userId"`
	CorpUserID        string          `json:"corpUserId"`
	UserNameCn        string          `json:"userNameCn"`
	UserNameEn        string          `json:"userNameEn"`
	MobileNumber      string          `json:"mobileNumber"`
	PhoneNumber       json.RawMessage `json:"phoneNumber"` // a list, or a string in old callers
	Sex               string          `json:"sex"`
	DeptCodes         []string        `json:"deptCodes"`
	CorpDeptCodes     []string        `json:"corpDeptCodes"`
	MainDeptCode      string          `json:"mainDeptCode"`
	MainCorpDeptCode  string          `json:"mainCorpDeptCode"`
	EmployeeID        string          `json:"employeeId"`
	LandlineNumber    string          `json:"landlineNumber"`
	UserEmail         string          `json:"userEmail"`
	EmailLoginAccount string          `json:"emailLoginAccount"`
	Position          string          `json:"position"`
	BusinessAddress   string          `json:"businessAddress"`
	BaseLocation      string          `json:"baseLocation"`
	Secretary         string          `json:"secretary"`
	CorpSecretary     string          `json:"corpSecretary"`
	Remark            string          `json:"remark"`
	IsHidePhoneNumber int             `json:"isHidePhoneNumber"`
	SeniorMode        int             `json:"seniorMode"`
	PersonType        string          `json:"personType"`
	TimeZone          string          `json:"timeZone"`
	RoleIDs           []string        `json:"roleIds"`
	ExtAttr           map[string]any  `json:"extAttr"`
	SipNum            string          `json:"sipNum"`
	IsDeleteUser      *int            `json:"isDeleteUser"`
}

type deptIn struct {
	DeptCode       string          `json:"deptCode"`
	CorpDeptCode   string          `json:"corpDeptCode"`
	ParentCode     string          `json:"parentCode"`
	CorpParentCode string          `json:"corpParentCode"`
	DeptNameCn     string          `json:"deptNameCn"`
	DeptNameEn     string          `json:"deptNameEn"`
	ManagerID      []string        `json:"managerId"`
	CorpManagerID  []string        `json:"corpManagerId"`
	VisibleRange   int             `json:"visibleRange"`
	OrderNo        json.RawMessage `json:"orderNo"` // string or number
	Valid          string          `json:"valid"`
}

// opErr is a WeLink code and message for one failed record.
type opErr struct{ code, msg string }

func fail(code, msg string) *opErr { return &opErr{code, msg} }

func phones(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// deptCodes resolves deptCodes/corpDeptCodes (main first). Caller holds s.mu.
func (s *Server) deptCodes(a *app, in *userIn) ([]string, *opErr) {
	var out []string
	seen := map[string]bool{}
	add := func(d *dept) {
		if !seen[d.Code] {
			seen[d.Code] = true
			out = append(out, d.Code)
		}
	}
	main := s.org.findDept(in.MainDeptCode, in.MainCorpDeptCode)
	if main != nil {
		add(main)
	}
	for _, c := range in.DeptCodes {
		d := s.org.depts[c]
		if d == nil {
			return nil, fail("47004", "部门不存在: "+c)
		}
		add(d)
	}
	for _, c := range in.CorpDeptCodes {
		d := s.org.deptByCorp[c]
		if d == nil {
			return nil, fail("47004", "部门不存在: "+c)
		}
		add(d)
	}
	for _, c := range out {
		if !a.rng.dept(s.org.depts[c]) {
			return nil, fail("47000", "无权限: "+c)
		}
	}
	return out, nil
}

func (s *Server) checkMobile(m string, self *user) *opErr {
	if !mobileRE.MatchString(m) {
		return fail("47004", "mobileNumber格式不正确，应为 +86-13800000000")
	}
	if o := s.org.byMobile[m]; o != nil && o != self {
		return fail("47008", "手机号已存在")
	}
	return nil
}

func (s *Server) newUserID(in *userIn) string {
	base := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(in.UserNameEn))
	if base == "" {
		base = "wl" + strconv.Itoa(1000000+s.org.userSeq)
	}
	id := base + "@" + s.org.domain
	for k := 2; s.org.users[id] != nil; k++ {
		id = base + strconv.Itoa(k) + "@" + s.org.domain
	}
	return id
}

// Caller of every *Op holds s.mu (write).

func (s *Server) createUserOp(a *app, in *userIn, now time.Time) (*user, *opErr) {
	switch {
	case strings.TrimSpace(in.UserNameCn) == "":
		return nil, fail("47003", "userNameCn为空")
	case in.MobileNumber == "":
		return nil, fail("47003", "mobileNumber为空")
	}
	if e := s.checkMobile(in.MobileNumber, nil); e != nil {
		return nil, e
	}
	if in.CorpUserID != "" && s.org.byCorp[in.CorpUserID] != nil {
		return nil, fail("47008", "corpUserId已存在")
	}
	if in.UserEmail != "" && !strings.Contains(in.UserEmail, "@") {
		return nil, fail("47004", "userEmail格式不正确")
	}
	codes, e := s.deptCodes(a, in)
	if e != nil {
		return nil, e
	}
	if len(codes) == 0 {
		return nil, fail("47002", "部门编码为空")
	}
	ts := now.Format(timeFmt)
	u := &user{hidePhone: 1, updated: ts}
	u.UserID = s.newUserID(in)
	u.CorpUserID, u.Mobile, u.Status, u.Created = in.CorpUserID, in.MobileNumber, "3", ts
	s.applyUser(u, in)
	u.Depts, u.MainDept = codes, codes[0]
	s.org.insertUser(u)
	return u, nil
}

// applyUser copies the optional fields that are set.
func (s *Server) applyUser(u *user, in *userIn) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&u.NameCn, strings.TrimSpace(in.UserNameCn))
	set(&u.NameEn, in.UserNameEn)
	set(&u.Sex, in.Sex)
	set(&u.EmployeeID, in.EmployeeID)
	set(&u.Landline, in.LandlineNumber)
	set(&u.Email, in.UserEmail)
	set(&u.emailLogin, in.EmailLoginAccount)
	set(&u.Position, in.Position)
	set(&u.address, in.BusinessAddress)
	set(&u.location, in.BaseLocation)
	set(&u.secretary, in.Secretary)
	set(&u.corpSecretary, in.CorpSecretary)
	set(&u.remark, in.Remark)
	set(&u.personType, in.PersonType)
	set(&u.timeZone, in.TimeZone)
	set(&u.sipNum, in.SipNum)
	if p := phones(in.PhoneNumber); p != nil {
		u.phones = p
	}
	if in.IsHidePhoneNumber != 0 {
		u.hidePhone = in.IsHidePhoneNumber
	}
	if in.SeniorMode != 0 {
		u.seniorMode = in.SeniorMode
	}
	if in.RoleIDs != nil {
		u.roleIDs = in.RoleIDs
	}
	if in.ExtAttr != nil {
		u.extAttr = in.ExtAttr
	}
}

func (s *Server) findUserOp(a *app, in *userIn) (*user, *opErr) {
	if in.UserID == "" && in.CorpUserID == "" && in.MobileNumber == "" {
		return nil, fail("47003", "userId、corpUserId、mobileNumber不能同时为空")
	}
	u := s.org.findUser(in.UserID, in.CorpUserID, in.MobileNumber)
	if u == nil {
		return nil, fail("47012", "用户不存在")
	}
	if !a.rng.user(s.org, u) {
		return nil, fail("47000", "无权限")
	}
	return u, nil
}

// updateUserOp changes a user. The mobile number changes only through
// /contact/v1/user/mobilenumber (inferred): here it only identifies.
func (s *Server) updateUserOp(a *app, in *userIn, now time.Time) (*user, *opErr) {
	u, e := s.findUserOp(a, in)
	if e != nil {
		return nil, e
	}
	if in.UserID != "" && in.CorpUserID != "" && in.CorpUserID != u.CorpUserID {
		if o := s.org.byCorp[in.CorpUserID]; o != nil && o != u {
			return nil, fail("47008", "corpUserId已存在")
		}
		s.org.setCorpUserID(u, in.CorpUserID)
	}
	if in.UserEmail != "" && !strings.Contains(in.UserEmail, "@") {
		return nil, fail("47004", "userEmail格式不正确")
	}
	if len(in.DeptCodes) > 0 || len(in.CorpDeptCodes) > 0 || in.MainDeptCode != "" || in.MainCorpDeptCode != "" {
		codes, e := s.deptCodes(a, in)
		if e != nil {
			return nil, e
		}
		s.org.setDepts(u, codes)
	}
	s.applyUser(u, in)
	if u.Status == "4" {
		u.Status = "3" // writing a closed user back reopens it
	}
	u.updated = now.Format(timeFmt)
	s.org.version++
	return u, nil
}

// deleteUserOp: isDeleteUser=1 removes the account; otherwise the user is
// closed (userStatus 4) and leaves every department (inferred semantics).
func (s *Server) deleteUserOp(a *app, in *userIn, now time.Time) (*user, *opErr) {
	u, e := s.findUserOp(a, in)
	if e != nil {
		return nil, e
	}
	if in.IsDeleteUser != nil && *in.IsDeleteUser == 1 {
		s.org.deleteUser(u)
		return u, nil
	}
	s.org.setDepts(u, nil)
	u.Status, u.updated = "4", now.Format(timeFmt)
	return u, nil
}

// mobileOp changes the bound mobile: at most 3 changes in 24 h for an
// opened account (documented).
func (s *Server) mobileOp(a *app, in *userIn, now time.Time) (*user, *opErr) {
	mobile := in.MobileNumber
	key := *in
	key.MobileNumber = ""
	u, e := s.findUserOp(a, &key)
	if e != nil {
		return nil, e
	}
	if mobile == "" {
		return nil, fail("47003", "mobileNumber为空")
	}
	if e := s.checkMobile(mobile, u); e != nil {
		return nil, e
	}
	if u.Status == "3" {
		recent := u.mobileChanges[:0]
		for _, t := range u.mobileChanges {
			if now.Sub(t) < 24*time.Hour {
				recent = append(recent, t)
			}
		}
		u.mobileChanges = recent
		if len(recent) >= 3 {
			return nil, fail("47008", "24小时内最多修改3次手机号")
		}
		u.mobileChanges = append(u.mobileChanges, now)
	}
	s.org.setMobile(u, mobile)
	u.updated = now.Format(timeFmt)
	return u, nil
}

func (s *Server) corpUIDOp(a *app, in *userIn, now time.Time) (*user, *opErr) {
	if in.UserID == "" || in.CorpUserID == "" {
		return nil, fail("47003", "userId或corpUserId为空")
	}
	key := userIn{UserID: in.UserID}
	u, e := s.findUserOp(a, &key)
	if e != nil {
		return nil, e
	}
	if o := s.org.byCorp[in.CorpUserID]; o != nil && o != u {
		return nil, fail("47008", "corpUserId已存在")
	}
	s.org.setCorpUserID(u, in.CorpUserID)
	u.updated = now.Format(timeFmt)
	return u, nil
}

// syncUserOp upserts: by userId, else by corpUserId, else by mobile.
func (s *Server) syncUserOp(a *app, in *userIn, now time.Time) (*user, *opErr) {
	if s.org.findUser(in.UserID, in.CorpUserID, in.MobileNumber) != nil {
		return s.updateUserOp(a, in, now)
	}
	return s.createUserOp(a, in, now)
}

func orderNo(raw json.RawMessage) (int, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		return 0, false
	}
	return n, true
}

func (s *Server) siblingNameTaken(parent, name string, self *dept) bool {
	list := s.org.top
	if p := s.org.depts[parent]; p != nil {
		list = p.children
	}
	for _, d := range list {
		if d != self && d.NameCn == name {
			return true
		}
	}
	return false
}

func (s *Server) parentOp(a *app, in *deptIn) (string, *opErr) {
	if in.ParentCode == "" && in.CorpParentCode == "" {
		return "", fail("47003", "parentCode为空")
	}
	p, ok := s.org.resolveParent(in.ParentCode, in.CorpParentCode)
	if !ok {
		return "", fail("47004", "上级部门不存在")
	}
	if p == "0" && !a.rng.all || p != "0" && !a.rng.dept(s.org.depts[p]) {
		return "", fail("47000", "无权限")
	}
	return p, nil
}

func (s *Server) managers(in *deptIn) []string {
	var out []string
	for _, m := range in.ManagerID {
		if s.org.users[m] != nil {
			out = append(out, m)
		}
	}
	for _, m := range in.CorpManagerID {
		if u := s.org.byCorp[m]; u != nil {
			out = append(out, u.UserID)
		}
	}
	return out
}

func (s *Server) createDeptOp(a *app, in *deptIn, now time.Time) (*dept, *opErr) {
	name := strings.TrimSpace(in.DeptNameCn)
	if name == "" {
		return nil, fail("47003", "deptNameCn为空")
	}
	parent, e := s.parentOp(a, in)
	if e != nil {
		return nil, e
	}
	if in.CorpDeptCode != "" && s.org.deptByCorp[in.CorpDeptCode] != nil {
		return nil, fail("47008", "corpDeptCode已存在")
	}
	if s.siblingNameTaken(parent, name, nil) {
		return nil, fail("47008", "同级部门名称重复")
	}
	order, ok := orderNo(in.OrderNo)
	if !ok {
		return nil, fail("47004", "orderNo应为1-999")
	}
	if order == 0 {
		order = 1000
	}
	vr := in.VisibleRange
	if vr == 0 {
		vr = 1
	}
	ts := now.Format(timeFmt)
	d := &dept{visibleRange: vr, created: ts, updated: ts}
	d.Code, d.CorpCode, d.Parent, d.NameCn, d.NameEn, d.Order = s.org.newDeptCode(), in.CorpDeptCode, parent, name, in.DeptNameEn, order
	d.Managers = s.managers(in)
	s.org.insertDept(d)
	return d, nil
}

func (s *Server) findDeptOp(a *app, in *deptIn) (*dept, *opErr) {
	if in.DeptCode == "" && in.CorpDeptCode == "" {
		return nil, fail("47002", "部门编码为空")
	}
	d := s.org.findDept(in.DeptCode, in.CorpDeptCode)
	if d == nil {
		return nil, fail("47009", "部门不存在")
	}
	if !a.rng.dept(d) {
		return nil, fail("47000", "无权限")
	}
	return d, nil
}

func (s *Server) updateDeptOp(a *app, in *deptIn, now time.Time) (*dept, *opErr) {
	d, e := s.findDeptOp(a, in)
	if e != nil {
		return nil, e
	}
	parent := d.Parent
	if in.ParentCode != "" || in.CorpParentCode != "" {
		p, e := s.parentOp(a, in)
		if e != nil {
			return nil, e
		}
		if np := s.org.depts[p]; np != nil && d.isAncestorOf(np) {
			return nil, fail("47004", "不能移动到自己的下级部门")
		}
		parent = p
	}
	name := d.NameCn
	if n := strings.TrimSpace(in.DeptNameCn); n != "" {
		name = n
	}
	if (name != d.NameCn || parent != d.Parent) && s.siblingNameTaken(parent, name, d) {
		return nil, fail("47008", "同级部门名称重复")
	}
	order, ok := orderNo(in.OrderNo)
	if !ok {
		return nil, fail("47004", "orderNo应为1-999")
	}
	if in.DeptCode != "" && in.CorpDeptCode != "" && in.CorpDeptCode != d.CorpCode {
		if o := s.org.deptByCorp[in.CorpDeptCode]; o != nil && o != d {
			return nil, fail("47008", "corpDeptCode已存在")
		}
		s.org.setCorpDeptCode(d, in.CorpDeptCode)
	}
	s.org.unlink(d)
	d.Parent, d.NameCn = parent, name
	if in.DeptNameEn != "" {
		d.NameEn = in.DeptNameEn
	}
	if order != 0 {
		d.Order = order
	}
	if in.VisibleRange != 0 {
		d.visibleRange = in.VisibleRange
	}
	if in.ManagerID != nil || in.CorpManagerID != nil {
		d.Managers = s.managers(in)
	}
	s.org.link(d)
	d.updated = now.Format(timeFmt)
	s.org.version++
	return d, nil
}

func (s *Server) deleteDeptOp(a *app, in *deptIn, now time.Time) (*dept, *opErr) {
	d, e := s.findDeptOp(a, in)
	if e != nil {
		return nil, e
	}
	if len(d.children) > 0 {
		return nil, fail("47008", "部门下存在子部门，不能删除")
	}
	if len(d.users) > 0 {
		return nil, fail("47008", "部门下存在人员，不能删除")
	}
	s.org.deleteDept(d)
	return d, nil
}

func (s *Server) syncDeptOp(a *app, in *deptIn, now time.Time) (*dept, *opErr) {
	exists := s.org.findDept(in.DeptCode, in.CorpDeptCode) != nil
	switch {
	case in.Valid == "0" && exists:
		return s.deleteDeptOp(a, in, now)
	case in.Valid == "0":
		return nil, fail("47009", "部门不存在")
	case exists:
		return s.updateDeptOp(a, in, now)
	}
	return s.createDeptOp(a, in, now)
}

func (s *Server) corpDeptOp(a *app, in *deptIn, now time.Time) (*dept, *opErr) {
	if in.DeptCode == "" || in.CorpDeptCode == "" {
		return nil, fail("47003", "deptCode或corpDeptCode为空")
	}
	d, e := s.findDeptOp(a, &deptIn{DeptCode: in.DeptCode})
	if e != nil {
		return nil, e
	}
	if o := s.org.deptByCorp[in.CorpDeptCode]; o != nil && o != d {
		return nil, fail("47008", "corpDeptCode已存在")
	}
	s.org.setCorpDeptCode(d, in.CorpDeptCode)
	d.updated = now.Format(timeFmt)
	return d, nil
}

var userOps = map[string]func(*Server, *app, *userIn, time.Time) (*user, *opErr){
	"create": (*Server).createUserOp, "update": (*Server).updateUserOp, "delete": (*Server).deleteUserOp,
	"sync": (*Server).syncUserOp, "updatemobile": (*Server).mobileOp, "updatecorpuid": (*Server).corpUIDOp,
}

var deptOps = map[string]func(*Server, *app, *deptIn, time.Time) (*dept, *opErr){
	"create": (*Server).createDeptOp, "update": (*Server).updateDeptOp, "delete": (*Server).deleteDeptOp,
	"sync": (*Server).syncDeptOp, "updatecorpdept": (*Server).corpDeptOp,
}

// Realtime: POST /contact/v1/user/{create,update,delete}.
func hUserWrite(op string) func(*call) {
	return func(c *call) {
		var in userIn
		if !c.decode(&in) {
			return
		}
		c.s.mu.Lock()
		u, e := userOps[op](c.s, c.app, &in, c.now)
		c.s.mu.Unlock()
		if e != nil {
			c.fail(e.code, e.msg, nil)
			return
		}
		c.ok("ok", struct {
			UserID     string `json:"userId,omitempty"`
			CorpUserID string `json:"corpUserId,omitempty"`
		}{u.UserID, u.CorpUserID})
	}
}

// PUT /contact/v1/user/mobilenumber
func hMobile(c *call) {
	var in userIn
	if !c.decode(&in) {
		return
	}
	c.s.mu.Lock()
	_, e := c.s.mobileOp(c.app, &in, c.now)
	c.s.mu.Unlock()
	if e != nil {
		c.fail(e.code, e.msg, nil)
		return
	}
	c.ok("ok", nil)
}

// Realtime: POST /contact/v1/department/{create,update,delete}; the
// department object comes back next to code/message.
func hDeptWrite(op string) func(*call) {
	return func(c *call) {
		var in deptIn
		if !c.decode(&in) {
			return
		}
		c.s.mu.Lock()
		d, e := deptOps[op](c.s, c.app, &in, c.now)
		var j jDept
		if e == nil {
			if op == "delete" {
				j = jDept{DeptCode: d.Code, CorpDeptCode: d.CorpCode}
			} else {
				j = c.s.org.jDept(d)
			}
		}
		c.s.mu.Unlock()
		if e != nil {
			c.fail(e.code, e.msg, nil)
			return
		}
		c.ok("ok", j)
	}
}

// Async batches.

type job struct {
	id, typ, clientID string
	users             bool
	op                string
	records           []json.RawMessage
	submitted, due    time.Time
	done              bool
	results           []BatchItem
}

type BatchItem struct {
	UserID       string `json:"userId,omitempty"`
	CorpUserID   string `json:"corpUserId,omitempty"`
	DeptCode     string `json:"deptCode,omitempty"`
	CorpDeptCode string `json:"corpDeptCode,omitempty"`
	Code         string `json:"code"`
	Message      string `json:"message"`
}

// hBatch accepts ≤100 records, checks only that they parse (the API
// "returns whether the parameters are legal"), and queues a job that runs
// Options.BatchDelay later.
func hBatch(users bool, op string) func(*call) {
	return func(c *call) {
		key := "deptInfos"
		if users {
			key = "personInfos"
		}
		var body map[string][]json.RawMessage
		if !c.decode(&body) {
			return
		}
		recs := body[key]
		switch {
		case len(recs) == 0:
			c.fail("47003", key+"为空", nil)
			return
		case len(recs) > 100:
			c.fail("47013", "每次最多100条", nil)
			return
		}
		for i, r := range recs {
			var probe map[string]any
			if json.Unmarshal(r, &probe) != nil {
				c.fail("47004", "第"+strconv.Itoa(i+1)+"条记录格式错误", nil)
				return
			}
		}
		kind := "dept_"
		if users {
			kind = "user_"
		}
		j := &job{id: c.s.nextID("job-") + "-" + strings.ToLower(uuidLike()[:8]), typ: kind + op, clientID: c.app.spec.ClientID,
			users: users, op: op, records: recs, submitted: c.now, due: c.now.Add(c.s.opts.BatchDelay)}
		c.s.mu.Lock()
		c.s.jobs[j.id] = j
		c.s.pending = append(c.s.pending, j)
		c.s.pendingN.Add(1)
		c.s.mu.Unlock()
		c.ok("ok", struct {
			JobID string `json:"jobId"`
		}{j.id})
	}
}

// settleJobs runs the jobs that are due, in submission order.
func (s *Server) settleJobs(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := s.pending[:0]
	for _, j := range s.pending {
		if now.Before(j.due) {
			keep = append(keep, j)
			continue
		}
		s.runJob(j, now)
		s.pendingN.Add(-1)
	}
	s.pending = keep
}

// SettleJobs finishes every due batch job now (tests that move a fake clock
// call it, or any API call does it).
func (s *Server) SettleJobs() { s.settleJobs(s.clock.Now()) }

func (s *Server) runJob(j *job, now time.Time) {
	a := s.apps[j.clientID]
	for _, raw := range j.records {
		var it BatchItem
		var e *opErr
		if a == nil {
			e = fail("47000", "应用不存在")
		} else if j.users {
			var in userIn
			json.Unmarshal(raw, &in)
			it.UserID, it.CorpUserID = in.UserID, in.CorpUserID
			var u *user
			if u, e = userOps[j.op](s, a, &in, now); e == nil {
				it.UserID, it.CorpUserID = u.UserID, u.CorpUserID
			}
		} else {
			var in deptIn
			json.Unmarshal(raw, &in)
			it.DeptCode, it.CorpDeptCode = in.DeptCode, in.CorpDeptCode
			var d *dept
			if d, e = deptOps[j.op](s, a, &in, now); e == nil {
				it.DeptCode, it.CorpDeptCode = d.Code, d.CorpCode
			}
		}
		if e != nil {
			it.Code, it.Message = e.code, e.msg
		} else {
			it.Code, it.Message = "0", "success"
		}
		j.results = append(j.results, it)
	}
	j.done = true
}

// GET /contact/v1/batch/result: status 1 queued, 2 running, 3 done
// (values undocumented, inferred).
func hBatchResult(c *call) {
	id := c.q("jobId")
	if id == "" {
		c.fail("47003", "jobId为空", nil)
		return
	}
	c.s.mu.RLock()
	j := c.s.jobs[id]
	var out struct {
		Status     int         `json:"status"`
		Type       string      `json:"type,omitempty"`
		Total      int         `json:"total"`
		Percentage int         `json:"percentage"`
		Data       []BatchItem `json:"data,omitempty"`
	}
	if j != nil && j.clientID == c.app.spec.ClientID {
		out.Type, out.Total = j.typ, len(j.records)
		switch {
		case j.done:
			out.Status, out.Percentage, out.Data = 3, 100, j.results
		case c.now.After(j.submitted):
			out.Status = 2
			out.Percentage = min(99, int(100*c.now.Sub(j.submitted)/max(1, j.due.Sub(j.submitted))))
		default:
			out.Status = 1
		}
	}
	c.s.mu.RUnlock()
	if j == nil || j.clientID != c.app.spec.ClientID {
		c.fail("47012", "任务不存在", nil)
		return
	}
	c.ok("ok", out)
}

// Jobs lists batch jobs (control API).
type JobInfo struct {
	ID      string      `json:"id"`
	Type    string      `json:"type"`
	App     string      `json:"clientId"`
	Total   int         `json:"total"`
	Done    bool        `json:"done"`
	Results []BatchItem `json:"results,omitempty"`
}

func (s *Server) Jobs() []JobInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []JobInfo
	for _, j := range s.jobs {
		out = append(out, JobInfo{j.id, j.typ, j.clientID, len(j.records), j.done, j.results})
	}
	sort.Slice(out, func(i, k int) bool { return out[i].ID < out[k].ID })
	return out
}
