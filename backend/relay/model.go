// Package relay is the push relay (seed §3): OA to-dos and messages arrive
// on the public listener (OFS receiver endpoints and a generic JSON
// endpoint), are stored durably before they are acknowledged, and are
// delivered to WeLink as notices, to-dos or cards according to the push
// rules, with retries, dead letters, manual resend and a delivery log.
//
// Data flow (one direction):
//
//	OA ──POST──▶ intake (auth, parse) ──▶ committer (group commit: items +
//	deliveries in one Badger transaction, fsync) ──ack──▶ OA
//	committer ──ids──▶ dispatcher ──▶ welink client (quotas, retries) ──▶ WeLink
//
// Crash safety: every delivery is a row in the store (the outbox). An
// attempt is recorded before the WeLink call and its outcome after it. On
// start every open row is scheduled again. To-do calls are idempotent by a
// stable taskId (an add answered "exists" or a delete answered "already
// gone" after an interrupted attempt counts as done); notices and cards
// cannot be asked about, so an interrupted send is marked uncertain and not
// repeated automatically (no duplicates; the admin may resend).
package relay

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// Message sources of a rule (seed §3 消息来源).
const (
	SourceTodo = "todo" // 待办: OFS workflow items and JSON messages with a lifecycle
	SourceAll  = "all"  // 全部: every module (the seed warns about this)
)

// Target types (seed §3 消息类型).
const (
	TypeNotice = "notice" // 通知: POST /messages/v3/send
	TypeTodo   = "todo"   // 待办: /todo/v3/addtask, /todo/v1/deltask
	TypeCard   = "card"   // 普通卡片: POST /messages/v2/card/common
)

// PlatformWeLink is the only third-party type (第三方企业类型) so far.
const PlatformWeLink = "welink"

// ModuleWorkflow is the module of OFS items.
const ModuleWorkflow = "workflow"

// Item kinds.
const (
	KindTodo    = "todo"    // has a lifecycle (pending → done/archived/deleted)
	KindMessage = "message" // fire and forget
)

// Item states (oa.TodoState plus "message").
const (
	StatePending  = "pending"
	StateDone     = "done"
	StateArchived = "archived"
	StateCC       = "cc"
	StateDeleted  = "deleted"
	StateMessage  = "message"
)

// Delivery statuses.
const (
	StatusQueued    = "queued"    // due now
	StatusSending   = "sending"   // attempt recorded, WeLink call in flight
	StatusRetrying  = "retrying"  // failed, next attempt at NextAt
	StatusNotBound  = "not_bound" // receiver has no WeLink binding yet; retried within the window
	StatusDelivered = "delivered" // WeLink has what the item says (to-do present or removed, message sent)
	StatusDead      = "dead"      // given up (attempts, window, permanent refusal): manual resend
	StatusUncertain = "uncertain" // interrupted send of a notice/card: not repeated automatically
)

// Open statuses are the dispatcher's work; the rest are final until the
// item changes or the admin resends.
func openStatus(s string) bool {
	return s == StatusQueued || s == StatusSending || s == StatusRetrying || s == StatusNotBound
}

// Rule is a message push rule (消息推送规则).
type Rule struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Enabled   bool      `json:"enabled"`
	Source    string    `json:"source"` // SourceTodo, SourceAll or a module name
	Targets   []Target  `json:"targets"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Target is one push target (推送目标) of a rule.
type Target struct {
	ID       string `json:"id"`
	Platform string `json:"platform"` // PlatformWeLink
	CorpID   string `json:"corpId"`
	AppID    string `json:"appId"`
	Type     string `json:"type"` // TypeNotice, TypeTodo, TypeCard
}

var rules = store.NewCollection("relay.rule", func(r *Rule) string { return r.ID },
	store.Index[Rule]{Name: "name", Unique: true, Values: func(r *Rule) []string { return []string{foldName(r.Name)} }},
	store.Index[Rule]{Name: "corp", Values: func(r *Rule) []string {
		var out []string
		for _, t := range r.Targets {
			if !contains(out, t.CorpID) {
				out = append(out, t.CorpID)
			}
		}
		return out
	}},
)

// OASystem is an OA system allowed to push (接入系统): the OFS syscode it
// sends and how its requests are authenticated.
type OASystem struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	SysCode string `json:"syscode"`
	Enabled bool   `json:"enabled"`
	// AllowedIPs are addresses or CIDR networks; empty allows any source.
	AllowedIPs []string `json:"allowedIps"`
	// AuthMode: AuthNone (syscode and IP only), AuthSecret (shared-secret
	// header) or AuthHMAC (signed body).
	AuthMode string       `json:"authMode"`
	Secret   store.Sealed `json:"secret,omitempty"`
	// PersonRule says how receivers are written (the OA's person
	// conversion rule): PersonAuto tries OA id, then loginid, then workcode.
	PersonRule string    `json:"personRule"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Authentication modes and person rules of an OA system.
