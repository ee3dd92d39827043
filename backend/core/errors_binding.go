package core

import "net/http"

// User binding errors (backend/binding). Messages under errors.binding.* in
// locales/. Self-service failures are 400/403/429, never 401 (the admin
// transport reserves 401 for "admin session expired").
var (
	ErrBindingWeLinkUserBound   = Kind{"binding.welink_user_bound", http.StatusConflict} // {user} {oa}
	ErrBindingOAUserTaken       = Kind{"binding.oa_user_taken", http.StatusConflict}     // {oa} {user}
	ErrBindingOAUserTakenSelf   = Kind{"binding.oa_user_taken_self", http.StatusConflict}
	ErrBindingOAUserUnknown     = Kind{"binding.oa_user_unknown", http.StatusNotFound}               // {oa}
	ErrBindingOAUserLeft        = Kind{"binding.oa_user_left", http.StatusBadRequest}                // {oa}
	ErrBindingWeLinkUserUnknown = Kind{"binding.welink_user_unknown", http.StatusNotFound}           // {user}
	ErrBindingNotBound          = Kind{"binding.not_bound", http.StatusNotFound}                     // {user}
	ErrBindingSelfDisabled      = Kind{"binding.self_service_disabled", http.StatusForbidden}        //
	ErrBindingSelfLocked        = Kind{"binding.self_service_locked", http.StatusTooManyRequests}    // {seconds}
	ErrBindingRuleInvalid       = Kind{"binding.rule_invalid", http.StatusBadRequest}                // {index} {reason}
	ErrBindingFieldUnknown      = Kind{"binding.field_unknown", http.StatusBadRequest}               // {field}
	ErrBindingImportFormat      = Kind{"binding.import_format", http.StatusBadRequest}               // {reason}
	ErrBindingImportColumns     = Kind{"binding.import_columns", http.StatusBadRequest}              // {need}
	ErrBindingImportTooLarge    = Kind{"binding.import_too_large", http.StatusRequestEntityTooLarge} // {max}
	ErrBindingImportExpired     = Kind{"binding.import_expired", http.StatusGone}
	ErrBindingPreviewStale      = Kind{"binding.preview_stale", http.StatusConflict}
	ErrBindingConfirmMismatch   = Kind{"binding.confirm_mismatch", http.StatusBadRequest} // {name}
	ErrBindingSnapshotNotFound  = Kind{"binding.snapshot_not_found", http.StatusNotFound}
	ErrBindingSnapshotRestored  = Kind{"binding.snapshot_restored", http.StatusConflict}
	ErrBindingBusy              = Kind{"binding.busy", http.StatusConflict}
	ErrBindingCanceled          = Kind{"binding.canceled", http.StatusConflict}
)
