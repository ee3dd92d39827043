// Package syncer is org sync (seed §4): WeLink → the local directory
// (云桥通讯录), and OA → local → WeLink with a stored plan that an admin
// previews and approves. Every run reads, snapshots, diffs, plans and only
// then applies; a read that failed or looks partial never deletes anything.
package syncer

import (
	"strconv"
	"time"

	"cloudbridge/backend/store"
)

// Directions of a run.
const (
	FromWeLink = "welink" // WeLink → local directory
	FromOA     = "oa"     // OA → local → WeLink
)

// Interface permission modes (seed 4.2 接口权限).
const (
	ModeReadOnly  = "readonly"
	ModeReadWrite = "readwrite"
)

// Settings are one corp's sync settings (seed 4.2). The new-user
// association switch (新用户关联系统 / 用户绑定) is not here: it is the
// shared auto-binding setting of the binding package, shown on these
// screens through its own API.
type Settings struct {
	CorpID    string         `json:"corpId"`
	AppID     string         `json:"appId"` // tenant app whose credentials the sync uses
	Mode      string         `json:"mode"`  // ModeReadOnly | ModeReadWrite
	WeLink    WeLinkSettings `json:"welink"`
	OA        OASettings     `json:"oa"`
	UpdatedAt time.Time      `json:"updatedAt"`
}

// WeLinkSettings: 从WeLink同步配置项 (seed 4.2.1).
type WeLinkSettings struct {
	Schedule Schedule `json:"schedule"`
}

// OASettings: 从OA同步配置项 (seed 4.2.2).
type OASettings struct {
	// TopDeptCode is the WeLink department the OA tree is mounted under
	// (顶级部门); "" mounts it at the WeLink root, where the OA top
	// departments must match WeLink's by name or the run stops.
	TopDeptCode     string      `json:"topDeptCode"`
	CreateUsers     bool        `json:"createUsers"`     // 新用户是否添加到welink
	IncludePartTime bool        `json:"includePartTime"` // 用户所在部门是否包含兼职部门
	FieldMap        []FieldRule `json:"fieldMap"`        // 用户字段对应关系, in match order
	Scope           Scope       `json:"scope"`
	Safety          Safety      `json:"safety"`
	Schedule        Schedule    `json:"schedule"`
}

// FieldRule pairs an OA field with a WeLink field. Match rules are tried in
// order to link unbound WeLink users; Fill rules fill users created in
// WeLink.
type FieldRule struct {
	OA     string `json:"oa"`     // OAField*
	WeLink string `json:"welink"` // WeLinkField*
	Match  bool   `json:"match"`
	Fill   bool   `json:"fill"`
}

// OA fields a rule may use.
const (
	OAFieldLoginID  = "loginId"
	OAFieldWorkCode = "workCode"
	OAFieldMobile   = "mobile"
	OAFieldEmail    = "email"
	OAFieldName     = "name"
	OAFieldJobTitle = "jobTitle"
	OAFieldPhone    = "telephone"
)

// WeLink fields a rule may use.
const (
	WLFieldMobile     = "mobile"
	WLFieldEmail      = "email"
	WLFieldEmployeeID = "employeeId"
	WLFieldCorpUserID = "corpUserId"
	WLFieldNameCn     = "nameCn"
	WLFieldPosition   = "position"
	WLFieldLandline   = "landline"
)

// Matchable WeLink fields are the ones the local directory indexes and
// WeLink keeps unique or near-unique; a name never links two people.
var matchableWL = map[string]string{WLFieldMobile: "mobile", WLFieldEmail: "email", WLFieldEmployeeID: "employeeId", WLFieldCorpUserID: "corpUserId"}

var knownOA = map[string]bool{OAFieldLoginID: true, OAFieldWorkCode: true, OAFieldMobile: true, OAFieldEmail: true, OAFieldName: true, OAFieldJobTitle: true, OAFieldPhone: true}
var knownWL = map[string]bool{WLFieldMobile: true, WLFieldEmail: true, WLFieldEmployeeID: true, WLFieldCorpUserID: true, WLFieldNameCn: true, WLFieldPosition: true, WLFieldLandline: true}

// DefaultFieldMap is what a new corp starts with: the stable personal keys
// first, then the fields copied into new WeLink users.
func DefaultFieldMap() []FieldRule {
	return []FieldRule{
		{OA: OAFieldWorkCode, WeLink: WLFieldEmployeeID, Match: true, Fill: true},
		{OA: OAFieldMobile, WeLink: WLFieldMobile, Match: true, Fill: true},
		{OA: OAFieldEmail, WeLink: WLFieldEmail, Match: true, Fill: true},
		{OA: OAFieldName, WeLink: WLFieldNameCn, Fill: true},
		{OA: OAFieldJobTitle, WeLink: WLFieldPosition, Fill: true},
	}
}

