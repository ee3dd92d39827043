// Package server is the public listener: the only port WeLink users (and the
// OA) reach. It serves SSO, QR login, the binding page, OA intake and
// /healthz. Admin routes are never registered here.
package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"cloudbridge/backend/core"
)

// Limits protect the listener from slow or huge requests; routes that need
// more (OA intake batches) wrap their handler with MaxBody.
const (
	DefaultMaxBody    = 1 << 20
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 90 * time.Second
	maxHeaderBytes    = 32 << 10
)

// Config is where and how to listen.
type Config struct {
	Addr     string
	CertFile string
	KeyFile  string
}

// Status is what the settings screen and the dashboard show.
type Status struct {
	Running bool        `json:"running"`
	Addr    string      `json:"addr"`
	TLS     bool        `json:"tls"`
	Error   *core.Error `json:"error,omitempty"`
}

// Server owns the public http.Server and can be restarted with a new Config
// while routes stay registered.
type Server struct {
	mu       sync.Mutex
	mux      *http.ServeMux
	srv      *http.Server
	cfg      Config
	status   Status
	instance string
	version  string
	log      *slog.Logger
	limits   sync.Map // pattern → int64 body limit (HandleLimit)
}

// New makes a server with /healthz registered. instance is a random id that
// /healthz returns, so a self-check can tell this process from another one
// answering at the public URL.
func New(log *slog.Logger, instance, version string) *Server {
	s := &Server{mux: http.NewServeMux(), instance: instance, version: version, log: log.With("component", "public")}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	return s
}

// Handle registers a route on the public listener.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// HandleLimit registers a route whose request bodies may be larger than
// DefaultMaxBody (OA intake batches: a 1000-item OFS batch is ~1.5 MB).
func (s *Server) HandleLimit(pattern string, maxBody int64, h http.Handler) {
	s.limits.Store(pattern, maxBody)
	s.mux.Handle(pattern, h)
}

// maxBody is the body limit of the route a request goes to.
func (s *Server) maxBody(r *http.Request) int64 {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		if v, ok := s.limits.Load(pattern); ok {
			return v.(int64)
		}
	}
	return DefaultMaxBody
}

// Instance is the id /healthz reports.
func (s *Server) Instance() string { return s.instance }

// Health is the /healthz body.
type Health struct {
	Status   string `json:"status"`
	Instance string `json:"instance"`
	Version  string `json:"version"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, Health{Status: "ok", Instance: s.instance, Version: s.version})
}

// Start (re)starts the listener with cfg. On failure the previous listener,
// if any, is already stopped and Status carries the error.
func (s *Server) Start(cfg Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		if s.cfg == cfg && s.status.Running {
			return nil
		}
		s.shutdownLocked(context.Background())
	}
	s.cfg = cfg
	var tlsCfg *tls.Config
	if cfg.CertFile != "" {
		cr := &certReloader{certFile: cfg.CertFile, keyFile: cfg.KeyFile}
		if _, err := cr.load(); err != nil {
			return s.fail(core.ErrSettingsTLSFiles.Wrap(err, "reason", err.Error()))
		}
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cr.get}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return s.fail(core.ErrSettingsAddr.Wrap(err, "addr", cfg.Addr))
	}
	srv := &http.Server{
		Handler:           s.middleware(s.mux),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		TLSConfig:         tlsCfg,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	s.srv = srv
	s.status = Status{Running: true, Addr: ln.Addr().String(), TLS: tlsCfg != nil}
	go func() {
		err := srv.Serve(ln)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("public listener stopped", "err", err)
			s.mu.Lock()
			if s.srv == srv {
				s.status = Status{Error: core.ErrUnavailable.Wrap(err)}
			}
			s.mu.Unlock()
		}
	}()
	s.log.Info("public listener started", "addr", s.status.Addr, "tls", s.status.TLS)
	return nil
}

func (s *Server) fail(err *core.Error) error {
	s.status = Status{Error: err}
	s.srv = nil
	s.log.Error("public listener not started", "err", err)
	return err
}

// Stop drains in-flight requests (up to the context's deadline).
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shutdownLocked(ctx)
}

func (s *Server) shutdownLocked(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	s.srv = nil
	s.status = Status{}
	s.log.Info("public listener stopped")
	return err
}

// Status reports the listener's state.
func (s *Server) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// middleware applies the limits and headers every public route gets.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.maxBody(r))
		rw := &statusWriter{ResponseWriter: w, status: 200}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic in public handler", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				WriteError(rw, r, core.ErrInternal.New())
			}
			s.log.Debug("public request", "method", r.Method, "path", r.URL.Path, "status", rw.status, "ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(rw, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// WriteError answers with the catalogue error in the caller's language.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := core.AsError(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		e = core.ErrBodyTooLarge.New("max", HumanBytes(mbe.Limit))
	}
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	lang := core.NormalizeLang(r.Header.Get("Accept-Language"))
	writeJSON(w, status, map[string]any{"code": e.Code, "params": e.Params, "message": core.Translate(lang, e.Code, e.Params)})
}

// HumanBytes renders a size limit for error messages ("1 MiB", "32 KiB").
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// certReloader re-reads the certificate when its file changes, so a renewed
// certificate takes effect without a restart.
type certReloader struct {
	certFile, keyFile string
	mu                sync.Mutex
	cert              *tls.Certificate
	mod               time.Time
}

func (c *certReloader) load() (*tls.Certificate, error) {
	st, err := os.Stat(c.certFile)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cert != nil && st.ModTime().Equal(c.mod) {
		return c.cert, nil
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		if c.cert != nil {
			return c.cert, nil // keep serving the old one during a half-written renewal
		}
		return nil, err
	}
	c.cert, c.mod = &cert, st.ModTime()
	return c.cert, nil
}

func (c *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) { return c.load() }
