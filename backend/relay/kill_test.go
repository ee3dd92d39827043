package relay

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
	wlsim "cloudbridge/backend/welink/sim"
)

// TestKill9Restarts is the crash proof: a child process takes N to-dos in
// durably, then delivery children are killed with SIGKILL five times at
// random moments while they deliver, and a last one finishes. The WeLink
// emulator (in this process) counts every addtask it accepted: each taskId
// exactly once, none missing.
//
//	go test -run Kill9 -v ./backend/relay/   (RELAY_KILL_TODOS, default 2000)
func TestKill9Restarts(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("RELAY_KILL_TODOS")); err == nil && v > 0 {
		n = v
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sim := wlsim.WithDemoApp(wlsim.New(wlsim.Options{Users: 2*n + 50, Seed: 11, Limits: wlsim.Limits{Disabled: true}, Logger: log}))
	// Latency makes delivery last long enough to be interrupted.
	sim.AddFault(wlsim.Fault{Path: "/todo/v3/addtask", Latency: 40 * time.Millisecond})
	var mu sync.Mutex
	accepted := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/todo/v3/addtask") {
			sim.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		rec := &recorder{ResponseWriter: w}
		sim.ServeHTTP(rec, r)
		var in struct {
			TaskID string `json:"taskId"`
		}
		var out struct {
			Code string `json:"code"`
		}
		json.Unmarshal(body, &in)
		json.Unmarshal(rec.body, &out)
		if out.Code == "0" {
			mu.Lock()
			accepted[in.TaskID]++
			mu.Unlock()
		}
	}))
	defer srv.Close()
	defer sim.Close()
	var users []string
	for _, u := range sim.FindUsers("", 2*n+50) {
		if u.Status != "4" {
			users = append(users, u.UserID)
		}
	}
	if len(users) < n {
		t.Fatalf("%d users", len(users))
	}
	dir := t.TempDir()
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(rand.IntN(256))
	}
	env := []string{"RELAY_KILL_CHILD=1", "RELAY_KILL_DIR=" + dir, "RELAY_KILL_KEY=" + hex.EncodeToString(key),
		"RELAY_KILL_WELINK=" + srv.URL + "/api", "RELAY_KILL_N=" + strconv.Itoa(n), "RELAY_KILL_USERS=" + strings.Join(users[:n], ",")}
	run := func(mode string, killAfter time.Duration) (killed bool) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
		cmd.Env = append(os.Environ(), append(env, "RELAY_KILL_MODE="+mode)...)
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if killAfter > 0 {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("%s child failed: %v\n%s", mode, err, out)
				}
				return false
			case <-time.After(killAfter):
				cmd.Process.Kill() // SIGKILL
				<-done
				return true
			}
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s child failed: %v\n%s", mode, err, out)
			}
		case <-time.After(3 * time.Minute):
			cmd.Process.Kill()
			t.Fatalf("%s child did not finish\n%s", mode, out)
		}
		return false
	}
	run("intake", 0)
	kills := 0
	for kills < 5 {
		mu.Lock()
		got := len(accepted)
		mu.Unlock()
		if got >= n {
			break
		}
		if run("deliver", time.Duration(400+rand.IntN(500))*time.Millisecond) {
			kills++
		}
	}
	run("finish", 0)
	mu.Lock()
	defer mu.Unlock()
	dup, missing := 0, 0
	for i := 0; i < n; i++ {
		switch c := accepted[TaskID("kill", strconv.Itoa(i), fmt.Sprintf("k%05d", i))]; {
		case c == 0:
			missing++
		case c > 1:
			dup++
		}
	}
	// How many calls were cut off mid-way (found "sending" on a restart).
	db, err := store.Open(store.Options{Dir: dir, Key: key, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	interrupted, inDoubtAdds := 0, 0
	db.View(func(tx *store.Tx) error {
		return deliveries.Each(tx, func(d Delivery) error {
			for _, ev := range d.Events {
				if ev.Kind == "retry" && strings.Contains(ev.Detail, "restart") {
					interrupted++
					break
				}
			}
			if d.Calls > 1 {
				inDoubtAdds++
			}
			return nil
		})
	})
	db.Close()
	t.Logf("%d to-dos, %d SIGKILLs during delivery: %d accepted by WeLink, %d missing, %d duplicated; %d calls interrupted mid-way, %d rows called WeLink more than once",
		n, kills, len(accepted), missing, dup, interrupted, inDoubtAdds)
	if interrupted == 0 {
		t.Fatal("no kill hit a call in flight: the proof proved nothing")
	}
	if kills < 5 {
		t.Fatalf("only %d kills happened before delivery finished; raise RELAY_KILL_TODOS", kills)
	}
	if missing != 0 || dup != 0 || len(accepted) != n {
		t.Fatalf("lost %d, duplicated %d, accepted %d of %d", missing, dup, len(accepted), n)
	}
}

type recorder struct {
	http.ResponseWriter
	body []byte
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body = append(r.body, b...)
	return r.ResponseWriter.Write(b)
}

// TestKillChild is the child process of TestKill9Restarts.
func TestKillChild(t *testing.T) {
	if os.Getenv("RELAY_KILL_CHILD") != "1" {
		t.Skip("child of TestKill9Restarts")
	}
	key, _ := hex.DecodeString(os.Getenv("RELAY_KILL_KEY"))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(store.Options{Dir: os.Getenv("RELAY_KILL_DIR"), Key: key, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	client := welink.New(welink.Options{BaseURL: os.Getenv("RELAY_KILL_WELINK"), Limits: welink.Limits{Disabled: true}, Logger: log,
		HTTP: &http.Client{Timeout: 5 * time.Second}})
	deps := &tenant.Dependents{}
	ten := tenant.New(ctx, db, func() *welink.Client { return client }, deps, core.SystemClock{}, log)
	e := New(ctx, Options{DB: db, Apps: ten, WeLink: func() *welink.Client { return client }, Log: log, Workers: 16,
		RetryBase: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond})
	n, _ := strconv.Atoi(os.Getenv("RELAY_KILL_N"))
	switch os.Getenv("RELAY_KILL_MODE") {
	case "intake":
		corp, err := ten.CreateCorp("kill")
		if err != nil {
			t.Fatal(err)
		}
		app, err := ten.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "kill", ClientID: wlsim.DemoClientID,
			ClientSecret: wlsim.DemoClientSecret, Homepage: tenant.Homepage{Kind: "custom", CustomURL: "http://oa.example/"}})
		if err != nil {
			t.Fatal(err)
		}
		users := strings.Split(os.Getenv("RELAY_KILL_USERS"), ",")
		for s := 0; s < n; s += 1000 {
			if err := db.Update(func(tx *store.Tx) error {
				for i := s; i < min(n, s+1000); i++ {
					u := oa.User{ID: strconv.Itoa(500000 + i), LoginID: fmt.Sprintf("k%05d", i), Name: "用户"}
					if err := directory.OAUsers.Put(tx, &u); err != nil {
						return err
					}
					if err := binding.Bindings.Put(tx, &binding.Binding{CorpID: corp.ID, WeLinkUserID: users[i], OAUserID: u.ID, Method: binding.MethodManual}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		// Intake only: the committer without workers.
		if err := e.reload(); err != nil {
			t.Fatal(err)
		}
		go e.committer()
		if _, err := SaveOASystem(e, OASystemInput{Name: "kill", SysCode: "kill", Enabled: true, PersonRule: PersonLoginID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Service().SaveRule(RuleInput{Name: "todo", Enabled: true, Source: SourceTodo,
			Targets: []Target{{CorpID: corp.ID, AppID: app.ID, Type: TypeTodo}}}); err != nil {
			t.Fatal(err)
		}
		var in []incoming
		for i := 0; i < n; i++ {
			in = append(in, fromOFS(oa.Todo{Action: oa.OFSUpsert, State: oa.TodoPending, SysCode: "kill", FlowID: strconv.Itoa(i),
				RequestName: "申请 " + strconv.Itoa(i), WorkflowName: "费用报销", Receiver: fmt.Sprintf("k%05d", i), ReceiveTS: 1,
				PCURL: "http://oa.example/workflow/request/ViewRequest.jsp?requestid=" + strconv.Itoa(i)}))
		}
		if err := e.submit(ctx, in); err != nil {
			t.Fatal(err)
		}
		e.cancel()
		<-e.committerDone
	case "deliver":
		if err := e.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour) // killed by the parent
	case "finish":
		if err := e.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for time.Now().Before(deadline) {
			f, err := Metrics(db, time.Now(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if f.Status[StatusDelivered] >= n {
				e.Stop()
				return
			}
			if f.Status[StatusDead]+f.Status[StatusUncertain] > 0 {
				page, _ := e.Service().ListDeliveries(LogQuery{Status: StatusDead, Limit: 1})
				t.Fatalf("rows given up: %v; %+v", f.Status, page.Rows)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatal("delivery did not finish")
	}
}
