package binding

import (
	"strconv"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// Snapshot keeps the bindings a batch unbind (批量解绑) removed, so the
// admin can restore them (undo).
type Snapshot struct {
	ID         string    `json:"id"`
	CorpID     string    `json:"corpId"`
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	Count      int       `json:"count"`    // bindings saved (and removed)
	Complete   bool      `json:"complete"` // false: the unbind stopped midway (Count says how far)
	RestoredAt time.Time `json:"restoredAt,omitzero"`
	Restored   int       `json:"restored,omitempty"`
	Skipped    int       `json:"skipped,omitempty"` // not restored: user or OA user bound again meanwhile
}

// snapItem is one saved binding (kept apart from the header: a corp may
// have 100k bindings, more than one record or transaction should hold).
type snapItem struct {
	SnapshotID string  `json:"snapshotId"`
	Binding    Binding `json:"binding"`
}

var (
	snapshots = store.NewCollection("binding.snapshot", func(s *Snapshot) string { return s.ID },
		store.Index[Snapshot]{Name: "corp", Values: func(s *Snapshot) []string { return []string{s.CorpID} }})
	snapItems = store.NewCollection("binding.snapitem", func(i *snapItem) string {
		return i.SnapshotID + "~" + directoryKey(i.Binding.CorpID, i.Binding.WeLinkUserID)
	}, store.Index[snapItem]{Name: "snap", Values: func(i *snapItem) []string { return []string{i.SnapshotID} }})
)

// MethodBatch is the audit method of a batch unbind.
const MethodBatch = "batch"

// UnbindAll removes every binding of the corp after the admin typed the
// corp's name, keeping them as a snapshot. Large corps are unbound in
// chunks; each chunk saves its bindings to the snapshot in the same
// transaction that deletes them, so whatever was removed can be restored.
func (s *Service) UnbindAll(corpID, confirm string) (Snapshot, error) {
	if s.d.CorpName == nil {
		return Snapshot{}, core.ErrUnavailable.New()
	}
	name, err := s.d.CorpName(corpID)
	if err != nil {
		return Snapshot{}, err
	}
	if strings.TrimSpace(confirm) != name {
		return Snapshot{}, core.ErrBindingConfirmMismatch.New("name", name)
	}
	var ids []string
	if err := s.d.DB.View(func(tx *store.Tx) error {
		if err := tenant.CheckActive(tx, corpID); err != nil {
			return err
		}
		return eachBindingOfCorp(tx, corpID, func(b Binding) { ids = append(ids, b.WeLinkUserID) })
	}); err != nil {
		return Snapshot{}, err
	}
	ctx, j, err := s.startJob("unbind-all", len(ids))
	if err != nil {
		return Snapshot{}, err
	}
	now := s.d.Clock.Now()
	snap := Snapshot{ID: strconv.FormatInt(now.UnixNano(), 36) + core.NewID()[:8], CorpID: corpID, At: now, By: Admin}
	if err := s.d.DB.Update(func(tx *store.Tx) error { return snapshots.Put(tx, &snap) }); err != nil {
		s.endJob(j, err)
		return Snapshot{}, err
	}
	var runErr error
	for start := 0; start < len(ids); start += chunkSize {
		if ctx.Err() != nil {
			runErr = core.ErrBindingCanceled.New()
			break
		}
		chunk := ids[start:min(start+chunkSize, len(ids))]
		n := 0
		err := s.d.DB.Update(func(tx *store.Tx) error {
			n = 0
			if err := tenant.CheckActive(tx, corpID); err != nil {
				return err
			}
			bulk := AuditEntry{CorpID: corpID, At: now, Action: ActionUnbind, Method: MethodBatch, By: Admin, Detail: snap.ID}
			for _, id := range chunk {
				b, ok, err := ForWeLinkUser(tx, corpID, id)
				if err != nil {
					return err
				}
				if !ok {
					continue // unbound meanwhile
				}
				if err := snapItems.Put(tx, &snapItem{SnapshotID: snap.ID, Binding: b}); err != nil {
					return err
				}
				if err := Bindings.Delete(tx, directoryKey(corpID, id)); err != nil {
					return err
				}
				bulk.Items = append(bulk.Items, AuditItem{WeLinkUserID: id, PrevOAUserID: b.OAUserID, PrevLoginID: b.OALoginID})
				n++
			}
			if n > 0 {
				if err := recordAudit(tx, bulk); err != nil {
					return err
				}
			}
			cur, err := snapshots.Get(tx, snap.ID)
			if err != nil {
				return err
			}
			cur.Count += n
			return snapshots.Put(tx, &cur)
		})
		if err != nil {
			runErr = err
			break
		}
		snap.Count += n
		s.step(j, "unbind", start+len(chunk), len(ids))
	}
	if runErr == nil {
		snap.Complete = true
		runErr = s.d.DB.Update(func(tx *store.Tx) error { return snapshots.Put(tx, &snap) })
	}
	s.endJob(j, runErr)
	s.log.Info("batch unbind", "corp", corpID, "snapshot", snap.ID, "removed", snap.Count, "of", len(ids), "err", runErr)
	if runErr != nil {
		return snap, runErr
	}
	return snap, nil
}

// ListSnapshots lists the corp's batch-unbind snapshots, newest first.
func (s *Service) ListSnapshots(corpID string) ([]Snapshot, error) {
	var out []Snapshot
	err := s.d.DB.View(func(tx *store.Tx) error { var e error; out, e = snapshots.Lookup(tx, "corp", corpID); return e })
	for i, k := 0, len(out)-1; i < k; i, k = i+1, k-1 {
		out[i], out[k] = out[k], out[i]
	}
	if out == nil {
		out = []Snapshot{}
	}
	return out, err
}

// RestoreSnapshot puts the snapshot's bindings back (method restore; the
// original method is kept in the detail). Users bound again meanwhile, or
// whose OA user is bound to someone else now, are skipped and counted. It
// writes like a confirmed import (re-checked chunks, bulk audit entries);
// a restore that stopped midway can be run again: what it already put back
// counts as unchanged.
func (s *Service) RestoreSnapshot(snapshotID string) (Snapshot, error) {
	var snap Snapshot
	var changes []change
	err := s.d.DB.View(func(tx *store.Tx) error {
		var err error
		if snap, err = snapshots.Get(tx, snapshotID); isNotFound(err) {
			return core.ErrBindingSnapshotNotFound.New()
		} else if err != nil {
			return err
		}
		if !snap.RestoredAt.IsZero() {
			return core.ErrBindingSnapshotRestored.New()
		}
		// Items of one snapshot share its id prefix; only what restoring
		// needs is kept (a snapshot may hold 100k bindings).
		items, err := snapItems.Lookup(tx, "snap", snapshotID)
		changes = make([]change, len(items))
		for i, it := range items {
			b := it.Binding
			changes[i] = change{WeLinkUserID: b.WeLinkUserID, OAUserID: b.OAUserID, OALoginID: b.OALoginID, Detail: b.Method}
		}
		return err
	})
	if err != nil {
		return Snapshot{}, err
	}
	ctx, j, err := s.startJob("restore", len(changes))
	if err != nil {
		return Snapshot{}, err
	}
	res := s.applyChanges(ctx, j, snap.CorpID, MethodRestore, changes)
	var runErr error
	switch {
	case res.Error != nil:
		runErr = res.Error
	case res.Canceled:
		runErr = core.ErrBindingCanceled.New()
	}
	now := s.d.Clock.Now()
	// Done: the saved items go; the header stays as the record of the undo.
	for start := 0; runErr == nil && start < len(changes); start += chunkSize {
		chunk := changes[start:min(start+chunkSize, len(changes))]
		runErr = s.d.DB.Update(func(tx *store.Tx) error {
			for _, c := range chunk {
				if err := snapItems.Delete(tx, snapshotID+"~"+directoryKey(snap.CorpID, c.WeLinkUserID)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	err = s.d.DB.Update(func(tx *store.Tx) error {
		cur, err := snapshots.Get(tx, snapshotID)
		if err != nil {
			return err
		}
		cur.Restored += res.Applied
		cur.Skipped += res.Stale
		if runErr == nil {
			cur.RestoredAt = now
		}
		snap = cur
		return snapshots.Put(tx, &cur)
	})
	if runErr == nil {
		runErr = err
	}
	s.endJob(j, runErr)
	s.log.Info("snapshot restored", "snapshot", snapshotID, "restored", snap.Restored, "skipped", snap.Skipped, "err", runErr)
	return snap, runErr
}
