package syncer

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
)

// planInput is everything a plan is computed from: snapshots only, no I/O,
// so the planner is tested and benchmarked on its own.
type planInput struct {
	Settings OASettings
	Org      *oa.Org
	Complete bool // the OA read is known to be whole
	Depts    []directory.Dept
	Users    []directory.User
	Bindings []binding.Binding
	// BindEnabled is the shared auto-binding switch (用户绑定): off, a
	// mapping rule only proposes a link for review.
	BindEnabled bool
}

type planOutput struct {
	Actions  []Action
	Counts   Counts
	Warnings []Reason
	Top      string
	OAUsers  int // active OA users in the read
}

// wlTree indexes the local WeLink directory.
type wlTree struct {
	byCode   map[string]*directory.Dept
	children map[string][]*directory.Dept
	byMarker map[string]*directory.Dept
	byLink   map[string]*directory.Dept // OADeptID → dept
}

func newWLTree(depts []directory.Dept) *wlTree {
	t := &wlTree{byCode: make(map[string]*directory.Dept, len(depts)), children: map[string][]*directory.Dept{},
		byMarker: map[string]*directory.Dept{}, byLink: map[string]*directory.Dept{}}
	for i := range depts {
		d := &depts[i]
		if d.Code == "0" {
			continue
		}
		t.byCode[d.Code] = d
		t.children[d.ParentCode] = append(t.children[d.ParentCode], d)
		if strings.HasPrefix(d.CorpDeptCode, "cb-") {
			t.byMarker[d.CorpDeptCode] = d
		}
		if d.OADeptID != "" {
			t.byLink[d.OADeptID] = d
		}
	}
	return t
}

// under reports whether code is mount or below it.
func (t *wlTree) under(code, mount string) bool {
	if mount == "0" {
		return true
	}
	for i := 0; code != "" && code != "0" && i < 64; i++ {
		if code == mount {
			return true
		}
		d := t.byCode[code]
		if d == nil {
			return false
		}
		code = d.ParentCode
	}
	return false
}

func (t *wlTree) level(code string) int {
	n := 0
	for i := 0; code != "" && code != "0" && i < 64; i++ {
		d := t.byCode[code]
		if d == nil {
			break
		}
		n++
		code = d.ParentCode
	}
	return n
}

// deptPlan is the decision for one OA department.
type deptPlan struct {
	oa     *oa.Department
	wl     *directory.Dept // matched WeLink dept (nil = to create)
	parent *deptPlan       // nil = the mount point
	level  int
	path   string
	act    *Action
}

