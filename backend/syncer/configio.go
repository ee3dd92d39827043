package syncer

import (
	"time"

	"cloudbridge/backend/store"
)

// ExportSettings lists every corp's saved sync settings (configuration
// export; corps that never saved any use the defaults and are left out).
func ExportSettings(tx *store.Tx) ([]Settings, error) {
	out, err := settingsColl.List(tx)
	if out == nil {
		out = []Settings{}
	}
	return out, err
}

// ImportSettings validates and stores sync settings like SaveSettings; the
// caller checks that corps and apps exist. The running schedules pick them
// up at the next start (the import restarts the app).
func ImportSettings(tx *store.Tx, in []Settings, now time.Time) error {
	for _, st := range in {
		if err := ValidateSettings(&st); err != nil {
			return err
		}
		// The mount point (OA.TopDeptCode) is a department of the OA
		// snapshot, which is bulk data and not exported: on a new
		// installation it appears with the first directory refresh, and a
		// run before that stops with sync.mount_missing (plan.go).
		st.UpdatedAt = now
		if err := settingsColl.Put(tx, &st); err != nil {
			return err
		}
	}
	return nil
}
