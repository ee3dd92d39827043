package welink

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// Page sizes. Users: 50 is WeLink's documented maximum for department user
// lists (and assumed for the newer lists, inferred). Departments: 100 is the
// documented maximum of the old list and assumed for the new one (inferred).
const (
	userPageSize = 50
	deptPageSize = 100
	accountsMax  = 50 // /contact/v1/users/accounts takes at most 50 ids
	maxPages     = 100000
)

// noDataCodes mean "empty result" on list calls (third-party callers treat
// them so; WeLink's pages disagree on 47009's meaning).
var noDataCodes = []string{CodeNoData, CodeNoData2}

// pagedList reads a pageNo/pageSize list that reports pages/total, to the
// last page.
func pagedList[T any](ctx context.Context, a *App, path string, q url.Values, size int) ([]T, error) {
	var all []T
	for page := 1; page <= maxPages; page++ {
		var out struct {
			Pages FlexInt `json:"pages"`
			Total FlexInt `json:"total"`
			Data  []T     `json:"data"`
		}
		r := newReq(http.MethodGet, path)
		r.query = with(q, "pageNo", strconv.Itoa(page), "pageSize", strconv.Itoa(size))
		r.okCodes = noDataCodes
		if err := a.do(ctx, r, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Data...)
		if len(out.Data) == 0 {
			break
		}
		if out.Pages > 0 {
			if page >= int(out.Pages) {
				break
			}
		} else if len(out.Data) < size || (out.Total > 0 && len(all) >= int(out.Total)) {
			break
		}
	}
	return all, nil
}

// hasMoreList reads a pageNo/pageSize list that reports hasMore. A missing
// hasMore on a full page is read as "maybe more" (one extra call at worst):
// WeLink omits empty fields, and a short read is worse than a wasted call.
func hasMoreList[T any](ctx context.Context, a *App, path string, q url.Values, size int) ([]T, error) {
	var all []T
	for page := 1; page <= maxPages; page++ {
		var out struct {
			HasMore *FlexInt `json:"hasMore"`
			Data    []T      `json:"data"`
		}
		r := newReq(http.MethodGet, path)
		r.query = with(q, "pageNo", strconv.Itoa(page), "pageSize", strconv.Itoa(size))
		r.okCodes = noDataCodes
		if err := a.do(ctx, r, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Data...)
		if len(out.Data) == 0 {
			break
		}
		if out.HasMore != nil {
			if *out.HasMore == 0 {
				break
			}
		} else if len(out.Data) < size {
			break
		}
	}
	return all, nil
}

