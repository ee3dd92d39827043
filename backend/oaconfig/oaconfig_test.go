package oaconfig

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/store"
)

func setup(t *testing.T, demo bool) (*Service, *store.DB, string) {
	t.Helper()
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	emu := oasim.Demo()
	hs := httptest.NewServer(emu)
	t.Cleanup(hs.Close)
	emu.SetPublicURL(hs.URL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var d *oa.Config
	if demo {
		d = &oa.Config{Kind: oa.KindEcology9, BaseURL: hs.URL, Auth: oa.AuthConfig{Mode: oa.AuthKey, TokenKey: oasim.DemoTokenKey}}
	}
	src := NewSource(db, d, core.SystemClock{}, log)
	return NewService(context.Background(), db, src, t.TempDir(), core.SystemClock{}, log), db, hs.URL
}

func TestSaveTestAndRefreshAgainstTheEmulator(t *testing.T) {
	svc, db, base := setup(t, false)
	if _, err := svc.src.Connector(context.Background()); !core.Of(err, core.ErrOANotConfigured) {
		t.Fatalf("unconfigured: %v", err)
	}
	if _, err := svc.SaveOA(oa.Config{Kind: oa.KindEcology9, BaseURL: "oa.example.com", Auth: oa.AuthConfig{Mode: oa.AuthKey}}); !core.Of(err, core.ErrSettingsURL) {
		t.Fatalf("bad url: %v", err)
	}
	if _, err := svc.SaveOA(oa.Config{Kind: "dingtalk"}); !core.Of(err, core.ErrOAKindUnknown) {
		t.Fatalf("bad kind: %v", err)
	}
	v, err := svc.SaveOA(oa.Config{Kind: oa.KindEcology9, BaseURL: base + "/", Auth: oa.AuthConfig{Mode: oa.AuthKey, TokenKey: oasim.DemoTokenKey}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(v)
	if strings.Contains(string(raw), oasim.DemoTokenKey) || !v.Secrets.TokenKey || v.Config.BaseURL != base {
		t.Fatalf("view leaks or lost the secret: %s", raw)
	}
	// Saving again without the key keeps it: the test still authenticates.
	if _, err := svc.SaveOA(oa.Config{Kind: oa.KindEcology9, BaseURL: base, PageSize: 50, Auth: oa.AuthConfig{Mode: oa.AuthKey}}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.TestOA()
	if err != nil || res.Report == nil || !res.Report.OK {
		t.Fatalf("test = %+v %v", res, err)
	}
	if v, _ := svc.GetOA(); v.LastTest == nil || v.LastTest.Report == nil {
		t.Fatal("test outcome not remembered")
	}
	c, err := svc.RefreshSnapshot()
	if err != nil || c.Users < 5 || c.Departments < 5 {
		t.Fatalf("refresh = %+v %v", c, err)
	}
	db.View(func(tx *store.Tx) error {
		us, _ := directory.OAUsers.Lookup(tx, "loginId", "zhangsan")
		if len(us) != 1 || us[0].Name != "张三" {
			t.Errorf("zhangsan not in the snapshot: %+v", us)
		}
		return nil
	})
	if v, _ := svc.GetOA(); v.Snapshot.Users != c.Users || v.Snapshot.RefreshedAt == nil {
		t.Fatalf("snapshot info = %+v", v.Snapshot)
	}
	// A wrong key: the test reports it, the snapshot stays as it was.
	svc.SaveOA(oa.Config{Kind: oa.KindEcology9, BaseURL: base, Auth: oa.AuthConfig{Mode: oa.AuthKey, TokenKey: "wrong"}})
	if _, err := svc.RefreshSnapshot(); err == nil {
		t.Fatal("refresh with a wrong key succeeded")
	}
	if v, _ := svc.GetOA(); v.Snapshot.Users != c.Users {
		t.Fatalf("a failed pull changed the snapshot: %+v", v.Snapshot)
	}
}

func TestReplaceSnapshotRemovesWhatTheOALost(t *testing.T) {
	_, db, _ := setup(t, false)
	org := &oa.Org{Full: true, Users: []oa.User{{ID: "1", LoginID: "a"}, {ID: "2", LoginID: "b"}}, Departments: []oa.Department{{ID: "dep:1", Name: "A"}}}
	if _, err := ReplaceSnapshot(db, org); err != nil {
		t.Fatal(err)
	}
	org.Users = org.Users[:1]
	c, err := ReplaceSnapshot(db, org)
	if err != nil || c.Removed != 1 {
		t.Fatalf("replace = %+v %v", c, err)
	}
	db.View(func(tx *store.Tx) error {
		if got, _ := directory.OAUsers.Lookup(tx, "loginId", "b"); len(got) != 0 {
			t.Error("removed user still indexed")
		}
		return nil
	})
}

func TestDemoIsReadOnlyAndUploadsValidate(t *testing.T) {
	svc, _, _ := setup(t, true)
	v, _ := svc.GetOA()
	if !v.Demo || !v.Configured || v.Config.Auth.TokenKey != "" {
		t.Fatalf("demo view = %+v", v)
	}
	if _, err := svc.SaveOA(oa.Config{Kind: oa.KindFile}); !core.Of(err, core.ErrOADemoReadonly) {
		t.Fatalf("save in demo: %v", err)
	}
	if res, err := svc.TestOA(); err != nil || !res.Report.OK {
		t.Fatalf("demo test: %+v %v", res, err)
	}

	svc, _, _ = setup(t, false)
	tpl, err := svc.OrgTemplate()
	if err != nil || !strings.HasSuffix(tpl.Name, ".xlsx") {
		t.Fatal(err)
	}
	if _, err := svc.UploadOrgFiles([]File{{Name: "org.xlsx", ContentBase64: base64.StdEncoding.EncodeToString([]byte("not a workbook"))}}); err == nil {
		t.Fatal("garbage upload accepted")
	}
	if v, _ := svc.GetOA(); v.Configured {
		t.Fatal("a refused upload configured the file connector")
	}
	// A CSV whose second data row lacks its id: the check names the row.
	csv := "id,loginid,lastname,departmentid\n1,zhangsan,张三,\n,lisi,李四,\n"
	chk, err := svc.CheckOrgFiles([]File{{Name: "user.csv", ContentBase64: base64.StdEncoding.EncodeToString([]byte(csv))}})
	if err != nil || chk.OK || chk.Report == nil || len(chk.Report.Problems) == 0 {
		t.Fatalf("check = %+v %v", chk, err)
	}
	// With a department sheet too, the user sheet's row 3 is the problem.
	dept := "id,departmentname,subcompanyid1\n1,部门A,\n"
	chk, _ = svc.CheckOrgFiles([]File{
		{Name: "user.csv", ContentBase64: base64.StdEncoding.EncodeToString([]byte(csv))},
		{Name: "department.csv", ContentBase64: base64.StdEncoding.EncodeToString([]byte(dept))},
	})
	rowNamed := false
	for _, p := range chk.Report.Problems {
		rowNamed = rowNamed || (p.Row == 3 && p.Code != "")
	}
	if !rowNamed {
		t.Fatalf("problems = %+v, want one on row 3", chk.Report.Problems)
	}
	if _, err := svc.UploadOrgFiles([]File{{Name: "org.exe", ContentBase64: ""}}); !core.Of(err, core.ErrOAFileUpload) {
		t.Fatalf("bad extension: %v", err)
	}
	// The template itself is a valid (empty) org: it configures the file
	// connector, whose test then reads it.
	v, err = svc.UploadOrgFiles([]File{tpl})
	if err != nil || v.Config.Kind != oa.KindFile || !strings.Contains(v.Config.File.Path, "oa-files") {
		t.Fatalf("template upload = %+v %v", v.Config, err)
	}
}
