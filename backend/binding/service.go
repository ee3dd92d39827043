package binding

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// Deps are the service's collaborators (wired in app/wire_binding.go).
type Deps struct {
	DB    *store.DB
	Clock core.Clock
	Log   *slog.Logger
	// Emit sends progress events ("binding:progress") to the UI; nil = none
	// (the UI also polls JobStatus).
	Emit func(event string, data any)
	// RefreshOA pulls the OA org into the local snapshot
	// (oaconfig.RefreshSnapshot with the configured connector).
	RefreshOA func(ctx context.Context) (OARefresh, error)
	// CorpName returns a corp's display name (typed confirmation of a batch
	// unbind); a missing corp is core.ErrCorpNotFound.
	CorpName func(corpID string) (string, error)
	// BulkMemoryLimit, when set, is the Go runtime's soft memory limit
	// (debug.SetMemoryLimit) while a bulk job runs (import validation and
	// apply, export, auto-bind run), never raising a lower limit
	// already in force. A 100k-row import otherwise peaks near 430 MB RSS
	// (Badger's compaction buffers and the GC's 2x headroom); with 200 MiB
	// it stays under 250 MB for ~15% more CPU. 0 leaves the runtime alone.
	BulkMemoryLimit int64
}

// OARefresh is what a snapshot refresh stored.
type OARefresh struct {
	Users       int `json:"users"`
	Departments int `json:"departments"`
	Leavers     int `json:"leavers"`
	Removed     int `json:"removed"`
}

// Admin is who the audit names for changes made in the admin UI (one admin
// account per installation).
const Admin = "admin"

// Service is the binding screen's API (bound to the UI): every exported
// method is callable from the frontend.
type Service struct {
	ctx context.Context
	d   Deps
	log *slog.Logger

	mu      sync.Mutex
	plans   map[string]*plan // previews waiting for confirmation, by token
	job     *job             // the running long job, if any
	lastJob Progress
}

