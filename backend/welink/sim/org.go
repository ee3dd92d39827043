package sim

import (
	"sort"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/welink/sim/orggen"
)

const timeFmt = "2006-01-02 15:04:05"

type dept struct {
	orggen.Dept
	visibleRange int // 1 all, 2 self only, 3 own dept + subs
	parent       *dept
	children     []*dept // by order, then code
	users        []*user // direct members, in joining order
	created      string
	updated      string
}

type user struct {
	orggen.User
	phones        []string
	secretary     string
	corpSecretary string
	remark        string
	address       string
	location      string
	emailLogin    string
	personType    string
	timeZone      string
	sipNum        string
	hidePhone     int
	seniorMode    int
	roleIDs       []string
	extAttr       map[string]any
	isAdmin       int
	updated       string
	mobileChanges []time.Time
	seq           int // position in the tenant's user order
}

// org is the tenant's directory. The Server's mutex guards it.
type org struct {
	clock      core.Clock
	depts      map[string]*dept
	deptByCorp map[string]*dept
	top        []*dept
	users      map[string]*user
	byCorp     map[string]*user
	byMobile   map[string]*user
	deptSeq    int
	userSeq    int
	domain     string // userId suffix for users created through the API
	version    int    // bumped on every change; caches key on it
}

func newOrg(clock core.Clock) *org {
	return &org{clock: clock, depts: map[string]*dept{}, deptByCorp: map[string]*dept{},
		users: map[string]*user{}, byCorp: map[string]*user{}, byMobile: map[string]*user{}, deptSeq: 2000000, domain: "welink"}
}

func (o *org) load(g *orggen.Org) {
	o.users = make(map[string]*user, len(g.Users))
	o.byCorp = make(map[string]*user, len(g.Users))
	o.byMobile = make(map[string]*user, len(g.Users))
	created := "2018-01-08 09:30:00"
	for _, d := range g.Depts {
		nd := &dept{Dept: d, visibleRange: 1, created: created, updated: created}
		o.insertDept(nd)
	}
	if len(g.Users) > 0 {
		if i := strings.LastIndexByte(g.Users[0].UserID, '@'); i >= 0 {
			o.domain = g.Users[0].UserID[i+1:]
		}
	}
	for _, u := range g.Users {
		nu := &user{User: u, hidePhone: 1, updated: u.Created}
		nu.Depts = append([]string(nil), u.Depts...)
		o.insertUser(nu)
	}
	for _, u := range o.users {
		if u.seq == 1 {
			u.isAdmin = 1 // the first user administers the tenant
		}
	}
}

func (o *org) insertDept(d *dept) {
	o.depts[d.Code] = d
	if d.CorpCode != "" {
		o.deptByCorp[d.CorpCode] = d
	}
	o.link(d)
	o.version++
}

// link attaches d under its parent ("0" = top).
func (o *org) link(d *dept) {
	d.parent = o.depts[d.Parent]
	list := &o.top
	if d.parent != nil {
		list = &d.parent.children
	}
	i := sort.Search(len(*list), func(i int) bool { return less(d, (*list)[i]) })
	*list = append(*list, nil)
	copy((*list)[i+1:], (*list)[i:])
	(*list)[i] = d
}

func (o *org) unlink(d *dept) {
	list := &o.top
	if d.parent != nil {
		list = &d.parent.children
	}
	*list = remove(*list, d)
	d.parent = nil
}

func less(a, b *dept) bool {
	if a.Order != b.Order {
		return a.Order < b.Order
	}
	return a.Code < b.Code
}

