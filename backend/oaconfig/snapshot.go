package oaconfig

import (
	"context"
	"net/url"

	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// SnapshotCounts says what a refresh stored.
type SnapshotCounts struct {
	Departments int `json:"departments"`
	Users       int `json:"users"`
	Leavers     int `json:"leavers"`
	Removed     int `json:"removed"` // users no longer in the OA
}

// RefreshSnapshot pulls the whole OA org and replaces the local OA snapshot
// (directory.OAUsers/OADepts). A full pull is all-or-nothing in the
// connector, so a failed or partial read never empties the snapshot.
func RefreshSnapshot(ctx context.Context, db *store.DB, conn oa.Connector) (SnapshotCounts, error) {
	org, err := conn.PullOrg(ctx, oa.PullOptions{})
	if err != nil {
		return SnapshotCounts{}, err
	}
	return ReplaceSnapshot(db, org)
}

// ReplaceSnapshot stores a full OA org as the snapshot. Records that did not
// change are left alone; the rest goes in batches (Badger limits the size of
// one transaction), deletions last.
func ReplaceSnapshot(db *store.DB, org *oa.Org) (SnapshotCounts, error) {
	c := SnapshotCounts{Departments: len(org.Departments), Users: len(org.Users)}
	keepUsers := make(map[string]bool, len(org.Users))
	keepDepts := make(map[string]bool, len(org.Departments))
	for _, u := range org.Users {
		keepUsers[url.PathEscape(u.ID)] = true
		if u.Left {
			c.Leavers++
		}
	}
	for _, d := range org.Departments {
		keepDepts[url.PathEscape(d.ID)] = true
	}
	var staleUsers, staleDepts []string
	err := db.View(func(tx *store.Tx) error {
		if err := directory.OAUsers.Each(tx, func(u oa.User) error {
			if !keepUsers[url.PathEscape(u.ID)] {
				staleUsers = append(staleUsers, u.ID)
			}
			return nil
		}); err != nil {
			return err
		}
		return directory.OADepts.Each(tx, func(d oa.Department) error {
			if !keepDepts[url.PathEscape(d.ID)] {
				staleDepts = append(staleDepts, d.ID)
			}
			return nil
		})
	})
	if err != nil {
		return c, err
	}
	// Puts go through Update (index maintenance needs the old record) in
	// chunks small enough for one Badger transaction.
	const chunk = 500
	for i := 0; i < len(org.Departments); i += chunk {
		part := org.Departments[i:min(i+chunk, len(org.Departments))]
		if err := db.Update(func(tx *store.Tx) error {
			for j := range part {
				if err := directory.OADepts.Put(tx, &part[j]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return c, err
		}
	}
	for i := 0; i < len(org.Users); i += chunk {
		part := org.Users[i:min(i+chunk, len(org.Users))]
		if err := db.Update(func(tx *store.Tx) error {
			for j := range part {
				if err := directory.OAUsers.Put(tx, &part[j]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return c, err
		}
	}
	for i := 0; i < len(staleUsers); i += chunk {
		part := staleUsers[i:min(i+chunk, len(staleUsers))]
		if err := db.Update(func(tx *store.Tx) error {
			for _, id := range part {
				if err := directory.OAUsers.Delete(tx, url.PathEscape(id)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return c, err
		}
	}
	err = db.Update(func(tx *store.Tx) error {
		for _, id := range staleDepts {
			if err := directory.OADepts.Delete(tx, url.PathEscape(id)); err != nil {
				return err
			}
		}
		return nil
	})
	c.Removed = len(staleUsers)
	return c, err
}
