package syncer

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
)

// Binder is what the sync needs from user binding: the shared auto-binding
// switch, auto-association of new WeLink users, and writing a binding with
// its audit entry. app wires it to backend/binding.
type Binder interface {
	AutoBindEnabled(tx *store.Tx, corpID string) (bool, error)
	// AutoBindNew links newly seen WeLink users by the shared rules when the
	// switch is on, and returns how many it bound.
	AutoBindNew(ctx context.Context, corpID string, users []directory.User) (int, error)
	Bind(tx *store.Tx, b binding.Binding) error
	// Unbind drops a binding whose WeLink account no longer exists.
	Unbind(tx *store.Tx, corpID, welinkUserID string) error
}

// Options wire an Engine.
type Options struct {
	DB     *store.DB
	WeLink func() *welink.Client
	// OA returns the configured OA connector.
	OA func(ctx context.Context) (oa.Connector, error)
	// SaveOASnapshot stores a whole OA read as the local OA snapshot
	// (directory.OAUsers/OADepts); nil skips it.
	SaveOASnapshot func(org *oa.Org) error
	Binder         Binder
	Clock          core.Clock
	Log            *slog.Logger
	// Emit sends progress events ("sync:progress") to the UI; may be nil.
	Emit func(event string, data any)
	// Tenant checks that corps and apps exist; nil skips the checks (tests).
	Tenant *tenant.Service
	// PollEvery is how often async batch jobs are polled; 0 = 1 s.
	PollEvery time.Duration
	// Workers is how many batch jobs (or realtime department creates) are
	// in flight — submitted and being polled — at once; 0 = 64. Job
	// latency and waits for the result API's quota, not CPU, is what they
	// cover: to keep one API at its 40 calls/s while each job takes its
	// latency plus up to a second of waiting for its result call, about 60
	// must be under way. The client keeps every call inside the quotas.
	Workers int
}

// Engine runs syncs: one run per direction per corp at a time.
type Engine struct {
	o      Options
	mu     sync.Mutex
	active map[string]*activeRun
	editMu sync.Mutex // local directory edits (localedit.go), one at a time
}

type activeRun struct {
	cancel   context.CancelFunc
	progress Progress
}

// Progress is the live state of a run, sent at most every 100 ms.
type Progress struct {
	RunID     string `json:"runId"`
	CorpID    string `json:"corpId"`
	Direction string `json:"direction"`
	Stage     string `json:"stage"`
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	Status    string `json:"status"`
	Counts    Counts `json:"counts"`
}

// ProgressEvent is the event name of Progress.
const ProgressEvent = "sync:progress"

