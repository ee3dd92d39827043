package syncer

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// Apply writes a plan to WeLink through the async batch APIs (≤ 100 records
// per call): 10k new users are 100 submissions plus polls instead of 10k
// realtime calls, which at WeLink's sustained 25 calls/s per API would take
// nearly 7 minutes. Order: new departments and users as one pipeline
// (create.go: small department levels by realtime calls, a user as soon as
// its departments exist), department changes, changed and bound users,
// then — when allowed — deletions of users and, deepest first, departments. Every record succeeds or fails on its
// own; a failure never stops the run. Objects carry markers (corpDeptCode /
// corpUserId "cb-…"), so a re-run after a crash finds what was created.
type applier struct {
	e     *Engine
	r     *Run
	app   *welink.App
	mount string
	acts  []Action
	codes map[string]string // OA dept id → WeLink deptCode
	rep   *reporter
	done  int
	total int

	mu      sync.Mutex       // guards results, dirty, latency, codes while the create pipeline runs
	latency [2]time.Duration // estimated batch job latency (first poll delay): departments, users
	dirty   []int            // actions changed since the last checkpoint
	ucodes  [][]string       // create pipeline: a new user's WeLink departments, fixed when it is sent
	probing bool             // a job is learning the latency (firstPoll)
	// deptJobs counts department batch jobs in flight (yieldToDepts).
	deptJobs atomic.Int32
}

func (e *Engine) applyPlan(ctx context.Context, r *Run, st Settings, acts []Action, allowDeletes bool, rep *reporter) error {
	app, err := e.app(st)
	if err != nil {
		return err
	}
	r.Status = StatusApplying
	if err := e.saveRun(r); err != nil {
		return err
	}
	ap := &applier{e: e, r: r, app: app, mount: st.OA.TopDeptCode, acts: acts, codes: map[string]string{}, rep: rep}
	if ap.mount == "" {
		ap.mount = "0"
	}
	for i := range acts {
		if acts[i].Result == ResPending {
			ap.total++
		}
	}
	before := app.Calls()
	err = ap.run(ctx, allowDeletes)
	for k, v := range app.Calls() {
		r.Calls += int(v - before[k])
	}
	// Final counts from the per-record results.
	r.Counts.Done, r.Counts.Failed, r.Counts.Pending = 0, 0, 0
	held := 0
	for i := range acts {
		switch acts[i].Result {
		case ResDone:
			if k := acts[i].Kind; k != ActMatch && k != ActReview && k != ActSkip {
				r.Counts.Done++
			}
		case ResFailed:
			r.Counts.Failed++
		case ResPending:
			r.Counts.Pending++
		case ResHeld:
			held++
		}
	}
	if serr := ap.checkpoint("done"); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	r.DeletesHeld = held > 0
	r.Status = StatusDone
	if held > 0 {
		r.Status = StatusQuarantined
	}
	return nil
}

func (ap *applier) progress(stage string) {
	ap.rep.set(func(p *Progress) {
		p.Stage, p.Done, p.Total, p.Status = stage, ap.done, ap.total, StatusApplying
	}, false)
}

func (ap *applier) pick(obj, kind string) []int {
	var out []int
	for i := range ap.acts {
		a := &ap.acts[i]
		if a.Object == obj && a.Kind == kind && (a.Result == ResPending || a.Result == ResHeld) {
			out = append(out, i)
		}
	}
	return out
}

func (ap *applier) fail(i int, msg string) {
	ap.mu.Lock()
	ap.acts[i].Result, ap.acts[i].Error = ResFailed, msg
	ap.done++
	ap.dirty = append(ap.dirty, i)
	ap.mu.Unlock()
}

func (ap *applier) ok(i int) {
	ap.mu.Lock()
	ap.acts[i].Result, ap.acts[i].Error = ResDone, ""
	ap.done++
	ap.dirty = append(ap.dirty, i)
	ap.mu.Unlock()
}

// checkpoint stores the results so far (only what changed), so a run that
// stops half-way still shows per record what reached WeLink.
func (ap *applier) checkpoint(stage string) error {
	ap.mu.Lock()
	if len(ap.dirty) == 0 {
		ap.mu.Unlock()
		return nil
	}
	list := make([]Action, 0, len(ap.dirty))
	for _, i := range ap.dirty {
		list = append(list, ap.acts[i])
	}
	ap.dirty = ap.dirty[:0]
	ap.mu.Unlock()
	return ap.e.saveActions(list)
}

