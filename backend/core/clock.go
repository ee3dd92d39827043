package core

import (
	"sync"
	"time"
)

// Clock is injected wherever a TTL, lockout or schedule is computed, so tests
// can move time instead of sleeping.
type Clock interface{ Now() time.Time }

type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// FakeClock is a settable clock for tests, safe for concurrent use.
type FakeClock struct {
	mu sync.Mutex
	T  time.Time
}

func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{T: t} }

func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.T
}

func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.T = c.T.Add(d)
}
