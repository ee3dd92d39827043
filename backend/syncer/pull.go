package syncer

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// RunFromWeLink pulls the whole WeLink org into the local directory
// (从WeLink同步). The read is all-or-nothing (welink.ReadOrg fails as a whole
// on any failed page), so a failed read leaves the directory as it was.
func (e *Engine) RunFromWeLink(ctx context.Context, corpID, trigger string) (Run, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a, err := e.acquire(corpID, FromWeLink, cancel)
	if err != nil {
		return Run{}, err
	}
	defer e.release(corpID, FromWeLink)
	r := e.newRun(corpID, FromWeLink, trigger)
	rep := &reporter{e: e, a: a}
	rep.set(func(p *Progress) { p.RunID = r.ID }, true)
	if err := e.saveRun(r); err != nil {
		return Run{}, err
	}
	err = e.pullWeLink(ctx, r, rep)
	if err == nil {
		r.Status = StatusDone
	}
	e.finish(r, err)
	rep.set(func(p *Progress) { p.Status, p.Stage = r.Status, "done" }, true)
	return *r, err
}

func (e *Engine) pullWeLink(ctx context.Context, r *Run, rep *reporter) error {
	var st Settings
	if err := e.o.DB.View(func(tx *store.Tx) error { var err error; st, err = LoadSettings(tx, r.CorpID); return err }); err != nil {
		return err
	}
	app, err := e.app(st)
	if err != nil {
		return err
	}
	rep.stage("read_welink", 0, 0)
	org, err := app.ReadOrg(ctx, welink.ReadOrgOptions{Progress: func(p welink.ReadProgress) {
		rep.stage("read_welink", p.DeptsDone, p.Departments)
	}})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return core.ErrSyncWeLinkRead.Wrap(err, "reason", core.AsError(err).Code)
	}
	r.Calls += org.Calls
	r.Complete = true
	if org.Scope != nil && !org.Scope.AllStaff() {
		// Seed 4.2: a full sync needs the app visible to all staff.
		r.Warnings = append(r.Warnings, reason("visible_range_partial", "users", strconv.Itoa(org.Scope.UserTotal)))
	}
	rep.stage("write_local", 0, len(org.Users)+len(org.Departments))
	stats, added, changes, err := e.storeWeLinkOrg(r.CorpID, org)
	if err != nil {
		return err
	}
	r.Stats = &stats
	// Per-record history: what this pull added, changed and removed. A
	// first load (empty directory) is summarised by its counts only.
	for i := range changes {
		changes[i].RunID, changes[i].Seq, changes[i].Result = r.ID, i, ResDone
		countAction(&r.Counts, &changes[i])
	}
	r.Counts.Done = len(changes)
	if err := e.saveActions(changes); err != nil {
		return err
	}
	if len(added) > 0 {
		rep.stage("auto_bind", 0, len(added))
		n, err := e.o.Binder.AutoBindNew(ctx, r.CorpID, added)
		if err != nil {
			// The directory is written; a failed association is a warning.
			r.Warnings = append(r.Warnings, reason("auto_bind_failed", "error", core.AsError(err).Code))
		}
		stats.AutoBound = n
		r.Stats = &stats
	}
	return nil
}

// localFromWeLink converts a WeLink read into directory records (level
// from the tree, order as a number, every department of every user).
func localFromWeLink(corpID string, org *welink.Org) ([]directory.Dept, []directory.User) {
	parent := make(map[string]string, len(org.Departments))
	for _, d := range org.Departments {
		p := d.ParentCode
		if p == "" {
			p = "0"
		}
		parent[d.DeptCode] = p
	}
	level := func(code string) int {
		n := 0
		for i := 0; code != "0" && code != "" && i < 64; i++ {
			n++
			code = parent[code]
		}
		return n
	}
	depts := make([]directory.Dept, 0, len(org.Departments))
	for _, d := range org.Departments {
		o, _ := strconv.Atoi(string(d.OrderNo))
		depts = append(depts, directory.Dept{CorpID: corpID, Code: d.DeptCode, CorpDeptCode: d.CorpDeptCode, ParentCode: parent[d.DeptCode],
			NameCn: d.DeptNameCn, NameEn: d.DeptNameEn, Level: level(d.DeptCode), Order: o})
	}
	users := make([]directory.User, 0, len(org.Users))
	for _, u := range org.Users {
		ds := slices.Clone(u.DeptCodes)
		main := u.MainDeptCode
		if main == "" && len(ds) > 0 {
			main = ds[0]
		}
		if main != "" && !slices.Contains(ds, main) {
			ds = append([]string{main}, ds...)
		}
		users = append(users, directory.User{CorpID: corpID, UserID: u.UserID, CorpUserID: u.CorpUserID, NameCn: u.UserNameCn, NameEn: u.UserNameEn,
			Mobile: u.MobileNumber, Email: u.UserEmail, EmployeeID: u.EmployeeID, Position: u.Position, Sex: u.Sex,
			Status: u.UserStatus.String(), MainDept: main, Depts: ds})
	}
	return depts, users
}

