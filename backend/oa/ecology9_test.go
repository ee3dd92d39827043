package oa

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa/sim"
)

// newSim starts an emulator on a real HTTP listener.
func newSim(t *testing.T, opts sim.Options) (*sim.Server, string) {
	t.Helper()
	s := sim.New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	s.SetPublicURL(ts.URL)
	return s, ts.URL
}

func e9Config(base, mode string) Config {
	cfg := Config{Kind: KindEcology9, BaseURL: base, PageSize: 50, RetryBase: time.Millisecond,
		Auth: AuthConfig{Mode: mode}, SSO: SSOConfig{AppID: sim.DemoSSOAppID}}
	switch mode {
	case AuthKey:
		cfg.Auth.TokenKey = sim.DemoTokenKey
	case AuthECDev:
		cfg.Auth.AppID = sim.DemoAppID
	}
	return cfg
}

func mustNew(t *testing.T, cfg Config, deps Deps) Connector {
	t.Helper()
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := New(cfg, deps)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func wantKind(t *testing.T, err error, k core.Kind) {
	t.Helper()
	if !core.Of(err, k) {
		t.Fatalf("error = %v, want %s", err, k.Code)
	}
}

func findDept(org *Org, id string) *Department {
	for i := range org.Departments {
		if org.Departments[i].ID == id {
			return &org.Departments[i]
		}
	}
	return nil
}

func findUser(org *Org, id string) *User {
	for i := range org.Users {
		if org.Users[i].ID == id {
			return &org.Users[i]
		}
	}
	return nil
}

func TestEcology9FullPullEveryAuthMode(t *testing.T) {
	s, base := newSim(t, sim.Options{Users: 400, Seed: 7})
	simOrg := s.Org()
	mainAccounts := 0
	for _, u := range simOrg.Users {
		if u.AccountType == 0 {
			mainAccounts++
		}
	}
	for _, mode := range []string{AuthNone, AuthKey, AuthECDev} {
		t.Run(mode, func(t *testing.T) {
			c := mustNew(t, e9Config(base, mode), Deps{})
			var stages []string
			org, err := c.PullOrg(context.Background(), PullOptions{Progress: func(p Progress) {
				if p.Done {
					stages = append(stages, p.Stage)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			if !org.Full || len(org.Users) != mainAccounts ||
				len(org.Departments) != len(simOrg.Subcompanies)+len(simOrg.Departments) {
				t.Fatalf("full=%v users=%d (want %d) depts=%d", org.Full, len(org.Users), mainAccounts, len(org.Departments))
			}
			for _, st := range []string{StageSubcompanies, StageDepartments, StageJobTitles, StageUsers} {
				if n := len(slices.DeleteFunc(slices.Clone(stages), func(s string) bool { return s != st })); n != 1 {
					t.Errorf("%d final progress reports for %s (got %v)", n, st, stages)
				}
			}
			// Subcompanies are nodes of the one tree.
			demo, a, a1 := findDept(org, "sub:1"), findDept(org, "dep:1"), findDept(org, "dep:4")
			if demo == nil || demo.Name != "演示部门" || demo.ParentID != "" || demo.Type != TypeSubcompany {
				t.Fatalf("演示部门 = %+v", demo)
			}
			if a == nil || a.Name != "部门A" || a.ParentID != "sub:1" || a1 == nil || a1.ParentID != "dep:1" {
				t.Fatalf("部门A = %+v, 部门A1 = %+v", a, a1)
			}
			if d := findDept(org, "dep:6"); d == nil || !d.Sealed {
				t.Fatalf("sealed department missing or not sealed: %+v", d)
			}
			if sub := findDept(org, "sub:11"); sub == nil || sub.ParentID != "sub:1" {
				t.Fatalf("nested subcompany: %+v", sub)
			}
			zs := findUser(org, "2")
			if zs == nil || zs.LoginID != "zhangsan" || zs.Name != "张三" || zs.JobTitle != "经理" || zs.DepartmentID != "dep:1" ||
				zs.SubcompanyID != "sub:1" || zs.Mobile == "" || zs.Left {
				t.Fatalf("张三 = %+v", zs)
			}
			if u := findUser(org, "6"); u == nil || !u.Left || u.Status != 5 {
				t.Fatalf("孙七 should have left: %+v", u)
			}
			if u := findUser(org, "7"); u == nil || u.LoginID != "" {
				t.Fatalf("周八 (no login id) must be kept: %+v", u)
			}
			if findUser(org, "9") != nil {
				t.Fatal("secondary account returned as a user")
			}
			if u := findUser(org, "3"); u == nil || !slices.Equal(u.PartTimeDepartmentIDs, []string{"dep:2"}) || u.ManagerID != "2" {
				t.Fatalf("李四 part-time/manager = %+v", u)
			}
			if !slices.ContainsFunc(org.Skipped, func(s Skipped) bool { return s.ID == "9" && s.Reason == SkipSecondary }) {
				t.Fatalf("secondary account not reported as skipped: %+v", org.Skipped)
			}
		})
	}
}

func TestEcology9ReadsEveryPage(t *testing.T) {
	s, base := newSim(t, sim.Options{Users: 230, Seed: 3})
	cfg := e9Config(base, AuthKey)
	cfg.PageSize = 20
	org, err := mustNew(t, cfg, Deps{}).PullOrg(context.Background(), PullOptions{IncludeSecondary: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(org.Users), len(s.Org().Users); got != want {
		t.Fatalf("users %d, want %d", got, want)
	}
	if findUser(org, "9") == nil || !findUser(org, "9").Secondary {
		t.Fatal("IncludeSecondary did not keep the secondary account")
	}
	pages := (len(s.Org().Users) + 19) / 20
	if hits := s.Hits("/api/hrm/resful/getHrmUserInfoWithPage"); hits < pages || hits > pages+1 {
		t.Fatalf("%d user calls for %d pages", hits, pages)
	}
}

func TestEcology9IncrementalPull(t *testing.T) {
	clock := &core.FakeClock{T: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	s, base := newSim(t, sim.Options{Users: 100, Seed: 1, Clock: clock})
	c := mustNew(t, e9Config(base, AuthNone), Deps{Clock: clock})
	since := clock.T
	clock.Advance(time.Hour)
	s.UpdateUser(sim.UserWangWu, func(u *sim.User) { u.Mobile = "13911112222" })
	s.UpdateDepartment(sim.DeptB, func(d *sim.Department) { d.Canceled = true })
	org, err := c.PullOrg(context.Background(), PullOptions{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if org.Full || !org.Since.Equal(since.Add(-DefaultOverlap)) {
		t.Fatalf("full=%v since=%v", org.Full, org.Since)
	}
	if len(org.Users) != 1 || org.Users[0].Mobile != "13911112222" {
		t.Fatalf("incremental users = %+v", org.Users)
	}
	if len(org.Departments) != 1 || !org.Departments[0].Sealed || org.Departments[0].ID != "dep:2" {
		t.Fatalf("incremental departments = %+v", org.Departments)
	}
}

func TestEcology9AuthFailures(t *testing.T) {
	t.Run("wrong key", func(t *testing.T) {
		_, base := newSim(t, sim.Options{AuthModes: []string{sim.AuthKey}})
		cfg := e9Config(base, AuthKey)
		cfg.Auth.TokenKey = "wrong"
		_, err := mustNew(t, cfg, Deps{}).PullOrg(context.Background(), PullOptions{})
		wantKind(t, err, core.ErrOAAuthRejected)
	})
	t.Run("key expired by clock skew", func(t *testing.T) {
		_, base := newSim(t, sim.Options{AuthModes: []string{sim.AuthKey}})
		skewed := &core.FakeClock{T: time.Now().Add(-10 * time.Minute)}
		_, err := mustNew(t, e9Config(base, AuthKey), Deps{Clock: skewed}).PullOrg(context.Background(), PullOptions{})
		wantKind(t, err, core.ErrOAAuthRejected)
	})
	t.Run("not on the IP allow-list", func(t *testing.T) {
		_, base := newSim(t, sim.Options{AuthModes: []string{sim.AuthIP}, AllowedIPs: []string{"10.1.2.3"}})
		rep, err := mustNew(t, e9Config(base, AuthNone), Deps{}).Test(context.Background())
		if err != nil || rep.OK || len(rep.Steps) != 1 || !core.Of(rep.Steps[0].Error, core.ErrOAAuthRejected) {
			t.Fatalf("report %+v, err %v", rep, err)
		}
	})
	t.Run("unknown ec/dev appid", func(t *testing.T) {
		_, base := newSim(t, sim.Options{})
		cfg := e9Config(base, AuthECDev)
		cfg.Auth.AppID = "not-registered"
		_, err := mustNew(t, cfg, Deps{}).PullOrg(context.Background(), PullOptions{})
		wantKind(t, err, core.ErrOAHandshake)
	})
	t.Run("config", func(t *testing.T) {
		_, err := New(Config{Kind: KindEcology9, BaseURL: "oa.example.com"}, Deps{})
		wantKind(t, err, core.ErrSettingsURL)
		_, err = New(Config{Kind: KindEcology9, BaseURL: "http://oa", Auth: AuthConfig{Mode: AuthKey}}, Deps{})
		wantKind(t, err, core.ErrOAConfig)
		_, err = New(Config{Kind: "seeyon"}, Deps{})
		wantKind(t, err, core.ErrOAKindUnknown)
	})
}

func TestEcology9ECDevHandshake(t *testing.T) {
	s, base := newSim(t, sim.Options{AuthModes: []string{sim.AuthECDev}})
	state := &MemoryState{}
	ctx := context.Background()
	pull := func(c Connector) {
		t.Helper()
		if _, err := c.PullOrg(ctx, PullOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	c := mustNew(t, e9Config(base, AuthECDev), Deps{State: state})
	pull(c)
	if s.Hits("/api/ec/dev/auth/regist") != 1 || s.Hits("/api/ec/dev/auth/applytoken") != 1 {
		t.Fatalf("regist %d applytoken %d", s.Hits("/api/ec/dev/auth/regist"), s.Hits("/api/ec/dev/auth/applytoken"))
	}
	// A restart reuses the persisted spk/secrit: no second regist, which
	// would rotate the OA's keys for every client of the appid.
	pull(mustNew(t, e9Config(base, AuthECDev), Deps{State: state}))
	if s.Hits("/api/ec/dev/auth/regist") != 1 || s.Hits("/api/ec/dev/auth/applytoken") != 2 {
		t.Fatalf("after restart: regist %d applytoken %d", s.Hits("/api/ec/dev/auth/regist"), s.Hits("/api/ec/dev/auth/applytoken"))
	}
	// Token expired on the OA side: apply again, no regist.
	s.ExpireTokens()
	pull(c)
	if s.Hits("/api/ec/dev/auth/regist") != 1 || s.Hits("/api/ec/dev/auth/applytoken") != 3 {
		t.Fatalf("after expiry: regist %d applytoken %d", s.Hits("/api/ec/dev/auth/regist"), s.Hits("/api/ec/dev/auth/applytoken"))
	}
	// Someone registered the appid again: the saved handshake is dead, so
	// the connector registers anew and persists the new keys.
	before, _ := state.Get(ctx, "oa.ecdev|"+base+"|"+sim.DemoAppID)
	s.RotateECDevKeys(sim.DemoAppID)
	pull(c)
	after, _ := state.Get(ctx, "oa.ecdev|"+base+"|"+sim.DemoAppID)
	if s.Hits("/api/ec/dev/auth/regist") != 2 || string(before) == string(after) {
		t.Fatalf("no re-regist after key rotation (regist hits %d)", s.Hits("/api/ec/dev/auth/regist"))
	}
}

func TestEcology9TransientFailuresAndPaging(t *testing.T) {
	s, base := newSim(t, sim.Options{Users: 60})
	cfg := e9Config(base, AuthNone)
	c := mustNew(t, cfg, Deps{})
	s.AddFault(sim.Fault{Path: "/api/hrm/resful/getHrmUserInfoWithPage", Status: 503, Times: 2})
	if _, err := c.PullOrg(context.Background(), PullOptions{}); err != nil {
		t.Fatalf("two 503s should be retried: %v", err)
	}
	s.AddFault(sim.Fault{Path: "/api/hrm/resful/getHrmUserInfoWithPage", Status: 502})
	_, err := c.PullOrg(context.Background(), PullOptions{})
	wantKind(t, err, core.ErrOAHTTPStatus)
	s.ClearFaults()
	s.AddFault(sim.Fault{Path: "/api/hrm/resful/getHrmdepartmentWithPage", Abort: true})
	_, err = c.PullOrg(context.Background(), PullOptions{})
	wantKind(t, err, core.ErrOANetwork)
	s.ClearFaults()
	s.AddFault(sim.Fault{Path: "/api/hrm/resful/getHrmsubcompanyWithPage", Status: 200, Body: `{"code":"0","msg":"数据库连接失败"}`})
	_, err = c.PullOrg(context.Background(), PullOptions{})
	wantKind(t, err, core.ErrOARemote)
	s.ClearFaults()
	s.AddFault(sim.Fault{Path: "/api/hrm/resful/getHrmsubcompanyWithPage", Status: 200, Body: `<html>login</html>`})
	_, err = c.PullOrg(context.Background(), PullOptions{})
	wantKind(t, err, core.ErrOAAuthRejected)
	s.ClearFaults()

	// A server that ignores curpage would loop forever.
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"code":"1","data":{"totalSize":3,"dataList":[{"id":"1","subcompanyname":"A"}]}}`)
	}))
	defer stuck.Close()
	cfg.BaseURL, cfg.PageSize = stuck.URL, 1
	_, err = mustNew(t, cfg, Deps{}).PullOrg(context.Background(), PullOptions{})
	wantKind(t, err, core.ErrOAPaging)
}

func TestEcology9TestConnection(t *testing.T) {
	_, base := newSim(t, sim.Options{Users: 80})
	rep, err := mustNew(t, e9Config(base, AuthECDev), Deps{}).Test(context.Background())
	if err != nil || !rep.OK {
		t.Fatalf("%+v %v", rep, err)
	}
	names := []string{}
	for _, s := range rep.Steps {
		names = append(names, s.Name)
		if s.Name == StageUsers && (s.Count != 50 || s.Total < 80) {
			t.Fatalf("users step %+v", s)
		}
	}
	if !slices.Equal(names, []string{"auth", StageSubcompanies, StageDepartments, StageUsers, StageJobTitles}) {
		t.Fatalf("steps %v", names)
	}
}

func TestEcology9CheckPassword(t *testing.T) {
	ctx := context.Background()
	for _, rsa := range []bool{false, true} {
		name := "plain"
		if rsa {
			name = "rsa"
		}
		t.Run(name, func(t *testing.T) {
			s, base := newSim(t, sim.Options{RSALogin: rsa, LockoutAfter: 3})
			c := mustNew(t, e9Config(base, AuthNone), Deps{})
			u, err := c.CheckPassword(ctx, "zhangsan", sim.DemoPassword)
			if err != nil || u.ID != "2" || u.Name != "张三" || u.DepartmentID != "dep:1" {
				t.Fatalf("user %+v err %v", u, err)
			}
			if got := s.Hits("/rsa/weaver.rsa.GetRsaInfo"); got != 1 {
				t.Fatalf("GetRsaInfo hits %d: auto mode asks once per check", got)
			}
			_, err = c.CheckPassword(ctx, "lisi", "nope")
			wantKind(t, err, core.ErrOABadCredentials)
			_, err = c.CheckPassword(ctx, "lisi", "nope")
			wantKind(t, err, core.ErrOABadCredentials)
			_, err = c.CheckPassword(ctx, "lisi", "nope")
			wantKind(t, err, core.ErrOALocked)
			_, err = c.CheckPassword(ctx, "lisi", sim.DemoPassword) // right, but locked
			wantKind(t, err, core.ErrOALocked)
			_, err = c.CheckPassword(ctx, "sunqi", sim.DemoPassword)
			wantKind(t, err, core.ErrOAAccountDisabled)
			_, err = c.CheckPassword(ctx, "nobody", "x")
			wantKind(t, err, core.ErrOABadCredentials)
			s.SetCaptcha(true)
			_, err = c.CheckPassword(ctx, "wangwu", sim.DemoPassword)
			wantKind(t, err, core.ErrOACaptcha)
		})
	}
	t.Run("rsa forced but unavailable", func(t *testing.T) {
		_, base := newSim(t, sim.Options{})
		cfg := e9Config(base, AuthNone)
		cfg.Login.RSA = RSAOn
		_, err := mustNew(t, cfg, Deps{}).CheckPassword(ctx, "zhangsan", sim.DemoPassword)
		wantKind(t, err, core.ErrOABadResponse)
	})
	t.Run("rsa off against an rsa OA", func(t *testing.T) {
		_, base := newSim(t, sim.Options{RSALogin: true})
		cfg := e9Config(base, AuthNone)
		cfg.Login.RSA = RSAOff
		_, err := mustNew(t, cfg, Deps{}).CheckPassword(ctx, "zhangsan", sim.DemoPassword)
		wantKind(t, err, core.ErrOABadCredentials)
	})
}

func TestRSALoginFieldChunks(t *testing.T) {
	// Long values are split into chunks the key can encrypt, each followed
	// by the flag; the emulator reassembles them (covered end to end above).
	key := mustKey(t)
	v, err := rsaLoginField(&key.PublicKey, strings.Repeat("密", 100), "abcd", "~F~")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(v, "~F~"); n != 3 { // 304 bytes in chunks of ≤ 117
		t.Fatalf("%d chunks", n)
	}
}

func TestEcology9SSOHandOff(t *testing.T) {
	s, base := newSim(t, sim.Options{})
	c := mustNew(t, e9Config(base, AuthNone), Deps{})
	ctx := context.Background()
	zs := User{ID: "2", LoginID: "zhangsan"}

	link, err := c.SSOURL(ctx, zs, Target{Page: PageRequest, RequestID: "1001"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, base+"/spa/workflow/static4form/index.html?ssoToken=") || !strings.HasSuffix(link, "#/main/workflow/req?requestid=1001") {
		t.Fatalf("request link %s", link)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	body := get(t, browser, link)
	if !strings.Contains(body, "已登录：张三（zhangsan）") {
		t.Fatalf("landing page: %s", body)
	}
	// The token is single use; the session cookie keeps the login.
	other := get(t, &http.Client{}, link)
	if !strings.Contains(other, "ssoToken 无效") {
		t.Fatalf("token reused: %s", other)
	}
	if !strings.Contains(get(t, browser, base+"/wui/index.html"), "已登录：张三") {
		t.Fatal("session not kept")
	}

	for _, tc := range []struct {
		target Target
		prefix string
		suffix string
	}{
		{Target{}, base + "/wui/index.html?ssoToken=", "#/main"},
		{Target{Page: PageTodo}, base + "/wui/index.html?ssoToken=", "#/main/workflow/listDoing"},
		{Target{Page: PageRequest, RequestID: "7", Mobile: true}, base + "/spa/workflow/static4mobileform/index.html?ssoToken=", "#/req?requestid=7"},
		{Target{Page: PagePath, Path: "/spa/document/index.jsp?id=3#/doc"}, base + "/spa/document/index.jsp?id=3&ssoToken=", "#/doc"},
		{Target{Page: PagePath, Path: base + "/wui/index.html#/main/portal"}, base + "/wui/index.html?ssoToken=", "#/main/portal"},
	} {
		link, err := c.SSOURL(ctx, zs, tc.target)
		if err != nil || !strings.HasPrefix(link, tc.prefix) || !strings.HasSuffix(link, tc.suffix) {
			t.Errorf("%+v → %s, %v", tc.target, link, err)
		}
	}
	for _, bad := range []Target{
		{Page: PagePath, Path: "https://evil.example.com/x"},
		{Page: PagePath, Path: "//evil.example.com/x"},
		{Page: PageRequest, RequestID: "1 OR 1"},
		{Page: "nowhere"},
	} {
		_, err := c.SSOURL(ctx, zs, bad)
		wantKind(t, err, core.ErrOATargetInvalid)
	}
	hits := s.Hits("/ssologin/getToken")
	_, err = c.SSOURL(ctx, User{ID: "7"}, Target{})
	wantKind(t, err, core.ErrOASSOToken)
	if s.Hits("/ssologin/getToken") != hits {
		t.Fatal("a user without login id still cost a token call")
	}
	cfg := e9Config(base, AuthNone)
	cfg.SSO.AppID = "unknown-app"
	_, err = mustNew(t, cfg, Deps{}).SSOURL(ctx, zs, Target{})
	wantKind(t, err, core.ErrOASSOToken)
}

func TestEcology9SSOAppIDBoundToIP(t *testing.T) {
	_, base := newSim(t, sim.Options{SSOApps: map[string]string{"bridge": "10.9.9.9"}})
	cfg := e9Config(base, AuthNone)
	cfg.SSO.AppID = "bridge"
	_, err := mustNew(t, cfg, Deps{}).SSOURL(context.Background(), User{LoginID: "zhangsan"}, Target{})
	wantKind(t, err, core.ErrOASSOToken)
}

func TestEcology9PendingTodos(t *testing.T) {
	_, base := newSim(t, sim.Options{})
	c := mustNew(t, e9Config(base, AuthECDev), Deps{}).(TodoLister)
	items, err := c.PendingTodos(context.Background(), "2", 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[0].WorkflowName == "" || items[0].RequestID == "" || items[0].CreatorName == "" {
		t.Fatalf("items %+v", items)
	}
	items, err = c.PendingTodos(context.Background(), "3", 1, 10)
	if err != nil || len(items) != 1 {
		t.Fatalf("李四's items %+v %v", items, err)
	}
	_, err = mustNew(t, e9Config(base, AuthKey), Deps{}).(TodoLister).PendingTodos(context.Background(), "2", 1, 10)
	wantKind(t, err, core.ErrOANotSupported)
}

func TestEcology9OAuth2Binding(t *testing.T) {
	_, base := newSim(t, sim.Options{})
	cfg := e9Config(base, AuthNone)
	cfg.OAuth2 = OAuth2Config{ClientID: sim.DemoOAuthClientID, ClientSecret: sim.DemoOAuthClientSecret}
	idp := mustNew(t, cfg, Deps{}).(IdentityProvider)
	redirect := "https://bridge.example.com/bind/callback"
	code := oauthLogin(t, idp, redirect, "lisi", sim.DemoPassword)
	u, err := idp.Exchange(context.Background(), code, redirect)
	if err != nil || u.ID != "3" || u.LoginID != "lisi" {
		t.Fatalf("user %+v err %v", u, err)
	}
	_, err = idp.Exchange(context.Background(), code, redirect) // codes are single use
	wantKind(t, err, core.ErrOAAuthRejected)
}

// oauthLogin plays the browser at the OA's OAuth2 login form and returns
// the code from the redirect.
func oauthLogin(t *testing.T, idp IdentityProvider, redirect, login, password string) string {
	t.Helper()
	authURL, err := idp.AuthorizeURL("st1", redirect)
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil || resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), redirect) || loc.Query().Get("state") != "st1" {
		t.Fatalf("authorize answered %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func mustKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
