package oaconfig

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
)

// Service is the OA connection screen's API, bound to the UI.
type Service struct {
	ctx     context.Context
	db      *store.DB
	src     *Source
	dataDir string
	clock   core.Clock
	log     *slog.Logger
}

func NewService(ctx context.Context, db *store.DB, src *Source, dataDir string, clock core.Clock, log *slog.Logger) *Service {
	return &Service{ctx: ctx, db: db, src: src, dataDir: dataDir, clock: clock, log: log.With("service", "oaconfig")}
}

// View is the OA config as the UI sees it: secrets only as "set" flags.
type View struct {
	Configured bool         `json:"configured"`
	Demo       bool         `json:"demo"`
	Config     oa.Config    `json:"config"`
	Secrets    SecretFlags  `json:"secrets"`
	LastTest   *TestResult  `json:"lastTest,omitempty"`
	Snapshot   SnapshotInfo `json:"snapshot"`
	UpdatedAt  time.Time    `json:"updatedAt"`
}

// SecretFlags say which secrets are stored.
type SecretFlags struct {
	TokenKey           bool `json:"tokenKey"`
	AppSecret          bool `json:"appSecret"`
	OAuth2ClientSecret bool `json:"oauth2ClientSecret"`
}

// SnapshotInfo counts the local OA snapshot.
type SnapshotInfo struct {
	Users       int        `json:"users"`
	Departments int        `json:"departments"`
	RefreshedAt *time.Time `json:"refreshedAt,omitempty"`
}

var refreshedAt = store.NewSingleton[time.Time]("oa.snapshotAt")

func blankSecrets(c oa.Config) oa.Config {
	c.Auth.TokenKey, c.Auth.AppSecret, c.OAuth2.ClientSecret = "", "", ""
	return c
}

func (s *Service) GetOA() (View, error) {
	var v View
	err := s.db.View(func(tx *store.Tx) error {
		st, ok, err := record.Get(tx)
		if err != nil {
			return err
		}
		v = View{Configured: ok, Config: blankSecrets(st.Config), LastTest: st.LastTest, UpdatedAt: st.UpdatedAt,
			Secrets: SecretFlags{st.TokenKey.IsSet(), st.AppSecret.IsSet(), st.OAuth2Secret.IsSet()}}
		if s.src.demo != nil {
			v.Configured, v.Demo = true, true
			v.Config = blankSecrets(*s.src.demo)
			v.Secrets = SecretFlags{s.src.demo.Auth.TokenKey != "", s.src.demo.Auth.AppSecret != "", s.src.demo.OAuth2.ClientSecret != ""}
		}
		v.Snapshot, err = snapshotInfo(tx)
		return err
	})
	return v, err
}

func snapshotInfo(tx *store.Tx) (SnapshotInfo, error) {
	var si SnapshotInfo
	if err := directory.OAUsers.Each(tx, func(oa.User) error { si.Users++; return nil }); err != nil {
		return si, err
	}
	if err := directory.OADepts.Each(tx, func(oa.Department) error { si.Departments++; return nil }); err != nil {
		return si, err
	}
	if t, ok, err := refreshedAt.Get(tx); err != nil {
		return si, err
	} else if ok {
		si.RefreshedAt = &t
	}
	return si, nil
}

