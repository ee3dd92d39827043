package core

import "net/http"

// Tenant lifecycle (issue 9): a corp marked for deletion takes no new data.
var (
	ErrCorpDeleting = Kind{"corp.deleting", http.StatusConflict} // {name}
	// The same state told to a WeLink user at sign-in (no admin advice).
	ErrCorpDeletingSignIn = Kind{"corp.deleting_sign_in", http.StatusConflict} // {name}
)
