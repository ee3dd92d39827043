package core

import "net/http"

// Org sync errors (backend/syncer). Messages under errors.sync.* in locales/.
var (
	ErrSyncNoApp          = Kind{"sync.no_app", http.StatusConflict}               // no integrated app chosen for the corp
	ErrSyncReadOnly       = Kind{"sync.read_only", http.StatusConflict}            // interface permission is read-only
	ErrSyncRunning        = Kind{"sync.running", http.StatusConflict}              // {direction}
	ErrSyncTopMismatch    = Kind{"sync.top_mismatch", http.StatusConflict}         // {oa} {welink}
	ErrSyncThreshold      = Kind{"sync.threshold", http.StatusConflict}            // {before} {after} {drop} {limit}
	ErrSyncOAIncomplete   = Kind{"sync.oa_incomplete", http.StatusBadGateway}      // {reason}
	ErrSyncRunNotFound    = Kind{"sync.run_not_found", http.StatusNotFound}        // {id}
	ErrSyncNotApprovable  = Kind{"sync.not_approvable", http.StatusConflict}       // {status}
	ErrSyncPlanStale      = Kind{"sync.plan_stale", http.StatusConflict}           // a newer run replaced the plan
	ErrSyncCancelled      = Kind{"sync.cancelled", http.StatusConflict}            //
	ErrSyncMountMissing   = Kind{"sync.mount_missing", http.StatusConflict}        // {code}
	ErrSyncScheduleBad    = Kind{"sync.schedule_invalid", http.StatusBadRequest}   // {value}
	ErrSyncFieldUnknown   = Kind{"sync.field_unknown", http.StatusBadRequest}      // {field}
	ErrSyncThresholdBad   = Kind{"sync.threshold_invalid", http.StatusBadRequest}  // {field}
	ErrSyncDirectoryEmpty = Kind{"sync.directory_empty", http.StatusConflict}      // run 从WeLink同步 first
	ErrSyncWeLinkRead     = Kind{"sync.welink_read_failed", http.StatusBadGateway} // {reason}
)
