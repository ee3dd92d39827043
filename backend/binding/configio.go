package binding

import (
	"time"

	"cloudbridge/backend/store"
)

// ExportSettings lists every corp's saved binding settings and rules
// (configuration export; corps on the defaults are left out).
func ExportSettings(tx *store.Tx) ([]Settings, error) {
	out, err := settingsColl.List(tx)
	if out == nil {
		out = []Settings{}
	}
	return out, err
}

// ImportSettings stores binding settings through SaveSettings (rules are
// cleaned and checked); the caller checks that the corps exist.
func ImportSettings(tx *store.Tx, in []Settings, by string, now time.Time) error {
	for _, s := range in {
		if _, err := SaveSettings(tx, s, by, now); err != nil {
			return err
		}
	}
	return nil
}
