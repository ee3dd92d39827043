package relay

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/dgraph-io/badger/v4"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// Group commit: concurrent intake requests are written in one Badger
// transaction and one fsync, then all of them are acknowledged. One
// goroutine owns every item write, so intake transactions never conflict
// with each other.

type commitReq struct {
	in   []incoming
	done chan error
}

// maxGroup bounds one transaction (Badger refuses very large ones).
const maxGroupItems = 4000

type enqueued struct {
	id, group string
}

func (e *Engine) committer() {
	defer close(e.committerDone)
	for {
		var first *commitReq
		select {
		case first = <-e.commitCh:
		case <-e.ctx.Done():
			e.drainCommits()
			return
		}
		group := []*commitReq{first}
		n := len(first.in)
	gather:
		for n < maxGroupItems {
			select {
			case r := <-e.commitCh:
				group = append(group, r)
				n += len(r.in)
			default:
				break gather
			}
		}
		e.commitGroup(group)
	}
}

func (e *Engine) drainCommits() {
	for {
		select {
		case r := <-e.commitCh:
			r.done <- errStopped()
		default:
			return
		}
	}
}

func (e *Engine) commitGroup(group []*commitReq) {
	now := e.clock.Now()
	rs := e.rulesSnapshot()
	var all []incoming
	for _, r := range group {
		all = append(all, r.in...)
	}
	var queue []enqueued
	received := 0
	modules := map[string]int{}
	// Transactions of up to itemsPerTxn items (Badger caps one transaction
	// at ~2.4 MB here); a chunk that is still too big is halved. The fsync
	// after the last chunk makes the whole group durable before any ack.
	// A failure leaves earlier chunks stored: the OA's retry of the
	// request is idempotent.
	n := itemsPerTxn
	var err error
	for s := 0; s < len(all) && err == nil; {
		part := all[s:min(len(all), s+n)]
		var q []enqueued
		var got int
		var mods map[string]int
		var skipped map[string]int
		var deleting map[string]*core.Error
		err = e.db.Update(func(tx *store.Tx) error {
			q, got, mods = nil, 0, map[string]int{}
			c := &applyCtx{tx: tx, now: now, rules: rs, queue: &q}
			defer func() { skipped, deleting = c.skipped, c.deleting }()
			for _, in := range part {
				accepted, err := c.apply(in)
				if err != nil {
					return err
				}
				got += accepted
				if accepted > 0 {
					mods[in.item.Module]++
				}
			}
			return nil
		})
		if errors.Is(err, badger.ErrTxnTooBig) && n > 1 {
			n, err = n/2, nil
			continue
		}
		if err == nil {
			for corpID, n := range skipped {
				e.log.Warn("relay: no deliveries for a corp being deleted", "corp", corpID, "rows", n,
					"reason", core.Translate("en-US", deleting[corpID].Code, deleting[corpID].Params))
			}
			queue, received = append(queue, q...), received+got
			for k, v := range mods {
				modules[k] += v
			}
			s += len(part)
		}
	}
	if err == nil && len(modules) > 0 {
		err = e.db.Update(func(tx *store.Tx) error {
			for name, cnt := range modules {
				m, err := modulesSeen.Get(tx, name)
				if err != nil && !isNotFound(err) {
					return err
				}
				m.Name, m.Count, m.Last = name, m.Count+cnt, now
				if err := modulesSeen.Put(tx, &m); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil && e.sync {
		// Durable before acknowledging: one fsync for the whole group.
		err = e.db.Sync()
	}
	for _, r := range group {
		r.done <- err
	}
	if err != nil {
		e.log.Error("relay: intake commit failed", "requests", len(group), "err", err)
	}
	// Rows of chunks that did commit are work even if a later chunk failed.
	e.counters.add(now, func(h *hourStats) { h.Received += received })
	for _, q := range queue {
		e.q.push(q.id, q.group, time.Time{})
	}
	e.changed()
}

// itemsPerTxn: an item with its rows is ~1–3 KB; 500 stay well inside
// Badger's transaction limit in the common case.
const itemsPerTxn = 500

type applyCtx struct {
	tx    *store.Tx
	now   time.Time
	rules []Rule
	queue *[]enqueued
	// corps being deleted (tenant.CheckActive), looked up once per
	// transaction; skipped counts the deliveries not created for them.
	deleting map[string]*core.Error
	skipped  map[string]int
}

// corpDeleting reports a target corp marked for deletion: the item itself is
// the OA's and is stored, but the corp gets no new or renewed deliveries.
func (c *applyCtx) corpDeleting(corpID string) (bool, error) {
	if e, ok := c.deleting[corpID]; ok {
		return e != nil, nil
	}
	err := tenant.CheckActive(c.tx, corpID)
	if err != nil && !core.Of(err, core.ErrCorpDeleting) {
		return false, err
	}
	if c.deleting == nil {
		c.deleting, c.skipped = map[string]*core.Error{}, map[string]int{}
	}
	if err != nil {
		c.deleting[corpID] = core.AsError(err)
		return true, nil
	}
	c.deleting[corpID] = nil
	return false, nil
}

// apply stores one change and creates or wakes its deliveries. It returns
// how many items changed (0 for a duplicate or an out-of-order update).
func (c *applyCtx) apply(in incoming) (int, error) {
	if in.flowDelete {
		list, err := items.Lookup(c.tx, "flow", in.item.SysCode+"~"+in.item.FlowID)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, cur := range list {
			one := in
			one.flowDelete = false
			one.item.Receiver = cur.Receiver
			k, err := c.apply(one)
			if err != nil {
				return 0, err
			}
			n += k
		}
		return n, nil
	}
	it := in.item
	it.ID = itemKey(it.SysCode, it.FlowID, it.Receiver)
	cur, err := items.Get(c.tx, it.ID)
	exists := err == nil
	if err != nil && !isNotFound(err) {
		return 0, err
	}
	if exists {
		// receivets orders updates of one item: an older one never
		// overwrites a newer one (an equal one is a repeat).
		if it.ReceiveTS != 0 && cur.ReceiveTS != 0 && it.ReceiveTS < cur.ReceiveTS {
			return 0, nil
		}
		if in.partial {
			// done/over/delete carry no title or links: keep the stored ones.
			keep := cur
			keep.State, keep.Read, keep.Op, keep.Via = it.State, it.Read || it.State != StatePending, it.Op, it.Via
			if it.ReceiveTS != 0 {
				keep.ReceiveTS = it.ReceiveTS
			}
			if it.Node != "" {
				keep.Node = it.Node
			}
			it = keep
		}
		if same(cur, it) {
			return 0, nil
		}
		it.Received, it.Version = cur.Received, cur.Version+1
	} else {
		it.Received, it.Version = c.now, 1
	}
	it.UpdatedAt = c.now
	if err := items.Put(c.tx, &it); err != nil {
		return 0, err
	}
	// Existing deliveries follow the item whatever the rules say now: a
	// to-do added under a rule since disabled must still be removed.
	var have []Delivery
	if exists {
		// A new item has no rows yet (rows never outlive their item), so
		// the index scan, the costly part of an intake, is skipped.
		if have, err = deliveries.Lookup(c.tx, "item", it.ID); err != nil {
			return 0, err
		}
	}
	got := map[string]bool{}
	for i := range have {
		d := &have[i]
		got[d.AppID+"/"+d.Type] = true
		if del, err := c.corpDeleting(d.CorpID); err != nil {
			return 0, err
		} else if del {
			c.skipped[d.CorpID]++
			continue // its rows go with the corp
		}
		d.Want, d.Title = it.Version, it.Title
		d.event(Event{At: c.now, Kind: "intake", Version: it.Version, Detail: it.State})
		if needOp(d, &it) == "" {
			if openStatus(d.Status) && d.Status != StatusSending {
				// Nothing left to do for WeLink (e.g. approved before it was sent).
				d.Status, d.Done, d.Reason, d.NextAt = StatusDelivered, it.Version, nil, time.Time{}
			} else if d.Status == StatusDelivered {
				d.Done = it.Version
			}
		} else if d.Status != StatusSending {
			d.Status, d.Attempts, d.Reason, d.NextAt = StatusQueued, 0, nil, time.Time{}
			*c.queue = append(*c.queue, enqueued{d.ID, d.GroupKey})
		}
		d.UpdatedAt = c.now
		if err := deliveries.Put(c.tx, d); err != nil {
			return 0, err
		}
	}
	if !startsDelivery(&it) {
		return 1, nil
	}
	for _, r := range c.rules {
		if !r.matches(&it) {
			continue
		}
		for _, t := range r.Targets {
			if got[t.AppID+"/"+t.Type] || (t.Type == TypeTodo && it.Kind != KindTodo) {
				// One row per app and type even when several rules
				// match; to-do targets take only items with a lifecycle.
				continue
			}
			got[t.AppID+"/"+t.Type] = true
			if del, err := c.corpDeleting(t.CorpID); err != nil {
				return 0, err
			} else if del {
				c.skipped[t.CorpID]++
				continue
			}
			d := Delivery{ID: deliveryID(it.ID, t.AppID, t.Type), ItemID: it.ID, CorpID: t.CorpID, AppID: t.AppID,
				Type: t.Type, RuleID: r.ID, SysCode: it.SysCode, FlowID: it.FlowID, Receiver: it.Receiver,
				Module: it.Module, Title: it.Title, Status: StatusQueued, Want: it.Version, CreatedAt: c.now, UpdatedAt: c.now}
			if t.Type == TypeTodo {
				d.TaskID = TaskID(it.SysCode, it.FlowID, it.Receiver)
			} else {
				d.GroupKey = groupKey(t.AppID, t.Type, &it)
			}
			d.event(Event{At: c.now, Kind: "intake", Version: it.Version, Detail: it.State + " · " + r.Name})
			if err := deliveries.Put(c.tx, &d); err != nil {
				return 0, err
			}
			*c.queue = append(*c.queue, enqueued{d.ID, d.GroupKey})
		}
	}
	return 1, nil
}

// same reports a repeated push (nothing WeLink would show differently).
func same(a, b Item) bool {
	return a.State == b.State && a.Read == b.Read && a.Title == b.Title && a.Content == b.Content &&
		a.PCURL == b.PCURL && a.AppURL == b.AppURL && a.Node == b.Node && a.Workflow == b.Workflow &&
		a.Creator == b.Creator && a.Sender == b.Sender
}

// startsDelivery: only an item someone should act on or read creates new
// deliveries; one first seen as done or deleted has nothing to show.
func startsDelivery(it *Item) bool {
	return it.State == StatePending || it.State == StateMessage || (it.State == StateCC && !it.Read)
}

// groupKey joins notices/cards that look the same for every receiver.
func groupKey(appID, typ string, it *Item) string {
	h := sha256.New()
	for _, s := range []string{appID, typ, it.SysCode, it.FlowID, it.Module, it.Title, it.Content, it.Sender,
		it.Workflow, it.Node, it.Creator, it.PCURL, it.AppURL, it.State} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
