package relay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/server"
)

// Public intake routes (registered on the public listener by the app).
const (
	// OFSPattern receives the OA's unified to-do pushes: the OA's
	// {serverurl} is <public base URL>, the push class appends
	// /rest/ofs/<operation>.
	OFSPattern = "POST /rest/ofs/{op}"
	// JSONPattern receives non-workflow messages (one object or an array).
	JSONPattern = "POST /relay/v1/messages"
	// JSONPath is JSONPattern's path.
	JSONPath = "/relay/v1/messages"
	// OFSPathPrefix is where the OFS operations live.
	OFSPathPrefix = "/rest/ofs/"
)

// Authentication headers of the intake endpoints.
const (
	HeaderSecret    = "X-CloudBridge-Secret"
	HeaderSignature = "X-CloudBridge-Signature" // hex HMAC-SHA256(secret, timestamp + "\n" + body), optional "sha256=" prefix
	HeaderTimestamp = "X-CloudBridge-Timestamp" // Unix seconds
	// MaxSkew is how far a signed request's timestamp may be from our clock.
	MaxSkew = 5 * time.Minute
)

// Limits of the generic JSON endpoint.
const (
	JSONMaxBody      = 4 << 20
	JSONMaxMessages  = 1000
	JSONMaxReceivers = 5000
)

// readBody reads at most max bytes. The public listener caps every body at
// server.DefaultMaxBody unless the route was registered with a larger
// limit (see the app wiring).
func readBody(r *http.Request, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, core.ErrBodyTooLarge.New("max", strconv.FormatInt(mbe.Limit>>10, 10)+" KiB")
		}
		return nil, core.ErrOAOFSBody.Wrap(err, "reason", "read")
	}
	if int64(len(b)) > max {
		return nil, core.ErrBodyTooLarge.New("max", strconv.FormatInt(max>>20, 10)+" MiB")
	}
	return b, nil
}

// clientIP is the peer address. Behind a reverse proxy on the same host
// (the peer is loopback) the last X-Forwarded-For hop is the real client;
// a remote peer's X-Forwarded-For is ignored because anyone can send it.
func clientIP(r *http.Request) net.IP {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.IsLoopback() {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if p := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); p != nil {
				return p
			}
		}
	}
	return ip
}

// authSystem is an OA system ready for request checks.
type authSystem struct {
	OASystem
	secret string
	nets   []*net.IPNet
}

func parseNets(list []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			ip := net.ParseIP(s)
			if ip == nil {
				return nil, core.ErrRelayCIDRInvalid.New("value", truncate(s, 50))
			}
			bits := 32
			if ip.To4() == nil {
				bits = 128
			} else {
				ip = ip.To4()
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, core.ErrRelayCIDRInvalid.New("value", truncate(s, 50))
		}
		out = append(out, n)
	}
	return out, nil
}

// check authenticates one request for the system.
func (s *authSystem) check(r *http.Request, body []byte, now time.Time) error {
	if !s.Enabled {
		return core.ErrRelaySystemDisabled.New("syscode", s.SysCode)
	}
	if len(s.nets) > 0 {
		ip := clientIP(r)
		ok := false
		for _, n := range s.nets {
			if ip != nil && n.Contains(ip) {
				ok = true
				break
			}
		}
		if !ok {
			shown := "?"
			if ip != nil {
				shown = ip.String()
			}
			return core.ErrRelayIPDenied.New("ip", shown, "syscode", s.SysCode)
		}
	}
	switch s.AuthMode {
	case AuthSecret:
		got := r.Header.Get(HeaderSecret)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.secret)) != 1 {
			return core.ErrRelaySecretBad.New("header", HeaderSecret)
		}
	case AuthHMAC:
		ts, err := strconv.ParseInt(strings.TrimSpace(r.Header.Get(HeaderTimestamp)), 10, 64)
		if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > MaxSkew {
			return core.ErrRelayTimestampSkew.New("seconds", strconv.Itoa(int(MaxSkew/time.Second)))
		}
		sig := strings.TrimPrefix(strings.TrimSpace(r.Header.Get(HeaderSignature)), "sha256=")
		got, err := hex.DecodeString(sig)
		if err != nil || !hmac.Equal(got, Sign(s.secret, r.Header.Get(HeaderTimestamp), body)) {
			return core.ErrRelaySignatureBad.New("header", HeaderSignature)
		}
	}
	return nil
}

