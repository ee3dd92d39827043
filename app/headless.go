package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"cloudbridge/backend/audit"
	"cloudbridge/backend/core"
	"cloudbridge/backend/server"
)

// Headless serves the admin UI and the bound services over HTTP on a
// loopback address: the same frontend as the desktop window, behind the
// admin login.
type Headless struct {
	app   *App
	auth  *AdminAuth
	disp  *Dispatcher
	hub   *Hub
	files fs.FS
}

const (
	sessionCookie = "cb_admin"
	maxCallBody   = 32 << 20 // an Excel import (100k rows ≈ 5 MB) travels as base64 in a call
)

func NewHeadless(a *App, assets fs.FS) *Headless {
	h := &Headless{app: a, auth: NewAdminAuth(a.DB, clockNow{}), disp: a.Dispatcher(), hub: NewHub(), files: assets}
	a.SetEmitter(h.hub)
	return h
}

type clockNow struct{}

func (clockNow) Now() time.Time { return time.Now() }

// Handler is the admin HTTP handler.
func (h *Headless) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/auth/status", h.status)
	mux.HandleFunc("POST /api/auth/setup", h.setup)
	mux.HandleFunc("POST /api/auth/login", h.login)
	mux.HandleFunc("POST /api/auth/logout", h.logout)
	mux.Handle("POST /api/call/{pkg}/{method}", h.requireSession(http.HandlerFunc(h.call)))
	mux.Handle("GET /api/events", h.requireSession(http.HandlerFunc(h.events)))
	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, core.ErrUnknownMethod.New("method", r.URL.Path))
	}))
	mux.Handle("/", h.staticFiles())
	return h.guard(mux)
}

// guard rejects cross-site and DNS-rebinding requests: the admin API only
// answers requests addressed to a loopback host and, for writes, carrying
// the X-CloudBridge header a cross-site form cannot set.
func (h *Headless) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
		if ip := net.ParseIP(host); !(host == "localhost" || (ip != nil && ip.IsLoopback())) {
			h.writeError(w, r, core.ErrForbidden.New())
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get("X-CloudBridge") != "1" {
			h.writeError(w, r, core.ErrForbidden.New())
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

func (h *Headless) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || !h.auth.Valid(c.Value) {
			if set, _ := h.auth.PasswordSet(); !set {
				h.writeError(w, r, core.ErrAdminSetupRequired.New())
				return
			}
			h.writeError(w, r, core.ErrUnauthenticated.New())
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h *Headless) status(w http.ResponseWriter, r *http.Request) {
	set, err := h.auth.PasswordSet()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	c, _ := r.Cookie(sessionCookie)
	writeJSON(w, http.StatusOK, map[string]bool{"passwordSet": set, "authenticated": c != nil && h.auth.Valid(c.Value)})
}

type passwordBody struct {
	Password string `json:"password"`
}

func (h *Headless) readPassword(w http.ResponseWriter, r *http.Request) (string, bool) {
	var b passwordBody
	if err := decodeBody(w, r, 4<<10, &b); err != nil {
		h.writeError(w, r, err)
		return "", false
	}
	return b.Password, true
}

func (h *Headless) setup(w http.ResponseWriter, r *http.Request) {
	pw, ok := h.readPassword(w, r)
	if !ok {
		return
	}
	tok, err := h.auth.Setup(pw)
	h.recordAuth(r, "auth.Setup", tok, err)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.app.log.Info("admin password set")
	h.setSession(w, tok)
}

func (h *Headless) login(w http.ResponseWriter, r *http.Request) {
	pw, ok := h.readPassword(w, r)
	if !ok {
		return
	}
	tok, err := h.auth.Login(pw)
	h.recordAuth(r, "auth.Login", tok, err)
	if err != nil {
		h.app.log.Warn("admin login failed", "remote", r.RemoteAddr, "code", core.AsError(err).Code)
		h.writeError(w, r, err)
		return
	}
	h.app.log.Info("admin signed in", "remote", r.RemoteAddr)
	h.setSession(w, tok)
}

func (h *Headless) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && h.auth.Valid(c.Value) {
		h.recordAuth(r, "auth.Logout", c.Value, nil)
		h.auth.Logout(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

func (h *Headless) setSession(w http.ResponseWriter, tok string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL.Seconds())})
	writeJSON(w, http.StatusOK, map[string]bool{"passwordSet": true, "authenticated": true})
}

func (h *Headless) call(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallBody))
	if err != nil {
		err = bodyError(err)
		h.disp.refused(h.actor(r, ""), r.PathValue("pkg")+"."+r.PathValue("method"), err)
		h.writeError(w, r, err)
		return
	}
	res, err := h.disp.CallJSON(h.actor(r, ""), r.PathValue("pkg"), r.PathValue("method"), body)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// actor is the admin behind a request: the remote address and the session
// (tok, or the request's cookie when tok is "").
func (h *Headless) actor(r *http.Request, tok string) audit.Actor {
	if tok == "" {
		if c, err := r.Cookie(sessionCookie); err == nil {
			tok = c.Value
		}
	}
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	return audit.Actor{Kind: "admin", Name: "admin", Addr: addr, Session: sessionID(tok)}
}

// sessionID tells sessions apart in the audit log without storing the
// bearer token: the first 8 hex digits of its SHA-256.
func sessionID(tok string) string {
	if tok == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:4])
}

// Login, setup and logout are admin actions too; failed logins above all.
var authActions = []string{"auth.Setup", "auth.Login", "auth.Logout"}

func (h *Headless) recordAuth(r *http.Request, action, tok string, err error) {
	if h.app.audit == nil {
		return
	}
	e := audit.Entry{At: h.disp.now(), Actor: h.actor(r, tok), Action: action, Outcome: audit.OutcomeOK}
	if err != nil {
		ce := core.AsError(err)
		e.Outcome, e.ErrorParams = ce.Code, ce.Params
		e.Actor.Session = ""
	}
	h.app.audit.Record(e)
}

func (h *Headless) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		h.writeError(w, r, core.ErrInternal.New())
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := h.hub.subscribe()
	defer h.hub.unsubscribe(ch)
	io.WriteString(w, ": connected\n\n")
	fl.Flush()
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			io.WriteString(w, ": ping\n\n")
			fl.Flush()
		case ev := <-ch:
			b, _ := json.Marshal(ev)
			io.WriteString(w, "data: "+string(b)+"\n\n")
			fl.Flush()
		}
	}
}

// staticFiles serves the built frontend; unknown paths get index.html
// (the router uses hash mode, so this is only for bookmarks and reloads).
func (h *Headless) staticFiles() http.Handler {
	fsrv := http.FileServer(http.FS(h.files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/")
		if p != "" {
			if _, err := fs.Stat(h.files, p); err != nil {
				r.URL.Path = "/"
			}
		}
		if r.URL.Path == "/" {
			w.Header().Set("Cache-Control", "no-cache")
		}
		fsrv.ServeHTTP(w, r)
	})
}

func (h *Headless) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := core.AsError(err)
	if e.Code == core.ErrInternal.Code {
		h.app.log.Error("admin call failed", "path", r.URL.Path, "err", err)
	}
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, e)
}

// decodeBody reads a bounded JSON body strictly: unknown fields and trailing
// data are errors, so a typo never silently drops a setting.
func decodeBody(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if dec.More() {
		return core.ErrBadJSON.New()
	}
	return nil
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return core.ErrBodyTooLarge.New("max", server.HumanBytes(mbe.Limit))
	}
	return core.ErrBadJSON.Wrap(err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Serve runs the admin server until ctx ends.
func (h *Headless) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: h.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
