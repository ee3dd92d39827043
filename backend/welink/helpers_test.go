package welink_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
)

const (
	appID     = "20240101000000000000042"
	appSecret = "s3cret-of-the-test-app"
)

// env is an emulator on a real HTTP listener and a client pointed at it,
// sharing one fake clock (token lifetimes, code TTLs, lockouts).
type env struct {
	t     *testing.T
	clock *core.FakeClock
	sim   *sim.Server
	srv   *httptest.Server
	c     *welink.Client
	app   *welink.App
}

type envOpt func(*sim.Options, *welink.Options)

func newEnv(t *testing.T, users int, mods ...envOpt) *env {
	t.Helper()
	clock := &core.FakeClock{T: time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)}
	so := sim.Options{Clock: clock, Users: users, Seed: 7, Limits: sim.Limits{Disabled: true}}
	co := welink.Options{Clock: clock, Limits: welink.Limits{Disabled: true},
		Retry: welink.Retry{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond, Pause: 50 * time.Millisecond}}
	for _, m := range mods {
		m(&so, &co)
	}
	e := &env{t: t, clock: clock, sim: sim.New(so)}
	e.srv = httptest.NewServer(e.sim)
	t.Cleanup(func() { e.sim.Close(); e.srv.Close() })
	co.BaseURL = e.srv.URL + "/api"
	co.LoginURL = e.srv.URL
	if co.HTTP == nil {
		co.HTTP = &http.Client{Timeout: 5 * time.Second}
	}
	e.c = welink.New(co)
	e.sim.AddApp(sim.AppSpec{ClientID: appID, Secret: appSecret, Name: "测试应用", Grants: []string{"all"},
		VisibleRange: sim.VisibleRange{AllStaff: true}})
	e.app = e.c.App(welink.Credentials{ClientID: appID, ClientSecret: appSecret})
	return e
}

// calls is how many requests the app sent to one API.
func (e *env) calls(api string) int64 { return e.app.Calls()[api] }

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}
