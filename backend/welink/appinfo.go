package welink

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"cloudbridge/backend/core"
)

// AdminInfo answers "is this user an admin of the app".
type AdminInfo struct {
	IsAdmin bool
	Roles   []string // enterpriseAdmin, appStoreAdmin, appAdmin
}

// IsAdmin calls GET /weopen/v1/isadmin. 58003 (not an admin) is an answer,
// not an error.
func (a *App) IsAdmin(ctx context.Context, userID string) (AdminInfo, error) {
	var out struct {
		IsAdmin FlexInt  `json:"isAdmin"`
		Roles   []string `json:"roles"`
	}
	r := newReq(http.MethodGet, "/weopen/v1/isadmin")
	r.query = url.Values{"userId": {userID}}
	r.okCodes = []string{CodeNotAdmin}
	if err := a.do(ctx, r, &out); err != nil {
		return AdminInfo{}, err
	}
	return AdminInfo{IsAdmin: out.IsAdmin == 1, Roles: out.Roles}, nil
}

// UserScope is the app's visible range (GET /weopen/v1/userscope).
type UserScope struct {
	ScopeType    string   // userScopeType as sent; its values are not documented
	DeptCodes    []string // departments in range (with their subtrees)
	UserIDs      []string // single users in range, all pages
	RoleIDs      []string
	AdminUserIDs []string
	UserTotal    int // userIdsPagination.totalCount
}

// AllStaff tells whether the range covers the whole enterprise, which a full
// sync from WeLink needs. userScopeType's values are undocumented: reading
// "1" as all staff is a guess (the emulator follows it, switchable there);
// a range that holds root department "0" counts as all staff whatever the
// type says.
func (s UserScope) AllStaff() bool {
	if s.ScopeType == "1" {
		return true
	}
	for _, d := range s.DeptCodes {
		if d == "0" {
			return true
		}
	}
	return false
}

// scopePageSize: the limit is undocumented; 100 is assumed (inferred).
const scopePageSize = 100

// UserScope reads the app's visible range, every page of its user list.
func (a *App) UserScope(ctx context.Context) (UserScope, error) {
	var s UserScope
	seen := map[string]bool{}
	add := func(dst *[]string, src []string) {
		for _, v := range src {
			if !seen[v] {
				seen[v] = true
				*dst = append(*dst, v)
			}
		}
	}
	addIDs := map[string]bool{}
	for page := 1; page <= maxPages; page++ {
		var out struct {
			Data struct {
				UserScopeType FlexString `json:"userScopeType"`
				DeptCodes     []string   `json:"deptCodes"`
				UserIDs       []string   `json:"userIds"`
				RoleIDs       []string   `json:"roleIds"`
				AdminUserIDs  []string   `json:"adminUserIds"`
				Pagination    struct {
					TotalCount FlexInt `json:"totalCount"`
				} `json:"userIdsPagination"`
			} `json:"data"`
		}
		r := newReq(http.MethodGet, "/weopen/v1/userscope")
		r.query = url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(scopePageSize)}}
		if err := a.do(ctx, r, &out); err != nil {
			return UserScope{}, err
		}
		d := out.Data
		if page == 1 {
			s.ScopeType = string(d.UserScopeType)
			s.UserTotal = int(d.Pagination.TotalCount)
		}
		// Departments, roles and admins may be repeated on every page.
		add(&s.DeptCodes, d.DeptCodes)
		add(&s.RoleIDs, d.RoleIDs)
		add(&s.AdminUserIDs, d.AdminUserIDs)
		for _, u := range d.UserIDs {
			if !addIDs[u] {
				addIDs[u] = true
				s.UserIDs = append(s.UserIDs, u)
			}
		}
		if len(d.UserIDs) < scopePageSize || (s.UserTotal > 0 && len(s.UserIDs) >= s.UserTotal) {
			break
		}
	}
	return s, nil
}

// Tenant is GET /tenant/v1/tenants data.
type Tenant struct {
	TenantID           string  `json:"tenantId,omitempty"`
	CompanyNameCn      string  `json:"companyNameCn,omitempty"`
	CompanyNameEn      string  `json:"companyNameEn,omitempty"`
	CompanyContactName string  `json:"companyContactName,omitempty"`
	RegisteredNumbers  FlexInt `json:"registeredNumbers,omitempty"`
	TenantType         FlexInt `json:"tenantType,omitempty"`
	CompanyDomainName  string  `json:"companyDomainName,omitempty"`
	CompanyScale       FlexInt `json:"companyScale,omitempty"`
	LicenseStartTime   string  `json:"licenseStartTime,omitempty"`
	LicenseEndTime     string  `json:"licenseEndTime,omitempty"`
	CreationTime       string  `json:"creationTime,omitempty"`
	LastUpdatedTime    string  `json:"lastUpdatedTime,omitempty"`
	TenantLogo         string  `json:"tenantLogo,omitempty"`
}

