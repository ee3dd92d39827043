package relay

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// Options wire an Engine.
type Options struct {
	DB     *store.DB
	Apps   Apps
	WeLink func() *welink.Client // the client for the current base URL
	Clock  core.Clock
	Log    *slog.Logger
	// Emit notifies the UI ("relay:changed", at most once a second).
	Emit func(event string, data any)
	// Workers is how many rows are in flight at WeLink; the client's
	// quotas set the pace, this only covers WeLink's latency. 0 = 16.
	Workers int
	// RetryBase/RetryMax shape the dispatcher's backoff between rounds
	// (each round already includes the client's own quick retries).
	// 0 = 30 s and 30 min.
	RetryBase, RetryMax time.Duration
	// BindRecheck is how soon an unbound receiver is looked at again.
	// 0 = 1 min.
	BindRecheck time.Duration
	// NoSync skips the fsync after each intake group (benchmarks that
	// measure the rest; never in the product).
	NoSync bool
	// Grace lets in-flight WeLink calls finish on Stop. 0 = 15 s.
	Grace time.Duration
}

// Engine is the relay: intake, committer, dispatcher, housekeeping. The
// app wires it; its UI API is Service.
type Engine struct {
	opts    Options
	db      *store.DB
	apps    Apps
	welink  func() *welink.Client
	clock   core.Clock
	log     *slog.Logger
	sync    bool
	ctx     context.Context
	cancel  context.CancelFunc
	callCtx context.Context
	callEnd context.CancelFunc

	commitCh      chan *commitReq
	committerDone chan struct{}
	q             *queue
	workers       sync.WaitGroup
	started       atomic.Bool
	stopped       atomic.Bool

	counters *counters
	baseURL  atomic.Value // string

	mu         sync.RWMutex
	rulesCache []Rule
	sysCache   map[string]*authSystem
	cfgCache   Config
	appCache   map[string]AppInfo
	rulesDirty atomic.Bool

	flushMu  sync.Mutex
	emit     atomic.Pointer[func(string, any)]
	emitMu   sync.Mutex
	emitLast time.Time
	emitPend bool
}

// AppInfo is what a delivery needs of an app.
type AppInfo struct {
	ID, CorpID, Name string
}

// New builds the engine; Start begins intake and delivery.
func New(ctx context.Context, o Options) *Engine {
	if o.Clock == nil {
		o.Clock = core.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 30 * time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 30 * time.Minute
	}
	if o.BindRecheck <= 0 {
		o.BindRecheck = time.Minute
	}
	if o.Grace <= 0 {
		o.Grace = 15 * time.Second
	}
	e := &Engine{opts: o, db: o.DB, apps: o.Apps, welink: o.WeLink, clock: o.Clock, log: o.Log.With("component", "relay"),
		sync: !o.NoSync, commitCh: make(chan *commitReq, 1024), committerDone: make(chan struct{}),
		appCache: map[string]AppInfo{}}
	e.ctx, e.cancel = context.WithCancel(ctx)
	e.callCtx, e.callEnd = context.WithCancel(context.WithoutCancel(ctx))
	e.q = newQueue(e.clock.Now)
	e.counters = &counters{hours: map[string]*hourStats{}}
	e.baseURL.Store("")
	return e
}

// Start loads rules and systems, recovers interrupted work and starts the
// committer, the workers and the stats flusher.
func (e *Engine) Start() error {
	if !e.started.CompareAndSwap(false, true) {
		return nil
	}
	if err := e.reload(); err != nil {
		return err
	}
	if err := e.recover(); err != nil {
		return err
	}
	go e.committer()
	for i := 0; i < e.opts.Workers; i++ {
		e.workers.Add(1)
		go e.worker()
	}
	go e.flusher()
	return nil
}

// Stop stops intake (new requests get relay.stopped), lets in-flight calls
// finish within the grace period and flushes the counters. Rows not
// finished stay in the outbox for the next start.
func (e *Engine) Stop() {
	if !e.started.Load() || !e.stopped.CompareAndSwap(false, true) {
		return
	}
	e.cancel()
	<-e.committerDone
	e.q.close()
	done := make(chan struct{})
	go func() { e.workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(e.opts.Grace):
		e.callEnd()
		<-done
	}
	e.callEnd()
	e.flushStats()
}

