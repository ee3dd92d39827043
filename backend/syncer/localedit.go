package syncer

import (
	"context"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// Local org edits in 云桥通讯录 (seed 4.2 读写 / 4.3.3 item 3): every edit is
// written to WeLink first through the corp's sync app, and to the local
// directory only when WeLink accepted it, so the admin sees either both
// changed or neither (with WeLink's reason). In read-only mode every edit is
// refused (CheckWritable); manual user binding is not an org edit.

// DeptEdit is a department to create (Code empty) or change.
type DeptEdit struct {
	CorpID     string `json:"corpId"`
	Code       string `json:"code,omitempty"`
	ParentCode string `json:"parentCode"` // "" or "0": a top department
	Name       string `json:"name"`
	Order      int    `json:"order,omitempty"` // 1–999; 0 = WeLink's default
}

// UserEdit is a person to create (UserID empty) or change. The mobile is
// set at creation only: WeLink changes an opened account's mobile through
// its own API, at most 3 times a day, which the directory does not offer.
type UserEdit struct {
	CorpID     string   `json:"corpId"`
	UserID     string   `json:"userId,omitempty"`
	NameCn     string   `json:"nameCn"`
	NameEn     string   `json:"nameEn,omitempty"`
	Mobile     string   `json:"mobile,omitempty"`
	Email      string   `json:"email,omitempty"`
	EmployeeID string   `json:"employeeId,omitempty"`
	Position   string   `json:"position,omitempty"`
	Depts      []string `json:"depts"` // WeLink deptCodes, main first
}

const (
	maxDeptName = 64 // WeLink's limit is not published; a guess that keeps names readable (inferred)
	maxUserName = 64
	maxField    = 128
)

// editApp checks that the corp may be edited now and returns its sync app.
func (e *Engine) editApp(corpID string) (*welink.App, error) {
	if err := e.corpExists(corpID); err != nil {
		return nil, err
	}
	var st Settings
	if err := e.o.DB.View(func(tx *store.Tx) error {
		if err := CheckWritable(tx, corpID); err != nil {
			return err
		}
		var err error
		st, err = LoadSettings(tx, corpID)
		return err
	}); err != nil {
		return nil, err
	}
	// A running sync rewrites the same records: one at a time.
	for _, dir := range []string{FromWeLink, FromOA} {
		if e.Busy(corpID, dir) {
			return nil, core.ErrSyncRunning.New("direction", directionLabel(dir))
		}
	}
	return e.app(st)
}

func welinkRefused(err error) error {
	if ce := core.AsError(err); ce != nil && strings.HasPrefix(ce.Code, "sync.") {
		return err
	}
	return core.ErrSyncWeLinkWrite.Wrap(err, "reason", errText(err))
}

func localFailed(err error) error { return core.ErrSyncLocalAfterWrite.Wrap(err) }

func editCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

func checkName(field, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", core.ErrSyncEditRequired.New("field", field)
	}
	if utf8.RuneCountInString(v) > max {
		return "", core.ErrSyncEditTooLong.New("field", field, "max", strconv.Itoa(max))
	}
	return v, nil
}

func checkOptional(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if utf8.RuneCountInString(v) > maxField {
		return "", core.ErrSyncEditTooLong.New("field", field, "max", strconv.Itoa(maxField))
	}
	return v, nil
}

// deptState is the local tree of a corp, for checks.
type deptState struct {
	byCode map[string]directory.Dept
}

func loadDepts(tx *store.Tx, corpID string) (deptState, error) {
	ds, err := directory.Depts.Lookup(tx, "corp", corpID)
	st := deptState{byCode: make(map[string]directory.Dept, len(ds))}
	for _, d := range ds {
		st.byCode[d.Code] = d
	}
	return st, err
}

func (s deptState) name(code string) string {
	if d, ok := s.byCode[code]; ok {
		return d.NameCn
	}
	return code
}

func (s deptState) children(code string) []directory.Dept {
	var out []directory.Dept
	for _, d := range s.byCode {
		if d.ParentCode == code {
			out = append(out, d)
		}
	}
	return out
}

func rootCode(p string) string {
	if p == "" {
		return "0"
	}
	return p
}

