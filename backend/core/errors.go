// Package core holds what every CloudBridge package shares: the error
// catalogue, translations of its messages, ids and the clock.
package core

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is the one error type that crosses a service boundary. Code is stable
// (tests, logs and the UI rely on it) and doubles as the translation key
// "errors.<code>" in locales/*.json; Params fill the message's {placeholders}.
// The cause stays in logs and is never shown to the user.
type Error struct {
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
	Status int               `json:"-"`
	cause  error
}

func (e *Error) Error() string {
	msg := Translate("en-US", e.Code, e.Params)
	if e.cause != nil {
		return msg + ": " + e.cause.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.cause }

// Kind is an entry of the catalogue; New/Wrap make errors of that kind.
type Kind struct {
	Code   string
	Status int
}

func (k Kind) New(params ...string) *Error {
	return &Error{Code: k.Code, Status: k.Status, Params: pairs(params)}
}

func (k Kind) Wrap(cause error, params ...string) *Error {
	e := k.New(params...)
	e.cause = cause
	return e
}

func pairs(kv []string) map[string]string {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// Of reports whether err carries the given kind.
func Of(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == k.Code
}

// AsError turns any error into a catalogue error; unknown errors become
// "internal" so that no raw cause ever reaches the UI.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal.Wrap(err)
}

// The catalogue. Codes are dotted "area.reason"; each has a zh-CN and en-US
// message in locales/. TestCatalogueTranslated keeps the two in step.
var (
	ErrInternal        = Kind{"internal", http.StatusInternalServerError}
	ErrInvalidInput    = Kind{"invalid_input", http.StatusBadRequest} // {field}
	ErrRequired        = Kind{"required", http.StatusBadRequest}      // {field}
	ErrTooLong         = Kind{"too_long", http.StatusBadRequest}      // {field} {max}
	ErrBadJSON         = Kind{"bad_json", http.StatusBadRequest}
	ErrBodyTooLarge    = Kind{"body_too_large", http.StatusRequestEntityTooLarge} // {max}
	ErrNotFound        = Kind{"not_found", http.StatusNotFound}
	ErrUnknownMethod   = Kind{"unknown_method", http.StatusNotFound}  // {method}
	ErrBadArguments    = Kind{"bad_arguments", http.StatusBadRequest} // {method}
	ErrUnauthenticated = Kind{"unauthenticated", http.StatusUnauthorized}
	ErrForbidden       = Kind{"forbidden", http.StatusForbidden}
	ErrConflict        = Kind{"conflict", http.StatusConflict}
	ErrTimeout         = Kind{"timeout", http.StatusGatewayTimeout}
	ErrUnavailable     = Kind{"unavailable", http.StatusServiceUnavailable}

	ErrStoreFull   = Kind{"store.disk_full", http.StatusInsufficientStorage}
	ErrStoreLocked = Kind{"store.locked", http.StatusConflict}       // {dir}
	ErrStoreSchema = Kind{"store.schema_newer", http.StatusConflict} // {have} {want}
	ErrKeyMissing  = Kind{"store.key_missing", http.StatusInternalServerError}
	ErrDecrypt     = Kind{"store.decrypt_failed", http.StatusInternalServerError}

	ErrAdminPasswordWeak  = Kind{"admin.password_weak", http.StatusBadRequest} // {min}
	ErrAdminPasswordSet   = Kind{"admin.password_already_set", http.StatusConflict}
	ErrAdminLoginFailed   = Kind{"admin.login_failed", http.StatusUnauthorized}
	ErrAdminLockedOut     = Kind{"admin.locked_out", http.StatusTooManyRequests} // {seconds}
	ErrAdminSetupRequired = Kind{"admin.setup_required", http.StatusUnauthorized}

	ErrCorpNameDuplicate = Kind{"corp.name_duplicate", http.StatusConflict} // {name}
	ErrCorpInUse         = Kind{"corp.in_use", http.StatusConflict}         // {name} {uses}
	ErrCorpNotFound      = Kind{"corp.not_found", http.StatusNotFound}
	ErrCorpConfirm       = Kind{"corp.confirm_mismatch", http.StatusBadRequest}

	ErrAppNotFound          = Kind{"app.not_found", http.StatusNotFound}
	ErrAppClientIDDuplicate = Kind{"app.client_id_duplicate", http.StatusConflict} // {clientId} {corp}
	ErrAppHomepageURL       = Kind{"app.homepage_url_invalid", http.StatusBadRequest}
	ErrAppEntryUnknown      = Kind{"app.entry_unknown", http.StatusBadRequest} // {entry}

	ErrSettingsAddr      = Kind{"settings.addr_invalid", http.StatusBadRequest}    // {addr}
	ErrSettingsURL       = Kind{"settings.url_invalid", http.StatusBadRequest}     // {field}
	ErrSettingsTLSFiles  = Kind{"settings.tls_files", http.StatusBadRequest}       // {reason}
	ErrSettingsEntryDup  = Kind{"settings.entry_duplicate", http.StatusBadRequest} // {key}
	ErrSettingsEntryUsed = Kind{"settings.entry_in_use", http.StatusConflict}      // {key} {app}
	ErrPublicURLUnset    = Kind{"settings.public_url_unset", http.StatusConflict}

	// WeLink errors carry the platform's code; the message explains it.
	ErrWeLink        = Kind{"welink.error", http.StatusBadGateway}         // {code} {message}
	ErrWeLinkNetwork = Kind{"welink.network", http.StatusBadGateway}       // {reason}
	ErrWeLinkLocked  = Kind{"welink.secret_rejected", http.StatusConflict} // client stops retrying a wrong secret
)

// WeLinkCode builds the error for a WeLink business code. Known codes have
// their own translated message ("welink.<code>"); unknown ones fall back to
// welink.error, which shows the code and WeLink's own text.
func WeLinkCode(code, message string) *Error {
	key := "welink." + code
	if HasMessage(key) {
		return &Error{Code: key, Status: http.StatusBadGateway, Params: map[string]string{"code": code, "message": message}}
	}
	return ErrWeLink.New("code", code, "message", message)
}

// Errorf is for programming errors only; everything user-facing uses a Kind.
func Errorf(format string, a ...any) *Error { return ErrInternal.Wrap(fmt.Errorf(format, a...)) }

// Diagnostics outcomes (系统设置/诊断).
var (
	ErrDiagDNS          = Kind{"diag.dns", http.StatusBadGateway}           // {host} {reason}
	ErrDiagTCP          = Kind{"diag.tcp", http.StatusBadGateway}           // {addr} {reason}
	ErrDiagTLS          = Kind{"diag.tls", http.StatusBadGateway}           // {host} {reason}
	ErrDiagHTTP         = Kind{"diag.http", http.StatusBadGateway}          // {status}
	ErrDiagPublicOther  = Kind{"diag.public_other", http.StatusConflict}    // another server answers at the public URL
	ErrDiagPublicFailed = Kind{"diag.public_failed", http.StatusBadGateway} // {reason}
)