func sameDept(a, b directory.Dept) bool {
	a.SyncedAt, a.OADeptID, b.OADeptID = b.SyncedAt, "", ""
	return a == b
}

func sameUser(a, b directory.User) bool {
	return a.UserID == b.UserID && a.CorpUserID == b.CorpUserID && a.NameCn == b.NameCn && a.NameEn == b.NameEn &&
		a.Mobile == b.Mobile && a.Email == b.Email && a.EmployeeID == b.EmployeeID && a.Position == b.Position &&
		a.Sex == b.Sex && a.Status == b.Status && a.MainDept == b.MainDept && slices.Equal(a.Depts, b.Depts)
}

// storeWeLinkOrg replaces the corp's local directory with a complete read:
// new records in a write batch, changed and removed ones in transactions of
// bounded size (index entries must follow the old values). It returns the
// users that were not in the directory before.
func (e *Engine) storeWeLinkOrg(corpID string, org *welink.Org) (PullCounts, []directory.User, []Action, error) {
	now := e.o.Clock.Now()
	depts, users := localFromWeLink(corpID, org)
	c := PullCounts{Depts: len(depts), Users: len(users)}
	oldDepts := map[string]directory.Dept{}
	oldUsers := map[string]directory.User{}
	err := e.o.DB.View(func(tx *store.Tx) error {
		ds, us, err := corpDirectory(tx, corpID)
		for _, d := range ds {
			oldDepts[d.Code] = d
		}
		for _, u := range us {
			oldUsers[u.UserID] = u
		}
		return err
	})
	if err != nil {
		return c, nil, nil, err
	}
	prevDepts := make(map[string]directory.Dept, len(oldDepts))
	for k, v := range oldDepts {
		prevDepts[k] = v
	}
	prevUsers := make(map[string]directory.User, len(oldUsers))
	for k, v := range oldUsers {
		prevUsers[k] = v
	}
	var newDepts, chDepts []directory.Dept
	for _, d := range depts {
		old, ok := oldDepts[d.Code]
		d.OADeptID = old.OADeptID // the link to the OA survives a pull
		d.SyncedAt = now
		switch {
		case !ok:
			newDepts = append(newDepts, d)
		case !sameDept(old, d):
			chDepts = append(chDepts, d)
		}
		delete(oldDepts, d.Code)
	}
	var newUsers, chUsers []directory.User
	for _, u := range users {
		old, ok := oldUsers[u.UserID]
		u.SyncedAt = now
		switch {
		case !ok:
			newUsers = append(newUsers, u)
		case !sameUser(old, u):
			chUsers = append(chUsers, u)
		}
		delete(oldUsers, u.UserID)
	}
	var hist []Action
	if len(oldUsers)+len(oldDepts)+len(chUsers)+len(chDepts) > 0 || len(newUsers)+len(newDepts) < len(users)+len(depts) {
		hist = pullHistory(newDepts, chDepts, newUsers, chUsers, oldDepts, oldUsers, prevDepts, prevUsers)
	}
	c.DeptsAdded, c.DeptsChanged, c.DeptsRemoved = len(newDepts), len(chDepts), len(oldDepts)
	c.UsersAdded, c.UsersChanged, c.UsersRemoved = len(newUsers), len(chUsers), len(oldUsers)

	// The read took a while: a corp marked for deletion meanwhile gets no
	// directory written (its purge may already have passed).
	if err := e.checkActive(corpID); err != nil {
		return c, nil, nil, err
	}
	b := e.o.DB.NewBatch()
	for i := range newDepts {
		if err := directory.Depts.PutBatch(b, &newDepts[i]); err != nil {
			b.Cancel()
			return c, nil, nil, err
		}
	}
	for i := range newUsers {
		if err := directory.Users.PutBatch(b, &newUsers[i]); err != nil {
			b.Cancel()
			return c, nil, nil, err
		}
	}
	if err := b.Flush(); err != nil {
		return c, nil, nil, err
	}
	if err := chunked(e.o.DB, len(chDepts), func(tx *store.Tx, i int) error { return directory.Depts.Put(tx, &chDepts[i]) }); err != nil {
		return c, nil, nil, err
	}
	if err := chunked(e.o.DB, len(chUsers), func(tx *store.Tx, i int) error { return directory.Users.Put(tx, &chUsers[i]) }); err != nil {
		return c, nil, nil, err
	}
	var gone []string
	for code := range oldDepts {
		gone = append(gone, directory.Key(corpID, code))
	}
	for id := range oldUsers {
		gone = append(gone, "u:"+directory.Key(corpID, id))
	}
	err = chunked(e.o.DB, len(gone), func(tx *store.Tx, i int) error {
		if k, ok := cutPrefix(gone[i], "u:"); ok {
			return directory.Users.Delete(tx, k)
		}
		return directory.Depts.Delete(tx, gone[i])
	})
	return c, newUsers, hist, err
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}

