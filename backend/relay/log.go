package relay

import (
	"sort"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

func ofsOps() []string { return oa.OFSOperations() }

// LogQuery filters the message log. Empty fields match everything.
type LogQuery struct {
	Status   string    `json:"status"`
	Source   string    `json:"source"`   // module, or "todo" for items with a lifecycle
	Receiver string    `json:"receiver"` // substring of the OA receiver or WeLink userId
	Text     string    `json:"text"`     // substring of the title or flow id
	AppID    string    `json:"appId"`
	Type     string    `json:"type"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Offset   int       `json:"offset"`
	Limit    int       `json:"limit"` // default 50, at most 500
}

// LogRow is one line of the log.
type LogRow struct {
	ID        string      `json:"id"`
	Title     string      `json:"title"`
	Module    string      `json:"module"`
	SysCode   string      `json:"syscode"`
	FlowID    string      `json:"flowid"`
	Receiver  string      `json:"receiver"`
	UserID    string      `json:"userId"`
	AppID     string      `json:"appId"`
	AppName   string      `json:"appName"`
	Type      string      `json:"type"`
	Status    string      `json:"status"`
	Reason    *core.Error `json:"reason,omitempty"`
	Calls     int         `json:"calls"`
	Attempts  int         `json:"attempts"`
	NextAt    time.Time   `json:"nextAt,omitempty"`
	CreatedAt time.Time   `json:"createdAt"`
	UpdatedAt time.Time   `json:"updatedAt"`
}

// LogPage is a page of the log with the counts per status of the whole
// filtered set.
type LogPage struct {
	Rows   []LogRow       `json:"rows"`
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
}

func (s *Service) appName(id string) string {
	if a, err := s.e.appInfo(id); err == nil {
		return a.Name
	}
	return ""
}

func (q LogQuery) match(d *Delivery, statusToo bool) bool {
	if statusToo && q.Status != "" && d.Status != q.Status {
		return false
	}
	if q.Source != "" && q.Source != SourceAll {
		if q.Source == SourceTodo {
			if d.Type != TypeTodo && d.Module != ModuleWorkflow {
				return false
			}
		} else if !strings.EqualFold(d.Module, q.Source) {
			return false
		}
	}
	if q.AppID != "" && d.AppID != q.AppID {
		return false
	}
	if q.Type != "" && d.Type != q.Type {
		return false
	}
	if r := strings.ToLower(strings.TrimSpace(q.Receiver)); r != "" &&
		!strings.Contains(strings.ToLower(d.Receiver), r) && !strings.Contains(strings.ToLower(d.UserID), r) {
		return false
	}
	if t := strings.ToLower(strings.TrimSpace(q.Text)); t != "" &&
		!strings.Contains(strings.ToLower(d.Title), t) && !strings.Contains(strings.ToLower(d.FlowID), t) {
		return false
	}
	if !q.From.IsZero() && d.CreatedAt.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && d.CreatedAt.After(q.To) {
		return false
	}
	return true
}

// ListDeliveries returns the log, newest change first.
func (s *Service) ListDeliveries(q LogQuery) (LogPage, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 500)
	q.Offset = max(q.Offset, 0)
	page := LogPage{Counts: map[string]int{}, Rows: []LogRow{}}
	var heads []deliveryHead
	err := s.e.db.View(func(tx *store.Tx) error {
		// The counts need every matching row: decode them on both cores,
		// without their timelines (most of a row's bytes).
		var err error
		heads, err = deliveryHeads.ListWhere(tx, 2, func(h *deliveryHead) bool { return q.match(&h.Delivery, false) })
		return err
	})
	if err != nil {
		return page, err
	}
	var hits []Delivery
	for _, h := range heads {
		page.Counts[h.Status]++
		if q.Status == "" || h.Status == q.Status {
			hits = append(hits, h.Delivery)
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if !hits[i].UpdatedAt.Equal(hits[j].UpdatedAt) {
			return hits[i].UpdatedAt.After(hits[j].UpdatedAt)
		}
		return hits[i].ID < hits[j].ID
	})
	page.Total = len(hits)
	if q.Offset < len(hits) {
		for _, d := range hits[q.Offset:min(len(hits), q.Offset+q.Limit)] {
			page.Rows = append(page.Rows, logRow(&d, s.appName(d.AppID)))
		}
	}
	return page, nil
}

func logRow(d *Delivery, appName string) LogRow {
	return LogRow{ID: d.ID, Title: d.Title, Module: d.Module, SysCode: d.SysCode, FlowID: d.FlowID, Receiver: d.Receiver,
		UserID: d.UserID, AppID: d.AppID, AppName: appName, Type: d.Type, Status: d.Status, Reason: d.Reason,
		Calls: d.Calls, Attempts: d.Attempts, NextAt: d.NextAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// DeliveryDetail is a row with its item and its whole timeline.
type DeliveryDetail struct {
	LogRow
	TaskID   string   `json:"taskId,omitempty"`
	Present  bool     `json:"present"`
	CardIDs  []string `json:"cardIds,omitempty"`
	Item     Item     `json:"item"`
	Events   []Event  `json:"events"`
	RuleName string   `json:"ruleName,omitempty"`
	// Siblings are the other apps/types the same item went to.
	Siblings []LogRow `json:"siblings"`
}

// GetDelivery returns a row's detail view.
func (s *Service) GetDelivery(id string) (DeliveryDetail, error) {
	var out DeliveryDetail
	err := s.e.db.View(func(tx *store.Tx) error {
		d, err := deliveries.Get(tx, id)
		if isNotFound(err) {
			return core.ErrRelayDeliveryNotFound.New()
		}
		if err != nil {
			return err
		}
		it, _ := items.Get(tx, d.ItemID)
		out = DeliveryDetail{LogRow: logRow(&d, s.appName(d.AppID)), TaskID: d.TaskID, Present: d.Present, CardIDs: d.CardIDs,
			Item: it, Events: d.Events, Siblings: []LogRow{}}
		if r, err := rules.Get(tx, d.RuleID); err == nil {
			out.RuleName = r.Name
		}
		sib, err := deliveries.Lookup(tx, "item", d.ItemID)
		for _, x := range sib {
			if x.ID != d.ID {
				out.Siblings = append(out.Siblings, logRow(&x, s.appName(x.AppID)))
			}
		}
		return err
	})
	if out.Events == nil {
		out.Events = []Event{}
	}
	return out, err
}

// ResendResult counts what a resend did.
type ResendResult struct {
	Queued  int `json:"queued"`
	Skipped int `json:"skipped"` // in flight, or nothing to resend
}

// Resend queues rows again: dead letters, uncertain and failed rows from
// attempt 1, and delivered notices/cards once more (the admin asked for
// it). A delivered to-do is brought in line with its item again.
func (s *Service) Resend(ids []string) (ResendResult, error) {
	if len(ids) > 5000 {
		return ResendResult{}, core.ErrTooLong.New("field", "ids", "max", "5000")
	}
	var res ResendResult
	var push []followUp
	now := s.e.clock.Now()
	for start := 0; start < len(ids); start += rowsPerTxn {
		chunk := ids[start:min(len(ids), start+rowsPerTxn)]
		var q, sk int
		var p []followUp
		err := s.e.db.Update(func(tx *store.Tx) error {
			q, sk, p = 0, 0, p[:0]
			for _, id := range chunk {
				d, err := deliveries.Get(tx, id)
				if isNotFound(err) {
					sk++
					continue
				}
				if err != nil {
					return err
				}
				if d.Status == StatusSending {
					sk++
					continue
				}
				it, err := items.Get(tx, d.ItemID)
				if err != nil {
					sk++
					continue
				}
				if d.Type != TypeTodo && (d.Status == StatusDelivered || d.Status == StatusUncertain) && startsDelivery(&it) {
					d.Force = true
				}
				if d.Type == TypeTodo && d.Status == StatusDelivered && needOp(&d, &it) == "" {
					// WeLink should already match; re-add in doubt mode in
					// case someone removed it there.
					if d.Present {
						d.Present, d.InDoubt = false, true
					}
				}
				if needOp(&d, &it) == "" {
					sk++
					continue
				}
				if d.Status == StatusNotBound {
					d.CreatedAt = now // a fresh binding window
				}
				d.Status, d.Attempts, d.Reason, d.NextAt, d.UpdatedAt = StatusQueued, 0, nil, time.Time{}, now
				d.event(Event{At: now, Kind: "resend"})
				if err := deliveries.Put(tx, &d); err != nil {
					return err
				}
				p = append(p, followUp{id: d.ID, group: d.GroupKey})
				q++
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Queued += q
		res.Skipped += sk
		push = append(push, p...)
	}
	for _, f := range push {
		s.e.q.push(f.id, f.group, time.Time{})
	}
	s.e.log.Info("relay: resend", "queued", res.Queued, "skipped", res.Skipped)
	s.e.changed()
	return res, nil
}

// ResendFiltered resends every row of a status matching the query (the
// log's "resend all dead letters").
func (s *Service) ResendFiltered(q LogQuery) (ResendResult, error) {
	if q.Status == "" {
		q.Status = StatusDead
	}
	var ids []string
	err := s.e.db.View(func(tx *store.Tx) error {
		return deliveries.Each(tx, func(d Delivery) error {
			if q.match(&d, true) && len(ids) < 5000 {
				ids = append(ids, d.ID)
			}
			return nil
		})
	})
	if err != nil {
		return ResendResult{}, err
	}
	return s.Resend(ids)
}

// HourFigures are one hour of the relay's throughput.
type HourFigures struct {
	Hour      time.Time `json:"hour"`
	Received  int       `json:"received"`
	Delivered int       `json:"delivered"`
	Failed    int       `json:"failed"`
	Dead      int       `json:"dead"`
	Calls     int       `json:"calls"`
}

// Figures are the counters and the hourly series the push screen and the
// dashboard show.
type Figures struct {
	Hours  []HourFigures  `json:"hours"`  // oldest first, every hour present
	Status map[string]int `json:"status"` // rows per status now
	Rules  int            `json:"rules"`
	Active int            `json:"active"` // enabled rules
}

// Stats returns the figures of the last hours (1–168).
func (s *Service) Stats(hours int) (Figures, error) {
	s.e.flushStats()
	return Metrics(s.e.db, s.e.clock.Now(), hours)
}

// Metrics reads the relay's figures from the store: rows per status and
// received/delivered/failed/dead/calls per hour for the last hours
// (1–168), for the dashboard. Counters reach the store every 10 s.
func Metrics(db *store.DB, now time.Time, hours int) (Figures, error) {
	hours = min(max(hours, 1), 168)
	f := Figures{Status: map[string]int{}, Hours: make([]HourFigures, 0, hours)}
	start := now.UTC().Truncate(time.Hour).Add(-time.Duration(hours-1) * time.Hour)
	err := db.View(func(tx *store.Tx) error {
		for i := 0; i < hours; i++ {
			t := start.Add(time.Duration(i) * time.Hour)
			h, err := stats.Get(tx, hourKey(t))
			if err != nil && !isNotFound(err) {
				return err
			}
			f.Hours = append(f.Hours, HourFigures{Hour: t, Received: h.Received, Delivered: h.Delivered, Failed: h.Failed, Dead: h.Dead, Calls: h.Calls})
		}
		for _, st := range []string{StatusQueued, StatusSending, StatusRetrying, StatusNotBound, StatusDelivered, StatusDead, StatusUncertain} {
			n, err := deliveries.Count(tx, "status", st)
			if err != nil {
				return err
			}
			f.Status[st] = n
		}
		return rules.Each(tx, func(r Rule) error {
			f.Rules++
			if r.Enabled {
				f.Active++
			}
			return nil
		})
	})
	return f, err
}
