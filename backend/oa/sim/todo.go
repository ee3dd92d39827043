package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Request is an OA workflow request and its operators.
type Request struct {
	ID           int
	WorkflowID   int
	WorkflowName string
	Name         string
	Creator      int
	Created      time.Time
	NodeName     string
	Operators    []Operator
}

// Operator is one receiver's row (workflow_currentoperator).
type Operator struct {
	UserID   int
	IsRemark int // 0 pending, 2 done, 4 archived, 8 CC
	ViewType int // 0 unread, -2 read
	Received time.Time
	Operated time.Time
}

// Push is one HTTP call of the OFS pusher.
type Push struct {
	URL    string
	Body   []byte
	Status int    // 0 when the call failed
	Err    string // transport error
	At     time.Time
}

var workflows = map[string]int{"请假申请": 101, "费用报销": 102, "采购申请": 103, "用印申请": 104, "出差申请": 105}

func (s *Server) seedRequests() {
	// A few pending items for the demo users, present before any push.
	t := baseTime.Add(400 * 24 * time.Hour)
	add := func(name, wf string, creator int, receivers ...int) {
		s.nextReq++
		req := &Request{ID: s.nextReq, WorkflowID: workflows[wf], WorkflowName: wf, Name: name, Creator: creator,
			Created: t, NodeName: "部门经理审批"}
		for _, r := range receivers {
			req.Operators = append(req.Operators, Operator{UserID: r, Received: t})
		}
		s.requests[req.ID] = req
	}
	add("李四的请假申请-2025-01-06", "请假申请", UserLiSi, UserZhangSan)
	add("王五的费用报销-差旅费", "费用报销", UserWangWu, UserZhangSan)
	add("吴九的用印申请", "用印申请", UserWuJiu, UserZhangSan, UserLiSi)
}

// NewRequest creates a request with pending items for receivers and
// pushes them. It returns the request id.
func (s *Server) NewRequest(creator int, workflowName, title string, receivers ...int) (int, error) {
	s.mu.Lock()
	if s.userByID(creator) == nil {
		s.mu.Unlock()
		return 0, fmt.Errorf("sim: unknown creator %d", creator)
	}
	now := s.clock.Now()
	s.nextReq++
	wf, ok := workflows[workflowName]
	if !ok {
		wf = 199
	}
	req := &Request{ID: s.nextReq, WorkflowID: wf, WorkflowName: workflowName, Name: title, Creator: creator,
		Created: now, NodeName: "审批"}
	for _, r := range receivers {
		if s.userByID(r) == nil {
			s.mu.Unlock()
			return 0, fmt.Errorf("sim: unknown receiver %d", r)
		}
		req.Operators = append(req.Operators, Operator{UserID: r, Received: now})
	}
	s.requests[req.ID] = req
	batch := s.pushItemsLocked(req, receivers)
	s.mu.Unlock()
	s.send("batchReceiveRequestInfoByJson", batch)
	return req.ID, nil
}

// ViewRequest marks the user's item read and pushes it (viewtype 1).
func (s *Server) ViewRequest(id, user int) error {
	s.mu.Lock()
	req := s.requests[id]
	op := req.operator(user)
	if op == nil {
		s.mu.Unlock()
		return fmt.Errorf("sim: %d has no item in request %d", user, id)
	}
	op.ViewType = -2
	batch := s.pushItemsLocked(req, []int{user})
	s.mu.Unlock()
	s.send("batchReceiveRequestInfoByJson", batch)
	return nil
}

