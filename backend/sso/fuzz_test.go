package sso

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cloudbridge/backend/core"
)

func fuzzPublic(f *testing.F) *Public {
	ctx, cancel := context.WithCancel(context.Background())
	f.Cleanup(cancel)
	_, p := New(ctx, Options{OAURLs: func() []string { return []string{"http://oa.example.com:8080/", "https://m.oa.example.com"} }})
	return p
}

func wantKinds(t *testing.T, err error, kinds ...core.Kind) {
	t.Helper()
	var ce *core.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a catalogue error: %v", err)
	}
	for _, k := range kinds {
		if core.Of(err, k) {
			return
		}
	}
	t.Fatalf("unexpected error kind %s", ce.Code)
}

// FuzzTarget: the deep-link target of /sso/<app>/<kind>?target=… never
// leads off the OA (no open redirect), refusals are ErrSSOTargetInvalid,
// and an accepted target survives Link unchanged.
func FuzzTarget(f *testing.F) {
	p := fuzzPublic(f)
	for _, s := range []string{
		"/spa/workflow/static4form/index.html#/main/workflow/req?requestid=1",
		"http://oa.example.com:8080/wui/index.html", "https://m.oa.example.com/mobile/plugin/1/view.jsp?a=b&c=%20",
		"//evil.example/x", "/\\evil.example", "https://evil.example/", "https://oa.example.com:8080@evil.example/",
		"javascript:alert(1)", "HTTP://OA.EXAMPLE.COM:8080/x", "/a\tb", " /x ", "http://oa.example.com:8080.evil/",
	} {
		f.Add(s)
	}
	oaHosts := map[string]bool{"oa.example.com:8080": true, "m.oa.example.com": true}
	f.Fuzz(func(t *testing.T, target string) {
		err := p.checkTarget(target)
		if err != nil {
			wantKinds(t, err, core.ErrSSOTargetInvalid)
			return
		}
		// Where a browser on the OA would go: relative targets resolve
		// against the OA base; every accepted target must stay on an OA host.
		base, _ := url.Parse("http://oa.example.com:8080/")
		ref, perr := url.Parse(target)
		switch {
		case perr != nil:
			t.Fatalf("accepted but unparsable: %q", target)
		default:
			if h := strings.ToLower(base.ResolveReference(ref).Host); !oaHosts[h] {
				t.Fatalf("accepted %q leads to host %q", target, h)
			}
		}
		link, perr := url.Parse(Link("https://bridge.example.com/", "app1", target, true))
		if perr != nil || link.Host != "bridge.example.com" || link.Path != "/sso/app1/mobile" {
			t.Fatalf("link for %q: %v %v", target, link, perr)
		}
		if got := link.Query().Get(TargetParam); got != strings.TrimSpace(target) {
			t.Fatalf("target round trip: %q → %q", target, got)
		}
	})
}

// FuzzTicket: a redeemed ticket must be the exact issued token, of the
// issued kind, once; anything else is ErrSSOTicketInvalid/Expired.
func FuzzTicket(f *testing.F) {
	p := fuzzPublic(f)
	f.Add("", "oa")
	f.Add(".", "oa")
	f.Add("abc.def", "qr")
	f.Add("x.y.z", "oa")
	f.Fuzz(func(t *testing.T, tok, kind string) {
		issued := p.issueTicket(&ticket{kind: "oa", appID: "a"})
		got, err := p.takeTicket(tok, kind)
		if err == nil {
			if tok != issued || kind != "oa" || got.appID != "a" {
				t.Fatalf("forged ticket %q (%s) accepted", tok, kind)
			}
		} else {
			wantKinds(t, err, core.ErrSSOTicketInvalid, core.ErrSSOTicketExpired)
		}
		_, again := p.takeTicket(issued, "oa")
		if (err == nil) != (again != nil) {
			t.Fatalf("single use broken: first %v, second %v", err, again)
		}
	})
}

// FuzzState: the flow id (OAuth2 state) and the browser cookie only name a
// flow together; anything else is ErrSSOStateInvalid.
func FuzzState(f *testing.F) {
	p := fuzzPublic(f)
	f.Add("", "")
	f.Add("abc", "0123456789012345678901234567890123456789")
	f.Add("..", "\x00")
	f.Fuzz(func(t *testing.T, id, cookie string) {
		rec := httptest.NewRecorder()
		r0 := httptest.NewRequest(http.MethodGet, "/sso/app/mobile", nil)
		real := core.NewToken() + core.NewToken() // the browser's nonce, as browserID issues (40–64 chars)
		real = real[:48]
		r0.AddCookie(&http.Cookie{Name: cookieName, Value: real})
		fl, err := p.newFlow(rec, r0, &flow{})
		if err != nil {
			t.Fatal(err)
		}
		defer p.endFlow(fl)
		r := httptest.NewRequest(http.MethodGet, "/sso/f/x", nil)
		r.Header.Set("Cookie", cookieName+"="+cookie)
		got, err := p.flowFor(r, id)
		if err != nil {
			wantKinds(t, err, core.ErrSSOStateInvalid, core.ErrSSOFlowExpired)
		} else if got != fl || id != fl.id {
			t.Fatalf("flow %q found with cookie %q", id, cookie)
		}
		// The right pair always works.
		r = httptest.NewRequest(http.MethodGet, "/sso/f/x", nil)
		r.AddCookie(&http.Cookie{Name: cookieName, Value: real})
		if got, err := p.flowFor(r, fl.id); err != nil || got != fl {
			t.Fatalf("the real state and cookie were refused: %v", err)
		}
	})
}