// New builds the service; ctx bounds every call.
func New(ctx context.Context, d Deps) *Service {
	if d.Clock == nil {
		d.Clock = core.SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{ctx: ctx, d: d, log: d.Log.With("service", "binding"), plans: map[string]*plan{}}
}

// Overview counts what the binding screen's header shows.
type Overview struct {
	Users     int      `json:"users"`
	Bound     int      `json:"bound"`
	OAUsers   int      `json:"oaUsers"`
	Snapshots int      `json:"snapshots"`
	Settings  Settings `json:"settings"`
}

func (s *Service) Overview(corpID string) (Overview, error) {
	var o Overview
	if corpID == "" {
		return o, core.ErrRequired.New("field", "corpId")
	}
	err := s.d.DB.View(func(tx *store.Tx) error {
		var err error
		if o.Users, err = directory.Users.Count(tx, "corp", corpID); err != nil {
			return err
		}
		if o.Bound, err = Bindings.Count(tx, "corp", corpID); err != nil {
			return err
		}
		if o.Snapshots, err = snapshots.Count(tx, "corp", corpID); err != nil {
			return err
		}
		if o.OAUsers, err = countOAUsers(tx); err != nil {
			return err
		}
		o.Settings, err = LoadSettings(tx, corpID)
		return err
	})
	return o, err
}

func countOAUsers(tx *store.Tx) (int, error) {
	n := 0
	err := directory.OAUsers.Each(tx, func(oa.User) error { n++; return nil })
	return n, err
}

// eachBindingOfCorp walks the collection rather than the corp index: one
// prefetching iterator beats 100k point reads by ~3x, and ids start with
// the corp, so other corps cost only their decode.
func eachBindingOfCorp(tx *store.Tx, corpID string, fn func(Binding)) error {
	return Bindings.Each(tx, func(b Binding) error {
		if b.CorpID == corpID {
			fn(b)
		}
		return nil
	})
}

// usersOfCorp reads a corp's local WeLink users the same way.
func usersOfCorp(tx *store.Tx, corpID string) ([]directory.User, error) {
	var out []directory.User
	err := directory.Users.Each(tx, func(u directory.User) error {
		if u.CorpID == corpID {
			out = append(out, u)
		}
		return nil
	})
	return out, err
}

// UserQuery filters the local WeLink users of a corp.
type UserQuery struct {
	CorpID string `json:"corpId"`
	Search string `json:"search"` // name, account, mobile, e-mail, employee id or bound OA login
	Status string `json:"status"` // "" all, "bound", "unbound"
	Method string `json:"method"` // bound by this method
	Offset int    `json:"offset"`
	Limit  int    `json:"limit"`
}

// UserRow is a WeLink user with its binding.
type UserRow struct {
	directory.User
	Binding *Binding `json:"binding,omitempty"`
	OAName  string   `json:"oaName,omitempty"`
}

// UserPage is one page of users.
type UserPage struct {
	Total int       `json:"total"`
	Items []UserRow `json:"items"`
}

func (s *Service) ListUsers(q UserQuery) (UserPage, error) {
	if q.CorpID == "" {
		return UserPage{}, core.ErrRequired.New("field", "corpId")
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	needle := strings.ToLower(strings.TrimSpace(q.Search))
	var page UserPage
	page.Items = []UserRow{}
	err := s.d.DB.View(func(tx *store.Tx) error {
		bound := map[string]Binding{}
		if err := eachBindingOfCorp(tx, q.CorpID, func(b Binding) { bound[b.WeLinkUserID] = b }); err != nil {
			return err
		}
		users, err := usersOfCorp(tx, q.CorpID)
		if err != nil {
			return err
		}
		sort.SliceStable(users, func(i, j int) bool { return users[i].NameCn < users[j].NameCn })
		for _, u := range users {
			b, ok := bound[u.UserID]
			if q.Status == "bound" && !ok || q.Status == "unbound" && ok || q.Method != "" && (!ok || b.Method != q.Method) {
				continue
			}
			if needle != "" && !matchesUser(&u, b, needle) {
				continue
			}
			page.Total++
			if page.Total <= q.Offset || len(page.Items) >= q.Limit {
				continue
			}
			row := UserRow{User: u}
			if ok {
				bb := b
				row.Binding = &bb
				if ou, err := directory.OAUsers.Get(tx, oaKey(b.OAUserID)); err == nil {
					row.OAName = ou.Name
				}
			}
			page.Items = append(page.Items, row)
		}
		return nil
	})
	return page, err
}

func matchesUser(u *directory.User, b Binding, needle string) bool {
	for _, v := range []string{u.NameCn, u.NameEn, u.UserID, u.Mobile, u.Email, u.EmployeeID, u.CorpUserID, b.OALoginID} {
		if v != "" && strings.Contains(strings.ToLower(v), needle) {
			return true
		}
	}
	return false
}

// Card is the person card (人员卡片): the WeLink user, its departments,
// the binding and the bound OA user as the snapshot knows it.
type Card struct {
	User      directory.User `json:"user"`
	DeptNames []string       `json:"deptNames"`
	Binding   *Binding       `json:"binding,omitempty"`
	OA        *oa.User       `json:"oa,omitempty"`
	OADept    string         `json:"oaDept,omitempty"`
	// OAMissing: bound to an OA id the snapshot no longer has.
	OAMissing bool `json:"oaMissing,omitempty"`
}

func (s *Service) GetCard(corpID, welinkUserID string) (Card, error) {
	var c Card
	err := s.d.DB.View(func(tx *store.Tx) error {
		u, err := directory.Users.Get(tx, directory.Key(corpID, welinkUserID))
		if isNotFound(err) {
			return core.ErrBindingWeLinkUserUnknown.New("user", welinkUserID)
		}
		if err != nil {
			return err
		}
		c.User, c.DeptNames = u, []string{}
		for _, code := range u.Depts {
			if d, err := directory.Depts.Get(tx, directory.Key(corpID, code)); err == nil {
				c.DeptNames = append(c.DeptNames, d.NameCn)
			} else {
				c.DeptNames = append(c.DeptNames, code)
			}
		}
		b, ok, err := ForWeLinkUser(tx, corpID, welinkUserID)
		if err != nil || !ok {
			return err
		}
		c.Binding = &b
		ou, err := directory.OAUsers.Get(tx, oaKey(b.OAUserID))
		if isNotFound(err) {
			c.OAMissing = true
			return nil
		}
		if err != nil {
			return err
		}
		c.OA = &ou
		if d, err := directory.OADepts.Get(tx, oaKey(ou.DepartmentID)); err == nil {
			c.OADept = d.Name
		}
		return nil
	})
	return c, err
}

// OACandidate is an OA user offered by the picker.
type OACandidate struct {
	oa.User
	Dept    string `json:"dept,omitempty"`
	BoundTo string `json:"boundTo,omitempty"` // WeLink user already bound to it in this corp
}

// SearchOAUsers finds OA users by name, login id, work code, mobile or
// e-mail for the person card's picker (at most limit, default 20).
func (s *Service) SearchOAUsers(corpID, query string, limit int) ([]OACandidate, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	needle := strings.ToLower(strings.TrimSpace(query))
	mobile := directory.NormalizeMobile(query)
	out := []OACandidate{}
	err := s.d.DB.View(func(tx *store.Tx) error {
		var hits []oa.User
		err := directory.OAUsers.Each(tx, func(u oa.User) error {
			if u.Secondary {
				return nil
			}
			if needle == "" || strings.Contains(strings.ToLower(u.Name), needle) || strings.Contains(strings.ToLower(u.LoginID), needle) ||
				strings.EqualFold(u.WorkCode, needle) || strings.EqualFold(u.ID, needle) || strings.Contains(strings.ToLower(u.Email), needle) ||
				(len(mobile) >= 4 && strings.Contains(directory.NormalizeMobile(u.Mobile), mobile)) {
				hits = append(hits, u)
				if len(hits) >= limit {
					return errStop
				}
			}
			return nil
		})
		if err != nil && err != errStop {
			return err
		}
		for _, u := range hits {
			c := OACandidate{User: u}
			if d, err := directory.OADepts.Get(tx, oaKey(u.DepartmentID)); err == nil {
				c.Dept = d.Name
			}
			if b, ok, err := ForOAUser(tx, corpID, u.ID); err != nil {
				return err
			} else if ok {
				c.BoundTo = b.WeLinkUserID
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

var errStop = core.Errorf("stop")

// BindUser binds a WeLink user to an OA user from the person card. A user
// already bound to another OA user is rebound (the card asks first).
func (s *Service) BindUser(corpID, welinkUserID, oaUserID string) (Binding, error) {
	var out Binding
	err := s.d.DB.Update(func(tx *store.Tx) error {
		if ok, err := directory.Users.Has(tx, directory.Key(corpID, welinkUserID)); err != nil {
			return err
		} else if !ok {
			return core.ErrBindingWeLinkUserUnknown.New("user", welinkUserID)
		}
		ou, err := directory.OAUsers.Get(tx, oaKey(oaUserID))
		if isNotFound(err) {
			return core.ErrBindingOAUserUnknown.New("oa", oaUserID)
		}
		if err != nil {
			return err
		}
		if ou.Left {
			return core.ErrBindingOAUserLeft.New("oa", nonEmptyOr(ou.LoginID, ou.Name))
		}
		out, err = put(tx, Binding{CorpID: corpID, WeLinkUserID: welinkUserID, OAUserID: ou.ID, OALoginID: ou.LoginID,
			Method: MethodManual, By: Admin, At: s.d.Clock.Now()}, true, "")
		return err
	})
	if err == nil {
		s.log.Info("bound", "corp", corpID, "user", welinkUserID, "oa", out.OALoginID, "method", MethodManual)
	}
	return out, err
}

// UnbindUser removes a WeLink user's binding from the person card.
func (s *Service) UnbindUser(corpID, welinkUserID string) (Binding, error) {
	var out Binding
	err := s.d.DB.Update(func(tx *store.Tx) error {
		var err error
		out, err = Unbind(tx, corpID, welinkUserID, MethodManual, Admin, s.d.Clock.Now())
		return err
	})
	if err == nil {
		s.log.Info("unbound", "corp", corpID, "user", welinkUserID, "oa", out.OALoginID)
	}
	return out, err
}

// GetSettings returns the corp's binding settings (the same record the
// sync screens show).
func (s *Service) GetSettings(corpID string) (Settings, error) {
	var out Settings
	err := s.d.DB.View(func(tx *store.Tx) error { var e error; out, e = LoadSettings(tx, corpID); return e })
	return out, err
}

// SaveSettings stores the corp's binding settings.
func (s *Service) SaveSettings(in Settings) (Settings, error) {
	if in.CorpID == "" {
		return Settings{}, core.ErrRequired.New("field", "corpId")
	}
	var out Settings
	err := s.d.DB.Update(func(tx *store.Tx) error {
		if err := tenant.CheckActive(tx, in.CorpID); err != nil {
			return err
		}
		var e error
		out, e = SaveSettings(tx, in, Admin, s.d.Clock.Now())
		return e
	})
	if err == nil {
		s.log.Info("binding settings saved", "corp", in.CorpID, "autoBind", out.AutoBind, "rules", len(out.Rules), "selfService", out.SelfService)
	}
	return out, err
}

// FieldOptions lists what rules and imports can match on.
type FieldOptions struct {
	WeLink []string `json:"welink"`
	OA     []string `json:"oa"`
}

func (s *Service) Fields() (FieldOptions, error) {
	return FieldOptions{WeLink: WeLinkFields, OA: OAFields}, nil
}

// RefreshOAUsers pulls the OA org into the local snapshot (what the picker,
// the rules and the import match against).
func (s *Service) RefreshOAUsers() (OARefresh, error) {
	if s.d.RefreshOA == nil {
		return OARefresh{}, core.ErrUnavailable.New()
	}
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Minute)
	defer cancel()
	return s.d.RefreshOA(ctx)
}

func oaKey(id string) string { return escapeID(id) }
