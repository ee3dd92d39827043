package syncer

import (
	"sort"
	"strings"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// DeptNode is a department of the local directory tree (云桥通讯录).
type DeptNode struct {
	Code       string `json:"code"`
	ParentCode string `json:"parentCode"`
	Name       string `json:"name"`
	Level      int    `json:"level"`
	Order      int    `json:"order"`
	Linked     bool   `json:"linked"` // matched to an OA department: the black dot
	OADeptID   string `json:"oaDeptId,omitempty"`
	Users      int    `json:"users"` // direct members
}

// DirectoryInfo is the tree with the corp's mode.
type DirectoryInfo struct {
	ReadOnly bool       `json:"readOnly"`
	Depts    []DeptNode `json:"depts"`
	Users    int        `json:"users"`
	Bound    int        `json:"bound"`
}

// DirectoryTree returns the corp's local department tree.
func (s *Service) DirectoryTree(corpID string) (DirectoryInfo, error) {
	if err := s.e.corpExists(corpID); err != nil {
		return DirectoryInfo{}, err
	}
	out := DirectoryInfo{Depts: []DeptNode{}}
	err := s.e.o.DB.View(func(tx *store.Tx) error {
		st, err := LoadSettings(tx, corpID)
		if err != nil {
			return err
		}
		out.ReadOnly = st.Mode != ModeReadWrite
		ds, err := directory.Depts.Lookup(tx, "corp", corpID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.Code == "0" {
				continue
			}
			n, err := directory.Users.Count(tx, "dept", corpID+"~"+d.Code)
			if err != nil {
				return err
			}
			out.Depts = append(out.Depts, DeptNode{Code: d.Code, ParentCode: d.ParentCode, Name: d.NameCn, Level: d.Level, Order: d.Order,
				Linked: d.OADeptID != "", OADeptID: d.OADeptID, Users: n})
		}
		if out.Users, err = directory.Users.Count(tx, "corp", corpID); err != nil {
			return err
		}
		out.Bound, err = binding.Bindings.Count(tx, "corp", corpID)
		return err
	})
	sort.Slice(out.Depts, func(i, j int) bool {
		a, b := out.Depts[i], out.Depts[j]
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.Code < b.Code
	})
	return out, err
}

// Person is a user of the local directory with their binding (person card).
type Person struct {
	directory.User
	DeptNames []string         `json:"deptNames"`
	Binding   *binding.Binding `json:"binding,omitempty"`
}

// PersonPage is a page of users.
type PersonPage struct {
	Users []Person `json:"users"`
	Total int      `json:"total"`
}

// GetDept is one department of the local directory (the audit log's
// before/after of an edit).
func (s *Service) GetDept(corpID, code string) (DeptNode, error) {
	var n DeptNode
	err := s.e.o.DB.View(func(tx *store.Tx) error {
		d, err := directory.Depts.Get(tx, directory.Key(corpID, code))
		if core.Of(err, core.ErrNotFound) || code == "" {
			return core.ErrSyncDeptNotFound.New("code", code)
		}
		if err != nil {
			return err
		}
		users, err := directory.Users.Count(tx, "dept", corpID+"~"+code)
		n = toNode(d, users)
		return err
	})
	return n, err
}

// GetPerson is one person of the local directory with their departments'
// names and binding.
func (s *Service) GetPerson(corpID, userID string) (Person, error) {
	var p Person
	err := s.e.o.DB.View(func(tx *store.Tx) error {
		u, err := directory.Users.Get(tx, directory.Key(corpID, userID))
		if core.Of(err, core.ErrNotFound) || userID == "" {
			return core.ErrSyncUserNotFound.New("id", userID)
		}
		if err != nil {
			return err
		}
		p, err = s.personOf(tx, u)
		return err
	})
	return p, err
}

// DirectoryUsers lists the users of a department (deptCode "" = all) or
// those matching a search, with their bindings.
func (s *Service) DirectoryUsers(corpID, deptCode, query string, offset, limit int) (PersonPage, error) {
	if err := s.e.corpExists(corpID); err != nil {
		return PersonPage{}, err
	}
	page := PersonPage{Users: []Person{}}
	err := s.e.o.DB.View(func(tx *store.Tx) error {
		var us []directory.User
		var err error
		if deptCode != "" {
			us, err = directory.Users.Lookup(tx, "dept", corpID+"~"+deptCode)
		} else {
			us, err = directory.Users.Lookup(tx, "corp", corpID)
		}
		if err != nil {
			return err
		}
		q := strings.ToLower(strings.TrimSpace(query))
		var hits []directory.User
		for _, u := range us {
			if q == "" || strings.Contains(strings.ToLower(u.NameCn+" "+u.NameEn+" "+u.UserID+" "+u.Mobile+" "+u.Email+" "+u.EmployeeID+" "+u.CorpUserID), q) {
				hits = append(hits, u)
			}
		}
		sort.Slice(hits, func(i, j int) bool { return hits[i].UserID < hits[j].UserID })
		page.Total = len(hits)
		if offset < 0 || offset >= len(hits) {
			return nil
		}
		names := map[string]string{}
		for _, u := range hits[offset:min(offset+clampLimit(limit), len(hits))] {
			p := Person{User: u, DeptNames: []string{}}
			for _, d := range u.Depts {
				if _, ok := names[d]; !ok {
					dd, err := directory.Depts.Get(tx, directory.Key(corpID, d))
					if err == nil {
						names[d] = dd.NameCn
					} else {
						names[d] = d
					}
				}
				p.DeptNames = append(p.DeptNames, names[d])
			}
			if b, ok, err := binding.ForWeLinkUser(tx, corpID, u.UserID); err != nil {
				return err
			} else if ok {
				p.Binding = &b
			}
			page.Users = append(page.Users, p)
		}
		return nil
	})
	return page, err
}

// dependent is sync's per-corp data for the corp delete.
type dependent struct{}

// Dependent returns the tenant.Dependent of the sync data: settings, runs
// with their plans and results, and the local WeLink directory.
func Dependent() tenant.Dependent { return dependent{} }

func (dependent) CorpUses(tx *store.Tx, corpID string) ([]tenant.Use, error) {
	var uses []tenant.Use
	if ok, err := settingsColl.Has(tx, corpID); err != nil {
		return nil, err
	} else if ok {
		uses = append(uses, tenant.Use{Kind: "sync_settings", ID: corpID, Name: "同步设置 sync settings"})
	}
	n, err := runs.Count(tx, "corp", corpID)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		uses = append(uses, tenant.Use{Kind: "sync_settings", ID: corpID + "~runs", Name: "同步记录 sync runs ×" + itoa(n)})
	}
	if n, err = directory.Users.Count(tx, "corp", corpID); err != nil {
		return nil, err
	} else if n > 0 {
		uses = append(uses, tenant.Use{Kind: "sync_settings", ID: corpID + "~users", Name: "云桥通讯录人员 directory users ×" + itoa(n)})
	}
	if n, err = directory.Depts.Count(tx, "corp", corpID); err != nil {
		return nil, err
	} else if n > 0 {
		uses = append(uses, tenant.Use{Kind: "sync_settings", ID: corpID + "~depts", Name: "云桥通讯录部门 directory departments ×" + itoa(n)})
	}
	return uses, nil
}