// Sign computes the HMAC an OA system sends in HeaderSignature (hex).
func Sign(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strings.TrimSpace(timestamp)))
	m.Write([]byte("\n"))
	m.Write(body)
	return m.Sum(nil)
}

// authenticate checks the request against every syscode it carries.
func (e *Engine) authenticate(r *http.Request, body []byte, sysCodes []string) error {
	sys := e.systemsSnapshot()
	now := e.clock.Now()
	for _, c := range sysCodes {
		s, ok := sys[c]
		if !ok {
			return core.ErrRelaySysCodeUnknown.New("syscode", truncate(c, 64))
		}
		if err := s.check(r, body, now); err != nil {
			return err
		}
	}
	return nil
}

// incoming is one change to store: an item (by its key) or, for a whole
// flow deletion, every item of the flow.
type incoming struct {
	item       Item
	flowDelete bool
	// partial ops (done, over, delete) carry no title etc.; stored fields win.
	partial bool
}

// ServeOFS is the OFS receiver: parse, authenticate, store durably, then
// answer in the OFS reply shape (always HTTP 200; operResult "0" on error).
func (e *Engine) ServeOFS(w http.ResponseWriter, r *http.Request) {
	op := r.PathValue("op")
	if op == "" {
		op = strings.TrimPrefix(r.URL.Path, OFSPathPrefix)
	}
	lang := core.NormalizeLang(r.Header.Get("Accept-Language"))
	reply := func(todos []oa.Todo, err error) {
		if err != nil && len(todos) == 0 {
			e.log.Warn("relay: OFS request refused", "op", truncate(op, 64), "ip", clientIP(r), "err", err)
		}
		oa.WriteOFSReply(w, oa.NewOFSReply(op, todos, err, lang))
	}
	if _, err := oa.LookupOFSOp(op); err != nil {
		reply(nil, err)
		return
	}
	body, err := readBody(r, oa.OFSMaxBody)
	if err != nil {
		reply(nil, err)
		return
	}
	todos, perr := oa.ParseOFSBody(op, r.Header.Get("Content-Type"), body, r.URL.Query())
	if len(todos) == 0 {
		reply(nil, perr)
		return
	}
	var codes []string
	for _, t := range todos {
		if !contains(codes, t.SysCode) {
			codes = append(codes, t.SysCode)
		}
	}
	if err := e.authenticate(r, body, codes); err != nil {
		reply(nil, err)
		return
	}
	in := make([]incoming, 0, len(todos))
	for _, t := range todos {
		in = append(in, fromOFS(t))
	}
	if err := e.submit(r.Context(), in); err != nil {
		reply(nil, err)
		return
	}
	reply(todos, perr)
}

func fromOFS(t oa.Todo) incoming {
	it := Item{SysCode: t.SysCode, FlowID: t.FlowID, Receiver: t.Receiver, Kind: KindTodo, Module: ModuleWorkflow,
		State: string(t.State), Read: t.Read, Title: t.RequestName, Workflow: t.WorkflowName, Node: t.NodeName,
		Creator: t.Creator, PCURL: t.PCURL, AppURL: t.AppURL, ReceiveTS: t.ReceiveTS, Op: string(t.Action), Via: "ofs"}
	in := incoming{item: it}
	switch t.Action {
	case oa.OFSDelete:
		in.flowDelete, in.partial = true, true
	case oa.OFSDone, oa.OFSOver, oa.OFSDeleteUser:
		in.partial = true
	}
	return in
}

