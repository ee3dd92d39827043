package binding

import (
	"strings"

	"cloudbridge/backend/store"
)

// purgeChunk keeps each purge transaction well inside Badger's limit (a
// binding is one record and two index entries).
const purgeChunk = 2000

// PurgeCorpData removes the corp's bulk data in chunks before the final
// corp-delete transaction (tenant.Purger): 100k bindings, their unbind
// snapshots and audit entries do not fit one transaction.
func (dependent) PurgeCorpData(db *store.DB, corpID string) error {
	if _, err := Bindings.DeleteWhere(db, "corp", corpID, purgeChunk); err != nil {
		return err
	}
	var snapIDs []string
	if err := db.View(func(tx *store.Tx) error {
		ss, err := snapshots.Lookup(tx, "corp", corpID)
		for _, s := range ss {
			snapIDs = append(snapIDs, s.ID)
		}
		return err
	}); err != nil {
		return err
	}
	for _, id := range snapIDs {
		if _, err := snapItems.DeleteWhere(db, "snap", id, purgeChunk); err != nil {
			return err
		}
	}
	prefix := corpID + "~" // audit ids start with the corp
	_, err := audits.DeleteMatching(db, func(e *AuditEntry) bool { return strings.HasPrefix(e.ID, prefix) }, purgeChunk)
	return err
}