// buildPlan computes the OA → WeLink plan. The only error is a top-level
// mismatch or a missing mount point; every record-level problem becomes a
// review or skip action with its reason.
func buildPlan(in planInput) (*planOutput, error) {
	out := &planOutput{}
	s := in.Settings
	t := newWLTree(in.Depts)
	mount := s.TopDeptCode
	if mount == "" {
		mount = "0"
	}
	if mount != "0" && t.byCode[mount] == nil {
		return nil, core.ErrSyncMountMissing.New("code", mount)
	}
	mountLevel := t.level(mount)
	if mount != "0" {
		out.Top = t.byCode[mount].NameCn
	}

	// --- OA side: the tree and the scope.
	org := in.Org
	oaDept := make(map[string]*oa.Department, len(org.Departments))
	oaKids := map[string][]*oa.Department{}
	for i := range org.Departments {
		d := &org.Departments[i]
		oaDept[d.ID] = d
	}
	for i := range org.Departments {
		d := &org.Departments[i]
		p := d.ParentID
		if oaDept[p] == nil {
			p = ""
		}
		oaKids[p] = append(oaKids[p], d)
	}
	for _, k := range oaKids {
		sort.SliceStable(k, func(i, j int) bool { return k[i].Order < k[j].Order })
	}
	inScopeDept := map[string]bool{}
	var mark func(id string)
	mark = func(id string) {
		d := oaDept[id]
		if d == nil || d.Sealed || inScopeDept[id] {
			return
		}
		inScopeDept[id] = true
		for _, c := range oaKids[id] {
			mark(c.ID)
		}
	}
	if len(s.Scope.Depts) == 0 {
		for _, r := range oaKids[""] {
			mark(r.ID)
		}
	} else {
		for _, id := range s.Scope.Depts {
			mark(id)
		}
	}
	include := setOf(s.Scope.UsersInclude)
	exclude := setOf(s.Scope.UsersExclude)
	userInScope := func(u *oa.User) bool {
		if u.Left || exclude[u.ID] {
			return false
		}
		if len(include) > 0 {
			return include[u.ID]
		}
		return inScopeDept[u.DepartmentID]
	}
	// Explicitly included users bring their department (and its parents).
	for i := range org.Users {
		u := &org.Users[i]
		if include[u.ID] && userInScope(u) {
			for id, n := u.DepartmentID, 0; id != "" && n < 64; n++ {
				d := oaDept[id]
				if d == nil || d.Sealed {
					break
				}
				inScopeDept[id] = true
				id = d.ParentID
			}
		}
	}
	for i := range org.Users {
		if !org.Users[i].Left {
			out.OAUsers++
		}
	}

	// --- Departments: level + name under the matched parent (seed 4.3.2.2).
	plans := map[string]*deptPlan{}
	claimed := map[string]bool{} // WeLink dept codes already matched
	var order []*deptPlan
	planned := map[string]bool{} // parent OA id + "\x00" + WeLink name
	taken := func(parentCode, parentOA, name string) bool {
		if planned[parentOA+"\x00"+name] {
			return true
		}
		if parentCode != "" {
			for _, c := range t.children[parentCode] {
				if strings.TrimSpace(c.NameCn) == name {
					return true
				}
			}
		}
		return false
	}
	var visit func(d *oa.Department, parent *deptPlan, level int, path string) error
	visit = func(d *oa.Department, parent *deptPlan, level int, path string) error {
		p := &deptPlan{oa: d, parent: parent, level: level}
		name := strings.TrimSpace(d.Name)
		if path == "" {
			p.path = name
		} else {
			p.path = path + " / " + name
		}
		parentCode := mount
		if parent != nil {
			parentCode = ""
			if parent.wl != nil {
				parentCode = parent.wl.Code
			}
		}
		var rsn Reason
		// 1. objects this bridge created or linked before, wherever they are now.
		if w := t.byMarker[deptMarker(d.ID)]; w != nil && !claimed[w.Code] && t.under(w.Code, mount) {
			p.wl, rsn = w, reason("dept_marker")
		} else if w := t.byLink[d.ID]; w != nil && !claimed[w.Code] && t.under(w.Code, mount) {
			p.wl, rsn = w, reason("dept_linked")
		} else if parentCode != "" {
			// 2. same level, same name under the matched parent.
			for _, c := range t.children[parentCode] {
				if !claimed[c.Code] && strings.TrimSpace(c.NameCn) == name {
					p.wl, rsn = c, reason("dept_name", "level", strconv.Itoa(level))
					break
				}
			}
		}
		if parent == nil && mount == "0" && p.wl == nil && len(t.children["0"]) > 0 {
			// Seed 4.3.2.2: without a top department the OA top departments
			// must match WeLink's by name, or the sync stops at once.
			var names []string
			for _, c := range t.children["0"] {
				names = append(names, c.NameCn)
			}
			return core.ErrSyncTopMismatch.New("oa", name, "welink", strings.Join(names, "、"))
		}
		a := &Action{Object: "dept", OAID: d.ID, OAName: name, Level: level, Path: p.path}
		if parent != nil {
			a.Parent = parent.oa.ID
		}
		if p.wl != nil {
			claimed[p.wl.Code] = true
			a.WLID, a.WLName, a.Kind, a.Reason = p.wl.Code, p.wl.NameCn, ActMatch, rsn
			if cur := strings.TrimSpace(p.wl.NameCn); cur != name && !(strings.HasPrefix(cur, name+"（") && strings.HasSuffix(cur, "）")) {
				a.Kind = ActUpdate
				a.Changes = append(a.Changes, "name: "+p.wl.NameCn+" → "+name)
			}
			if parentCode != "" && p.wl.ParentCode != parentCode || parentCode == "" {
				// The matched parent is new, or the dept sits elsewhere: move it.
				a.Kind = ActMove
				a.Changes = append(a.Changes, "parent: "+p.wl.ParentCode)
			}
			a.Input = &Input{NameCn: name, ParentOA: a.Parent}
		} else {
			a.Kind, a.Reason = ActCreate, reason("dept_new")
			// WeLink refuses two siblings with one name, which the OA allows:
			// the later one gets its OA code appended instead of failing
			// with everybody in it.
			wlName := name
			if taken(parentCode, a.Parent, name) {
				code := d.Code
				if code == "" {
					code = d.SourceID
				}
				wlName = name + "（" + code + "）"
				a.Reason = reason("dept_new_renamed", "name", wlName)
			}
			a.WLName = wlName
			a.Input = &Input{NameCn: wlName, ParentOA: a.Parent, Order: deptOrder(d.Order)}
		}
		planned[a.Parent+"\x00"+a.Input.NameCn] = true
		p.act = a
		plans[d.ID] = p
		order = append(order, p)
		for _, c := range oaKids[d.ID] {
			if inScopeDept[c.ID] {
				if err := visit(c, p, level+1, p.path); err != nil {
					return err
				}
			}
		}
		return nil
	}
	// Roots of the synced forest: in-scope departments whose parent is not.
	var roots []*oa.Department
	var findRoots func(id string)
	findRoots = func(id string) {
		for _, c := range oaKids[id] {
			if inScopeDept[c.ID] {
				roots = append(roots, c)
			} else {
				findRoots(c.ID)
			}
		}
	}
	findRoots("")
	for _, r := range roots {
		if err := visit(r, nil, mountLevel+1, ""); err != nil {
			return nil, err
		}
	}
	out.Actions = make([]Action, 0, len(order)+len(org.Users)+16)
	for _, p := range order {
		out.Actions = append(out.Actions, *p.act)
	}

	// Linked WeLink departments whose OA department left the scope.
	var deptDeletes []Action
	markerOA := make(map[string]string, len(oaDept))
	for id := range oaDept {
		markerOA[deptMarker(id)] = id
	}
	for _, w := range t.byCode {
		oaID := w.OADeptID
		if oaID == "" && strings.HasPrefix(w.CorpDeptCode, "cb-") {
			if oaID = markerOA[w.CorpDeptCode]; oaID == "" {
				oaID = w.CorpDeptCode // created by this bridge, gone from the OA
			}
		}
		if oaID == "" || claimed[w.Code] || !t.under(w.Code, mount) || w.Code == mount {
			continue
		}
		a := Action{Object: "dept", Kind: ActDelete, OAID: oaID, WLID: w.Code, WLName: w.NameCn, Level: t.level(w.Code)}
		switch d := oaDept[oaID]; {
		case d == nil:
			a.Reason = reason("dept_gone")
		case d.Sealed:
			a.Reason, a.OAName = reason("dept_sealed"), d.Name
		default:
			a.Reason, a.OAName = reason("dept_out_of_scope"), d.Name
		}
		if !in.Complete {
			a.Kind, a.Reason = ActSkip, reason("incomplete_no_delete")
		}
		deptDeletes = append(deptDeletes, a)
	}
	// Deepest first: WeLink deletes only empty departments.
	sort.Slice(deptDeletes, func(i, j int) bool {
		if deptDeletes[i].Level != deptDeletes[j].Level {
			return deptDeletes[i].Level > deptDeletes[j].Level
		}
		return deptDeletes[i].WLID < deptDeletes[j].WLID
	})

	// --- Users.
	wlUser := make(map[string]*directory.User, len(in.Users))
	byMarker := map[string]*directory.User{}
	index := userIndex{users: in.Users, by: map[string]map[string]int32{}}
	for f := range matchableWL {
		index.by[f] = make(map[string]int32, len(in.Users))
	}
	for i := range in.Users {
		u := &in.Users[i]
		wlUser[u.UserID] = u
		if strings.HasPrefix(u.CorpUserID, "cb-") {
			byMarker[u.CorpUserID] = u
		}
		for f, m := range index.by {
			if v := wlValue(u, f); v != "" {
				index.add(m, v, i)
			}
		}
	}
	boundWL := make(map[string]string, len(in.Bindings)) // WeLink user → OA user
	boundOA := make(map[string]string, len(in.Bindings)) // OA user → WeLink user
	for _, b := range in.Bindings {
		boundWL[b.WeLinkUserID] = b.OAUserID
		boundOA[b.OAUserID] = b.WeLinkUserID
	}
	oaUser := make(map[string]*oa.User, len(org.Users))
	for i := range org.Users {
		oaUser[org.Users[i].ID] = &org.Users[i]
	}

	// Actions go straight into the output; claims remember which action
	// linked which WeLink user by a rule (conflict check below).
	type claimRef struct {
		at   int
		user string
	}
	var claimList []claimRef
	emit := func(a Action, claim string) {
		if claim != "" {
			claimList = append(claimList, claimRef{len(out.Actions), claim})
		}
		out.Actions = append(out.Actions, a)
	}
	for i := range org.Users {
		u := &org.Users[i]
		a := Action{Object: "user", OAID: u.ID, OAName: u.Name}
		wlID, bound := boundOA[u.ID]
		inScope := userInScope(u)
		if !inScope {
			if !bound {
				continue // never linked: nothing of ours in WeLink
			}
			w := wlUser[wlID]
			if w == nil || w.Status == "4" {
				continue // already gone from WeLink
			}
			a.Kind, a.WLID, a.WLName = ActDelete, w.UserID, w.NameCn
			switch {
			case u.Left:
				a.Reason = reason("user_left", "status", strconv.Itoa(u.Status))
			case exclude[u.ID]:
				a.Reason = reason("user_excluded")
			default:
				a.Reason = reason("user_out_of_scope")
			}
			if !in.Complete {
				a.Kind, a.Reason = ActSkip, reason("incomplete_no_delete")
			}
			emit(a, "")
			continue
		}
		depts, keepMissing := userDepts(u, s.IncludePartTime, inScopeDept, plans)
		if len(depts) == 0 {
			a.Kind, a.Reason = ActReview, reason("user_no_dept", "dept", u.DepartmentID)
			if keepMissing != "" {
				a.Reason = reason("user_dept_unplanned", "dept", keepMissing)
			}
			emit(a, "")
			continue
		}
		desired := fillInput(u, s.FieldMap)
		desired.DeptsOA = depts
		var w *directory.User
		var claim string
		switch {
		case bound:
			w = wlUser[wlID]
			if w == nil {
				// Bound, but not in the directory: a closed account (re-hire)
				// or outside the app's range. Re-link by userId, never create.
				a.Kind, a.WLID, a.Reason = ActUpdate, wlID, reason("user_relink")
				a.Input = desired
				emit(a, "")
				continue
			}
			a.Reason = reason("user_bound")
		case byMarker[userMarker(u.ID)] != nil && boundWL[byMarker[userMarker(u.ID)].UserID] == "":
			w = byMarker[userMarker(u.ID)]
			a.Kind, a.Reason = ActBind, reason("user_marker")
			claim = w.UserID
		default:
			var r Reason
			w, r = matchUser(u, s.FieldMap, index, boundWL)
			if w == nil && r.Code != "" {
				a.Kind, a.Reason = ActReview, r
				emit(a, "")
				continue
			}
			if w != nil {
				claim = w.UserID
				if !in.BindEnabled {
					a.Kind, a.WLID, a.WLName = ActReview, w.UserID, w.NameCn
					a.Reason = reason("user_bind_off", "rule", r.Params["rule"])
					emit(a, claim)
					continue
				}
				a.Kind, a.Reason = ActBind, r
			}
		}
		if w == nil {
			if !s.CreateUsers {
				a.Kind, a.Reason = ActReview, reason("user_no_match_create_off")
			} else if desired.Mobile == "" || desired.NameCn == "" {
				a.Kind, a.Reason = ActReview, reason("user_missing_fields")
			} else {
				a.Kind, a.Reason, a.Input = ActCreate, reason("user_new"), desired
				if desired.CorpUserID == "" {
					desired.CorpUserID = userMarker(u.ID)
				}
			}
			emit(a, "")
			continue
		}
		a.WLID, a.WLName = w.UserID, w.NameCn
		desired.KeepWL = keepOutside(w, t, mount)
		changes := userChanges(w, desired, plans)
		if w.Status == "4" {
			changes = append(changes, "status: closed → open")
			a.Reason = reason("user_rehire")
		}
		if len(changes) > 0 {
			if a.Kind == "" {
				a.Kind = ActUpdate
			}
			a.Changes, a.Input = changes, desired
		} else if a.Kind == "" {
			a.Kind = ActMatch
		}
		emit(a, claim)
	}
	// Two OA people claiming one WeLink user: nobody gets it (never guess).
	claims := map[string]int{}
	for _, c := range claimList {
		claims[c.user]++
	}
	for _, c := range claimList {
		if claims[c.user] > 1 {
			a := &out.Actions[c.at]
			a.Kind, a.Input, a.Changes = ActReview, nil, nil
			a.Reason = reason("user_conflict", "user", c.user, "count", strconv.Itoa(claims[c.user]))
		}
	}
	// Bindings whose OA user vanished from a whole read.
	for _, b := range in.Bindings {
		if oaUser[b.OAUserID] != nil {
			continue
		}
		w := wlUser[b.WeLinkUserID]
		if w == nil || w.Status == "4" {
			continue
		}
		a := Action{Object: "user", Kind: ActDelete, OAID: b.OAUserID, OAName: b.OALoginID, WLID: w.UserID, WLName: w.NameCn, Reason: reason("user_gone")}
		if !in.Complete {
			a.Kind, a.Reason = ActSkip, reason("incomplete_no_delete")
		}
		emit(a, "")
	}
	out.Actions = append(out.Actions, deptDeletes...)
	if !in.Complete {
		out.Warnings = append(out.Warnings, reason("incomplete_no_delete"))
	}
	for i := range out.Actions {
		out.Actions[i].Seq = i
		out.Actions[i].Result = ResPending
		if k := out.Actions[i].Kind; k == ActMatch || k == ActReview || k == ActSkip {
			out.Actions[i].Result = ResDone
		}
		countAction(&out.Counts, &out.Actions[i])
	}
	return out, nil
}

