package syncer

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// The create stage is a pipeline rather than level after level: a
// department is sent as soon as its parent exists, a user as soon as all of
// its departments are settled, and the local writes (directory, bindings,
// checkpoints) run on their own goroutine while WeLink works. With 10k new
// users the user batch API's quota (40 calls/s) is what binds; waiting for
// every department level first — each an async job that settles later —
// only added to it.
//
// One goroutine (the coordinator, createAll) owns the plan's state; workers
// only talk to WeLink and hand their outcome back. ap.mu guards the action
// results and the dirty list against the writer goroutine.

const (
	deptCreateAPI = "/contact/v1/department/create"
	// checkpointEvery bounds what a crash can lose from the run's record
	// (never from WeLink: markers find created objects again).
	checkpointEvery = 500 * time.Millisecond
)

// work is one unit for a worker: an async batch job (submit, wait) or a few
// realtime department creates.
type work struct {
	users   bool
	single  bool // realtime /contact/v1/department/create, one call per record
	idx     []int
	deptIn  []welink.DeptInput
	userIn  []welink.UserInput
	ids     []string // per record: created deptCode / userId
	failure []string // per record: "" = done
}

// writer runs the local writes off the coordinator, on two goroutines:
// when the result API's quota window opens, a dozen jobs finish at once
// and their bindings are the apply's last work. The tasks touch disjoint
// records (store.Update retries a conflict anyway).
type writer struct {
	ch   chan func() error
	wg   sync.WaitGroup
	mu   sync.Mutex
	err  error // the first store error; read after close
	bad  chan struct{}
	once sync.Once
}

func newWriter() *writer {
	w := &writer{ch: make(chan func() error, 256), bad: make(chan struct{})}
	for range 2 {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for fn := range w.ch {
				if w.failed() {
					continue // drain: the run stops on the first store error
				}
				if err := fn(); err != nil {
					w.mu.Lock()
					if w.err == nil {
						w.err = err
					}
					w.mu.Unlock()
					w.once.Do(func() { close(w.bad) })
				}
			}
		}()
	}
	return w
}

func (w *writer) failed() bool {
	select {
	case <-w.bad:
		return true
	default:
		return false
	}
}

func (w *writer) close() error {
	close(w.ch)
	w.wg.Wait()
	return w.err
}

// createAll creates the plan's new departments and users.
func (ap *applier) createAll(ctx context.Context) error {
	depts := ap.pick("dept", ActCreate)
	users := ap.pick("user", ActCreate)
	if len(depts)+len(users) == 0 {
		return nil
	}
	sort.SliceStable(depts, func(i, j int) bool { return ap.acts[depts[i]].Level < ap.acts[depts[j]].Level })
	ap.ucodes = make([][]string, len(ap.acts))

	c := &coord{ap: ap, pending: map[string]int{}, children: map[string][]int{}, deptUsers: map[string][]int{}, userWait: map[int]int{}}
	for _, i := range depts {
		c.pending[ap.acts[i].OAID] = i
	}
	for _, i := range users {
		n := 0
		for _, id := range uniq(ap.acts[i].Input.DeptsOA) {
			if _, ok := c.pending[id]; ok {
				c.deptUsers[id] = append(c.deptUsers[id], i)
				n++
			}
		}
		if n == 0 {
			c.userReady(i)
		} else {
			c.userWait[i] = n
		}
	}
	for _, i := range depts {
		p := ap.acts[i].Input.ParentOA
		if _, ok := ap.parentCode(p); ok {
			c.readyDepts = append(c.readyDepts, i)
		} else if _, ok := c.pending[p]; ok {
			c.children[p] = append(c.children[p], i)
		} else {
			c.deptSettled(i, "", "parent department not created")
		}
	}

	w := newWriter()
	results := make(chan *work)
	inflight, lastCP := 0, time.Now()
	for {
		for inflight < ap.e.o.Workers && ctx.Err() == nil && !w.failed() {
			u := c.next(inflight, ap.e.o.Workers-inflight)
			if u == nil {
				break
			}
			inflight++
			go func() {
				ap.doWork(ctx, u)
				results <- u
			}()
		}
		if inflight == 0 {
			break
		}
		u := <-results
		inflight--
		c.settle(u, w)
		if time.Since(lastCP) >= checkpointEvery {
			lastCP = time.Now()
			w.ch <- func() error { return ap.checkpoint("create") }
		}
		ap.progress("create")
	}
	// Departments still waiting have a parent that never settled (a cycle
	// the planner should have refused, or the run was stopped).
	if ctx.Err() == nil && !w.failed() {
		for _, i := range c.pending {
			c.deptSettled(i, "", "parent department not created")
		}
	}
	if err := w.close(); err != nil {
		return err
	}
	return ctx.Err()
}