func (ap *applier) run(ctx context.Context, allowDeletes bool) error {
	// Known departments first.
	for i := range ap.acts {
		a := &ap.acts[i]
		if a.Object == "dept" && a.WLID != "" && a.Kind != ActDelete && a.Kind != ActSkip {
			ap.codes[a.OAID] = a.WLID
		}
	}
	if err := ap.linkMatchedDepts(); err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"create", ap.createAll},
		{"dept_update", ap.updateDepts},
		{"user_update", ap.updateUsers},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		// A corp marked for deletion during a long apply stops at the next
		// step: nothing more is sent to WeLink or recorded for it.
		if err := ap.e.checkActive(ap.r.CorpID); err != nil {
			return err
		}
		ap.progress(s.name)
		if err := s.fn(ctx); err != nil {
			return err
		}
		ap.progress(s.name)
		if err := ap.checkpoint(s.name); err != nil {
			return err
		}
	}
	if !allowDeletes {
		for i := range ap.acts {
			if ap.acts[i].Kind == ActDelete && ap.acts[i].Result == ResPending {
				ap.acts[i].Result = ResHeld
				ap.dirty = append(ap.dirty, i)
			}
		}
		return nil
	}
	if err := ap.e.checkActive(ap.r.CorpID); err != nil {
		return err
	}
	if err := ap.deleteUsers(ctx); err != nil {
		return err
	}
	ap.progress("user_delete")
	if err := ap.checkpoint("user_delete"); err != nil {
		return err
	}
	if err := ap.deleteDepts(ctx); err != nil {
		return err
	}
	ap.progress("dept_delete")
	return ap.checkpoint("dept_delete")
}

// linkMatchedDepts records the OA link of matched departments locally (the
// black dot of 云桥通讯录).
func (ap *applier) linkMatchedDepts() error {
	var idx []int
	for i := range ap.acts {
		if a := &ap.acts[i]; a.Object == "dept" && a.Kind == ActMatch {
			idx = append(idx, i)
		}
	}
	return chunked(ap.e.o.DB, len(idx), func(tx *store.Tx, k int) error {
		a := &ap.acts[idx[k]]
		return setLocalDept(tx, ap.r.CorpID, a.WLID, func(d *directory.Dept) { d.OADeptID = a.OAID })
	})
}

