package app

import (
	"strconv"
	"testing"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
)

// A corp with a large directory and many bindings is deleted completely,
// although its data does not fit one store transaction.
func TestDeleteLargeCorp(t *testing.T) {
	a, _ := newHeadlessTest(t)
	c, err := a.Tenant.CreateCorp("大企业")
	if err != nil {
		t.Fatal(err)
	}
	b := a.DB.NewBatch()
	for i := 0; i < 20000; i++ {
		uid := "u" + strconv.Itoa(i) + "@welink"
		if err := directory.Users.PutBatch(b, &directory.User{CorpID: c.ID, UserID: uid, NameCn: "用户" + strconv.Itoa(i), Mobile: "+86-139" + strconv.Itoa(10000000+i), Depts: []string{"1"}}); err != nil {
			t.Fatal(err)
		}
		if err := binding.Bindings.PutBatch(b, &binding.Binding{CorpID: c.ID, WeLinkUserID: uid, OAUserID: strconv.Itoa(i), Method: binding.MethodImport}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	u, err := a.Tenant.CorpUsage(c.ID)
	if err != nil || len(u.Uses) == 0 {
		t.Fatalf("usage = %+v %v", u, err)
	}
	if err := a.Tenant.DeleteCorp(c.ID, u.Token); err != nil {
		t.Fatal(err)
	}
	a.DB.View(func(tx *store.Tx) error {
		if n, _ := directory.Users.Count(tx, "corp", c.ID); n != 0 {
			t.Errorf("%d directory users left", n)
		}
		if n, _ := binding.Bindings.Count(tx, "corp", c.ID); n != 0 {
			t.Errorf("%d bindings left", n)
		}
		return nil
	})
	if list, _ := a.Tenant.ListCorps(); len(list) != 0 {
		t.Fatalf("corps left: %+v", list)
	}
}