// chunked runs fn for 0..n-1 in transactions of at most 500 records
// (Badger caps the size of one transaction).
func chunked(db *store.DB, n int, fn func(tx *store.Tx, i int) error) error {
	return chunkedBy(db, 500, n, fn)
}

// chunkedBy is chunked with a chosen transaction size. Writes that check a
// unique index (bindings) use small ones: Badger sorts a transaction's
// pending writes for every iterator the check opens.
func chunkedBy(db *store.DB, size, n int, fn func(tx *store.Tx, i int) error) error {
	for start := 0; start < n; start += size {
		end := min(start+size, n)
		if err := db.Update(func(tx *store.Tx) error {
			for i := start; i < end; i++ {
				if err := fn(tx, i); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// corpDirectory loads a corp's local directory. A scan of the collection
// beats an index lookup (one random read per record) by far at 100k users.
func corpDirectory(tx *store.Tx, corpID string) ([]directory.Dept, []directory.User, error) {
	// Decoded on two goroutines: for a 100k-user directory the JSON decode
	// is most of the plan's load time (BenchmarkPlan100k).
	ds, err := directory.Depts.ListWhere(tx, 2, func(d *directory.Dept) bool { return d.CorpID == corpID })
	if err != nil {
		return nil, nil, err
	}
	us, err := directory.Users.ListWhere(tx, 2, func(u *directory.User) bool { return u.CorpID == corpID })
	return ds, us, err
}

// pullHistory lists a pull's changes as actions: new (create), changed
// (update, with the fields), removed (delete: gone from WeLink or from the
// app's visible range).
func pullHistory(newDepts, chDepts []directory.Dept, newUsers, chUsers []directory.User,
	goneDepts map[string]directory.Dept, goneUsers map[string]directory.User,
	prevDepts map[string]directory.Dept, prevUsers map[string]directory.User) []Action {
	var out []Action
	for _, d := range newDepts {
		out = append(out, Action{Object: "dept", Kind: ActCreate, WLID: d.Code, WLName: d.NameCn, Level: d.Level, Reason: reason("wl_new")})
	}
	for _, d := range chDepts {
		p := prevDepts[d.Code]
		var ch []string
		if p.NameCn != d.NameCn {
			ch = append(ch, "name: "+p.NameCn+" → "+d.NameCn)
		}
		if p.ParentCode != d.ParentCode {
			ch = append(ch, "parent: "+p.ParentCode+" → "+d.ParentCode)
		}
		if p.Order != d.Order {
			ch = append(ch, "order: "+itoa(p.Order)+" → "+itoa(d.Order))
		}
		out = append(out, Action{Object: "dept", Kind: ActUpdate, WLID: d.Code, WLName: d.NameCn, Level: d.Level, Changes: ch, Reason: reason("wl_changed")})
	}
	for _, d := range goneDepts {
		out = append(out, Action{Object: "dept", Kind: ActDelete, WLID: d.Code, WLName: d.NameCn, Level: d.Level, Reason: reason("wl_gone")})
	}
	for _, u := range newUsers {
		out = append(out, Action{Object: "user", Kind: ActCreate, WLID: u.UserID, WLName: u.NameCn, Reason: reason("wl_new")})
	}
	for _, u := range chUsers {
		p := prevUsers[u.UserID]
		var ch []string
		for _, f := range [][3]string{{"nameCn", p.NameCn, u.NameCn}, {"mobile", p.Mobile, u.Mobile}, {"email", p.Email, u.Email},
			{"employeeId", p.EmployeeID, u.EmployeeID}, {"corpUserId", p.CorpUserID, u.CorpUserID}, {"position", p.Position, u.Position},
			{"status", p.Status, u.Status}, {"depts", strings.Join(p.Depts, ","), strings.Join(u.Depts, ",")}} {
			if f[1] != f[2] {
				ch = append(ch, f[0]+": "+f[1]+" → "+f[2])
			}
		}
		out = append(out, Action{Object: "user", Kind: ActUpdate, WLID: u.UserID, WLName: u.NameCn, Changes: ch, Reason: reason("wl_changed")})
	}
	for _, u := range goneUsers {
		out = append(out, Action{Object: "user", Kind: ActDelete, WLID: u.UserID, WLName: u.NameCn, Reason: reason("wl_gone")})
	}
	return out
}
