package relay

import (
	"container/heap"
	"sync"
	"time"
)

// queue is the dispatcher's in-memory schedule over the outbox rows. The
// store stays the truth: on start every open row is pushed again.
//
// Ready work is a FIFO of units. A unit is one row, or several notice/card
// rows with the same content (group key), sent in one call of up to
// maxGroup receivers.
type queue struct {
	mu      sync.Mutex
	ready   []*unit
	open    map[string]*unit // group key → unit still waiting in ready
	queued  map[string]bool  // row id → in ready or running (no double work)
	timers  timerHeap
	wake    chan struct{}
	clock   func() time.Time
	closed  bool
	running int
}

type unit struct {
	ids   []string
	group string
}

// maxGroup is WeLink's receivers per message call.
const maxGroup = 1000

func newQueue(now func() time.Time) *queue {
	return &queue{open: map[string]*unit{}, queued: map[string]bool{}, wake: make(chan struct{}, 1), clock: now}
}

// push schedules a row now (at zero) or at a later time.
func (q *queue) push(id, group string, at time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	if !at.IsZero() && at.After(q.clock()) {
		heap.Push(&q.timers, timer{at: at, id: id, group: group})
		q.signal()
		return
	}
	q.readyLocked(id, group)
}

func (q *queue) readyLocked(id, group string) {
	if q.queued[id] {
		return
	}
	q.queued[id] = true
	if group != "" {
		if u := q.open[group]; u != nil && len(u.ids) < maxGroup {
			u.ids = append(u.ids, id)
			return
		}
		u := &unit{ids: []string{id}, group: group}
		q.open[group] = u
		q.ready = append(q.ready, u)
	} else {
		q.ready = append(q.ready, &unit{ids: []string{id}})
	}
	q.signal()
}

func (q *queue) signal() {
	if q.closed {
		return
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop returns the next unit, moving due timers to ready first; nil and the
// wait until the next timer when there is nothing.
func (q *queue) pop() (*unit, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock()
	for q.timers.Len() > 0 && !q.timers[0].at.After(now) {
		t := heap.Pop(&q.timers).(timer)
		q.readyLocked(t.id, t.group)
	}
	if len(q.ready) > 0 {
		u := q.ready[0]
		q.ready[0] = nil
		q.ready = q.ready[1:]
		if u.group != "" && q.open[u.group] == u {
			delete(q.open, u.group)
		}
		q.running++
		if len(q.ready) > 0 {
			q.signal() // wake another worker
		}
		return u, 0
	}
	wait := time.Hour
	if q.timers.Len() > 0 {
		wait = q.timers[0].at.Sub(now)
	}
	return nil, wait
}

// done releases a unit's rows so they can be queued again.
func (q *queue) done(u *unit) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, id := range u.ids {
		delete(q.queued, id)
	}
	q.running--
}

// idle reports no ready, running or timed work (tests and benchmarks).
func (q *queue) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.ready) == 0 && q.running == 0 && q.timers.Len() == 0
}

func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.wake)
	}
}

type timer struct {
	at        time.Time
	id, group string
}

type timerHeap []timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
