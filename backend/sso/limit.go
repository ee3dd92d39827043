package sso

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"cloudbridge/backend/core"
)

// limiter is a token bucket per client IP.
type limiter struct {
	clock   core.Clock
	perSec  float64
	burst   float64
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(clock core.Clock, perMinute, burst int) *limiter {
	if burst < 1 {
		burst = 1
	}
	return &limiter{clock: clock, perSec: float64(perMinute) / 60, burst: float64(burst), buckets: map[string]*bucket{}}
}

// take spends one token; when none is left it says how long to wait.
func (l *limiter) take(key string) (ok bool, wait time.Duration) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.perSec)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
}

// sweep forgets full buckets (idle clients).
func (l *limiter) sweep() {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.perSec >= l.burst {
			delete(l.buckets, k)
		}
	}
}

func rateError(wait time.Duration) error {
	s := int(math.Ceil(wait.Seconds()))
	if s < 1 {
		s = 1
	}
	return core.ErrSSORateLimited.New("seconds", strconv.Itoa(s))
}

// limited answers 429 with a page when the client IP is over its budget.
func (p *Public) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := p.lim.take(clientIP(r)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			p.fail(w, r, rateError(wait))
			return
		}
		next(w, r)
	}
}

func isPrivate(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate())
}
