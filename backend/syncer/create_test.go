package syncer

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// callLog records the order of the emulator's calls.
type callLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *callLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.paths = append(l.paths, strings.TrimPrefix(r.URL.Path, "/api"))
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *callLog) positions(path string) []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []int
	for i, p := range l.paths {
		if p == path {
			out = append(out, i)
		}
	}
	return out
}

// patient gives the engine a client that retries 48503 like the default
// one does: with a few hundred calls a second on a loaded machine (and
// -race), requests can reach the emulator more than the client's 50 ms
// margin apart from when they left, and the test client's two quick
// attempts are meant for fault tests, not for that.
func (e *env) patient() {
	c := welink.New(welink.Options{BaseURL: e.wlURL, Retry: welink.Retry{Attempts: 6, Base: 20 * time.Millisecond, Max: 300 * time.Millisecond}})
	e.eng.o.WeLink = func() *welink.Client { return c }
}

// A new OA of ~1500 people in a few department levels goes to WeLink as one
// pipeline: users leave before the last departments, small levels go by
// realtime calls, larger ones by batch jobs; a re-run has nothing to do.
func TestFromOACreatePipelineAndRerun(t *testing.T) {
	log := &callLog{}
	e := newEnvWrapped(t, nil, 1500, log.wrap)
	e.patient()
	e.settings(nil)
	ctx := context.Background()
	r, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Counts.Failed != 0 || r.Counts.UserCreate < 1000 || r.Counts.DeptCreate < 50 || r.Counts.Pending != 0 {
		t.Fatalf("counts %+v", r.Counts)
	}
	single := log.positions("/contact/v1/department/create")
	batched := log.positions("/contact/v1/department/batch/create")
	users := log.positions("/contact/v1/user/batch/create")
	if len(single) == 0 || len(batched) == 0 || len(users) == 0 {
		t.Fatalf("realtime dept creates %d, dept jobs %d, user jobs %d", len(single), len(batched), len(users))
	}
	lastDept := max(single[len(single)-1], batched[len(batched)-1])
	if users[0] > lastDept {
		t.Fatalf("the first user job (call %d) waited for the last department (call %d)", users[0], lastDept)
	}
	if want := (r.Counts.UserCreate + welink.BatchSize - 1) / welink.BatchSize; len(users) > want+3 {
		t.Fatalf("%d user jobs for %d users", len(users), r.Counts.UserCreate)
	}
	// Every new user is bound and in the local directory with its departments.
	local := e.localUsers()
	depts := e.localDepts()
	n := 0
	for _, a := range e.actions(r.ID) {
		if a.Object == "dept" && a.Kind == ActCreate {
			if d, ok := depts[a.WLID]; !ok || d.OADeptID != a.OAID {
				t.Fatalf("local department of %s: %+v", a.OAName, d)
			}
		}
		if a.Object != "user" || a.Kind != ActCreate {
			continue
		}
		n++
		u, ok := local[a.WLID]
		if !ok || u.MainDept == "" || len(u.Depts) == 0 {
			t.Fatalf("local record of %s: %+v", a.OAName, u)
		}
		if _, ok := depts[u.MainDept]; !ok {
			t.Fatalf("%s in an unknown department %s", a.OAName, u.MainDept)
		}
		var b binding.Binding
		e.db.View(func(tx *store.Tx) error {
			var err error
			b, _, err = binding.ForOAUser(tx, e.corpID, a.OAID)
			return err
		})
		if b.WeLinkUserID != a.WLID {
			t.Fatalf("binding of %s: %+v", a.OAName, b)
		}
	}
	if n != r.Counts.UserCreate {
		t.Fatalf("%d created actions, counts say %d", n, r.Counts.UserCreate)
	}
	r, err = e.eng.RunFromOA(ctx, e.corpID, OARunOptions{PreviewOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Counts.Create != 0 || r.Counts.DeptCreate != 0 || r.Counts.UserCreate != 0 {
		t.Fatalf("re-run plans %+v", r.Counts)
	}
}

// A run stopped in the middle of the create pipeline (a crash, a cancel)
// leaves jobs WeLink finishes anyway; the next run finds every one of them
// by its marker and creates nobody twice.
func TestFromOAStoppedMidCreateResumesWithoutDuplicates(t *testing.T) {
	e := newEnv(t, nil, 1500)
	e.patient()
	e.settings(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.eng.o.Emit = func(_ string, d any) {
		if p := d.(Progress); p.Stage == "create" && p.Done >= 400 {
			cancel()
		}
	}
	r1, err := e.eng.RunFromOA(ctx, e.corpID, OARunOptions{})
	if !errors.Is(err, context.Canceled) && !strings.Contains(errText(err), "cancel") {
		t.Fatalf("stopped run: %v (%s)", err, r1.Status)
	}
	e.eng.o.Emit = nil
	time.Sleep(50 * time.Millisecond) // the emulator settles the jobs already accepted
	r2, err := e.eng.RunFromOA(context.Background(), e.corpID, OARunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Counts.Failed != 0 || r2.Counts.Pending != 0 {
		t.Fatalf("resumed run %+v", r2.Counts)
	}
	markers := 0
	for _, a := range e.actions(r2.ID) {
		if a.Reason.Code == "user_marker" || a.Reason.Code == "dept_marker" {
			markers++
		}
	}
	if markers == 0 {
		t.Fatal("the resumed run found nothing of the stopped one by its marker")
	}
	seen := map[string]int{}
	for _, u := range e.wl.FindUsers("", 100000) {
		if strings.HasPrefix(u.CorpUserID, "cb-") {
			seen[u.CorpUserID]++
		}
	}
	for k, n := range seen {
		if n > 1 {
			t.Fatalf("%s created %d times", k, n)
		}
	}
	r3, err := e.eng.RunFromOA(context.Background(), e.corpID, OARunOptions{PreviewOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if r3.Counts.Create != 0 {
		t.Fatalf("after the resume %+v", r3.Counts)
	}
}
