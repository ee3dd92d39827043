package sim

import (
	"strings"
)

// Contact queries. Unknown departments answer 47009 (无数据 on the
// department-detail page), unknown users 47012 (无数据), records outside
// the app's visible range 47000 (无权限). The pairing of these codes with
// those cases is inferred.

const (
	userPageMax    = 50  // documented for department user lists
	userPageDef    = 10  // documented default of /contact/v1/user/users
	deptPageMax    = 100 // documented for the old department list
	deptPageDef    = 100
	scopePageMax   = 100 // /weopen/v1/userscope: undocumented (inferred)
	accountsPerReq = 50
)

// deptFor resolves deptCode/corpDeptCode for a list or detail and checks
// the range. "0" is the root. ok=false means an answer was written.
func (c *call) deptFor(code, corp string, allowRoot bool) (*dept, bool) {
	if code == "" && corp == "" {
		c.fail("47002", "部门编码为空", nil)
		return nil, false
	}
	if allowRoot && (code == "0" || code == "" && corp == "0") {
		return nil, true
	}
	d := c.s.org.findDept(code, corp)
	if d == nil {
		c.fail("47009", "无数据", nil)
		return nil, false
	}
	if !c.app.rng.dept(d) {
		c.fail("47000", "无权限", nil)
		return nil, false
	}
	return d, true
}

// childrenOf lists the departments under d (nil = root) for this app.
func (c *call) childrenOf(d *dept, recursive bool) ([]*dept, bool) {
	if d == nil {
		if recursive {
			// "一级部门不支持直接遍历": no recursive listing from the root.
			c.fail("47004", "参数不对: 根部门不支持递归查询", nil)
			return nil, false
		}
		return c.s.org.topVisible(c.app.rng), true
	}
	if recursive {
		return d.descendants(), true
	}
	return d.children, true
}

func (c *call) recursive() (bool, bool) {
	switch c.q("recursiveflag") {
	case "", "0":
		return false, true
	case "1":
		return true, true
	}
	c.fail("47004", "参数不对: recursiveflag", nil)
	return false, false
}

