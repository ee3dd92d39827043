package binding

import (
	"slices"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// AuditQuery filters the binding audit of a corp. From/To are dates
// ("2006-01-02", UTC, inclusive); empty To is today, empty From 90 days
// before To.
type AuditQuery struct {
	CorpID string `json:"corpId"`
	From   string `json:"from"`
	To     string `json:"to"`
	Action string `json:"action"` // bind, rebind, unbind
	Method string `json:"method"`
	Search string `json:"search"` // WeLink user, OA login or id, who
	Offset int    `json:"offset"`
	Limit  int    `json:"limit"`
}

// AuditPage is one page of the audit, newest first.
type AuditPage struct {
	Total int          `json:"total"`
	Items []AuditEntry `json:"items"`
}

const maxAuditDays = 400

// ListAudit lists audit entries newest first, walking the days of the range.
func (s *Service) ListAudit(q AuditQuery) (AuditPage, error) {
	if q.CorpID == "" {
		return AuditPage{}, core.ErrRequired.New("field", "corpId")
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	to := s.d.Clock.Now().UTC()
	if q.To != "" {
		t, err := time.Parse("2006-01-02", q.To)
		if err != nil {
			return AuditPage{}, core.ErrInvalidInput.New("field", "to")
		}
		to = t
	}
	from := to.AddDate(0, 0, -90)
	if q.From != "" {
		t, err := time.Parse("2006-01-02", q.From)
		if err != nil {
			return AuditPage{}, core.ErrInvalidInput.New("field", "from")
		}
		from = t
	}
	if to.Sub(from) > maxAuditDays*24*time.Hour {
		from = to.AddDate(0, 0, -maxAuditDays)
	}
	needle := strings.ToLower(strings.TrimSpace(q.Search))
	page := AuditPage{Items: []AuditEntry{}}
	err := s.d.DB.View(func(tx *store.Tx) error {
		for d := to; !d.Before(from.Truncate(24 * time.Hour)); d = d.AddDate(0, 0, -1) {
			day, err := audits.Lookup(tx, "day", dayKey(q.CorpID, d))
			if err != nil {
				return err
			}
			var all []AuditEntry
			for _, e := range day {
				all = append(all, e.expand()...)
			}
			slices.Reverse(all)
			for _, e := range all {
				if q.Action != "" && e.Action != q.Action || q.Method != "" && e.Method != q.Method {
					continue
				}
				if needle != "" && !auditMatches(&e, needle) {
					continue
				}
				page.Total++
				if page.Total > q.Offset && len(page.Items) < q.Limit {
					page.Items = append(page.Items, e)
				}
			}
		}
		return nil
	})
	return page, err
}

func auditMatches(e *AuditEntry, needle string) bool {
	for _, v := range []string{e.WeLinkUserID, e.OAUserID, e.OALoginID, e.PrevOAUserID, e.PrevOALoginID, e.By, e.IP, e.Detail} {
		if v != "" && strings.Contains(strings.ToLower(v), needle) {
			return true
		}
	}
	return false
}
