package relay

import "cloudbridge/backend/store"

// ResealSecrets re-seals every OA system's intake secret for a master key
// rotation (store.SecretOwner).
func ResealSecrets(tx *store.Tx, reseal store.Reseal) error {
	all, err := systems.List(tx)
	if err != nil {
		return err
	}
	for _, s := range all {
		if !s.Secret.IsSet() {
			continue
		}
		if s.Secret, err = reseal(secretAAD(s.ID), s.Secret); err != nil {
			return err
		}
		if err := systems.Put(tx, &s); err != nil {
			return err
		}
	}
	return nil
}
