package binding

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/store"
)

func TestSelfBindChecksThePasswordAndBinds(t *testing.T) {
	db := openDB(t)
	conn, _ := newOA(t)
	clock := core.NewFakeClock(t0)
	ctx := context.Background()

	b, err := SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: "zs@welink", LoginID: "zhangsan", Password: oasim.DemoPassword, SourceIP: "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if b.OALoginID != "zhangsan" || b.Method != MethodSelfService || b.By != "zs@welink" || !b.At.Equal(t0) || b.OAUserID == "" {
		t.Fatalf("binding = %+v", b)
	}
	// Same account again: idempotent. Another account: refused.
	if _, err := SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: "zs@welink", LoginID: "zhangsan", Password: oasim.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	_, err = SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: "zs@welink", LoginID: "lisi", Password: oasim.DemoPassword})
	wantKind(t, err, core.ErrBindingWeLinkUserBound)
	// The OA account is taken for another WeLink user of the same corp, but free in another corp.
	_, err = SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: "other@welink", LoginID: "zhangsan", Password: oasim.DemoPassword})
	wantKind(t, err, core.ErrBindingOAUserTakenSelf)
	if _, err := SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c2", WeLinkUserID: "other@welink", LoginID: "zhangsan", Password: oasim.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	// A leaver is refused by the OA check.
	_, err = SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: "sq@welink", LoginID: "sunqi", Password: oasim.DemoPassword})
	if err == nil {
		t.Fatal("leaver bound")
	}
	a := auditOf(t, db, "c1")
	if len(a) != 1 || a[0].IP != "10.0.0.1" || a[0].Method != MethodSelfService || a[0].Detail != "checkLogin" {
		t.Fatalf("audit = %+v", a)
	}
	_, err = SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: "x", LoginID: " ", Password: "p"})
	wantKind(t, err, core.ErrRequired)
}

func TestSelfBindLocksOutUserAndIP(t *testing.T) {
	db := openDB(t)
	conn, _ := newOA(t)
	clock := core.NewFakeClock(t0)
	ctx := context.Background()
	wrong := func(user, ip string) error {
		_, err := SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: user, LoginID: "ghost-" + user, Password: "nope", SourceIP: ip})
		return err
	}
	for i := 0; i < UserMaxFailures; i++ {
		wantKind(t, wrong("u1", "10.0.0.1"), core.ErrOABadCredentials)
		clock.Advance(time.Second)
	}
	// Locked: even the right password is not tried against the OA.
	_, err := SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: "u1", LoginID: "zhaoliu", Password: oasim.DemoPassword, SourceIP: "10.0.0.9"})
	wantKind(t, err, core.ErrBindingSelfLocked)
	if e := core.AsError(err); e.Params["seconds"] != "899" {
		t.Fatalf("seconds = %v", e.Params)
	}
	st, err := SelfBindStatus(db, clock, "c1", "u1", "")
	if err != nil || st.LockedSeconds != 899 || !st.Enabled || st.Bound {
		t.Fatalf("status = %+v, %v", st, err)
	}
	clock.Advance(LockDuration)
	if _, err := SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: "u1", LoginID: "zhaoliu", Password: oasim.DemoPassword, SourceIP: "10.0.0.9"}); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}

	// Per IP: many users from one address. Failures spread over time
	// beyond the window do not add up.
	clock.Advance(time.Hour)
	for i := 0; i < IPMaxFailures-1; i++ {
		wantKind(t, wrong("ip-user-"+string(rune('a'+i)), "10.0.0.2"), core.ErrOABadCredentials)
	}
	clock.Advance(FailureWindow)
	wantKind(t, wrong("ip-user-z", "10.0.0.2"), core.ErrOABadCredentials)
	wantKind(t, wrong("ip-user-y", "10.0.0.2"), core.ErrOABadCredentials)
	for i := 0; i < IPMaxFailures-2; i++ {
		wantKind(t, wrong("ip2-user-"+string(rune('a'+i)), "10.0.0.2"), core.ErrOABadCredentials)
	}
	wantKind(t, wrong("fresh", "10.0.0.2"), core.ErrBindingSelfLocked)
	wantKind(t, wrong("fresh", "10.0.0.3"), core.ErrOABadCredentials) // other IPs are fine

	// Housekeeping keeps what can still lock and drops the rest.
	// (the first wave of per-user counters is a whole window old: gone)
	if _, err := PruneAttempts(db, clock); err != nil {
		t.Fatal(err)
	}
	wantKind(t, wrong("fresh2", "10.0.0.2"), core.ErrBindingSelfLocked)
	clock.Advance(LockDuration + FailureWindow)
	n, err := PruneAttempts(db, clock)
	if err != nil || n == 0 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	if st, _ := SelfBindStatus(db, clock, "c1", "fresh", "10.0.0.2"); st.LockedSeconds != 0 {
		t.Fatalf("still locked: %+v", st)
	}
}

func TestSelfBindDisabledAndOAuth2(t *testing.T) {
	db := openDB(t)
	conn, _ := newOA(t)
	clock := core.NewFakeClock(t0)
	ctx := context.Background()
	mustUpdate(t, db, func(tx *store.Tx) error {
		s, _ := LoadSettings(tx, "c1")
		s.SelfService = false
		_, err := SaveSettings(tx, s, "admin", t0)
		return err
	})
	_, err := SelfBind(ctx, db, clock, conn, SelfBindRequest{CorpID: "c1", WeLinkUserID: "u", LoginID: "zhangsan", Password: oasim.DemoPassword})
	wantKind(t, err, core.ErrBindingSelfDisabled)

	// OAuth2: walk the emulator's login page like a browser would.
	idp, ok := conn.(oa.IdentityProvider)
	if !ok {
		t.Fatal("the e-cology 9 connector is an IdentityProvider")
	}
	redirect := "http://bridge.example/bind/callback"
	authURL, err := idp.AuthorizeURL("st", redirect)
	if err != nil {
		t.Fatal(err)
	}
	code := oauth2Code(t, authURL, redirect, "lisi", oasim.DemoPassword)
	b, err := SelfBindOAuth2(ctx, db, clock, idp, SelfBindOAuth2Request{CorpID: "c2", WeLinkUserID: "ls@welink", Code: code, RedirectURI: redirect, SourceIP: "10.1.1.1"})
	if err != nil {
		t.Fatal(err)
	}
	if b.OALoginID != "lisi" || b.Detail != "oauth2" {
		t.Fatalf("binding = %+v", b)
	}
	// Not configured for this corp, but a locked user stays locked on OAuth2 too.
	_, err = SelfBindOAuth2(ctx, db, clock, idp, SelfBindOAuth2Request{CorpID: "c1", WeLinkUserID: "u", Code: "x"})
	wantKind(t, err, core.ErrBindingSelfDisabled)
}

// oauth2Code plays the browser at the OA's OAuth2 login form.
func oauth2Code(t *testing.T, authURL, redirect, login, password string) string {
	t.Helper()
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("loginid", login)
	form.Set("userpassword", password)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(u.Scheme+"://"+u.Host+u.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("authorize answered %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}
