package binding

import (
	"net/url"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
)

func isNotFound(err error) bool { return core.Of(err, core.ErrNotFound) }

func directoryKey(corpID, userID string) string { return directory.Key(corpID, userID) }

func escapeID(id string) string { return url.PathEscape(id) }
