package binding

import "cloudbridge/backend/core"

func isNotFound(err error) bool { return core.Of(err, core.ErrNotFound) }