// GET /contact/v2|v3/departments/list: offset is a page number.
func hDeptsOld(c *call) {
	rec, ok := c.recursive()
	if !ok {
		return
	}
	no, size, ok := c.page("offset", "limit", deptPageDef, deptPageMax)
	if !ok {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	d, ok := c.deptFor(c.q("deptCode"), "", true)
	if !ok {
		return
	}
	list, ok := c.childrenOf(d, rec)
	if !ok {
		return
	}
	items := make([]jDeptOld, 0, size)
	for _, x := range pageOf(list, no, size) {
		items = append(items, jOld(x))
	}
	c.ok("OK", struct {
		Offset     int        `json:"offset"`
		Limit      int        `json:"limit"`
		TotalCount int        `json:"totalCount"`
		Items      []jDeptOld `json:"departmentInfo"`
	}{no, size, len(list), items})
}

type hasMorePage struct {
	PageNo   int `json:"pageNo"`
	PageSize int `json:"pageSize"`
	HasMore  int `json:"hasMore"`
	Data     any `json:"data"`
}

// GET /contact/v1|v2/department/list
func hDeptList(c *call) {
	rec, ok := c.recursive()
	if !ok {
		return
	}
	no, size, ok := c.page("pageNo", "pageSize", deptPageDef, deptPageMax)
	if !ok {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	d, ok := c.deptFor(c.q("deptCode"), c.q("corpDeptCode"), true)
	if !ok {
		return
	}
	list, ok := c.childrenOf(d, rec)
	if !ok {
		return
	}
	items := make([]jDept, 0, size)
	for _, x := range pageOf(list, no, size) {
		items = append(items, c.s.org.jDept(x))
	}
	c.ok("OK", hasMorePage{no, size, boolInt(no*size < len(list)), items})
}

// GET /contact/v1/departments/{deptCode}
func hDeptOldDetail(c *call) {
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	d, ok := c.deptFor(c.r.PathValue("deptCode"), "", false)
	if !ok {
		return
	}
	var mgr string
	if len(d.Managers) > 0 {
		mgr = d.Managers[0]
	}
	c.ok("OK", struct {
		DeptCode       string `json:"deptCode,omitempty"`
		CorpDeptCode   string `json:"corpDeptCode,omitempty"`
		DeptNameCn     string `json:"deptNameCn,omitempty"`
		DeptNameEn     string `json:"deptNameEn,omitempty"`
		ParentCode     string `json:"parentCode,omitempty"`
		ManagerAccount string `json:"managerAccount,omitempty"`
	}{d.Code, d.CorpCode, d.NameCn, d.NameEn, d.Parent, mgr})
}

// GET /contact/v1|v2/department/detail: the object next to code/message.
func hDeptDetail(c *call) {
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	d, ok := c.deptFor(c.q("deptCode"), c.q("corpDeptCode"), false)
	if !ok {
		return
	}
	c.ok("OK", c.s.org.jDept(d))
}

// GET /contact/v1/department/parent: the path down to the department.
func hDeptParent(c *call) {
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	d, ok := c.deptFor(c.q("deptCode"), c.q("corpDeptCode"), false)
	if !ok {
		return
	}
	c.ok("OK", struct {
		Data []jPath `json:"data"`
	}{[]jPath{jPathOf(d)}})
}

// POST /contact/v2/department/parent: type 0 = a department's chain, type 1
// = the chains of a user's departments, as objects from the top down (the
// department itself included; inferred from the v1 example A>>B>>C).
func hDeptParentV2(c *call) {
	var in struct {
		Type         int    `json:"type"`
		DeptCode     string `json:"deptCode"`
		CorpDeptCode string `json:"corpDeptCode"`
		UserID       string `json:"userId"`
		CorpUserID   string `json:"corpUserId"`
		MobileNumber string `json:"mobileNumber"`
	}
	if !c.decode(&in) {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	var starts []*dept
	switch in.Type {
	case 0:
		d, ok := c.deptFor(in.DeptCode, in.CorpDeptCode, false)
		if !ok {
			return
		}
		starts = append(starts, d)
	case 1:
		u, ok := c.userFor(in.UserID, in.CorpUserID, in.MobileNumber)
		if !ok {
			return
		}
		for _, code := range u.Depts {
			if d := c.s.org.depts[code]; d != nil {
				starts = append(starts, d)
			}
		}
	default:
		c.fail("47004", "参数不对: type", nil)
		return
	}
	seen := map[*dept]bool{}
	var out []jDept
	for _, d := range starts {
		var chain []*dept
		for x := d; x != nil; x = x.parent {
			chain = append(chain, x)
		}
		for i := len(chain) - 1; i >= 0; i-- {
			if !seen[chain[i]] {
				seen[chain[i]] = true
				out = append(out, c.s.org.jDept(chain[i]))
			}
		}
	}
	c.ok("OK", struct {
		Data []jDept `json:"data"`
	}{out})
}

// usersOf returns the direct members of d this app may see.
func (c *call) usersOf(d *dept) []*user {
	if c.app.rng.all {
		return d.users
	}
	out := make([]*user, 0, len(d.users))
	for _, u := range d.users {
		if c.app.rng.user(c.s.org, u) {
			out = append(out, u)
		}
	}
	return out
}

// listUsers resolves the department of a user list; the root "0" has no
// direct members (inferred) and lists nobody.
func (c *call) listUsers(allowCorp bool) ([]*user, *dept, bool) {
	corp := ""
	if allowCorp {
		corp = c.q("corpDeptCode")
	}
	d, ok := c.deptFor(c.q("deptCode"), corp, true)
	if !ok {
		return nil, nil, false
	}
	if d == nil {
		return nil, nil, true
	}
	return c.usersOf(d), d, true
}

// GET /contact/v1/user/users: numeric code, pageSize as a string (as in the
// documented example), old user objects.
func hUsersOld(c *call) {
	no, size, ok := c.page("pageNo", "pageSize", userPageDef, userPageMax)
	if !ok {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	list, d, ok := c.listUsers(false)
	if !ok {
		return
	}
	items := make([]jUserOld, 0, size)
	for _, u := range pageOf(list, no, size) {
		items = append(items, c.s.org.jUserOld(u, d))
	}
	c.ok("OK", struct {
		PageNo   int        `json:"pageNo"`
		Pages    int        `json:"pages"`
		PageSize string     `json:"pageSize"`
		Total    int        `json:"total"`
		Data     []jUserOld `json:"data"`
	}{no, pages(len(list), size), itoa(size), len(list), items})
}

// GET /contact/v2/user/userid: numeric code, simple items.
func hUserIDs(c *call) {
	no, size, ok := c.page("pageNo", "pageSize", userPageDef, userPageMax)
	if !ok {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	list, _, ok := c.listUsers(false)
	if !ok {
		return
	}
	items := make([]jUserRef, 0, size)
	for _, u := range pageOf(list, no, size) {
		items = append(items, jRef(u))
	}
	c.ok("OK", struct {
		PageNo   int        `json:"pageNo"`
		Pages    int        `json:"pages"`
		PageSize string     `json:"pageSize"`
		Total    int        `json:"total"`
		Data     []jUserRef `json:"data"`
	}{no, pages(len(list), size), itoa(size), len(list), items})
}

// GET /contact/v1/user/simplelist
func hUserSimpleList(c *call) {
	no, size, ok := c.page("pageNo", "pageSize", userPageDef, userPageMax)
	if !ok {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	list, _, ok := c.listUsers(true)
	if !ok {
		return
	}
	items := make([]jUserRef, 0, size)
	for _, u := range pageOf(list, no, size) {
		items = append(items, jRef(u))
	}
	c.ok("OK", hasMorePage{no, size, boolInt(no*size < len(list)), items})
}

// GET /contact/v1|v2/user/list: new user objects; the page limit of these
// newer lists is undocumented, 50 like the old ones (inferred).
func hUserList(v2 bool) func(*call) {
	return func(c *call) {
		no, size, ok := c.page("pageNo", "pageSize", userPageDef, userPageMax)
		if !ok {
			return
		}
		c.s.mu.RLock()
		defer c.s.mu.RUnlock()
		list, _, ok := c.listUsers(true)
		if !ok {
			return
		}
		items := make([]jUser, 0, size)
		for _, u := range pageOf(list, no, size) {
			j := c.s.org.jUser(u)
			if v2 {
				j.Lang = "zh"
			}
			items = append(items, j)
		}
		c.ok("OK", hasMorePage{no, size, boolInt(no*size < len(list)), items})
	}
}

// userFor finds a user by key and checks the range.
func (c *call) userFor(id, corp, mobile string) (*user, bool) {
	if id == "" && corp == "" && mobile == "" {
		c.fail("47003", "参数为空", nil)
		return nil, false
	}
	u := c.s.org.findUser(id, corp, mobile)
	if u == nil {
		c.fail("47012", "无数据", nil)
		return nil, false
	}
	if !c.app.rng.user(c.s.org, u) {
		c.fail("47000", "无权限", nil)
		return nil, false
	}
	return u, true
}

// GET /contact/v1/users: exactly one of userId, mobileNumber, corpUserId.
func hUserOld(c *call) {
	n := 0
	for _, k := range []string{"userId", "corpUserId", "mobileNumber"} {
		if c.q(k) != "" {
			n++
		}
	}
	if n > 1 {
		c.fail("47004", "参数不对: 只能指定一个查询条件", nil)
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	u, ok := c.userFor(c.q("userId"), c.q("corpUserId"), c.q("mobileNumber"))
	if !ok {
		return
	}
	c.ok("OK", c.s.org.jUserOld(u, nil))
}

type userKey struct {
	UserID       string `json:"userId"`
	CorpUserID   string `json:"corpUserId"`
	MobileNumber string `json:"mobileNumber"`
}

// POST /contact/v1|v2/user/detail: the object next to code/message, as the
// Java SDK's response class has it.
func hUserDetail(c *call) {
	var k userKey
	if !c.decode(&k) {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	u, ok := c.userFor(k.UserID, k.CorpUserID, k.MobileNumber)
	if !ok {
		return
	}
	c.ok("OK", c.s.org.jUser(u))
}

// POST /contact/v3/users: old object plus position, sipNum, deptInfo, extInfo.
func hUserV3(c *call) {
	var k userKey
	if !c.decode(&k) {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	u, ok := c.userFor(k.UserID, k.CorpUserID, k.MobileNumber)
	if !ok {
		return
	}
	j := c.s.org.jUserOld(u, nil)
	j.SipNum, j.Position = u.sipNum, u.Position
	for _, code := range u.Depts {
		if d := c.s.org.depts[code]; d != nil {
			_, names, _ := d.path()
			j.DeptInfo = append(j.DeptInfo, names)
		}
	}
	for k, v := range u.extAttr {
		if s, ok := v.(string); ok {
			j.ExtInfo = append(j.ExtInfo, jExtInfo{KeyNameCn: k, KeyNameEn: k, Value: s})
		}
	}
	c.ok("OK", j)
}

// POST /contact/v1/users/accounts: corpUserId[] (≤50) → userId.
func hAccounts(c *call) {
	var in struct {
		CorpUserID []string `json:"corpUserId"`
	}
	if !c.decode(&in) {
		return
	}
	if len(in.CorpUserID) == 0 {
		c.fail("47003", "参数为空", nil)
		return
	}
	if len(in.CorpUserID) > accountsPerReq {
		c.fail("47013", "查询数量限制", nil)
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	var out []jUserRef
	for _, id := range in.CorpUserID {
		if u := c.s.org.byCorp[strings.TrimSpace(id)]; u != nil && c.app.rng.user(c.s.org, u) {
			out = append(out, jUserRef{UserID: u.UserID, CorpUserID: u.CorpUserID})
		}
	}
	if len(out) == 0 {
		c.fail("47012", "无数据", nil)
		return
	}
	c.ok("OK", struct {
		UserInfo []jUserRef `json:"userInfo"`
	}{out})
}

// GET /contact/v1/user/parent: numeric code; one path per department.
func hUserParent(c *call) {
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	u, ok := c.userFor(c.q("userId"), c.q("corpUserId"), c.q("mobileNumber"))
	if !ok {
		return
	}
	var out []jPath
	for _, code := range u.Depts {
		if d := c.s.org.depts[code]; d != nil {
			out = append(out, jPathOf(d))
		}
	}
	c.ok("OK", struct {
		Data []jPath `json:"data"`
	}{out})
}

// GET /contact/v3/user/permission/users: everyone in the app's range.
func hPermissionUsers(c *call) {
	no, size, ok := c.page("pageNo", "pageSize", userPageDef, userPageMax)
	if !ok {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	list := c.s.visibleUsers(c.app)
	type deptInfo struct {
		DeptCode   string `json:"deptCode,omitempty"`
		DeptNameCn string `json:"deptNameCn,omitempty"`
		DeptNameEn string `json:"deptNameEn,omitempty"`
	}
	type item struct {
		UserStatus string     `json:"userStatus,omitempty"`
		UserID     string     `json:"userId,omitempty"`
		UserNameCn string     `json:"userNameCn,omitempty"`
		UserNameEn string     `json:"userNameEn,omitempty"`
		DeptInfo   []deptInfo `json:"deptInfo,omitempty"`
	}
	items := make([]item, 0, size)
	for _, u := range pageOf(list, no, size) {
		it := item{UserStatus: u.Status, UserID: u.UserID, UserNameCn: u.NameCn, UserNameEn: u.NameEn}
		for _, code := range u.Depts {
			if d := c.s.org.depts[code]; d != nil {
				it.DeptInfo = append(it.DeptInfo, deptInfo{d.Code, d.NameCn, d.NameEn})
			}
		}
		items = append(items, it)
	}
	c.ok("OK", struct {
		PageNo   int    `json:"pageNo"`
		PageSize int    `json:"pageSize"`
		Pages    int    `json:"pages"`
		Total    int    `json:"total"`
		Data     []item `json:"data"`
	}{no, size, pages(len(list), size), len(list), items})
}