// DeleteCorpData removes everything in the corp-delete transaction. Very
// large directories may exceed one Badger transaction; the corp delete then
// fails as a whole and nothing is lost.
func (dependent) DeleteCorpData(tx *store.Tx, corpID string) error {
	if err := settingsColl.Delete(tx, corpID); err != nil {
		return err
	}
	rs, err := runs.Lookup(tx, "corp", corpID)
	if err != nil {
		return err
	}
	for _, r := range rs {
		as, err := RunActions(tx, r.ID)
		if err != nil {
			return err
		}
		for _, a := range as {
			if err := actions.Delete(tx, actionID(a.RunID, a.Seq)); err != nil {
				return err
			}
		}
		if err := runs.Delete(tx, r.ID); err != nil {
			return err
		}
	}
	us, err := directory.Users.Lookup(tx, "corp", corpID)
	if err != nil {
		return err
	}
	for _, u := range us {
		if err := directory.Users.Delete(tx, directory.Key(corpID, u.UserID)); err != nil {
			return err
		}
	}
	ds, err := directory.Depts.Lookup(tx, "corp", corpID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if err := directory.Depts.Delete(tx, directory.Key(corpID, d.Code)); err != nil {
			return err
		}
	}
	return nil
}

// OADept is a department of the stored OA snapshot (scope picker).
type OADept struct {
	ID       string `json:"id"`
	ParentID string `json:"parentId"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Sealed   bool   `json:"sealed"`
}

// OAPerson is a person of the stored OA snapshot (scope lists).
type OAPerson struct {
	ID      string `json:"id"`
	LoginID string `json:"loginId"`
	Name    string `json:"name"`
	Dept    string `json:"dept"`
	Left    bool   `json:"left"`
}

// OADepartments lists the OA snapshot's departments (refreshed by every
// OA run and by 系统设置 → OA 连接).
func (s *Service) OADepartments() ([]OADept, error) {
	out := []OADept{}
	err := s.e.o.DB.View(func(tx *store.Tx) error {
		return directory.OADepts.Each(tx, func(d oa.Department) error {
			out = append(out, OADept{ID: d.ID, ParentID: d.ParentID, Name: d.Name, Type: d.Type, Sealed: d.Sealed})
			return nil
		})
	})
	return out, err
}

// SearchOAPeople finds OA people by login id, name, work code or mobile;
// ids (when given) are returned whatever the query, to label saved lists.
func (s *Service) SearchOAPeople(query string, ids []string, limit int) ([]OAPerson, error) {
	out := []OAPerson{}
	q := strings.ToLower(strings.TrimSpace(query))
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	limit = clampLimit(limit)
	found := 0
	err := s.e.o.DB.View(func(tx *store.Tx) error {
		return directory.OAUsers.Each(tx, func(u oa.User) error {
			hit := want[u.ID]
			if !hit && q != "" && found < limit && strings.Contains(strings.ToLower(u.LoginID+" "+u.Name+" "+u.WorkCode+" "+u.Mobile), q) {
				hit = true
				found++
			}
			if hit {
				out = append(out, OAPerson{ID: u.ID, LoginID: u.LoginID, Name: u.Name, Dept: u.DepartmentID, Left: u.Left})
			}
			return nil
		})
	})
	return out, err
}
