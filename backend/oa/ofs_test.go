package oa

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa/sim"
)

const ofsItemJSON = `{"syscode":"cloudbridge","flowid":"1001","requestname":"李四的请假申请","workflowname":"请假申请",
"nodename":"部门经理审批","pcurl":"http://oa/pc","appurl":"http://oa/app","isremark":"0","viewtype":"0",
"creator":"lisi","createdatetime":"2026-03-01 09:00:00","receiver":"zhangsan","receivedatetime":"2026-03-01 09:00:01",
"receivets":"1772326801000","customflag":"x"}`

func postOFS(t *testing.T, op, contentType, body string) ([]Todo, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/rest/ofs/"+op, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	return ParseOFS(r, op)
}

func TestOFSSingleJSON(t *testing.T) {
	todos, err := postOFS(t, "ReceiveRequestInfoByJson", "application/json", ofsItemJSON)
	if err != nil {
		t.Fatal(err)
	}
	want := Todo{Action: OFSUpsert, State: TodoPending, SysCode: "cloudbridge", FlowID: "1001", RequestName: "李四的请假申请",
		WorkflowName: "请假申请", NodeName: "部门经理审批", PCURL: "http://oa/pc", AppURL: "http://oa/app", Creator: "lisi",
		CreateDateTime: "2026-03-01 09:00:00", Receiver: "zhangsan", ReceiveDateTime: "2026-03-01 09:00:01",
		IsRemark: "0", ViewType: "0", ReceiveTS: 1772326801000, Extra: map[string]string{"customflag": "x"}}
	if len(todos) != 1 || !equalTodo(todos[0], want) {
		t.Fatalf("got %+v", todos)
	}
	if todos[0].Key() != "cloudbridge\x1f1001\x1fzhangsan" {
		t.Fatalf("key %q", todos[0].Key())
	}
}