// checkDept validates a department edit against the local tree and returns
// the parent's level.
func (s deptState) checkDept(in *DeptEdit) (int, error) {
	var err error
	if in.Name, err = checkName("name", in.Name, maxDeptName); err != nil {
		return 0, err
	}
	if in.Order < 0 || in.Order > 999 {
		return 0, core.ErrSyncEditOrder.New("value", strconv.Itoa(in.Order))
	}
	in.ParentCode = rootCode(in.ParentCode)
	level := 0
	if in.ParentCode != "0" {
		p, ok := s.byCode[in.ParentCode]
		if !ok {
			return 0, core.ErrSyncDeptNotFound.New("code", in.ParentCode)
		}
		level = p.Level
		// Not under itself or its own subtree.
		for c, i := in.ParentCode, 0; c != "0" && c != "" && i < 64; i++ {
			if c == in.Code {
				return 0, core.ErrSyncDeptCycle.New("name", s.name(in.Code))
			}
			c = s.byCode[c].ParentCode
		}
	}
	for _, sib := range s.children(in.ParentCode) {
		if sib.Code != in.Code && strings.TrimSpace(sib.NameCn) == in.Name {
			parent := s.name(in.ParentCode)
			if in.ParentCode == "0" {
				parent = "/"
			}
			return 0, core.ErrSyncDeptNameTaken.New("name", in.Name, "parent", parent)
		}
	}
	return level, nil
}

func toNode(d directory.Dept, users int) DeptNode {
	return DeptNode{Code: d.Code, ParentCode: d.ParentCode, Name: d.NameCn, Level: d.Level, Order: d.Order,
		Linked: d.OADeptID != "", OADeptID: d.OADeptID, Users: users}
}

// CreateDept creates a department in WeLink, then in the local directory.
func (s *Service) CreateDept(in DeptEdit) (DeptNode, error) {
	s.e.editMu.Lock()
	defer s.e.editMu.Unlock()
	in.Code = ""
	app, err := s.e.editApp(in.CorpID)
	if err != nil {
		return DeptNode{}, err
	}
	var level int
	if err := s.e.o.DB.View(func(tx *store.Tx) error {
		st, err := loadDepts(tx, in.CorpID)
		if err == nil {
			level, err = st.checkDept(&in)
		}
		return err
	}); err != nil {
		return DeptNode{}, err
	}
	req := welink.DeptInput{ParentCode: in.ParentCode, DeptNameCn: in.Name}
	if in.Order > 0 {
		req.OrderNo = strconv.Itoa(in.Order) // documented for the batch APIs; assumed here too (inferred)
	}
	ctx, cancel := editCtx()
	defer cancel()
	got, err := app.CreateDepartment(ctx, req)
	if err != nil {
		return DeptNode{}, welinkRefused(err)
	}
	if got.DeptCode == "" {
		return DeptNode{}, core.ErrSyncWeLinkWrite.New("reason", "no deptCode")
	}
	d := directory.Dept{CorpID: in.CorpID, Code: got.DeptCode, CorpDeptCode: got.CorpDeptCode, ParentCode: in.ParentCode, NameCn: in.Name,
		Level: level + 1, Order: in.Order, SyncedAt: s.e.o.Clock.Now()}
	if err := s.e.o.DB.Update(func(tx *store.Tx) error { return directory.Depts.Put(tx, &d) }); err != nil {
		return DeptNode{}, localFailed(err)
	}
	return toNode(d, 0), nil
}

// UpdateDept renames, re-orders or moves a department.
func (s *Service) UpdateDept(in DeptEdit) (DeptNode, error) {
	s.e.editMu.Lock()
	defer s.e.editMu.Unlock()
	app, err := s.e.editApp(in.CorpID)
	if err != nil {
		return DeptNode{}, err
	}
	var st deptState
	var cur directory.Dept
	var level int
	if err := s.e.o.DB.View(func(tx *store.Tx) error {
		var err error
		if st, err = loadDepts(tx, in.CorpID); err != nil {
			return err
		}
		var ok bool
		if cur, ok = st.byCode[in.Code]; !ok || in.Code == "" || in.Code == "0" {
			return core.ErrSyncDeptNotFound.New("code", in.Code)
		}
		level, err = st.checkDept(&in)
		return err
	}); err != nil {
		return DeptNode{}, err
	}
	req := welink.DeptInput{DeptCode: in.Code, ParentCode: in.ParentCode, DeptNameCn: in.Name}
	if in.Order > 0 {
		req.OrderNo = strconv.Itoa(in.Order)
	}
	ctx, cancel := editCtx()
	defer cancel()
	if _, err := app.UpdateDepartment(ctx, req); err != nil {
		return DeptNode{}, welinkRefused(err)
	}
	cur.NameCn, cur.ParentCode, cur.Order, cur.SyncedAt = in.Name, in.ParentCode, in.Order, s.e.o.Clock.Now()
	shift := level + 1 - cur.Level
	cur.Level = level + 1
	users := 0
	err = s.e.o.DB.Update(func(tx *store.Tx) error {
		if err := directory.Depts.Put(tx, &cur); err != nil {
			return err
		}
		// A move changes the level of the whole subtree.
		if shift != 0 {
			queue := []string{cur.Code}
			for len(queue) > 0 {
				code := queue[0]
				queue = queue[1:]
				for _, c := range st.children(code) {
					c.Level += shift
					if err := directory.Depts.Put(tx, &c); err != nil {
						return err
					}
					queue = append(queue, c.Code)
				}
			}
		}
		var err error
		users, err = directory.Users.Count(tx, "dept", in.CorpID+"~"+cur.Code)
		return err
	})
	if err != nil {
		return DeptNode{}, localFailed(err)
	}
	return toNode(cur, users), nil
}

