package welink_test

import (
	"context"
	"testing"
	"time"

	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
)

func apiQuota(t *testing.T, s welink.QuotaSnapshot, clientID, api string) welink.APIQuota {
	t.Helper()
	for _, a := range s.Apps {
		if a.ClientID != clientID {
			continue
		}
		for _, q := range a.APIs {
			if q.API == api {
				return q
			}
		}
	}
	t.Fatalf("no quota line for %s %s in %+v", clientID, api, s)
	return welink.APIQuota{}
}

// The snapshot shows the calls in the current windows against the limits,
// and the calls the client held back (with how long) to stay inside them.
func TestQuotaSnapshotCountsWindowsAndWaits(t *testing.T) {
	e := newEnv(t, 20, func(so *sim.Options, co *welink.Options) {
		co.Limits = welink.Limits{PerSecond: 5, PerMinute: 12, Margin: time.Millisecond}
	})
	ctx := context.Background()
	start := time.Now()
	for range 12 {
		must[welink.Tenant](t)(e.app.Tenant(ctx))
	}
	elapsed := time.Since(start)
	s := e.c.QuotaSnapshot()
	q := apiQuota(t, s, appID, "GET /tenant/v1/tenants")
	if q.Calls != 12 || q.Minute != 12 || q.PerMinute != 12 || q.PerSecond != 5 || q.Class != welink.ClassOther {
		t.Fatalf("quota line %+v, want 12 calls, 12/12 this minute, 5/s", q)
	}
	if q.Second > 5 {
		t.Fatalf("%d calls in the last second, limit 5", q.Second)
	}
	// 12 sequential calls at 5/s: the 6th and the 11th wait for a whole
	// second window, the others a little.
	if q.Waits < 2 || q.WaitedMs < 1500 || time.Duration(q.WaitedMs)*time.Millisecond > elapsed {
		t.Fatalf("waits %d for %d ms in %v, want ≥ 2 and ≥ 1.5 s", q.Waits, q.WaitedMs, elapsed)
	}
	if s.IP.Used < 12 || s.IP.Limit != 3000 || s.IP.WindowSeconds != 20 {
		t.Fatalf("IP window %+v", s.IP)
	}
	if welink.APIClass("GET /contact/v2/user/list") != welink.ClassContacts || welink.APIClass("POST /todo/v1/addtask") != welink.ClassTodo ||
		welink.APIClass("POST /messages/v1/recall") != welink.ClassMessage || welink.APIClass("POST /auth/v2/tickets") != welink.ClassAuth {
		t.Fatal("API classes")
	}
	t.Logf("12 calls at 5/s and 12/min: %v elapsed, %d waits, %d ms waited", elapsed.Round(time.Millisecond), q.Waits, q.WaitedMs)
}

// 48503 answers from WeLink (here: the emulator's quota, the client's own
// limiter off) are counted per API.
func TestQuotaSnapshotCountsRefusals(t *testing.T) {
	e := newEnv(t, 20, func(so *sim.Options, co *welink.Options) {
		// The emulator's windows run on the test's fake clock: once full,
		// they stay full.
		so.Limits = sim.Limits{PerSecond: 2, PerMinute: 1000}
		co.Retry = welink.Retry{Attempts: 1}
	})
	ctx := context.Background()
	refused := 0
	for range 4 {
		if _, err := e.app.Tenant(ctx); welink.CodeOf(err) == welink.CodeRateLimited {
			refused++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	s := e.c.QuotaSnapshot()
	q := apiQuota(t, s, appID, "GET /tenant/v1/tenants")
	if !s.Disabled || refused != 2 || q.Refused != 2 || q.Calls != 4 {
		t.Fatalf("%d refused; snapshot line %+v: want 4 calls, 2 refused with 48503", refused, q)
	}
}
