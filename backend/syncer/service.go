package syncer

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
)

// Service is bound to the UI (Wails and the headless transport): its
// exported methods are exactly the UI's API for the sync screens.
type Service struct {
	ctx context.Context
	e   *Engine
	log *slog.Logger
	// OnSettings is told when a corp's settings changed (schedules).
	onSettings func(Settings)
	wg         sync.WaitGroup
	sched      *Scheduler
}

// SetScheduler lets the UI show the next scheduled runs.
func SetScheduler(s *Service, sc *Scheduler) { s.sched = sc }

// NextRuns returns when each direction of a corp runs next by schedule
// (absent = not scheduled).
func (s *Service) NextRuns(corpID string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if s.sched == nil {
		return out, nil
	}
	for _, dir := range []string{FromWeLink, FromOA} {
		if t := s.sched.Next(corpID, dir); !t.IsZero() {
			out[dir] = t
		}
	}
	return out, nil
}

// NewService wraps an engine for the UI. onSettings (may be nil) is called
// after settings are saved, e.g. to reschedule.
func NewService(ctx context.Context, e *Engine, onSettings func(Settings)) *Service {
	return &Service{ctx: ctx, e: e, log: e.o.Log.With("service", "sync"), onSettings: onSettings}
}

// Engine exposes the engine to the wiring (schedules); not for the UI.
func EngineOf(s *Service) *Engine { return s.e }

// Wait blocks until background runs started by the UI have ended.
func Wait(s *Service) { s.wg.Wait() }

// GetSettings returns a corp's sync settings (defaults when never saved).
func (s *Service) GetSettings(corpID string) (Settings, error) {
	var st Settings
	if err := s.e.corpExists(corpID); err != nil {
		return Settings{}, err
	}
	err := s.e.o.DB.View(func(tx *store.Tx) error { var err error; st, err = LoadSettings(tx, corpID); return err })
	return st, err
}

var hhmm = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

func cleanSchedule(sc *Schedule, field string) error {
	switch sc.Kind {
	case "", "daily":
		sc.Kind = "daily"
		if sc.At == "" {
			sc.At = "02:00"
		}
		if !hhmm.MatchString(sc.At) {
			return core.ErrSyncScheduleBad.New("value", field+": "+sc.At)
		}
	case "interval":
		if sc.Minutes < 5 || sc.Minutes > 7*24*60 {
			return core.ErrSyncScheduleBad.New("value", field+": "+itoa(sc.Minutes))
		}
	default:
		return core.ErrSyncScheduleBad.New("value", field+": "+sc.Kind)
	}
	return nil
}

