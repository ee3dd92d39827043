package core

import "net/http"

// OA connector errors (backend/oa). Same rules as errors.go: stable codes,
// messages under errors.oa.* in locales/, causes stay in the logs.
//
// Status codes: failures of the OA itself are 502 (the bridge is a gateway
// to it); wrong user input is 400. Wrong OA credentials deliberately do not
// use 401, which the admin transport reserves for "admin session expired".
var (
	ErrOAKindUnknown  = Kind{"oa.kind_unknown", http.StatusBadRequest}      // {kind}
	ErrOAConfig       = Kind{"oa.config_invalid", http.StatusBadRequest}    // {field} {reason}
	ErrOANetwork      = Kind{"oa.network", http.StatusBadGateway}           // {reason}
	ErrOAHTTPStatus   = Kind{"oa.http_status", http.StatusBadGateway}       // {endpoint} {status}
	ErrOABadResponse  = Kind{"oa.bad_response", http.StatusBadGateway}      // {endpoint}
	ErrOARemote       = Kind{"oa.remote_error", http.StatusBadGateway}      // {endpoint} {code} {message}
	ErrOAAuthRejected = Kind{"oa.auth_rejected", http.StatusBadGateway}     // {mode} {message}
	ErrOAHandshake    = Kind{"oa.handshake_failed", http.StatusBadGateway}  // {step} {message}
	ErrOAPaging       = Kind{"oa.paging_broken", http.StatusBadGateway}     // {endpoint}
	ErrOAOrgInvalid   = Kind{"oa.org_invalid", http.StatusBadGateway}       // {reason}
	ErrOANotSupported = Kind{"oa.not_supported", http.StatusNotImplemented} // {kind} {feature}

	ErrOABadCredentials  = Kind{"oa.bad_credentials", http.StatusBadRequest}  // {attempts}
	ErrOALocked          = Kind{"oa.account_locked", http.StatusLocked}       // {message}
	ErrOACaptcha         = Kind{"oa.captcha_required", http.StatusConflict}   // {message}
	ErrOAAccountDisabled = Kind{"oa.account_disabled", http.StatusBadRequest} // {loginid}
	ErrOAUserNotFound    = Kind{"oa.user_not_found", http.StatusNotFound}     // {loginid}

	ErrOASSOToken      = Kind{"oa.sso_token_failed", http.StatusBadGateway} // {reason}
	ErrOATargetInvalid = Kind{"oa.target_invalid", http.StatusBadRequest}   // {target}

	// File import: the whole file is rejected when any row has an error.
	ErrOAFileUnreadable = Kind{"oa.file.unreadable", http.StatusBadRequest} // {reason}
	ErrOAFileInvalid    = Kind{"oa.file.invalid", http.StatusBadRequest}    // {errors} {first}
	// Row-level problems of a file import (FileProblem.Code).
	ErrOAFileSheetMissing   = Kind{"oa.file.sheet_missing", http.StatusBadRequest}        // {sheet}
	ErrOAFileColumnMissing  = Kind{"oa.file.column_missing", http.StatusBadRequest}       // {column}
	ErrOAFileColumnUnknown  = Kind{"oa.file.column_unknown", http.StatusBadRequest}       // {column}
	ErrOAFileRequired       = Kind{"oa.file.required", http.StatusBadRequest}             // {column}
	ErrOAFileDuplicateID    = Kind{"oa.file.duplicate_id", http.StatusBadRequest}         // {id} {row}
	ErrOAFileDuplicateLogin = Kind{"oa.file.duplicate_loginid", http.StatusBadRequest}    // {loginid} {row}
	ErrOAFileUnknownRef     = Kind{"oa.file.unknown_ref", http.StatusBadRequest}          // {column} {id}
	ErrOAFileCycle          = Kind{"oa.file.cycle", http.StatusBadRequest}                // {ids}
	ErrOAFileBadValue       = Kind{"oa.file.bad_value", http.StatusBadRequest}            // {column} {value}
	ErrOAFileEncoding       = Kind{"oa.file.encoding", http.StatusBadRequest}             // {encoding}
	ErrOAFileEmpty          = Kind{"oa.file.empty", http.StatusBadRequest}                // {sheet}
	ErrOAFileTooLarge       = Kind{"oa.file.too_large", http.StatusRequestEntityTooLarge} // {max}

	// OFS to-do protocol (the OA pushes to the bridge).
	ErrOAOFSOperation = Kind{"oa.ofs.unknown_operation", http.StatusNotFound}           // {op}
	ErrOAOFSBody      = Kind{"oa.ofs.bad_body", http.StatusBadRequest}                  // {reason}
	ErrOAOFSMissing   = Kind{"oa.ofs.missing_fields", http.StatusBadRequest}            // {item} {fields}
	ErrOAOFSBadValue  = Kind{"oa.ofs.bad_value", http.StatusBadRequest}                 // {item} {field} {value}
	ErrOAOFSTooMany   = Kind{"oa.ofs.too_many_items", http.StatusRequestEntityTooLarge} // {max}
	ErrOAOFSPartial   = Kind{"oa.ofs.partial", http.StatusBadRequest}                   // {bad} {total} {index}
	// Not an error: the reply message of an accepted OFS request.
	ErrOAOFSAccepted = Kind{"oa.ofs.accepted", http.StatusOK} // {count}
)

// OA connection settings (系统设置 → OA 连接).
var (
	ErrOANotConfigured = Kind{"oa.not_configured", http.StatusConflict}
	ErrOADemoReadonly  = Kind{"oa.demo_readonly", http.StatusConflict}
	ErrOAFileUpload    = Kind{"oa.file_upload", http.StatusBadRequest} // {reason}
)
