package app

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/relay"
)

// wireRelay wires the push relay (issue 7): the engine (intake committer,
// dispatcher), its bound Service, the public intake routes, the corp
// dependency, and the retry/housekeeping schedules.
// UI events: "relay:changed", at most once a second.
func (a *App) wireRelay() error {
	eng := relay.New(a.ctx, relay.Options{DB: a.DB, Apps: a.Tenant, WeLink: a.WeLink, Clock: a.clock, Log: a.log, Emit: a.emit})
	a.dependents.Add(eng)
	a.bind(eng.Service())
	a.Public.HandleLimit(relay.OFSPattern, oa.OFSMaxBody+4096, http.HandlerFunc(eng.ServeOFS))
	a.Public.HandleLimit(relay.JSONPattern, relay.JSONMaxBody+4096, http.HandlerFunc(eng.ServeJSON))
	if err := eng.Start(); err != nil {
		return err
	}
	a.closer = append([]func() error{func() error { eng.Stop(); return nil }}, a.closer...)
	// Timers in memory drive retries; this is the safety net after clock
	// jumps, plus waking receivers who were bound meanwhile.
	err := a.every("relay-retry", time.Minute, 0, func() {
		eng.RetryDue()
		eng.RecheckUnbound()
	})
	if err == nil {
		err = a.every("relay-housekeeping", time.Hour, 0, func() {
			if n, err := eng.Housekeep(); err != nil {
				a.log.Error("relay housekeeping failed", "err", err)
			} else if n > 0 {
				a.log.Info("relay housekeeping", "removed", n)
			}
		})
	}
	if err != nil {
		return err
	}
	if a.cfg.Demo {
		a.demoRelay(eng)
	}
	return nil
}

// demoRelay registers the e-cology emulator as an OA system and points its
// OFS pusher at the public listener once that runs.
func (a *App) demoRelay(eng *relay.Engine) {
	list, err := eng.Service().ListOASystems()
	if err == nil && len(list) == 0 {
		if _, err := relay.SaveOASystem(eng, relay.OASystemInput{Name: "e-cology 9（演示）", SysCode: oasim.DemoOFSSysCode,
			Enabled: true, AuthMode: relay.AuthNone, PersonRule: relay.PersonLoginID}); err != nil {
			a.log.Warn("demo: cannot register the OA system", "err", err)
		}
	}
	if a.demoOA == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, time.Minute)
		defer cancel()
		for ctx.Err() == nil {
			if st := a.Public.Status(); st.Running {
				_, port, err := net.SplitHostPort(st.Addr)
				if err == nil {
					scheme := "http"
					if st.TLS {
						scheme = "https"
					}
					url := scheme + "://" + net.JoinHostPort("127.0.0.1", strings.TrimSpace(port))
					a.demoOA.SetOFSReceiver(url, oasim.DemoOFSSysCode)
					a.log.Info("demo: OA pushes to-dos to the relay", "receiver", url+relay.OFSPathPrefix)
				}
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
}
