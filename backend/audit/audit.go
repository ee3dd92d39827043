// Package audit keeps the log of admin actions: who did what, to which
// object, with which (redacted) arguments, the outcome, and for
// configuration changes the object before and after. The app's dispatcher
// records every call that changes something, whichever transport made it;
// the 系统设置 › 审计日志 tab lists, filters and exports it.
//
// Entries are written by one goroutine after the call returned, in small
// batches, so recording costs a call a redaction and a channel send. The
// price: entries still queued when the process is killed (milliseconds'
// worth) are lost; a clean shutdown drains the queue.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// Actor is who made a call.
type Actor struct {
	// Kind is "admin" (headless admin login), "desktop" (the OS user running
	// the window) or "system" (the process itself).
	Kind string `json:"kind"`
	// Name is "admin" or "user@host".
	Name string `json:"name"`
	// Addr is the remote IP of a headless caller.
	Addr string `json:"addr,omitempty"`
	// Session tells two headless sessions apart without storing the bearer
	// token: the first 8 hex digits of its SHA-256.
	Session string `json:"session,omitempty"`
}

// String is the actor as the table and the export show it.
func (a Actor) String() string {
	s := a.Name
	if a.Addr != "" {
		s += " · " + a.Addr
	}
	if a.Session != "" {
		s += " · #" + a.Session
	}
	return s
}

// Outcome of a successful call; failures store their error code.
const OutcomeOK = "ok"

// Entry is one admin action.
type Entry struct {
	ID    string    `json:"id"` // time-ordered: newer ids sort after older ones
	At    time.Time `json:"at"`
	Actor Actor     `json:"actor"`
	// Action is "<pkg>.<Method>" of the bound service, or "auth.<Event>"
	// for the headless login; its text is audit.actions.<Action> in the
	// shared catalogue.
	Action string `json:"action"`
	// Targets are the ids the call addressed ("corpId=…", "id=…").
	Targets []string `json:"targets,omitempty"`
	// Args are the call's arguments, redacted (see Redact).
	Args json.RawMessage `json:"args,omitempty"`
	// Outcome is "ok" or the catalogue error code; ErrorParams fill its
	// message.
	Outcome     string            `json:"outcome"`
	ErrorParams map[string]string `json:"errorParams,omitempty"`
	// Before and After are the configuration object around the change,
	// redacted; absent for actions that change no configuration object.
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	DurationMs int64           `json:"durationMs"`
}

// OK reports whether the action succeeded.
func (e *Entry) OK() bool { return e.Outcome == OutcomeOK }

var entries = store.NewCollection[Entry]("audit.entries", func(e *Entry) string { return e.ID })

// Retention defaults: a little over a year (annual reviews look back a
// full year), and a cap on the count so a runaway script cannot fill the disk.
const (
	DefaultMaxAge     = 400 * 24 * time.Hour
	DefaultMaxEntries = 200_000
	queueSize         = 1024
	batchMax          = 256
)

// Options configure a Log.
type Options struct {
	DB         *store.DB
	Clock      core.Clock
	Log        *slog.Logger
	MaxAge     time.Duration // 0: DefaultMaxAge
	MaxEntries int           // 0: DefaultMaxEntries
	// Written is called after entries were stored (the UI refreshes).
	Written func(n int)
}

// Log records and queries admin actions.
type Log struct {
	o       Options
	queue   chan Entry
	flushes chan chan struct{}
	done    chan struct{}
	once    sync.Once
	closeMu sync.RWMutex // Record holds it shared while it may send
	closed  bool
	mu      sync.Mutex // for strictly increasing ids
	lastNS  int64
	seq     int
}

