package core

import "net/http"

// Tenant lifecycle (issue 9): a corp marked for deletion takes no new data.
var (
	ErrCorpDeleting = Kind{"corp.deleting", http.StatusConflict} // {name}
)