// DeleteDept deletes an empty department (no people, no sub-departments):
// emptying it first is the admin's decision, not a side effect.
func (s *Service) DeleteDept(corpID, code string) error {
	s.e.editMu.Lock()
	defer s.e.editMu.Unlock()
	app, err := s.e.editApp(corpID)
	if err != nil {
		return err
	}
	if err := s.e.o.DB.View(func(tx *store.Tx) error {
		st, err := loadDepts(tx, corpID)
		if err != nil {
			return err
		}
		d, ok := st.byCode[code]
		if !ok || code == "0" {
			return core.ErrSyncDeptNotFound.New("code", code)
		}
		n, err := directory.Users.Count(tx, "dept", corpID+"~"+code)
		if err != nil {
			return err
		}
		if kids := len(st.children(code)); n > 0 || kids > 0 {
			return core.ErrSyncDeptNotEmpty.New("name", d.NameCn, "users", strconv.Itoa(n), "depts", strconv.Itoa(kids))
		}
		return nil
	}); err != nil {
		return err
	}
	ctx, cancel := editCtx()
	defer cancel()
	if err := app.DeleteDepartment(ctx, welink.DeptKey{DeptCode: code}); err != nil {
		return welinkRefused(err)
	}
	if err := s.e.o.DB.Update(func(tx *store.Tx) error { return directory.Depts.Delete(tx, directory.Key(corpID, code)) }); err != nil {
		return localFailed(err)
	}
	return nil
}

// checkUser validates a person edit; depts must exist locally.
func checkUser(tx *store.Tx, in *UserEdit, create bool) error {
	var err error
	if in.NameCn, err = checkName("name", in.NameCn, maxUserName); err != nil {
		return err
	}
	if in.NameEn, err = checkOptional("nameEn", in.NameEn); err != nil {
		return err
	}
	if in.EmployeeID, err = checkOptional("employeeId", in.EmployeeID); err != nil {
		return err
	}
	if in.Position, err = checkOptional("position", in.Position); err != nil {
		return err
	}
	if in.Email = strings.TrimSpace(in.Email); in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			return core.ErrSyncEditEmail.New("value", in.Email)
		}
	}
	if create {
		n := directory.NormalizeMobile(in.Mobile)
		if !(len(n) == 11 && n[0] == '1' || strings.HasPrefix(n, "+") && len(n) >= 8 && len(n) <= 16) {
			return core.ErrSyncEditMobile.New("value", strings.TrimSpace(in.Mobile))
		}
		in.Mobile = welinkMobile(n)
	}
	var depts []string
	for _, c := range in.Depts {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(depts, c) {
			depts = append(depts, c)
		}
	}
	if len(depts) == 0 {
		return core.ErrSyncEditNoDept.New()
	}
	for _, c := range depts {
		if ok, err := directory.Depts.Has(tx, directory.Key(in.CorpID, c)); err != nil {
			return err
		} else if !ok || c == "0" {
			return core.ErrSyncDeptNotFound.New("code", c)
		}
	}
	in.Depts = depts
	return nil
}

// personOf builds a person card: department names and the OA binding.
func (s *Service) personOf(tx *store.Tx, u directory.User) (Person, error) {
	p := Person{User: u, DeptNames: []string{}}
	for _, d := range u.Depts {
		name := d
		if dd, err := directory.Depts.Get(tx, directory.Key(u.CorpID, d)); err == nil {
			name = dd.NameCn
		}
		p.DeptNames = append(p.DeptNames, name)
	}
	b, ok, err := binding.ForWeLinkUser(tx, u.CorpID, u.UserID)
	if ok {
		p.Binding = &b
	}
	return p, err
}

