package sim

import (
	"sync"
	"time"

	"cloudbridge/backend/core"
)

// quotas enforce WeLink's published limits as sliding windows (no window
// of the given length holds more than N accepted calls). Whether WeLink
// counts in sliding or calendar windows, and whether refused calls count,
// is undocumented; sliding windows and "refused calls do not count" are
// inferred. A client that passes here passes calendar windows too.
type quotas struct {
	mu    sync.Mutex
	clock core.Clock // read under mu so that the logs stay in time order
	l     Limits
	ip    map[string]*slide
	apps  map[string]*[2]slide // clientID + " " + api → per second, per minute
}

func (q *quotas) init(l Limits, clock core.Clock) {
	q.l, q.clock = l, clock
	q.ip = map[string]*slide{}
	q.apps = map[string]*[2]slide{}
}

func (q *quotas) allowIP(ip string) bool {
	if q.l.Disabled {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock.Now()
	w := q.ip[ip]
	if w == nil {
		w = &slide{n: q.l.PerIP, d: q.l.IPWindow}
		q.ip[ip] = w
	}
	return w.take(now)
}

func (q *quotas) allowApp(clientID, api string) bool {
	if q.l.Disabled {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock.Now()
	k := clientID + " " + api
	w := q.apps[k]
	if w == nil {
		w = &[2]slide{{n: q.l.PerSecond, d: time.Second}, {n: q.l.PerMinute, d: time.Minute}}
		q.apps[k] = w
	}
	if !w[0].ok(now) || !w[1].ok(now) {
		return false
	}
	w[0].add(now)
	w[1].add(now)
	return true
}

// slide is a sliding-window log of accepted calls.
type slide struct {
	n     int
	d     time.Duration
	ring  []time.Time
	head  int
	count int
}

// ok: fewer than n calls in (now-d, now].
func (w *slide) ok(now time.Time) bool {
	return w.count < w.n || !w.ring[w.head].After(now.Add(-w.d))
}

func (w *slide) add(t time.Time) {
	if w.count < w.n {
		if len(w.ring) < w.n {
			w.ring = append(w.ring, t)
		} else {
			w.ring[(w.head+w.count)%w.n] = t
		}
		w.count++
		return
	}
	w.ring[w.head] = t
	w.head = (w.head + 1) % w.n
}

func (w *slide) take(now time.Time) bool {
	if !w.ok(now) {
		return false
	}
	w.add(now)
	return true
}
