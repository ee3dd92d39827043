package app

import "cloudbridge/backend/platform"

// wirePlatform binds 系统设置's start-at-login switch and the UI-language
// hook the tray menu follows. Start at login is offered only while the
// desktop window runs (the tray is started): a server uses the system
// service (`cloudbridge service install`).
func (a *App) wirePlatform() error {
	a.bind(platform.New(platform.Env{
		DataDir: a.cfg.DataDir,
		Desktop: func() bool { return a.tray.Load() != nil },
		Tray: func() bool {
			t := a.tray.Load()
			return t != nil && t.ready.Load()
		},
		OnLanguage: func(lang string) {
			if t := a.tray.Load(); t != nil {
				t.setLanguage(lang)
			}
		},
	}))
	return nil
}
