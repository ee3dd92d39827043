package welink

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Limits are WeLink's published call quotas (start-11): per client_id per API
// at most 40 calls a second and 1500 a minute; per source IP at most 3000
// calls in 20 s over all APIs. The zero value means exactly those quotas.
//
// The client enforces them as sliding windows ("no window of that length
// holds more than N calls"), the strictest reading of the documentation: a
// client that keeps to it also keeps to fixed calendar windows. WeLink does
// not say which one it uses (inferred).
type Limits struct {
	Disabled  bool          // tests that exercise the server's 48503 switch the client's own limiter off
	PerSecond int           // per app per API; 0 = 40
	PerMinute int           // per app per API; 0 = 1500
	PerIP     int           // per client (one process = one source IP); 0 = 3000
	IPWindow  time.Duration // 0 = 20 s
	// Margin widens every window a little so that calls which leave here
	// exactly a window apart do not arrive at WeLink closer than that after
	// network jitter. 0 = 50 ms. It costs nothing at sustained load, where
	// the minute quota binds (1500 calls at 40/(1+margin) per second still
	// fit in a minute).
	Margin time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.PerSecond <= 0 {
		l.PerSecond = 40
	}
	if l.PerMinute <= 0 {
		l.PerMinute = 1500
	}
	if l.PerIP <= 0 {
		l.PerIP = 3000
	}
	if l.IPWindow <= 0 {
		l.IPWindow = 20 * time.Second
	}
	if l.Margin <= 0 {
		l.Margin = 50 * time.Millisecond
	}
	return l
}

// window is a sliding-window log: the times of the last n calls.
type window struct {
	n     int
	d     time.Duration
	ring  []time.Time
	head  int
	count int
}

func newWindow(n int, d time.Duration) window { return window{n: n, d: d} }

// earliest is when the next call may start.
func (w *window) earliest(now time.Time) time.Time {
	if w.count < w.n {
		return now
	}
	t := w.ring[w.head].Add(w.d)
	if t.Before(now) {
		return now
	}
	return t
}

func (w *window) add(t time.Time) {
	if w.count < w.n {
		if len(w.ring) < w.n {
			w.ring = append(w.ring, t) // grows lazily: most APIs see few calls
		} else {
			w.ring[(w.head+w.count)%w.n] = t
		}
		w.count++
		return
	}
	w.ring[w.head] = t
	w.head = (w.head + 1) % w.n
}

// apiLimiter is the state of one app × one API.
type apiLimiter struct {
	mu          sync.Mutex
	sec, min    window
	pausedUntil time.Time
	streak      int       // 48503 answers in a row, one per round of retries
	last48503   time.Time // when the last one arrived
	calls       int64
	// For the dashboard (QuotaSnapshot): calls that had to wait for a
	// window, the time they waited, and 48503 answers.
	waits   int64
	waited  time.Duration
	refused int64
}

type ipLimiter struct {
	mu  sync.Mutex
	win window
}

