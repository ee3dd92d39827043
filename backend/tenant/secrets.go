package tenant

import "cloudbridge/backend/store"

// ResealSecrets re-seals every app's client secret for a master key
// rotation (store.SecretOwner).
func ResealSecrets(tx *store.Tx, reseal store.Reseal) error {
	all, err := apps.List(tx)
	if err != nil {
		return err
	}
	for _, a := range all {
		if !a.Secret.IsSet() {
			continue
		}
		if a.Secret, err = reseal(secretAAD(a.ID), a.Secret); err != nil {
			return err
		}
		if err := apps.Put(tx, &a); err != nil {
			return err
		}
	}
	return nil
}