func remove[T comparable](list []T, x T) []T {
	for i, y := range list {
		if y == x {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

func (o *org) insertUser(u *user) {
	o.userSeq++
	u.seq = o.userSeq
	o.users[u.UserID] = u
	if u.CorpUserID != "" {
		o.byCorp[u.CorpUserID] = u
	}
	if u.Mobile != "" {
		o.byMobile[u.Mobile] = u
	}
	for _, c := range u.Depts {
		if d := o.depts[c]; d != nil {
			d.users = append(d.users, u)
		}
	}
	o.version++
}

func (o *org) deleteUser(u *user) {
	o.setDepts(u, nil)
	delete(o.users, u.UserID)
	if o.byCorp[u.CorpUserID] == u {
		delete(o.byCorp, u.CorpUserID)
	}
	if o.byMobile[u.Mobile] == u {
		delete(o.byMobile, u.Mobile)
	}
	o.version++
}

// setDepts replaces a user's departments, keeping the member lists in step.
func (o *org) setDepts(u *user, codes []string) {
	for _, c := range u.Depts {
		if d := o.depts[c]; d != nil {
			d.users = remove(d.users, u)
		}
	}
	u.Depts = codes
	if len(codes) > 0 {
		u.MainDept = codes[0]
	} else {
		u.MainDept = ""
	}
	for _, c := range codes {
		if d := o.depts[c]; d != nil {
			d.users = append(d.users, u)
		}
	}
	o.version++
}

func (o *org) setCorpUserID(u *user, corp string) {
	reindex(o.byCorp, u.CorpUserID, corp, u)
	u.CorpUserID = corp
	o.version++
}

func (o *org) setMobile(u *user, m string) {
	reindex(o.byMobile, u.Mobile, m, u)
	u.Mobile = m
	o.version++
}

func (o *org) setCorpDeptCode(d *dept, corp string) {
	reindex(o.deptByCorp, d.CorpCode, corp, d)
	d.CorpCode = corp
	o.version++
}

// reindex moves v in a unique index from key old to key new ("" = none),
// leaving old alone when another record holds it.
func reindex[V any](index map[string]*V, old, new string, v *V) {
	if index[old] == v {
		delete(index, old)
	}
	if new != "" {
		index[new] = v
	}
}

func (o *org) deleteDept(d *dept) {
	o.unlink(d)
	delete(o.depts, d.Code)
	if o.deptByCorp[d.CorpCode] == d {
		delete(o.deptByCorp, d.CorpCode)
	}
	o.version++
}

func (o *org) newDeptCode() string {
	for {
		o.deptSeq++
		c := itoa(o.deptSeq)
		if o.depts[c] == nil {
			return c
		}
	}
}

// findUser applies WeLink's precedence: userId > corpUserId > mobileNumber.
func (o *org) findUser(userID, corp, mobile string) *user {
	switch {
	case userID != "":
		return o.users[userID]
	case corp != "":
		return o.byCorp[corp]
	case mobile != "":
		return o.byMobile[mobile]
	}
	return nil
}

func (o *org) findDept(code, corp string) *dept {
	if code != "" {
		return o.depts[code]
	}
	if corp != "" {
		return o.deptByCorp[corp]
	}
	return nil
}

// resolveParent: "0" is the root; a department by code or by customer code.
func (o *org) resolveParent(code, corp string) (string, bool) {
	if code == "0" || (code == "" && corp == "0") {
		return "0", true
	}
	d := o.findDept(code, corp)
	if d == nil {
		return "", false
	}
	return d.Code, true
}

// level: top departments are level 2, root "0" being level 1, as in the
// old list's example (deptLevel "2" for root children; inferred for the new
// objects).
func (d *dept) level() int {
	n := 1
	for x := d; x != nil; x = x.parent {
		n++
	}
	return n
}

// path joins codes and names from the top department down with ">>".
func (d *dept) path() (codes, cn, en string) {
	var chain []*dept
	for x := d; x != nil; x = x.parent {
		chain = append(chain, x)
	}
	var c, n, e []string
	for i := len(chain) - 1; i >= 0; i-- {
		c = append(c, chain[i].Code)
		n = append(n, chain[i].NameCn)
		e = append(e, chain[i].NameEn)
	}
	return strings.Join(c, ">>"), strings.Join(n, ">>"), strings.Join(e, ">>")
}

func (d *dept) isAncestorOf(x *dept) bool {
	for p := x; p != nil; p = p.parent {
		if p == d {
			return true
		}
	}
	return false
}

// descendants in pre-order (parents before children).
func (d *dept) descendants() []*dept {
	var out []*dept
	var walk func(*dept)
	walk = func(x *dept) {
		for _, c := range x.children {
			out = append(out, c)
			walk(c)
		}
	}
	walk(d)
	return out
}

// Visibility. An app's range names departments (with their subtrees) and
// single users; contact reads, messages and to-dos are limited to it.

func (sc scope) dept(d *dept) bool {
	if sc.all {
		return true
	}
	for x := d; x != nil; x = x.parent {
		if sc.depts[x.Code] {
			return true
		}
	}
	return false
}

func (sc scope) user(o *org, u *user) bool {
	if sc.all || sc.users[u.UserID] {
		return true
	}
	for _, c := range u.Depts {
		if d := o.depts[c]; d != nil && sc.dept(d) {
			return true
		}
	}
	return false
}

// topVisible are the departments listed under root "0" for a range: the
// highest visible ones (for all staff, the real top level). For a partial
// range WeLink's answer is undocumented; listing the range's own top
// departments as root children is inferred.
func (o *org) topVisible(sc scope) []*dept {
	if sc.all {
		return o.top
	}
	var out []*dept
	for _, d := range o.depts {
		if sc.dept(d) && (d.parent == nil || !sc.dept(d.parent)) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for n >= 10 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	b[i] = byte('0' + n)
	return string(b[i:])
}
