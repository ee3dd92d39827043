package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// Emulator-only control endpoints (no e-cology counterpart), so that a
// running `cloudbridge sim ecology` or the demo can be driven from a
// browser test or curl:
//
//	POST   /_sim/ofs                  {"url":"http://bridge:8899","syscode":"cloudbridge"}
//	POST   /_sim/requests             {"creator":"lisi","workflow":"请假申请","title":"…","receivers":["zhangsan"]}
//	POST   /_sim/requests/{id}/view   {"user":"zhangsan"}
//	POST   /_sim/requests/{id}/submit {"user":"zhangsan","next":["wangwu"]}
//	DELETE /_sim/requests/{id}
//	GET    /_sim/pushes
//
// Users are given by login id. Only loopback callers are served.
func (s *Server) controlRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /_sim/ofs", s.ctl(func(r *http.Request, b ctlBody) (any, error) {
		s.SetOFSReceiver(b.URL, b.SysCode)
		return map[string]string{"url": b.URL}, nil
	}))
	m.HandleFunc("POST /_sim/requests", s.ctl(func(r *http.Request, b ctlBody) (any, error) {
		creator, err := s.idOf(b.Creator)
		if err != nil {
			return nil, err
		}
		var recv []int
		for _, l := range b.Receivers {
			id, err := s.idOf(l)
			if err != nil {
				return nil, err
			}
			recv = append(recv, id)
		}
		id, err := s.NewRequest(creator, b.Workflow, b.Title, recv...)
		return map[string]int{"requestid": id}, err
	}))
	m.HandleFunc("POST /_sim/requests/{id}/view", s.ctl(func(r *http.Request, b ctlBody) (any, error) {
		u, err := s.idOf(b.User)
		if err != nil {
			return nil, err
		}
		id, _ := strconv.Atoi(r.PathValue("id"))
		return map[string]int{"requestid": id}, s.ViewRequest(id, u)
	}))
	m.HandleFunc("POST /_sim/requests/{id}/submit", s.ctl(func(r *http.Request, b ctlBody) (any, error) {
		u, err := s.idOf(b.User)
		if err != nil {
			return nil, err
		}
		var next []int
		for _, l := range b.Next {
			n, err := s.idOf(l)
			if err != nil {
				return nil, err
			}
			next = append(next, n)
		}
		id, _ := strconv.Atoi(r.PathValue("id"))
		return map[string]int{"requestid": id}, s.Submit(id, u, next...)
	}))
	m.HandleFunc("DELETE /_sim/requests/{id}", s.ctl(func(r *http.Request, b ctlBody) (any, error) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		return map[string]int{"requestid": id}, s.DeleteRequest(id)
	}))
	m.HandleFunc("GET /_sim/pushes", s.ctl(func(r *http.Request, b ctlBody) (any, error) {
		type push struct {
			URL    string          `json:"url"`
			Body   json.RawMessage `json:"body"`
			Status int             `json:"status"`
			Err    string          `json:"err,omitempty"`
		}
		out := []push{}
		for _, p := range s.Pushes() {
			out = append(out, push{URL: p.URL, Body: p.Body, Status: p.Status, Err: p.Err})
		}
		return out, nil
	}))
}

type ctlBody struct {
	URL       string   `json:"url"`
	SysCode   string   `json:"syscode"`
	Creator   string   `json:"creator"`
	Workflow  string   `json:"workflow"`
	Title     string   `json:"title"`
	Receivers []string `json:"receivers"`
	User      string   `json:"user"`
	Next      []string `json:"next"`
}

type ctlError string

func (e ctlError) Error() string { return string(e) }

func (s *Server) idOf(login string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.userByLogin(login); u != nil {
		return u.ID, nil
	}
	return 0, ctlError("unknown login id: " + login)
}

func (s *Server) ctl(fn func(*http.Request, ctlBody) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ip := clientIP(r); ip != "127.0.0.1" && ip != "::1" {
			http.Error(w, "loopback only", http.StatusForbidden)
			return
		}
		var b ctlBody
		if r.Body != nil {
			raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
			if len(raw) > 0 && json.Unmarshal(raw, &b) != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad JSON"})
				return
			}
		}
		out, err := fn(r, b)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}