func countAction(c *Counts, a *Action) {
	switch a.Kind {
	case ActMatch:
		c.Matched++
	case ActCreate:
		c.Create++
		if a.Object == "dept" {
			c.DeptCreate++
		} else {
			c.UserCreate++
		}
	case ActUpdate:
		c.Update++
	case ActMove:
		c.Move++
	case ActDelete:
		c.Delete++
	case ActBind:
		c.Bind++
	case ActReview:
		c.Review++
	case ActSkip:
		c.Skip++
	}
}

func setOf(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, v := range list {
		m[v] = true
	}
	return m
}

func deptOrder(f float64) int {
	n := int(f)
	if n < 1 || n > 999 {
		return 0 // WeLink accepts 1–999; leave it to WeLink's default
	}
	return n
}

// userDepts returns the OA departments a user goes into, main first. The
// second result names a department that is in scope but has no plan.
func userDepts(u *oa.User, partTime bool, inScope map[string]bool, plans map[string]*deptPlan) ([]string, string) {
	var out []string
	var missing string
	add := func(id string) {
		if id == "" || !inScope[id] || slices.Contains(out, id) {
			return
		}
		if plans[id] == nil {
			missing = id
			return
		}
		out = append(out, id)
	}
	add(u.DepartmentID)
	if partTime {
		for _, id := range u.PartTimeDepartmentIDs {
			add(id)
		}
	}
	return out, missing
}

