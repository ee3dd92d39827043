package configio

import (
	"context"
	"encoding/base64"
	"log/slog"
	"strings"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// ConfigFile is an export or an uploaded file, as the UI moves files.
type ConfigFile struct {
	Name          string `json:"name"`
	ContentBase64 string `json:"contentBase64"`
}

// ImportResult answers an applied import: the app restarts so every area
// (schedules, the push engine, the public listener) runs on the imported
// configuration.
type ImportResult struct {
	Preview    Preview `json:"preview"`
	Restarting bool    `json:"restarting"`
}

// Service is bound to the UI (系统设置 › 备份 › 配置导出/导入).
type Service struct {
	ctx     context.Context
	db      *store.DB
	version string
	clock   core.Clock
	log     *slog.Logger
	extras  []Extra
	tlsDir  string
	restart func()
}

// NewService builds the service; an imported TLS pair goes into tlsDir;
// restart (nil in tests) restarts the app after an import.
func NewService(ctx context.Context, db *store.DB, version string, clock core.Clock, log *slog.Logger, extras []Extra, tlsDir string, restart func()) *Service {
	return &Service{ctx: ctx, db: db, version: version, clock: clock, log: log, extras: extras, tlsDir: tlsDir, restart: restart}
}

// ExportConfig returns the configuration file; with a passphrase (at least
// MinPassphrase characters) the secrets are included, encrypted.
func (s *Service) ExportConfig(passphrase string) (ConfigFile, error) {
	now := s.clock.Now()
	b, err := Export(s.db, passphrase, s.version, now, s.extras)
	if err != nil {
		return ConfigFile{}, err
	}
	kind := "no-secrets"
	if passphrase != "" {
		kind = "with-secrets"
	}
	s.log.Info("configuration exported", "secrets", passphrase != "", "bytes", len(b))
	return ConfigFile{Name: "cloudbridge-config-" + now.UTC().Format("20060102T150405Z") + "-" + kind + ".json",
		ContentBase64: base64.StdEncoding.EncodeToString(b)}, nil
}

func (s *Service) parse(f ConfigFile, passphrase string) (*Parsed, error) {
	if len(f.ContentBase64) > MaxFileSize/3*4+8 {
		return nil, core.ErrConfigTooLarge.New("max", "4 MB")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(f.ContentBase64))
	if err != nil {
		return nil, core.ErrConfigMalformed.New("reason", "the upload is not base64")
	}
	return Parse(raw, passphrase)
}

// PreviewImport checks a file completely and says, per section, what an
// import would add, change and keep. Nothing is applied.
func (s *Service) PreviewImport(f ConfigFile, passphrase string) (Preview, error) {
	p, err := s.parse(f, passphrase)
	if err != nil {
		return Preview{}, err
	}
	return Import(s.db, p, s.clock.Now(), s.extras, s.tlsDir, true)
}

// ApplyImport applies a file in one transaction (all of it or nothing),
// then restarts the app.
func (s *Service) ApplyImport(f ConfigFile, passphrase string) (ImportResult, error) {
	p, err := s.parse(f, passphrase)
	if err != nil {
		return ImportResult{}, err
	}
	pv, err := Import(s.db, p, s.clock.Now(), s.extras, s.tlsDir, false)
	if err != nil {
		s.log.Warn("configuration import refused", "err", err)
		return ImportResult{}, err
	}
	s.log.Warn("configuration imported", "exportedAt", p.File.ExportedAt, "secrets", p.Secrets != nil)
	res := ImportResult{Preview: pv}
	if s.restart != nil {
		s.restart()
		res.Restarting = true
	}
	return res, nil
}