func errStopped() error { return core.ErrRelayStopped.New() }

func isNotFound(err error) bool { return core.Of(err, core.ErrNotFound) }

// reload refreshes the caches of rules, OA systems and configuration.
func (e *Engine) reload() error {
	var rs []Rule
	var sys []OASystem
	var cfg Config
	err := e.db.View(func(tx *store.Tx) error {
		var err error
		if rs, err = rules.List(tx); err != nil {
			return err
		}
		if sys, err = systems.List(tx); err != nil {
			return err
		}
		c, ok, err := configs.Get(tx)
		if err != nil {
			return err
		}
		cfg = Defaults()
		if ok {
			cfg = c
		}
		return nil
	})
	if err != nil {
		return err
	}
	m := map[string]*authSystem{}
	for _, s := range sys {
		a := &authSystem{OASystem: s}
		if s.Secret.IsSet() {
			if a.secret, err = e.db.Unseal(secretAAD(s.ID), s.Secret); err != nil {
				return err
			}
		}
		if a.nets, err = parseNets(s.AllowedIPs); err != nil {
			return err
		}
		m[s.SysCode] = a
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].CreatedAt.Before(rs[j].CreatedAt) })
	e.mu.Lock()
	e.rulesCache, e.sysCache, e.cfgCache = rs, m, cfg
	e.appCache = map[string]AppInfo{}
	e.mu.Unlock()
	e.rulesDirty.Store(false)
	return nil
}

