package tenant

import (
	"strings"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// CheckActive passes an active corp (and one the store does not know),
// and refuses one an interrupted delete left marked, naming it; the corp
// takes no new app either, and a resumed delete still goes through.
func TestCheckActiveRefusesACorpBeingDeleted(t *testing.T) {
	f := setup(t)
	p := &flakyPurger{}
	f.svc.dependents.Add(p)
	c, _ := f.svc.CreateCorp("删除中企业")
	check := func(id string) error {
		return f.db.View(func(tx *store.Tx) error { return CheckActive(tx, id) })
	}
	if err := check(c.ID); err != nil {
		t.Fatalf("active corp: %v", err)
	}
	if err := check("no-such-corp"); err != nil {
		t.Fatalf("unknown corp: %v (the caller's own check)", err)
	}
	u, _ := f.svc.CorpUsage(c.ID)
	wantCode(t, f.svc.DeleteCorp(c.ID, u.Token), core.ErrStoreFull)
	err := check(c.ID)
	wantCode(t, err, core.ErrCorpDeleting)
	if got := core.Translate("en-US", core.AsError(err).Code, core.AsError(err).Params); got == "" || !strings.Contains(got, "删除中企业") {
		t.Fatalf("message %q does not name the corp", got)
	}
	_, err = f.svc.SaveApp(AppInput{CorpID: c.ID, Name: "OA", ClientID: "c-new", ClientSecret: "s"})
	wantCode(t, err, core.ErrCorpDeleting)
	if err := f.svc.DeleteCorp(c.ID, ""); err != nil {
		t.Fatalf("resume: %v", err)
	}
}
