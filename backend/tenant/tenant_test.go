package tenant

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
)

type fixture struct {
	svc *Service
	db  *store.DB
	sim *sim.Server
}

func setup(t *testing.T) *fixture {
	t.Helper()
	key := make([]byte, 32)
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	emu := sim.Demo()
	hs := httptest.NewServer(emu)
	t.Cleanup(hs.Close)
	client := welink.New(welink.Options{BaseURL: hs.URL + "/api"})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := New(context.Background(), db, func() *welink.Client { return client }, nil, core.SystemClock{}, log)
	return &fixture{svc: svc, db: db, sim: emu}
}

func wantCode(t *testing.T, err error, k core.Kind) {
	t.Helper()
	if !core.Of(err, k) {
		t.Fatalf("got %v, want %s", err, k.Code)
	}
}

func TestCorpNamesAreRequiredAndUnique(t *testing.T) {
	f := setup(t)
	_, err := f.svc.CreateCorp("   ")
	wantCode(t, err, core.ErrRequired)
	_, err = f.svc.CreateCorp(strings.Repeat("长", 65))
	wantCode(t, err, core.ErrTooLong)
	_, err = f.svc.CreateCorp("bad\x07name")
	wantCode(t, err, core.ErrInvalidInput)

	a, err := f.svc.CreateCorp(" Acme  Group ")
	if err != nil || a.Name != "Acme  Group" {
		t.Fatalf("create: %+v %v", a, err)
	}
	_, err = f.svc.CreateCorp("acme group") // same name up to case and spaces
	wantCode(t, err, core.ErrCorpNameDuplicate)
	b, err := f.svc.CreateCorp("华为技术")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.RenameCorp(b.ID, "ACME GROUP")
	wantCode(t, err, core.ErrCorpNameDuplicate)
	if r, err := f.svc.RenameCorp(b.ID, "华为云"); err != nil || r.Name != "华为云" {
		t.Fatalf("rename: %+v %v", r, err)
	}
	_, err = f.svc.RenameCorp("nope", "x")
	wantCode(t, err, core.ErrCorpNotFound)
	list, _ := f.svc.ListCorps()
	if len(list) != 2 || list[0].Name != "Acme  Group" || list[1].Name != "华为云" {
		t.Fatalf("list = %+v", list)
	}
}

func TestAppsKeepSecretsWriteOnly(t *testing.T) {
	f := setup(t)
	c, _ := f.svc.CreateCorp("演示企业")
	_, err := f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "OA", ClientID: sim.DemoClientID})
	wantCode(t, err, core.ErrRequired) // a new app needs its secret
	app, err := f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "OA", ClientID: sim.DemoClientID, ClientSecret: sim.DemoClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	if app.Homepage != (Homepage{Kind: "entry", Entry: "home"}) || !app.SecretSet {
		t.Fatalf("defaults: %+v", app)
	}
	for _, v := range []any{app, mustList(t, f, c.ID)} {
		b, _ := json.Marshal(v)
		if strings.Contains(string(b), sim.DemoClientSecret) || strings.Contains(string(b), `"secret"`) {
			t.Fatalf("secret leaked to the UI: %s", b)
		}
	}
	// At rest the secret is sealed, and it opens only for its own app.
	f.db.View(func(tx *store.Tx) error {
		raw, _ := apps.Get(tx, app.ID)
		if strings.Contains(string(raw.Secret), sim.DemoClientSecret) {
			t.Error("secret stored in clear")
		}
		cr, err := Credentials(f.db, tx, app.ID)
		if err != nil || cr.ClientSecret != sim.DemoClientSecret {
			t.Errorf("credentials = %+v, %v", cr, err)
		}
		return nil
	})
	// Editing without a secret keeps the stored one.
	edited, err := f.svc.SaveApp(AppInput{ID: app.ID, CorpID: c.ID, Name: "OA 门户", ClientID: sim.DemoClientID, Homepage: Homepage{Kind: "custom", CustomURL: "https://oa.example.com/portal"}})
	if err != nil || edited.Name != "OA 门户" || edited.Homepage.CustomURL != "https://oa.example.com/portal" {
		t.Fatalf("edit: %+v %v", edited, err)
	}
	if r, _ := f.svc.VerifyApp(app.ID); !r.OK {
		t.Fatalf("verify after edit without secret: %+v", r)
	}

	// Client ids are unique across corps, and the error names the holder.
	other, _ := f.svc.CreateCorp("另一家")
	_, err = f.svc.SaveApp(AppInput{CorpID: other.ID, Name: "dup", ClientID: sim.DemoClientID, ClientSecret: "x"})
	wantCode(t, err, core.ErrAppClientIDDuplicate)
	if e := core.AsError(err); e.Params["corp"] != "演示企业" {
		t.Fatalf("duplicate error params = %v", e.Params)
	}
	_, err = f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "bad", ClientID: "x1", ClientSecret: "x", Homepage: Homepage{Kind: "custom", CustomURL: "javascript:alert(1)"}})
	wantCode(t, err, core.ErrAppHomepageURL)
	_, err = f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "bad", ClientID: "x2", ClientSecret: "x", Homepage: Homepage{Kind: "entry", Entry: "nope"}})
	wantCode(t, err, core.ErrAppEntryUnknown)
	_, err = f.svc.SaveApp(AppInput{CorpID: "missing", Name: "bad", ClientID: "x3", ClientSecret: "x"})
	wantCode(t, err, core.ErrCorpNotFound)
	if n := len(mustList(t, f, c.ID)); n != 1 {
		t.Fatalf("failed saves left %d apps, want 1", n)
	}
}