func with(q url.Values, kv ...string) url.Values {
	n := url.Values{}
	for k, v := range q {
		n[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Set(kv[i], kv[i+1])
	}
	return n
}

// DeptQuery selects the departments under one department.
type DeptQuery struct {
	DeptKey
	// Recursive lists all descendants instead of the direct children.
	// WeLink does not traverse root "0" recursively: list its children,
	// then each child recursively (ReadOrg does).
	Recursive bool
}

func (q DeptQuery) values() url.Values {
	v := url.Values(q.query())
	v.Set("recursiveflag", "0")
	if q.Recursive {
		v.Set("recursiveflag", "1")
	}
	return v
}

// Departments lists departments (GET /contact/v2/department/list), all pages.
func (a *App) Departments(ctx context.Context, q DeptQuery) ([]Department, error) {
	return hasMoreList[Department](ctx, a, "/contact/v2/department/list", q.values(), deptPageSize)
}

// DepartmentsV1 is the old list (GET /contact/v3/departments/list), where
// offset is a page number and totalCount the size of the whole list.
func (a *App) DepartmentsV1(ctx context.Context, deptCode string, recursive bool) ([]DepartmentV1, error) {
	flag := "0"
	if recursive {
		flag = "1"
	}
	var all []DepartmentV1
	for page := 1; page <= maxPages; page++ {
		var out struct {
			TotalCount FlexInt        `json:"totalCount"`
			Items      []DepartmentV1 `json:"departmentInfo"`
		}
		r := newReq(http.MethodGet, "/contact/v3/departments/list")
		r.query = url.Values{"deptCode": {deptCode}, "recursiveflag": {flag}, "offset": {strconv.Itoa(page)}, "limit": {strconv.Itoa(deptPageSize)}}
		r.okCodes = noDataCodes
		if err := a.do(ctx, r, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Items...)
		if len(out.Items) == 0 || (out.TotalCount > 0 && len(all) >= int(out.TotalCount)) ||
			(out.TotalCount == 0 && len(out.Items) < deptPageSize) {
			break
		}
	}
	return all, nil
}

// Department reads one department (GET /contact/v2/department/detail). The
// object sits next to code/message; a "data" wrapper is accepted too.
func (a *App) Department(ctx context.Context, k DeptKey) (Department, error) {
	var out struct {
		Department
		Data *Department `json:"data"`
	}
	r := newReq(http.MethodGet, "/contact/v2/department/detail")
	r.query = k.query()
	if err := a.do(ctx, r, &out); err != nil {
		return Department{}, err
	}
	if out.Data != nil {
		return *out.Data, nil
	}
	return out.Department, nil
}

// DepartmentV1 reads one department the old way (GET /contact/v1/departments/{deptCode}).
func (a *App) DepartmentV1(ctx context.Context, deptCode string) (DepartmentV1, error) {
	var out DepartmentV1
	r := newReq(http.MethodGet, "/contact/v1/departments/"+url.PathEscape(deptCode))
	r.api = "GET /contact/v1/departments/{deptCode}"
	err := a.do(ctx, r, &out)
	return out, err
}

// DepartmentParents returns the path(s) from the top to a department
// (GET /contact/v1/department/parent).
func (a *App) DepartmentParents(ctx context.Context, k DeptKey) ([]DeptPath, error) {
	var out struct {
		Data []DeptPath `json:"data"`
	}
	r := newReq(http.MethodGet, "/contact/v1/department/parent")
	r.query = k.query()
	err := a.do(ctx, r, &out)
	return out.Data, err
}

// ParentQuery of POST /contact/v2/department/parent: Type 0 asks for the
// parents of a department, 1 for the parents of a user's departments.
type ParentQuery struct {
	Type int `json:"type"`
	DeptKey
	UserKey
}

// DepartmentParentsV2 returns parent departments as objects.
func (a *App) DepartmentParentsV2(ctx context.Context, q ParentQuery) ([]Department, error) {
	var out struct {
		Data []Department `json:"data"`
	}
	r := newReq(http.MethodPost, "/contact/v2/department/parent")
	r.body, r.idempotent = q, true
	err := a.do(ctx, r, &out)
	return out.Data, err
}

// DeptUsers lists the users of one department (not of its subdepartments)
// with full details: GET /contact/v2/user/list, all pages.
func (a *App) DeptUsers(ctx context.Context, k DeptKey) ([]User, error) {
	return hasMoreList[User](ctx, a, "/contact/v2/user/list", k.query(), userPageSize)
}

// DeptUsersV1 is the old detailed list (GET /contact/v1/user/users), all pages.
func (a *App) DeptUsersV1(ctx context.Context, deptCode string) ([]UserV1, error) {
	return pagedList[UserV1](ctx, a, "/contact/v1/user/users", url.Values{"deptCode": {deptCode}}, userPageSize)
}

// DeptUserIDs is the simple list (GET /contact/v2/user/userid), all pages.
func (a *App) DeptUserIDs(ctx context.Context, deptCode string) ([]UserRef, error) {
	return pagedList[UserRef](ctx, a, "/contact/v2/user/userid", url.Values{"deptCode": {deptCode}}, userPageSize)
}

// DeptUserSimpleList is GET /contact/v1/user/simplelist, all pages.
func (a *App) DeptUserSimpleList(ctx context.Context, k DeptKey) ([]UserRef, error) {
	return hasMoreList[UserRef](ctx, a, "/contact/v1/user/simplelist", k.query(), userPageSize)
}

// User reads one user (POST /contact/v2/user/detail). The fields sit next to
// code/message per the Java SDK; a "data" wrapper is accepted too.
func (a *App) User(ctx context.Context, k UserKey) (User, error) {
	var out struct {
		User
		Data *User `json:"data"`
	}
	r := newReq(http.MethodPost, "/contact/v2/user/detail")
	r.body, r.idempotent = k.only(), true
	if err := a.do(ctx, r, &out); err != nil {
		return User{}, err
	}
	if out.Data != nil {
		return *out.Data, nil
	}
	return out.User, nil
}

// only keeps the key WeLink would use (userId > corpUserId > mobileNumber).
func (k UserKey) only() UserKey {
	switch {
	case k.UserID != "":
		return UserKey{UserID: k.UserID}
	case k.CorpUserID != "":
		return UserKey{CorpUserID: k.CorpUserID}
	}
	return UserKey{MobileNumber: k.MobileNumber}
}

// UserV1 reads one user the old way (GET /contact/v1/users).
func (a *App) UserV1(ctx context.Context, k UserKey) (UserV1, error) {
	var out UserV1
	r := newReq(http.MethodGet, "/contact/v1/users")
	r.query = k.query()
	err := a.do(ctx, r, &out)
	return out, err
}

// UserV3 reads one user with position, sipNum and extInfo (POST /contact/v3/users).
func (a *App) UserV3(ctx context.Context, k UserKey) (UserV1, error) {
	var out UserV1
	r := newReq(http.MethodPost, "/contact/v3/users")
	r.body, r.idempotent = k.only(), true
	err := a.do(ctx, r, &out)
	return out, err
}

// UserIDs maps corpUserIds to userIds (POST /contact/v1/users/accounts, 50
// per call). Unknown corpUserIds are absent from the map.
func (a *App) UserIDs(ctx context.Context, corpUserIDs []string) (map[string]string, error) {
	m := make(map[string]string, len(corpUserIDs))
	for start := 0; start < len(corpUserIDs); start += accountsMax {
		chunk := corpUserIDs[start:min(start+accountsMax, len(corpUserIDs))]
		var out struct {
			UserInfo []UserRef `json:"userInfo"`
		}
		r := newReq(http.MethodPost, "/contact/v1/users/accounts")
		r.body, r.idempotent, r.okCodes = map[string][]string{"corpUserId": chunk}, true, noDataCodes
		if err := a.do(ctx, r, &out); err != nil {
			return nil, err
		}
		for _, u := range out.UserInfo {
			m[u.CorpUserID] = u.UserID
		}
	}
	return m, nil
}

// UserParents returns the department path(s) of a user (GET /contact/v1/user/parent).
func (a *App) UserParents(ctx context.Context, k UserKey) ([]DeptPath, error) {
	var out struct {
		Data []DeptPath `json:"data"`
	}
	r := newReq(http.MethodGet, "/contact/v1/user/parent")
	r.query = k.query()
	err := a.do(ctx, r, &out)
	return out.Data, err
}
