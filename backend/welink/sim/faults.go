package sim

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is an injected misbehaviour of the platform, matched against API
// calls before anything else happens (no quota is used, no code consumed).
type Fault struct {
	ID     string `json:"id,omitempty"`
	Path   string `json:"path,omitempty"`   // path after /api; a trailing "*" matches a prefix; "" = every API
	Method string `json:"method,omitempty"` // "" = any

	Code       string        `json:"code,omitempty"`       // answer this WeLink code, e.g. "48503", "500", "47101"
	Message    string        `json:"message,omitempty"`    // its message
	HTTPStatus int           `json:"httpStatus,omitempty"` // answer a bare HTTP error page instead (502, 504 …)
	Latency    time.Duration `json:"-"`                    // delay before handling (real time)
	LatencyMs  int           `json:"latencyMs,omitempty"`  // the same for the control API
	Drop       bool          `json:"drop,omitempty"`       // close the connection without answering
	Hang       bool          `json:"hang,omitempty"`       // never answer: the client times out

	Rate  float64 `json:"rate,omitempty"`  // chance per matching call, 0 < rate < 1; 0 = every call
	Count int     `json:"count,omitempty"` // stop after this many hits; 0 = no limit
	Hits  int     `json:"hits"`            // how often it fired
}

type faults struct {
	mu   sync.Mutex
	list []*Fault
	rnd  *rand.Rand
	seq  int
}

func (f *faults) init(seed int64) { f.rnd = rand.New(rand.NewPCG(uint64(seed), 7)) }

// AddFault installs a fault and returns its id.
func (s *Server) AddFault(f Fault) string {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.seq++
	x := f
	x.ID = "f" + strconv.Itoa(s.faults.seq)
	if x.Latency == 0 && x.LatencyMs > 0 {
		x.Latency = time.Duration(x.LatencyMs) * time.Millisecond
	}
	x.LatencyMs = int(x.Latency / time.Millisecond)
	x.Hits = 0
	s.faults.list = append(s.faults.list, &x)
	return x.ID
}

// RemoveFault removes one fault; ClearFaults all of them.
func (s *Server) RemoveFault(id string) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i, f := range s.faults.list {
		if f.ID == id {
			s.faults.list = append(s.faults.list[:i], s.faults.list[i+1:]...)
			return
		}
	}
}

func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.list = nil
	s.faults.mu.Unlock()
}

// Faults lists the installed faults with their hit counts.
func (s *Server) Faults() []Fault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := make([]Fault, len(s.faults.list))
	for i, f := range s.faults.list {
		out[i] = *f
	}
	return out
}

func (f *Fault) matches(method, path string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	switch {
	case f.Path == "":
		return true
	case strings.HasSuffix(f.Path, "*"):
		return strings.HasPrefix(path, strings.TrimSuffix(f.Path, "*"))
	}
	return f.Path == path
}

// apply runs the matching faults; false means the call was answered (or
// dropped) by a fault.
func (f *faults) apply(c *call) bool {
	path := strings.TrimPrefix(c.r.URL.Path, "/api")
	var delay time.Duration
	var hit *Fault
	f.mu.Lock()
	for _, x := range f.list {
		if !x.matches(c.r.Method, path) || (x.Count > 0 && x.Hits >= x.Count) {
			continue
		}
		if x.Rate > 0 && x.Rate < 1 && f.rnd.Float64() >= x.Rate {
			continue
		}
		answers := x.Code != "" || x.HTTPStatus != 0 || x.Drop || x.Hang
		if answers && hit != nil {
			continue // the first answering fault wins; later ones keep their count
		}
		x.Hits++
		delay += x.Latency
		if answers {
			hit = x
		}
	}
	var fault Fault
	if hit != nil {
		fault = *hit
	}
	f.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-c.r.Context().Done():
			t.Stop()
			return false
		case <-c.s.closing:
			t.Stop()
			return false
		}
	}
	if hit == nil {
		return true
	}
	switch {
	case fault.Hang:
		select {
		case <-c.r.Context().Done():
		case <-c.s.closing:
		}
	case fault.Drop:
		if hj, ok := c.w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return false
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort the stream instead
	case fault.HTTPStatus != 0:
		c.w.Header().Set("Content-Type", "text/html")
		c.w.WriteHeader(fault.HTTPStatus)
		c.w.Write([]byte("<html><body><h1>" + strconv.Itoa(fault.HTTPStatus) + " " + http.StatusText(fault.HTTPStatus) + "</h1></body></html>"))
	default:
		msg := fault.Message
		if msg == "" {
			msg = "injected fault"
		}
		c.fail(fault.Code, msg, nil)
	}
	return false
}
