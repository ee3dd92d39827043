package sim

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"cloudbridge/backend/welink/sim/orggen"
)

// The demo app of --demo mode: granted everything, visible to all staff.
const (
	DemoClientID     = "20231101000000000000001"
	DemoClientSecret = "demo-secret-cloudbridge"
	DemoAppName      = "云桥演示应用"
	demoUsers        = 300
	demoSeed         = 20231101
)

// DemoApp is the AppSpec of the demo app.
func DemoApp() AppSpec {
	return AppSpec{ClientID: DemoClientID, Secret: DemoClientSecret, Name: DemoAppName,
		Grants: AllGrants, VisibleRange: VisibleRange{AllStaff: true}}
}

// Demo returns the emulator the product's --demo mode talks to: a tenant of
// a few hundred generated users and the demo app.
func Demo() *Server {
	return WithDemoApp(New(Options{Users: demoUsers, Seed: demoSeed}))
}

// WithDemoApp registers the demo app on s and returns s.
func WithDemoApp(s *Server) *Server {
	s.AddApp(DemoApp())
	return s
}

// Run serves an emulator with users generated from seed on addr until ctx
// ends: the `cloudbridge sim welink --addr … --users N` command.
func Run(ctx context.Context, addr string, users int, seed int64) error {
	return RunWith(ctx, addr, Options{Users: users, Seed: seed, Logger: slog.Default()})
}

// RunWith is Run with full options.
func RunWith(ctx context.Context, addr string, opts Options) error {
	if opts.Users <= 0 && opts.Org == nil {
		opts.Users = demoUsers
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	start := time.Now()
	if opts.Org == nil {
		opts.Org = orggen.Generate(orggen.Spec{Users: opts.Users, Depts: opts.Depts, Seed: opts.Seed})
	}
	s := WithDemoApp(New(opts))
	defer s.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	st := s.State()
	base := "http://" + ln.Addr().String()
	opts.Logger.Info("WeLink emulator listening",
		"api", base+"/api", "control", base+"/sim/", "users", st.Users, "departments", st.Departments,
		"client_id", DemoClientID, "client_secret", DemoClientSecret, "ready_in", time.Since(start).Round(time.Millisecond))
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