func equalTodo(a, b Todo) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestOFSVariants(t *testing.T) {
	form := url.Values{"syscode": {"s"}, "flowid": {"9"}, "requestname": {"报销"}, "workflowname": {"费用报销"},
		"receiver": {"wangwu"}, "isremark": {"2"}, "viewtype": {"1"}}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	for k, v := range form {
		mw.WriteField(k, v[0])
	}
	mw.Close()
	for _, tc := range []struct {
		op, ct, body string
		want         []TodoState
		receivers    []string
	}{
		{"batchReceiveRequestInfoByJson", "application/json",
			`[{"syscode":"s","flowid":1,"requestname":"a","workflowname":"w","receiver":"u1","isremark":0,"viewtype":0},
			  {"syscode":"s","flowid":1,"requestname":"a","workflowname":"w","receiver":"u2","isremark":"4"},
			  {"syscode":"s","flowid":1,"requestname":"a","workflowname":"w","receiver":"u3","isremark":"8","viewtype":"-2"}]`,
			[]TodoState{TodoPending, TodoArchived, TodoCC}, []string{"u1", "u2", "u3"}},
		{"ReceiveTodoRequestByJson", "application/json",
			`{"syscode":"s","flowid":"2","requestname":"a","workflowname":"w","receiver":"u1"}`, []TodoState{TodoPending}, []string{"u1"}},
		{"processdonerequestbyjson", "text/plain", `{"syscode":"s","flowid":"2","requestname":"a","workflowname":"w","nodename":"n","receiver":"u1"}`,
			[]TodoState{TodoDone}, []string{"u1"}},
		{"ProcessOverRequestByJson", "application/json", `{"SysCode":"s","FlowId":"2","Receiver":"u1"}`, []TodoState{TodoArchived}, []string{"u1"}},
		{"deleteRequestInfoByJson", "application/json", `{"syscode":"s","flowid":"2","receiver":"ignored"}`, []TodoState{TodoDeleted}, []string{""}},
		{"batchDeleteUserRequestInfoByJson", "application/json", `[{"syscode":"s","flowid":"2","userid":"u1"},{"syscode":"s","flowid":"2","userid":"u2"}]`,
			[]TodoState{TodoDeleted, TodoDeleted}, []string{"u1", "u2"}},
		{"ReceiveRequestInfoByMap", "application/x-www-form-urlencoded", form.Encode(), []TodoState{TodoDone}, []string{"wangwu"}},
		{"ReceiveRequestInfoByMap", mw.FormDataContentType(), mp.String(), []TodoState{TodoDone}, []string{"wangwu"}},
		{"ReceiveRequestInfoByJson", "application/x-www-form-urlencoded", "data=" + url.QueryEscape(`{"syscode":"s","flowid":"3","requestname":"a","workflowname":"w","receiver":"u","isremark":"0"}`),
			[]TodoState{TodoPending}, []string{"u"}},
		{"ReceiveRequestInfoByJson", "application/json", `{"syscode":"s","flowid":"3","requestname":"a","workflowname":"w","receiver":"u","isremark":"-1"}`,
			[]TodoState{TodoDeleted}, []string{"u"}},
	} {
		todos, err := postOFS(t, tc.op, tc.ct, tc.body)
		if err != nil {
			t.Errorf("%s %s: %v", tc.op, tc.ct, err)
			continue
		}
		var states []TodoState
		var recv []string
		for _, td := range todos {
			states = append(states, td.State)
			recv = append(recv, td.Receiver)
		}
		if !slices.Equal(states, tc.want) || !slices.Equal(recv, tc.receivers) {
			t.Errorf("%s: states %v receivers %v", tc.op, states, recv)
		}
	}
	// A GBK body (an OA on a Chinese Windows server) is decoded.
	gbk := []byte(`{"syscode":"s","flowid":"5","requestname":"` + "\xc7\xeb\xbc\xd9" + `","workflowname":"w","receiver":"u","isremark":"0"}`)
	if todos, err := ParseOFSBody("ReceiveRequestInfoByJson", "application/json", gbk, nil); err != nil || todos[0].RequestName != "请假" {
		t.Errorf("GBK body: %+v %v", todos, err)
	}
	// Read flags: -2 (OA's internal "viewed") and 1 are read; done is read.
	todos, _ := postOFS(t, "batchReceiveRequestInfoByJson", "application/json",
		`[{"syscode":"s","flowid":1,"requestname":"a","workflowname":"w","receiver":"u1","isremark":0,"viewtype":"1"},
		  {"syscode":"s","flowid":1,"requestname":"a","workflowname":"w","receiver":"u2","isremark":0},
		  {"syscode":"s","flowid":1,"requestname":"a","workflowname":"w","receiver":"u3","isremark":2,"viewtype":"0"}]`)
	if len(todos) != 3 || !todos[0].Read || todos[1].Read || !todos[2].Read {
		t.Fatalf("read flags %+v", todos)
	}
}

