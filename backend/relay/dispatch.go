package relay

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/sso"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/welink"
)

// Operations on WeLink.
const (
	opAdd        = "add"         // POST /todo/v3/addtask
	opDelete     = "delete"      // DELETE /todo/v1/deltask
	opSend       = "send"        // notice or card
	opUpdateCard = "update_card" // POST /messages/v1/update (card → "已处理")
)

// needOp is what WeLink still lacks for the row to match its item.
func needOp(d *Delivery, it *Item) string {
	if d.Type == TypeTodo {
		want := it.State == StatePending || (it.State == StateCC && !it.Read)
		switch {
		case want && !d.Present:
			return opAdd
		case !want && d.Present:
			return opDelete
		}
		return ""
	}
	if d.Force {
		return opSend
	}
	if !d.Present {
		if startsDelivery(it) {
			return opSend
		}
		return ""
	}
	if d.Type == TypeCard && !d.Closed && it.Kind == KindTodo && !startsDelivery(it) && len(d.CardIDs) > 0 {
		return opUpdateCard
	}
	return ""
}

type followUp struct {
	id, group string
	at        time.Time
}

func (e *Engine) worker() {
	defer e.workers.Done()
	for {
		u, wait := e.q.pop()
		if u == nil {
			t := time.NewTimer(wait)
			select {
			case _, ok := <-e.q.wake:
				t.Stop()
				if !ok {
					return
				}
			case <-t.C:
			case <-e.ctx.Done():
				t.Stop()
				return
			}
			continue
		}
		var next []followUp
		if e.ctx.Err() == nil {
			next = e.process(u)
		}
		e.q.done(u)
		for _, f := range next {
			e.q.push(f.id, f.group, f.at)
		}
	}
}

// row is one delivery prepared for a call.
type row struct {
	d        Delivery
	it       Item
	op       string
	userID   string
	oaUser   oa.User
	nameCn   string
	nameEn   string
	creator  string // applicant's WeLink userId ("" = unknown)
	creatorN string
}

