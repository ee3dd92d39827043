package sso

import (
	"net/url"
	"testing"
)

func TestLink(t *testing.T) {
	for _, tc := range []struct {
		base, app, target string
		mobile            bool
		want              string
	}{
		{"https://cb.example.com/", "app1", "", true, "https://cb.example.com/sso/app1/mobile"},
		{"https://cb.example.com", "app1", "  ", false, "https://cb.example.com/sso/app1/pc"},
		{"https://cb.example.com", "a b", "/wui/index.html#/main", false,
			"https://cb.example.com/sso/a%20b/pc?target=%2Fwui%2Findex.html%23%2Fmain"},
	} {
		if got := Link(tc.base, tc.app, tc.target, tc.mobile); got != tc.want {
			t.Errorf("Link(%q,%q,%q,%v) = %s, want %s", tc.base, tc.app, tc.target, tc.mobile, got, tc.want)
		}
	}
	// The target survives the round trip through a URL parser untouched.
	target := "/spa/workflow/static4form/index.html?a=1&b=2#/main/workflow/req?requestid=42"
	u, err := url.Parse(Link("http://h", "x", target, true))
	if err != nil || u.Query().Get(TargetParam) != target || u.Fragment != "" {
		t.Fatalf("round trip: %v %q %q", err, u.Query().Get(TargetParam), u.Fragment)
	}
}
