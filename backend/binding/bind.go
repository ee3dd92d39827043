package binding

import (
	"errors"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// put writes b and its audit entry in tx. An OA user bound to another WeLink
// user of the corp is ErrBindingOAUserTaken. A WeLink user bound to another
// OA user is replaced when replace is set (audited as a rebind), else
// ErrBindingWeLinkUserBound. Binding to the same OA user again is a no-op.
func put(tx *store.Tx, b Binding, replace bool, ip string) (Binding, error) {
	if err := tenant.CheckActive(tx, b.CorpID); err != nil {
		return Binding{}, err
	}
	cur, had, err := ForWeLinkUser(tx, b.CorpID, b.WeLinkUserID)
	if err != nil {
		return Binding{}, err
	}
	if had && cur.OAUserID == b.OAUserID {
		return cur, nil
	}
	if had && !replace {
		return Binding{}, core.ErrBindingWeLinkUserBound.New("user", b.WeLinkUserID, "oa", nonEmptyOr(cur.OALoginID, cur.OAUserID))
	}
	if err := Bindings.Put(tx, &b); err != nil {
		var u *store.ErrUnique
		if errors.As(err, &u) {
			other, _, _ := ForOAUser(tx, b.CorpID, b.OAUserID)
			return Binding{}, core.ErrBindingOAUserTaken.New("oa", nonEmptyOr(b.OALoginID, b.OAUserID), "user", other.WeLinkUserID)
		}
		return Binding{}, err
	}
	e := AuditEntry{CorpID: b.CorpID, At: b.At, Action: ActionBind, Method: b.Method, WeLinkUserID: b.WeLinkUserID,
		OAUserID: b.OAUserID, OALoginID: b.OALoginID, By: b.By, IP: ip, Detail: b.Detail}
	if had {
		e.Action, e.PrevOAUserID, e.PrevOALoginID = ActionRebind, cur.OAUserID, cur.OALoginID
	}
	return b, recordAudit(tx, e)
}

// Put binds a WeLink user to an OA user inside the caller's transaction and
// records the audit entry (b.Method, b.By, b.At say how, who and when). For
// the sync engine (MethodSync) and other domains; see put for the errors.
func Put(tx *store.Tx, b Binding, replace bool) (Binding, error) { return put(tx, b, replace, "") }

// Unbind removes a WeLink user's binding inside tx and records who did it
// and how (method: MethodManual, "batch", MethodSync…). Not bound is
// ErrBindingNotBound.
func Unbind(tx *store.Tx, corpID, welinkUserID, method, by string, at time.Time) (Binding, error) {
	if err := tenant.CheckActive(tx, corpID); err != nil {
		return Binding{}, err
	}
	cur, ok, err := ForWeLinkUser(tx, corpID, welinkUserID)
	if err != nil {
		return Binding{}, err
	}
	if !ok {
		return Binding{}, core.ErrBindingNotBound.New("user", welinkUserID)
	}
	if err := Bindings.Delete(tx, directoryKey(corpID, welinkUserID)); err != nil {
		return Binding{}, err
	}
	return cur, recordAudit(tx, AuditEntry{CorpID: corpID, At: at, Action: ActionUnbind, Method: method,
		WeLinkUserID: welinkUserID, PrevOAUserID: cur.OAUserID, PrevOALoginID: cur.OALoginID, By: by})
}

func nonEmptyOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
