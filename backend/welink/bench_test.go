package welink_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
	"cloudbridge/backend/welink/sim/orggen"
)

// BenchmarkReadOrg reads a whole generated org through the client from the
// emulator, both with WeLink's real quotas (40/s and 1500/min per app per
// API, 3000/20 s per IP), and reports the calls made, the elapsed time, the
// least time the quotas allow for those calls (QuotaFloor) and the ratio.
// 100k users take about seven minutes: that is the quota, not the code.
//
//	go test -run '^$' -bench ReadOrg/users=100000 -benchtime 1x -timeout 30m ./backend/welink/
func BenchmarkReadOrg(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) { benchReadOrg(b, n) })
	}
}

func benchReadOrg(b *testing.B, users int) {
	org := orggen.Generate(orggen.Spec{Users: users, Seed: 1})
	for range b.N {
		b.StopTimer()
		// A fresh emulator and client per run: the quota windows start empty.
		s := sim.New(sim.Options{Org: org, Seed: 1})
		s.AddApp(sim.AppSpec{ClientID: appID, Secret: appSecret, Grants: []string{"all"}, VisibleRange: sim.VisibleRange{AllStaff: true}})
		srv := httptest.NewServer(s)
		c := welink.New(welink.Options{BaseURL: srv.URL + "/api"})
		app := c.App(welink.Credentials{ClientID: appID, ClientSecret: appSecret})
		b.StartTimer()
		start := time.Now()
		got, err := app.ReadOrg(context.Background(), welink.ReadOrgOptions{Workers: 8})
		elapsed := time.Since(start)
		b.StopTimer()
		srv.Close()
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Users) != len(org.Users) || len(got.Departments) != len(org.Depts) {
			b.Fatalf("read %d users / %d depts, want %d / %d", len(got.Users), len(got.Departments), len(org.Users), len(org.Depts))
		}
		calls := map[string]int{}
		for k, v := range app.Calls() {
			calls[k] = int(v)
		}
		floor := welink.QuotaFloor(calls, welink.Limits{})
		ratio := elapsed.Seconds() / floor.Seconds()
		b.ReportMetric(float64(got.Calls), "calls")
		b.ReportMetric(elapsed.Seconds(), "elapsed-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(ratio, "x-floor")
		b.ReportMetric(float64(s.Throttled()), "48503s")
		b.Logf("%d users, %d departments: %d calls %v in %v; quota floor %v; %.3f× floor; %d refused with 48503",
			len(got.Users), len(got.Departments), got.Calls, calls, elapsed.Round(time.Millisecond), floor, ratio, s.Throttled())
	}
}
