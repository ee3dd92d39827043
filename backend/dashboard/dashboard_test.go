package dashboard

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
	"cloudbridge/backend/syncer"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/tenant/tenanttest"
	"cloudbridge/backend/welink"
	wlsim "cloudbridge/backend/welink/sim"
)

type noBinder struct{}

func (noBinder) AutoBindEnabled(*store.Tx, string) (bool, error) { return false, nil }
func (noBinder) AutoBindNew(context.Context, string, []directory.User) (int, error) {
	return 0, nil
}
func (noBinder) Bind(*store.Tx, binding.Binding) error  { return nil }
func (noBinder) Unbind(*store.Tx, string, string) error { return nil }

// The dashboard reads every figure from what the other areas stored: an
// app's verify verdict, a real WeLink → local run, the directory and the
// bindings, and the relay's hourly series.
func TestHealthReadsStoredFigures(t *testing.T) {
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	wl := wlsim.New(wlsim.Options{Users: 40, Depts: 5, Seed: 3, BatchDelay: 10 * time.Millisecond})
	wl.AddApp(wlsim.AppSpec{ClientID: "dash-ok", Secret: "s3cret", Grants: []string{"all"}, VisibleRange: wlsim.VisibleRange{AllStaff: true}})
	srv := httptest.NewServer(wl)
	t.Cleanup(srv.Close)
	client := welink.New(welink.Options{BaseURL: srv.URL + "/api", Retry: welink.Retry{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond}})
	log := slog.New(slog.DiscardHandler)
	ten := tenant.New(context.Background(), db, func() *welink.Client { return client }, nil, core.SystemClock{}, log)

	corp, err := ten.CreateCorp("总览企业")
	if err != nil {
		t.Fatal(err)
	}
	empty, err := ten.CreateCorp("空企业")
	if err != nil {
		t.Fatal(err)
	}
	hp := tenant.Homepage{Kind: "custom", CustomURL: "https://oa.example.com/"}
	good, err := ten.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "好应用", ClientID: "dash-ok", ClientSecret: "s3cret", Homepage: hp})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := ten.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "坏应用", ClientID: "dash-unknown", ClientSecret: "nope", Homepage: hp})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ten.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "未验证", ClientID: "dash-never", ClientSecret: "x", Homepage: hp}); err != nil {
		t.Fatal(err)
	}
	if v, err := ten.VerifyApp(good.ID); err != nil || !v.OK {
		t.Fatalf("verify good = %+v %v", v, err)
	}
	if v, _ := ten.VerifyApp(bad.ID); v.OK {
		t.Fatalf("verify bad = %+v", v)
	}

	eng := syncer.NewEngine(syncer.Options{DB: db, WeLink: func() *welink.Client { return client }, Tenant: ten, Binder: noBinder{}, Log: log, PollEvery: 10 * time.Millisecond})
	ssvc := syncer.NewService(context.Background(), eng, nil)
	st, err := ssvc.GetSettings(corp.ID)
	if err != nil {
		t.Fatal(err)
	}
	st.AppID = good.ID
	if _, err := ssvc.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	run, err := eng.RunFromWeLink(context.Background(), corp.ID, syncer.TriggerManual)
	if err != nil || run.Status != syncer.StatusDone {
		t.Fatalf("pull = %+v %v", run, err)
	}
	// A second run: the newest one is "last".
	if run, err = eng.RunFromWeLink(context.Background(), corp.ID, syncer.TriggerManual); err != nil || run.Status != syncer.StatusDone {
		t.Fatalf("second pull = %+v %v", run, err)
	}
	var users []directory.User
	if err := db.View(func(tx *store.Tx) error {
		var e error
		users, e = directory.Users.Lookup(tx, "corp", corp.ID)
		return e
	}); err != nil || len(users) == 0 {
		t.Fatalf("directory = %d %v", len(users), err)
	}
	err = db.Update(func(tx *store.Tx) error {
		for i, u := range users[:3] {
			b := binding.Binding{CorpID: corp.ID, WeLinkUserID: u.UserID, OAUserID: "oa" + string(rune('a'+i)), Method: binding.MethodManual, At: time.Now()}
			if err := binding.Bindings.Put(tx, &b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := ten.ProbeApp(good.ID); err != nil {
		t.Fatal(err)
	}
	nextAt := time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC)
	svc := New(db, ten, core.SystemClock{}, func(id string) (map[string]time.Time, error) {
		if id == corp.ID {
			return map[string]time.Time{syncer.FromOA: nextAt}, nil
		}
		return map[string]time.Time{}, nil
	}, client.QuotaSnapshot)
	h, err := svc.Health()
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Corps) != 2 || len(h.Push.Hours) != 24 {
		t.Fatalf("corps = %d, hours = %d", len(h.Corps), len(h.Push.Hours))
	}
	var c, e CorpHealth
	for _, x := range h.Corps {
		switch x.ID {
		case corp.ID:
			c = x
		case empty.ID:
			e = x
		}
	}
	if len(c.Apps) != 3 {
		t.Fatalf("apps = %+v", c.Apps)
	}
	verdict := map[string]string{}
	for _, a := range c.Apps {
		switch {
		case a.LastVerify == nil:
			verdict[a.Name] = "never"
		case a.LastVerify.OK:
			verdict[a.Name] = "ok"
		default:
			verdict[a.Name] = "failed"
		}
	}
	if verdict["好应用"] != "ok" || verdict["坏应用"] != "failed" || verdict["未验证"] != "never" {
		t.Fatalf("verdicts = %v", verdict)
	}
	// The token state and the probe: the good app's probe (after the
	// verify) is its newest verdict, with every permission granted; the
	// bad app's token failure carries WeLink's code.
	for _, a := range c.Apps {
		switch a.Name {
		case "好应用":
			if a.Token == nil || !a.Token.OK || a.Token.Source != "probe" || a.LastProbe == nil || a.LastProbe.Probe == nil {
				t.Fatalf("good app token %+v probe %+v", a.Token, a.LastProbe)
			}
			for _, p := range a.LastProbe.Probe.Permissions {
				if p.Status != welink.StatusGranted {
					t.Fatalf("good app: %s %s", p.Key, p.Status)
				}
			}
			// Real quotas: the sync's contact reads and the probe's calls
			// are in this minute's windows, far from the limits.
			var contacts *ClassQuota
			for i := range a.Quota {
				if a.Quota[i].Class == welink.ClassContacts {
					contacts = &a.Quota[i]
				}
			}
			if contacts == nil || contacts.Calls == 0 || contacts.Limit == 0 || contacts.Used == 0 || contacts.Near {
				t.Fatalf("good app quota %+v", a.Quota)
			}
		case "坏应用":
			if a.Token == nil || a.Token.OK || a.Token.Error == nil || a.Token.Error.Code == "" {
				t.Fatalf("bad app token %+v", a.Token)
			}
		case "未验证":
			if a.Token != nil || len(a.Quota) != 0 {
				t.Fatalf("never checked app: %+v", a)
			}
		}
	}
	if h.Disk == nil || h.Disk.Free <= 0 || h.Disk.Total < h.Disk.Free || h.Disk.Warn != store.LowSpaceWarning || h.Disk.MinFree != store.DefaultMinFree {
		t.Fatalf("disk = %+v", h.Disk)
	}
	if h.QuotaIP == nil || h.QuotaIP.Limit != 3000 || h.QuotaIP.Used == 0 {
		t.Fatalf("ip quota = %+v", h.QuotaIP)
	}
	// A corp an interrupted delete left marked is listed apart, not as a card.
	tenanttest.MarkDeleting(t, db, empty.ID)
	if h, err = svc.Health(); err != nil {
		t.Fatal(err)
	}
	if len(h.Corps) != 1 || h.Corps[0].ID != corp.ID || len(h.Deleting) != 1 || h.Deleting[0].Name != "空企业" {
		t.Fatalf("corps %d, deleting %+v", len(h.Corps), h.Deleting)
	}
	if c.Users != len(users) || c.Bound != 3 {
		t.Fatalf("users/bound = %d/%d, want %d/3", c.Users, c.Bound, len(users))
	}
	wlState := c.Sync[syncer.FromWeLink]
	if wlState.Last == nil || wlState.Last.ID != run.ID || wlState.Next != nil {
		t.Fatalf("welink sync = %+v", wlState)
	}
	oaState := c.Sync[syncer.FromOA]
	if oaState.Last != nil || oaState.Next == nil || !oaState.Next.Equal(nextAt) {
		t.Fatalf("oa sync = %+v", oaState)
	}
	if len(e.Apps) != 0 || e.Users != 0 || e.Bound != 0 || e.Sync[syncer.FromWeLink].Last != nil {
		t.Fatalf("empty corp = %+v", e)
	}
}

// A class near its limit is flagged (the UI draws it red): with a quota of
// 5 calls a minute, the 4th call in the minute is at 80 %.
func TestQuotaNearTheLimit(t *testing.T) {
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	wl := wlsim.New(wlsim.Options{Users: 5, Seed: 3})
	wl.AddApp(wlsim.AppSpec{ClientID: "dash-busy", Secret: "s", Grants: []string{"all"}, VisibleRange: wlsim.VisibleRange{AllStaff: true}})
	srv := httptest.NewServer(wl)
	t.Cleanup(srv.Close)
	client := welink.New(welink.Options{BaseURL: srv.URL + "/api", Limits: welink.Limits{PerSecond: 10, PerMinute: 5}})
	ten := tenant.New(context.Background(), db, func() *welink.Client { return client }, nil, core.SystemClock{}, slog.New(slog.DiscardHandler))
	corp, _ := ten.CreateCorp("繁忙企业")
	if _, err := ten.SaveApp(tenant.AppInput{CorpID: corp.ID, Name: "繁忙应用", ClientID: "dash-busy", ClientSecret: "s",
		Homepage: tenant.Homepage{Kind: "custom", CustomURL: "https://oa.example.com/"}}); err != nil {
		t.Fatal(err)
	}
	wa := client.App(welink.Credentials{ClientID: "dash-busy", ClientSecret: "s"})
	for i := 0; i < 4; i++ {
		if _, err := wa.Tenant(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	h, err := New(db, ten, core.SystemClock{}, nil, client.QuotaSnapshot).Health()
	if err != nil {
		t.Fatal(err)
	}
	// The token fetch is the auth class's one call; the tenant reads are
	// "other".
	q := h.Corps[0].Apps[0].Quota
	if len(q) != 2 || q[0].Class != welink.ClassAuth || q[0].Near || q[0].Calls != 1 {
		t.Fatalf("quota = %+v", q)
	}
	if o := q[1]; o.Class != welink.ClassOther || o.Window != "minute" || o.Used != 4 || o.Limit != 5 || !o.Near || o.API != "GET /tenant/v1/tenants" {
		t.Fatalf("quota = %+v", q)
	}
}
