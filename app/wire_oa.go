package app

import (
	"net"
	"net/http"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/oaconfig"
)

// wireOA wires the OA connection (issue 4): in demo mode the built-in
// e-cology 9 emulator on a loopback port replaces the stored connection.
func (a *App) wireOA() error {
	var demo *oa.Config
	if a.cfg.Demo {
		url, err := a.startDemoOA()
		if err != nil {
			return err
		}
		demo = &oa.Config{
			Kind: oa.KindEcology9, BaseURL: url,
			Auth: oa.AuthConfig{Mode: oa.AuthKey, TokenKey: oasim.DemoTokenKey},
			SSO:  oa.SSOConfig{AppID: oasim.DemoSSOAppID},
			// The emulator answers at once; no need to be gentle with it.
			PageDelay: 0,
		}
	}
	a.OA = oaconfig.NewSource(a.DB, demo, a.clock, a.log)
	a.bind(oaconfig.NewService(a.ctx, a.DB, a.OA, a.cfg.DataDir, a.clock, a.log))
	return nil
}

func (a *App) startDemoOA() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", core.ErrUnavailable.Wrap(err)
	}
	emu := oasim.Demo()
	url := "http://" + ln.Addr().String()
	emu.SetPublicURL(url)
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	a.demoOA = emu
	a.closer = append([]func() error{srv.Close}, a.closer...)
	a.log.Info("demo: e-cology 9 emulator running", "base", url, "users", "zhangsan/lisi/… password "+oasim.DemoPassword)
	return url, nil
}
