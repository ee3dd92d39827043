package oa

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa/sim"
)

func e10Config(base string) Config {
	return Config{Kind: KindE10, BaseURL: base, PageSize: 25, RetryBase: time.Millisecond,
		Auth: AuthConfig{CorpID: sim.DemoE10CorpID, AppKey: sim.DemoE10AppKey, AppSecret: sim.DemoE10AppSecret}}
}

func TestE10PullOrg(t *testing.T) {
	for _, variant := range []struct {
		name string
		opts sim.E10Options
		body bool
	}{
		{"string errcodes, id arrays", sim.E10Options{}, false},
		{"numeric errcodes, department objects, token in body", sim.E10Options{ErrcodeNumbers: true, DepartmentObjects: true}, true},
	} {
		t.Run(variant.name, func(t *testing.T) {
			s, base := newSim(t, sim.Options{Users: 120, Seed: 5, E10: variant.opts})
			cfg := e10Config(base)
			cfg.E10.TokenInBody = variant.body
			c := mustNew(t, cfg, Deps{})
			org, err := c.PullOrg(context.Background(), PullOptions{Since: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			simOrg := s.Org()
			active := 0
			for _, u := range simOrg.Users {
				if u.AccountType == 0 && u.Status < 4 {
					active++
				}
			}
			// No modified filter in E10: every pull is full. Without a
			// status filter E10 returns active staff only.
			if !org.Full || len(org.Users) != active || len(org.Departments) != len(simOrg.Subcompanies)+len(simOrg.Departments) {
				t.Fatalf("full=%v users=%d/%d depts=%d", org.Full, len(org.Users), active, len(org.Departments))
			}
			a := findDept(org, "dep:2000001")
			if a == nil || a.Name != "部门A" || a.ParentID != "sub:1000001" {
				t.Fatalf("部门A = %+v", a)
			}
			if d := findDept(org, "dep:2000006"); d == nil || !d.Sealed {
				t.Fatalf("sealed = %+v", d)
			}
			ls := findUser(org, "3")
			if ls == nil || ls.LoginID != "lisi" || ls.DepartmentID != "dep:2000004" || !slices.Equal(ls.PartTimeDepartmentIDs, []string{"dep:2000002"}) {
				t.Fatalf("李四 = %+v", ls)
			}
		})
	}
}

func TestE10LeaversAndTokenRefresh(t *testing.T) {
	s, base := newSim(t, sim.Options{Users: 60})
	cfg := e10Config(base)
	cfg.E10.EmployeeStatuses = []string{"normal", "unavailable"}
	c := mustNew(t, cfg, Deps{})
	org, err := c.PullOrg(context.Background(), PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if u := findUser(org, "6"); u == nil || !u.Left {
		t.Fatalf("孙七 should be listed as a leaver: %+v", u)
	}
	s.ExpireE10Tokens()
	if _, err := c.PullOrg(context.Background(), PullOptions{}); err != nil {
		t.Fatalf("expired token should be refreshed once: %v", err)
	}
	if got := s.Hits("/papi/openapi/oauth2/access_token"); got != 2 {
		t.Fatalf("access_token calls %d", got)
	}
}

func TestE10Failures(t *testing.T) {
	s, base := newSim(t, sim.Options{})
	cfg := e10Config(base)
	cfg.Auth.AppSecret = "wrong"
	_, err := mustNew(t, cfg, Deps{}).PullOrg(context.Background(), PullOptions{})
	wantKind(t, err, core.ErrOAAuthRejected)
	cfg = e10Config(base)
	cfg.Auth.CorpID = "other"
	rep, err := mustNew(t, cfg, Deps{}).Test(context.Background())
	if err != nil || rep.OK || !core.Of(rep.Steps[0].Error, core.ErrOAHandshake) {
		t.Fatalf("%+v %v", rep, err)
	}
	_, err = New(Config{Kind: KindE10, BaseURL: base}, Deps{})
	wantKind(t, err, core.ErrOAConfig)

	c := mustNew(t, e10Config(base), Deps{})
	rep, err = c.Test(context.Background())
	if err != nil || !rep.OK || len(rep.Steps) != 3 || rep.Steps[2].Count != 25 {
		t.Fatalf("%+v %v", rep, err)
	}
	s.AddFault(sim.Fault{Path: "/papi/openapi/api/hrm/restful/queryEmployee", Status: 200,
		Body: `{"message":{"errcode":"0"},"data":{"current":2,"total":500,"data":[]}}`})
	_, err = c.PullOrg(context.Background(), PullOptions{})
	wantKind(t, err, core.ErrOAPaging) // an empty page before the total is never taken as complete
	_, err = c.CheckPassword(context.Background(), "zhangsan", sim.DemoPassword)
	wantKind(t, err, core.ErrOANotSupported)
	_, err = c.SSOURL(context.Background(), User{LoginID: "zhangsan"}, Target{})
	wantKind(t, err, core.ErrOANotSupported)
}

func TestE10SSOWithTemplate(t *testing.T) {
	_, base := newSim(t, sim.Options{})
	cfg := e10Config(base)
	cfg.SSO.E10LoginURL = "{base}/sp/sim/etlogin?etLoginToken={token}&redirect={target}"
	c := mustNew(t, cfg, Deps{})
	link, err := c.SSOURL(context.Background(), User{ID: "4", LoginID: "wangwu"}, Target{Page: PagePath, Path: "/sp/workflow/list"})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	if body := get(t, &http.Client{Jar: jar}, link); !strings.Contains(body, "已登录：王五") || !strings.Contains(body, "/sp/workflow/list") {
		t.Fatalf("landing: %s", body)
	}
	_, err = c.SSOURL(context.Background(), User{ID: "6", LoginID: "sunqi"}, Target{})
	wantKind(t, err, core.ErrOASSOToken)
	_, err = c.SSOURL(context.Background(), User{LoginID: "wangwu"}, Target{Page: PageRequest, RequestID: "1"})
	wantKind(t, err, core.ErrOATargetInvalid)
}

func TestE10OAuth2Binding(t *testing.T) {
	_, base := newSim(t, sim.Options{})
	cfg := e10Config(base)
	cfg.OAuth2 = OAuth2Config{ClientID: sim.DemoOAuthClientID, ClientSecret: sim.DemoOAuthClientSecret}
	idp := mustNew(t, cfg, Deps{}).(IdentityProvider)
	redirect := "http://127.0.0.1:9/cb"
	code := oauthLogin(t, idp, redirect, "zhaoliu", sim.DemoPassword)
	u, err := idp.Exchange(context.Background(), code, redirect)
	if err != nil || u.ID != "5" || u.LoginID != "zhaoliu" || u.Name != "赵六" {
		t.Fatalf("%+v %v", u, err)
	}
	_, err = idp.Exchange(context.Background(), "bogus", redirect)
	wantKind(t, err, core.ErrOAAuthRejected)
}
