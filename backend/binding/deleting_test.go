package binding

import (
	"context"
	"log/slog"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
	"cloudbridge/backend/tenant/tenanttest"
)

// A corp whose delete was interrupted (marked Deleting) takes no binding
// writes: person card bind/unbind, batch unbind and a snapshot restore (the
// bulk apply path that writes without put) all refuse with corp.deleting,
// and nothing of them lands.
func TestDeletingCorpRefusesBindingWrites(t *testing.T) {
	db := openDB(t)
	log := slog.New(slog.DiscardHandler)
	ten := tenant.New(context.Background(), db, nil, nil, core.SystemClock{}, log)
	corp, err := ten.CreateCorp("删除中企业")
	if err != nil {
		t.Fatal(err)
	}
	svc := New(context.Background(), Deps{DB: db, Clock: core.SystemClock{}, Log: log,
		CorpName: func(string) (string, error) { return corp.Name, nil }})
	putUsers(t, db,
		directory.User{CorpID: corp.ID, UserID: "a@demo", NameCn: "甲"},
		directory.User{CorpID: corp.ID, UserID: "b@demo", NameCn: "乙"})
	mustUpdate(t, db, func(tx *store.Tx) error {
		for _, u := range []oa.User{{ID: "1", LoginID: "jia", Name: "甲", Status: 1}, {ID: "2", LoginID: "yi", Name: "乙", Status: 1}} {
			if err := directory.OAUsers.Put(tx, &u); err != nil {
				return err
			}
		}
		return nil
	})
	// Before the mark: a, b bound, unbound as a batch (snapshot), a bound again.
	for _, p := range [][2]string{{"a@demo", "1"}, {"b@demo", "2"}} {
		if _, err := svc.BindUser(corp.ID, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := svc.UnbindAll(corp.ID, corp.Name)
	if err != nil || snap.Count != 2 {
		t.Fatalf("unbind all: %+v %v", snap, err)
	}
	if _, err := svc.BindUser(corp.ID, "a@demo", "1"); err != nil {
		t.Fatal(err)
	}
	audits := len(auditOf(t, db, corp.ID))

	tenanttest.MarkDeleting(t, db, corp.ID)

	_, err = svc.BindUser(corp.ID, "b@demo", "2")
	wantKind(t, err, core.ErrCorpDeleting)
	if e := core.AsError(err); e.Params["name"] != corp.Name || core.Translate("zh-CN", e.Code, e.Params) == e.Code {
		t.Fatalf("error %+v: want the corp's name and a translation", e)
	}
	_, err = svc.UnbindUser(corp.ID, "a@demo")
	wantKind(t, err, core.ErrCorpDeleting)
	_, err = svc.UnbindAll(corp.ID, corp.Name)
	wantKind(t, err, core.ErrCorpDeleting)
	_, err = svc.RestoreSnapshot(snap.ID)
	wantKind(t, err, core.ErrCorpDeleting)
	st, err := svc.GetSettings(corp.ID)
	if err != nil {
		t.Fatal(err)
	}
	st.AutoBind = !st.AutoBind
	_, err = svc.SaveSettings(st)
	wantKind(t, err, core.ErrCorpDeleting)

	mustUpdate(t, db, func(tx *store.Tx) error {
		if b, ok, _ := ForWeLinkUser(tx, corp.ID, "a@demo"); !ok || b.OAUserID != "1" {
			t.Errorf("a: %+v %v, want still bound to 1", b, ok)
		}
		if b, ok, _ := ForWeLinkUser(tx, corp.ID, "b@demo"); ok {
			t.Errorf("b: %+v, want not bound", b)
		}
		return nil
	})
	if n := len(auditOf(t, db, corp.ID)); n != audits {
		t.Fatalf("audit entries %d → %d: a refused write was recorded", audits, n)
	}
}
