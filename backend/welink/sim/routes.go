package sim

import "net/http"

func (s *Server) routes() {
	open := func(method, path string, h func(*call)) { s.api(route{method: method, path: path, h: h}) }
	auth := func(method, path, grant string, h func(*call)) {
		s.api(route{method: method, path: path, grant: grant, auth: true, h: h})
	}
	num := func(method, path, grant string, h func(*call)) {
		s.api(route{method: method, path: path, grant: grant, auth: true, numeric: true, h: h})
	}

	// Authentication.
	open(http.MethodPost, "/auth/v2/tickets", hTicketsV2)
	open(http.MethodPost, "/auth/v1/tickets", hTicketsV1)
	open(http.MethodPost, "/oauth2/v1/token", hOAuthToken)
	auth(http.MethodGet, "/auth/v2/userid", GrantLogin, hUserID)
	s.api(route{method: http.MethodGet, path: "/auth/v1/userid", auth: true, tokenCode: "41500", h: hUserIDV1})
	s.api(route{method: http.MethodGet, path: "/auth/v1/jstickets", grant: GrantJSAPI, auth: true, tokenCode: "41600", h: hJSTickets})

	// App and tenant.
	auth(http.MethodGet, "/tenant/v1/tenants", GrantTenant, hTenant)
	auth(http.MethodGet, "/weopen/v1/isadmin", GrantLogin, hIsAdmin)
	auth(http.MethodGet, "/weopen/v1/userscope", GrantAppInfo, hUserScope)
	auth(http.MethodGet, "/contact/v3/user/permission/users", GrantAppInfo, hPermissionUsers)

	// Contacts: departments.
	auth(http.MethodGet, "/contact/v2/departments/list", GrantDept, hDeptsOld)
	auth(http.MethodGet, "/contact/v3/departments/list", GrantDept, hDeptsOld)
	auth(http.MethodGet, "/contact/v1/department/list", GrantDept, hDeptList)
	auth(http.MethodGet, "/contact/v2/department/list", GrantDept, hDeptList)
	auth(http.MethodGet, "/contact/v1/departments/{deptCode}", GrantDept, hDeptOldDetail)
	auth(http.MethodGet, "/contact/v1/department/detail", GrantDept, hDeptDetail)
	auth(http.MethodGet, "/contact/v2/department/detail", GrantDept, hDeptDetail)
	auth(http.MethodGet, "/contact/v1/department/parent", GrantDept, hDeptParent)
	auth(http.MethodPost, "/contact/v2/department/parent", GrantDept, hDeptParentV2)

	// Contacts: users.
	num(http.MethodGet, "/contact/v1/user/users", GrantUserDetail, hUsersOld)
	num(http.MethodGet, "/contact/v2/user/userid", GrantUserSimple, hUserIDs)
	auth(http.MethodGet, "/contact/v1/user/simplelist", GrantUserDetail, hUserSimpleList)
	auth(http.MethodGet, "/contact/v1/user/list", GrantUserDetail, hUserList(false))
	auth(http.MethodGet, "/contact/v2/user/list", GrantUserDetail, hUserList(true))
	auth(http.MethodGet, "/contact/v1/users", GrantUserDetail, hUserOld)
	auth(http.MethodPost, "/contact/v1/user/detail", GrantUserDetail, hUserDetail)
	auth(http.MethodPost, "/contact/v2/user/detail", GrantUserDetail, hUserDetail)
	auth(http.MethodPost, "/contact/v3/users", GrantUserDetail, hUserV3)
	auth(http.MethodPost, "/contact/v1/users/accounts", GrantLogin, hAccounts)
	num(http.MethodGet, "/contact/v1/user/parent", GrantUserDetail, hUserParent)

	// Contacts: sync.
	for _, op := range []string{"create", "update", "delete"} {
		auth(http.MethodPost, "/contact/v1/user/"+op, GrantContactSync, hUserWrite(op))
		auth(http.MethodPost, "/contact/v1/department/"+op, GrantContactSync, hDeptWrite(op))
	}
	auth(http.MethodPut, "/contact/v1/user/mobilenumber", GrantContactSync, hMobile)
	for _, op := range []string{"create", "update", "delete", "sync", "updatemobile", "updatecorpuid"} {
		auth(http.MethodPost, "/contact/v1/user/batch/"+op, GrantContactSync, hBatch(true, op))
	}
	for _, op := range []string{"create", "update", "delete", "sync", "updatecorpdept"} {
		auth(http.MethodPost, "/contact/v1/department/batch/"+op, GrantContactSync, hBatch(false, op))
	}
	for _, op := range []string{"create", "update"} {
		auth(http.MethodPost, "/contact/v2/department/batch/"+op, GrantContactSync, hBatch(false, op))
	}
	auth(http.MethodGet, "/contact/v1/batch/result", GrantContactSync, hBatchResult)

	// Messages.
	auth(http.MethodPost, "/messages/v3/send", GrantMessage, hSend("text"))
	auth(http.MethodPost, "/messages/v2/card/common", GrantMessage, hSend("card"))
	auth(http.MethodPost, "/messages/v1/card/wecode", GrantMessage, hSend("wecode"))
	auth(http.MethodPost, "/messages/v1/update", GrantMessage, hMsgUpdate)
	auth(http.MethodPost, "/messages/v1/recall", GrantMessage, hMsgRecall)

	// To-do: token errors answer 55014 in this family.
	todo := func(method, path string, h func(*call)) {
		s.api(route{method: method, path: path, grant: GrantTodo, auth: true, tokenCode: "55014", h: h})
	}
	todo(http.MethodPost, "/todo/v3/addtask", hTodoAdd)
	todo(http.MethodPut, "/todo/v2/updatetask", hTodoUpdate)
	todo(http.MethodDelete, "/todo/v1/deltask", hTodoDelete)

	// Anything else under /api: WeLink's gateway answers an unknown path
	// with 404 (inferred).
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		c := &call{s: s, w: w, r: r}
		c.write(http.StatusNotFound, "404", "Not Found", nil)
	})

	s.webRoutes()
	s.controlRoutes()
}
