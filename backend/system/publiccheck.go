package system

import (
	"context"
	"time"

	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
)

// CheckPublic runs only the diagnostics' public URL check: does the public
// base URL reach this very process. The dashboard offers it as a button.
func (s *Service) CheckPublic() (PublicCheck, error) {
	var set settings.Settings
	if err := s.db.View(func(tx *store.Tx) error { var e error; set, e = settings.Load(tx); return e }); err != nil {
		return PublicCheck{}, err
	}
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	pc := checkPublic(ctx, set.PublicBaseURL, s.public.Instance())
	s.log.Info("public URL check", "url", pc.URL, "ok", pc.OK)
	return pc, nil
}