// keepOutside returns the user's WeLink departments outside the synced
// subtree: the sync does not own them.
func keepOutside(w *directory.User, t *wlTree, mount string) []string {
	if mount == "0" {
		return nil
	}
	var keep []string
	for _, d := range w.Depts {
		if !t.under(d, mount) {
			keep = append(keep, d)
		}
	}
	return keep
}

func oaValue(u *oa.User, f string) string {
	switch f {
	case OAFieldLoginID:
		return strings.TrimSpace(u.LoginID)
	case OAFieldWorkCode:
		return strings.TrimSpace(u.WorkCode)
	case OAFieldMobile:
		return strings.TrimSpace(u.Mobile)
	case OAFieldEmail:
		return strings.TrimSpace(u.Email)
	case OAFieldName:
		return strings.TrimSpace(u.Name)
	case OAFieldJobTitle:
		return strings.TrimSpace(u.JobTitle)
	case OAFieldPhone:
		return strings.TrimSpace(u.Telephone)
	}
	return ""
}

// wlValue is a WeLink user's field in its matching form.
func wlValue(u *directory.User, f string) string {
	switch f {
	case WLFieldMobile:
		return directory.NormalizeMobile(u.Mobile)
	case WLFieldEmail:
		return directory.NormalizeEmail(u.Email)
	case WLFieldEmployeeID:
		return strings.TrimSpace(u.EmployeeID)
	case WLFieldCorpUserID:
		return strings.TrimSpace(u.CorpUserID)
	}
	return ""
}

