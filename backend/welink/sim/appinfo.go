package sim

import "sort"

type tenantInfo struct {
	TenantID           string `json:"tenantId,omitempty"`
	CompanyNameCn      string `json:"companyNameCn,omitempty"`
	CompanyNameEn      string `json:"companyNameEn,omitempty"`
	CompanyContactName string `json:"companyContactName,omitempty"`
	RegisteredNumbers  int    `json:"registeredNumbers"`
	TenantType         int    `json:"tenantType"`
	CompanyDomainName  string `json:"companyDomainName,omitempty"`
	CompanyScale       int    `json:"companyScale"`
	LicenseStartTime   string `json:"licenseStartTime,omitempty"`
	LicenseEndTime     string `json:"licenseEndTime,omitempty"`
	CreationTime       string `json:"creationTime,omitempty"`
	LastUpdatedTime    string `json:"lastUpdatedTime,omitempty"`
}

// GET /tenant/v1/tenants
func hTenant(c *call) {
	c.s.mu.RLock()
	t := c.s.tenant
	t.RegisteredNumbers = len(c.s.org.users)
	c.s.mu.RUnlock()
	t.TenantType, t.CompanyScale = 1, 4
	t.CompanyDomainName = "cbdemo.com.cn"
	t.LicenseStartTime, t.LicenseEndTime = "2018-01-08 09:30:00", "2099-12-31 23:59:59"
	t.CreationTime, t.LastUpdatedTime = "2018-01-08 09:30:00", "2018-01-08 09:30:00"
	c.ok("ok", struct {
		Data tenantInfo `json:"data"`
	}{t})
}

// GET /weopen/v1/isadmin: 58003 for a user who administers nothing.
func hIsAdmin(c *call) {
	id := c.q("userId")
	if id == "" {
		c.fail("47003", "参数为空", nil)
		return
	}
	c.s.mu.RLock()
	u := c.s.org.users[id]
	var roles []string
	if u != nil && u.isAdmin == 1 {
		roles = append(roles, "enterpriseAdmin")
	}
	for _, a := range c.app.spec.Admins {
		if a == id {
			roles = append(roles, "appAdmin")
		}
	}
	c.s.mu.RUnlock()
	if u == nil {
		c.fail("47012", "无数据", nil)
		return
	}
	if len(roles) == 0 {
		c.fail("58003", "用户不是管理员", struct {
			IsAdmin bool `json:"isAdmin"`
		}{false})
		return
	}
	c.ok("ok", struct {
		IsAdmin bool     `json:"isAdmin"`
		Roles   []string `json:"roles"`
	}{true, roles})
}

// GET /weopen/v1/userscope: the range; userIds are paged, the rest repeated
// on every page (inferred). userScopeType values are undocumented: see
// Options.ScopeTypeAll.
func hUserScope(c *call) {
	no, size, ok := c.page("page", "pageSize", scopePageMax, scopePageMax)
	if !ok {
		return
	}
	c.s.mu.RLock()
	spec := c.app.spec.VisibleRange
	var admins []string
	for _, u := range c.s.org.users {
		if u.isAdmin == 1 {
			admins = append(admins, u.UserID)
		}
	}
	admins = append(admins, c.app.spec.Admins...)
	all := c.app.rng.all
	c.s.mu.RUnlock()
	sort.Strings(admins)
	typ, depts := c.s.opts.ScopeTypeSome, spec.DeptCodes
	if all {
		typ = c.s.opts.ScopeTypeAll
		if len(depts) == 0 {
			depts = []string{"0"}
		}
	}
	type pagination struct {
		TotalCount int `json:"totalCount"`
		PageSize   int `json:"pageSize"`
		Page       int `json:"page"`
	}
	type data struct {
		UserScopeType string     `json:"userScopeType,omitempty"`
		DeptCodes     []string   `json:"deptCodes,omitempty"`
		UserIDs       []string   `json:"userIds,omitempty"`
		RoleIDs       []string   `json:"roleIds,omitempty"`
		AdminUserIDs  []string   `json:"adminUserIds,omitempty"`
		Pagination    pagination `json:"userIdsPagination"`
	}
	c.ok("ok", struct {
		Data data `json:"data"`
	}{data{typ, depts, pageOf(spec.UserIDs, no, size), nil, admins, pagination{len(spec.UserIDs), size, no}}})
}

// visibleUsers lists the users in an app's range in tenant order, cached
// until the directory or the range changes. Caller holds s.mu (read).
func (s *Server) visibleUsers(a *app) []*user {
	s.visMu.Lock()
	defer s.visMu.Unlock()
	key := visKey{a, s.org.version, a.rngVer}
	if v, ok := s.vis[key.app]; ok && v.key == key {
		return v.list
	}
	list := make([]*user, 0, len(s.org.users))
	for _, u := range s.org.users {
		if a.rng.user(s.org, u) {
			list = append(list, u)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	if s.vis == nil {
		s.vis = map[*app]visEntry{}
	}
	s.vis[a] = visEntry{key, list}
	return list
}

type visKey struct {
	app     *app
	version int
	rngVer  int
}

type visEntry struct {
	key  visKey
	list []*user
}
