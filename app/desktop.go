package app

import (
	"context"
	"io/fs"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"cloudbridge/backend/core"
)

// RunDesktop opens the Wails window bound to the same services the headless
// transport dispatches to. In a plain `go build` (no desktop tags) wails.Run
// returns an error at once, and main falls back to serve.
func RunDesktop(a *App, assets fs.FS) error {
	em := &desktopEmitter{}
	a.SetEmitter(em)
	tr := newTray(a) // closing hides into the tray (tray.go)
	return wails.Run(&options.App{
		Title:            "云桥 CloudBridge",
		Width:            1280,
		Height:           820,
		MinWidth:         1024,
		MinHeight:        640,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 246, G: 247, B: 249, A: 255},
		// One binding: every call goes through the dispatcher (and its audit
		// log), as in the headless transport. See Bridge.
		Bind: []any{NewBridge(a)},
		// The frontend receives {code, params} for every failure, the same
		// shape the HTTP transport sends, and translates it.
		ErrorFormatter: func(err error) any { return core.AsError(err) },
		OnStartup: func(ctx context.Context) {
			em.ctx = ctx
			tr.start(ctx)
			if err := a.Start(); err != nil {
				a.Log().Error("start failed", "err", err)
			}
		},
		StartHidden:        a.cfg.StartHidden,
		OnBeforeClose:      tr.beforeClose,
		SingleInstanceLock: tr.singleInstance(),
		OnShutdown:         func(context.Context) { tr.shutdown(); a.Close() },
	})
}

type desktopEmitter struct{ ctx context.Context }

func (e *desktopEmitter) Emit(event string, data any) {
	if e.ctx != nil {
		runtime.EventsEmit(e.ctx, event, data)
	}
}
