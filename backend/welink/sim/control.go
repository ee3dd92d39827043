package sim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// The control API under /sim drives the emulator from tests and from the
// demo: apps, grants, visible ranges, faults, login codes, and what was
// delivered. JSON in, JSON out. It has no authentication: the emulator is a
// test and demo peer, never exposed.

func (s *Server) controlRoutes() {
	m := s.mux
	m.HandleFunc("GET /sim/{$}", s.ctlIndex)
	m.HandleFunc("GET /sim/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.State()) })
	m.HandleFunc("GET /sim/apps", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Apps()) })
	m.HandleFunc("POST /sim/apps", func(w http.ResponseWriter, r *http.Request) {
		var spec AppSpec
		if !readJSON(w, r, &spec) {
			return
		}
		if spec.ClientID == "" || spec.Secret == "" {
			http.Error(w, "clientId and secret are required", http.StatusBadRequest)
			return
		}
		s.AddApp(spec)
		writeJSON(w, spec)
	})
	m.HandleFunc("PUT /sim/apps/{id}/grants", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Grants []string `json:"grants"`
		}
		if readJSON(w, r, &in) {
			found(w, s.SetGrants(r.PathValue("id"), in.Grants))
		}
	})
	m.HandleFunc("PUT /sim/apps/{id}/range", func(w http.ResponseWriter, r *http.Request) {
		var v VisibleRange
		if readJSON(w, r, &v) {
			found(w, s.SetVisibleRange(r.PathValue("id"), v))
		}
	})
	m.HandleFunc("PUT /sim/apps/{id}/secret", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Secret string `json:"secret"`
		}
		if readJSON(w, r, &in) {
			found(w, s.SetSecret(r.PathValue("id"), in.Secret))
		}
	})
	m.HandleFunc("POST /sim/apps/{id}/revoke", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]int{"revoked": s.RevokeTokens(r.PathValue("id"))})
	})
	m.HandleFunc("POST /sim/apps/{id}/unlock", func(w http.ResponseWriter, r *http.Request) {
		s.Unlock(r.PathValue("id"))
		writeJSON(w, map[string]bool{"ok": true})
	})
	m.HandleFunc("GET /sim/faults", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Faults()) })
	m.HandleFunc("POST /sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if readJSON(w, r, &f) {
			writeJSON(w, map[string]string{"id": s.AddFault(f)})
		}
	})
	m.HandleFunc("DELETE /sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		writeJSON(w, map[string]bool{"ok": true})
	})
	m.HandleFunc("DELETE /sim/faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.RemoveFault(r.PathValue("id"))
		writeJSON(w, map[string]bool{"ok": true})
	})
	m.HandleFunc("GET /sim/todos", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.Todos(r.URL.Query().Get("clientId")))
	})
	m.HandleFunc("GET /sim/messages", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.Messages(r.URL.Query().Get("clientId")))
	})
	m.HandleFunc("GET /sim/jobs", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Jobs()) })
	m.HandleFunc("POST /sim/codes", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			UserID      string `json:"userId"`
			ClientID    string `json:"clientId"`
			Kind        string `json:"kind"` // "inapp" (default) or "oauth2"
			RedirectURI string `json:"redirectUri"`
		}
		if !readJSON(w, r, &in) {
			return
		}
		var code string
		var ok bool
		if in.Kind == "oauth2" {
			code, ok = s.IssueOAuthCode(in.UserID, in.ClientID, in.RedirectURI)
		} else {
			code, ok = s.IssueCode(in.UserID, in.ClientID)
		}
		if !ok {
			http.Error(w, "unknown user", http.StatusNotFound)
			return
		}
		writeJSON(w, map[string]string{"code": code})
	})
	m.HandleFunc("PUT /sim/current-user", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			UserID string `json:"userId"`
		}
		if readJSON(w, r, &in) {
			found(w, s.SetCurrentUser(in.UserID))
		}
	})
	m.HandleFunc("GET /sim/users", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		writeJSON(w, s.FindUsers(r.URL.Query().Get("q"), n))
	})
}

// State summarises the emulator.
type State struct {
	TenantID    string    `json:"tenantId"`
	TenantName  string    `json:"tenantName"`
	Users       int       `json:"users"`
	Departments int       `json:"departments"`
	CurrentUser string    `json:"currentUser"`
	Apps        []AppSpec `json:"apps"`
	Messages    int       `json:"messages"`
	Todos       int       `json:"todos"`
}

func (s *Server) State() State {
	apps := s.Apps()
	for i := range apps {
		apps[i].Secret = "" // the control API never echoes secrets
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, m := range s.todos {
		n += len(m)
	}
	return State{s.tenant.TenantID, s.tenant.CompanyNameCn, len(s.org.users), len(s.org.depts), s.current, apps, len(s.msgs), n}
}

// UserInfo is a user as the control API shows it.
type UserInfo struct {
	UserID     string   `json:"userId"`
	CorpUserID string   `json:"corpUserId,omitempty"`
	NameCn     string   `json:"userNameCn"`
	NameEn     string   `json:"userNameEn,omitempty"`
	Mobile     string   `json:"mobileNumber,omitempty"`
	Email      string   `json:"userEmail,omitempty"`
	Status     string   `json:"userStatus"`
	Depts      []string `json:"deptCodes"`
}

// FindUsers searches users by userId, name, corpUserId or mobile
// (substring); empty q lists the first ones. limit 0 = 50.
func (s *Server) FindUsers(q string, limit int) []UserInfo {
	if limit <= 0 {
		limit = 50
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := make([]*user, 0, 64)
	for _, u := range s.org.users {
		if q == "" || strings.Contains(u.UserID, q) || strings.Contains(u.NameCn, q) ||
			strings.Contains(strings.ToLower(u.NameEn), strings.ToLower(q)) || u.CorpUserID == q || strings.Contains(u.Mobile, q) {
			list = append(list, u)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	var out []UserInfo
	for _, u := range list[:min(limit, len(list))] {
		out = append(out, UserInfo{u.UserID, u.CorpUserID, u.NameCn, u.NameEn, u.Mobile, u.Email, u.Status, append([]string(nil), u.Depts...)})
	}
	return out
}

func (s *Server) ctlIndex(w http.ResponseWriter, r *http.Request) {
	st := s.State()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString(`<!doctype html><meta charset="utf-8"><title>WeLink emulator</title><body style="font-family:system-ui,sans-serif;max-width:760px;margin:24px auto">`)
	b.WriteString(`<h1>WeLink 模拟器 / emulator</h1><p>` + htmlEsc(st.TenantName) + ` (` + htmlEsc(st.TenantID) + `): ` +
		strconv.Itoa(st.Users) + ` users, ` + strconv.Itoa(st.Departments) + ` departments. API base: <code>/api</code></p><ul>`)
	for _, a := range st.Apps {
		b.WriteString(`<li>` + htmlEsc(a.Name) + ` <code>` + htmlEsc(a.ClientID) + `</code> grants: ` + htmlEsc(strings.Join(a.Grants, ", ")) + `</li>`)
	}
	b.WriteString(`</ul><p><a href="/sim/phone">模拟手机 / phone</a> · <a href="/sim/state">state</a> · <a href="/sim/users">users</a> · <a href="/sim/messages">messages</a> · <a href="/sim/todos">to-dos</a> · <a href="/sim/faults">faults</a> · <a href="/sim/hwh5.js">JSAPI</a></p>`)
	w.Write([]byte(b.String()))
}

func htmlEsc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func found(w http.ResponseWriter, ok bool) {
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	writeJSON(w, map[string]bool{"ok": true})
}