func TestOFSRejects(t *testing.T) {
	for _, tc := range []struct {
		op, body string
		kind     core.Kind
	}{
		{"ReceiveSomethingByJson", `{}`, core.ErrOAOFSOperation},
		{"ReceiveRequestInfoByXml", `<x/>`, core.ErrOAOFSOperation},
		{"ReceiveRequestInfoByJson", ``, core.ErrOAOFSBody},
		{"ReceiveRequestInfoByJson", `{"syscode":`, core.ErrOAOFSBody},
		{"ReceiveRequestInfoByJson", `{"a":1} {"b":2}`, core.ErrOAOFSBody},
		{"ReceiveRequestInfoByJson", `[]`, core.ErrOAOFSBody},
		{"ReceiveRequestInfoByJson", `[1,2]`, core.ErrOAOFSBody},
		{"ReceiveRequestInfoByJson", `hello`, core.ErrOAOFSBody},
		{"ReceiveRequestInfoByJson", `{"syscode":"s","flowid":"1"}`, core.ErrOAOFSMissing},
		{"ReceiveRequestInfoByJson", strings.Replace(ofsItemJSON, `"isremark":"0"`, `"isremark":"3"`, 1), core.ErrOAOFSBadValue},
		{"ReceiveRequestInfoByJson", strings.Replace(ofsItemJSON, `"viewtype":"0"`, `"viewtype":"x"`, 1), core.ErrOAOFSBadValue},
		{"ReceiveRequestInfoByJson", strings.Replace(ofsItemJSON, `2026-03-01 09:00:00`, `yesterday`, 1), core.ErrOAOFSBadValue},
		{"ReceiveRequestInfoByJson", strings.Replace(ofsItemJSON, `"1772326801000"`, `"soon"`, 1), core.ErrOAOFSBadValue},
		{"ReceiveRequestInfoByJson", strings.Replace(ofsItemJSON, `李四的请假申请`, strings.Repeat("长", 4001), 1), core.ErrOAOFSBadValue},
		{"deleteUserRequestInfoByJson", `{"syscode":"s","flowid":"1"}`, core.ErrOAOFSMissing},
		{"ReceiveRequestInfoByMap", ``, core.ErrOAOFSBody},
		{"batchReceiveRequestInfoByJson", "[" + strings.Repeat(`{},`, OFSMaxItems) + "{}]", core.ErrOAOFSTooMany},
	} {
		todos, err := postOFS(t, tc.op, "application/json", tc.body)
		if todos != nil || !core.Of(err, tc.kind) {
			t.Errorf("%s %.40q: %v (todos %d), want %s", tc.op, tc.body, err, len(todos), tc.kind.Code)
		}
	}
	big := httptest.NewRequest(http.MethodPost, "/rest/ofs/x", bytes.NewReader(make([]byte, OFSMaxBody+10)))
	if _, err := ParseOFS(big, "batchReceiveRequestInfoByJson"); !core.Of(err, core.ErrBodyTooLarge) {
		t.Fatalf("oversized body: %v", err)
	}
}

func TestOFSPartialBatchAndReply(t *testing.T) {
	body := `[` + ofsItemJSON + `,{"syscode":"cloudbridge","flowid":"1002"},` + strings.Replace(ofsItemJSON, `"isremark":"0"`, `"isremark":"7"`, 1) + `]`
	todos, err := postOFS(t, "batchReceiveRequestInfoByJson", "application/json", body)
	if len(todos) != 1 || !core.Of(err, core.ErrOAOFSPartial) {
		t.Fatalf("todos %d err %v", len(todos), err)
	}
	var items OFSErrors
	if !errors.As(err, &items) || len(items) != 2 || items[0].Index != 1 || !core.Of(items[0].Err, core.ErrOAOFSMissing) ||
		items[1].Index != 2 || !core.Of(items[1].Err, core.ErrOAOFSBadValue) {
		t.Fatalf("item errors %+v", items)
	}
	reply := NewOFSReply("batchReceiveRequestInfoByJson", todos, err, "zh-CN")
	if reply.OperResult != "0" || reply.SysCode != "cloudbridge" || reply.DataType == "" || reply.OperType != "AutoNew" ||
		!strings.Contains(reply.Message, "3 条中有 2 条被拒收") || !strings.Contains(reply.Message, "缺少字段") {
		t.Fatalf("reply %+v", reply)
	}
	ok := NewOFSReply("deleteUserRequestInfoByJson", []Todo{{SysCode: "s"}}, nil, "en-US")
	if ok.OperResult != "1" || ok.OperType != "AutoDel" || ok.Message != "1 item(s) accepted" {
		t.Fatalf("ok reply %+v", ok)
	}
	rec := httptest.NewRecorder()
	WriteOFSReply(rec, ok)
	var m map[string]string
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &m) != nil ||
		!slices.Equal(sortedKeys(m), []string{"dataType", "message", "operResult", "operType", "syscode"}) {
		t.Fatalf("written reply %d %s", rec.Code, rec.Body)
	}
	if n := len(OFSOperations()); n != 24 {
		t.Fatalf("%d operations", n)
	}
	for _, op := range OFSOperations() {
		if _, err := LookupOFSOp("/rest/ofs/" + strings.ToLower(op)); err != nil {
			t.Fatal(op, err)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestOFSFromEmulatorPusher runs the emulator's stock-class pusher against
// a receiver built from ParseOFS/WriteOFSReply.
func TestOFSFromEmulatorPusher(t *testing.T) {
	var mu sync.Mutex
	var got []Todo
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		todos, err := ParseOFS(r, op)
		mu.Lock()
		got = append(got, todos...)
		mu.Unlock()
		WriteOFSReply(w, NewOFSReply(op, todos, err, "zh-CN"))
	}))
	defer recv.Close()
	s, _ := newSim(t, sim.Options{OFSReceiverURL: recv.URL})
	id, err := s.NewRequest(sim.UserLiSi, "请假申请", "李四的请假申请", sim.UserZhangSan, sim.UserSunQi)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.ViewRequest(id, sim.UserZhangSan))
	must(s.CC(id, sim.UserWangWu))
	must(s.Submit(id, sim.UserZhangSan, sim.UserZhaoLiu))
	must(s.Submit(id, sim.UserZhaoLiu))
	must(s.DeleteRequest(id))

	type step struct {
		recv  string
		state TodoState
		read  bool
	}
	var steps []step
	for _, td := range got {
		if td.SysCode != sim.DemoOFSSysCode || td.FlowID == "" {
			t.Fatalf("item %+v", td)
		}
		steps = append(steps, step{td.Receiver, td.State, td.Read})
	}
	want := []step{
		{"zhangsan", TodoPending, false}, // 孙七 left: the stock class skips leavers
		{"zhangsan", TodoPending, true},
		{"wangwu", TodoCC, false},
		{"zhangsan", TodoDone, true}, {"zhaoliu", TodoPending, false},
		{"zhangsan", TodoArchived, true}, {"wangwu", TodoCC, false}, {"zhaoliu", TodoArchived, true},
		{"zhangsan", TodoDeleted, false}, {"wangwu", TodoDeleted, false}, {"zhaoliu", TodoDeleted, false},
	}
	if !slices.Equal(steps, want) {
		t.Fatalf("pushed\n got %v\nwant %v", steps, want)
	}
	for _, p := range s.Pushes() {
		if p.Status != 200 || p.Err != "" {
			t.Fatalf("push %+v", p)
		}
	}
	if got[0].ReceiveTS == 0 || got[0].PCURL == "" || got[0].AppURL == "" || got[0].CreateDateTime == "" {
		t.Fatalf("stock fields missing: %+v", got[0])
	}
}