// CreateUser creates a person in WeLink, then in the local directory.
// WeLink sends the new member its activation SMS/e-mail as usual.
func (s *Service) CreateUser(in UserEdit) (Person, error) {
	s.e.editMu.Lock()
	defer s.e.editMu.Unlock()
	in.UserID = ""
	app, err := s.e.editApp(in.CorpID)
	if err != nil {
		return Person{}, err
	}
	if err := s.e.o.DB.View(func(tx *store.Tx) error { return checkUser(tx, &in, true) }); err != nil {
		return Person{}, err
	}
	ctx, cancel := editCtx()
	defer cancel()
	got, err := app.CreateUser(ctx, welink.UserInput{UserNameCn: in.NameCn, UserNameEn: in.NameEn, MobileNumber: in.Mobile, UserEmail: in.Email,
		EmployeeID: in.EmployeeID, Position: in.Position, DeptCodes: in.Depts, MainDeptCode: in.Depts[0]})
	if err != nil {
		return Person{}, welinkRefused(err)
	}
	if got.UserID == "" {
		return Person{}, core.ErrSyncWeLinkWrite.New("reason", "no userId")
	}
	u := directory.User{CorpID: in.CorpID, UserID: got.UserID, CorpUserID: got.CorpUserID, NameCn: in.NameCn, NameEn: in.NameEn, Mobile: in.Mobile,
		Email: in.Email, EmployeeID: in.EmployeeID, Position: in.Position, Status: "1", MainDept: in.Depts[0], Depts: in.Depts, SyncedAt: s.e.o.Clock.Now()}
	return s.storeUser(u)
}

// storeUser writes a person WeLink accepted into the local directory.
func (s *Service) storeUser(u directory.User) (Person, error) {
	var p Person
	if err := s.e.o.DB.Update(func(tx *store.Tx) error {
		if err := directory.Users.Put(tx, &u); err != nil {
			return err
		}
		var err error
		p, err = s.personOf(tx, u)
		return err
	}); err != nil {
		return Person{}, localFailed(err)
	}
	return p, nil
}

// UpdateUser changes a person's name, e-mail, employee id, position and
// departments (not the mobile: see UserEdit).
func (s *Service) UpdateUser(in UserEdit) (Person, error) {
	s.e.editMu.Lock()
	defer s.e.editMu.Unlock()
	app, err := s.e.editApp(in.CorpID)
	if err != nil {
		return Person{}, err
	}
	var cur directory.User
	if err := s.e.o.DB.View(func(tx *store.Tx) error {
		var err error
		cur, err = directory.Users.Get(tx, directory.Key(in.CorpID, in.UserID))
		if core.Of(err, core.ErrNotFound) || in.UserID == "" {
			return core.ErrSyncUserNotFound.New("id", in.UserID)
		}
		if err != nil {
			return err
		}
		return checkUser(tx, &in, false)
	}); err != nil {
		return Person{}, err
	}
	ctx, cancel := editCtx()
	defer cancel()
	// Empty fields are not sent, so clearing one is not possible through
	// this API (inferred: WeLink keeps a field that is left out).
	if _, err := app.UpdateUser(ctx, welink.UserInput{UserID: in.UserID, UserNameCn: in.NameCn, UserNameEn: in.NameEn, UserEmail: in.Email,
		EmployeeID: in.EmployeeID, Position: in.Position, DeptCodes: in.Depts, MainDeptCode: in.Depts[0]}); err != nil {
		return Person{}, welinkRefused(err)
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	cur.NameCn = in.NameCn
	set(&cur.NameEn, in.NameEn)
	set(&cur.Email, in.Email)
	set(&cur.EmployeeID, in.EmployeeID)
	set(&cur.Position, in.Position)
	cur.Depts, cur.MainDept, cur.SyncedAt = in.Depts, in.Depts[0], s.e.o.Clock.Now()
	return s.storeUser(cur)
}

// DeleteUser removes a person from the organisation (isDeleteUser 0: the
// account is closed and leaves every department, as the sync does for
// leavers; inferred semantics) and from the local directory. An OA binding
// stays, so a re-hired person is linked again instead of duplicated.
func (s *Service) DeleteUser(corpID, userID string) error {
	s.e.editMu.Lock()
	defer s.e.editMu.Unlock()
	app, err := s.e.editApp(corpID)
	if err != nil {
		return err
	}
	if err := s.e.o.DB.View(func(tx *store.Tx) error {
		_, err := directory.Users.Get(tx, directory.Key(corpID, userID))
		if core.Of(err, core.ErrNotFound) || userID == "" {
			return core.ErrSyncUserNotFound.New("id", userID)
		}
		return err
	}); err != nil {
		return err
	}
	ctx, cancel := editCtx()
	defer cancel()
	if _, err := app.DeleteUser(ctx, welink.UserKey{UserID: userID}, false); err != nil {
		return welinkRefused(err)
	}
	// WeLink's lists leave closed accounts out, so the next pull would drop
	// the record: drop it now.
	if err := s.e.o.DB.Update(func(tx *store.Tx) error { return directory.Users.Delete(tx, directory.Key(corpID, userID)) }); err != nil {
		return localFailed(err)
	}
	return nil
}