func setLocalDept(tx *store.Tx, corpID, code string, fn func(d *directory.Dept)) error {
	d, err := directory.Depts.Get(tx, directory.Key(corpID, code))
	if core.Of(err, core.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	fn(&d)
	return directory.Depts.Put(tx, &d)
}

// job is one submitted batch: the action indexes in record order.
type job struct {
	id   string
	idx  []int
	err  error
	res  welink.BatchResult
	werr error
}

// submit sends records in batches of 100 and waits for every job. Up to
// Workers batches are in flight at once (submit, then poll); the client
// keeps every call inside WeLink's quotas.
func (ap *applier) submit(ctx context.Context, users bool, op welink.BatchOp, idx []int, build func(i int) any) []*job {
	var jobs []*job
	for start := 0; start < len(idx); start += welink.BatchSize {
		jobs = append(jobs, &job{idx: idx[start:min(start+welink.BatchSize, len(idx))]})
	}
	sem := make(chan struct{}, ap.e.o.Workers)
	var wg sync.WaitGroup
	for _, j := range jobs {
		if ctx.Err() != nil {
			j.err = ctx.Err()
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(j *job) {
			defer wg.Done()
			defer func() { <-sem }()
			var ids []string
			if users {
				in := make([]welink.UserInput, len(j.idx))
				for k, i := range j.idx {
					in[k] = build(i).(welink.UserInput)
				}
				ids, j.err = ap.app.BatchUsers(ctx, op, in)
			} else {
				in := make([]welink.DeptInput, len(j.idx))
				for k, i := range j.idx {
					in[k] = build(i).(welink.DeptInput)
				}
				ids, j.err = ap.app.BatchDepartments(ctx, op, in)
			}
			if len(ids) > 0 {
				j.id = ids[0]
			}
			if j.err != nil || j.id == "" {
				return
			}
			j.res, j.werr = ap.wait(ctx, j.id, users, time.Now())
		}(j)
	}
	wg.Wait()
	return jobs
}

// wait polls a job until it is done. The first poll waits for the job
// latency seen so far, so most jobs cost one result call: the result API
// has its own quota, shared by every job, and with thousands of records it
// is one that binds. A job still running that reports its percentage tells
// how long it still needs (inferred: WeLink's percentage grows with the
// work done; without it the poll interval applies).
func (ap *applier) wait(ctx context.Context, id string, users bool, submitted time.Time) (welink.BatchResult, error) {
	k := b2i(users)
	if err := ap.firstPoll(ctx, k, submitted); err != nil {
		return welink.BatchResult{}, err
	}
	var running time.Duration // the latest poll that found the job still running
	for polls := 1; ; polls++ {
		if err := ap.yieldToDepts(ctx, users); err != nil {
			return welink.BatchResult{}, err
		}
		res, err := ap.app.BatchResult(ctx, id)
		if err != nil {
			return res, err
		}
		took := time.Since(submitted)
		if res.Done() {
			ap.mu.Lock()
			// Done at the first poll: the job took at most this long, so the
			// estimate only comes down. Done later: it took longer than the
			// last "running" answer. took itself may include a wait for the
			// result API's quota, so it never raises the estimate.
			if l := &ap.latency[k]; polls == 1 && (*l == 0 || took < *l) {
				*l = took
			} else if running > *l {
				*l = running
			}
			ap.mu.Unlock()
			return res, nil
		}
		running = took
		next := ap.e.o.PollEvery
		if p := time.Duration(res.Percentage); p > 0 && p < 100 {
			// The percentage is whole: the job needs between took·100/(p+1)
			// and took·100/p. Poll again at the earlier; only a late enough
			// answer is precise enough to be the other jobs' estimate.
			if p >= 20 {
				ap.mu.Lock()
				ap.latency[k] = took * 100 / p
				ap.mu.Unlock()
			}
			next = min(next, took*100/(p+1)-took+2*time.Millisecond)
		}
		if err := sleepCtx(ctx, max(next, time.Millisecond)); err != nil {
			return res, err
		}
	}
}

// yieldToDepts holds a user job's result call while the result API's
// quota has no room beyond one call per department job in flight: every
// job shares that API, and new departments release the users waiting for
// them, so their results go first.
func (ap *applier) yieldToDepts(ctx context.Context, users bool) error {
	for users {
		r := int(ap.deptJobs.Load())
		if r == 0 || ap.app.QuotaFree("GET", "/contact/v1/batch/result", 0, r+1) > r {
			return nil
		}
		if err := sleepCtx(ctx, 5*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// firstPoll waits until a job submitted then is worth polling: after the
// latency estimate of its kind (else of the other kind). With no estimate
// yet, one job polls at once and learns it from the answer's percentage;
// the others wait for that (at most one poll interval) instead of each
// spending a result call on it.
func (ap *applier) firstPoll(ctx context.Context, k int, submitted time.Time) error {
	for {
		ap.mu.Lock()
		est := ap.latency[k]
		if est == 0 {
			est = ap.latency[1-k]
		}
		probe := est == 0 && !ap.probing
		if probe {
			ap.probing = true
		}
		ap.mu.Unlock()
		switch {
		case est > 0:
			return sleepCtx(ctx, time.Until(submitted.Add(est)))
		case probe:
			return nil
		case time.Since(submitted) >= ap.e.o.PollEvery:
			return nil
		}
		if err := sleepCtx(ctx, 5*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func errText(err error) string {
	ce := core.AsError(err)
	if c := welink.CodeOf(err); c != "" {
		return c + " " + ce.Params["message"]
	}
	return ce.Code
}

// each calls fn(actionIndex, item, failure) for every record of the jobs.
func (ap *applier) each(jobs []*job, fn func(i int, it welink.BatchItem, failure string)) {
	for _, j := range jobs {
		for k, i := range j.idx {
			switch {
			case j.err != nil:
				fn(i, welink.BatchItem{}, errText(j.err))
			case j.id == "":
				fn(i, welink.BatchItem{}, "no job id")
			case j.werr != nil:
				fn(i, welink.BatchItem{}, errText(j.werr))
			case k >= len(j.res.Data):
				fn(i, welink.BatchItem{}, "no result")
			case !j.res.Data[k].OK():
				fn(i, j.res.Data[k], string(j.res.Data[k].Code)+" "+j.res.Data[k].Message)
			default:
				fn(i, j.res.Data[k], "")
			}
		}
	}
}

func (ap *applier) parentCode(parentOA string) (string, bool) {
	if parentOA == "" {
		return ap.mount, true
	}
	c, ok := ap.codes[parentOA]
	return c, ok
}

func (ap *applier) updateDepts(ctx context.Context) error {
	idx := append(ap.pick("dept", ActUpdate), ap.pick("dept", ActMove)...)
	sort.SliceStable(idx, func(i, j int) bool { return ap.acts[idx[i]].Level < ap.acts[idx[j]].Level })
	var ready []int
	for _, i := range idx {
		if _, ok := ap.parentCode(ap.acts[i].Input.ParentOA); ok {
			ready = append(ready, i)
		} else {
			ap.fail(i, "parent department not created")
		}
	}
	jobs := ap.submit(ctx, false, welink.BatchUpdate, ready, func(i int) any {
		a := &ap.acts[i]
		p, _ := ap.parentCode(a.Input.ParentOA)
		return welink.DeptInput{DeptCode: a.WLID, ParentCode: p, DeptNameCn: a.Input.NameCn}
	})
	var done []int
	ap.each(jobs, func(i int, _ welink.BatchItem, failure string) {
		if failure != "" {
			ap.fail(i, failure)
			return
		}
		ap.ok(i)
		done = append(done, i)
	})
	return chunked(ap.e.o.DB, len(done), func(tx *store.Tx, k int) error {
		a := &ap.acts[done[k]]
		p, _ := ap.parentCode(a.Input.ParentOA)
		return setLocalDept(tx, ap.r.CorpID, a.WLID, func(d *directory.Dept) {
			d.NameCn, d.ParentCode, d.OADeptID, d.Level, d.SyncedAt = a.Input.NameCn, p, a.OAID, a.Level, ap.e.o.Clock.Now()
		})
	})
}

// deptCodes resolves a user's OA departments; main first.
func (ap *applier) deptCodes(in *Input) []string {
	var out []string
	for _, id := range in.DeptsOA {
		if c, ok := ap.codes[id]; ok && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, c := range in.KeepWL {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func userInput(in *Input, codes []string) welink.UserInput {
	u := welink.UserInput{UserNameCn: in.NameCn, MobileNumber: in.Mobile, UserEmail: in.Email, EmployeeID: in.EmployeeID,
		CorpUserID: in.CorpUserID, Position: in.Position, LandlineNumber: in.Landline, Sex: in.Sex, DeptCodes: codes}
	if len(codes) > 0 {
		u.MainDeptCode = codes[0]
	}
	return u
}

// recordUsers writes the bindings and local directory records of users the
// run created or changed.
func (ap *applier) recordUsers(idx []int, method string, created bool) error {
	now := ap.e.o.Clock.Now()
	return chunkedBy(ap.e.o.DB, 10, len(idx), func(tx *store.Tx, k int) error {
		a := &ap.acts[idx[k]]
		b := binding.Binding{CorpID: ap.r.CorpID, WeLinkUserID: a.WLID, OAUserID: a.OAID, OALoginID: a.OAName,
			Method: method, Detail: a.Reason.Params["rule"], By: "sync", At: now}
		if err := ap.e.o.Binder.Bind(tx, b); err != nil {
			// The WeLink write happened; the binding clash is this record's failure.
			ap.mu.Lock()
			a.Result, a.Error = ResFailed, core.AsError(err).Code
			ap.dirty = append(ap.dirty, idx[k])
			ap.mu.Unlock()
			return nil
		}
		if a.Input == nil {
			return nil
		}
		u, err := directory.Users.Get(tx, directory.Key(ap.r.CorpID, a.WLID))
		if err != nil && !core.Of(err, core.ErrNotFound) {
			return err
		}
		u.CorpID, u.UserID, u.SyncedAt, u.Status = ap.r.CorpID, a.WLID, now, "3"
		in := a.Input
		set := func(dst *string, v string) {
			if v != "" {
				*dst = v
			}
		}
		set(&u.NameCn, in.NameCn)
		set(&u.Email, in.Email)
		set(&u.EmployeeID, in.EmployeeID)
		set(&u.Position, in.Position)
		if created {
			u.Mobile, u.CorpUserID, u.Sex = in.Mobile, in.CorpUserID, in.Sex
		}
		var ds []string
		if ap.ucodes != nil && ap.ucodes[idx[k]] != nil {
			ds = ap.ucodes[idx[k]] // the create pipeline's, fixed when sent (ap.codes still grows)
		} else {
			ds = ap.deptCodes(in)
		}
		if len(ds) > 0 {
			u.Depts, u.MainDept = ds, ds[0]
		}
		return directory.Users.Put(tx, &u)
	})
}

func (ap *applier) updateUsers(ctx context.Context) error {
	var ready, bindOnly []int
	for _, i := range append(ap.pick("user", ActBind), ap.pick("user", ActUpdate)...) {
		a := &ap.acts[i]
		if a.Input == nil {
			bindOnly = append(bindOnly, i)
			continue
		}
		ready = append(ready, i)
	}
	for _, i := range bindOnly {
		ap.ok(i)
	}
	if err := ap.recordUsers(bindOnly, binding.MethodRule, false); err != nil {
		return err
	}
	jobs := ap.submit(ctx, true, welink.BatchUpdate, ready, func(i int) any {
		a := &ap.acts[i]
		in := userInput(a.Input, ap.deptCodes(a.Input))
		in.UserID, in.MobileNumber, in.CorpUserID = a.WLID, "", "" // the mobile is never changed by the sync
		return in
	})
	var done, gone []int
	ap.each(jobs, func(i int, _ welink.BatchItem, failure string) {
		if failure != "" {
			ap.fail(i, failure)
			if ap.acts[i].Reason.Code == "user_relink" && strings.HasPrefix(failure, welink.CodeNoData+" ") {
				gone = append(gone, i)
			}
			return
		}
		ap.ok(i)
		done = append(done, i)
	})
	// A bound account WeLink no longer has at all: the binding is dropped,
	// so the next run matches or creates the person afresh.
	if err := chunkedBy(ap.e.o.DB, 50, len(gone), func(tx *store.Tx, k int) error {
		a := &ap.acts[gone[k]]
		a.Error += " (binding removed; the next run creates the user again)"
		return ap.e.o.Binder.Unbind(tx, ap.r.CorpID, a.WLID)
	}); err != nil {
		return err
	}
	var binds, updates []int
	for _, i := range done {
		if ap.acts[i].Kind == ActBind {
			binds = append(binds, i)
		} else {
			updates = append(updates, i)
		}
	}
	if err := ap.recordUsers(binds, binding.MethodRule, false); err != nil {
		return err
	}
	return ap.recordUsers(updates, binding.MethodSync, false)
}

// deleteUsers closes the accounts (isDeleteUser 0: the user leaves every
// department and is closed, which a re-hire can reopen; inferred semantics).
// The binding stays as the tombstone that re-links a re-hired person.
func (ap *applier) deleteUsers(ctx context.Context) error {
	idx := ap.pick("user", ActDelete)
	zero := 0
	jobs := ap.submit(ctx, true, welink.BatchDelete, idx, func(i int) any {
		return welink.UserInput{UserID: ap.acts[i].WLID, IsDeleteUser: &zero}
	})
	var done []int
	ap.each(jobs, func(i int, _ welink.BatchItem, failure string) {
		if failure != "" {
			ap.fail(i, failure)
			return
		}
		ap.ok(i)
		done = append(done, i)
	})
	return chunked(ap.e.o.DB, len(done), func(tx *store.Tx, k int) error {
		key := directory.Key(ap.r.CorpID, ap.acts[done[k]].WLID)
		u, err := directory.Users.Get(tx, key)
		if core.Of(err, core.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		u.Status, u.Depts, u.MainDept = "4", nil, ""
		return directory.Users.Put(tx, &u)
	})
}

func (ap *applier) deleteDepts(ctx context.Context) error {
	idx := ap.pick("dept", ActDelete)
	sort.SliceStable(idx, func(i, j int) bool { return ap.acts[idx[i]].Level > ap.acts[idx[j]].Level })
	for start := 0; start < len(idx); {
		lvl := ap.acts[idx[start]].Level
		end := start
		for end < len(idx) && ap.acts[idx[end]].Level == lvl {
			end++
		}
		jobs := ap.submit(ctx, false, welink.BatchDelete, idx[start:end], func(i int) any {
			return welink.DeptInput{DeptCode: ap.acts[i].WLID}
		})
		var done []int
		ap.each(jobs, func(i int, _ welink.BatchItem, failure string) {
			if failure != "" {
				ap.fail(i, failure)
				return
			}
			ap.ok(i)
			done = append(done, i)
		})
		if err := chunked(ap.e.o.DB, len(done), func(tx *store.Tx, k int) error {
			return directory.Depts.Delete(tx, directory.Key(ap.r.CorpID, ap.acts[done[k]].WLID))
		}); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		start = end
	}
	return nil
}