const (
	AuthNone   = "none"
	AuthSecret = "secret"
	AuthHMAC   = "hmac"

	PersonAuto     = "auto"
	PersonID       = "id"
	PersonLoginID  = "loginid"
	PersonWorkCode = "workcode"
)

var systems = store.NewCollection("relay.system", func(s *OASystem) string { return s.ID },
	store.Index[OASystem]{Name: "syscode", Unique: true, Values: func(s *OASystem) []string { return []string{s.SysCode} }},
)

func secretAAD(id string) string { return "relay/system/" + id + "/secret" }

// Item is the latest known state of one OA to-do or message for one
// receiver: the idempotency unit (syscode, flowid, receiver).
type Item struct {
	ID        string `json:"id"`
	SysCode   string `json:"syscode"`
	FlowID    string `json:"flowid"`
	Receiver  string `json:"receiver"`
	Kind      string `json:"kind"`
	Module    string `json:"module"`
	State     string `json:"state"`
	Read      bool   `json:"read"`
	Title     string `json:"title"`
	Content   string `json:"content,omitempty"`
	Workflow  string `json:"workflow,omitempty"`
	Node      string `json:"node,omitempty"`
	Creator   string `json:"creator,omitempty"`
	Sender    string `json:"sender,omitempty"` // msgOwner label of generic messages
	PCURL     string `json:"pcUrl,omitempty"`
	AppURL    string `json:"appUrl,omitempty"`
	ReceiveTS int64  `json:"receivets,omitempty"`
	// Version counts accepted changes; deliveries remember the version they
	// brought to WeLink.
	Version   int       `json:"version"`
	Op        string    `json:"op"`  // intake operation of the last change
	Via       string    `json:"via"` // "ofs" or "json"
	Received  time.Time `json:"received"`
	UpdatedAt time.Time `json:"updatedAt"`
}

var items = store.NewCollection("relay.item", func(i *Item) string { return i.ID },
	store.Index[Item]{Name: "flow", Values: func(i *Item) []string { return []string{i.SysCode + "~" + i.FlowID} }},
)

func itemKey(sysCode, flowID, receiver string) string {
	h := sha256.Sum256([]byte(sysCode + "\x1f" + flowID + "\x1f" + receiver))
	return hex.EncodeToString(h[:16])
}

// TaskID is the stable WeLink taskId of an item: the same (syscode, flowid,
// receiver) always maps to the same to-do, so a repeated add after a crash
// is refused by WeLink instead of creating a second one. 32 hex characters
// (WeLink's limits on taskId are undocumented; letters and digits are safe).
func TaskID(sysCode, flowID, receiver string) string {
	return "cb" + itemKey(sysCode, flowID, receiver)[2:]
}

// Delivery is the outbox row and the log line of one item to one app as one
// message type. It lives until housekeeping removes it after the retention.
type Delivery struct {
	ID       string `json:"id"`
	ItemID   string `json:"itemId"`
	CorpID   string `json:"corpId"`
	AppID    string `json:"appId"`
	Type     string `json:"type"`
	RuleID   string `json:"ruleId"`
	SysCode  string `json:"syscode"`
	FlowID   string `json:"flowid"`
	Receiver string `json:"receiver"`
	Module   string `json:"module"`
	Title    string `json:"title"`
	// GroupKey joins notices/cards with the same content into one call
	// (≤ 1000 receivers); "" for to-dos.
	GroupKey string `json:"groupKey,omitempty"`

	OAUserID string `json:"oaUserId,omitempty"`
	UserID   string `json:"userId,omitempty"` // WeLink receiver

	Status   string      `json:"status"`
	Reason   *core.Error `json:"reason,omitempty"`
	Want     int         `json:"want"` // item version to bring to WeLink
	Done     int         `json:"done"` // item version WeLink has
	Present  bool        `json:"present"`
	TaskID   string      `json:"taskId,omitempty"`
	CardIDs  []string    `json:"cardIds,omitempty"` // itemIds of sent cards
	Attempts int         `json:"attempts"`          // failed attempts since the last success or resend
	Calls    int         `json:"calls"`             // WeLink calls made for this row
	NextAt   time.Time   `json:"nextAt"`
	// InFlight is the attempt recorded before a WeLink call; a row found
	// with it set after a restart was interrupted mid-call.
	InFlight *Attempt `json:"inFlight,omitempty"`
	Events   []Event  `json:"events"`
	Force    bool     `json:"force,omitempty"` // manual resend of a delivered message
	// InDoubt: an earlier call may have reached WeLink without an answer
	// (timeout, crash), so "already exists"/"already gone" mean success.
	InDoubt bool `json:"inDoubt,omitempty"`
	Closed  bool `json:"closed,omitempty"` // card marked done in WeLink

	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	DeliveredAt time.Time `json:"deliveredAt,omitempty"`
}