// process handles a unit: to-dos and card updates one by one, sends of the
// same content together.
func (e *Engine) process(u *unit) []followUp {
	now := e.clock.Now()
	var ready []*row
	var next []followUp
	var fixes []func(tx *store.Tx) error
	corpState := map[string]*core.Error{}
	deleting := func(tx *store.Tx, corpID string) *core.Error {
		cause, ok := corpState[corpID]
		if !ok {
			if err := tenant.CheckActive(tx, corpID); core.Of(err, core.ErrCorpDeleting) {
				cause = core.AsError(err)
			}
			corpState[corpID] = cause
		}
		return cause
	}
	err := e.db.View(func(tx *store.Tx) error {
		st, _ := settings.Load(tx)
		e.baseURL.Store(st.PublicBaseURL)
		for _, id := range u.ids {
			d, err := deliveries.Get(tx, id)
			if err != nil {
				continue // removed meanwhile (corp deleted, housekeeping)
			}
			if !openStatus(d.Status) || d.Status == StatusSending {
				continue
			}
			if (d.Status == StatusRetrying || d.Status == StatusNotBound) && d.NextAt.After(now) {
				continue // an early timer; the right one is pending
			}
			it, err := items.Get(tx, d.ItemID)
			if err != nil {
				continue
			}
			if cause := deleting(tx, d.CorpID); cause != nil {
				id := d.ID
				fixes = append(fixes, func(tx *store.Tx) error { return e.markCorpDeleting(tx, id, cause) })
				continue
			}
			r := &row{d: d, it: it, op: needOp(&d, &it)}
			if r.op == "" {
				id := d.ID
				fixes = append(fixes, func(tx *store.Tx) error { return e.finishNoop(tx, id) })
				continue
			}
			if r.op == opAdd || r.op == opSend {
				if ferr := e.resolve(tx, r); ferr != nil {
					id, cause := d.ID, ferr
					fixes = append(fixes, func(tx *store.Tx) error { return e.markUnbound(tx, id, cause, &next) })
					continue
				}
			} else {
				r.userID = d.UserID
			}
			ready = append(ready, r)
		}
		return nil
	})
	if err == nil && len(fixes) > 0 {
		err = e.db.Update(func(tx *store.Tx) error {
			next = next[:0]
			for _, f := range fixes {
				if err := f(tx); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		e.log.Error("relay: dispatcher store error", "err", err)
		for _, id := range u.ids {
			next = append(next, followUp{id: id, group: u.group, at: now.Add(5 * time.Second)})
		}
		return next
	}
	if len(ready) == 0 {
		e.changed()
		return next
	}
	var sends []*row
	for _, r := range ready {
		if r.op == opSend {
			sends = append(sends, r)
		} else {
			next = append(next, e.call(r.d.AppID, []*row{r})...)
		}
	}
	if len(sends) > 0 {
		// Same group key = same content, app and type; Force rows (a
		// manual resend) are grouped with their peers too.
		next = append(next, e.call(sends[0].d.AppID, sends)...)
	}
	e.changed()
	return next
}

// resolve finds the WeLink user of a row's receiver (and the names a to-do
// needs). A *core.Error result is the reason it cannot be delivered yet.
func (e *Engine) resolve(tx *store.Tx, r *row) *core.Error {
	rule := PersonAuto
	if s, ok := e.systemsSnapshot()[r.d.SysCode]; ok && s.PersonRule != "" {
		rule = s.PersonRule
	}
	u, ok := findOAUser(tx, r.it.Receiver, rule)
	if !ok {
		return core.ErrRelayOAUserUnknown.New("receiver", r.it.Receiver)
	}
	b, bound, err := binding.ForOAUser(tx, r.d.CorpID, u.ID)
	if err != nil {
		return core.AsError(err)
	}
	if !bound {
		return core.ErrRelayNotBound.New("receiver", r.it.Receiver)
	}
	r.oaUser, r.userID = u, b.WeLinkUserID
	r.nameCn, r.nameEn = u.Name, ""
	if wu, err := directory.Users.Get(tx, directory.Key(r.d.CorpID, b.WeLinkUserID)); err == nil {
		if wu.NameCn != "" {
			r.nameCn = wu.NameCn
		}
		r.nameEn = wu.NameEn
	}
	if r.nameCn == "" {
		r.nameCn = b.WeLinkUserID
	}
	if r.nameEn == "" {
		r.nameEn = r.nameCn
	}
	if r.it.Creator != "" {
		if cu, ok := findOAUser(tx, r.it.Creator, rule); ok {
			r.creatorN = cu.Name
			if cb, ok, _ := binding.ForOAUser(tx, r.d.CorpID, cu.ID); ok {
				r.creator = cb.WeLinkUserID
			}
		} else {
			r.creatorN = r.it.Creator
		}
	}
	return nil
}

// findOAUser reads a receiver with the OA system's person rule; "id:",
// "loginid:" and "workcode:" prefixes (generic JSON) name the field.
func findOAUser(tx *store.Tx, receiver, rule string) (oa.User, bool) {
	for _, p := range []string{PersonID, PersonLoginID, PersonWorkCode} {
		if v, ok := strings.CutPrefix(receiver, p+":"); ok {
			receiver, rule = v, p
			break
		}
	}
	try := []string{rule}
	if rule == PersonAuto || rule == "" {
		try = []string{PersonID, PersonLoginID, PersonWorkCode}
	}
	for _, how := range try {
		switch how {
		case PersonID:
			if u, err := directory.OAUsers.Get(tx, url.PathEscape(receiver)); err == nil {
				return u, true
			}
		case PersonLoginID:
			if l, _ := directory.OAUsers.Lookup(tx, "loginId", strings.ToLower(receiver)); len(l) > 0 {
				return pickActive(l), true
			}
		case PersonWorkCode:
			if l, _ := directory.OAUsers.Lookup(tx, "workCode", receiver); len(l) > 0 {
				return pickActive(l), true
			}
		}
	}
	return oa.User{}, false
}

func pickActive(l []oa.User) oa.User {
	for _, u := range l {
		if !u.Left && !u.Secondary {
			return u
		}
	}
	return l[0]
}

func (e *Engine) finishNoop(tx *store.Tx, id string) error {
	d, err := deliveries.Get(tx, id)
	if err != nil {
		return nil
	}
	it, err := items.Get(tx, d.ItemID)
	if err != nil || needOp(&d, &it) != "" || !openStatus(d.Status) || d.Status == StatusSending {
		return nil
	}
	now := e.clock.Now()
	d.Status, d.Done, d.Reason, d.NextAt, d.UpdatedAt = StatusDelivered, it.Version, nil, time.Time{}, now
	d.event(Event{At: now, Kind: "skip", Version: it.Version, Detail: "nothing to change in WeLink (" + it.State + ")"})
	return deliveries.Put(tx, &d)
}

// markCorpDeleting stops a row of a corp marked for deletion: nothing more
// goes to WeLink for it, and the corp delete removes the row. Not counted
// as a failed push: nobody is waiting for it any more.
func (e *Engine) markCorpDeleting(tx *store.Tx, id string, cause *core.Error) error {
	d, err := deliveries.Get(tx, id)
	if err != nil || !openStatus(d.Status) || d.Status == StatusSending {
		return nil
	}
	now := e.clock.Now()
	d.Status, d.NextAt, d.Reason, d.UpdatedAt = StatusDead, time.Time{}, cause, now
	d.event(Event{At: now, Kind: "dead", Error: cause})
	return deliveries.Put(tx, &d)
}

func (e *Engine) markUnbound(tx *store.Tx, id string, cause *core.Error, next *[]followUp) error {
	d, err := deliveries.Get(tx, id)
	if err != nil || !openStatus(d.Status) || d.Status == StatusSending {
		return nil
	}
	now := e.clock.Now()
	cfg := e.config()
	window := time.Duration(cfg.BindWindowHours) * time.Hour
	d.UpdatedAt = now
	if now.Sub(d.CreatedAt) >= window {
		d.Status, d.NextAt = StatusDead, time.Time{}
		d.Reason = core.ErrRelayBindWindowOver.New("receiver", d.Receiver, "hours", itoa(cfg.BindWindowHours))
		d.event(Event{At: now, Kind: "dead", Error: d.Reason})
		e.counters.add(now, func(h *hourStats) { h.Dead++ })
		return deliveries.Put(tx, &d)
	}
	first := d.Status != StatusNotBound
	d.Status, d.Reason = StatusNotBound, cause
	// Check again soon, then less often; a new binding also wakes the
	// row through the housekeeping scan.
	wait := e.opts.BindRecheck
	if !first {
		wait = min(wait*4, 10*time.Minute)
	}
	d.NextAt = now.Add(wait)
	if end := d.CreatedAt.Add(window); d.NextAt.After(end) {
		d.NextAt = end
	}
	if first {
		d.event(Event{At: now, Kind: "not_bound", Error: cause})
	}
	*next = append(*next, followUp{id: d.ID, group: d.GroupKey, at: d.NextAt})
	return deliveries.Put(tx, &d)
}

// call records the attempt, makes one WeLink call for the rows (all of
// the same app; several rows only for a send) and records the outcome.
func (e *Engine) call(appID string, rs []*row) []followUp {
	now := e.clock.Now()
	var creds welink.Credentials
	var app AppInfo
	err := e.db.View(func(tx *store.Tx) error {
		var err error
		creds, err = tenant.Credentials(e.db, tx, appID)
		return err
	})
	if err == nil {
		app, err = e.appInfo(appID)
	}
	if err != nil {
		reason := core.AsError(err)
		permanent := core.Of(err, core.ErrAppNotFound)
		if permanent {
			reason = core.ErrRelayAppGone.New()
		}
		return e.outcome(rs, "", nil, reason, permanent, false, 0)
	}
	op := rs[0].op
	if op == opAdd || op == opSend {
		// WeLink requires a link (detailsUrl/urlPath): without one from the
		// OA and without a public base URL for SSO there is nothing to open.
		if m, _ := rs[0].links(e.publicBase()); m == "" {
			return e.outcome(rs, "", nil, core.ErrRelayNoLink.New(), true, false, 0)
		}
	}
	// Record the attempt before the call: a crash from here on leaves the
	// row "sending" with InFlight set, which the restart recognises.
	var kept []*row
	err = e.updateRows(rs, func(tx *store.Tx, part []*row) (func(), error) {
		var k []*row
		for _, r := range part {
			d, err := deliveries.Get(tx, r.d.ID)
			if err != nil {
				continue
			}
			it, err := items.Get(tx, d.ItemID)
			if err != nil || d.Status == StatusSending || needOp(&d, &it) != r.op {
				continue // changed meanwhile: the commit re-queued it
			}
			d.Status, d.InFlight, d.Calls, d.UpdatedAt = StatusSending, &Attempt{Op: r.op, Version: it.Version, At: now}, d.Calls+1, now
			d.UserID, d.OAUserID = r.userID, r.oaUser.ID
			if d.UserID == "" {
				d.UserID = r.d.UserID
			}
			d.event(Event{At: now, Kind: "attempt", Op: r.op, Version: it.Version, Detail: d.UserID})
			if err := deliveries.Put(tx, &d); err != nil {
				return nil, err
			}
			r.d, r.it = d, it
			k = append(k, r)
		}
		return func() { kept = append(kept, k...) }, nil
	})
	if err != nil {
		e.log.Error("relay: cannot record attempt", "err", err)
		var out []followUp
		for _, r := range rs {
			out = append(out, followUp{id: r.d.ID, group: r.d.GroupKey, at: now.Add(5 * time.Second)})
		}
		return out
	}
	if len(kept) == 0 {
		return nil
	}
	rs = kept
	wl := e.welink().App(creds)
	start := time.Now()
	var failed []string
	var cardIDs []string
	base := e.publicBase()
	switch op {
	case opAdd:
		r := rs[0]
		_, err = wl.AddTodo(e.callCtx, e.todoFor(r, app, base))
		if err != nil && welink.CodeOf(err) == "55005" && r.d.InDoubt {
			// An earlier add may have landed (timeout or crash): WeLink
			// refuses the same taskId, which is the success we wanted.
			err = nil
		}
	case opDelete:
		_, err = wl.DeleteTodo(e.callCtx, rs[0].d.TaskID)
		if welink.CodeOf(err) == "55009" {
			err = nil // already gone: that is the goal (inferred: 55009 also answers an unknown taskId)
		}
	case opUpdateCard:
		r := rs[0]
		for _, itemID := range r.d.CardIDs {
			var f []string
			f, err = wl.UpdateMessage(e.callCtx, welink.MessageUpdate{ItemID: itemID, ToUserList: []string{r.d.UserID},
				MessageStatus: `{"CN":"已处理","EN":"Done"}`, StatusColor: 2})
			failed = append(failed, f...)
			if err != nil {
				break
			}
		}
		failed = nil // a card that could not be updated stays as it was; nothing to retry per user
	case opSend:
		to := make([]string, 0, len(rs))
		seen := map[string]bool{}
		for _, r := range rs {
			if !seen[r.userID] {
				seen[r.userID] = true
				to = append(to, r.userID)
			}
		}
		var res welink.SendResult
		if rs[0].d.Type == TypeNotice {
			res, err = wl.SendMessage(e.callCtx, e.noticeFor(rs[0], to, app, base))
		} else {
			res, err = wl.SendCard(e.callCtx, e.cardFor(rs[0], to, app, base))
		}
		failed, cardIDs = res.FailedUserIDs, res.ItemIDs
		if welink.CodeOf(err) == welink.CodeOutOfScope {
			failed = append(failed, welink.FailedUserIDs(err)...)
			if len(failed) > 0 {
				err = nil // per-receiver failures below
			}
		}
	}
	ms := time.Since(start).Milliseconds()
	e.counters.add(e.clock.Now(), func(h *hourStats) { h.Calls++ })
	if err == nil {
		return e.success(rs, op, failed, cardIDs, ms)
	}
	return e.outcome(rs, op, err, core.AsError(err), permanentCode(err), uncertain(op, err), ms)
}

// permanentCode: WeLink refusals that another try cannot fix without the
// admin (permissions, visible range, invalid data, rejected secret).
func permanentCode(err error) bool {
	switch welink.CodeOf(err) {
	case "501", "51019", "55000", "55002", "55005", "55006", "10007", "404", "47002", "47003", "47004", "47008":
		return true
	}
	return core.Of(err, core.ErrWeLinkLocked)
}

// uncertain: a call that may have reached WeLink without an answer.
func uncertain(op string, err error) bool {
	if welink.CodeOf(err) != "" {
		return false
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || (errors.As(err, &ne) && ne.Timeout())
}

func (e *Engine) success(rs []*row, op string, failed, cardIDs []string, ms int64) []followUp {
	now := e.clock.Now()
	bad := map[string]bool{}
	for _, f := range failed {
		bad[f] = true
	}
	var next []followUp
	var delivered, dead int
	err := e.updateRows(rs, func(tx *store.Tx, part []*row) (func(), error) {
		var next2 []followUp
		var delivered2, dead2 int
		for _, r := range part {
			d, err := deliveries.Get(tx, r.d.ID)
			if err != nil {
				continue
			}
			att := d.InFlight
			d.InFlight, d.InDoubt, d.UpdatedAt = nil, false, now
			if bad[d.UserID] {
				d.Status, d.NextAt = StatusDead, time.Time{}
				d.Reason = core.WeLinkCode(welink.CodeOutOfScope, "")
				d.event(Event{At: now, Kind: "dead", Op: op, Code: welink.CodeOutOfScope, Error: d.Reason, Ms: ms})
				dead2++
				if err := deliveries.Put(tx, &d); err != nil {
					return nil, err
				}
				continue
			}
			switch op {
			case opAdd:
				d.Present = true
			case opDelete:
				d.Present = false
			case opSend:
				d.Present, d.Force = true, false
				d.CardIDs = append([]string(nil), cardIDs...)
			case opUpdateCard:
				d.Closed = true
			}
			if att != nil {
				d.Done = att.Version
			}
			d.Attempts, d.Reason = 0, nil
			d.event(Event{At: now, Kind: "ok", Op: op, Version: d.Done, Ms: ms})
			it, err := items.Get(tx, d.ItemID)
			if err == nil && needOp(&d, &it) != "" {
				d.Status = StatusQueued // the item moved on during the call
				next2 = append(next2, followUp{id: d.ID, group: d.GroupKey})
			} else {
				d.Status, d.DeliveredAt, d.NextAt = StatusDelivered, now, time.Time{}
				if err == nil {
					d.Done = it.Version
				}
				delivered2++
			}
			if err := deliveries.Put(tx, &d); err != nil {
				return nil, err
			}
		}
		return func() { next, delivered, dead = append(next, next2...), delivered+delivered2, dead+dead2 }, nil
	})
	if err != nil {
		// The call succeeded but its record did not land: the rows stay
		// "sending" and are treated as interrupted on the next start.
		e.log.Error("relay: cannot record success", "err", err)
		return nil
	}
	e.counters.add(now, func(h *hourStats) { h.Delivered += delivered; h.Dead += dead })
	return next
}

// outcome records a failed call (or one that could not be made).
func (e *Engine) outcome(rs []*row, op string, cause error, reason *core.Error, permanent, unsure bool, ms int64) []followUp {
	now := e.clock.Now()
	cfg := e.config()
	var next []followUp
	var failedN, deadN int
	err := e.updateRows(rs, func(tx *store.Tx, part []*row) (func(), error) {
		var next2 []followUp
		var failed2, dead2 int
		for _, r := range part {
			d, err := deliveries.Get(tx, r.d.ID)
			if err != nil {
				continue
			}
			if op == "" && d.Status == StatusSending {
				continue
			}
			d.InFlight, d.UpdatedAt, d.Reason = nil, now, reason
			code := welink.CodeOf(cause)
			switch {
			case unsure && op == opSend && !cfg.ResendUncertain:
				d.Status, d.NextAt = StatusUncertain, time.Time{}
				d.Reason = core.ErrRelayUncertain.New()
				d.event(Event{At: now, Kind: "uncertain", Op: op, Error: reason, Ms: ms})
				dead2++
			case permanent:
				d.Status, d.NextAt = StatusDead, time.Time{}
				d.event(Event{At: now, Kind: "dead", Op: op, Code: code, Error: reason, Ms: ms})
				dead2++
			default:
				if unsure {
					d.InDoubt = true // the next add/delete may find it done
				}
				d.Attempts++
				if d.Attempts >= cfg.MaxAttempts {
					d.Status, d.NextAt = StatusDead, time.Time{}
					d.event(Event{At: now, Kind: "fail", Op: op, Code: code, Error: reason, Ms: ms})
					d.Reason = core.ErrRelayTooManyAttempts.New("attempts", itoa(d.Attempts))
					d.event(Event{At: now, Kind: "dead", Error: d.Reason})
					dead2++
				} else {
					d.Status, d.NextAt = StatusRetrying, now.Add(e.backoff(d.Attempts))
					d.event(Event{At: now, Kind: "fail", Op: op, Code: code, Error: reason, Ms: ms,
						Detail: "retry at " + d.NextAt.Format(time.RFC3339)})
					next2 = append(next2, followUp{id: d.ID, group: d.GroupKey, at: d.NextAt})
					failed2++
				}
			}
			if err := deliveries.Put(tx, &d); err != nil {
				return nil, err
			}
		}
		return func() { next, failedN, deadN = append(next, next2...), failedN+failed2, deadN+dead2 }, nil
	})
	if err != nil {
		e.log.Error("relay: cannot record failure", "err", err)
		return nil
	}
	if cause != nil {
		e.log.Warn("relay: delivery failed", "op", op, "app", rs[0].d.AppID, "rows", len(rs), "err", cause)
	}
	e.counters.add(now, func(h *hourStats) { h.Failed += failedN; h.Dead += deadN })
	return next
}

// backoff is exponential with full jitter in its upper half.
func (e *Engine) backoff(attempt int) time.Duration {
	d := e.opts.RetryBase << min(attempt-1, 20)
	if d > e.opts.RetryMax || d <= 0 {
		d = e.opts.RetryMax
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// link routes an OA address through CloudBridge SSO (backend/sso.Link) so
// a tap in WeLink lands in the OA signed in. Without a public base URL the
// OA address is used as is.
func link(base, appID, target string, mobile bool) string {
	if base == "" {
		return target
	}
	return sso.Link(base, appID, target, mobile)
}

func (r *row) links(base string) (mobile, pc string) {
	m, p := r.it.AppURL, r.it.PCURL
	if m == "" {
		m = p
	}
	if p == "" {
		p = m
	}
	return link(base, r.d.AppID, m, true), link(base, r.d.AppID, p, false)
}

// description is the message body. WeLink requires msgContent on notices
// (47003 when empty), so it falls back to the title.
func (r *row) description() string {
	if r.it.Content != "" {
		return r.it.Content
	}
	var parts []string
	if r.it.Workflow != "" {
		parts = append(parts, "流程："+r.it.Workflow)
	}
	if r.it.Node != "" {
		parts = append(parts, "节点："+r.it.Node)
	}
	if r.creatorN != "" {
		parts = append(parts, "创建人："+r.creatorN)
	}
	if len(parts) == 0 {
		return r.it.Title
	}
	return strings.Join(parts, "  ")
}

func (e *Engine) todoFor(r *row, app AppInfo, base string) welink.Todo {
	m, p := r.links(base)
	applicant, aCn := r.creator, r.creatorN
	if applicant == "" {
		// addtask requires an applicant; an unbound creator is shown by
		// name with the handler's own id (inferred: WeLink only displays it).
		applicant = r.userID
	}
	if aCn == "" {
		aCn = r.nameCn
	}
	t := welink.Todo{TaskID: r.d.TaskID, TaskTitle: cutBytes(r.it.Title, 256), UserID: r.userID, UserNameCn: r.nameCn,
		UserNameEn: r.nameEn, DetailsURL: m, AppName: app.Name, TaskDesc: cutBytes(r.description(), 512),
		ApplicantUserID: applicant, ApplicantUserNameCn: aCn, ApplicantUserNameEn: aCn, ApplicantID: r.it.FlowID}
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		t.DetailsURLPc = p
	}
	if alnum(r.it.FlowID) {
		t.BusinessCode = r.it.FlowID
	}
	return t
}

func (e *Engine) noticeFor(r *row, to []string, app AppInfo, base string) welink.Message {
	m, p := r.links(base)
	owner := r.it.Sender
	if owner == "" {
		owner = app.Name
	}
	return welink.Message{ToUserList: to, MsgTitle: cutBytes(r.it.Title, 128), MsgContent: cutBytes(r.description(), 512),
		URLType: "html", URLPath: m, DesktopURLPath: p, MsgOwner: cutBytes(owner, 64)}
}

func (e *Engine) cardFor(r *row, to []string, app AppInfo, base string) welink.Card {
	m, p := r.links(base)
	owner := r.it.Sender
	if owner == "" {
		owner = app.Name
	}
	c := welink.Card{ToUserList: to, MsgOwner: cutBytes(owner, 18), MsgTitle: cutBytes(r.it.Title, 128),
		MsgContent: cutBytes(r.description(), 512), URLPath: m, DesktopURLPath: p, ReceiveDeviceType: "2"}
	if r.it.Kind == KindTodo {
		c.MessageStatus, c.StatusColor = `{"CN":"待处理","EN":"Pending"}`, 3
	}
	return c
}

// cutBytes truncates to at most n bytes of whole UTF-8 characters (WeLink
// limits fields in bytes).
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func alnum(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
