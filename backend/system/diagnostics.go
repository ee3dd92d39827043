package system

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/server"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
)

// Step is one stage of the network check, with its timing.
type Step struct {
	Name      string      `json:"name"` // dns | tcp | tls | http
	OK        bool        `json:"ok"`
	ElapsedMs int64       `json:"elapsedMs"`
	Detail    string      `json:"detail"`
	Error     *core.Error `json:"error,omitempty"`
}

// PublicCheck tells whether the public base URL reaches this very process.
type PublicCheck struct {
	URL       string      `json:"url"`
	OK        bool        `json:"ok"`
	ElapsedMs int64       `json:"elapsedMs"`
	Error     *core.Error `json:"error,omitempty"`
}

// Diagnostics is the seed's "开通服务器网络权限" check, automated.
type Diagnostics struct {
	Target      string      `json:"target"`
	Steps       []Step      `json:"steps"`
	Verdict     string      `json:"verdict"` // "ok" or the first failed step
	PublicCheck PublicCheck `json:"publicCheck"`
}

const stepTimeout = 8 * time.Second

// RunDiagnostics checks DNS, TCP, TLS and an HTTP round trip to the WeLink
// tickets endpoint, then whether the public base URL reaches this listener.
func (s *Service) RunDiagnostics() (Diagnostics, error) {
	ctx, cancel := context.WithTimeout(s.ctx, 40*time.Second)
	defer cancel()
	base := s.env.WeLinkBaseURL()
	d := Diagnostics{Target: base + "/auth/v2/tickets", Verdict: "ok"}
	d.Steps = probeWeLink(ctx, base)
	for _, st := range d.Steps {
		if !st.OK {
			d.Verdict = st.Name
			break
		}
	}
	var set settings.Settings
	if err := s.db.View(func(tx *store.Tx) error { var e error; set, e = settings.Load(tx); return e }); err != nil {
		return d, err
	}
	d.PublicCheck = checkPublic(ctx, set.PublicBaseURL, s.public.Instance())
	s.log.Info("diagnostics run", "target", d.Target, "verdict", d.Verdict, "public", d.PublicCheck.OK)
	return d, nil
}

func probeWeLink(ctx context.Context, base string) []Step {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return []Step{{Name: "dns", Error: core.ErrSettingsURL.New("field", "welinkBaseUrl")}}
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	var steps []Step

	// DNS
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, stepTimeout)
	addrs, err := net.DefaultResolver.LookupHost(dctx, host)
	cancel()
	st := Step{Name: "dns", ElapsedMs: ms(start)}
	if err != nil {
		st.Error = core.ErrDiagDNS.Wrap(err, "host", host, "reason", shortReason(err))
		return append(steps, st)
	}
	st.OK, st.Detail = true, host+" → "+strings.Join(addrs, ", ")
	steps = append(steps, st)

	// TCP
	addr := net.JoinHostPort(host, port)
	start = time.Now()
	conn, err := (&net.Dialer{Timeout: stepTimeout}).DialContext(ctx, "tcp", addr)
	st = Step{Name: "tcp", ElapsedMs: ms(start)}
	if err != nil {
		st.Error = core.ErrDiagTCP.Wrap(err, "addr", addr, "reason", shortReason(err))
		return append(steps, st)
	}
	st.OK, st.Detail = true, conn.RemoteAddr().String()
	steps = append(steps, st)

	// TLS
	if u.Scheme == "https" {
		start = time.Now()
		tc := tls.Client(conn, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12})
		tc.SetDeadline(time.Now().Add(stepTimeout))
		err = tc.HandshakeContext(ctx)
		st = Step{Name: "tls", ElapsedMs: ms(start)}
		if err != nil {
			conn.Close()
			st.Error = core.ErrDiagTLS.Wrap(err, "host", host, "reason", shortReason(err))
			return append(steps, st)
		}
		cs := tc.ConnectionState()
		st.OK, st.Detail = true, tls.VersionName(cs.Version)
		if len(cs.PeerCertificates) > 0 {
			st.Detail += ", " + cs.PeerCertificates[0].Subject.CommonName + " (" + cs.PeerCertificates[0].NotAfter.Format("2006-01-02") + ")"
		}
		steps = append(steps, st)
		tc.Close()
	} else {
		conn.Close()
	}

	// HTTP: an empty tickets request must come back as WeLink's JSON
	// envelope (41579 "client_id empty"): proof the API itself answers.
	start = time.Now()
	hctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(hctx, http.MethodPost, base+"/auth/v2/tickets", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	st = Step{Name: "http", ElapsedMs: ms(start)}
	if err != nil {
		st.Error = core.ErrDiagHTTP.Wrap(err, "status", shortReason(err))
		return append(steps, st)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var env struct {
		Code json.RawMessage `json:"code"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Code) == 0 {
		st.Error = core.ErrDiagHTTP.New("status", resp.Status)
		return append(steps, st)
	}
	st.OK, st.Detail = true, "HTTP "+strconv.Itoa(resp.StatusCode)+", code "+strings.Trim(string(env.Code), `"`)
	return append(steps, st)
}

func checkPublic(ctx context.Context, base, instance string) PublicCheck {
	pc := PublicCheck{URL: base}
	if base == "" {
		pc.Error = core.ErrPublicURLUnset.New()
		return pc
	}
	pc.URL = base + "/healthz"
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(cctx, http.MethodGet, pc.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	pc.ElapsedMs = ms(start)
	if err != nil {
		pc.Error = core.ErrDiagPublicFailed.Wrap(err, "reason", shortReason(err))
		return pc
	}
	defer resp.Body.Close()
	var h server.Health
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&h); err != nil || resp.StatusCode != 200 {
		pc.Error = core.ErrDiagPublicFailed.New("reason", resp.Status)
		return pc
	}
	if h.Instance != instance {
		pc.Error = core.ErrDiagPublicOther.New()
		return pc
	}
	pc.OK = true
	return pc
}

func ms(t time.Time) int64 { return time.Since(t).Milliseconds() }

// shortReason keeps the useful tail of a network error ("connection
// refused", "no such host", "i/o timeout") without internal addresses twice.
func shortReason(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return "no such host"
		}
		if dnsErr.IsTimeout {
			return "timeout"
		}
		return dnsErr.Err
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}