// JSONMessage is one message of the generic JSON endpoint.
type JSONMessage struct {
	SysCode string `json:"syscode"`
	// Module is the OA module the message comes from (approval,
	// attendance, meeting, …); rules select on it.
	Module    string `json:"module"`
	Title     string `json:"title"`
	Content   string `json:"content"`
	PCURL     string `json:"pcUrl"`
	MobileURL string `json:"mobileUrl"`
	Sender    string `json:"sender"`
	// BusinessID identifies the message at the OA: repeating it updates
	// the same item (idempotent). With State it has a lifecycle and can be
	// a WeLink to-do.
	BusinessID string `json:"businessId"`
	State      string `json:"state"` // "", pending, done, deleted
	ReceiveTS  int64  `json:"receivets"`
	// Receivers are OA users: a string is read with the system's person
	// rule; an object names the field: {"id":…}, {"loginid":…} or
	// {"workcode":…}.
	Receivers []json.RawMessage `json:"receivers"`
}

// JSONReply is the answer of the generic endpoint.
type JSONReply struct {
	Code     string `json:"code"` // "0"
	Message  string `json:"message"`
	Accepted int    `json:"accepted"` // receiver items stored
}

var bizRe = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)

// ServeJSON is the generic JSON intake. Errors use the public listener's
// error shape {code, params, message} with an HTTP status.
func (e *Engine) ServeJSON(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r, JSONMaxBody)
	if err != nil {
		server.WriteError(w, r, err)
		return
	}
	msgs, err := parseJSONMessages(body)
	if err != nil {
		server.WriteError(w, r, err)
		return
	}
	var codes []string
	for _, m := range msgs {
		if !contains(codes, m.SysCode) {
			codes = append(codes, m.SysCode)
		}
	}
	if err := e.authenticate(r, body, codes); err != nil {
		e.log.Warn("relay: JSON intake refused", "ip", clientIP(r), "err", err)
		server.WriteError(w, r, err)
		return
	}
	var in []incoming
	for i, m := range msgs {
		recv, err := jsonReceivers(i, m.Receivers)
		if err != nil {
			server.WriteError(w, r, err)
			return
		}
		flow := m.BusinessID
		if flow == "" {
			flow = "msg-" + core.NewID() // no business id: every request is a new message
		}
		kind, state := KindMessage, StateMessage
		if m.BusinessID != "" && m.State != "" {
			kind, state = KindTodo, m.State
		}
		for _, rc := range recv {
			in = append(in, incoming{item: Item{SysCode: m.SysCode, FlowID: flow, Receiver: rc, Kind: kind,
				Module: m.Module, State: state, Read: state == StateDone, Title: m.Title, Content: m.Content, Sender: m.Sender,
				PCURL: m.PCURL, AppURL: m.MobileURL, ReceiveTS: m.ReceiveTS, Op: "json", Via: "json"}})
		}
	}
	if err := e.submit(r.Context(), in); err != nil {
		server.WriteError(w, r, err)
		return
	}
	lang := core.NormalizeLang(r.Header.Get("Accept-Language"))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(JSONReply{Code: "0", Accepted: len(in),
		Message: core.Translate(lang, core.ErrOAOFSAccepted.Code, map[string]string{"count": strconv.Itoa(len(in))})})
}

