package sso

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"rsc.io/qr"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// QR states the login page shows (seed §5).
const (
	QRWaiting   = "waiting"
	QRScanned   = "scanned"
	QRConfirmed = "confirmed"
	QRExpired   = "expired"
	QRCanceled  = "canceled"
)

// qrSession is one QR on one OA login page. The id is public (it is in the
// QR); the key stays in the login page's frame and is needed to read the
// state and to use the ticket, so a photo of the QR is worth nothing on
// another computer.
type qrSession struct {
	id, key  string // key: sha256 of the frame's secret
	state    string
	expires  time.Time
	clientIP string // the computer's, shown on the phone
	flowID   string // the phone flow that scanned it
	name     string // who confirmed (shown on the computer)
	ticket   string // one-time, for the computer, once confirmed
	changed  chan struct{}
}

func (q *qrSession) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// stateAt is the state, with expiry applied.
func (q *qrSession) stateAt(now time.Time) string {
	if (q.state == QRWaiting || q.state == QRScanned || q.state == QRConfirmed) && !now.Before(q.expires) {
		return QRExpired
	}
	return q.state
}

// qrApps are the apps offered by 扫码登录 that still exist, in order; an
// app of a corp being deleted is not offered.
func (p *Public) qrApps() (QRSettings, []QRApp, error) {
	var q QRSettings
	if err := p.o.DB.View(func(tx *store.Tx) error { var e error; q, e = loadQR(tx); return e }); err != nil {
		return q, nil, err
	}
	var out []QRApp
	for _, a := range q.Apps {
		if v, err := p.apps.App(a.AppID); err == nil && p.corpActive(v.CorpID) == nil {
			out = append(out, a)
		}
	}
	return q, out, nil
}

func (p *Public) qrApp(id string) (QRApp, bool, error) {
	_, apps, err := p.qrApps()
	for _, a := range apps {
		if a.AppID == id {
			return a, true, err
		}
	}
	return QRApp{}, false, err
}

func (p *Public) qrEnabled() error {
	q, apps, err := p.qrApps()
	if err != nil {
		return err
	}
	if !q.Enabled || len(apps) == 0 {
		return core.ErrSSOQRDisabled.New()
	}
	return nil
}

