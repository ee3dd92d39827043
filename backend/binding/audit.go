package binding

import (
	"fmt"
	"strconv"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// Audit actions.
const (
	ActionBind   = "bind"
	ActionRebind = "rebind" // the WeLink user was bound to another OA user before
	ActionUnbind = "unbind"
)

// AuditEntry records one binding change: who, what, how, when.
type AuditEntry struct {
	ID            string    `json:"id"`
	CorpID        string    `json:"corpId"`
	At            time.Time `json:"at"`
	Action        string    `json:"action"`
	Method        string    `json:"method"` // Method*; for unbind: manual, batch, sync…
	WeLinkUserID  string    `json:"welinkUserId"`
	OAUserID      string    `json:"oaUserId,omitempty"`
	OALoginID     string    `json:"oaLoginId,omitempty"`
	PrevOAUserID  string    `json:"prevOaUserId,omitempty"`
	PrevOALoginID string    `json:"prevOaLoginId,omitempty"`
	By            string    `json:"by,omitempty"`
	IP            string    `json:"ip,omitempty"`
	Detail        string    `json:"detail,omitempty"`
	// Items: a bulk write (import, auto-bind run, restore) records its
	// bindings in one entry per chunk instead of one per person: 100k
	// entries would double what a 100k-row import writes. ListAudit shows
	// each item as an entry of its own.
	Items []AuditItem `json:"items,omitempty"`
}

// AuditItem is one person's change inside a bulk entry.
type AuditItem struct {
	WeLinkUserID string `json:"u"`
	OAUserID     string `json:"o,omitempty"`
	OALoginID    string `json:"l,omitempty"`
	PrevOAUserID string `json:"po,omitempty"`
	PrevLoginID  string `json:"pl,omitempty"`
	Detail       string `json:"d,omitempty"`
}

// expand turns a bulk entry into one entry per item.
func (e AuditEntry) expand() []AuditEntry {
	if len(e.Items) == 0 {
		return []AuditEntry{e}
	}
	out := make([]AuditEntry, len(e.Items))
	for i, it := range e.Items {
		x := e
		x.Items = nil
		x.ID = e.ID + "." + strconv.Itoa(i)
		x.WeLinkUserID, x.OAUserID, x.OALoginID = it.WeLinkUserID, it.OAUserID, it.OALoginID
		x.PrevOAUserID, x.PrevOALoginID = it.PrevOAUserID, it.PrevLoginID
		if it.Detail != "" {
			x.Detail = it.Detail
		}
		out[i] = x
	}
	return out
}

// Entries are found per corp and day (newest day first when listing), so a
// page of the log never reads the whole history. Ids start with the corp
// (a corp delete finds its entries without a second index: 100k-row
// imports write 100k entries, every index key counts).
var audits = store.NewCollection("binding.audit", func(e *AuditEntry) string { return e.ID },
	store.Index[AuditEntry]{Name: "day", Values: func(e *AuditEntry) []string { return []string{dayKey(e.CorpID, e.At)} }},
)

func dayKey(corpID string, t time.Time) string { return corpID + "~" + t.UTC().Format("2006-01-02") }

// newAuditID sorts by time within a day index.
func newAuditID(corpID string, at time.Time) string {
	return corpID + "~" + fmt.Sprintf("%016x", at.UnixNano()) + core.NewID()
}

func recordAudit(tx *store.Tx, e AuditEntry) error {
	e.ID = newAuditID(e.CorpID, e.At)
	return audits.Put(tx, &e)
}

func recordAuditBatch(b *store.Batch, e AuditEntry) error {
	e.ID = newAuditID(e.CorpID, e.At)
	return audits.PutBatch(b, &e)
}
