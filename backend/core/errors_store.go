package core

import "net/http"

// Store faults beyond the ones in errors.go (issue 9, item 6). store.disk_full
// now names the directory and the space left: {dir} {free}.
var (
	ErrStoreDenied = Kind{"store.dir_denied", http.StatusInternalServerError} // {dir} {reason}
)