// Attempt is a WeLink call about to be made.
type Attempt struct {
	Op      string    `json:"op"` // add, delete, send, update_card
	Version int       `json:"version"`
	At      time.Time `json:"at"`
}

// Event is a line of a delivery's timeline.
type Event struct {
	At      time.Time   `json:"at"`
	Kind    string      `json:"kind"` // intake, attempt, ok, fail, retry, dead, not_bound, resend, uncertain, skip
	Op      string      `json:"op,omitempty"`
	Version int         `json:"version,omitempty"`
	Code    string      `json:"code,omitempty"` // WeLink code
	Error   *core.Error `json:"error,omitempty"`
	Ms      int64       `json:"ms,omitempty"`
	Detail  string      `json:"detail,omitempty"`
}

// maxEvents bounds a row's timeline (each update rewrites the row).
const maxEvents = 30

func (d *Delivery) event(e Event) {
	d.Events = append(d.Events, e)
	if n := len(d.Events); n > maxEvents {
		// Keep the first event (how it started) and the latest ones.
		d.Events = append(d.Events[:1:1], d.Events[n-maxEvents+1:]...)
	}
}

// deliveryHeads reads the same records for the log's list without their
// timelines: only Get/List, never Put (it keeps no indexes).
var deliveryHeads = store.NewCollection("relay.delivery", func(d *deliveryHead) string { return d.ID })

// deliveryHead is a Delivery whose timeline is skipped when decoding (the
// outer field wins over the embedded one).
type deliveryHead struct {
	Delivery
	Events skipJSON `json:"events"`
}

type skipJSON struct{}

func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

var deliveries = store.NewCollection("relay.delivery", func(d *Delivery) string { return d.ID },
	store.Index[Delivery]{Name: "item", Values: func(d *Delivery) []string { return []string{d.ItemID} }},
	store.Index[Delivery]{Name: "corp", Values: func(d *Delivery) []string { return []string{d.CorpID} }},
	// open lists the dispatcher's work, so a restart finds it without a scan.
	store.Index[Delivery]{Name: "open", Values: func(d *Delivery) []string {
		if openStatus(d.Status) {
			return []string{"1"}
		}
		return nil
	}},
	store.Index[Delivery]{Name: "status", Values: func(d *Delivery) []string { return []string{d.Status} }},
)

func deliveryID(itemID, appID, typ string) string {
	h := sha256.Sum256([]byte(itemID + "\x1f" + appID + "\x1f" + typ))
	return hex.EncodeToString(h[:16])
}

// Config tunes the relay; the zero value is replaced by Defaults.
type Config struct {
	// BindWindowHours: an unbound receiver's delivery waits this long for a
	// binding, then is given up.
	BindWindowHours int `json:"bindWindowHours"`
	// MaxAttempts before a delivery becomes a dead letter. The WeLink
	// client already retries each call a few times (48503, 5xx, timeouts);
	// an attempt here is one such round.
	MaxAttempts int `json:"maxAttempts"`
	// RetentionDays: finished deliveries and items older than this are
	// removed by housekeeping.
	RetentionDays int `json:"retentionDays"`
	// ResendUncertain repeats notices/cards interrupted mid-call (at least
	// once) instead of leaving them to the admin (at most once).
	ResendUncertain bool `json:"resendUncertain"`
}

// Defaults explain themselves: a day is enough for a new hire to bind;
// 8 rounds with backoff up to 30 min span about 2 hours of WeLink trouble;
// 30 days of log are what an admin looks back on.
func Defaults() Config {
	return Config{BindWindowHours: 24, MaxAttempts: 8, RetentionDays: 30}
}

var configs = store.NewSingleton[Config]("relay.config")

// hourStats are the per-hour counters the dashboard reads.
type hourStats struct {
	Hour      string `json:"hour"` // "2006-01-02T15" UTC
	Received  int    `json:"received"`
	Delivered int    `json:"delivered"`
	Failed    int    `json:"failed"`
	Dead      int    `json:"dead"`
	Calls     int    `json:"calls"`
}

var stats = store.NewCollection("relay.stats", func(h *hourStats) string { return h.Hour })

// modules seen at intake, for the rule editor's source list.
type moduleSeen struct {
	Name  string    `json:"name"`
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

var modulesSeen = store.NewCollection("relay.module", func(m *moduleSeen) string { return m.Name })

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
