package audit

import (
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// Query filters the log. Every field is optional.
type Query struct {
	From string `json:"from"` // RFC 3339, inclusive
	To   string `json:"to"`   // RFC 3339, exclusive
	// Actor matches the actor's name, address or session (substring,
	// case-insensitive).
	Actor string `json:"actor"`
	// Action is "<pkg>.<Method>" exactly, or "<pkg>." for a whole area.
	Action string `json:"action"`
	// Outcome is "ok", "error" (any failure) or one error code.
	Outcome string `json:"outcome"`
	// Before continues a page: entries older than this id.
	Before string `json:"before"`
	Limit  int    `json:"limit"` // 1..500, default 50
}

// Page is a slice of entries, newest first.
type Page struct {
	Entries []Entry `json:"entries"`
	// Next continues the listing (Query.Before); "" at the end.
	Next string `json:"next"`
}

const (
	defaultLimit = 50
	maxLimit     = 500
	// A filter matching nothing must not walk a year of entries for one
	// page: the page ends after this many and says where to go on.
	maxScan = 50_000
)

type bounds struct{ from, to string }

func (q Query) bounds() (bounds, error) {
	var b bounds
	parse := func(s, field string) (time.Time, error) {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return t, core.ErrInvalidInput.New("field", field)
		}
		return t, nil
	}
	var from, to time.Time
	var err error
	if q.From != "" {
		if from, err = parse(q.From, "from"); err != nil {
			return b, err
		}
		b.from = idAt(from)
	}
	if q.To != "" {
		if to, err = parse(q.To, "to"); err != nil {
			return b, err
		}
		b.to = idAt(to)
	}
	if q.From != "" && q.To != "" && !to.After(from) {
		return b, core.ErrInvalidInput.New("field", "to")
	}
	if q.Before != "" && (b.to == "" || q.Before < b.to) {
		b.to = q.Before
	}
	return b, nil
}

func (q Query) match(e *Entry) bool {
	if q.Action != "" {
		if strings.HasSuffix(q.Action, ".") {
			if !strings.HasPrefix(e.Action, q.Action) {
				return false
			}
		} else if e.Action != q.Action {
			return false
		}
	}
	switch q.Outcome {
	case "":
	case "error":
		if e.OK() {
			return false
		}
	default:
		if e.Outcome != q.Outcome {
			return false
		}
	}
	if q.Actor != "" {
		n := strings.ToLower(q.Actor)
		a := e.Actor
		if !strings.Contains(strings.ToLower(a.Name), n) && !strings.Contains(strings.ToLower(a.Addr), n) && !strings.Contains(strings.ToLower(a.Session), n) {
			return false
		}
	}
	return true
}

// List returns a page of matching entries, newest first.
func (l *Log) List(q Query) (Page, error) {
	b, err := q.bounds()
	if err != nil {
		return Page{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	l.Flush() // a page right after an action shows it
	page := Page{Entries: []Entry{}}
	scanned := 0
	err = l.o.DB.View(func(tx *store.Tx) error {
		return entries.Range(tx, b.from, b.to, true, func(id string, value func() (Entry, error)) (bool, error) {
			if len(page.Entries) == limit {
				page.Next = page.Entries[limit-1].ID
				return false, nil
			}
			scanned++
			if scanned > maxScan {
				page.Next = id + "\x00" // continue at this id, inclusive
				return false, nil
			}
			e, err := value()
			if err != nil {
				return false, err
			}
			if q.match(&e) {
				page.Entries = append(page.Entries, e)
			}
			return true, nil
		})
	})
	return page, err
}

// Each walks every matching entry, newest first, up to max.
func (l *Log) Each(q Query, max int, fn func(e *Entry) error) (int, error) {
	b, err := q.bounds()
	if err != nil {
		return 0, err
	}
	l.Flush()
	n := 0
	err = l.o.DB.View(func(tx *store.Tx) error {
		return entries.Range(tx, b.from, b.to, true, func(_ string, value func() (Entry, error)) (bool, error) {
			e, err := value()
			if err != nil {
				return false, err
			}
			if !q.match(&e) {
				return true, nil
			}
			n++
			return n < max, fn(&e)
		})
	})
	return n, err
}