// Scope (范围设置): no departments = all of them. Users in the included
// list are synced even outside the departments; excluded users never are,
// and exclusion wins. Bound users outside the scope are deleted from WeLink
// (seed: 删除操作不可逆转), only after approval.
type Scope struct {
	Depts        []string `json:"depts"`        // OA tree ids (subcompanies/departments), with their subtrees
	UsersInclude []string `json:"usersInclude"` // OA user ids
	UsersExclude []string `json:"usersExclude"` // OA user ids
}

// Safety: 用户减少数量阈值 and the deletion quarantine.
type Safety struct {
	// The run stops when the OA user count dropped by more than this many
	// people, or by more than this percentage, since the last run. 0 = off.
	MaxDropCount   int `json:"maxDropCount"`
	MaxDropPercent int `json:"maxDropPercent"`
	// Scheduled runs apply deletions on their own only up to this many, or
	// this share of the bound users; above, the deletions wait in
	// quarantine for an admin. Manual runs always wait for approval.
	QuarantineCount   int `json:"quarantineCount"`
	QuarantinePercent int `json:"quarantinePercent"`
}

// Schedule of a direction.
type Schedule struct {
	Enabled bool   `json:"enabled"`
	Kind    string `json:"kind"`    // "interval" | "daily"
	Minutes int    `json:"minutes"` // interval: every N minutes (≥ 5)
	At      string `json:"at"`      // daily: "HH:MM" local time
}

func defaultSettings(corpID string) Settings {
	return Settings{
		CorpID: corpID,
		Mode:   ModeReadOnly, // nothing is written to WeLink until the admin says so
		WeLink: WeLinkSettings{Schedule: Schedule{Kind: "daily", At: "02:00", Minutes: 60}},
		OA: OASettings{
			FieldMap: DefaultFieldMap(),
			// Okta's import safeguard defaults to 20 %; the count guards small orgs.
			Safety:   Safety{MaxDropCount: 50, MaxDropPercent: 20, QuarantineCount: 20, QuarantinePercent: 5},
			Schedule: Schedule{Kind: "daily", At: "03:00", Minutes: 60},
		},
	}
}

var settingsColl = store.NewCollection("sync.settings", func(s *Settings) string { return s.CorpID })

// Run statuses.
const (
	StatusRunning     = "running"     // reading / planning
	StatusPlanned     = "planned"     // preview ready, waiting for approval
	StatusApplying    = "applying"    // writing to WeLink
	StatusDone        = "done"        // finished; failures, if any, are per record
	StatusQuarantined = "quarantined" // applied except deletions above the threshold
	StatusFailed      = "failed"      // stopped by an error (reason in Error)
	StatusCancelled   = "cancelled"
	StatusInterrupted = "interrupted" // the process stopped mid-run; re-run to resume
	StatusSuperseded  = "superseded"  // a newer plan replaced this preview
)

// Triggers.
const (
	TriggerManual   = "manual"
	TriggerSchedule = "schedule"
	TriggerPreview  = "preview"
	TriggerChained  = "chained" // WeLink pull run before an OA run
)

// Run is one execution of a direction, with its counts; its actions (the
// plan and the per-record results) live in the actions collection.
type Run struct {
	ID        string    `json:"id"`
	CorpID    string    `json:"corpId"`
	Direction string    `json:"direction"`
	Trigger   string    `json:"trigger"`
	Status    string    `json:"status"`
	Stage     string    `json:"stage,omitempty"`
	StartedAt time.Time `json:"startedAt"`
	PlannedAt time.Time `json:"plannedAt,omitzero"`
	EndedAt   time.Time `json:"endedAt,omitzero"`
	Counts    Counts    `json:"counts"`
	// Complete is false when the read could not prove it saw everything
	// (then no deletions are planned).
	Complete bool `json:"complete"`
	// DeletesHeld is set when deletions wait for approval (quarantine).
	DeletesHeld bool        `json:"deletesHeld,omitempty"`
	Warnings    []Reason    `json:"warnings,omitempty"`
	Error       *ErrorInfo  `json:"error,omitempty"`
	OAUsers     int         `json:"oaUsers,omitempty"` // active OA users seen (threshold baseline)
	Calls       int         `json:"calls,omitempty"`   // WeLink calls made
	Top         string      `json:"top,omitempty"`     // mount point name
	Stats       *PullCounts `json:"stats,omitempty"`   // WeLink → local
}

// ErrorInfo is a catalogue error as stored (code + params).
type ErrorInfo struct {
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
}

// PullCounts are the changes a WeLink → local run wrote.
type PullCounts struct {
	Depts        int `json:"depts"`
	Users        int `json:"users"`
	DeptsAdded   int `json:"deptsAdded"`
	DeptsChanged int `json:"deptsChanged"`
	DeptsRemoved int `json:"deptsRemoved"`
	UsersAdded   int `json:"usersAdded"`
	UsersChanged int `json:"usersChanged"`
	UsersRemoved int `json:"usersRemoved"`
	AutoBound    int `json:"autoBound"`
}

