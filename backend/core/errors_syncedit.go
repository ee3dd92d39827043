package core

import "net/http"

// Local directory edits (云桥通讯录, backend/syncer/localedit.go). Messages
// under errors.sync.* in locales/.
var (
	ErrSyncEditRequired    = Kind{"sync.edit_required", http.StatusBadRequest}       // {field}
	ErrSyncEditNoDept      = Kind{"sync.edit_no_dept", http.StatusBadRequest}        // a person needs a department
	ErrSyncEditTooLong     = Kind{"sync.edit_too_long", http.StatusBadRequest}       // {field} {max}
	ErrSyncEditMobile      = Kind{"sync.edit_mobile_invalid", http.StatusBadRequest} // {value}
	ErrSyncEditEmail       = Kind{"sync.edit_email_invalid", http.StatusBadRequest}  // {value}
	ErrSyncEditOrder       = Kind{"sync.edit_order_invalid", http.StatusBadRequest}  // {value}
	ErrSyncDeptNotFound    = Kind{"sync.dept_not_found", http.StatusNotFound}        // {code}
	ErrSyncUserNotFound    = Kind{"sync.user_not_found", http.StatusNotFound}        // {id}
	ErrSyncDeptNameTaken   = Kind{"sync.dept_name_taken", http.StatusConflict}       // {name} {parent}
	ErrSyncDeptNotEmpty    = Kind{"sync.dept_not_empty", http.StatusConflict}        // {name} {users} {depts}
	ErrSyncDeptCycle       = Kind{"sync.dept_cycle", http.StatusBadRequest}          // {name}
	ErrSyncWeLinkWrite     = Kind{"sync.welink_write_failed", http.StatusBadGateway} // {reason}: nothing changed
	ErrSyncLocalAfterWrite = Kind{"sync.local_write_failed", http.StatusInternalServerError}
)
