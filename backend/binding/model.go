// Package binding keeps who is who: a WeLink user of a corp bound to an OA
// user (seed §4.2.3). SSO, push delivery and OA → WeLink sync all read it.
package binding

import (
	"time"

	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
)

// Methods: how a binding was made (shown on the person card).
const (
	MethodManual      = "manual"      // person card, by the admin
	MethodRule        = "rule"        // auto-binding rules
	MethodImport      = "import"      // 关联导入
	MethodSelfService = "selfservice" // the user proved the OA password
	MethodSync        = "sync"        // created in WeLink by the OA → WeLink sync
	MethodRestore     = "restore"     // undo of a batch unbind
)

// Binding ties one WeLink user of a corp to one OA user, both ways unique.
type Binding struct {
	CorpID       string    `json:"corpId"`
	WeLinkUserID string    `json:"welinkUserId"`
	OAUserID     string    `json:"oaUserId"`
	OALoginID    string    `json:"oaLoginId,omitempty"` // denormalised for lists and logs
	Method       string    `json:"method"`
	Detail       string    `json:"detail,omitempty"` // e.g. the rule that matched
	By           string    `json:"by,omitempty"`     // admin, or the user themself
	At           time.Time `json:"at"`
}

// Bindings are keyed by corp and WeLink user; an OA user is bound to at most
// one WeLink user per corp (unique index).
var Bindings = store.NewCollection("binding", func(b *Binding) string { return directory.Key(b.CorpID, b.WeLinkUserID) },
	store.Index[Binding]{Name: "corp", Values: func(b *Binding) []string { return []string{b.CorpID} }},
	store.Index[Binding]{Name: "oaUser", Unique: true, Values: func(b *Binding) []string { return []string{b.CorpID + "~" + b.OAUserID} }},
)

// ForWeLinkUser returns the binding of a WeLink user, if any.
func ForWeLinkUser(tx *store.Tx, corpID, welinkUserID string) (Binding, bool, error) {
	b, err := Bindings.Get(tx, directory.Key(corpID, welinkUserID))
	if err != nil {
		if isNotFound(err) {
			return Binding{}, false, nil
		}
		return Binding{}, false, err
	}
	return b, true, nil
}

// ForOAUser returns the binding of an OA user in a corp, if any.
func ForOAUser(tx *store.Tx, corpID, oaUserID string) (Binding, bool, error) {
	bs, err := Bindings.Lookup(tx, "oaUser", corpID+"~"+oaUserID)
	if err != nil || len(bs) == 0 {
		return Binding{}, false, err
	}
	return bs[0], true, nil
}
