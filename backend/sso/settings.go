package sso

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// QRSettings is seed §5's 扫码登录 setting: on/off and the integrated apps
// whose WeLink users may scan. With several apps (several corps or WeLink
// tenants), the phone asks which one before identifying the user.
type QRSettings struct {
	Enabled   bool      `json:"enabled"`
	Apps      []QRApp   `json:"apps"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// QRApp is one app offered on the phone; CorpID is kept so a corp delete
// finds what to remove without reading the tenant package's records.
type QRApp struct {
	AppID  string `json:"appId"`
	CorpID string `json:"corpId"`
}

var qrRecord = store.NewSingleton[QRSettings]("sso.qr")

func loadQR(tx *store.Tx) (QRSettings, error) {
	s, _, err := qrRecord.Get(tx)
	if s.Apps == nil {
		s.Apps = []QRApp{}
	}
	return s, err
}

// Service is bound to the UI (业务集成 → 扫码登录 → 设置). Its exported
// methods are exactly the UI's API; the public pages are served by Public.
type Service struct {
	ctx    context.Context
	db     *store.DB
	tenant *tenant.Service
	clock  core.Clock
	log    *slog.Logger
	oaURLs func() []string
}

// QRAppOption is an app the admin can choose, with its corp's name.
type QRAppOption struct {
	AppID    string `json:"appId"`
	AppName  string `json:"appName"`
	ClientID string `json:"clientId"`
	CorpID   string `json:"corpId"`
	CorpName string `json:"corpName"`
}

// QRView is the settings page: the stored choice, the apps to choose from,
// and the snippet to paste into the OA login page.
type QRView struct {
	Enabled   bool          `json:"enabled"`
	AppIDs    []string      `json:"appIds"`
	UpdatedAt time.Time     `json:"updatedAt,omitzero"`
	Options   []QRAppOption `json:"options"`
	// HasWeLink is false while no corp with an app exists: the page shows
	// "请先添加welink" instead of the form (seed §5).
	HasWeLink bool `json:"hasWeLink"`
	// Missing lists stored apps that were deleted since (they are ignored).
	Missing []string `json:"missing"`
	// PublicBaseURL is "" until set in 系统设置; the snippet needs it.
	PublicBaseURL string  `json:"publicBaseUrl"`
	Snippet       Snippet `json:"snippet"`
	// OAOrigins may frame the QR (the OA connection's addresses); the
	// snippet only works on a login page served from one of them.
	OAOrigins []string `json:"oaOrigins"`
}

// Snippet is what the OA admin pastes into the OA login page.
type Snippet struct {
	Script   string `json:"script"`   // recommended: script + container
	IFrame   string `json:"iframe"`   // no script allowed: a plain iframe
	FrameURL string `json:"frameUrl"` // the QR page itself
}

// QRInput is the settings form.
type QRInput struct {
	Enabled bool     `json:"enabled"`
	AppIDs  []string `json:"appIds"`
}

// QRSettings returns the 扫码登录 settings page.
func (s *Service) QRSettings() (QRView, error) {
	var v QRView
	err := s.db.View(func(tx *store.Tx) error {
		var err error
		v, err = s.view(tx)
		return err
	})
	return v, err
}

func (s *Service) options() ([]QRAppOption, error) {
	out := []QRAppOption{}
	corps, err := s.tenant.ListCorps()
	if err != nil {
		return nil, err
	}
	for _, c := range corps {
		apps, err := s.tenant.ListApps(c.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			out = append(out, QRAppOption{AppID: a.ID, AppName: a.Name, ClientID: a.ClientID, CorpID: c.ID, CorpName: c.Name})
		}
	}
	return out, nil
}

func (s *Service) view(tx *store.Tx) (QRView, error) {
	q, err := loadQR(tx)
	if err != nil {
		return QRView{}, err
	}
	st, err := settings.Load(tx)
	if err != nil {
		return QRView{}, err
	}
	opts, err := s.options()
	if err != nil {
		return QRView{}, err
	}
	known := map[string]bool{}
	for _, o := range opts {
		known[o.AppID] = true
	}
	v := QRView{Enabled: q.Enabled, AppIDs: []string{}, UpdatedAt: q.UpdatedAt, Options: opts, HasWeLink: len(opts) > 0,
		Missing: []string{}, PublicBaseURL: st.PublicBaseURL, Snippet: snippet(st.PublicBaseURL), OAOrigins: []string{}}
	if s.oaURLs != nil {
		for _, u := range s.oaURLs() {
			if o := origin(u); o != "" {
				v.OAOrigins = append(v.OAOrigins, o)
			}
		}
	}
	for _, a := range q.Apps {
		if known[a.AppID] {
			v.AppIDs = append(v.AppIDs, a.AppID)
		} else {
			v.Missing = append(v.Missing, a.AppID)
		}
	}
	return v, nil
}

// SaveQRSettings stores the 扫码登录 settings. Turning it on needs at least
// one integrated app; with no corp or app at all the answer is
// sso.qr_no_welink ("请先添加welink").
func (s *Service) SaveQRSettings(in QRInput) (QRView, error) {
	opts, err := s.options()
	if err != nil {
		return QRView{}, err
	}
	if len(opts) == 0 {
		return QRView{}, core.ErrSSOQRNoWeLink.New()
	}
	byID := map[string]QRAppOption{}
	for _, o := range opts {
		byID[o.AppID] = o
	}
	q := QRSettings{Enabled: in.Enabled, Apps: []QRApp{}, UpdatedAt: s.clock.Now().UTC()}
	seen := map[string]bool{}
	for _, id := range in.AppIDs {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		o, ok := byID[id]
		if !ok {
			return QRView{}, core.ErrAppNotFound.New()
		}
		seen[id] = true
		q.Apps = append(q.Apps, QRApp{AppID: id, CorpID: o.CorpID})
	}
	if q.Enabled && len(q.Apps) == 0 {
		return QRView{}, core.ErrSSOQRAppRequired.New()
	}
	if err := s.db.Update(func(tx *store.Tx) error { return qrRecord.Put(tx, &q) }); err != nil {
		return QRView{}, err
	}
	s.log.Info("qr login settings saved", "enabled", q.Enabled, "apps", len(q.Apps))
	return s.QRSettings()
}

// Dependent is the QR login's per-corp data for tenant.Dependents (a
// separate type: the bound Service must expose only the UI's API).
func Dependent() tenant.Dependent { return dependent{} }

type dependent struct{}

// CorpUses: the QR login offers apps of the corp.
func (dependent) CorpUses(tx *store.Tx, corpID string) ([]tenant.Use, error) {
	q, err := loadQR(tx)
	if err != nil {
		return nil, err
	}
	var uses []tenant.Use
	for _, a := range q.Apps {
		if a.CorpID == corpID {
			uses = append(uses, tenant.Use{Kind: "qr_login", ID: a.AppID, Name: "扫码登录"})
		}
	}
	return uses, nil
}

// DeleteCorpData drops the corp's apps from the QR login; with none left
// it turns off.
func (dependent) DeleteCorpData(tx *store.Tx, corpID string) error {
	q, err := loadQR(tx)
	if err != nil {
		return err
	}
	keep := []QRApp{}
	for _, a := range q.Apps {
		if a.CorpID != corpID {
			keep = append(keep, a)
		}
	}
	if len(keep) == len(q.Apps) {
		return nil
	}
	q.Apps = keep
	if len(keep) == 0 {
		q.Enabled = false
	}
	return qrRecord.Put(tx, &q)
}
