package tenant

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
)

// The probe's outcome is kept on the app with its time and who ran it:
// granted and missing permissions, or the token failure with WeLink's code.
// The periodic check probes again what is older than RecheckEvery, and
// leaves a corp being deleted alone.
func TestProbeIsKeptAndRechecked(t *testing.T) {
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	emu := sim.New(sim.Options{Users: 10, Seed: 1})
	emu.AddApp(sim.AppSpec{ClientID: "probe-part", Secret: "s", Grants: []string{"auth", "contacts_read"}, VisibleRange: sim.VisibleRange{AllStaff: true}})
	emu.AddApp(sim.AppSpec{ClientID: "probe-gone", Secret: "s", Grants: []string{"all"}, VisibleRange: sim.VisibleRange{AllStaff: true}})
	hs := httptest.NewServer(emu)
	t.Cleanup(hs.Close)
	client := welink.New(welink.Options{BaseURL: hs.URL + "/api", Retry: welink.Retry{Attempts: 1}})
	clock := core.NewFakeClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	deps := &Dependents{}
	svc := New(context.Background(), db, func() *welink.Client { return client }, deps, clock, slog.New(slog.DiscardHandler))

	c, _ := svc.CreateCorp("探测企业")
	part, _ := svc.SaveApp(AppInput{CorpID: c.ID, Name: "部分授权", ClientID: "probe-part", ClientSecret: "s"})
	bad, _ := svc.SaveApp(AppInput{CorpID: c.ID, Name: "错误密钥", ClientID: "probe-gone", ClientSecret: "wrong"})

	if _, err := svc.ProbeApp(part.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.GetApp(part.ID)
	lp := got.LastProbe
	if lp == nil || !lp.TokenOK || lp.By != ProbeByAdmin || !lp.At.Equal(clock.Now()) || lp.Probe == nil {
		t.Fatalf("last probe %+v", lp)
	}
	status := map[string]string{}
	for _, p := range lp.Probe.Permissions {
		status[p.Key] = p.Status
	}
	if status[welink.PermAuth] != welink.StatusGranted || status[welink.PermContactsRead] != welink.StatusGranted ||
		status[welink.PermTodo] != welink.StatusDenied || status[welink.PermMessage] != welink.StatusDenied {
		t.Fatalf("permissions %v", status)
	}
	_, err = svc.ProbeApp(bad.ID)
	if core.AsError(err).Code != "welink.10007" {
		t.Fatalf("wrong secret: %v", err)
	}
	got, _ = svc.GetApp(bad.ID)
	if lp := got.LastProbe; lp == nil || lp.TokenOK || lp.Error == nil || lp.Error.Code != "welink.10007" || lp.Probe != nil {
		t.Fatalf("token failure not kept: %+v", lp)
	}

	// The dashboard's counters follow the newest verdict: the bad app was
	// never verified, its probe failed.
	var st Stats
	db.View(func(tx *store.Tx) error { var err error; st, err = CountAll(tx); return err })
	if st.Apps != 2 || st.AppsVerified != 1 || st.AppsFailing != 1 {
		t.Fatalf("stats %+v", st)
	}

	// Nothing is due yet; six hours later both are, by the schedule.
	if n := RecheckApps(svc); n != 0 {
		t.Fatalf("rechecked %d fresh apps", n)
	}
	clock.Advance(RecheckEvery + time.Minute)
	if n := RecheckApps(svc); n != 2 {
		t.Fatalf("rechecked %d apps, want 2", n)
	}
	for _, id := range []string{part.ID, bad.ID} {
		got, _ := svc.GetApp(id)
		if got.LastProbe.By != ProbeBySchedule || !got.LastProbe.At.Equal(clock.Now()) {
			t.Fatalf("%s after the recheck: %+v", got.Name, got.LastProbe)
		}
	}
	// A new secret drops the old verdicts.
	got, _ = svc.SaveApp(AppInput{ID: bad.ID, CorpID: c.ID, Name: "错误密钥", ClientID: "probe-gone", ClientSecret: "s"})
	if got.LastProbe != nil {
		t.Fatalf("new secret kept the old probe: %+v", got.LastProbe)
	}

	// A corp being deleted is not probed.
	p := &flakyPurger{}
	deps.Add(p)
	u, _ := svc.CorpUsage(c.ID)
	wantCode(t, svc.DeleteCorp(c.ID, u.Token), core.ErrStoreFull)
	clock.Advance(RecheckEvery + time.Minute)
	if n := RecheckApps(svc); n != 0 {
		t.Fatalf("rechecked %d apps of a corp being deleted", n)
	}
}
