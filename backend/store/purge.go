package store

// Purges delete what may not fit one Badger transaction (Badger bounds a
// transaction's size): in chunks, each chunk its own transaction. Callers
// make a purge resumable, e.g. by marking the owner as being deleted first.

// DeleteWhere deletes every record whose index has value, chunk records per
// transaction, and returns how many it deleted.
func (c *Collection[T]) DeleteWhere(db *DB, index, value string, chunk int) (int, error) {
	n := 0
	for {
		var ids []string
		err := db.Update(func(tx *Tx) error {
			var err error
			if ids, err = c.lookupIDs(tx, index, value, chunk); err != nil {
				return err
			}
			for _, id := range ids {
				if err := c.Delete(tx, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(ids)
		if len(ids) < chunk {
			return n, nil
		}
	}
}

// DeleteMatching deletes every record for which match is true (a full scan,
// for collections without a fitting index), chunk records per transaction.
func (c *Collection[T]) DeleteMatching(db *DB, match func(*T) bool, chunk int) (int, error) {
	var ids []string
	err := db.View(func(tx *Tx) error {
		return c.Each(tx, func(v T) error {
			if match(&v) {
				ids = append(ids, c.id(&v))
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		if err := db.Update(func(tx *Tx) error {
			for _, id := range part {
				if err := c.Delete(tx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}