// wait blocks until the call may go out under both the app's and the IP's
// quotas, books it and returns when it went. Rate limiting waits in real
// time on purpose: the injected core.Clock governs token lifetimes, not how
// long a call waits.
func (c *Client) wait(ctx context.Context, l *apiLimiter) (time.Time, error) {
	var waitStart time.Time
	for {
		l.mu.Lock()
		if c.limits.Disabled {
			now := time.Now()
			if !l.pausedUntil.After(now) {
				l.calls++
				l.mu.Unlock()
				return now, nil
			}
			d := l.pausedUntil.Sub(now)
			l.mu.Unlock()
			if err := sleep(ctx, d); err != nil {
				return now, err
			}
			continue
		}
		c.ip.mu.Lock()
		now := time.Now()
		t := l.sec.earliest(now)
		if m := l.min.earliest(now); m.After(t) {
			t = m
		}
		if m := c.ip.win.earliest(now); m.After(t) {
			t = m
		}
		if l.pausedUntil.After(t) {
			t = l.pausedUntil
		}
		if !t.After(now) {
			l.sec.add(now)
			l.min.add(now)
			c.ip.win.add(now)
			l.calls++
			if !waitStart.IsZero() {
				l.waits++
				l.waited += now.Sub(waitStart)
			}
			c.ip.mu.Unlock()
			l.mu.Unlock()
			return now, nil
		}
		c.ip.mu.Unlock()
		l.mu.Unlock()
		if waitStart.IsZero() {
			waitStart = now
		}
		if err := sleep(ctx, t.Sub(now)); err != nil {
			return now, err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// QuotaFloor is the least time WeLink's quotas allow for the given number
// of calls per API made by one app from one IP: the finish time of the
// greedy schedule that starts every call as early as the sliding windows
// allow, with no latency and no dependencies between calls. Benchmarks
// report elapsed/QuotaFloor.
func QuotaFloor(calls map[string]int, l Limits) time.Duration {
	l = l.withDefaults()
	type api struct {
		left     int
		sec, min window
	}
	var apis []*api
	keys := make([]string, 0, len(calls))
	for k := range calls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if calls[k] > 0 {
			apis = append(apis, &api{left: calls[k], sec: newWindow(l.PerSecond, time.Second), min: newWindow(l.PerMinute, time.Minute)})
		}
	}
	ip := newWindow(l.PerIP, l.IPWindow)
	var zero time.Time
	last := zero
	for {
		var best *api
		var bestT time.Time
		for _, a := range apis {
			if a.left == 0 {
				continue
			}
			// Calls are placed in time order, so "now" is the last placed call.
			t := a.sec.earliest(last)
			if m := a.min.earliest(last); m.After(t) {
				t = m
			}
			if m := ip.earliest(last); m.After(t) {
				t = m
			}
			if best == nil || t.Before(bestT) {
				best, bestT = a, t
			}
		}
		if best == nil {
			return last.Sub(zero)
		}
		best.sec.add(bestT)
		best.min.add(bestT)
		ip.add(bestT)
		best.left--
		last = bestT
	}
}

// QuotaFree is how many more calls of one API (method and path, e.g.
// "POST", "/contact/v1/department/create"), up to limit, could start within
// d from now under this client's own quota windows if nothing else called
// meanwhile. Callers use it to choose between APIs: realtime calls that
// fit in the current windows beat one async job that settles later. It
// reads the windows without copying them: callers may ask often.
func (a *App) QuotaFree(method, path string, d time.Duration, limit int) int {
	if limit <= 0 {
		return 0
	}
	if a.c.limits.Disabled {
		return limit
	}
	l := a.limiter(method + " " + path)
	l.mu.Lock()
	defer l.mu.Unlock()
	a.c.ip.mu.Lock()
	defer a.c.ip.mu.Unlock()
	now := time.Now()
	end := now.Add(d)
	starts := make([]time.Time, 0, limit)
	for i := range limit {
		t := now
		if i > 0 && starts[i-1].After(t) {
			t = starts[i-1]
		}
		for _, w := range []*window{&l.sec, &l.min, &a.c.ip.win} {
			if b := w.nth(now, i, starts); b.After(t) {
				t = b
			}
		}
		if l.pausedUntil.After(t) {
			t = l.pausedUntil
		}
		if t.After(end) {
			return i
		}
		starts = append(starts, t)
	}
	return limit
}

// nth is the earliest start of the i-th call (0-based) from now, given the
// starts of the calls before it.
func (w *window) nth(now time.Time, i int, starts []time.Time) time.Time {
	free := w.n - w.count
	var t time.Time
	switch {
	case i < free:
		return now
	case i < w.n:
		t = w.ring[(w.head+i-free)%len(w.ring)].Add(w.d) // the (i-free)-th oldest logged call
	default:
		t = starts[i-w.n].Add(w.d)
	}
	if t.Before(now) {
		return now
	}
	return t
}
