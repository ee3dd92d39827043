package oa

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"cloudbridge/backend/oa/sim"
)

// A full pull of the largest emulated org reads every page and loses no one.
func TestEcology9FullPull100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100k users")
	}
	s, base := newSim(t, sim.Options{Users: 100_000, Seed: 11})
	cfg := e9Config(base, AuthKey)
	cfg.PageSize = 500
	org, err := mustNew(t, cfg, Deps{}).PullOrg(context.Background(), PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	main := 0
	for _, u := range s.Org().Users {
		if u.AccountType == 0 {
			main++
		}
	}
	if len(org.Users) != main || main < 95_000 {
		t.Fatalf("%d users pulled, %d in the OA", len(org.Users), main)
	}
}

// BenchmarkEcology9FullPull100k prints what the README's figure says: the
// time of a full pull of a 100k-user org from the emulator over loopback.
func BenchmarkEcology9FullPull100k(b *testing.B) {
	s := sim.New(sim.Options{Users: 100_000, Seed: 11})
	ts := httptest.NewServer(s)
	defer ts.Close()
	s.SetPublicURL(ts.URL)
	cfg := e9Config(ts.URL, AuthKey)
	cfg.PageSize = 500
	conn, err := New(cfg, Deps{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	var users int
	for b.Loop() {
		org, err := conn.PullOrg(context.Background(), PullOptions{})
		if err != nil {
			b.Fatal(err)
		}
		users = len(org.Users)
	}
	b.ReportMetric(float64(users), "users")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/pull")
}
