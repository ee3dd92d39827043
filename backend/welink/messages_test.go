package welink_test

import (
	"context"
	"testing"

	"cloudbridge/backend/welink"
	"cloudbridge/backend/welink/sim"
)

func TestMessages(t *testing.T) {
	e, org := orgEnv(t, 1500)
	ctx := context.Background()
	var to []string
	for _, u := range org.Users {
		if u.Status != "4" {
			to = append(to, u.UserID)
		}
	}
	to = to[:1200]
	res := must[welink.SendResult](t)(e.app.SendMessage(ctx, welink.Message{ToUserList: to, MsgTitle: `{"CN":"通知","EN":"Notice"}`,
		MsgContent: "您有一条新消息", URLPath: "https://oa.example.com/m/1", MsgOwner: "OA"}))
	if e.calls("POST /messages/v3/send") != 2 || len(res.FailedUserIDs) != 0 {
		t.Fatalf("1200 receivers: %d calls, failed %v", e.calls("POST /messages/v3/send"), res.FailedUserIDs)
	}
	got := e.sim.Messages(appID)
	if len(got) != 2 || len(got[0].To)+len(got[1].To) != 1200 {
		t.Fatalf("delivered %d messages", len(got))
	}

	card := must[welink.SendResult](t)(e.app.SendCard(ctx, welink.Card{ToUserList: to[:3], MsgOwner: "OA", MsgTitle: "审批", MsgContent: "请审批", URLPath: "https://oa.example.com/c/1"}))
	if len(card.ItemIDs) != 1 {
		t.Fatalf("card item ids %v", card.ItemIDs)
	}
	failed := must[[]string](t)(e.app.UpdateMessage(ctx, welink.MessageUpdate{ItemID: card.ItemIDs[0], ToUserList: to[:4], MessageStatus: `{"CN":"已处理","EN":"Done"}`, StatusColor: 2}))
	if len(failed) != 1 || failed[0] != to[3] {
		t.Fatalf("update failed list %v", failed)
	}
	if err := e.app.RecallMessage(ctx, card.ItemIDs[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.app.RecallMessage(ctx, "nope"); welink.CodeOf(err) != "47012" {
		t.Fatalf("recall unknown: %v", err)
	}
	wc := must[welink.SendResult](t)(e.app.SendWeCodeCard(ctx, welink.WeCodeCard{ToUserList: to[:2], MsgTitle: "报销",
		ContentList: []welink.CardLine{{Key: "金额", Value: "100"}}, URLPath: "https://oa.example.com/w/1"}))
	if len(wc.ItemIDs) != 1 {
		t.Fatalf("wecode card %+v", wc)
	}
	for _, m := range e.sim.Messages(appID) {
		if m.ItemID == card.ItemIDs[0] && (!m.Recalled || m.StatusColor != 2) {
			t.Fatalf("card state %+v", m)
		}
	}
}

func TestMessagesOutsideVisibleRange(t *testing.T) {
	e, org := orgEnv(t, 300)
	ctx := context.Background()
	in, out := org.Users[0], org.Users[1]
	for _, u := range org.Users[1:] {
		if u.MainDept != in.MainDept && u.Status == "3" {
			out = u
			break
		}
	}
	e.sim.SetVisibleRange(appID, sim.VisibleRange{DeptCodes: []string{in.MainDept}})
	msg := welink.Message{MsgTitle: "t", MsgContent: "c", URLPath: "https://x.example", MsgOwner: "OA"}

	// Only outsiders: 51019 with the refused ids.
	msg.ToUserList = []string{out.UserID}
	_, err := e.app.SendMessage(ctx, msg)
	if welink.CodeOf(err) != "51019" || len(welink.FailedUserIDs(err)) != 1 || welink.FailedUserIDs(err)[0] != out.UserID {
		t.Fatalf("outsider: %v (%v)", err, welink.FailedUserIDs(err))
	}
	// Mixed: delivered to the insider, the outsider reported.
	msg.ToUserList = []string{in.UserID, out.UserID}
	res := must[welink.SendResult](t)(e.app.SendMessage(ctx, msg))
	if len(res.FailedUserIDs) != 1 || res.FailedUserIDs[0] != out.UserID {
		t.Fatalf("mixed: %+v", res)
	}
	// To-dos follow the range too.
	todo := welink.Todo{TaskID: "r1", TaskTitle: "审批", UserID: out.UserID, UserNameCn: out.NameCn, UserNameEn: "x",
		DetailsURL: "https://oa.example.com/t/r1", AppName: "OA", ApplicantUserID: in.UserID, ApplicantUserNameCn: in.NameCn,
		ApplicantUserNameEn: "y", ApplicantID: "r1"}
	if _, err := e.app.AddTodo(ctx, todo); welink.CodeOf(err) != "51019" {
		t.Fatalf("to-do outside range: %v", err)
	}
}

func TestTodoLifecycle(t *testing.T) {
	e, org := orgEnv(t, 100)
	ctx := context.Background()
	a, b := org.Users[0], org.Users[1]
	todo := welink.Todo{TaskID: "wf-1001", TaskTitle: "请假申请", UserID: a.UserID, UserNameCn: a.NameCn, UserNameEn: "A",
		DetailsURL: "https://oa.example.com/wf/1001", DetailsURLPc: "https://oa.example.com/pc/wf/1001", AppName: "OA",
		ApplicantUserID: b.UserID, ApplicantUserNameCn: b.NameCn, ApplicantUserNameEn: "B", ApplicantID: "1001"}
	r := must[welink.TodoResult](t)(e.app.AddTodo(ctx, todo))
	if r.TaskID != "wf-1001" || r.UUID == "" || r.TenantID != e.sim.TenantID() {
		t.Fatalf("added %+v", r)
	}
	if _, err := e.app.AddTodo(ctx, todo); welink.CodeOf(err) != "55005" {
		t.Fatalf("duplicate taskId: %v", err)
	}
	bad := todo
	bad.TaskID, bad.AppName = "wf-1002", ""
	if _, err := e.app.AddTodo(ctx, bad); welink.CodeOf(err) != "55000" {
		t.Fatalf("missing appName: %v", err)
	}
	up := must[welink.TodoResult](t)(e.app.UpdateTodo(ctx, welink.TodoHandover{TaskID: "wf-1001", UserID: b.UserID, UserNameCn: b.NameCn, UserNameEn: "B"}))
	if up.UserID != b.UserID || up.LastModifyTime == "" {
		t.Fatalf("handed over %+v", up)
	}
	del := must[welink.TodoResult](t)(e.app.DeleteTodo(ctx, "wf-1001"))
	if del.UUID != r.UUID { // numeric on delete, a string on add: same value
		t.Fatalf("delete uuid %q vs %q", del.UUID, r.UUID)
	}
	if _, err := e.app.DeleteTodo(ctx, "wf-1001"); welink.CodeOf(err) != "55009" {
		t.Fatalf("second delete: %v", err)
	}
	st := e.sim.Todos(appID)
	if len(st) != 1 || !st[0].Deleted || len(st[0].Handlers) != 2 {
		t.Fatalf("stored to-dos %+v", st)
	}
}