func (a *App) Tenant(ctx context.Context) (Tenant, error) {
	var out struct {
		Data Tenant `json:"data"`
	}
	err := a.do(ctx, newReq(http.MethodGet, "/tenant/v1/tenants"), &out)
	return out.Data, err
}

// PermissionUser is an item of /contact/v3/user/permission/users.
type PermissionUser struct {
	UserStatus FlexString `json:"userStatus,omitempty"`
	UserID     string     `json:"userId,omitempty"`
	UserNameCn string     `json:"userNameCn,omitempty"`
	UserNameEn string     `json:"userNameEn,omitempty"`
	DeptInfo   []DeptRef  `json:"deptInfo,omitempty"`
}

// PermissionUsers lists every user in the app's visible range.
func (a *App) PermissionUsers(ctx context.Context) ([]PermissionUser, error) {
	return pagedList[PermissionUser](ctx, a, "/contact/v3/user/permission/users", nil, userPageSize)
}

// Permission keys of Probe.
const (
	PermAuth         = "auth"
	PermContactsRead = "contacts_read"
	PermContactsSync = "contacts_sync"
	PermTodo         = "todo"
	PermMessage      = "message"

	StatusGranted = "granted"
	StatusDenied  = "denied"
	StatusUnknown = "unknown"
)

// Permission is one line of the probe's answer.
type Permission struct {
	Key      string `json:"key"`
	Status   string `json:"status"`
	Code     string `json:"code"`     // WeLink code seen ("" = success or no answer)
	Endpoint string `json:"endpoint"` // the call that decided
}

// Probe tells for each permission the product needs whether the app has
// it, by calls that change nothing in WeLink:
//
//   - auth: GET /auth/v2/userid with a made-up code;
//   - contacts_read: department list and user list of root "0", one item;
//   - contacts_sync: GET /contact/v1/batch/result for a made-up jobId (that
//     it shares the 通讯录同步 permission is inferred);
//   - todo: DELETE /todo/v1/deltask of a made-up, never used taskId
//     (55002/55009 expected when granted);
//   - message: POST /messages/v1/recall of a made-up itemId.
//
// 501 means not granted. Any other business code means WeLink got past its
// permission check and judged the (made-up) input (inferred: the order of
// WeLink's checks is not documented). Network trouble, 48503 and 500 leave
// the permission unknown. Probe starts from a fresh token, because grants
// apply to new tokens only.
func (a *App) Probe(ctx context.Context) ([]Permission, error) {
	a.ResetToken()
	if _, err := a.Token(ctx); err != nil {
		return nil, err
	}
	probeID := "cbprobe-" + core.NewID()
	type probe struct {
		key string
		r   *req
	}
	mk := func(method, path string, q url.Values, body any) *req {
		r := newReq(method, path)
		r.query, r.body = q, body
		r.idempotent = true // nothing here changes state
		return r
	}
	probes := []probe{
		{PermAuth, mk(http.MethodGet, "/auth/v2/userid", url.Values{"code": {probeID}}, nil)},
		{PermContactsRead, mk(http.MethodGet, "/contact/v2/department/list", url.Values{"deptCode": {"0"}, "recursiveflag": {"0"}, "pageNo": {"1"}, "pageSize": {"1"}}, nil)},
		{PermContactsRead, mk(http.MethodGet, "/contact/v2/user/list", url.Values{"deptCode": {"0"}, "pageNo": {"1"}, "pageSize": {"1"}}, nil)},
		{PermContactsSync, mk(http.MethodGet, "/contact/v1/batch/result", url.Values{"jobId": {probeID}}, nil)},
		{PermTodo, mk(http.MethodDelete, "/todo/v1/deltask", url.Values{"taskId": {probeID}}, nil)},
		{PermMessage, mk(http.MethodPost, "/messages/v1/recall", nil, map[string]string{"itemId": probeID})},
	}
	results := make([]Permission, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := a.do(ctx, p.r, nil)
			results[i] = Permission{Key: p.key, Status: classify(err), Code: CodeOf(err), Endpoint: p.r.api}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	// Merge the lines of one key: denied beats unknown beats granted.
	rank := map[string]int{StatusGranted: 0, StatusUnknown: 1, StatusDenied: 2}
	var out []Permission
	idx := map[string]int{}
	for _, p := range results {
		i, ok := idx[p.Key]
		if !ok {
			idx[p.Key] = len(out)
			out = append(out, p)
			continue
		}
		if rank[p.Status] > rank[out[i].Status] {
			out[i] = p
		}
	}
	return out, nil
}

func classify(err error) string {
	if err == nil {
		return StatusGranted
	}
	switch code := CodeOf(err); {
	case code == CodePermissionDenied:
		return StatusDenied
	case code == "", code == CodeRateLimited, code == CodeSystemError, tokenInvalidCodes[code],
		code == CodeWrongSecret, code == CodeLocked, core.Of(err, core.ErrWeLinkLocked):
		return StatusUnknown
	case len(code) == 3 && code[0] >= '4' && code[0] <= '5':
		return StatusUnknown // a bare HTTP status from a proxy, not WeLink's verdict
	}
	return StatusGranted
}