// NewEngine builds an engine.
func NewEngine(o Options) *Engine {
	if o.Clock == nil {
		o.Clock = core.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.PollEvery <= 0 {
		o.PollEvery = time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 64
	}
	if o.Binder == nil {
		o.Binder = plainBinder{}
	}
	return &Engine{o: o, active: map[string]*activeRun{}}
}

func lockKey(corpID, dir string) string { return corpID + "|" + dir }

func directionLabel(dir string) string {
	if dir == FromOA {
		return "OA → WeLink"
	}
	return "WeLink → 云桥"
}

// acquire marks a direction of a corp busy.
func (e *Engine) acquire(corpID, dir string, cancel context.CancelFunc) (*activeRun, error) {
	// Manual, scheduled and approved runs all start here: none for a corp
	// that is being deleted.
	if err := e.checkActive(corpID); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	k := lockKey(corpID, dir)
	if e.active[k] != nil {
		return nil, core.ErrSyncRunning.New("direction", directionLabel(dir))
	}
	a := &activeRun{cancel: cancel, progress: Progress{CorpID: corpID, Direction: dir, Status: StatusRunning}}
	e.active[k] = a
	return a, nil
}

func (e *Engine) release(corpID, dir string) {
	e.mu.Lock()
	delete(e.active, lockKey(corpID, dir))
	e.mu.Unlock()
}

// Busy reports whether a direction of a corp is running.
func (e *Engine) Busy(corpID, dir string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.active[lockKey(corpID, dir)] != nil
}

// Active returns the live progress of the corp's running syncs.
func (e *Engine) Active(corpID string) []Progress {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Progress
	for _, dir := range []string{FromWeLink, FromOA} {
		if a := e.active[lockKey(corpID, dir)]; a != nil {
			out = append(out, a.progress)
		}
	}
	return out
}

// Cancel stops a running direction; false when nothing runs.
func (e *Engine) Cancel(corpID, dir string) bool {
	e.mu.Lock()
	a := e.active[lockKey(corpID, dir)]
	e.mu.Unlock()
	if a == nil {
		return false
	}
	a.cancel()
	return true
}

// reporter throttles progress to one event per 100 ms.
type reporter struct {
	e    *Engine
	a    *activeRun
	last time.Time
}

func (r *reporter) set(fn func(p *Progress), force bool) {
	r.e.mu.Lock()
	before := r.a.progress.Stage
	fn(&r.a.progress)
	p := r.a.progress
	force = force || p.Stage != before // a new stage is always told
	r.e.mu.Unlock()
	now := time.Now()
	if r.e.o.Emit != nil && (force || now.Sub(r.last) >= 100*time.Millisecond) {
		r.last = now
		r.e.o.Emit(ProgressEvent, p)
	}
}

func (r *reporter) stage(name string, done, total int) {
	r.set(func(p *Progress) { p.Stage, p.Done, p.Total = name, done, total }, false)
}

// Recover marks runs a stopped process left half-way as interrupted. A new
// run resumes the work: objects created before the stop carry markers and
// are matched instead of created twice.
func (e *Engine) Recover() error {
	return e.o.DB.Update(func(tx *store.Tx) error {
		for _, st := range []string{StatusRunning, StatusApplying} {
			list, err := runs.Lookup(tx, "status", st)
			if err != nil {
				return err
			}
			for _, r := range list {
				r.Status, r.EndedAt = StatusInterrupted, e.o.Clock.Now()
				if err := runs.Put(tx, &r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// LoadSettings returns a corp's settings or the defaults.
func LoadSettings(tx *store.Tx, corpID string) (Settings, error) {
	s, err := settingsColl.Get(tx, corpID)
	if core.Of(err, core.ErrNotFound) {
		return defaultSettings(corpID), nil
	}
	return s, err
}

// CheckWritable refuses local org edits when the corp's interface
// permission is read-only (seed 4.3.3 item 3). Manual binding is not an org
// edit and does not call it.
func CheckWritable(tx *store.Tx, corpID string) error {
	s, err := LoadSettings(tx, corpID)
	if err != nil {
		return err
	}
	if s.Mode != ModeReadWrite {
		return core.ErrSyncReadOnly.New()
	}
	return nil
}

func (e *Engine) app(st Settings) (*welink.App, error) {
	if st.AppID == "" {
		return nil, core.ErrSyncNoApp.New()
	}
	var cr welink.Credentials
	err := e.o.DB.View(func(tx *store.Tx) error {
		var err error
		cr, err = tenant.Credentials(e.o.DB, tx, st.AppID)
		return err
	})
	if err != nil {
		if core.Of(err, core.ErrAppNotFound) || core.Of(err, core.ErrNotFound) {
			return nil, core.ErrSyncNoApp.New()
		}
		return nil, err
	}
	return e.o.WeLink().App(cr), nil
}

func (e *Engine) newRun(corpID, dir, trigger string) *Run {
	return &Run{ID: runID(e.o.Clock.Now()), CorpID: corpID, Direction: dir, Trigger: trigger, Status: StatusRunning, StartedAt: e.o.Clock.Now()}
}

// runID sorts by time.
func runID(t time.Time) string {
	return t.UTC().Format("20060102T150405.000000000Z") + "-" + core.NewID()[:6]
}

func (e *Engine) saveRun(r *Run) error {
	return e.o.DB.Update(func(tx *store.Tx) error { return runs.Put(tx, r) })
}

// finish records how a run ended.
func (e *Engine) finish(r *Run, err error) {
	r.EndedAt = e.o.Clock.Now()
	if err != nil {
		switch {
		case errors.Is(err, context.Canceled):
			r.Status = StatusCancelled
		default:
			r.Status = StatusFailed
		}
		ce := core.AsError(err)
		r.Error = &ErrorInfo{Code: ce.Code, Params: ce.Params}
		if r.Status == StatusCancelled {
			r.Error = &ErrorInfo{Code: core.ErrSyncCancelled.Code}
		}
		e.o.Log.Warn("sync run ended with an error", "run", r.ID, "corp", r.CorpID, "direction", r.Direction, "err", err)
	}
	if err := e.saveRun(r); err != nil {
		e.o.Log.Error("sync run not saved", "run", r.ID, "err", err)
	}
}

// saveActions writes actions with a batch: their index values (the run id)
// never change, which is what store.Batch requires.
func (e *Engine) saveActions(list []Action) error {
	if len(list) == 0 {
		return nil
	}
	b := e.o.DB.NewBatch()
	for i := range list {
		if err := actions.PutBatch(b, &list[i]); err != nil {
			b.Cancel()
			return err
		}
	}
	return b.Flush()
}

// RunActions lists a run's actions in plan order.
func RunActions(tx *store.Tx, runID string) ([]Action, error) {
	list, err := actions.Lookup(tx, "run", runID)
	sort.Slice(list, func(i, j int) bool { return list[i].Seq < list[j].Seq })
	return list, err
}

// plainBinder writes bindings directly; auto-association stays off.
type plainBinder struct{}

func (plainBinder) AutoBindEnabled(*store.Tx, string) (bool, error) { return false, nil }
func (plainBinder) AutoBindNew(context.Context, string, []directory.User) (int, error) {
	return 0, nil
}
func (plainBinder) Bind(tx *store.Tx, b binding.Binding) error { return binding.Bindings.Put(tx, &b) }
func (plainBinder) Unbind(tx *store.Tx, corpID, welinkUserID string) error {
	return binding.Bindings.Delete(tx, directory.Key(corpID, welinkUserID))
}

// checkActive refuses work for a corp marked for deletion (corp.deleting).
func (e *Engine) checkActive(corpID string) error {
	return e.o.DB.View(func(tx *store.Tx) error { return tenant.CheckActive(tx, corpID) })
}

func (e *Engine) corpExists(corpID string) error {
	if e.o.Tenant == nil {
		return nil
	}
	corps, err := e.o.Tenant.ListCorps()
	if err != nil {
		return err
	}
	for _, c := range corps {
		if c.ID == corpID {
			if c.Deleting {
				return core.ErrCorpDeleting.New("name", c.Name)
			}
			return nil
		}
	}
	return core.ErrCorpNotFound.New()
}

func (e *Engine) appOfCorp(appID, corpID string) error {
	if e.o.Tenant == nil || appID == "" {
		return nil
	}
	apps, err := e.o.Tenant.ListApps(corpID)
	if err != nil {
		return err
	}
	for _, a := range apps {
		if a.ID == appID {
			return nil
		}
	}
	return core.ErrAppNotFound.New()
}