func FuzzParseOFS(f *testing.F) {
	for _, seed := range []struct{ op, ct, body string }{
		{"ReceiveRequestInfoByJson", "application/json", ofsItemJSON},
		{"batchReceiveRequestInfoByJson", "application/json", "[" + ofsItemJSON + "," + ofsItemJSON + "]"},
		{"batchDeleteUserRequestInfoByJson", "application/json", `[{"syscode":"s","flowid":"1","userid":"u"}]`},
		{"ReceiveTodoRequestByMap", "application/x-www-form-urlencoded", "syscode=s&flowid=1&requestname=a&workflowname=w&receiver=u"},
		{"ReceiveRequestInfoByJson", "application/x-www-form-urlencoded", "data=%7B%22a%22%3A1%7D"},
		{"ProcessDoneRequestByMap", "multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"syscode\"\r\n\r\ns\r\n--X--\r\n"},
		{"deleteRequestInfoByJson", "application/json", `{"syscode":1e400,"flowid":null}`},
		{"ReceiveRequestInfoByJson", "", "\xef\xbb\xbf{\"data\":[{}]}"},
	} {
		f.Add(seed.op, seed.ct, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, op, ct string, body []byte) {
		todos, err := ParseOFSBody(op, ct, body, nil)
		if err == nil && len(todos) == 0 {
			t.Fatal("no items and no error")
		}
		if err != nil && !core.Of(err, core.ErrOAOFSPartial) && todos != nil {
			t.Fatalf("items returned with a non-partial error %v", err)
		}
		for _, td := range todos {
			if td.SysCode == "" || td.FlowID == "" || td.State == "" {
				t.Fatalf("invalid item accepted: %+v", td)
			}
			if td.State != TodoDeleted && td.Action != OFSDelete && td.Receiver == "" {
				t.Fatalf("item without receiver: %+v", td)
			}
		}
		_ = NewOFSReply(op, todos, err, "en-US")
	})
}
