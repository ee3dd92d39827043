// Package tenant manages the WeLink enterprises (corps) CloudBridge serves
// and the light apps registered under them (seed manual §1, §2).
package tenant

import (
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// Corp is a WeLink enterprise as the admin named it (seed §1: 新建Welink).
type Corp struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Deleting marks a cascading delete in progress: the corp's bulk data is
	// purged in chunks before the corp itself goes. If that is interrupted,
	// the corp stays marked and deleting it again resumes.
	Deleting  bool      `json:"deleting,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// App is a WeLink light app of a corp (seed §2.1). The secret is sealed.
type App struct {
	ID              string        `json:"id"`
	CorpID          string        `json:"corpId"`
	Name            string        `json:"name"`
	ClientID        string        `json:"clientId"`
	Secret          store.Sealed  `json:"secret"`
	SecretUpdatedAt time.Time     `json:"secretUpdatedAt"`
	Homepage        Homepage      `json:"homepage"`
	LastVerify      *VerifyResult `json:"lastVerify,omitempty"`
	LastProbe       *ProbeResult  `json:"lastProbe,omitempty"`
	CreatedAt       time.Time     `json:"createdAt"`
	UpdatedAt       time.Time     `json:"updatedAt"`
}

// Homepage is what the light app opens (seed §2.1 应用主页): an OA entry
// point from the settings, or a custom link.
type Homepage struct {
	Kind      string `json:"kind"` // "entry" | "custom"
	Entry     string `json:"entry,omitempty"`
	CustomURL string `json:"customUrl,omitempty"`
}

// VerifyResult is the outcome of fetching a token with an app's credentials.
type VerifyResult struct {
	At        time.Time   `json:"at"`
	OK        bool        `json:"ok"`
	ExpiresIn int         `json:"expiresIn,omitempty"`
	ElapsedMs int64       `json:"elapsedMs"`
	Error     *core.Error `json:"error,omitempty"`
}

var corps = store.NewCollection("corp", func(c *Corp) string { return c.ID },
	store.Index[Corp]{Name: "name", Unique: true, Values: func(c *Corp) []string { return []string{foldName(c.Name)} }},
)

var apps = store.NewCollection("app", func(a *App) string { return a.ID },
	store.Index[App]{Name: "corp", Values: func(a *App) []string { return []string{a.CorpID} }},
	// A client_id identifies one app on the WeLink platform, so it may be
	// registered once across all corps.
	store.Index[App]{Name: "clientId", Unique: true, Values: func(a *App) []string { return []string{a.ClientID} }},
)

// foldName makes "华为 " and "华为" (or "Acme" and "ACME") the same corp.
func foldName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func secretAAD(appID string) string { return "app/" + appID + "/client_secret" }

// CheckActive refuses new data for a corp that is being deleted (the
// Deleting mark of a two-phase delete) with corp.deleting: every area that
// writes per-corp data (bindings, sync runs, relay deliveries, SSO) asks
// inside its own transaction, so nothing lands after the purge has passed
// it. A corp that is not in the store passes: whether one must exist is the
// caller's own check (the domain packages' tests run without tenants).
func CheckActive(tx *store.Tx, corpID string) error {
	c, err := corps.Get(tx, corpID)
	if core.Of(err, core.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Deleting {
		return core.ErrCorpDeleting.New("name", c.Name)
	}
	return nil
}