// New starts the writer; Close drains and stops it.
func New(o Options) *Log {
	if o.Clock == nil {
		o.Clock = core.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	l := &Log{o: o, queue: make(chan Entry, queueSize), flushes: make(chan chan struct{}), done: make(chan struct{})}
	go l.writer()
	return l
}

// Record queues an entry: it fills in the id and, when zero, the time. It
// blocks only when a full queue waits for the disk: an audit log that drops
// entries under load would be worth little.
func (l *Log) Record(e Entry) {
	if e.At.IsZero() {
		e.At = l.o.Clock.Now()
	}
	e.At = e.At.UTC()
	e.ID = l.newID(e.At)
	l.closeMu.RLock()
	defer l.closeMu.RUnlock()
	if l.closed {
		// After Close (shutdown): write it directly rather than lose it.
		l.write([]Entry{e})
		return
	}
	l.queue <- e
}

// newID is the time in nanoseconds (16 hex digits, fixed width until 2262)
// and a 6-digit sequence; ids never go backwards within a process, even when
// the clock does (the entry keeps its real time).
func (l *Log) newID(at time.Time) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ns := at.UnixNano()
	if ns > l.lastNS {
		l.lastNS, l.seq = ns, 0
	} else {
		l.seq++
	}
	return fmt.Sprintf("%016x%06x", l.lastNS, l.seq)
}

// idAt is the smallest id at or after t (a range bound).
func idAt(t time.Time) string { return fmt.Sprintf("%016x", t.UTC().UnixNano()) }

func (l *Log) writer() {
	for {
		select {
		case e, ok := <-l.queue:
			if !ok {
				close(l.done)
				return
			}
			batch := []Entry{e}
		more:
			for len(batch) < batchMax {
				select {
				case e, ok := <-l.queue:
					if !ok {
						l.write(batch)
						close(l.done)
						return
					}
					batch = append(batch, e)
				default:
					break more
				}
			}
			l.write(batch)
		case ack := <-l.flushes:
			// Everything queued before the flush request is written first.
			for n := len(l.queue); n > 0; n-- {
				l.write([]Entry{<-l.queue})
			}
			close(ack)
		}
	}
}

// write stores a batch in one transaction (all or nothing: never half an
// entry). A failure is logged; the entries are lost, not the call's result.
func (l *Log) write(batch []Entry) {
	err := l.o.DB.Update(func(tx *store.Tx) error {
		for i := range batch {
			if err := entries.Put(tx, &batch[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, e := range batch {
			l.o.Log.Error("audit: entry not stored", "action", e.Action, "actor", e.Actor.String(), "outcome", e.Outcome, "err", err)
		}
		return
	}
	if l.o.Written != nil {
		l.o.Written(len(batch))
	}
}

// Flush waits until every entry recorded before it is stored.
func (l *Log) Flush() {
	ack := make(chan struct{})
	select {
	case l.flushes <- ack:
		<-ack
	case <-l.done:
	}
}

// Close drains the queue and stops the writer.
func (l *Log) Close() error {
	l.once.Do(func() {
		l.closeMu.Lock()
		l.closed = true
		close(l.queue)
		l.closeMu.Unlock()
		<-l.done
	})
	return nil
}

// Prune removes entries older than the maximum age, then the oldest beyond
// the maximum count. It deletes in chunks, each its own transaction.
func (l *Log) Prune(ctx context.Context) (int, error) {
	l.Flush()
	cut := idAt(l.o.Clock.Now().Add(-l.o.MaxAge))
	removed := 0
	for ctx.Err() == nil {
		var ids []string
		err := l.o.DB.View(func(tx *store.Tx) error {
			return entries.Range(tx, "", cut, false, func(id string, _ func() (Entry, error)) (bool, error) {
				ids = append(ids, id)
				return len(ids) < 1000, nil
			})
		})
		if err == nil && len(ids) == 0 {
			// Age is done; now the count.
			var total int
			err = l.o.DB.View(func(tx *store.Tx) error {
				return entries.Range(tx, "", "", false, func(string, func() (Entry, error)) (bool, error) { total++; return true, nil })
			})
			if err == nil && total > l.o.MaxEntries {
				err = l.o.DB.View(func(tx *store.Tx) error {
					return entries.Range(tx, "", "", false, func(id string, _ func() (Entry, error)) (bool, error) {
						ids = append(ids, id)
						return len(ids) < min(1000, total-l.o.MaxEntries), nil
					})
				})
			}
		}
		if err != nil {
			return removed, err
		}
		if len(ids) == 0 {
			return removed, nil
		}
		err = l.o.DB.Update(func(tx *store.Tx) error {
			for _, id := range ids {
				if err := entries.Delete(tx, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return removed, err
		}
		removed += len(ids)
	}
	return removed, ctx.Err()
}
