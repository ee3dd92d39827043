package oa

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloudbridge/backend/core"
)

// Org is an OA org chart as one tree: WeLink has a single department tree,
// so e-cology subcompanies (分部) become department nodes and their
// departments hang under them.
type Org struct {
	Departments []Department `json:"departments"`
	Users       []User       `json:"users"`
	// Full is true for a full pull: whatever is missing was deleted in the
	// OA. An incremental pull (Full false) cannot see deletions.
	Full bool `json:"full"`
	// Since is the effective lower bound of an incremental pull (after the
	// overlap window was subtracted).
	Since    time.Time `json:"since,omitzero"`
	PulledAt time.Time `json:"pulledAt"`
	// Skipped lists records that are not in Users/Departments, with why.
	Skipped []Skipped `json:"skipped,omitempty"`
	// Warnings are oddities the pull repaired (e.g. a department whose
	// parent does not exist was hung under its subcompany).
	Warnings []Warning `json:"warnings,omitempty"`
}

// Department types.
const (
	TypeSubcompany = "subcompany"
	TypeDepartment = "department"
)

// Department is one node of the tree.
type Department struct {
	// ID is unique across the tree: NodeID(Type, SourceID). e-cology keeps
	// subcompanies and departments in separate tables whose ids overlap.
	ID       string `json:"id"`
	SourceID string `json:"sourceId"` // the OA's own id
	Type     string `json:"type"`     // TypeSubcompany or TypeDepartment
	// ParentID is the parent's ID; "" for a root.
	ParentID  string  `json:"parentId"`
	Name      string  `json:"name"`
	ShortName string  `json:"shortName,omitempty"`
	Code      string  `json:"code,omitempty"`
	Order     float64 `json:"order"`
	// Sealed (封存/canceled) departments are kept so the sync engine can
	// disable, rather than delete, their WeLink counterpart.
	Sealed   bool      `json:"sealed"`
	Modified time.Time `json:"modified,omitzero"`
}

// User is one OA person.
type User struct {
	ID string `json:"id"` // OA user id (hrmresource.id), the stable key
	// LoginID may be empty: OA people without an account are still people.
	LoginID   string `json:"loginId"`
	WorkCode  string `json:"workCode,omitempty"`
	Name      string `json:"name"`
	Mobile    string `json:"mobile,omitempty"`
	Telephone string `json:"telephone,omitempty"`
	Email     string `json:"email,omitempty"`
	Sex       string `json:"sex,omitempty"` // "0" male, "1" female (e-cology)
	// DepartmentID is the tree ID of the main department ("" if unknown).
	DepartmentID string `json:"departmentId"`
	SubcompanyID string `json:"subcompanyId,omitempty"` // tree ID
	// PartTimeDepartmentIDs are further departments the person works in
	// (兼职). e-cology models a part-time post as a secondary account
	// belonging to the main one; E10 lists several departments.
	PartTimeDepartmentIDs []string `json:"partTimeDepartmentIds,omitempty"`
	JobTitleID            string   `json:"jobTitleId,omitempty"`
	JobTitle              string   `json:"jobTitle,omitempty"`
	ManagerID             string   `json:"managerId,omitempty"`
	// Status uses the e-cology codes: 0 probation, 1 regular, 2 temporary,
	// 3 extended probation, 4 dismissed, 5 resigned, 6 retired, 7 invalid.
	Status int `json:"status"`
	// Left is Status >= 4: the OA's own push class treats it the same way.
	Left bool `json:"left"`
	// Secondary marks a secondary account (次账号, accounttype 1); only
	// present with PullOptions.IncludeSecondary.
	Secondary bool      `json:"secondary,omitempty"`
	BelongTo  string    `json:"belongTo,omitempty"`
	Order     float64   `json:"order"`
	Modified  time.Time `json:"modified,omitzero"`
}

// Skipped is a record left out of the Org.
type Skipped struct {
	Kind   string `json:"kind"` // "user", "department"
	ID     string `json:"id"`
	Reason string `json:"reason"` // SkipSecondary, SkipNoID, …
}

// Skip reasons.
const (
	SkipSecondary = "secondary_account"
	SkipNoID      = "no_id"
	SkipNoOwner   = "secondary_without_main" // secondary account whose main account is unknown
)

// Warning is something a pull repaired or could not resolve.
type Warning struct {
	Kind   string `json:"kind"` // "user", "department"
	ID     string `json:"id"`
	Reason string `json:"reason"` // WarnParentMissing, WarnDepartmentMissing
	Ref    string `json:"ref,omitempty"`
}

// Warning reasons.
const (
	WarnParentMissing     = "parent_missing"     // hung under its subcompany or the root
	WarnDepartmentMissing = "department_missing" // user kept, DepartmentID cleared
	WarnDuplicate         = "duplicate"          // the OA returned the id twice; the last row won
)

// NodeID is the tree id of an OA subcompany or department.
func NodeID(typ, sourceID string) string {
	if typ == TypeSubcompany {
		return "sub:" + sourceID
	}
	return "dep:" + sourceID
}

// IsLeaver reports whether an e-cology status code means the person left.
func IsLeaver(status int) bool { return status >= 4 }

// rawUser is a user before secondary accounts are folded in.
type rawUser struct {
	User
	accountType string
}

