// Package logs sets up CloudBridge's structured logging: a rotating file in
// the data directory, stderr, and an in-memory ring the 日志 screen reads.
package logs

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

// Entry is one log line as the UI shows it.
type Entry struct {
	Time  time.Time         `json:"time"`
	Level string            `json:"level"`
	Msg   string            `json:"msg"`
	Attrs map[string]string `json:"attrs"`
}

// Ring keeps the newest entries in memory; safe for concurrent use.
type Ring struct {
	mu   sync.Mutex
	buf  []Entry
	next int
	full bool
}

func NewRing(size int) *Ring { return &Ring{buf: make([]Entry, size)} }

func (r *Ring) add(e Entry) {
	r.mu.Lock()
	r.buf[r.next] = e
	r.next = (r.next + 1) % len(r.buf)
	if r.next == 0 {
		r.full = true
	}
	r.mu.Unlock()
}

// Query filters the ring, newest first.
type Query struct {
	Level string `json:"level"` // minimum level: debug, info, warn, error ("" = all)
	Text  string `json:"text"`  // substring of message or attribute values
	Limit int    `json:"limit"`
}

func (r *Ring) Query(q Query) []Entry {
	min := parseLevel(q.Level)
	limit := q.Limit
	if limit <= 0 || limit > len(r.buf) {
		limit = 500
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.buf)
	}
	out := []Entry{}
	for i := 0; i < n && len(out) < limit; i++ {
		e := r.buf[(r.next-1-i+len(r.buf))%len(r.buf)]
		if parseLevel(e.Level) < min || (text != "" && !matches(e, text)) {
			continue
		}
		out = append(out, e)
	}
	return out
}

func matches(e Entry, text string) bool {
	if strings.Contains(strings.ToLower(e.Msg), text) {
		return true
	}
	for k, v := range e.Attrs {
		if strings.Contains(strings.ToLower(k+"="+v), text) {
			return true
		}
	}
	return false
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	if l.UnmarshalText([]byte(s)) != nil {
		return slog.LevelDebug
	}
	return l
}

// Setup builds the logger. dir "" logs to stderr and the ring only.
func Setup(dir string, level slog.Level, stderr io.Writer) (*slog.Logger, *Ring, io.Closer) {
	ring := NewRing(5000)
	var file io.WriteCloser = nopCloser{io.Discard}
	if dir != "" {
		os.MkdirAll(dir, 0o700)
		file = &lumberjack.Logger{Filename: filepath.Join(dir, "cloudbridge.log"), MaxSize: 20, MaxBackups: 5, MaxAge: 30}
	}
	opts := &slog.HandlerOptions{Level: level}
	h := &tee{
		handlers: []slog.Handler{slog.NewJSONHandler(file, opts), slog.NewTextHandler(stderr, opts)},
		ring:     ring, level: level,
	}
	return slog.New(h), ring, file
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// tee fans records out to several handlers and the ring.
type tee struct {
	handlers []slog.Handler
	ring     *Ring
	level    slog.Level
	attrs    []slog.Attr
	group    string
}

func (t *tee) Enabled(_ context.Context, l slog.Level) bool { return l >= t.level }

func (t *tee) Handle(ctx context.Context, r slog.Record) error {
	e := Entry{Time: r.Time, Level: r.Level.String(), Msg: r.Message, Attrs: map[string]string{}}
	for _, a := range t.attrs {
		e.Attrs[t.key(a.Key)] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool { e.Attrs[t.key(a.Key)] = a.Value.String(); return true })
	t.ring.add(e)
	for _, h := range t.handlers {
		if h.Enabled(ctx, r.Level) {
			h.Handle(ctx, r.Clone())
		}
	}
	return nil
}

func (t *tee) key(k string) string {
	if t.group != "" {
		return t.group + "." + k
	}
	return k
}

func (t *tee) WithAttrs(as []slog.Attr) slog.Handler {
	c := *t
	c.attrs = append(append([]slog.Attr{}, t.attrs...), as...)
	c.handlers = make([]slog.Handler, len(t.handlers))
	for i, h := range t.handlers {
		c.handlers[i] = h.WithAttrs(as)
	}
	return &c
}

func (t *tee) WithGroup(name string) slog.Handler {
	c := *t
	c.group = t.key(name)
	c.handlers = make([]slog.Handler, len(t.handlers))
	for i, h := range t.handlers {
		c.handlers[i] = h.WithGroup(name)
	}
	return &c
}
