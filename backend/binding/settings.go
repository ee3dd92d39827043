package binding

import (
	"time"

	"cloudbridge/backend/store"
)

// Settings are a corp's binding settings. There is ONE record per corp; the
// seed shows it in three places (用户单点 → 用户绑定设置, 从WeLink同步 → 新用户关联系统账号,
// 从OA同步 → 用户绑定) and a change in one place is the change in all, so
// every screen reads and writes it through LoadSettings/SaveSettings.
type Settings struct {
	CorpID string `json:"corpId"`
	// AutoBind: the sync engines (new users from WeLink, users created from
	// the OA) and SSO (a user opening the app unbound) run Rules.
	AutoBind bool   `json:"autoBind"`
	Rules    []Rule `json:"rules"`
	// SelfService lets an unbound user bind with their OA credentials on the
	// public binding page (seed 4.2.3 method 1).
	SelfService bool      `json:"selfService"`
	UpdatedAt   time.Time `json:"updatedAt,omitzero"`
	UpdatedBy   string    `json:"updatedBy,omitempty"`
}

var settingsColl = store.NewCollection("binding.settings", func(s *Settings) string { return s.CorpID })

// DefaultRules are offered until the admin saves their own: identifiers
// that are unique in a healthy org. Never the name.
func DefaultRules() []Rule {
	return []Rule{
		{WeLinkField: WLMobile, OAField: OAMobile},
		{WeLinkField: WLEmail, OAField: OAEmail},
		{WeLinkField: WLEmployeeID, OAField: OAWorkCode},
		{WeLinkField: WLCorpUserID, OAField: OALoginID},
	}
}

// LoadSettings returns the corp's settings, or the defaults (auto-binding
// off, default rules, self-service on) when none were saved.
func LoadSettings(tx *store.Tx, corpID string) (Settings, error) {
	s, err := settingsColl.Get(tx, corpID)
	if isNotFound(err) {
		return Settings{CorpID: corpID, Rules: DefaultRules(), SelfService: true}, nil
	}
	return s, err
}

// SaveSettings validates and stores a corp's settings.
func SaveSettings(tx *store.Tx, s Settings, by string, at time.Time) (Settings, error) {
	rules, err := CleanRules(s.Rules)
	if err != nil {
		return Settings{}, err
	}
	s.Rules, s.UpdatedAt, s.UpdatedBy = rules, at, by
	return s, settingsColl.Put(tx, &s)
}
