package syncer

import (
	"context"
	"strconv"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// OARunOptions tune one OA → WeLink run.
type OARunOptions struct {
	Trigger string
	// PreviewOnly stops after the plan (模拟同步): nothing is written to WeLink.
	PreviewOnly bool
	// IgnoreThreshold lets this one run pass the user-decrease threshold
	// (the admin looked and said the drop is real).
	IgnoreThreshold bool
	// ApproveDeletes applies the plan's deletions; otherwise deletions wait
	// in quarantine, except for scheduled runs within the quarantine limits.
	ApproveDeletes bool
}

// RunFromOA runs 从OA同步: first 从WeLink同步 (seed: 默认再同步前会先执行从企业号
// 同步), then reads the OA, checks the safety threshold, stores the OA
// snapshot, plans, and — unless PreviewOnly — applies.
func (e *Engine) RunFromOA(ctx context.Context, corpID string, opt OARunOptions) (Run, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a, err := e.acquire(corpID, FromOA, cancel)
	if err != nil {
		return Run{}, err
	}
	defer e.release(corpID, FromOA)
	if opt.Trigger == "" {
		opt.Trigger = TriggerManual
	}
	var st Settings
	if err := e.o.DB.View(func(tx *store.Tx) error { var err error; st, err = LoadSettings(tx, corpID); return err }); err != nil {
		return Run{}, err
	}
	if st.Mode != ModeReadWrite {
		return Run{}, core.ErrSyncReadOnly.New()
	}
	if st.AppID == "" {
		return Run{}, core.ErrSyncNoApp.New()
	}
	trigger := opt.Trigger
	if opt.PreviewOnly {
		trigger = TriggerPreview
	}
	r := e.newRun(corpID, FromOA, trigger)
	rep := &reporter{e: e, a: a}
	rep.set(func(p *Progress) { p.RunID = r.ID }, true)
	if err := e.saveRun(r); err != nil {
		return Run{}, err
	}
	acts, err := e.planOA(ctx, r, st, opt, rep)
	if err == nil && !opt.PreviewOnly {
		err = e.applyPlan(ctx, r, st, acts, e.deletesAllowed(r, st, opt), rep)
	}
	e.finish(r, err)
	rep.set(func(p *Progress) { p.Status, p.Stage, p.Counts = r.Status, "done", r.Counts }, true)
	return *r, err
}

// deletesAllowed: a manual approval allows them; a scheduled run only
// within the quarantine limits (Entra's accidental-deletion guard).
func (e *Engine) deletesAllowed(r *Run, st Settings, opt OARunOptions) bool {
	if opt.ApproveDeletes {
		return true
	}
	if r.Counts.Delete == 0 {
		return true
	}
	if opt.Trigger != TriggerSchedule {
		return false
	}
	s := st.OA.Safety
	if s.QuarantineCount > 0 && r.Counts.Delete > s.QuarantineCount {
		return false
	}
	base := max(1, r.Counts.Matched+r.Counts.Update+r.Counts.Bind+r.Counts.Delete+r.Counts.Move)
	if s.QuarantinePercent > 0 && r.Counts.Delete*100 > s.QuarantinePercent*base {
		return false
	}
	return true
}

func (e *Engine) planOA(ctx context.Context, r *Run, st Settings, opt OARunOptions, rep *reporter) ([]Action, error) {
	// 1. WeLink → local first, under its own lock. A pull already running
	// (a schedule, the admin) is waited for, then one more runs: the plan
	// must see WeLink as it is now.
	rep.stage("pull_welink", 0, 0)
	for e.Busy(r.CorpID, FromWeLink) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	pull, err := e.RunFromWeLink(ctx, r.CorpID, TriggerChained)
	r.Calls += pull.Calls
	if err != nil {
		return nil, err
	}
	// 2. The OA, whole.
	rep.stage("read_oa", 0, 0)
	conn, err := e.o.OA(ctx)
	if err != nil {
		return nil, err
	}
	org, err := conn.PullOrg(ctx, oa.PullOptions{Progress: func(p oa.Progress) { rep.stage("read_oa_"+p.Stage, p.Fetched, p.Total) }})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err // nothing planned, nothing deleted
	}
	active := 0
	for i := range org.Users {
		if !org.Users[i].Left {
			active++
		}
	}
	r.OAUsers = active
	r.Complete = org.Full && active > 0
	if !org.Full {
		r.Warnings = append(r.Warnings, reason("oa_not_full"))
	} else if active == 0 {
		r.Warnings = append(r.Warnings, reason("oa_empty"))
	}
	// 3. The user-decrease threshold (用户减少数量阈值).
	before, err := e.lastOACount(r.CorpID, r.ID)
	if err != nil {
		return nil, err
	}
	if drop := before - active; before > 0 && drop > 0 && !opt.IgnoreThreshold {
		s := st.OA.Safety
		if s.MaxDropCount > 0 && drop > s.MaxDropCount {
			return nil, core.ErrSyncThreshold.New("before", itoa(before), "after", itoa(active), "drop", itoa(drop), "limit", itoa(s.MaxDropCount))
		}
		if s.MaxDropPercent > 0 && drop*100 > s.MaxDropPercent*before {
			return nil, core.ErrSyncThreshold.New("before", itoa(before), "after", itoa(active), "drop", itoa(drop), "limit", itoa(s.MaxDropPercent)+"%")
		}
	}
	// 4. OA → local snapshot.
	if r.Complete && e.o.SaveOASnapshot != nil {
		rep.stage("snapshot", 0, 0)
		if err := e.o.SaveOASnapshot(org); err != nil {
			return nil, err
		}
	}
	// 5. Plan against the local directory and the bindings.
	rep.stage("plan", 0, 0)
	in := planInput{Settings: st.OA, Org: org, Complete: r.Complete}
	err = e.o.DB.View(func(tx *store.Tx) error {
		var err error
		if in.Depts, in.Users, err = corpDirectory(tx, r.CorpID); err != nil {
			return err
		}
		if in.Bindings, err = binding.Bindings.Lookup(tx, "corp", r.CorpID); err != nil {
			return err
		}
		in.BindEnabled, err = e.o.Binder.AutoBindEnabled(tx, r.CorpID)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, err := buildPlan(in)
	if err != nil {
		return nil, err
	}
	for i := range out.Actions {
		out.Actions[i].RunID = r.ID
	}
	r.Counts, r.Top, r.PlannedAt = out.Counts, out.Top, e.o.Clock.Now()
	r.Warnings = append(r.Warnings, out.Warnings...)
	if err := e.saveActions(out.Actions); err != nil {
		return nil, err
	}
	r.Status = StatusPlanned
	if err := e.supersede(r); err != nil {
		return nil, err
	}
	rep.set(func(p *Progress) { p.Counts = r.Counts }, true)
	return out.Actions, e.saveRun(r)
}

// supersede retires older previews of the corp: only the newest plan may be
// approved.
func (e *Engine) supersede(r *Run) error {
	return e.o.DB.Update(func(tx *store.Tx) error {
		list, err := runs.Lookup(tx, "corp", r.CorpID)
		if err != nil {
			return err
		}
		for _, o := range list {
			if o.ID != r.ID && o.Direction == FromOA && (o.Status == StatusPlanned || o.Status == StatusQuarantined) {
				o.Status = StatusSuperseded
				if err := runs.Put(tx, &o); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// lastOACount is the active OA user count of the last OA run that got past
// the threshold (the baseline of the next one).
func (e *Engine) lastOACount(corpID, except string) (int, error) {
	var best Run
	err := e.o.DB.View(func(tx *store.Tx) error {
		list, err := runs.Lookup(tx, "corp", corpID)
		for _, r := range list {
			if r.ID == except || r.Direction != FromOA || r.OAUsers == 0 || r.PlannedAt.IsZero() {
				continue
			}
			if r.PlannedAt.After(best.PlannedAt) {
				best = r
			}
		}
		return err
	})
	return best.OAUsers, err
}

// ApplyRun applies a stored preview (the admin approved it). Deletions run
// only with approveDeletes; otherwise they are held in quarantine.
func (e *Engine) ApplyRun(ctx context.Context, runID string, approveDeletes bool) (Run, error) {
	r, err := e.loadRun(runID)
	if err != nil {
		return Run{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a, err := e.acquire(r.CorpID, FromOA, cancel)
	if err != nil {
		return Run{}, err
	}
	defer e.release(r.CorpID, FromOA)
	if r, err = e.loadRun(runID); err != nil { // re-read under the lock
		return Run{}, err
	}
	var st Settings
	if err := e.o.DB.View(func(tx *store.Tx) error { var err error; st, err = LoadSettings(tx, r.CorpID); return err }); err != nil {
		return Run{}, err
	}
	if st.Mode != ModeReadWrite {
		return Run{}, core.ErrSyncReadOnly.New()
	}
	var acts []Action
	switch r.Status {
	case StatusPlanned:
	case StatusQuarantined:
		if !approveDeletes {
			return Run{}, core.ErrSyncNotApprovable.New("status", r.Status)
		}
	case StatusSuperseded:
		return Run{}, core.ErrSyncPlanStale.New()
	default:
		return Run{}, core.ErrSyncNotApprovable.New("status", r.Status)
	}
	// A preview reflects the world when it was made: too old, plan again.
	if e.o.Clock.Now().Sub(r.PlannedAt) > 24*time.Hour {
		return Run{}, core.ErrSyncPlanStale.New()
	}
	if err := e.o.DB.View(func(tx *store.Tx) error { var err error; acts, err = RunActions(tx, r.ID); return err }); err != nil {
		return Run{}, err
	}
	rep := &reporter{e: e, a: a}
	rep.set(func(p *Progress) { p.RunID = r.ID }, true)
	err = e.applyPlan(ctx, &r, st, acts, approveDeletes, rep)
	e.finish(&r, err)
	rep.set(func(p *Progress) { p.Status, p.Stage, p.Counts = r.Status, "done", r.Counts }, true)
	return r, err
}

func (e *Engine) loadRun(id string) (Run, error) {
	var r Run
	err := e.o.DB.View(func(tx *store.Tx) error { var err error; r, err = runs.Get(tx, id); return err })
	if core.Of(err, core.ErrNotFound) {
		return r, core.ErrSyncRunNotFound.New("id", id)
	}
	return r, err
}

func itoa(n int) string { return strconv.Itoa(n) }