// Counts per action kind and outcome.
type Counts struct {
	Matched    int `json:"matched"`
	Create     int `json:"create"`
	Update     int `json:"update"`
	Move       int `json:"move"`
	Delete     int `json:"delete"`
	Bind       int `json:"bind"`
	Review     int `json:"review"`
	Skip       int `json:"skip"`
	Done       int `json:"done"`
	Failed     int `json:"failed"`
	Pending    int `json:"pending"`
	DeptCreate int `json:"deptCreate"`
	UserCreate int `json:"userCreate"`
}

// Action kinds.
const (
	ActMatch  = "match"  // linked, nothing to change
	ActCreate = "create" // new in WeLink (and locally)
	ActUpdate = "update" // fields or departments differ
	ActMove   = "move"   // department under another parent
	ActDelete = "delete" // leaves WeLink (irreversible for users: the account is closed)
	ActBind   = "bind"   // an existing WeLink user linked by a mapping rule
	ActReview = "review" // no safe decision: listed for an admin, never guessed
	ActSkip   = "skip"   // deliberately left alone (reason says why)
)

// Action outcomes.
const (
	ResPending = "pending"
	ResDone    = "done"
	ResFailed  = "failed"
	ResHeld    = "held" // a deletion waiting in quarantine
)

// Action is one planned change to one object, with its reason and result.
type Action struct {
	RunID  string `json:"runId"`
	Seq    int    `json:"seq"`
	Object string `json:"object"` // "dept" | "user"
	Kind   string `json:"kind"`
	// OA side (empty for WeLink-only objects being deleted).
	OAID   string `json:"oaId,omitempty"`
	OAName string `json:"oaName,omitempty"`
	// WeLink side: deptCode / userId when it exists.
	WLID   string `json:"wlId,omitempty"`
	WLName string `json:"wlName,omitempty"`
	// Tree placement for the preview: parent OA id / WeLink code, level.
	Parent  string   `json:"parent,omitempty"`
	Level   int      `json:"level,omitempty"`
	Path    string   `json:"path,omitempty"` // names from the mount point, joined by " / "
	Changes []string `json:"changes,omitempty"`
	Reason  Reason   `json:"reason"`
	Result  string   `json:"result"`
	Error   string   `json:"error,omitempty"` // WeLink code and message of a failure
	// Input is what apply sends (users: created/updated fields).
	Input *Input `json:"input,omitempty"`
}

// Reason is a translatable reason: key under sync.reason.* in the UI, with
// parameters.
type Reason struct {
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
}

func reason(code string, kv ...string) Reason {
	r := Reason{Code: code}
	if len(kv) > 1 {
		r.Params = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Params[kv[i]] = kv[i+1]
		}
	}
	return r
}

// Input is the data an action writes to WeLink.
type Input struct {
	NameCn     string   `json:"nameCn,omitempty"`
	Mobile     string   `json:"mobile,omitempty"`
	Email      string   `json:"email,omitempty"`
	EmployeeID string   `json:"employeeId,omitempty"`
	CorpUserID string   `json:"corpUserId,omitempty"`
	Position   string   `json:"position,omitempty"`
	Landline   string   `json:"landline,omitempty"`
	Sex        string   `json:"sex,omitempty"`
	Order      int      `json:"order,omitempty"`
	ParentOA   string   `json:"parentOa,omitempty"` // departments: OA id of the parent ("" = mount point)
	DeptsOA    []string `json:"deptsOa,omitempty"`  // users: OA department ids, main first
	KeepWL     []string `json:"keepWl,omitempty"`   // users: WeLink departments outside the synced tree
}

func actionID(runID string, seq int) string { return runID + "~" + pad(seq) }

func pad(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 8 {
		s = "0" + s
	}
	return s
}

var runs = store.NewCollection("sync.run", func(r *Run) string { return r.ID },
	store.Index[Run]{Name: "corp", Values: func(r *Run) []string { return []string{r.CorpID} }},
	store.Index[Run]{Name: "status", Values: func(r *Run) []string { return []string{r.Status} }},
)

var actions = store.NewCollection("sync.action", func(a *Action) string { return actionID(a.RunID, a.Seq) },
	store.Index[Action]{Name: "run", Values: func(a *Action) []string { return []string{a.RunID} }},
)

// Markers: what CloudBridge writes into corpDeptCode / corpUserId of the
// objects it creates, so that a re-run, or a run resumed after a crash,
// finds them again instead of creating duplicates.
func deptMarker(oaID string) string { return "cb-" + sanitize(oaID) }
func userMarker(oaID string) string { return "cb-" + sanitize(oaID) }

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
