package syncer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"log/slog"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
	wlsim "cloudbridge/backend/welink/sim"
	"cloudbridge/backend/welink/sim/orggen"
)

// Figures (issue 5). Run one at a time on a quiet machine:
//
//	go test -run '^$' -bench 'Plan100k' -benchtime 1x ./backend/syncer/
//	go test -run '^$' -bench 'FromWeLink100k' -benchtime 1x -timeout 40m ./backend/syncer/
//	go test -run '^$' -bench 'FromOA10k' -benchtime 1x -timeout 20m ./backend/syncer/

// peakRSS is the process's high-water resident set (Linux), in MB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

func benchDB(b *testing.B) *store.DB {
	dir := b.TempDir()
	db, err := store.Open(store.Options{Dir: dir, Key: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func benchCorp(b *testing.B, db *store.DB, client *welink.Client) (*tenant.Service, string, string) {
	ten := tenant.New(context.Background(), db, func() *welink.Client { return client }, nil, core.SystemClock{}, slog.New(slog.DiscardHandler))
	corp, err := ten.CreateCorp("基准企业")
	if err != nil {
		b.Fatal(err)
	}
	app, err := ten.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "同步", ClientID: testClientID, ClientSecret: testSecret,
		Homepage: tenant.Homepage{Kind: "custom", CustomURL: "https://oa.example.com/"}})
	if err != nil {
		b.Fatal(err)
	}
	return ten, corp.ID, app.ID
}

// BenchmarkFromWeLink100k pulls a 100k-user / 10k-department org from the
// emulator into an on-disk store: with the client's quota limiter off (the
// bridge's own cost) and with WeLink's real quotas (what a tenant waits).
func BenchmarkFromWeLink100k(b *testing.B) {
	org := orggen.Generate(orggen.Spec{Users: 100000, Depts: 10000, Seed: 1})
	for _, quotas := range []bool{false, true} {
		b.Run("quotas="+strconv.FormatBool(quotas), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				s := wlsim.New(wlsim.Options{Org: org, Limits: wlsim.Limits{Disabled: !quotas}})
				s.AddApp(wlsim.AppSpec{ClientID: testClientID, Secret: testSecret, Grants: []string{"all"}, VisibleRange: wlsim.VisibleRange{AllStaff: true}})
				srv := httptest.NewServer(s)
				client := welink.New(welink.Options{BaseURL: srv.URL + "/api", Limits: welink.Limits{Disabled: !quotas}})
				db := benchDB(b)
				ten, corpID, appID := benchCorp(b, db, client)
				db.Update(func(tx *store.Tx) error {
					st := defaultSettings(corpID)
					st.AppID = appID
					return settingsColl.Put(tx, &st)
				})
				e := NewEngine(Options{DB: db, WeLink: func() *welink.Client { return client }, Tenant: ten})
				b.StartTimer()
				start := time.Now()
				r, err := e.RunFromWeLink(context.Background(), corpID, TriggerManual)
				elapsed := time.Since(start)
				b.StopTimer()
				srv.Close()
				if err != nil {
					b.Fatal(err)
				}
				calls := map[string]int{}
				for k, v := range client.App(welink.Credentials{ClientID: testClientID, ClientSecret: testSecret}).Calls() {
					calls[k] = int(v)
				}
				floor := welink.QuotaFloor(calls, welink.Limits{})
				b.ReportMetric(elapsed.Seconds(), "elapsed-s")
				b.ReportMetric(float64(r.Calls), "calls")
				b.ReportMetric(floor.Seconds(), "quota-floor-s")
				b.ReportMetric(peakRSS(), "peak-RSS-MB")
				b.ReportMetric(float64(r.Stats.Users), "users")
				b.ReportMetric(float64(r.Stats.Depts), "depts")
				b.Logf("WeLink → local: %d users, %d depts, %d calls in %v (quota floor %v), peak RSS %.0f MB",
					r.Stats.Users, r.Stats.Depts, r.Calls, elapsed.Round(time.Millisecond), floor.Round(time.Millisecond), peakRSS())
			}
		})
	}
}