func mustList(t *testing.T, f *fixture, corpID string) []AppView {
	t.Helper()
	l, err := f.svc.ListApps(corpID)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestHomepageURLsFollowThePublicBaseURL(t *testing.T) {
	f := setup(t)
	c, _ := f.svc.CreateCorp("演示企业")
	app, _ := f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "OA", ClientID: "cid", ClientSecret: "s"})
	if app.HomepageURLs != (HomepageURLs{}) {
		t.Fatalf("urls without a public base URL: %+v", app.HomepageURLs)
	}
	st := settings.Defaults()
	st.PublicBaseURL = "https://bridge.example.com"
	f.db.Update(func(tx *store.Tx) error { return settings.Save(tx, st) })
	got, _ := f.svc.GetApp(app.ID)
	want := HomepageURLs{Mobile: "https://bridge.example.com/sso/" + app.ID + "/mobile", PC: "https://bridge.example.com/sso/" + app.ID + "/pc"}
	if got.HomepageURLs != want {
		t.Fatalf("urls = %+v, want %+v", got.HomepageURLs, want)
	}
}

func TestVerifyReportsWeLinkCodes(t *testing.T) {
	f := setup(t)
	c, _ := f.svc.CreateCorp("演示企业")
	bad, _ := f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "OA", ClientID: sim.DemoClientID, ClientSecret: "wrong-secret"})
	r, err := f.svc.VerifyApp(bad.ID)
	if err != nil || r.OK || r.Error == nil || r.Error.Code != "welink.10007" {
		t.Fatalf("wrong secret: %+v %v", r, err)
	}
	// The verdict is remembered for the list.
	if got, _ := f.svc.GetApp(bad.ID); got.LastVerify == nil || got.LastVerify.OK {
		t.Fatalf("last verify not stored: %+v", got.LastVerify)
	}
	good, err := f.svc.SaveApp(AppInput{ID: bad.ID, CorpID: c.ID, Name: "OA", ClientID: sim.DemoClientID, ClientSecret: sim.DemoClientSecret})
	if err != nil || good.LastVerify != nil {
		t.Fatalf("a new secret must clear the old verdict: %+v %v", good.LastVerify, err)
	}
	r, err = f.svc.VerifyApp(bad.ID)
	if err != nil || !r.OK || r.ExpiresIn <= 0 {
		t.Fatalf("good secret: %+v %v", r, err)
	}
	ov, _ := f.svc.ListCorps()
	if ov[0].AppCount != 1 {
		t.Fatalf("app count = %d", ov[0].AppCount)
	}
}