func (e *Engine) rulesSnapshot() []Rule {
	if e.rulesDirty.Load() {
		if err := e.reload(); err != nil {
			e.log.Error("relay: reload rules", "err", err)
		}
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.rulesCache
}

func (e *Engine) systemsSnapshot() map[string]*authSystem {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.sysCache
}

func (e *Engine) config() Config {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.cfgCache
}

func (e *Engine) publicBase() string { return e.baseURL.Load().(string) }

func (e *Engine) appInfo(id string) (AppInfo, error) {
	e.mu.RLock()
	a, ok := e.appCache[id]
	e.mu.RUnlock()
	if ok {
		return a, nil
	}
	v, err := e.apps.GetApp(id)
	if err != nil {
		return AppInfo{}, err
	}
	a = AppInfo{ID: v.ID, CorpID: v.CorpID, Name: v.Name}
	e.mu.Lock()
	e.appCache[id] = a
	e.mu.Unlock()
	return a, nil
}

// recover schedules every open row. A row left "sending" was interrupted
// mid-call: a to-do op is repeated (WeLink's answer tells whether it had
// landed), a notice/card send becomes uncertain unless configured otherwise.
func (e *Engine) recover() error {
	now := e.clock.Now()
	cfg := e.config()
	var push []followUp
	var interrupted int
	err := e.db.Update(func(tx *store.Tx) error {
		push, interrupted = push[:0], 0
		open, err := deliveries.Lookup(tx, "open", "1")
		if err != nil {
			return err
		}
		for _, d := range open {
			if d.Status == StatusSending {
				interrupted++
				op := ""
				if d.InFlight != nil {
					op = d.InFlight.Op
				}
				d.InFlight, d.UpdatedAt = nil, now
				if op == opSend && !cfg.ResendUncertain {
					d.Status, d.Reason = StatusUncertain, core.ErrRelayUncertain.New()
					d.event(Event{At: now, Kind: "uncertain", Op: op, Detail: "interrupted by a restart"})
				} else {
					d.Status, d.InDoubt = StatusQueued, true
					d.event(Event{At: now, Kind: "retry", Op: op, Detail: "interrupted by a restart"})
					push = append(push, followUp{id: d.ID, group: d.GroupKey})
				}
				if err := deliveries.Put(tx, &d); err != nil {
					return err
				}
				continue
			}
			push = append(push, followUp{id: d.ID, group: d.GroupKey, at: d.NextAt})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range push {
		e.q.push(f.id, f.group, f.at)
	}
	if len(push) > 0 || interrupted > 0 {
		e.log.Info("relay: resumed outbox", "rows", len(push), "interrupted", interrupted)
	}
	return nil
}

// RecheckUnbound wakes the rows waiting for a binding whose receiver is
// bound now (or whose window is over, to give them up). The scheduler
// runs it every minute; the binding area may call it after binding.
func (e *Engine) RecheckUnbound() int {
	now := e.clock.Now()
	window := time.Duration(e.config().BindWindowHours) * time.Hour
	sys := e.systemsSnapshot()
	var wake []followUp
	_ = e.db.View(func(tx *store.Tx) error {
		list, err := deliveries.Lookup(tx, "status", StatusNotBound)
		for _, d := range list {
			ready := now.Sub(d.CreatedAt) >= window
			if !ready {
				rule := PersonAuto
				if s, ok := sys[d.SysCode]; ok && s.PersonRule != "" {
					rule = s.PersonRule
				}
				if u, ok := findOAUser(tx, d.Receiver, rule); ok {
					_, ready, _ = binding.ForOAUser(tx, d.CorpID, u.ID)
				}
			}
			if ready {
				wake = append(wake, followUp{id: d.ID, group: d.GroupKey})
			}
		}
		return err
	})
	for s := 0; s < len(wake); s += rowsPerTxn {
		part := wake[s:min(len(wake), s+rowsPerTxn)]
		// Clear the wait so process() does not skip them as early.
		_ = e.db.Update(func(tx *store.Tx) error {
			for _, f := range part {
				d, err := deliveries.Get(tx, f.id)
				if err != nil || d.Status != StatusNotBound {
					continue
				}
				d.NextAt = time.Time{}
				if err := deliveries.Put(tx, &d); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for _, f := range wake {
		e.q.push(f.id, f.group, time.Time{})
	}
	return len(wake)
}

// Housekeep removes finished rows and items older than the retention,
// flushes counters and wakes unbound rows. Run by the scheduler.
func (e *Engine) Housekeep() (removed int, err error) {
	e.flushStats()
	e.RecheckUnbound()
	cfg := e.config()
	cutoff := e.clock.Now().Add(-time.Duration(cfg.RetentionDays) * 24 * time.Hour)
	var oldRows []string
	oldItems := map[string]bool{}
	err = e.db.View(func(tx *store.Tx) error {
		return deliveries.Each(tx, func(d Delivery) error {
			if !openStatus(d.Status) && d.UpdatedAt.Before(cutoff) {
				oldRows = append(oldRows, d.ID)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	_ = e.db.View(func(tx *store.Tx) error {
		return items.Each(tx, func(it Item) error {
			if it.UpdatedAt.Before(cutoff) {
				oldItems[it.ID] = true
			}
			return nil
		})
	})
	for len(oldRows) > 0 {
		n := min(len(oldRows), 500)
		chunk := oldRows[:n]
		oldRows = oldRows[n:]
		if err := e.db.Update(func(tx *store.Tx) error {
			for _, id := range chunk {
				if err := deliveries.Delete(tx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return removed, err
		}
		removed += n
	}
	var ids []string
	for id := range oldItems {
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		if err := e.db.Update(func(tx *store.Tx) error {
			for _, id := range chunk {
				// An item still referenced by an open row stays.
				if c, _ := deliveries.Count(tx, "item", id); c > 0 {
					continue
				}
				if err := items.Delete(tx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// RetryDue pushes rows whose retry time passed (a safety net for the
// in-memory timers; the scheduler runs it every minute).
func (e *Engine) RetryDue() int {
	now := e.clock.Now()
	var due []followUp
	_ = e.db.View(func(tx *store.Tx) error {
		list, err := deliveries.Lookup(tx, "open", "1")
		for _, d := range list {
			if d.Status != StatusSending && !d.NextAt.After(now) {
				due = append(due, followUp{id: d.ID, group: d.GroupKey})
			}
		}
		return err
	})
	for _, f := range due {
		e.q.push(f.id, f.group, time.Time{})
	}
	return len(due)
}

// Idle reports that the dispatcher has nothing ready, running or timed.
func (e *Engine) Idle() bool { return e.q.idle() && len(e.commitCh) == 0 }

// rowsPerTxn bounds the rows one transaction rewrites: Badger refuses a
// transaction above ~15 % of the memtable (about 2.4 MB with the store's
// 16 MB memtables), and a row with its timeline is a few KB.
const rowsPerTxn = 100

// updateRows runs fn over rs in transactions of rowsPerTxn rows. fn returns
// what to do once its transaction committed (it may run more than once on
// a conflict, so it must not change anything outside the transaction).
func (e *Engine) updateRows(rs []*row, fn func(tx *store.Tx, part []*row) (func(), error)) error {
	for s := 0; s < len(rs); s += rowsPerTxn {
		part := rs[s:min(len(rs), s+rowsPerTxn)]
		var after func()
		if err := e.db.Update(func(tx *store.Tx) error {
			var err error
			after, err = fn(tx, part)
			return err
		}); err != nil {
			return err
		}
		if after != nil {
			after()
		}
	}
	return nil
}

// SetEmit connects the UI's event emitter (the app creates it after the
// services).
func (e *Engine) SetEmit(f func(event string, data any)) { e.emit.Store(&f) }

func (e *Engine) emitFn() func(string, any) {
	if p := e.emit.Load(); p != nil && *p != nil {
		return *p
	}
	return e.opts.Emit
}

// changed tells the UI that counts moved, at most once a second.
func (e *Engine) changed() {
	emit := e.emitFn()
	if emit == nil {
		return
	}
	e.emitMu.Lock()
	defer e.emitMu.Unlock()
	if e.emitPend {
		return
	}
	wait := time.Second - time.Since(e.emitLast)
	if wait <= 0 {
		e.emitLast = time.Now()
		go emit("relay:changed", nil)
		return
	}
	e.emitPend = true
	time.AfterFunc(wait, func() {
		e.emitMu.Lock()
		e.emitPend, e.emitLast = false, time.Now()
		e.emitMu.Unlock()
		emit("relay:changed", nil)
	})
}

// counters keep the hourly figures in memory; the flusher adds them to the
// store every 10 s (a crash loses at most those seconds of counts, never
// a message).
type counters struct {
	mu    sync.Mutex
	hours map[string]*hourStats
}

func hourKey(t time.Time) string { return t.UTC().Format("2006-01-02T15") }

func (c *counters) add(t time.Time, f func(*hourStats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := hourKey(t)
	h := c.hours[k]
	if h == nil {
		h = &hourStats{Hour: k}
		c.hours[k] = h
	}
	f(h)
}

func (c *counters) take() map[string]*hourStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.hours
	c.hours = map[string]*hourStats{}
	return m
}

func (e *Engine) flusher() {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			e.flushStats()
		case <-e.ctx.Done():
			return
		}
	}
}

func (e *Engine) flushStats() {
	e.flushMu.Lock()
	defer e.flushMu.Unlock()
	m := e.counters.take()
	if len(m) == 0 {
		return
	}
	err := e.db.Update(func(tx *store.Tx) error {
		for k, add := range m {
			h, err := stats.Get(tx, k)
			if err != nil && !isNotFound(err) {
				return err
			}
			h.Hour = k
			h.Received += add.Received
			h.Delivered += add.Delivered
			h.Failed += add.Failed
			h.Dead += add.Dead
			h.Calls += add.Calls
			if err := stats.Put(tx, &h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.log.Error("relay: cannot store counters", "err", err)
		for k, h := range m {
			hh := *h
			e.counters.add(mustHour(k), func(x *hourStats) {
				x.Received += hh.Received
				x.Delivered += hh.Delivered
				x.Failed += hh.Failed
				x.Dead += hh.Dead
				x.Calls += hh.Calls
			})
		}
	}
}

func mustHour(k string) time.Time {
	t, _ := time.Parse("2006-01-02T15", k)
	return t
}
