package binding

import (
	"strconv"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// WeLink fields a rule can match on.
const (
	WLMobile       = "mobile"
	WLEmail        = "email"
	WLEmployeeID   = "employeeId"
	WLCorpUserID   = "corpUserId"
	WLUserID       = "userId"       // the WeLink account as is
	WLUserIDPrefix = "userIdPrefix" // the account before "@" (zhangsan@corp → zhangsan)
)

// OA fields a rule (or an import) can match on.
const (
	OAID       = "id" // hrmresource.id
	OALoginID  = "loginId"
	OAWorkCode = "workCode"
	OAMobile   = "mobile"
	OAEmail    = "email"
)

// WeLinkFields and OAFields list the choices in display order.
var (
	WeLinkFields = []string{WLMobile, WLEmail, WLEmployeeID, WLCorpUserID, WLUserID, WLUserIDPrefix}
	OAFields     = []string{OAMobile, OAEmail, OAWorkCode, OALoginID, OAID}
)

// Rule matches a WeLink field against an OA field. Rules are tried in order.
type Rule struct {
	WeLinkField string `json:"welinkField"`
	OAField     string `json:"oaField"`
}

func (r Rule) String() string { return r.WeLinkField + "=" + r.OAField }

// CleanRules checks a rule list: known fields, no duplicates, at most 10.
func CleanRules(rules []Rule) ([]Rule, error) {
	if len(rules) > 10 {
		return nil, core.ErrBindingRuleInvalid.New("index", "11", "reason", "max 10")
	}
	seen := map[Rule]bool{}
	out := make([]Rule, 0, len(rules))
	for i, r := range rules {
		idx := strconv.Itoa(i + 1)
		if !contains(WeLinkFields, r.WeLinkField) {
			return nil, core.ErrBindingRuleInvalid.New("index", idx, "reason", "welinkField "+r.WeLinkField)
		}
		if !contains(OAFields, r.OAField) {
			return nil, core.ErrBindingRuleInvalid.New("index", idx, "reason", "oaField "+r.OAField)
		}
		if seen[r] {
			return nil, core.ErrBindingRuleInvalid.New("index", idx, "reason", "duplicate "+r.String())
		}
		seen[r] = true
		out = append(out, r)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NormalizeOA reduces a value to the form the OA field is indexed by:
// mobiles without country code and separators, e-mail and login ids
// lower-cased, everything trimmed.
func NormalizeOA(field, v string) string {
	switch field {
	case OAMobile:
		return directory.NormalizeMobile(v)
	case OAEmail:
		return directory.NormalizeEmail(v)
	case OALoginID:
		return strings.ToLower(strings.TrimSpace(v))
	}
	return strings.TrimSpace(v)
}

func welinkValue(u *directory.User, field string) string {
	switch field {
	case WLMobile:
		return u.Mobile
	case WLEmail:
		return u.Email
	case WLEmployeeID:
		return u.EmployeeID
	case WLCorpUserID:
		return u.CorpUserID
	case WLUserID:
		return u.UserID
	case WLUserIDPrefix:
		p, _, _ := strings.Cut(u.UserID, "@")
		return p
	}
	return ""
}

// OAIndex finds OA users by normalised field values. Leavers and secondary
// accounts are left out: nobody should be bound to them.
type OAIndex struct {
	users  map[string]*slimOA
	by     map[string]map[string][]string // field → value → OA ids
	fields []string
}

// NewOAIndex indexes a list of OA users (e.g. the org the sync engine just
// pulled).
func NewOAIndex(users []oa.User) *OAIndex {
	x := newOAIndex(len(users), OAFields)
	for i := range users {
		x.add(users[i])
	}
	return x
}

// newOAIndex indexes only some fields (an import matches on one).
func newOAIndex(n int, fields []string) *OAIndex {
	x := &OAIndex{users: make(map[string]*slimOA, n), by: map[string]map[string][]string{}, fields: fields}
	for _, f := range fields {
		x.by[f] = make(map[string][]string, n)
	}
	return x
}

func (x *OAIndex) add(u oa.User) {
	if u.Left || u.Secondary || u.ID == "" {
		return
	}
	p := &slimOA{ID: u.ID, LoginID: u.LoginID, WorkCode: u.WorkCode, Name: u.Name, Mobile: u.Mobile, Email: u.Email}
	x.users[u.ID] = p
	for _, f := range x.fields {
		if v := NormalizeOA(f, oaValue(&u, f)); v != "" {
			x.by[f][v] = append(x.by[f][v], u.ID)
		}
	}
}

func oaValue(u *oa.User, field string) string {
	switch field {
	case OAID:
		return u.ID
	case OALoginID:
		return u.LoginID
	case OAWorkCode:
		return u.WorkCode
	case OAMobile:
		return u.Mobile
	case OAEmail:
		return u.Email
	}
	return ""
}

// LoadOAIndex indexes the stored OA snapshot (directory.OAUsers).
func LoadOAIndex(tx *store.Tx) (*OAIndex, error) { return loadOAIndex(tx, OAFields) }

func loadOAIndex(tx *store.Tx, fields []string) (*OAIndex, error) {
	x := newOAIndex(1024, fields)
	err := directory.OAUsers.Each(tx, func(u oa.User) error { x.add(u); return nil })
	return x, err
}

// Find returns the ids of the OA users whose field equals v (normalised).
func (x *OAIndex) Find(field, v string) []string {
	v = NormalizeOA(field, v)
	if v == "" {
		return nil
	}
	return x.by[field][v]
}

// slimOA is what the index keeps of an OA user (it may hold 100k people).
type slimOA struct{ ID, LoginID, WorkCode, Name, Mobile, Email string }

// User returns an indexed OA user: its id, login id, work code, name,
// mobile and e-mail (the fields binding shows and matches on).
func (x *OAIndex) User(id string) (oa.User, bool) {
	u, ok := x.users[id]
	if !ok {
		return oa.User{}, false
	}
	return oa.User{ID: u.ID, LoginID: u.LoginID, WorkCode: u.WorkCode, Name: u.Name, Mobile: u.Mobile, Email: u.Email, Status: 1}, true
}

// Len is the number of OA users indexed.
func (x *OAIndex) Len() int { return len(x.users) }

// Reasons of an auto-binding outcome.
const (
	ReasonBound        = "bound"         // exactly one candidate, free: bound (or would be, in a preview)
	ReasonNone         = "none"          // no rule found a candidate
	ReasonAmbiguous    = "ambiguous"     // a rule found several candidates: nothing bound
	ReasonAlreadyBound = "already_bound" // the WeLink user has a binding; rules never change it
	ReasonOATaken      = "oa_taken"      // the one candidate is bound to another WeLink user
	ReasonConflict     = "conflict"      // several WeLink users of this run match the same OA user
)

// Outcome is what the rules decided for one WeLink user.
type Outcome struct {
	WeLinkUserID string   `json:"welinkUserId"`
	Name         string   `json:"name"`
	Reason       string   `json:"reason"`
	Rule         string   `json:"rule,omitempty"`  // "mobile=mobile"
	Value        string   `json:"value,omitempty"` // the normalised value that matched
	OAUserID     string   `json:"oaUserId,omitempty"`
	OALoginID    string   `json:"oaLoginId,omitempty"`
	OAName       string   `json:"oaName,omitempty"`
	Candidates   []string `json:"candidates,omitempty"` // OA login ids (or ids), at most 5
	BoundTo      string   `json:"boundTo,omitempty"`    // oa_taken: the WeLink user holding the OA user
}

// Result counts the outcomes; Outcomes has one entry per user examined.
type Result struct {
	Disabled     bool      `json:"disabled,omitempty"` // AutoBind: the corp's auto-binding is off, nothing examined
	Bound        int       `json:"bound"`
	None         int       `json:"none"`
	Ambiguous    int       `json:"ambiguous"`
	AlreadyBound int       `json:"alreadyBound"`
	Taken        int       `json:"taken"`
	Conflict     int       `json:"conflict"`
	Outcomes     []Outcome `json:"outcomes"`
}

func (r *Result) count(reason string) {
	switch reason {
	case ReasonBound:
		r.Bound++
	case ReasonNone:
		r.None++
	case ReasonAmbiguous:
		r.Ambiguous++
	case ReasonAlreadyBound:
		r.AlreadyBound++
	case ReasonOATaken:
		r.Taken++
	case ReasonConflict:
		r.Conflict++
	}
}

// AutoBind runs the corp's auto-binding rules for users and writes the
// bindings found (MethodRule, By "rule", Detail the rule) in tx, with audit
// entries. It is what the sync engines call for new or unbound WeLink users
// and SSO calls for a user opening the app unbound.
//
//   - When the corp's auto-binding switch is off it examines nothing and
//     returns Result{Disabled: true}.
//   - idx may be nil: the stored OA snapshot is loaded (pass your own index,
//     NewOAIndex(org.Users) or LoadOAIndex(tx) once, when calling repeatedly).
//   - Users already bound are reported as already_bound and never changed.
//   - Rules are tried in order; the first rule that yields a value with
//     candidates decides: one free candidate → bound; several → ambiguous;
//     one bound to another WeLink user → oa_taken. Users of this call that
//     resolve to the same OA user are all reported as conflict. Names are
//     never matched.
//
// All writes happen in tx: keep the user list to what one transaction holds
// (a few thousand); larger runs go through the admin "run now" which chunks.
func AutoBind(tx *store.Tx, corpID string, users []directory.User, idx *OAIndex, at time.Time) (Result, error) {
	s, err := LoadSettings(tx, corpID)
	if err != nil {
		return Result{}, err
	}
	if !s.AutoBind {
		return Result{Disabled: true}, nil
	}
	if idx == nil {
		if idx, err = LoadOAIndex(tx); err != nil {
			return Result{}, err
		}
	}
	res, err := PlanAutoBind(tx, corpID, users, idx, s.Rules)
	if err != nil {
		return Result{}, err
	}
	for _, o := range res.Outcomes {
		if o.Reason != ReasonBound {
			continue
		}
		if _, err := put(tx, Binding{CorpID: corpID, WeLinkUserID: o.WeLinkUserID, OAUserID: o.OAUserID, OALoginID: o.OALoginID,
			Method: MethodRule, Detail: o.Rule, By: "rule", At: at}, false, ""); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

// PlanAutoBind decides like AutoBind with the given rules but writes
// nothing and ignores the on/off switch (the preview of "run now").
func PlanAutoBind(tx *store.Tx, corpID string, users []directory.User, idx *OAIndex, rules []Rule) (Result, error) {
	var res Result
	res.Outcomes = make([]Outcome, 0, len(users))
	claimed := map[string][]int{} // OA id → outcome indexes that chose it
	for i := range users {
		u := &users[i]
		o := Outcome{WeLinkUserID: u.UserID, Name: u.NameCn}
		if _, bound, err := ForWeLinkUser(tx, corpID, u.UserID); err != nil {
			return Result{}, err
		} else if bound {
			o.Reason = ReasonAlreadyBound
			res.Outcomes = append(res.Outcomes, o)
			continue
		}
		o.Reason = ReasonNone
		for _, r := range rules {
			raw := welinkValue(u, r.WeLinkField)
			ids := idx.Find(r.OAField, raw)
			if len(ids) == 0 {
				continue
			}
			o.Rule, o.Value = r.String(), NormalizeOA(r.OAField, raw)
			if len(ids) > 1 {
				o.Reason = ReasonAmbiguous
				for _, id := range ids[:min(5, len(ids))] {
					c, _ := idx.User(id)
					o.Candidates = append(o.Candidates, nonEmptyOr(c.LoginID, c.ID))
				}
				break
			}
			c, _ := idx.User(ids[0])
			o.OAUserID, o.OALoginID, o.OAName = c.ID, c.LoginID, c.Name
			other, taken, err := ForOAUser(tx, corpID, c.ID)
			if err != nil {
				return Result{}, err
			}
			if taken {
				o.Reason, o.BoundTo = ReasonOATaken, other.WeLinkUserID
			} else {
				o.Reason = ReasonBound
				claimed[c.ID] = append(claimed[c.ID], len(res.Outcomes))
			}
			break
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	for _, list := range claimed {
		if len(list) < 2 {
			continue
		}
		names := make([]string, 0, len(list))
		for _, i := range list {
			names = append(names, res.Outcomes[i].WeLinkUserID)
		}
		for _, i := range list {
			res.Outcomes[i].Reason = ReasonConflict
			res.Outcomes[i].Candidates = names[:min(5, len(names))]
		}
	}
	for _, o := range res.Outcomes {
		res.count(o.Reason)
	}
	return res, nil
}