func TestProbeShowsPermissionsAndScope(t *testing.T) {
	f := setup(t)
	c, _ := f.svc.CreateCorp("演示企业")
	app, _ := f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "OA", ClientID: sim.DemoClientID, ClientSecret: sim.DemoClientSecret})
	p, err := f.svc.ProbeApp(app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Permissions) < 4 {
		t.Fatalf("permissions = %+v", p.Permissions)
	}
	for _, perm := range p.Permissions {
		if perm.Status != "granted" {
			t.Errorf("demo app %s = %s, want granted", perm.Key, perm.Status)
		}
	}
	if p.Scope == nil || !p.Scope.AllStaff || len(p.Warnings) != 0 {
		t.Fatalf("scope = %+v warnings %v err %v", p.Scope, p.Warnings, p.ScopeError)
	}
}

func TestDeleteCorpCascadesOnlyWhatWasConfirmed(t *testing.T) {
	f := setup(t)
	c, _ := f.svc.CreateCorp("演示企业")
	empty, _ := f.svc.CreateCorp("空企业")
	if err := f.svc.DeleteCorp(empty.ID, ""); err != nil {
		t.Fatalf("unused corp: %v", err)
	}
	a1, _ := f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "OA", ClientID: "c1", ClientSecret: "s"})
	wantCode(t, f.svc.DeleteCorp(c.ID, ""), core.ErrCorpInUse)
	u, err := f.svc.CorpUsage(c.ID)
	if err != nil || len(u.Uses) != 1 || u.Uses[0] != (Use{Kind: "app", ID: a1.ID, Name: "OA"}) || len(u.Apps) != 1 {
		t.Fatalf("usage = %+v %v", u, err)
	}
	// Something was added after the admin looked: the old token no longer fits.
	f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "OA2", ClientID: "c2", ClientSecret: "s"})
	wantCode(t, f.svc.DeleteCorp(c.ID, u.Token), core.ErrCorpConfirm)
	if n := len(mustList(t, f, c.ID)); n != 2 {
		t.Fatalf("refused delete removed apps: %d left", n)
	}
	u, _ = f.svc.CorpUsage(c.ID)
	if err := f.svc.DeleteCorp(c.ID, u.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetApp(a1.ID); !core.Of(err, core.ErrAppNotFound) {
		t.Fatalf("app survived its corp: %v", err)
	}
	// The client id is free again.
	c2, _ := f.svc.CreateCorp("新企业")
	if _, err := f.svc.SaveApp(AppInput{CorpID: c2.ID, Name: "OA", ClientID: "c1", ClientSecret: "s"}); err != nil {
		t.Fatal(err)
	}
}

// flakyPurger fails its first purge, like a crash or a full disk mid-way.
type flakyPurger struct{ calls int }

func (p *flakyPurger) CorpUses(*store.Tx, string) ([]Use, error) { return nil, nil }
func (p *flakyPurger) DeleteCorpData(*store.Tx, string) error    { return nil }
func (p *flakyPurger) PurgeCorpData(*store.DB, string) error {
	p.calls++
	if p.calls == 1 {
		return core.ErrStoreFull.New()
	}
	return nil
}

func TestInterruptedCorpDeleteResumes(t *testing.T) {
	f := setup(t)
	p := &flakyPurger{}
	f.svc.dependents.Add(p)
	c, _ := f.svc.CreateCorp("演示企业")
	app, _ := f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "OA", ClientID: "c1", ClientSecret: "s"})
	u, _ := f.svc.CorpUsage(c.ID)
	wantCode(t, f.svc.DeleteCorp(c.ID, u.Token), core.ErrStoreFull)
	list, _ := f.svc.ListCorps()
	if len(list) != 1 || !list[0].Deleting {
		t.Fatalf("an interrupted delete must leave the corp marked: %+v", list)
	}
	if _, err := f.svc.GetApp(app.ID); err != nil {
		t.Fatalf("the final transaction ran early: %v", err)
	}
	// Deleting again resumes without asking for the confirmation again.
	if err := f.svc.DeleteCorp(c.ID, ""); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.svc.ListCorps(); len(list) != 0 {
		t.Fatalf("corp survived the resumed delete: %+v", list)
	}
}