// Submit completes user's item (isremark 2) and hands the request to next
// (new pending items). With no next the request is archived: every item
// becomes isremark 4, as the stock push class reports iscomplete=1.
func (s *Server) Submit(id, user int, next ...int) error {
	s.mu.Lock()
	req := s.requests[id]
	op := req.operator(user)
	if op == nil {
		s.mu.Unlock()
		return fmt.Errorf("sim: %d has no item in request %d", user, id)
	}
	now := s.clock.Now()
	op.IsRemark, op.ViewType, op.Operated = 2, -2, now
	changed := []int{user}
	req.NodeName = "下一节点审批"
	for _, n := range next {
		if o := req.operator(n); o != nil {
			o.IsRemark, o.ViewType, o.Received = 0, 0, now
		} else {
			req.Operators = append(req.Operators, Operator{UserID: n, Received: now})
		}
		changed = append(changed, n)
	}
	if len(next) == 0 {
		req.NodeName = "归档"
		changed = changed[:0]
		for i := range req.Operators {
			if req.Operators[i].IsRemark != 8 {
				req.Operators[i].IsRemark = 4
			}
			changed = append(changed, req.Operators[i].UserID)
		}
	}
	batch := s.pushItemsLocked(req, changed)
	s.mu.Unlock()
	s.send("batchReceiveRequestInfoByJson", batch)
	return nil
}

// CC copies the request to users (isremark 8).
func (s *Server) CC(id int, users ...int) error {
	s.mu.Lock()
	req := s.requests[id]
	if req == nil {
		s.mu.Unlock()
		return fmt.Errorf("sim: no request %d", id)
	}
	now := s.clock.Now()
	for _, u := range users {
		req.Operators = append(req.Operators, Operator{UserID: u, IsRemark: 8, Received: now})
	}
	batch := s.pushItemsLocked(req, users)
	s.mu.Unlock()
	s.send("batchReceiveRequestInfoByJson", batch)
	return nil
}

// DeleteRequest deletes a request and pushes one deletion per receiver.
func (s *Server) DeleteRequest(id int) error {
	s.mu.Lock()
	req := s.requests[id]
	if req == nil {
		s.mu.Unlock()
		return fmt.Errorf("sim: no request %d", id)
	}
	delete(s.requests, id)
	var dels []map[string]string
	for _, op := range req.Operators {
		if u := s.userByID(op.UserID); u != nil && u.Status < 4 {
			dels = append(dels, map[string]string{"syscode": s.opts.OFSSysCode, "flowid": strconv.Itoa(req.ID),
				"userid": s.personLocked(u)})
		}
	}
	s.mu.Unlock()
	s.send("batchDeleteUserRequestInfoByJson", dels)
	return nil
}

// Requests returns a copy of the open requests.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, 0, len(s.requests))
	for _, r := range s.requests {
		cp := *r
		cp.Operators = slices.Clone(r.Operators)
		out = append(out, cp)
	}
	slices.SortFunc(out, func(a, b Request) int { return a.ID - b.ID })
	return out
}

// Pushes returns the OFS pusher's log.
func (s *Server) Pushes() []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pushes)
}

func (r *Request) operator(user int) *Operator {
	if r == nil {
		return nil
	}
	for i := range r.Operators {
		if r.Operators[i].UserID == user {
			return &r.Operators[i]
		}
	}
	return nil
}

// personLocked renders a person with the configured conversion rule.
func (s *Server) personLocked(u *User) string {
	switch s.opts.OFSPersonRule {
	case "id":
		return strconv.Itoa(u.ID)
	case "workcode":
		return u.WorkCode
	case "email":
		return u.Email
	}
	return u.LoginID
}

// pushItemsLocked builds the stock push class's items for some receivers
// of req (reference §4.1): skip leavers, viewtype -2 → "1", isremark as is.
func (s *Server) pushItemsLocked(req *Request, users []int) []map[string]string {
	base := s.publicURL
	creator := s.userByID(req.Creator)
	ts := strconv.FormatInt(s.clock.Now().UnixMilli(), 10)
	var out []map[string]string
	for _, uid := range users {
		op := req.operator(uid)
		u := s.userByID(uid)
		if op == nil || u == nil || u.Status >= 4 {
			continue
		}
		view := "0"
		if op.ViewType == -2 || op.ViewType == -1 {
			view = "1"
		}
		// The stock class builds an AES-protected SSO link the bridge
		// cannot open; the emulator sends an opaque stand-in.
		para := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("sim:%d#%s", req.ID, u.LoginID)))
		mobile := "/spa/workflow/static4mobileform/index.html#/req?requestid=" + strconv.Itoa(req.ID)
		out = append(out, map[string]string{
			"syscode": s.opts.OFSSysCode, "flowid": strconv.Itoa(req.ID), "requestname": req.Name,
			"workflowname": req.WorkflowName, "nodename": req.NodeName,
			"pcurl":    base + "/login/VerifySSoLogin.jsp?para=" + para,
			"appurl":   base + "/verifyLogin.do?url=" + url.QueryEscape(mobile) + "&secret=" + para,
			"isremark": strconv.Itoa(op.IsRemark), "viewtype": view,
			"creator": s.personLocked(creator), "createdatetime": fmtTime(req.Created),
			"receiver": s.personLocked(u), "receivedatetime": fmtTime(op.Received), "receivets": ts,
		})
	}
	return out
}

