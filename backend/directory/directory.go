// Package directory is CloudBridge's local copy of the org charts: the
// WeLink directory of each corp (云桥通讯录, filled by sync from WeLink and
// by single sign-on) and the latest OA snapshot. Sync, binding, relay and
// SSO all read it; only the syncer writes the WeLink side in bulk.
package directory

import (
	"net/url"
	"strings"
	"time"

	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// Dept is a WeLink department of a corp.
type Dept struct {
	CorpID       string    `json:"corpId"`
	Code         string    `json:"code"` // WeLink deptCode; the root is "0"
	CorpDeptCode string    `json:"corpDeptCode,omitempty"`
	ParentCode   string    `json:"parentCode"`
	NameCn       string    `json:"nameCn"`
	NameEn       string    `json:"nameEn,omitempty"`
	Level        int       `json:"level"`
	Order        int       `json:"order"`
	OADeptID     string    `json:"oaDeptId,omitempty"` // matched OA node (oa.Department.ID)
	SyncedAt     time.Time `json:"syncedAt"`
}

// User is a WeLink user of a corp.
type User struct {
	CorpID     string    `json:"corpId"`
	UserID     string    `json:"userId"` // WeLink account, tenant-scoped
	CorpUserID string    `json:"corpUserId,omitempty"`
	NameCn     string    `json:"nameCn"`
	NameEn     string    `json:"nameEn,omitempty"`
	Mobile     string    `json:"mobile,omitempty"` // as WeLink sends it: +86-138…
	Email      string    `json:"email,omitempty"`
	EmployeeID string    `json:"employeeId,omitempty"`
	Position   string    `json:"position,omitempty"`
	Sex        string    `json:"sex,omitempty"`
	Status     string    `json:"status,omitempty"` // WeLink userStatus: 1..4
	MainDept   string    `json:"mainDept,omitempty"`
	Depts      []string  `json:"depts,omitempty"`
	SyncedAt   time.Time `json:"syncedAt"`
}

// Key joins a corp id and a WeLink code into a store id. WeLink ids are
// free text (e.g. "zhangsan@welink"), so they are escaped.
func Key(corpID, code string) string { return corpID + "~" + url.PathEscape(code) }

func corpValue(corpID, v string) []string {
	if v == "" {
		return nil
	}
	return []string{corpID + "~" + v}
}

// Depts of every corp, indexed by corp and by parent.
var Depts = store.NewCollection("wl.dept", func(d *Dept) string { return Key(d.CorpID, d.Code) },
	store.Index[Dept]{Name: "corp", Values: func(d *Dept) []string { return []string{d.CorpID} }},
	store.Index[Dept]{Name: "parent", Values: func(d *Dept) []string { return corpValue(d.CorpID, d.ParentCode) }},
)

// Users of every corp, indexed by the fields binding rules match on.
var Users = store.NewCollection("wl.user", func(u *User) string { return Key(u.CorpID, u.UserID) },
	store.Index[User]{Name: "corp", Values: func(u *User) []string { return []string{u.CorpID} }},
	store.Index[User]{Name: "mobile", Values: func(u *User) []string { return corpValue(u.CorpID, NormalizeMobile(u.Mobile)) }},
	store.Index[User]{Name: "email", Values: func(u *User) []string { return corpValue(u.CorpID, NormalizeEmail(u.Email)) }},
	store.Index[User]{Name: "corpUserId", Values: func(u *User) []string { return corpValue(u.CorpID, u.CorpUserID) }},
	store.Index[User]{Name: "employeeId", Values: func(u *User) []string { return corpValue(u.CorpID, strings.TrimSpace(u.EmployeeID)) }},
	store.Index[User]{Name: "dept", Values: func(u *User) []string {
		var out []string
		for _, d := range u.Depts {
			out = append(out, u.CorpID+"~"+d)
		}
		return out
	}},
)

// OAUsers is the latest OA snapshot (one OA per installation), indexed by
// the fields binding rules and OA intake receivers match on.
var OAUsers = store.NewCollection("oa.user", func(u *oa.User) string { return url.PathEscape(u.ID) },
	store.Index[oa.User]{Name: "loginId", Values: func(u *oa.User) []string { return nonEmpty(strings.ToLower(strings.TrimSpace(u.LoginID))) }},
	store.Index[oa.User]{Name: "workCode", Values: func(u *oa.User) []string { return nonEmpty(strings.TrimSpace(u.WorkCode)) }},
	store.Index[oa.User]{Name: "mobile", Values: func(u *oa.User) []string { return nonEmpty(NormalizeMobile(u.Mobile)) }},
	store.Index[oa.User]{Name: "email", Values: func(u *oa.User) []string { return nonEmpty(NormalizeEmail(u.Email)) }},
	store.Index[oa.User]{Name: "dept", Values: func(u *oa.User) []string { return nonEmpty(u.DepartmentID) }},
)

// OADepts is the latest OA department tree.
var OADepts = store.NewCollection("oa.dept", func(d *oa.Department) string { return url.PathEscape(d.ID) },
	store.Index[oa.Department]{Name: "parent", Values: func(d *oa.Department) []string { return []string{"p:" + d.ParentID} }},
)

func nonEmpty(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// NormalizeMobile reduces the many ways a mobile is written to one key:
// "+86-138 0013 8000", "0086 13800138000", "86-13800138000" and
// "13800138000" are all "13800138000"; other country codes keep their
// prefix ("+852-9123 4567" → "+85291234567").
func NormalizeMobile(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	plus := strings.HasPrefix(s, "+")
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "00") {
		d, plus = d[2:], true
	}
	switch {
	case len(d) == 13 && strings.HasPrefix(d, "86") && d[2] == '1':
		return d[2:]
	case plus && strings.HasPrefix(d, "86"):
		return d[2:]
	case plus:
		return "+" + d
	}
	return d
}

// NormalizeEmail trims and lower-cases an address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