func normFor(wlField, v string) string {
	switch wlField {
	case WLFieldMobile:
		return directory.NormalizeMobile(v)
	case WLFieldEmail:
		return directory.NormalizeEmail(v)
	}
	return strings.TrimSpace(v)
}

// matchUser tries the ordered match rules. A rule with no candidate falls
// through; one with several, or whose only candidate is bound to someone
// else, stops with a review reason: a person is never guessed.
func matchUser(u *oa.User, rules []FieldRule, index userIndex, boundWL map[string]string) (*directory.User, Reason) {
	for _, r := range rules {
		m := index.by[r.WeLink]
		if !r.Match || m == nil {
			continue
		}
		v := normFor(r.WeLink, oaValue(u, r.OA))
		if v == "" {
			continue
		}
		n := m[v]
		rule := r.OA + "=" + r.WeLink
		switch {
		case n == 0:
			continue
		case n < 0:
			return nil, reason("user_ambiguous", "rule", rule, "count", strconv.Itoa(int(-n)))
		}
		c := &index.users[n-1]
		if b := boundWL[c.UserID]; b != "" && b != u.ID {
			return nil, reason("user_taken", "rule", rule, "user", c.UserID)
		}
		return c, reason("user_rule", "rule", rule)
	}
	return nil, Reason{}
}

