package settings

import (
	"testing"

	"cloudbridge/backend/core"
)

func TestValidate(t *testing.T) {
	ok := Defaults()
	if err := ok.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	cases := []struct {
		name string
		edit func(*Settings)
		want core.Kind
	}{
		{"listen without port", func(s *Settings) { s.PublicListen = "0.0.0.0" }, core.ErrSettingsAddr},
		{"port out of range", func(s *Settings) { s.PublicListen = ":70000" }, core.ErrSettingsAddr},
		{"public url without scheme", func(s *Settings) { s.PublicBaseURL = "bridge.example.com" }, core.ErrSettingsURL},
		{"welink url ftp", func(s *Settings) { s.WeLinkBaseURL = "ftp://x" }, core.ErrSettingsURL},
		{"cert without key", func(s *Settings) { s.TLSCertFile = "/c.pem" }, core.ErrSettingsTLSFiles},
		{"entry key twice", func(s *Settings) { s.OAEntries = append(s.OAEntries, s.OAEntries[0]) }, core.ErrSettingsEntryDup},
		{"entry without name", func(s *Settings) { s.OAEntries[0].Name = "" }, core.ErrRequired},
		{"entry relative url", func(s *Settings) { s.OAEntries[0].URL = "wui/index.html" }, core.ErrSettingsURL},
	}
	for _, c := range cases {
		s := Defaults()
		s.OAEntries = append([]OAEntry{}, s.OAEntries...)
		c.edit(&s)
		if err := s.Validate(); !core.Of(err, c.want) {
			t.Errorf("%s: got %v, want %s", c.name, err, c.want.Code)
		}
	}
}

func TestNormalizeTrimsPastedValues(t *testing.T) {
	s := Settings{PublicBaseURL: " https://bridge.example.com/ ", WeLinkBaseURL: "https://open.welink.huaweicloud.com/api/", OAEntries: []OAEntry{{Key: " home ", Name: " 首页", URL: " /wui/index.html "}}}
	s.Normalize()
	if s.PublicBaseURL != "https://bridge.example.com" || s.WeLinkBaseURL != DefaultWeLinkBaseURL || s.OAEntries[0] != (OAEntry{"home", "首页", "/wui/index.html"}) {
		t.Fatalf("normalized = %+v", s)
	}
}