// send posts one batch, once: the stock class ignores the answer and
// never retries (the gap the bridge's reconciliation covers).
func (s *Server) send(op string, items []map[string]string) {
	s.mu.Lock()
	target := s.opts.OFSReceiverURL
	client := s.opts.OFSClient
	s.mu.Unlock()
	if target == "" || len(items) == 0 {
		return
	}
	body, _ := json.Marshal(items)
	p := Push{URL: target + "/rest/ofs/" + op, Body: body, At: s.clock.Now()}
	req, err := http.NewRequest(http.MethodPost, p.URL, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		var resp *http.Response
		if resp, err = client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			p.Status = resp.StatusCode
		}
	}
	if err != nil {
		p.Err = err.Error()
		s.log.Warn("sim: OFS push failed (not retried, as the stock class)", "url", p.URL, "err", err)
	}
	s.mu.Lock()
	s.pushes = append(s.pushes, p)
	s.mu.Unlock()
}

// handleTodoList emulates paService getToDoWorkflowRequestList: the
// pending items of the ec/dev acting user, as a JSON array.
func (s *Server) handleTodoList(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("token") == "" {
		writeJSON(w, http.StatusOK, map[string]any{"status": false, "code": -1, "msg": "token:不存在或者超时"})
		return
	}
	uid, msg := s.checkECDev(r)
	if msg != "" {
		writeJSON(w, http.StatusOK, map[string]any{"status": false, "code": -1, "msg": msg})
		return
	}
	_ = r.ParseForm()
	page, size := atoiDefault(r.PostForm.Get("pageNo"), 1), atoiDefault(r.PostForm.Get("pageSize"), 10)
	if page < 1 || size < 1 {
		writeJSON(w, http.StatusOK, []any{})
		return
	}
	s.mu.Lock()
	var items []map[string]any
	for _, req := range s.sortedRequestsLocked() {
		op := req.operator(uid)
		if op == nil || (op.IsRemark != 0 && op.IsRemark != 1) {
			continue
		}
		creator := s.userByID(req.Creator)
		items = append(items, map[string]any{
			"requestId": strconv.Itoa(req.ID), "requestName": req.Name,
			"workflowBaseInfo": map[string]string{"workflowId": strconv.Itoa(req.WorkflowID), "workflowName": req.WorkflowName,
				"workflowTypeId": "1", "workflowTypeName": "行政"},
			"currentNodeId": "1", "currentNodeName": req.NodeName,
			"creatorId": strconv.Itoa(req.Creator), "creatorName": creator.LastName,
			"createTime": fmtTime(req.Created), "receiveTime": fmtTime(op.Received), "lastOperateTime": fmtTime(op.Received),
			"lastOperatorId": strconv.Itoa(req.Creator), "lastOperatorName": creator.LastName,
			"requestLevel": "0", "status": req.NodeName, "sysName": "e-cology",
		})
	}
	s.mu.Unlock()
	from := min((page-1)*size, len(items))
	to := min(from+size, len(items))
	out := items[from:to]
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, out)
}

// sortedRequestsLocked lists requests by id; the caller holds s.mu.
func (s *Server) sortedRequestsLocked() []*Request {
	out := make([]*Request, 0, len(s.requests))
	for _, r := range s.requests {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *Request) int { return a.ID - b.ID })
	return out
}
