package core

import "net/http"

// Running as infrastructure: the system service (cloudbridge service …), start
// at login and the tray (backend/platform, main_service.go). Messages under
// errors.service.* and errors.platform.* in locales/.
var (
	ErrServiceNotPrivileged    = Kind{"service.not_privileged", http.StatusForbidden}              // {action}
	ErrServiceAlreadyInstalled = Kind{"service.already_installed", http.StatusConflict}            // {name} {path}
	ErrServiceNotInstalled     = Kind{"service.not_installed", http.StatusNotFound}                // {name}
	ErrServiceDataNotAbsolute  = Kind{"service.data_not_absolute", http.StatusBadRequest}          // {dir}
	ErrServiceUnsupported      = Kind{"service.unsupported", http.StatusNotImplemented}            // {system}
	ErrServicePathUnsafe       = Kind{"service.path_unsafe", http.StatusBadRequest}                // {path}
	ErrServiceUserMissing      = Kind{"service.user_missing", http.StatusBadRequest}               // {user}
	ErrServiceFailed           = Kind{"service.failed", http.StatusInternalServerError}            // {action} {message}
	ErrAutostartUnsupported    = Kind{"platform.autostart_unsupported", http.StatusConflict}       //
	ErrAutostartFailed         = Kind{"platform.autostart_failed", http.StatusInternalServerError} // {message}
)