// userIndex finds WeLink users by a field value: the value is i+1 for the
// one user users[i] holding it, -n when n users share it.
type userIndex struct {
	users []directory.User
	by    map[string]map[string]int32
}

func (x userIndex) add(m map[string]int32, v string, i int) {
	switch n := m[v]; {
	case n == 0:
		m[v] = int32(i + 1)
	case n > 0:
		m[v] = -2
	default:
		m[v] = n - 1
	}
}

// fillInput builds the WeLink fields of a user from the fill rules.
func fillInput(u *oa.User, rules []FieldRule) *Input {
	in := &Input{}
	for _, r := range rules {
		if !r.Fill {
			continue
		}
		v := oaValue(u, r.OA)
		if v == "" {
			continue
		}
		switch r.WeLink {
		case WLFieldNameCn:
			in.NameCn = v
		case WLFieldMobile:
			in.Mobile = welinkMobile(v)
		case WLFieldEmail:
			in.Email = v
		case WLFieldEmployeeID:
			in.EmployeeID = v
		case WLFieldCorpUserID:
			in.CorpUserID = v
		case WLFieldPosition:
			in.Position = v
		case WLFieldLandline:
			in.Landline = v
		}
	}
	if in.NameCn == "" {
		in.NameCn = strings.TrimSpace(u.Name)
	}
	switch u.Sex {
	case "0":
		in.Sex = "M"
	case "1":
		in.Sex = "F"
	}
	return in
}

// welinkMobile writes a mobile the way WeLink wants it: "+86-138…".
func welinkMobile(v string) string {
	n := directory.NormalizeMobile(v)
	if n == "" {
		return ""
	}
	if strings.HasPrefix(n, "+") {
		// +85291234567: the country code length is not knowable in general;
		// common 2–3 digit codes are split, anything else goes as is.
		for _, cc := range []string{"852", "853", "886", "65", "1", "44", "81", "82"} {
			if strings.HasPrefix(n[1:], cc) {
				return "+" + cc + "-" + n[1+len(cc):]
			}
		}
		return n
	}
	return "+86-" + n
}

// userChanges lists what differs between a WeLink user and what the OA
// says it should be. The mobile is never changed by the sync: it is the
// WeLink account, limited to 3 changes a day (documented).
func userChanges(w *directory.User, d *Input, plans map[string]*deptPlan) []string {
	var ch []string
	if d.NameCn != "" && d.NameCn != w.NameCn {
		ch = append(ch, "nameCn: "+w.NameCn+" → "+d.NameCn)
	}
	if d.Email != "" && !strings.EqualFold(d.Email, w.Email) {
		ch = append(ch, "email: "+w.Email+" → "+d.Email)
	}
	if d.EmployeeID != "" && d.EmployeeID != w.EmployeeID {
		ch = append(ch, "employeeId: "+w.EmployeeID+" → "+d.EmployeeID)
	}
	if d.Position != "" && d.Position != w.Position {
		ch = append(ch, "position: "+w.Position+" → "+d.Position)
	}
	// Departments: compare when every target already exists in WeLink.
	want := append([]string{}, d.KeepWL...)
	for _, id := range d.DeptsOA {
		p := plans[id]
		if p == nil || p.wl == nil {
			return append(ch, "depts: → new department")
		}
		want = append(want, p.wl.Code)
	}
	have := append([]string{}, w.Depts...)
	mainWant := ""
	if len(d.DeptsOA) > 0 {
		mainWant = plans[d.DeptsOA[0]].wl.Code
	}
	slices.Sort(want)
	slices.Sort(have)
	if !slices.Equal(slices.Compact(want), slices.Compact(have)) || mainWant != "" && w.MainDept != "" && w.MainDept != mainWant {
		ch = append(ch, "depts: "+strings.Join(w.Depts, ",")+" → "+strings.Join(want, ","))
	}
	return ch
}
