package syncer

import (
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
)

const purgeChunk = 2000

// PurgeCorpData removes the corp's local directory and run history in
// chunks before the final corp-delete transaction (tenant.Purger): a 100k
// directory does not fit one Badger transaction.
func (dependent) PurgeCorpData(db *store.DB, corpID string) error {
	if _, err := directory.Users.DeleteWhere(db, "corp", corpID, purgeChunk); err != nil {
		return err
	}
	if _, err := directory.Depts.DeleteWhere(db, "corp", corpID, purgeChunk); err != nil {
		return err
	}
	var runIDs []string
	if err := db.View(func(tx *store.Tx) error {
		rs, err := runs.Lookup(tx, "corp", corpID)
		for _, r := range rs {
			runIDs = append(runIDs, r.ID)
		}
		return err
	}); err != nil {
		return err
	}
	for _, id := range runIDs {
		if _, err := actions.DeleteWhere(db, "run", id, purgeChunk); err != nil {
			return err
		}
	}
	return nil
}
