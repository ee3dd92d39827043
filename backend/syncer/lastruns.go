package syncer

import "cloudbridge/backend/store"

// LastRuns returns a corp's most recent run per direction (absent when a
// direction never ran), for the dashboard. Run ids sort by start time.
func LastRuns(tx *store.Tx, corpID string) (map[string]Run, error) {
	list, err := runs.Lookup(tx, "corp", corpID)
	if err != nil {
		return nil, err
	}
	out := map[string]Run{}
	for _, r := range list {
		if cur, ok := out[r.Direction]; !ok || r.ID > cur.ID {
			out[r.Direction] = r
		}
	}
	return out, nil
}
