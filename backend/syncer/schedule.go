package syncer

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"

	"cloudbridge/backend/store"
)

// Scheduler runs the scheduled syncs (是否定时同步 / 定时设置) with gocron:
// one job per corp and direction, in singleton mode (a run still going
// when the next is due makes that one wait its turn instead of
// overlapping), on top of the engine's own one-run-per-direction lock.
type Scheduler struct {
	e    *Engine
	ctx  context.Context
	s    gocron.Scheduler
	mu   sync.Mutex
	jobs map[string]uuid.UUID
}

// NewScheduler puts the sync jobs on s, the installation's scheduler (its
// owner starts and stops it).
func NewScheduler(ctx context.Context, e *Engine, s gocron.Scheduler) *Scheduler {
	return &Scheduler{e: e, ctx: ctx, s: s, jobs: map[string]uuid.UUID{}}
}

// Start loads every corp's schedules.
func (sc *Scheduler) Start() error {
	var all []Settings
	if err := sc.e.o.DB.View(func(tx *store.Tx) error {
		return settingsColl.Each(tx, func(s Settings) error { all = append(all, s); return nil })
	}); err != nil {
		return err
	}
	for _, st := range all {
		sc.Apply(st)
	}
	return nil
}

// Next returns when a corp's direction runs next (zero when unscheduled).
func (sc *Scheduler) Next(corpID, dir string) time.Time {
	sc.mu.Lock()
	id, ok := sc.jobs[lockKey(corpID, dir)]
	sc.mu.Unlock()
	if !ok {
		return time.Time{}
	}
	for _, j := range sc.s.Jobs() {
		if j.ID() == id {
			t, _ := j.NextRun()
			return t
		}
	}
	return time.Time{}
}

func definition(s Schedule) (gocron.JobDefinition, bool) {
	if !s.Enabled {
		return nil, false
	}
	if s.Kind == "interval" && s.Minutes >= 5 {
		return gocron.DurationJob(time.Duration(s.Minutes) * time.Minute), true
	}
	h, m, ok := strings.Cut(s.At, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil {
		return nil, false
	}
	return gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(uint(hh), uint(mm), 0))), true
}

// Apply (re)schedules a corp's two directions from its settings.
func (sc *Scheduler) Apply(st Settings) {
	sc.set(st.CorpID, FromWeLink, st.WeLink.Schedule)
	oa := st.OA.Schedule
	if st.Mode != ModeReadWrite {
		oa.Enabled = false // read-only: only WeLink → local may run
	}
	sc.set(st.CorpID, FromOA, oa)
}

// Remove drops a corp's schedules (the corp was deleted).
func (sc *Scheduler) Remove(corpID string) {
	sc.set(corpID, FromWeLink, Schedule{})
	sc.set(corpID, FromOA, Schedule{})
}

func (sc *Scheduler) set(corpID, dir string, s Schedule) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	k := lockKey(corpID, dir)
	if id, ok := sc.jobs[k]; ok {
		_ = sc.s.RemoveJob(id)
		delete(sc.jobs, k)
	}
	def, ok := definition(s)
	if !ok {
		return
	}
	j, err := sc.s.NewJob(def, gocron.NewTask(func() { sc.run(corpID, dir) }),
		gocron.WithSingletonMode(gocron.LimitModeReschedule), gocron.WithName("sync "+dir+" "+corpID))
	if err != nil {
		sc.e.o.Log.Error("sync schedule not set", "corp", corpID, "direction", dir, "err", err)
		return
	}
	sc.jobs[k] = j.ID()
}

func (sc *Scheduler) run(corpID, dir string) {
	var exists bool
	sc.e.o.DB.View(func(tx *store.Tx) error { var err error; exists, err = settingsColl.Has(tx, corpID); return err })
	if !exists {
		sc.Remove(corpID)
		return
	}
	var err error
	if dir == FromWeLink {
		_, err = sc.e.RunFromWeLink(sc.ctx, corpID, TriggerSchedule)
	} else {
		_, err = sc.e.RunFromOA(sc.ctx, corpID, OARunOptions{Trigger: TriggerSchedule})
	}
	if err != nil {
		sc.e.o.Log.Warn("scheduled sync did not complete", "corp", corpID, "direction", dir, "err", err)
	}
}
