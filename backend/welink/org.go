package welink

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Org is a complete read of the departments and users an app can see.
type Org struct {
	Departments []Department // sorted by DeptCode
	Users       []User       // sorted by UserID; one entry per user
	Scope       *UserScope   // nil when the app may not read its visible range
	Calls       int          // requests made
}

// ReadProgress is reported while ReadOrg runs.
type ReadProgress struct {
	Departments int // departments found so far
	DeptsDone   int // departments whose users are read
	Users       int // distinct users so far
	Calls       int
}

// ReadOrgOptions tune ReadOrg.
type ReadOrgOptions struct {
	// Workers is how many calls may be in flight. The quota, not this, sets
	// the pace; it only has to cover WeLink's latency (40 calls/s × RTT).
	// 0 = 8.
	Workers int
	// Progress is called at most every 100 ms and once at the end.
	Progress func(ReadProgress)
}

// ReadOrg reads every department and user visible to the app: root's
// children, each of their subtrees (recursively), then the users of every
// department, page by page. Calls run concurrently within the quotas. Any
// failed call fails the whole read: a partial org must never pass for a
// complete one (a sync would take the missing users for leavers).
func (a *App) ReadOrg(ctx context.Context, opt ReadOrgOptions) (*Org, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = 8
	}
	before := a.callCount()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var (
		mu     sync.Mutex
		depts  = map[string]Department{}
		users  = map[string]User{}
		done   int
		lastPr time.Time
	)
	report := func(force bool) {
		if opt.Progress == nil {
			return
		}
		mu.Lock()
		now := time.Now()
		if !force && now.Sub(lastPr) < 100*time.Millisecond {
			mu.Unlock()
			return
		}
		lastPr = now
		p := ReadProgress{Departments: len(depts), DeptsDone: done, Users: len(users), Calls: a.callCount() - before}
		mu.Unlock()
		opt.Progress(p)
	}

	q := newWorkQueue(workers)
	defer q.close()
	fail := func(err error) { cancel(err) }

	readUsers := func(code string) {
		q.push(func() {
			list, err := a.DeptUsers(ctx, DeptKey{DeptCode: code})
			if err != nil {
				fail(err)
				return
			}
			mu.Lock()
			for _, u := range list {
				if old, ok := users[u.UserID]; ok {
					users[u.UserID] = mergeUser(old, code)
				} else {
					if len(u.DeptCodes) == 0 {
						u.DeptCodes = []string{code}
					}
					users[u.UserID] = u
				}
			}
			done++
			mu.Unlock()
			report(false)
		})
	}
	addDepts := func(list []Department) {
		var fresh []string
		mu.Lock()
		for _, d := range list {
			if _, ok := depts[d.DeptCode]; !ok && d.DeptCode != "" {
				depts[d.DeptCode] = d
				fresh = append(fresh, d.DeptCode)
			}
		}
		mu.Unlock()
		for _, code := range fresh {
			readUsers(code)
		}
		report(false)
	}

	q.push(func() {
		top, err := a.Departments(ctx, DeptQuery{DeptKey: DeptKey{DeptCode: "0"}})
		if err != nil {
			fail(err)
			return
		}
		addDepts(top)
		// Every top department's subtree is listed, even when hasChildDept
		// says 0: an omitted field also reads 0, and one call per top
		// department is cheap.
		for _, d := range top {
			code := d.DeptCode
			q.push(func() {
				sub, err := a.Departments(ctx, DeptQuery{DeptKey: DeptKey{DeptCode: code}, Recursive: true})
				if err != nil {
					fail(err)
					return
				}
				addDepts(sub)
			})
		}
	})
	// The scope tells about users granted one by one, outside any visible
	// department; a 501 here only means the app may not read its range.
	var scope *UserScope
	q.push(func() {
		s, err := a.UserScope(ctx)
		if err != nil {
			if !IsPermissionDenied(err) {
				fail(err)
			}
			return
		}
		mu.Lock()
		scope = &s
		mu.Unlock()
	})
	q.wait()
	if err := context.Cause(ctx); err != nil {
		return nil, firstErr(err)
	}

	// Users granted individually whose departments are out of range.
	if scope != nil && !scope.AllStaff() {
		var missing []string
		for _, id := range scope.UserIDs {
			if _, ok := users[id]; !ok {
				missing = append(missing, id)
			}
		}
		for _, id := range missing {
			q.push(func() {
				u, err := a.User(ctx, UserKey{UserID: id})
				if err != nil {
					fail(err)
					return
				}
				mu.Lock()
				users[u.UserID] = u
				mu.Unlock()
			})
		}
		q.wait()
		if err := context.Cause(ctx); err != nil {
			return nil, firstErr(err)
		}
	}
	org := &Org{Scope: scope, Calls: a.callCount() - before}
	for _, d := range depts {
		org.Departments = append(org.Departments, d)
	}
	for _, u := range users {
		org.Users = append(org.Users, u)
	}
	sort.Slice(org.Departments, func(i, j int) bool { return org.Departments[i].DeptCode < org.Departments[j].DeptCode })
	sort.Slice(org.Users, func(i, j int) bool { return org.Users[i].UserID < org.Users[j].UserID })
	report(true)
	return org, nil
}

// mergeUser adds a department a user was also listed in.
func mergeUser(u User, code string) User {
	for _, c := range u.DeptCodes {
		if c == code {
			return u
		}
	}
	u.DeptCodes = append(u.DeptCodes, code)
	return u
}

func firstErr(err error) error {
	if err == context.Canceled {
		return ctxError(err)
	}
	return err
}

func (a *App) callCount() int {
	n := 0
	for _, c := range a.Calls() {
		n += int(c)
	}
	return n
}

// workQueue runs pushed jobs on a fixed set of goroutines; jobs may push
// more jobs. wait returns when no job is queued or running.
type workQueue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	jobs    []func()
	pending int
	closed  bool
	idle    *sync.Cond
}

func newWorkQueue(n int) *workQueue {
	q := &workQueue{}
	q.cond = sync.NewCond(&q.mu)
	q.idle = sync.NewCond(&q.mu)
	for range n {
		go q.run()
	}
	return q
}

func (q *workQueue) push(f func()) {
	q.mu.Lock()
	q.jobs = append(q.jobs, f)
	q.pending++
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *workQueue) run() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		for len(q.jobs) == 0 && !q.closed {
			q.cond.Wait()
		}
		if q.closed {
			return
		}
		f := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		f()
		q.mu.Lock()
		q.pending--
		if q.pending == 0 {
			q.idle.Broadcast()
		}
	}
}

func (q *workQueue) wait() {
	q.mu.Lock()
	for q.pending > 0 {
		q.idle.Wait()
	}
	q.mu.Unlock()
}

func (q *workQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}