func parseJSONMessages(body []byte) ([]JSONMessage, error) {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 {
		return nil, core.ErrBadJSON.New()
	}
	var msgs []JSONMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var err error
	if b[0] == '[' {
		err = dec.Decode(&msgs)
	} else {
		var m JSONMessage
		err = dec.Decode(&m)
		msgs = []JSONMessage{m}
	}
	if err != nil {
		return nil, core.ErrRelayMessageInvalid.Wrap(err, "field", "body", "reason", truncate(err.Error(), 120))
	}
	if len(msgs) == 0 {
		return nil, core.ErrRelayMessageInvalid.New("field", "body", "reason", "empty array")
	}
	if len(msgs) > JSONMaxMessages {
		return nil, core.ErrRelayMessageInvalid.New("field", "body", "reason", "more than "+strconv.Itoa(JSONMaxMessages)+" messages")
	}
	for i := range msgs {
		m := &msgs[i]
		at := func(f string) string {
			if len(msgs) == 1 {
				return f
			}
			return "[" + strconv.Itoa(i) + "]." + f
		}
		m.SysCode, m.Module = strings.TrimSpace(m.SysCode), strings.TrimSpace(m.Module)
		m.Title, m.BusinessID, m.State = strings.TrimSpace(m.Title), strings.TrimSpace(m.BusinessID), strings.TrimSpace(m.State)
		switch {
		case m.SysCode == "":
			return nil, core.ErrRelayMessageInvalid.New("field", at("syscode"), "reason", "required")
		case m.Module == "":
			return nil, core.ErrRelayMessageInvalid.New("field", at("module"), "reason", "required")
		case !moduleRe.MatchString(m.Module):
			return nil, core.ErrRelayMessageInvalid.New("field", at("module"), "reason", "letters, digits, _ . - only")
		case m.Title == "":
			return nil, core.ErrRelayMessageInvalid.New("field", at("title"), "reason", "required")
		case utf8.RuneCountInString(m.Title) > 500 || utf8.RuneCountInString(m.Content) > 4000:
			return nil, core.ErrRelayMessageInvalid.New("field", at("title/content"), "reason", "too long")
		case m.BusinessID != "" && !bizRe.MatchString(m.BusinessID):
			return nil, core.ErrRelayMessageInvalid.New("field", at("businessId"), "reason", "printable ASCII, at most 128")
		case m.State != "" && m.State != StatePending && m.State != StateDone && m.State != StateDeleted:
			return nil, core.ErrRelayMessageInvalid.New("field", at("state"), "reason", "pending, done or deleted")
		case m.State != "" && m.BusinessID == "":
			return nil, core.ErrRelayMessageInvalid.New("field", at("businessId"), "reason", "required with state")
		case m.ReceiveTS < 0:
			return nil, core.ErrRelayMessageInvalid.New("field", at("receivets"), "reason", "negative")
		case len(m.Receivers) == 0:
			return nil, core.ErrRelayMessageInvalid.New("field", at("receivers"), "reason", "required")
		case len(m.Receivers) > JSONMaxReceivers:
			return nil, core.ErrRelayMessageInvalid.New("field", at("receivers"), "reason", "more than "+strconv.Itoa(JSONMaxReceivers))
		}
		for _, u := range []string{m.PCURL, m.MobileURL} {
			if u != "" && !okLink(u) {
				return nil, core.ErrRelayMessageInvalid.New("field", at("pcUrl/mobileUrl"), "reason", "http(s) URL or /path")
			}
		}
	}
	return msgs, nil
}

func okLink(u string) bool {
	return len(u) <= 2000 && (strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") ||
		(strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")))
}

// jsonReceivers turns the receivers into item receivers: plain strings
// stay as sent (read with the person rule), typed ones get a "kind:" prefix.
func jsonReceivers(i int, raw []json.RawMessage) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, r := range raw {
		var s string
		if err := json.Unmarshal(r, &s); err == nil {
			s = strings.TrimSpace(s)
		} else {
			var o map[string]string
			if err := json.Unmarshal(r, &o); err != nil || len(o) != 1 {
				return nil, core.ErrRelayMessageInvalid.New("field", "receivers", "reason", "string or {\"id\"|\"loginid\"|\"workcode\": …}")
			}
			for k, v := range o {
				k = strings.ToLower(strings.TrimSpace(k))
				if k != PersonID && k != PersonLoginID && k != PersonWorkCode {
					return nil, core.ErrRelayMessageInvalid.New("field", "receivers", "reason", "unknown key "+truncate(k, 20))
				}
				if v = strings.TrimSpace(v); v != "" {
					s = k + ":" + v
				}
			}
		}
		if s == "" || utf8.RuneCountInString(s) > 200 {
			return nil, core.ErrRelayMessageInvalid.New("field", "receivers", "reason", "empty or too long")
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	_ = i
	return out, nil
}

// submit hands changes to the committer and waits until they are durable.
func (e *Engine) submit(ctx context.Context, in []incoming) error {
	if len(in) == 0 {
		return nil
	}
	req := &commitReq{in: in, done: make(chan error, 1)}
	select {
	case e.commitCh <- req:
	case <-e.ctx.Done():
		return core.ErrRelayStopped.New()
	case <-ctx.Done():
		return core.ErrTimeout.Wrap(ctx.Err())
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		// The commit may still land; the sender will retry and the retry
		// is idempotent.
		return core.ErrTimeout.Wrap(ctx.Err())
	}
}