// assemble turns raw lists into an Org: de-duplicates ids, folds secondary
// accounts into their main accounts, repairs dangling references (full
// pulls only: an incremental pull lacks unchanged parents) and rejects
// cycles. Output is sorted for stable diffs.
func assemble(depts []Department, users []rawUser, full bool, opts PullOptions) (*Org, error) {
	org := &Org{Full: full}

	byID := make(map[string]int, len(depts))
	var uniq []Department
	for _, d := range depts {
		if i, ok := byID[d.ID]; ok {
			uniq[i] = d
			org.Warnings = append(org.Warnings, Warning{Kind: "department", ID: d.ID, Reason: WarnDuplicate})
			continue
		}
		byID[d.ID] = len(uniq)
		uniq = append(uniq, d)
	}
	if full {
		for i := range uniq {
			d := &uniq[i]
			if d.ParentID == "" {
				continue
			}
			if _, ok := byID[d.ParentID]; !ok {
				org.Warnings = append(org.Warnings, Warning{Kind: "department", ID: d.ID, Reason: WarnParentMissing, Ref: d.ParentID})
				d.ParentID = ""
			}
		}
		if ids := findCycle(uniq, byID); len(ids) > 0 {
			return nil, core.ErrOAOrgInvalid.New("reason", "cycle: "+strings.Join(ids, " → "))
		}
	}
	slices.SortFunc(uniq, func(a, b Department) int { return compareIDs(a.ID, b.ID) })
	org.Departments = uniq

	userIdx := make(map[string]int, len(users))
	var main []User
	var secondary []rawUser
	for _, u := range users {
		if u.ID == "" {
			org.Skipped = append(org.Skipped, Skipped{Kind: "user", ID: u.LoginID, Reason: SkipNoID})
			continue
		}
		if u.accountType == "1" && !opts.IncludeSecondary {
			secondary = append(secondary, u)
			continue
		}
		u.Secondary = u.accountType == "1"
		if i, ok := userIdx[u.ID]; ok {
			main[i] = u.User
			org.Warnings = append(org.Warnings, Warning{Kind: "user", ID: u.ID, Reason: WarnDuplicate})
			continue
		}
		userIdx[u.ID] = len(main)
		main = append(main, u.User)
	}
	// guess: a secondary account (accounttype 1, belongto = main id) is how
	// e-cology customers give someone a post in a second department, so its
	// department becomes a part-time department of the main account.
	for _, s := range secondary {
		i, ok := userIdx[s.BelongTo]
		switch {
		case ok && !s.Left && s.DepartmentID != "" && s.DepartmentID != main[i].DepartmentID &&
			!slices.Contains(main[i].PartTimeDepartmentIDs, s.DepartmentID):
			main[i].PartTimeDepartmentIDs = append(main[i].PartTimeDepartmentIDs, s.DepartmentID)
			fallthrough
		case ok:
			org.Skipped = append(org.Skipped, Skipped{Kind: "user", ID: s.ID, Reason: SkipSecondary})
		default:
			org.Skipped = append(org.Skipped, Skipped{Kind: "user", ID: s.ID, Reason: SkipNoOwner})
		}
	}
	if full {
		for i := range main {
			u := &main[i]
			if u.DepartmentID != "" {
				if _, ok := byID[u.DepartmentID]; !ok {
					org.Warnings = append(org.Warnings, Warning{Kind: "user", ID: u.ID, Reason: WarnDepartmentMissing, Ref: u.DepartmentID})
					u.DepartmentID = ""
				}
			}
			kept := u.PartTimeDepartmentIDs[:0]
			for _, p := range u.PartTimeDepartmentIDs {
				if _, ok := byID[p]; ok {
					kept = append(kept, p)
				}
			}
			u.PartTimeDepartmentIDs = kept
			if len(kept) == 0 {
				u.PartTimeDepartmentIDs = nil
			}
		}
	}
	slices.SortFunc(main, func(a, b User) int { return compareIDs(a.ID, b.ID) })
	org.Users = main
	return org, nil
}

// findCycle returns the ids of one parent cycle, or nil.
func findCycle(depts []Department, byID map[string]int) []string {
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(depts))
	for start := range depts {
		if color[start] != white {
			continue
		}
		var path []int
		i := start
		for {
			if color[i] == grey { // back on the current path: a cycle
				k := slices.Index(path, i)
				ids := make([]string, 0, len(path)-k+1)
				for _, j := range path[k:] {
					ids = append(ids, depts[j].ID)
				}
				return append(ids, depts[i].ID)
			}
			if color[i] == black {
				break
			}
			color[i] = grey
			path = append(path, i)
			p, ok := byID[depts[i].ParentID]
			if depts[i].ParentID == "" || !ok {
				break
			}
			i = p
		}
		for _, j := range path {
			color[j] = black
		}
	}
	return nil
}

// compareIDs orders "dep:10" after "dep:9": numeric tails compare as numbers.
func compareIDs(a, b string) int {
	pa, na := splitNumericTail(a)
	pb, nb := splitNumericTail(b)
	if c := cmp.Compare(pa, pb); c != 0 {
		return c
	}
	if na >= 0 && nb >= 0 {
		if c := cmp.Compare(na, nb); c != 0 {
			return c
		}
	}
	return cmp.Compare(a, b)
}

func splitNumericTail(s string) (string, int64) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) || len(s)-i > 18 {
		return s, -1
	}
	n, _ := strconv.ParseInt(s[i:], 10, 64)
	return s[:i], n
}

// parseOrder reads e-cology's "30.0"-style order strings.
func parseOrder(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0
	}
	return f
}

// oaTimeLayout is e-cology's date-time format.
const oaTimeLayout = "2006-01-02 15:04:05"

// parseOATime reads "yyyy-MM-dd HH:mm:ss" (or a prefix of it) in loc.
func parseOATime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{oaTimeLayout, "2006-01-02 15:04", "2006-01-02", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
