package directory

import (
	"testing"

	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

func TestNormalizeMobile(t *testing.T) {
	for in, want := range map[string]string{
		"+86-13800138000":   "13800138000",
		"+86 138 0013 8000": "13800138000",
		"008613800138000":   "13800138000",
		"86-13800138000":    "13800138000",
		" 13800138000 ":     "13800138000",
		"+852-9123 4567":    "+85291234567",
		"":                  "",
	} {
		if got := NormalizeMobile(in); got != want {
			t.Errorf("NormalizeMobile(%q) = %q, want %q", in, got, want)
		}
	}
	if NormalizeEmail(" Zhang.San@Example.COM ") != "zhang.san@example.com" {
		t.Error("email not normalized")
	}
}

func TestIndexesFindUsersByNormalizedFields(t *testing.T) {
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *store.Tx) error {
		if err := Users.Put(tx, &User{CorpID: "c1", UserID: "zhangsan@welink", Mobile: "+86-13800138000", Email: "ZS@x.com", Depts: []string{"10", "20"}}); err != nil {
			return err
		}
		if err := Users.Put(tx, &User{CorpID: "c2", UserID: "zhangsan@welink", Mobile: "+86-13800138000"}); err != nil {
			return err
		}
		return OAUsers.Put(tx, &oa.User{ID: "42", LoginID: "ZhangSan", Mobile: "138 0013 8000"})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *store.Tx) error {
		got, _ := Users.Lookup(tx, "mobile", "c1~13800138000")
		if len(got) != 1 || got[0].CorpID != "c1" {
			t.Errorf("mobile lookup in c1 = %+v", got)
		}
		if n, _ := Users.Count(tx, "dept", "c1~20"); n != 1 {
			t.Errorf("dept 20 count = %d", n)
		}
		if got, _ := OAUsers.Lookup(tx, "loginId", "zhangsan"); len(got) != 1 {
			t.Errorf("loginId lookup is not case-insensitive: %+v", got)
		}
		if got, _ := OAUsers.Lookup(tx, "mobile", "13800138000"); len(got) != 1 {
			t.Errorf("OA mobile lookup = %+v", got)
		}
		return nil
	})
}
