// Package settings holds the installation-wide settings: where the public
// listener runs and how WeLink users reach it, the WeLink API base, and the
// OA entry points that light-app homepages may open.
package settings

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// Settings as stored. Defaults() documents why each default was chosen.
type Settings struct {
	PublicListen  string    `json:"publicListen"`
	PublicBaseURL string    `json:"publicBaseUrl"`
	TLSCertFile   string    `json:"tlsCertFile"`
	TLSKeyFile    string    `json:"tlsKeyFile"`
	WeLinkBaseURL string    `json:"welinkBaseUrl"`
	OAEntries     []OAEntry `json:"oaEntries"`
}

// OAEntry is an OA page a light app can open as its homepage. URL is a path
// on the OA (joined to the OA base URL at hand-off) or an absolute URL.
type OAEntry struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// DefaultWeLinkBaseURL is the public WeLink Open Platform API root.
const DefaultWeLinkBaseURL = "https://open.welink.huaweicloud.com/api"

// Defaults are what a fresh installation starts with.
func Defaults() Settings {
	return Settings{
		// All interfaces, because WeLink users reach this listener through
		// the company's port mapping or reverse proxy; 8899 is unprivileged
		// and rarely taken.
		PublicListen: "0.0.0.0:8899",
		// Empty until the admin enters the externally mapped address: a
		// guessed URL pasted into the WeLink console would silently fail.
		PublicBaseURL: "",
		WeLinkBaseURL: DefaultWeLinkBaseURL,
		// e-cology 9 pages (reference/oa-ecology.md §5). Whether the mobile
		// client is better served by /spa/…/static4mobile pages is not
		// verified, so one URL serves both and the admin can edit it.
		OAEntries: []OAEntry{
			{Key: "home", Name: "OA 首页", URL: "/wui/index.html#/main"},
			{Key: "todo", Name: "待办事宜", URL: "/wui/index.html#/main/workflow/listDoing"},
			{Key: "done", Name: "已办事宜", URL: "/wui/index.html#/main/workflow/listDone"},
		},
	}
}

var record = store.NewSingleton[Settings]("settings")

// Memo keeps the settings decoded for hot paths until they are saved.
func Memo(db *store.DB) *store.Memo[Settings] { return store.NewMemo(db, Load, record) }

// Source is the stored record, for memos that read the settings.
func Source() store.Source { return record }

// Load returns the stored settings, or the defaults before the first save.
func Load(tx *store.Tx) (Settings, error) {
	s, ok, err := record.Get(tx)
	if err != nil || !ok {
		return Defaults(), err
	}
	return s, nil
}

// Save validates and stores the settings.
func Save(tx *store.Tx, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return record.Put(tx, &s)
}

// Normalize trims what people paste (spaces, trailing slashes).
func (s *Settings) Normalize() {
	s.PublicListen = strings.TrimSpace(s.PublicListen)
	s.PublicBaseURL = strings.TrimRight(strings.TrimSpace(s.PublicBaseURL), "/")
	s.WeLinkBaseURL = strings.TrimRight(strings.TrimSpace(s.WeLinkBaseURL), "/")
	s.TLSCertFile = strings.TrimSpace(s.TLSCertFile)
	s.TLSKeyFile = strings.TrimSpace(s.TLSKeyFile)
	for i := range s.OAEntries {
		e := &s.OAEntries[i]
		e.Key, e.Name, e.URL = strings.TrimSpace(e.Key), strings.TrimSpace(e.Name), strings.TrimSpace(e.URL)
	}
}

// Validate checks every field and returns the first problem, translated.
func (s Settings) Validate() error {
	if err := ValidateListen(s.PublicListen); err != nil {
		return err
	}
	if s.PublicBaseURL != "" && !IsHTTPURL(s.PublicBaseURL) {
		return core.ErrSettingsURL.New("field", "publicBaseUrl")
	}
	if !IsHTTPURL(s.WeLinkBaseURL) {
		return core.ErrSettingsURL.New("field", "welinkBaseUrl")
	}
	if (s.TLSCertFile == "") != (s.TLSKeyFile == "") {
		return core.ErrSettingsTLSFiles.New("reason", "cert and key must be given together")
	}
	seen := map[string]bool{}
	for _, e := range s.OAEntries {
		switch {
		case e.Key == "":
			return core.ErrRequired.New("field", "oaEntries.key")
		case e.Name == "":
			return core.ErrRequired.New("field", "oaEntries.name")
		case e.URL == "" || !(strings.HasPrefix(e.URL, "/") || IsHTTPURL(e.URL)):
			return core.ErrSettingsURL.New("field", "oaEntries.url")
		case seen[e.Key]:
			return core.ErrSettingsEntryDup.New("key", e.Key)
		}
		seen[e.Key] = true
	}
	return nil
}

// Entry finds an OA entry point by key.
func (s Settings) Entry(key string) (OAEntry, bool) {
	for _, e := range s.OAEntries {
		if e.Key == key {
			return e, true
		}
	}
	return OAEntry{}, false
}

// ValidateListen accepts host:port with a port in 1..65535.
func ValidateListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return core.ErrSettingsAddr.New("addr", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return core.ErrSettingsAddr.New("addr", addr)
	}
	if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /") {
		return core.ErrSettingsAddr.New("addr", addr)
	}
	return nil
}

// IsHTTPURL reports whether s is an absolute http(s) URL with a host.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\n")
}