type coord struct {
	ap         *applier
	pending    map[string]int   // OA dept id → create action not settled yet
	children   map[string][]int // OA dept id → create actions waiting for it as parent
	deptUsers  map[string][]int // OA dept id → new users waiting for it
	userWait   map[int]int      // user action → departments not settled yet
	readyDepts []int
	readyUsers []int
	singles    int // realtime department creates handed to workers, not settled
}

func uniq(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (c *coord) userReady(i int) {
	codes := c.ap.deptCodes(c.ap.acts[i].Input)
	if len(codes) == 0 {
		c.ap.fail(i, "department not created")
		return
	}
	c.ap.ucodes[i] = codes
	c.readyUsers = append(c.readyUsers, i)
}

// deptSettled records a department's outcome and releases what waited for
// it: its sub-departments (or their failure) and its users.
func (c *coord) deptSettled(i int, code, failure string) {
	ap := c.ap
	a := &ap.acts[i]
	delete(c.pending, a.OAID)
	if failure != "" {
		ap.fail(i, failure)
	} else {
		ap.mu.Lock()
		ap.codes[a.OAID], a.WLID = code, code
		ap.mu.Unlock()
		ap.ok(i)
	}
	kids := c.children[a.OAID]
	delete(c.children, a.OAID)
	for _, k := range kids {
		if failure != "" {
			c.deptSettled(k, "", "parent department not created")
		} else {
			c.readyDepts = append(c.readyDepts, k)
		}
	}
	us := c.deptUsers[a.OAID]
	delete(c.deptUsers, a.OAID)
	for _, u := range us {
		if c.userWait[u]--; c.userWait[u] == 0 {
			delete(c.userWait, u)
			c.userReady(u)
		}
	}
}

// next picks the next unit of work, departments first (they unblock
// users). free is how many workers are idle.
func (c *coord) next(inflight, free int) *work {
	ap := c.ap
	if n := len(c.readyDepts); n > 0 {
		n = min(n, welink.BatchSize)
		// Realtime creates for as many as the quota lets go before an async
		// job would have settled; the rest in one batch job. Realtime
		// creates handed out but maybe not sent yet count as taken.
		k := ap.app.QuotaFree("POST", deptCreateAPI, ap.jobLatency(false), n+c.singles) - c.singles
		single := k > 0
		if single {
			// The few realtime creates go to the departments most people
			// are waiting for.
			slices.SortStableFunc(c.readyDepts, func(x, y int) int {
				return len(c.deptUsers[ap.acts[y].OAID]) - len(c.deptUsers[ap.acts[x].OAID])
			})
			n = max(1, (k+free-1)/free) // spread over the idle workers
			c.singles += n
		} else if n < welink.BatchSize && c.singles > 0 {
			// Realtime creates about to return add sub-departments: wait
			// for them rather than spend a job, and its result call (the
			// result API's quota is shared by every job), on a few.
			goto users
		}
		u := &work{single: single, idx: slices.Clone(c.readyDepts[:n])}
		c.readyDepts = c.readyDepts[n:]
		for _, i := range u.idx {
			a := &ap.acts[i]
			p, _ := ap.parentCode(a.Input.ParentOA)
			in := welink.DeptInput{CorpDeptCode: deptMarker(a.OAID), ParentCode: p, DeptNameCn: a.Input.NameCn}
			if a.Input.Order > 0 {
				// orderNo is documented for the batch APIs; the realtime
				// create is assumed to take the same department fields (inferred).
				in.OrderNo = itoa(a.Input.Order)
			}
			u.deptIn = append(u.deptIn, in)
		}
		return u
	}
users:
	// Users go in full batches while departments are still being created
	// (fewer calls: the user batch quota is the one that binds); the rest
	// when nothing can add to them any more.
	n := len(c.readyUsers)
	if n >= welink.BatchSize || n > 0 && (len(c.pending) == 0 || inflight == 0) {
		n = min(n, welink.BatchSize)
		u := &work{users: true, idx: slices.Clone(c.readyUsers[:n])}
		c.readyUsers = c.readyUsers[n:]
		for _, i := range u.idx {
			u.userIn = append(u.userIn, userInput(ap.acts[i].Input, ap.ucodes[i]))
		}
		return u
	}
	return nil
}

// doWork is a worker: it talks to WeLink only.
func (ap *applier) doWork(ctx context.Context, u *work) {
	u.ids, u.failure = make([]string, len(u.idx)), make([]string, len(u.idx))
	switch {
	case u.single:
		for k, in := range u.deptIn {
			d, err := ap.app.CreateDepartment(ctx, in)
			if err != nil {
				u.failure[k] = errText(err)
			} else if u.ids[k] = d.DeptCode; d.DeptCode == "" {
				u.failure[k] = "no deptCode"
			}
		}
	default:
		j := &job{idx: u.idx}
		var ids []string
		if u.users {
			ids, j.err = ap.app.BatchUsers(ctx, welink.BatchCreate, u.userIn)
		} else {
			ids, j.err = ap.app.BatchDepartments(ctx, welink.BatchCreate, u.deptIn)
		}
		if len(ids) > 0 {
			j.id = ids[0]
		}
		if j.err == nil && j.id != "" {
			if !u.users {
				ap.deptJobs.Add(1)
			}
			j.res, j.werr = ap.wait(ctx, j.id, u.users, time.Now())
			if !u.users {
				ap.deptJobs.Add(-1)
			}
		}
		pos := map[int]int{}
		for k, i := range u.idx {
			pos[i] = k
		}
		ap.each([]*job{j}, func(i int, it welink.BatchItem, failure string) {
			k := pos[i]
			u.failure[k] = failure
			if u.users {
				u.ids[k] = it.UserID
			} else {
				u.ids[k] = it.DeptCode
			}
		})
	}
	// Created by an earlier, interrupted run (or by this call when its
	// answer was lost): find it by its marker instead of failing.
	for k := range u.idx {
		if u.failure[k] == "" || ctx.Err() != nil {
			continue
		}
		if u.users {
			if cu := u.userIn[k].CorpUserID; cu != "" {
				if got, err := ap.app.User(ctx, welink.UserKey{CorpUserID: cu}); err == nil && got.UserID != "" {
					u.ids[k], u.failure[k] = got.UserID, ""
				}
			}
		} else if d, err := ap.app.Department(ctx, welink.DeptKey{CorpDeptCode: u.deptIn[k].CorpDeptCode}); err == nil && d.DeptCode != "" {
			u.ids[k], u.failure[k] = d.DeptCode, ""
		}
	}
}

// settle applies a worker's outcome to the plan and queues the local writes.
func (c *coord) settle(u *work, w *writer) {
	ap := c.ap
	if u.single {
		c.singles -= len(u.idx)
	}
	if !u.users {
		var local []directory.Dept
		for k, i := range u.idx {
			c.deptSettled(i, u.ids[k], u.failure[k])
			if u.failure[k] != "" {
				continue
			}
			a := &ap.acts[i]
			local = append(local, directory.Dept{CorpID: ap.r.CorpID, Code: u.ids[k], CorpDeptCode: deptMarker(a.OAID), ParentCode: u.deptIn[k].ParentCode,
				NameCn: a.Input.NameCn, Level: a.Level, Order: a.Input.Order, OADeptID: a.OAID, SyncedAt: ap.e.o.Clock.Now()})
		}
		if len(local) > 0 {
			w.ch <- func() error {
				return chunked(ap.e.o.DB, len(local), func(tx *store.Tx, k int) error { return directory.Depts.Put(tx, &local[k]) })
			}
		}
		return
	}
	var made []int
	for k, i := range u.idx {
		if u.failure[k] != "" {
			ap.fail(i, u.failure[k])
			continue
		}
		a := &ap.acts[i]
		ap.mu.Lock()
		a.WLID, a.WLName = u.ids[k], a.Input.NameCn
		ap.mu.Unlock()
		ap.ok(i)
		made = append(made, i)
	}
	if len(made) > 0 {
		w.ch <- func() error { return ap.recordUsers(made, binding.MethodSync, true) }
	}
}

// jobLatency is the expected time from submitting an async job to its
// result: learnt from the jobs of this run (WeLink publishes none), at
// first one poll interval.
func (ap *applier) jobLatency(users bool) time.Duration {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	if l := ap.latency[b2i(users)]; l > 0 {
		return l
	}
	return ap.e.o.PollEvery
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
