package oaconfig

import (
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// ResealSecrets re-seals the OA connection's secrets and the connector's
// saved handshake for a master key rotation (store.SecretOwner).
//
// A handshake is sealed bound to its state key, which the record keeps only
// as a hash; the keys the stored config uses are recomputed and matched.
// A handshake of an earlier config matches none and is dropped: no
// connector reads it any more. Keeping the current one matters: a new
// ec/dev regist would rotate the OA's keys for every client of the appid.
func ResealSecrets(tx *store.Tx, reseal store.Reseal) error {
	st, ok, err := record.Get(tx)
	if err != nil {
		return err
	}
	live := map[string]string{} // state id → state key
	if ok {
		for _, f := range []struct {
			v   *store.Sealed
			aad string
		}{{&st.TokenKey, aadTokenKey}, {&st.AppSecret, aadAppSecret}, {&st.OAuth2Secret, aadOAuth2}} {
			if *f.v, err = reseal(f.aad, *f.v); err != nil {
				return err
			}
		}
		if err := record.Put(tx, &st); err != nil {
			return err
		}
		for _, k := range oa.StateKeys(st.Config) {
			live[stateID(k)] = k
		}
	}
	all, err := states.List(tx)
	if err != nil {
		return err
	}
	for _, r := range all {
		key, ok := live[r.ID]
		if !ok {
			if err := states.Delete(tx, r.ID); err != nil {
				return err
			}
			continue
		}
		if r.Value, err = reseal("oa/state/"+key, r.Value); err != nil {
			return err
		}
		if err := states.Put(tx, &r); err != nil {
			return err
		}
	}
	return nil
}