// SaveOA validates and stores the OA config. Empty secrets keep the stored
// ones (the UI never receives them).
func (s *Service) SaveOA(in oa.Config) (View, error) {
	if s.src.demo != nil {
		return View{}, core.ErrOADemoReadonly.New()
	}
	in.BaseURL = strings.TrimRight(strings.TrimSpace(in.BaseURL), "/")
	in.MobileBaseURL = strings.TrimRight(strings.TrimSpace(in.MobileBaseURL), "/")
	if err := validate(in); err != nil {
		return View{}, err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		st, _, err := record.Get(tx)
		if err != nil {
			return err
		}
		for _, f := range []struct {
			dst   *store.Sealed
			plain string
			aad   string
		}{{&st.TokenKey, in.Auth.TokenKey, aadTokenKey}, {&st.AppSecret, in.Auth.AppSecret, aadAppSecret}, {&st.OAuth2Secret, in.OAuth2.ClientSecret, aadOAuth2}} {
			if f.plain = strings.TrimSpace(f.plain); f.plain != "" {
				if *f.dst, err = s.db.Seal(f.aad, f.plain); err != nil {
					return err
				}
			}
		}
		if in.Kind != st.Config.Kind || in.BaseURL != st.Config.BaseURL {
			st.LastTest = nil // it was about another OA
		}
		st.Config, st.UpdatedAt = blankSecrets(in), s.clock.Now().UTC()
		return record.Put(tx, &st)
	})
	if err != nil {
		return View{}, err
	}
	s.log.Info("OA connection saved", "kind", in.Kind, "baseUrl", in.BaseURL, "auth", in.Auth.Mode)
	return s.GetOA()
}

func validate(c oa.Config) error {
	switch c.Kind {
	case oa.KindEcology9, oa.KindE10:
		if !settings.IsHTTPURL(c.BaseURL) {
			return core.ErrSettingsURL.New("field", "baseUrl")
		}
		if c.MobileBaseURL != "" && !settings.IsHTTPURL(c.MobileBaseURL) {
			return core.ErrSettingsURL.New("field", "mobileBaseUrl")
		}
	case oa.KindFile:
		if strings.TrimSpace(c.File.Path) == "" {
			return core.ErrRequired.New("field", "file.path")
		}
	default:
		return core.ErrOAKindUnknown.New("kind", c.Kind)
	}
	if c.Kind == oa.KindEcology9 {
		switch c.Auth.Mode {
		case oa.AuthNone, oa.AuthKey, oa.AuthECDev:
		default:
			return core.ErrOAConfig.New("field", "auth.mode", "reason", c.Auth.Mode)
		}
	}
	if c.PageSize < 0 || c.PageSize > 1000 {
		return core.ErrOAConfig.New("field", "pageSize", "reason", "1..1000")
	}
	return nil
}

// TestOA pulls one page of each list and remembers the outcome.
func (s *Service) TestOA() (TestResult, error) {
	res := TestResult{At: s.clock.Now().UTC()}
	conn, err := s.src.Connector(s.ctx)
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithTimeout(s.ctx, 60*time.Second)
	defer cancel()
	rep, err := conn.Test(ctx)
	if err != nil {
		res.Error = core.AsError(err)
	} else {
		res.Report = &rep
	}
	if s.src.demo == nil {
		err = s.db.Update(func(tx *store.Tx) error {
			st, ok, err := record.Get(tx)
			if err != nil || !ok {
				return err
			}
			st.LastTest = &res
			return record.Put(tx, &st)
		})
	} else {
		err = nil
	}
	s.log.Info("OA connection tested", "ok", res.Report != nil && res.Report.OK, "error", errCode(res.Error))
	return res, err
}

func errCode(e *core.Error) string {
	if e == nil {
		return ""
	}
	return e.Code
}

// RefreshSnapshot pulls the OA org into the local snapshot now.
func (s *Service) RefreshSnapshot() (SnapshotCounts, error) {
	conn, err := s.src.Connector(s.ctx)
	if err != nil {
		return SnapshotCounts{}, err
	}
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Minute)
	defer cancel()
	c, err := RefreshSnapshot(ctx, s.db, conn)
	if err != nil {
		return c, err
	}
	now := s.clock.Now().UTC()
	err = s.db.Update(func(tx *store.Tx) error { return refreshedAt.Put(tx, &now) })
	s.log.Info("OA snapshot refreshed", "users", c.Users, "departments", c.Departments, "removed", c.Removed)
	return c, err
}

// File is a file crossing the UI boundary (downloads and uploads).
type File struct {
	Name          string `json:"name"`
	ContentBase64 string `json:"contentBase64"`
}

