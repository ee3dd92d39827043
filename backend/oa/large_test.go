package oa

import (
	"context"
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
