package binding

import (
	"strconv"

	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// Dependent is the binding domain's per-corp data for tenant.Dependents:
// bindings, settings, batch-unbind snapshots and the audit. (A separate
// type: the bound Service exposes only the UI's API.)
func Dependent() tenant.Dependent { return dependent{} }

type dependent struct{}

func (dependent) CorpUses(tx *store.Tx, corpID string) ([]tenant.Use, error) {
	var uses []tenant.Use
	n, err := Bindings.Count(tx, "corp", corpID)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		uses = append(uses, tenant.Use{Kind: "binding", ID: corpID, Name: strconv.Itoa(n) + " 个用户绑定 / bindings"})
	}
	if ok, err := settingsColl.Has(tx, corpID); err != nil {
		return nil, err
	} else if ok {
		uses = append(uses, tenant.Use{Kind: "binding", ID: corpID + "/settings", Name: "用户绑定设置 / binding settings"})
	}
	if k, err := snapshots.Count(tx, "corp", corpID); err != nil {
		return nil, err
	} else if k > 0 {
		uses = append(uses, tenant.Use{Kind: "binding", ID: corpID + "/snapshots", Name: strconv.Itoa(k) + " 个解绑快照 / unbind snapshots"})
	}
	return uses, nil
}

// DeleteCorpData removes everything the corp holds here, audit included
// (the audit is the corp's; the app log keeps the corp delete itself).
func (dependent) DeleteCorpData(tx *store.Tx, corpID string) error {
	bs, err := Bindings.Lookup(tx, "corp", corpID)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if err := Bindings.Delete(tx, directoryKey(corpID, b.WeLinkUserID)); err != nil {
			return err
		}
	}
	snaps, err := snapshots.Lookup(tx, "corp", corpID)
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		items, err := snapItems.Lookup(tx, "snap", sn.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := snapItems.Delete(tx, it.SnapshotID+"~"+directoryKey(it.Binding.CorpID, it.Binding.WeLinkUserID)); err != nil {
				return err
			}
		}
		if err := snapshots.Delete(tx, sn.ID); err != nil {
			return err
		}
	}
	var ids []string
	if err := audits.Each(tx, func(e AuditEntry) error {
		if e.CorpID == corpID {
			ids = append(ids, e.ID)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		if err := audits.Delete(tx, id); err != nil {
			return err
		}
	}
	if err := settingsColl.Delete(tx, corpID); err != nil {
		return err
	}
	return attemptsDeleteCorp(tx, corpID)
}

func attemptsDeleteCorp(tx *store.Tx, corpID string) error {
	var keys []string
	prefix := userAttemptKey(corpID, "")
	err := attempts.Each(tx, func(a attempt) error {
		if len(a.Key) >= len(prefix) && a.Key[:len(prefix)] == prefix {
			keys = append(keys, a.Key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := attempts.Delete(tx, k); err != nil {
			return err
		}
	}
	return nil
}
