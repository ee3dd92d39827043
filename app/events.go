package app

import (
	"sync"
)

// SetEmitter attaches the transport's emitter (the Wails window's runtime,
// or the headless SSE hub); services were given a.emit at wiring time.
func (a *App) SetEmitter(e Emitter) { a.emitter.Store(&e) }

// emit sends an event to the UI, if a transport is attached yet.
func (a *App) emit(event string, data any) {
	if e := a.emitter.Load(); e != nil {
		(*e).Emit(event, data)
	}
}

// Emitter sends backend events (progress, status changes) to the UI: the
// Wails runtime in the desktop window, server-sent events in the browser.
type Emitter interface {
	Emit(event string, data any)
}

// Hub fans events out to the browser's SSE subscribers. Slow subscribers
// lose events rather than stall the backend (progress is resent anyway).
type Hub struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

type Event struct {
	Event string `json:"event"`
	Data  any    `json:"data"`
}

func NewHub() *Hub { return &Hub{subs: map[chan Event]struct{}{}} }

func (h *Hub) Emit(event string, data any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- Event{event, data}:
		default:
		}
	}
}

func (h *Hub) subscribe() chan Event {
	ch := make(chan Event, 64)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch
}

func (h *Hub) unsubscribe(ch chan Event) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}