// OrgTemplate is the Excel template of the file connector.
func (s *Service) OrgTemplate() (File, error) {
	var b bytes.Buffer
	if err := oa.WriteTemplate(&b); err != nil {
		return File{}, err
	}
	return File{Name: "cloudbridge-org-template.xlsx", ContentBase64: base64.StdEncoding.EncodeToString(b.Bytes())}, nil
}

// maxUpload bounds an uploaded org file (100k users fit in ~15 MB of xlsx).
const maxUpload = 64 << 20

// FileCheck is the row-level validation of org files, before upload.
type FileCheck struct {
	OK          bool           `json:"ok"`
	Users       int            `json:"users"`
	Departments int            `json:"departments"`
	Report      *oa.FileReport `json:"report,omitempty"`
}

// CheckOrgFiles validates org files (one workbook, or CSVs for the
// subcompany, department and user sheets) without storing anything: the UI
// shows the problems (file, sheet, row, column, translated reason) and
// uploads only files without errors.
func (s *Service) CheckOrgFiles(files []File) (FileCheck, error) {
	named, err := decodeUploads(files)
	if err != nil {
		return FileCheck{}, err
	}
	org, rep, err := oa.ImportOrgFiles(named, oa.PullOptions{})
	var bad *oa.FileReport
	if errors.As(err, &bad) {
		return FileCheck{Report: bad}, nil
	}
	if err != nil {
		return FileCheck{}, err
	}
	return FileCheck{OK: true, Users: len(org.Users), Departments: len(org.Departments), Report: rep}, nil
}

func decodeUploads(files []File) ([]oa.NamedFile, error) {
	if len(files) == 0 || len(files) > 3 {
		return nil, core.ErrOAFileUpload.New("reason", "1 to 3 files")
	}
	var out []oa.NamedFile
	total := 0
	for _, f := range files {
		name := filepath.Base(strings.TrimSpace(f.Name))
		ext := strings.ToLower(filepath.Ext(name))
		if ext != ".xlsx" && ext != ".csv" {
			return nil, core.ErrOAFileUpload.New("reason", "only .xlsx and .csv")
		}
		raw, err := base64.StdEncoding.DecodeString(f.ContentBase64)
		if err != nil {
			return nil, core.ErrOAFileUpload.New("reason", "bad base64")
		}
		if total += len(raw); total > maxUpload {
			return nil, core.ErrBodyTooLarge.New("max", "64 MiB")
		}
		out = append(out, oa.NamedFile{Name: name, Data: raw})
	}
	return out, nil
}

// UploadOrgFiles stores org files in a new folder of the data directory and
// points the file connector at it, after validating every row; invalid
// files change nothing and the error carries the row-level report.
func (s *Service) UploadOrgFiles(files []File) (View, error) {
	if s.src.demo != nil {
		return View{}, core.ErrOADemoReadonly.New()
	}
	named, err := decodeUploads(files)
	if err != nil {
		return View{}, err
	}
	if _, _, err := oa.ImportOrgFiles(named, oa.PullOptions{}); err != nil {
		return View{}, err
	}
	root := filepath.Join(s.dataDir, "oa-files")
	dir := filepath.Join(root, "set-"+core.NewID())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return View{}, core.ErrOAFileUpload.Wrap(err, "reason", err.Error())
	}
	for _, f := range named {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o600); err != nil {
			os.RemoveAll(dir)
			return View{}, core.ErrOAFileUpload.Wrap(err, "reason", err.Error())
		}
	}
	cur, _, err := s.src.Config()
	if err != nil {
		return View{}, err
	}
	old := cur.File.Path
	cur.Kind, cur.File.Path = oa.KindFile, dir
	v, err := s.SaveOA(cur)
	if err != nil {
		os.RemoveAll(dir)
		return View{}, err
	}
	// The previous upload is no longer referenced.
	if strings.HasPrefix(old, root+string(filepath.Separator)) {
		os.RemoveAll(old)
	}
	return v, nil
}
