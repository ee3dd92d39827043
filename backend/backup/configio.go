package backup

import "cloudbridge/backend/store"

// ExportSettings returns the backup schedule (configuration export).
func ExportSettings(tx *store.Tx) (Settings, error) { return LoadSettings(tx) }

// ImportSettings validates and stores a backup schedule; the scheduler picks
// it up at the next start (the import restarts the app).
func ImportSettings(tx *store.Tx, s Settings) error {
	if err := s.validate(); err != nil {
		return err
	}
	return settingsKey.Put(tx, &s)
}
