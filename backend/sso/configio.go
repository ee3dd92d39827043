package sso

import (
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// ExportQR returns the QR login settings (configuration export).
func ExportQR(tx *store.Tx) (QRSettings, error) { return loadQR(tx) }

// ImportQR stores QR login settings; appCorp resolves an app to its corp
// in the same transaction (the import may have just created it).
func ImportQR(tx *store.Tx, in QRSettings, appCorp func(appID string) (string, bool, error), now time.Time) error {
	q := QRSettings{Enabled: in.Enabled, Apps: []QRApp{}, UpdatedAt: now.UTC()}
	seen := map[string]bool{}
	for _, a := range in.Apps {
		if a.AppID == "" || seen[a.AppID] {
			continue
		}
		corp, ok, err := appCorp(a.AppID)
		if err != nil {
			return err
		}
		if !ok {
			return core.ErrAppNotFound.New()
		}
		seen[a.AppID] = true
		q.Apps = append(q.Apps, QRApp{AppID: a.AppID, CorpID: corp})
	}
	if q.Enabled && len(q.Apps) == 0 {
		return core.ErrSSOQRAppRequired.New()
	}
	return qrRecord.Put(tx, &q)
}