// qrSVG draws the QR as an SVG path: crisp at any size, no image assets.
func qrSVG(text string) (string, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	const quiet = 4
	n := c.Size + 2*quiet
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="QR"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if c.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

// POST /qr/api/new: a fresh QR for the login page's frame.
func (p *Public) qrNew(w http.ResponseWriter, r *http.Request) {
	if ok, wait := p.qlim.take(clientIP(r)); !ok {
		p.failJSON(w, r, rateError(wait))
		return
	}
	if err := p.qrEnabled(); err != nil {
		p.failJSON(w, r, err)
		return
	}
	secret := core.NewToken()
	q := &qrSession{id: core.NewToken(), key: hash(secret), state: QRWaiting, expires: p.now().Add(QRTTL),
		clientIP: clientIP(r), changed: make(chan struct{})}
	scanURL := p.publicBase(r) + "/qr/s/" + q.id
	svg, err := qrSVG(scanURL)
	if err != nil {
		p.failJSON(w, r, core.ErrInternal.Wrap(err))
		return
	}
	p.mu.Lock()
	if len(p.qrs) >= maxLiveQR {
		p.mu.Unlock()
		p.failJSON(w, r, core.ErrSSOBusy.New())
		return
	}
	p.qrs[q.id] = q
	p.mu.Unlock()
	writeNoStore(w, map[string]any{"id": q.id, "key": secret, "url": scanURL, "svg": svg,
		"expiresIn": int(QRTTL / time.Millisecond), "state": QRWaiting})
}

func writeNoStore(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

// session returns the QR session if key is its secret.
func (p *Public) session(id, key string) (*qrSession, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.qrs[id]
	if q == nil || key == "" || hash(key) != q.key {
		return nil, core.ErrSSOQRExpired.New()
	}
	return q, nil
}

// POST /qr/api/status (id, key, seen): long poll; answers at once when the
// state differs from seen, else when it changes or after longPoll.
func (p *Public) qrStatus(w http.ResponseWriter, r *http.Request) {
	q, err := p.session(r.PostFormValue("id"), r.PostFormValue("key"))
	if err != nil {
		writeNoStore(w, map[string]any{"state": QRExpired})
		return
	}
	seen := r.PostFormValue("seen")
	deadline := time.NewTimer(longPoll)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		st := q.stateAt(p.now())
		ch := q.changed
		out := map[string]any{"state": st}
		if st == QRScanned || st == QRConfirmed {
			out["name"] = q.name
		}
		if st == QRConfirmed {
			out["ticket"] = q.ticket
		}
		left := q.expires.Sub(p.now())
		p.mu.Unlock()
		if st != seen {
			writeNoStore(w, out)
			return
		}
		if left <= 0 {
			left = time.Millisecond
		}
		expiry := time.NewTimer(left)
		select {
		case <-ch:
		case <-expiry.C:
		case <-deadline.C:
			expiry.Stop()
			writeNoStore(w, out)
			return
		case <-r.Context().Done():
			expiry.Stop()
			return
		}
		expiry.Stop()
	}
}

// GET /qr/s/{id}: what the QR holds; opened by WeLink's scanner.
func (p *Public) qrScan(w http.ResponseWriter, r *http.Request) {
	if err := p.qrEnabled(); err != nil {
		p.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	p.mu.Lock()
	q := p.qrs[id]
	var st string
	if q != nil {
		st = q.stateAt(p.now())
	}
	p.mu.Unlock()
	if q == nil || st == QRExpired {
		p.fail(w, r, core.ErrSSOQRExpired.New())
		return
	}
	if st != QRWaiting {
		// Scanned already: only the phone that scanned it may go on.
		if f, err := p.flowFor(r, q.flowID); err == nil && st == QRScanned {
			http.Redirect(w, r, p.resumeURL(r, f), http.StatusFound)
			return
		}
		p.fail(w, r, core.ErrSSOQRExpired.New())
		return
	}
	_, apps, err := p.qrApps()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	f, err := p.newFlow(w, r, &flow{kind: "qr", qrID: id})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.mu.Lock()
	if q.state != QRWaiting { // another phone was faster
		p.mu.Unlock()
		p.endFlow(f)
		p.fail(w, r, core.ErrSSOQRExpired.New())
		return
	}
	q.state, q.flowID, q.expires = QRScanned, f.id, p.now().Add(QRScannedTTL)
	q.notify()
	if len(apps) == 1 {
		f.appID, f.corpID = apps[0].AppID, apps[0].CorpID
	}
	p.mu.Unlock()
	p.o.Log.Info("qr: scanned", "qr", id[:8], "ip", clientIP(r))
	if len(apps) == 1 {
		app, err := p.apps.App(f.appID)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		p.renderAuth(w, r, f, app)
		return
	}
	p.renderPick(w, r, f, apps)
}

func (p *Public) resumeURL(r *http.Request, f *flow) string {
	switch {
	case f.bound != nil:
		return p.local(r, "/sso/f/"+f.id+"/confirm")
	case f.welinkUserID != "":
		return p.local(r, "/sso/f/"+f.id+"/bind")
	}
	return p.local(r, "/sso/f/"+f.id+"/auth")
}

// qrFlow is the phone's flow with its live, scanned QR session.
func (p *Public) qrFlow(r *http.Request) (*flow, *qrSession, error) {
	f, err := p.flowFor(r, r.PathValue("flow"))
	if err != nil {
		return nil, nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.qrs[f.qrID]
	switch {
	case f.kind != "qr" || f.bound == nil:
		return nil, nil, core.ErrSSOStateInvalid.New()
	case q == nil || q.flowID != f.id:
		return nil, nil, core.ErrSSOQRExpired.New()
	}
	switch q.stateAt(p.now()) {
	case QRScanned:
		return f, q, nil
	case QRCanceled:
		return nil, nil, core.ErrSSOQRCanceled.New()
	}
	return nil, nil, core.ErrSSOQRExpired.New()
}

// GET /sso/f/{flow}/confirm: "sign in to the OA on your computer?"
func (p *Public) confirmPage(w http.ResponseWriter, r *http.Request) {
	f, q, err := p.qrFlow(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u, err := p.oaUser(*f.bound)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.renderConfirm(w, r, f, u, q.clientIP)
}

// POST /sso/f/{flow}/confirm (csrf, action=confirm|cancel).
func (p *Public) confirmSubmit(w http.ResponseWriter, r *http.Request) {
	f, q, err := p.qrFlow(r)
	if err == nil {
		err = p.checkCSRF(r, f)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if r.PostFormValue("action") == "cancel" {
		p.mu.Lock()
		q.state = QRCanceled
		q.notify()
		p.mu.Unlock()
		p.endFlow(f)
		p.renderDone(w, r, false, "")
		return
	}
	u, err := p.oaUser(*f.bound)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	tok := p.issueTicket(&ticket{kind: "qr", qrID: q.id, appID: f.appID, corpID: f.corpID, welinkUserID: f.welinkUserID, oaUser: u})
	p.mu.Lock()
	q.state, q.ticket, q.name = QRConfirmed, tok, firstNonEmpty(u.Name, u.LoginID)
	q.expires = p.now().Add(TicketTTL)
	q.notify()
	p.mu.Unlock()
	p.endFlow(f)
	p.o.Log.Info("qr: confirmed", "qr", q.id[:8], "corp", f.corpID, "welinkUser", f.welinkUserID, "oaUser", u.ID)
	p.renderDone(w, r, true, firstNonEmpty(u.Name, u.LoginID))
}

// POST /qr/enter (id, key, ticket): the login page's top window enters the
// OA. The ticket works once, for this QR session and its key only.
func (p *Public) qrEnter(w http.ResponseWriter, r *http.Request) {
	q, err := p.session(r.PostFormValue("id"), r.PostFormValue("key"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	t, err := p.takeTicket(r.PostFormValue("ticket"), "qr")
	if err == nil && t.qrID != q.id {
		err = core.ErrSSOTicketInvalid.New()
	}
	if err != nil {
		p.o.Log.Warn("qr: ticket refused", "qr", q.id[:8], "ip", clientIP(r), "code", core.AsError(err).Code)
		p.fail(w, r, err)
		return
	}
	p.mu.Lock()
	delete(p.qrs, q.id)
	p.mu.Unlock()
	link, err := p.handoff(r, t.appID, t.corpID, t.welinkUserID, t.oaUser, false, "")
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}