// ValidateSettings checks and normalises settings.
func ValidateSettings(st *Settings) error {
	if st.Mode != ModeReadOnly && st.Mode != ModeReadWrite {
		return core.ErrInvalidInput.New("field", "mode")
	}
	if err := cleanSchedule(&st.WeLink.Schedule, "welink"); err != nil {
		return err
	}
	if err := cleanSchedule(&st.OA.Schedule, "oa"); err != nil {
		return err
	}
	seen := map[string]bool{}
	var fm []FieldRule
	for _, r := range st.OA.FieldMap {
		if !knownOA[r.OA] {
			return core.ErrSyncFieldUnknown.New("field", r.OA)
		}
		if !knownWL[r.WeLink] {
			return core.ErrSyncFieldUnknown.New("field", r.WeLink)
		}
		if r.Match && matchableWL[r.WeLink] == "" {
			r.Match = false // names and titles never link two people
		}
		k := r.OA + "=" + r.WeLink
		if seen[k] {
			continue
		}
		seen[k] = true
		fm = append(fm, r)
	}
	st.OA.FieldMap = fm
	sf := st.OA.Safety
	for name, v := range map[string]int{"maxDropCount": sf.MaxDropCount, "quarantineCount": sf.QuarantineCount} {
		if v < 0 {
			return core.ErrSyncThresholdBad.New("field", name)
		}
	}
	for name, v := range map[string]int{"maxDropPercent": sf.MaxDropPercent, "quarantinePercent": sf.QuarantinePercent} {
		if v < 0 || v > 100 {
			return core.ErrSyncThresholdBad.New("field", name)
		}
	}
	clean := func(l []string) []string {
		var out []string
		for _, v := range l {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	st.OA.Scope.Depts, st.OA.Scope.UsersInclude, st.OA.Scope.UsersExclude =
		clean(st.OA.Scope.Depts), clean(st.OA.Scope.UsersInclude), clean(st.OA.Scope.UsersExclude)
	st.OA.TopDeptCode = strings.TrimSpace(st.OA.TopDeptCode)
	if st.OA.TopDeptCode == "0" {
		st.OA.TopDeptCode = ""
	}
	return nil
}

// SaveSettings validates and stores a corp's sync settings.
func (s *Service) SaveSettings(st Settings) (Settings, error) {
	if err := ValidateSettings(&st); err != nil {
		return Settings{}, err
	}
	st.UpdatedAt = s.e.o.Clock.Now()
	if err := s.e.corpExists(st.CorpID); err != nil {
		return Settings{}, err
	}
	if err := s.e.appOfCorp(st.AppID, st.CorpID); err != nil {
		return Settings{}, err
	}
	err := s.e.o.DB.Update(func(tx *store.Tx) error {
		if st.OA.TopDeptCode != "" {
			if ok, err := directory.Depts.Has(tx, directory.Key(st.CorpID, st.OA.TopDeptCode)); err != nil {
				return err
			} else if !ok {
				return core.ErrSyncMountMissing.New("code", st.OA.TopDeptCode)
			}
		}
		return settingsColl.Put(tx, &st)
	})
	if err != nil {
		return Settings{}, err
	}
	if s.onSettings != nil {
		s.onSettings(st)
	}
	return st, nil
}

// StartFromWeLink starts 从WeLink同步 in the background and returns at once;
// progress comes as events and from Active.
func (s *Service) StartFromWeLink(corpID string) (Progress, error) {
	if err := s.e.corpExists(corpID); err != nil {
		return Progress{}, err
	}
	if s.e.Busy(corpID, FromWeLink) {
		return Progress{}, core.ErrSyncRunning.New("direction", directionLabel(FromWeLink))
	}
	var st Settings
	if err := s.e.o.DB.View(func(tx *store.Tx) error { var err error; st, err = LoadSettings(tx, corpID); return err }); err != nil {
		return Progress{}, err
	}
	if st.AppID == "" {
		return Progress{}, core.ErrSyncNoApp.New()
	}
	return s.background(corpID, FromWeLink, func(ctx context.Context) { s.e.RunFromWeLink(ctx, corpID, TriggerManual) })
}

// StartFromOA starts 从OA同步 (preview=true: 模拟同步, plan only). A real
// run applies everything except deletions, which wait for approval.
func (s *Service) StartFromOA(corpID string, preview, ignoreThreshold bool) (Progress, error) {
	if err := s.e.corpExists(corpID); err != nil {
		return Progress{}, err
	}
	var st Settings
	if err := s.e.o.DB.View(func(tx *store.Tx) error { var err error; st, err = LoadSettings(tx, corpID); return err }); err != nil {
		return Progress{}, err
	}
	if st.Mode != ModeReadWrite {
		return Progress{}, core.ErrSyncReadOnly.New()
	}
	if st.AppID == "" {
		return Progress{}, core.ErrSyncNoApp.New()
	}
	if s.e.Busy(corpID, FromOA) {
		return Progress{}, core.ErrSyncRunning.New("direction", directionLabel(FromOA))
	}
	opt := OARunOptions{Trigger: TriggerManual, PreviewOnly: preview, IgnoreThreshold: ignoreThreshold}
	return s.background(corpID, FromOA, func(ctx context.Context) { s.e.RunFromOA(ctx, corpID, opt) })
}

// Apply applies a stored preview; approveDeletes also performs its
// deletions (irreversible; the UI asks for confirmation). For a
// quarantined run it applies the held deletions.
func (s *Service) Apply(runID string, approveDeletes bool) (Progress, error) {
	r, err := s.e.loadRun(runID)
	if err != nil {
		return Progress{}, err
	}
	if r.Status != StatusPlanned && !(r.Status == StatusQuarantined && approveDeletes) {
		if r.Status == StatusSuperseded {
			return Progress{}, core.ErrSyncPlanStale.New()
		}
		return Progress{}, core.ErrSyncNotApprovable.New("status", r.Status)
	}
	if err := s.e.checkActive(r.CorpID); err != nil {
		return Progress{}, err
	}
	if s.e.Busy(r.CorpID, FromOA) {
		return Progress{}, core.ErrSyncRunning.New("direction", directionLabel(FromOA))
	}
	return s.background(r.CorpID, FromOA, func(ctx context.Context) { s.e.ApplyRun(ctx, runID, approveDeletes) })
}

func (s *Service) background(corpID, dir string, fn func(ctx context.Context)) (Progress, error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
	return Progress{CorpID: corpID, Direction: dir, Status: StatusRunning, Stage: "start"}, nil
}

// Cancel stops a running direction ("welink" | "oa").
func (s *Service) Cancel(corpID, direction string) (bool, error) {
	return s.e.Cancel(corpID, direction), nil
}

// Active returns the live progress of the corp's running syncs.
func (s *Service) Active(corpID string) ([]Progress, error) {
	out := s.e.Active(corpID)
	if out == nil {
		out = []Progress{}
	}
	return out, nil
}

// RunPage is a page of the run history.
type RunPage struct {
	Runs  []Run `json:"runs"`
	Total int   `json:"total"`
}

// ListRuns lists a corp's runs, newest first.
func (s *Service) ListRuns(corpID, direction string, offset, limit int) (RunPage, error) {
	var list []Run
	err := s.e.o.DB.View(func(tx *store.Tx) error { var err error; list, err = runs.Lookup(tx, "corp", corpID); return err })
	if err != nil {
		return RunPage{}, err
	}
	out := list[:0]
	for _, r := range list {
		if direction == "" || r.Direction == direction {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	page := RunPage{Total: len(out), Runs: []Run{}}
	limit = clampLimit(limit)
	if offset >= 0 && offset < len(out) {
		page.Runs = out[offset:min(offset+limit, len(out))]
	}
	return page, nil
}

// GetRun returns one run.
func (s *Service) GetRun(runID string) (Run, error) { return s.e.loadRun(runID) }

// ActionFilter selects actions of a run.
type ActionFilter struct {
	Object string `json:"object"` // "" | dept | user
	Kind   string `json:"kind"`   // "" or an Act* kind
	Result string `json:"result"` // "" or a Res* result
	Query  string `json:"query"`  // name or id substring
	Offset int    `json:"offset"`
	Limit  int    `json:"limit"`
}

// ActionPage is a page of a run's actions.
type ActionPage struct {
	Actions []Action `json:"actions"`
	Total   int      `json:"total"`
}

func clampLimit(l int) int {
	if l <= 0 {
		return 50
	}
	return min(l, 1000)
}

// ListActions pages through a run's plan and results.
func (s *Service) ListActions(runID string, f ActionFilter) (ActionPage, error) {
	if _, err := s.e.loadRun(runID); err != nil {
		return ActionPage{}, err
	}
	var list []Action
	if err := s.e.o.DB.View(func(tx *store.Tx) error { var err error; list, err = RunActions(tx, runID); return err }); err != nil {
		return ActionPage{}, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	out := list[:0]
	for _, a := range list {
		if f.Object != "" && a.Object != f.Object || f.Kind != "" && a.Kind != f.Kind || f.Result != "" && a.Result != f.Result {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(a.OAName+" "+a.WLName+" "+a.OAID+" "+a.WLID+" "+a.Path), q) {
			continue
		}
		out = append(out, a)
	}
	page := ActionPage{Total: len(out), Actions: []Action{}}
	if f.Offset >= 0 && f.Offset < len(out) {
		page.Actions = out[f.Offset:min(f.Offset+clampLimit(f.Limit), len(out))]
	}
	return page, nil
}

// PlanTree returns a run's department actions in plan order: the preview
// tree (orange matched, purple new, red deleted, moved).
func (s *Service) PlanTree(runID string) ([]Action, error) {
	page, err := s.ListActions(runID, ActionFilter{Object: "dept", Limit: 1000})
	if err != nil {
		return nil, err
	}
	if page.Total > len(page.Actions) {
		var list []Action
		err = s.e.o.DB.View(func(tx *store.Tx) error { var err error; list, err = RunActions(tx, runID); return err })
		page.Actions = page.Actions[:0]
		for _, a := range list {
			if a.Object == "dept" {
				page.Actions = append(page.Actions, a)
			}
		}
	}
	return page.Actions, err
}

// ExportRun returns a run's results as an Excel workbook (base64 in JSON).
func (s *Service) ExportRun(runID string) (Export, error) {
	r, err := s.e.loadRun(runID)
	if err != nil {
		return Export{}, err
	}
	var list []Action
	if err := s.e.o.DB.View(func(tx *store.Tx) error { var err error; list, err = RunActions(tx, runID); return err }); err != nil {
		return Export{}, err
	}
	data, err := exportXLSX(r, list)
	if err != nil {
		return Export{}, err
	}
	return Export{Name: "sync-" + r.Direction + "-" + r.StartedAt.Format("20060102-150405") + ".xlsx", Data: data}, nil
}

// Export is a file for the UI to save.
type Export struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}