// BenchmarkFromWeLink100kRSS is the quota-free pull with the engine in a
// child process (this test binary again) and the emulator here, so the
// peak RSS reported is the bridge's own.
func BenchmarkFromWeLink100kRSS(b *testing.B) {
	org := orggen.Generate(orggen.Spec{Users: 100000, Depts: 10000, Seed: 1})
	s := wlsim.New(wlsim.Options{Org: org, Limits: wlsim.Limits{Disabled: true}})
	s.AddApp(wlsim.AppSpec{ClientID: testClientID, Secret: testSecret, Grants: []string{"all"}, VisibleRange: wlsim.VisibleRange{AllStaff: true}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	for range b.N {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestPullChild$", "-test.v")
		cmd.Env = append(os.Environ(), "SYNCER_PULL_URL="+srv.URL+"/api", "SYNCER_PULL_DIR="+b.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		var res planChildResult
		for _, l := range strings.Split(string(out), "\n") {
			if j, ok := strings.CutPrefix(strings.TrimSpace(l), "RESULT "); ok {
				json.Unmarshal([]byte(j), &res)
			}
		}
		b.ReportMetric(res.PlanS, "elapsed-s")
		b.ReportMetric(res.RSSMB, "peak-RSS-MB")
		b.ReportMetric(float64(res.Actions), "users")
		b.Logf("WeLink → local, engine only: %d users in %.1fs, peak RSS %.0f MB (%s)", res.Actions, res.PlanS, res.RSSMB, res.Counts)
	}
}

// TestPullChild is BenchmarkFromWeLink100kRSS's child process.
func TestPullChild(t *testing.T) {
	url, dir := os.Getenv("SYNCER_PULL_URL"), os.Getenv("SYNCER_PULL_DIR")
	if url == "" {
		t.Skip("child of BenchmarkFromWeLink100kRSS")
	}
	db, err := store.Open(store.Options{Dir: dir, Key: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	client := welink.New(welink.Options{BaseURL: url, Limits: welink.Limits{Disabled: true}})
	ten := tenant.New(context.Background(), db, func() *welink.Client { return client }, nil, core.SystemClock{}, slog.New(slog.DiscardHandler))
	corp, _ := ten.CreateCorp("基准企业")
	app, err := ten.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "同步", ClientID: testClientID, ClientSecret: testSecret,
		Homepage: tenant.Homepage{Kind: "custom", CustomURL: "https://oa.example.com/"}})
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *store.Tx) error {
		st := defaultSettings(corp.ID)
		st.AppID = app.ID
		return settingsColl.Put(tx, &st)
	})
	e := NewEngine(Options{DB: db, WeLink: func() *welink.Client { return client }, Tenant: ten})
	start := time.Now()
	r, err := e.RunFromWeLink(context.Background(), corp.ID, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(planChildResult{PlanS: time.Since(start).Seconds(), RSSMB: peakRSS(), Actions: r.Stats.Users,
		Counts: fmt.Sprintf("%d depts, %d calls", r.Stats.Depts, r.Calls)})
	fmt.Println("RESULT " + string(j))
}

// mirrorOA builds an OA org shaped like a WeLink org: same tree and names
// (so departments match by level + name) and the same people with the same
// mobiles (so users match by the mobile rule): a first OA sync against a
// tenant that already exists, the heaviest plan.
func mirrorOA(g *orggen.Org) *oa.Org {
	o := &oa.Org{Full: true}
	for _, d := range g.Depts {
		p := ""
		if d.Parent != "0" {
			p = "dep:" + d.Parent
		}
		o.Departments = append(o.Departments, oa.Department{ID: "dep:" + d.Code, SourceID: d.Code, Type: oa.TypeDepartment, ParentID: p, Name: d.NameCn, Order: float64(d.Order)})
	}
	for i, u := range g.Users {
		if u.Status == "4" {
			continue
		}
		o.Users = append(o.Users, oa.User{ID: strconv.Itoa(i + 1), LoginID: "u" + strconv.Itoa(i+1), WorkCode: u.EmployeeID, Name: u.NameCn,
			Mobile: u.Mobile, Email: u.Email, DepartmentID: "dep:" + u.MainDept, Status: 1})
	}
	return o
}

// BenchmarkPlan100k plans 100k OA users / 10k departments against a
// 100k-user WeLink directory: loading the directory from the store plus the
// planner. The plan runs in a child process (this test binary again) so
// that its peak RSS is the plan's, not the set-up's.
func BenchmarkPlan100k(b *testing.B) {
	g := orggen.Generate(orggen.Spec{Users: 100000, Depts: 10000, Seed: 1})
	dir := b.TempDir()
	db, err := store.Open(store.Options{Dir: dir, Key: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	depts, users := localFromWeLink("corp1", &welink.Org{Departments: toWLDepts(g), Users: toWLUsers(g)})
	bt := db.NewBatch()
	for i := range depts {
		directory.Depts.PutBatch(bt, &depts[i])
	}
	for i := range users {
		directory.Users.PutBatch(bt, &users[i])
	}
	if err := bt.Flush(); err != nil {
		b.Fatal(err)
	}
	// The directory was written by earlier pulls, not a moment ago: let
	// Badger compact the bulk write (as a running installation has long
	// done) so the child measures the plan, not a compaction of the set-up.
	db.Close()
	if db, err = store.Open(store.Options{Dir: dir, Key: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)}); err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if lv := db.Badger().Levels(); len(lv) > 0 && lv[0].NumTables == 0 {
			break
		}
	}
	db.Close()
	orgFile := dir + "/../oa.json"
	raw, _ := json.Marshal(mirrorOA(g))
	if err := os.WriteFile(orgFile, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	for range b.N {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestPlanChild$", "-test.v")
		cmd.Env = append(os.Environ(), "SYNCER_PLAN_DB="+dir, "SYNCER_PLAN_ORG="+orgFile)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		var res planChildResult
		for _, l := range strings.Split(string(out), "\n") {
			if j, ok := strings.CutPrefix(strings.TrimSpace(l), "RESULT "); ok {
				json.Unmarshal([]byte(j), &res)
			}
		}
		b.ReportMetric(res.PlanS, "plan-s")
		b.ReportMetric(res.PlannerS, "planner-only-s")
		b.ReportMetric(res.RSSMB, "peak-RSS-MB")
		b.ReportMetric(float64(res.Actions), "actions")
		b.Logf("plan of 100k OA users / 10k depts: %d actions %s in %.2fs (planner %.2fs), peak RSS %.0f MB", res.Actions, res.Counts, res.PlanS, res.PlannerS, res.RSSMB)
	}
}

type planChildResult struct {
	PlanS, PlannerS, RSSMB float64
	Actions                int
	Counts                 string
}

// TestPlanChild is BenchmarkPlan100k's child process.
func TestPlanChild(t *testing.T) {
	dir, orgFile := os.Getenv("SYNCER_PLAN_DB"), os.Getenv("SYNCER_PLAN_ORG")
	if dir == "" {
		t.Skip("child of BenchmarkPlan100k")
	}
	raw, err := os.ReadFile(orgFile)
	if err != nil {
		t.Fatal(err)
	}
	org := &oa.Org{}
	if err := json.Unmarshal(raw, org); err != nil {
		t.Fatal(err)
	}
	raw = nil
	db, err := store.Open(store.Options{Dir: dir, Key: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runtime.GC()
	if f := os.Getenv("SYNCER_PLAN_CPUPROFILE"); f != "" {
		// go test -bench Plan100k with SYNCER_PLAN_CPUPROFILE=file profiles the plan itself.
		out, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(out)
		defer func() { pprof.StopCPUProfile(); out.Close() }()
	}
	start := time.Now()
	in := planInput{Settings: defaultSettings("corp1").OA, Org: org, Complete: true, BindEnabled: true}
	if err := db.View(func(tx *store.Tx) error {
		var err error
		in.Depts, in.Users, err = corpDirectory(tx, "corp1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	loaded := time.Since(start)
	out, err := buildPlan(in)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(planChildResult{PlanS: elapsed.Seconds(), PlannerS: (elapsed - loaded).Seconds(), RSSMB: peakRSS(),
		Actions: len(out.Actions), Counts: fmt.Sprintf("%+v", out.Counts)})
	fmt.Println("RESULT " + string(j))
}

func toWLDepts(g *orggen.Org) []welink.Department {
	out := make([]welink.Department, 0, len(g.Depts))
	for _, d := range g.Depts {
		out = append(out, welink.Department{DeptCode: d.Code, CorpDeptCode: d.CorpCode, ParentCode: d.Parent, DeptNameCn: d.NameCn, OrderNo: welink.FlexString(strconv.Itoa(d.Order))})
	}
	return out
}

func toWLUsers(g *orggen.Org) []welink.User {
	out := make([]welink.User, 0, len(g.Users))
	for _, u := range g.Users {
		if u.Status == "4" {
			continue
		}
		out = append(out, welink.User{UserID: u.UserID, CorpUserID: u.CorpUserID, MobileNumber: u.Mobile, UserNameCn: u.NameCn, UserEmail: u.Email,
			EmployeeID: u.EmployeeID, MainDeptCode: u.MainDept, DeptCodes: u.Depts, UserStatus: welink.FlexString(u.Status)})
	}
	return out
}

// BenchmarkFromOA10k runs a whole 从OA同步 (WeLink pull, OA read from the
// e-cology emulator over HTTP, plan, apply) of a 10k-person OA into an empty
// WeLink tenant with WeLink's real quotas, and compares the apply with the
// least time the quotas allow for the calls it needs. Batch jobs settle
// 200 ms after submission in the emulator (WeLink publishes no latency: a
// guess). Run it three times for the spread:
//
//	go test -run '^$' -bench 'FromOA10k' -benchtime 1x -count 3 ./backend/syncer/
//
// The floor counts every call the apply needs: each submission and each
// realtime create it made, and one result call per async job (polls beyond
// the first are the apply's own cost, not the floor's). It is the larger of
//
//   - the quota schedule of those calls (welink.QuotaFloor: every API at 40
//     calls/s and 1500/min, all of them at 3000/20 s, no latency), and
//
//   - for each batch API, the quota schedule of its submissions plus one
//     job latency: the last job's result exists no earlier than that.
//
//   - the same for the user jobs with the plan's shape (dependencyFloor):
//     a user can be sent only once its departments exist, which takes a
//     job latency unless they were made by realtime calls, and those are
//     40 in the first second.
//
// It leaves out parents (a department waits for its parent), the order of
// departments and the client's 50 ms safety margin per quota window, so no
// implementation reaches it. The bench reports the ratio to each bound.
const benchBatchDelay = 200 * time.Millisecond

func BenchmarkFromOA10k(b *testing.B) {
	creds := welink.Credentials{ClientID: testClientID, ClientSecret: testSecret}
	for range b.N {
		b.StopTimer()
		s := wlsim.New(wlsim.Options{BatchDelay: benchBatchDelay})
		s.AddApp(wlsim.AppSpec{ClientID: testClientID, Secret: testSecret, Grants: []string{"all"}, VisibleRange: wlsim.VisibleRange{AllStaff: true}})
		srv := httptest.NewServer(s)
		o := oasim.New(oasim.Options{Users: 10000, Seed: 1})
		oaSrv := httptest.NewServer(o)
		conn, err := oa.New(oa.Config{Kind: oa.KindEcology9, BaseURL: oaSrv.URL, PageSize: 1000, Auth: oa.AuthConfig{Mode: oa.AuthNone}}, oa.Deps{})
		if err != nil {
			b.Fatal(err)
		}
		client := welink.New(welink.Options{BaseURL: srv.URL + "/api"})
		db := benchDB(b)
		ten, corpID, appID := benchCorp(b, db, client)
		db.Update(func(tx *store.Tx) error {
			st := defaultSettings(corpID)
			st.AppID, st.Mode, st.OA.CreateUsers = appID, ModeReadWrite, true
			return settingsColl.Put(tx, &st)
		})
		var stages []string
		last, lastStage := time.Now(), ""
		var applyStart time.Time
		var atApply map[string]int64
		emit := func(_ string, d any) {
			p := d.(Progress)
			if p.Status == StatusApplying && applyStart.IsZero() {
				applyStart, atApply = time.Now(), client.App(creds).Calls()
			}
			if p.Stage != lastStage {
				stages = append(stages, fmt.Sprintf("%s %v", lastStage, time.Since(last).Round(time.Millisecond)))
				last, lastStage = time.Now(), p.Stage
			}
		}
		e := NewEngine(Options{DB: db, WeLink: func() *welink.Client { return client }, Tenant: ten, PollEvery: 100 * time.Millisecond,
			OA: func(context.Context) (oa.Connector, error) { return conn, nil }, Emit: emit})
		b.StartTimer()
		start := time.Now()
		r, err := e.RunFromOA(context.Background(), corpID, OARunOptions{ApproveDeletes: true})
		elapsed := time.Since(start)
		b.StopTimer()
		srv.Close()
		oaSrv.Close()
		if err != nil {
			b.Fatal(err)
		}
		reasons := map[string]int{}
		var acts []Action
		db.View(func(tx *store.Tx) error {
			list, err := RunActions(tx, r.ID)
			acts = list
			for _, a := range list {
				if a.Result == ResFailed {
					reasons["failed "+a.Object+" "+a.Error]++
				} else if a.Kind == ActReview {
					reasons["review "+a.Reason.Code]++
				}
			}
			return err
		})
		b.Logf("failures and reviews: %v; 48503 answers: %d", reasons, s.Throttled())
		b.Logf("stages: %v", stages)

		// The apply's calls (retries after a 48503 included), and the calls
		// it needs: the jobs WeLink accepted, one result call each, and the
		// realtime creates that made a department.
		const resultAPI = "GET /contact/v1/batch/result"
		applyCalls, needed := map[string]int{}, map[string]int{}
		for k, v := range client.App(creds).Calls() {
			if n := int(v - atApply[k]); n > 0 {
				applyCalls[k] = n
			}
		}
		jobs, inJobs := 0, 0
		for _, j := range s.Jobs() {
			op, _ := strings.CutPrefix(j.Type, "dept_")
			path := "POST /contact/v1/department/batch/" + op
			if u, ok := strings.CutPrefix(j.Type, "user_"); ok {
				path = "POST /contact/v1/user/batch/" + u
			} else {
				inJobs += j.Total
			}
			needed[path]++
			jobs++
		}
		needed[resultAPI] = jobs
		if n := r.Counts.DeptCreate - inJobs; n > 0 {
			needed["POST /contact/v1/department/create"] = n
		}
		quotaFloor := welink.QuotaFloor(needed, welink.Limits{})
		latFloor := quotaFloor
		for k, n := range needed {
			if strings.HasPrefix(k, "POST ") && strings.Contains(k, "/batch/") {
				latFloor = max(latFloor, welink.QuotaFloor(map[string]int{k: n}, welink.Limits{})+benchBatchDelay)
			}
		}
		floor := max(latFloor, dependencyFloor(acts, needed["POST /contact/v1/user/batch/create"], benchBatchDelay))
		applyTime := r.EndedAt.Sub(applyStart)
		b.ReportMetric(applyTime.Seconds(), "apply-s")
		b.ReportMetric(floor.Seconds(), "apply-floor-s")
		b.ReportMetric(applyTime.Seconds()/floor.Seconds(), "x-floor")
		b.ReportMetric(applyTime.Seconds()/quotaFloor.Seconds(), "x-quota-only")
		b.ReportMetric(applyTime.Seconds()/latFloor.Seconds(), "x-quota+latency")
		b.ReportMetric(float64(applyCalls[resultAPI]-jobs), "extra-polls")
		b.ReportMetric(elapsed.Seconds(), "run-s")
		b.ReportMetric(float64(r.Calls), "calls")
		b.ReportMetric(peakRSS(), "peak-RSS-MB")
		b.ReportMetric(float64(r.Counts.UserCreate), "users-created")
		b.ReportMetric(float64(r.Counts.Failed), "failed")
		b.Logf("apply: %v, floor %v (quotas alone %v, quotas + one job latency %v); calls made %v; calls needed %v", applyTime.Round(time.Millisecond),
			floor.Round(time.Millisecond), quotaFloor.Round(time.Millisecond), latFloor.Round(time.Millisecond), applyCalls, needed)
		b.Logf("OA → WeLink: %+v; %d calls in %v; peak RSS %.0f MB", r.Counts, r.Calls, elapsed.Round(time.Millisecond), peakRSS())
	}
}

// dependencyFloor is a lower bound for the user jobs of a plan: before one
// job latency has passed, only departments made by realtime calls exist
// (at most 40: that API's quota per second), so only the users of the 40
// biggest new departments (by main department; an upper bound) and those
// with no new department can be in the jobs submitted before then. The
// other jobs are submitted at ≥ latency, one quota schedule after, and the
// last one's result exists a latency later.
func dependencyFloor(acts []Action, jobs int, latency time.Duration) time.Duration {
	newDept := map[string]bool{}
	for _, a := range acts {
		if a.Object == "dept" && a.Kind == ActCreate {
			newDept[a.OAID] = true
		}
	}
	per := map[string]int{}
	free := 0
	for _, a := range acts {
		if a.Object != "user" || a.Kind != ActCreate || a.Input == nil || len(a.Input.DeptsOA) == 0 {
			continue
		}
		if m := a.Input.DeptsOA[0]; newDept[m] {
			per[m]++
		} else if !slices.ContainsFunc(a.Input.DeptsOA, func(d string) bool { return newDept[d] }) {
			free++
		}
	}
	sizes := make([]int, 0, len(per))
	for _, n := range per {
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	ready := free
	for i := len(sizes) - 1; i >= 0 && i >= len(sizes)-40; i-- {
		ready += sizes[i]
	}
	early := min(jobs, (ready+welink.BatchSize-1)/welink.BatchSize)
	late := jobs - early
	if late == 0 {
		return welink.QuotaFloor(map[string]int{"u": jobs}, welink.Limits{}) + latency
	}
	return max(welink.QuotaFloor(map[string]int{"u": jobs}, welink.Limits{}), latency+welink.QuotaFloor(map[string]int{"u": late}, welink.Limits{})) + latency
}
