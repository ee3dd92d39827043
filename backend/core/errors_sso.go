package core

import "net/http"

// SSO and QR-login errors (backend/sso). Messages under errors.sso.* in
// locales/. They are shown on phone pages and on the OA login page, so
// they say what the user can do next.
var (
	ErrSSOAppUnknown     = Kind{"sso.app_unknown", http.StatusNotFound}
	ErrSSOTargetInvalid  = Kind{"sso.target_invalid", http.StatusBadRequest} // {reason}
	ErrSSOStateInvalid   = Kind{"sso.state_invalid", http.StatusBadRequest}
	ErrSSOFlowExpired    = Kind{"sso.flow_expired", http.StatusGone}
	ErrSSOCodeMissing    = Kind{"sso.code_missing", http.StatusBadRequest}
	ErrSSOCodeReplayed   = Kind{"sso.code_replayed", http.StatusBadRequest}
	ErrSSOCodeRejected   = Kind{"sso.code_rejected", http.StatusBadRequest} // {reason}
	ErrSSOCSRF           = Kind{"sso.csrf", http.StatusForbidden}
	ErrSSORateLimited    = Kind{"sso.rate_limited", http.StatusTooManyRequests} // {seconds}
	ErrSSOBusy           = Kind{"sso.busy", http.StatusServiceUnavailable}
	ErrSSONotBound       = Kind{"sso.not_bound", http.StatusForbidden}
	ErrSSOOAUserGone     = Kind{"sso.oa_user_gone", http.StatusConflict} // {oa}
	ErrSSOTicketInvalid  = Kind{"sso.ticket_invalid", http.StatusBadRequest}
	ErrSSOTicketExpired  = Kind{"sso.ticket_expired", http.StatusGone}
	ErrSSOQRDisabled     = Kind{"sso.qr_disabled", http.StatusForbidden}
	ErrSSOQRExpired      = Kind{"sso.qr_expired", http.StatusGone}
	ErrSSOQRCanceled     = Kind{"sso.qr_canceled", http.StatusGone}
	ErrSSOQRNoWeLink     = Kind{"sso.qr_no_welink", http.StatusConflict}
	ErrSSOQRAppRequired  = Kind{"sso.qr_app_required", http.StatusBadRequest}
	ErrSSOQRAppNotInList = Kind{"sso.qr_app_not_offered", http.StatusBadRequest}
)
