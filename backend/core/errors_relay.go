package core

import "net/http"

// Push relay errors (backend/relay). Intake errors (the public OA endpoints)
// answer in each protocol's own shape; their status codes matter only for
// the generic JSON endpoint.
var (
	ErrRelayRuleNotFound     = Kind{"relay.rule_not_found", http.StatusNotFound}
	ErrRelayRuleNameDup      = Kind{"relay.rule_name_duplicate", http.StatusConflict} // {name}
	ErrRelaySourceInvalid    = Kind{"relay.source_invalid", http.StatusBadRequest}    // {source}
	ErrRelayTargetsRequired  = Kind{"relay.targets_required", http.StatusBadRequest}
	ErrRelayTargetInvalid    = Kind{"relay.target_invalid", http.StatusBadRequest}    // {index} {field}
	ErrRelayTargetDuplicate  = Kind{"relay.target_duplicate", http.StatusBadRequest}  // {app} {type}
	ErrRelayTargetAppCorp    = Kind{"relay.target_app_corp", http.StatusBadRequest}   // {app} {corp}
	ErrRelayDefaultRuleExist = Kind{"relay.default_rule_exists", http.StatusConflict} // {name}

	ErrRelayOASystemNotFound = Kind{"relay.system_not_found", http.StatusNotFound}
	ErrRelaySysCodeDup       = Kind{"relay.syscode_duplicate", http.StatusConflict} // {syscode}
	ErrRelaySysCodeInvalid   = Kind{"relay.syscode_invalid", http.StatusBadRequest}
	ErrRelayCIDRInvalid      = Kind{"relay.cidr_invalid", http.StatusBadRequest}      // {value}
	ErrRelayAuthModeInvalid  = Kind{"relay.auth_mode_invalid", http.StatusBadRequest} // {mode}
	ErrRelaySecretRequired   = Kind{"relay.secret_required", http.StatusBadRequest}
	ErrRelayConfigInvalid    = Kind{"relay.config_invalid", http.StatusBadRequest} // {field} {min} {max}

	// Intake authentication (public listener).
	ErrRelaySysCodeUnknown = Kind{"relay.syscode_unknown", http.StatusForbidden}  // {syscode}
	ErrRelaySystemDisabled = Kind{"relay.system_disabled", http.StatusForbidden}  // {syscode}
	ErrRelayIPDenied       = Kind{"relay.ip_denied", http.StatusForbidden}        // {ip} {syscode}
	ErrRelaySecretBad      = Kind{"relay.secret_bad", http.StatusForbidden}       // {header}
	ErrRelaySignatureBad   = Kind{"relay.signature_bad", http.StatusForbidden}    // {header}
	ErrRelayTimestampSkew  = Kind{"relay.timestamp_skew", http.StatusForbidden}   // {seconds}
	ErrRelayMessageInvalid = Kind{"relay.message_invalid", http.StatusBadRequest} // {field} {reason}
	ErrRelayStopped        = Kind{"relay.stopped", http.StatusServiceUnavailable}

	// Delivery reasons (shown per receiver in the message log).
	ErrRelayDeliveryNotFound = Kind{"relay.delivery_not_found", http.StatusNotFound}
	ErrRelayNotBound         = Kind{"relay.not_bound", http.StatusConflict}        // {receiver}
	ErrRelayOAUserUnknown    = Kind{"relay.oa_user_unknown", http.StatusConflict}  // {receiver}
	ErrRelayBindWindowOver   = Kind{"relay.bind_window_over", http.StatusConflict} // {receiver} {hours}
	ErrRelayAppGone          = Kind{"relay.app_gone", http.StatusConflict}
	ErrRelayUncertain        = Kind{"relay.uncertain", http.StatusConflict}
	ErrRelayNoLink           = Kind{"relay.no_link", http.StatusConflict}
	ErrRelayTooManyAttempts  = Kind{"relay.too_many_attempts", http.StatusConflict} // {attempts}
)
