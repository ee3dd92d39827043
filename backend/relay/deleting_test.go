package relay

import (
	"strconv"
	"testing"

	"cloudbridge/backend/core"
	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant/tenanttest"
)

// A corp whose delete was interrupted gets no new deliveries from the
// intake (the OA's item is still stored and acknowledged: other corps may
// want it), and its waiting rows are stopped with corp.deleting instead of
// reaching WeLink.
func TestDeletingCorpGetsNoDeliveries(t *testing.T) {
	f := newFixture(t, fixOpts{})
	f.rule(SourceTodo, TypeTodo)
	f.bind("2", f.users[0]) // zhangsan
	// wangwu is unbound: his row waits for a binding.
	if _, err := f.oa.NewRequest(oasim.UserLiSi, "请假申请", "李四的请假申请", oasim.UserZhangSan, oasim.UserWangWu); err != nil {
		t.Fatal(err)
	}
	f.waitFor("zhangsan's to-do", func() bool { return len(liveTodos(f.wl)) == 1 })
	f.waitFor("wangwu waiting", func() bool {
		for _, d := range f.rows() {
			if d.Receiver == "wangwu" {
				return d.Status == StatusNotBound
			}
		}
		return false
	})
	rowsBefore := len(f.rows())

	tenanttest.MarkDeleting(t, f.db, f.corpID)

	// New intake: acknowledged and stored, but no delivery for the corp.
	id, err := f.oa.NewRequest(oasim.UserLiSi, "报销", "删除中的报销", oasim.UserZhangSan)
	if err != nil {
		t.Fatal(err)
	}
	if p := f.oa.Pushes(); p[len(p)-1].Status != 200 {
		t.Fatalf("push after the mark: %+v", p[len(p)-1])
	}
	var stored bool
	f.db.View(func(tx *store.Tx) error {
		_, err := items.Get(tx, itemKey(oasim.DemoOFSSysCode, strconv.Itoa(id), "zhangsan"))
		stored = err == nil
		return nil
	})
	if !stored {
		t.Fatal("the OA's item was not stored")
	}
	if n := len(f.rows()); n != rowsBefore {
		t.Fatalf("deliveries %d → %d for a corp being deleted", rowsBefore, n)
	}

	// No new rule target in it; a rule keeping its existing target saves.
	_, err = f.svc.SaveRule(RuleInput{Name: "新规则", Enabled: true, Source: SourceAll,
		Targets: []Target{{CorpID: f.corpID, AppID: f.appID, Type: TypeNotice}}})
	if !core.Of(err, core.ErrCorpDeleting) {
		t.Fatalf("new target in a corp being deleted: %v", err)
	}
	rules, err := f.svc.ListRules()
	if err != nil || len(rules) != 1 {
		t.Fatalf("rules %+v %v", rules, err)
	}
	r := rules[0]
	if _, err := f.svc.SaveRule(RuleInput{ID: r.ID, Name: r.Name + "（改）", Enabled: r.Enabled, Source: r.Source, Targets: r.Rule.Targets}); err != nil {
		t.Fatalf("renaming a rule with an existing target: %v", err)
	}

	// The waiting row: bound now, woken, and stopped with the reason.
	f.bind("4", f.users[2])
	f.e.RecheckUnbound()
	f.waitFor("wangwu's row stopped", func() bool {
		for _, d := range f.rows() {
			if d.Receiver == "wangwu" {
				return d.Status == StatusDead && d.Reason != nil && d.Reason.Code == core.ErrCorpDeleting.Code
			}
		}
		return false
	})
	if n := len(liveTodos(f.wl)); n != 1 {
		t.Fatalf("%d to-dos in WeLink, want only zhangsan's from before the mark", n)
	}
}
