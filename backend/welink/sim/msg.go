package sim

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is what the emulator delivered (or refused) for a send call.
type Message struct {
	ItemID      string          `json:"itemId"`
	ClientID    string          `json:"clientId"`
	Kind        string          `json:"kind"` // text, card, wecode
	To          []string        `json:"to"`   // receivers reached
	Failed      []string        `json:"failed,omitempty"`
	Owner       string          `json:"owner,omitempty"`
	Title       string          `json:"title,omitempty"`
	Content     string          `json:"content,omitempty"`
	URL         string          `json:"url,omitempty"`
	DesktopURL  string          `json:"desktopUrl,omitempty"`
	Status      string          `json:"status,omitempty"` // messageStatus
	StatusColor int             `json:"statusColor,omitempty"`
	Recalled    bool            `json:"recalled,omitempty"`
	Sent        time.Time       `json:"sent"`
	Body        json.RawMessage `json:"body"` // the request as received
}

// Todo is a stored to-do.
type Todo struct {
	TaskID              string    `json:"taskId"`
	ClientID            string    `json:"clientId"`
	UUID                string    `json:"uuid"`
	Title               string    `json:"taskTitle"`
	UserID              string    `json:"userId"`
	UserNameCn          string    `json:"userNameCn"`
	UserNameEn          string    `json:"userNameEn"`
	DetailsURL          string    `json:"detailsUrl"`
	DetailsURLPc        string    `json:"detailsUrlPc,omitempty"`
	AppName             string    `json:"appName"`
	TaskDesc            string    `json:"taskDesc,omitempty"`
	ApplicantUserID     string    `json:"applicantUserId"`
	ApplicantUserNameCn string    `json:"applicantUserNameCn"`
	ApplicantUserNameEn string    `json:"applicantUserNameEn"`
	ApplicantID         string    `json:"applicantId"`
	BusinessCode        string    `json:"businessCode,omitempty"`
	IsMsg               int       `json:"isMsg"`
	Handlers            []string  `json:"handlers"` // every userId it was assigned to, in order
	Deleted             bool      `json:"deleted"`
	Created             time.Time `json:"created"`
	Modified            time.Time `json:"modified"`
}

// Messages returns the messages sent by an app ("" = all apps), oldest first.
func (s *Server) Messages(clientID string) []Message {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Message
	for _, m := range s.msgs {
		if clientID == "" || m.ClientID == clientID {
			out = append(out, *m)
		}
	}
	return out
}

// Todos returns the to-dos of an app ("" = all apps), deleted ones
// included, by creation time.
func (s *Server) Todos(clientID string) []Todo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Todo
	for id, m := range s.todos {
		if clientID != "" && id != clientID {
			continue
		}
		for _, t := range m {
			x := *t
			x.Handlers = append([]string(nil), t.Handlers...)
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].TaskID < out[j].TaskID
	})
	return out
}

// truncate cuts s to n bytes on a rune boundary (WeLink truncates long
// titles and contents).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// reachable splits receivers into those the app may reach and the rest
// (unknown, closed or outside the visible range → 51019's failedUserId).
// Caller holds s.mu.
func (s *Server) reachable(a *app, ids []string) (ok, failed []string) {
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		u := s.org.users[id]
		if u == nil || u.Status == "4" || !a.rng.user(s.org, u) {
			failed = append(failed, id)
			continue
		}
		ok = append(ok, id)
	}
	return ok, failed
}

type msgIn struct {
	PublicAccID    string          `json:"publicAccID"`
	MsgRange       json.RawMessage `json:"msgRange"` // string or number
	ToUserList     []string        `json:"toUserList"`
	DepartmentList []string        `json:"departmentList"`
	RoleList       []string        `json:"roleList"`
	MsgOwner       string          `json:"msgOwner"`
	MsgTitle       string          `json:"msgTitle"`
	MsgContent     string          `json:"msgContent"`
	URLType        string          `json:"urlType"`
	URLPath        string          `json:"urlPath"`
	DesktopURLPath string          `json:"desktopUrlPath"`
	MessageStatus  string          `json:"messageStatus"`
	StatusColor    int             `json:"statusColor"`
	ContentList    []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"contentList"`
	BtnType string `json:"btnType"`
	BtnList []struct {
		BtnTitle string `json:"btnTitle"`
		BtnURL   string `json:"btnUrl"`
	} `json:"btnList"`
}

func (m *msgIn) rangeValue() string {
	var s string
	if json.Unmarshal(m.MsgRange, &s) == nil {
		return s
	}
	if len(m.MsgRange) == 0 {
		return "0"
	}
	return string(m.MsgRange)
}

// hSend serves the three send APIs. Validation codes are not documented
// for messages; 47003 (empty), 47004 (invalid) and 47013 (too many) are
// borrowed from the contact family (inferred). 51019 is documented.
func hSend(kind string) func(*call) {
	return func(c *call) {
		var in msgIn
		if !c.decode(&in) {
			return
		}
		rng := in.rangeValue()
		if kind == "text" && rng != "0" {
			c.fail("47004", "msgRange只支持0", nil)
			return
		}
		switch {
		case kind != "wecode" && in.MsgOwner == "":
			c.fail("47003", "msgOwner为空", nil)
			return
		case kind == "text" && (in.MsgTitle == "" || in.MsgContent == "" || in.URLPath == ""):
			c.fail("47003", "msgTitle、msgContent、urlPath不能为空", nil)
			return
		case kind == "wecode" && (len(in.ContentList) == 0 || in.URLPath == ""):
			c.fail("47003", "contentList、urlPath不能为空", nil)
			return
		case kind == "wecode" && len(in.ContentList) > 5:
			c.fail("47004", "contentList最多5行", nil)
			return
		case len(in.ToUserList) > 1000:
			c.fail("47013", "toUserList最多1000人", nil)
			return
		case len(in.DepartmentList) > 100 || len(in.RoleList) > 100:
			c.fail("47013", "departmentList、roleList最多100个", nil)
			return
		}
		c.s.mu.Lock()
		var targets []string
		switch rng {
		case "0", "":
			if len(in.ToUserList) == 0 {
				c.s.mu.Unlock()
				c.fail("47003", "toUserList为空", nil)
				return
			}
			targets = in.ToUserList
		case "1":
			for _, code := range in.DepartmentList {
				d := c.s.org.depts[code]
				if d == nil {
					continue
				}
				for _, x := range append([]*dept{d}, d.descendants()...) {
					for _, u := range x.users {
						targets = append(targets, u.UserID)
					}
				}
			}
		case "2":
			// Roles are not emulated: accepted, nobody is reached.
		default:
			c.s.mu.Unlock()
			c.fail("47004", "msgRange不正确", nil)
			return
		}
		ok, failed := c.s.reachable(c.app, targets)
		if len(failed) > 0 && (c.s.opts.StrictScope || len(ok) == 0 && rng == "0") {
			c.s.mu.Unlock()
			c.fail("51019", "不能给非粉丝用户推送消息", struct {
				FailedUserID []string `json:"failedUserId"`
			}{failed})
			return
		}
		m := &Message{ItemID: uuidLike(), ClientID: c.app.spec.ClientID, Kind: kind, To: ok, Failed: failed,
			Owner: truncate(in.MsgOwner, 18), Title: truncate(in.MsgTitle, 128), Content: truncate(in.MsgContent, 512),
			URL: in.URLPath, DesktopURL: in.DesktopURLPath, Status: in.MessageStatus, StatusColor: in.StatusColor,
			Sent: c.now, Body: append(json.RawMessage(nil), c.body...)}
		if kind == "wecode" && m.Content == "" {
			var lines []string
			for _, l := range in.ContentList {
				lines = append(lines, l.Key+": "+l.Value)
			}
			m.Content = strings.Join(lines, "\n")
		}
		c.s.msgs = append(c.s.msgs, m)
		c.s.msgByID[m.ItemID] = m
		c.s.mu.Unlock()
		out := struct {
			ItemID       string   `json:"itemId,omitempty"`
			FailedUserID []string `json:"failedUserId,omitempty"`
		}{FailedUserID: failed}
		if kind != "text" {
			out.ItemID = m.ItemID // text notifications return no itemId
		}
		c.ok("ok", out)
	}
}

// POST /messages/v1/update
func hMsgUpdate(c *call) {
	var in struct {
		ItemID        string   `json:"itemId"`
		ToUserList    []string `json:"toUserList"`
		MessageStatus string   `json:"messageStatus"`
		StatusColor   int      `json:"statusColor"`
	}
	if !c.decode(&in) {
		return
	}
	if in.ItemID == "" {
		c.fail("47003", "itemId为空", nil)
		return
	}
	c.s.mu.Lock()
	m := c.s.msgByID[in.ItemID]
	if m == nil || m.ClientID != c.app.spec.ClientID {
		c.s.mu.Unlock()
		c.fail("47012", "消息不存在", nil)
		return
	}
	var failed []string
	to := map[string]bool{}
	for _, u := range m.To {
		to[u] = true
	}
	for _, u := range in.ToUserList {
		if !to[u] {
			failed = append(failed, u)
		}
	}
	if in.MessageStatus != "" {
		m.Status = in.MessageStatus
	}
	if in.StatusColor != 0 {
		m.StatusColor = in.StatusColor
	}
	c.s.mu.Unlock()
	c.ok("ok", struct {
		FailedUserID []string `json:"failedUserId,omitempty"`
	}{failed})
}

// POST /messages/v1/recall: cards, images and news only.
func hMsgRecall(c *call) {
	var in struct {
		ItemID string `json:"itemId"`
	}
	if !c.decode(&in) {
		return
	}
	if in.ItemID == "" {
		c.fail("47003", "itemId为空", nil)
		return
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	m := c.s.msgByID[in.ItemID]
	switch {
	case m == nil || m.ClientID != c.app.spec.ClientID:
		c.fail("47012", "消息不存在", nil)
	case m.Kind == "text":
		c.fail("47004", "该类型消息不支持撤回", nil)
	default:
		m.Recalled = true
		c.ok("ok", nil)
	}
}

// To-do. Codes: 55000 missing parameters, 55005 validation failed, 55008
// update failed, 55009 delete failed (documented texts; which case gets
// which is inferred: an unknown taskId answers 55008/55009, a repeated
// taskId 55005).

type todoIn struct {
	TaskID                  string `json:"taskId"`
	TaskTitle               string `json:"taskTitle"`
	UserID                  string `json:"userId"`
	UserNameCn              string `json:"userNameCn"`
	UserNameEn              string `json:"userNameEn"`
	DetailsURL              string `json:"detailsUrl"`
	DetailsURLPc            string `json:"detailsUrlPc"`
	AppName                 string `json:"appName"`
	TaskDesc                string `json:"taskDesc"`
	ApplicantUserID         string `json:"applicantUserId"`
	ApplicantUserNameCn     string `json:"applicantUserNameCn"`
	ApplicantUserNameEn     string `json:"applicantUserNameEn"`
	IsMsg                   int    `json:"isMsg"`
	IsShowApplicantUserName *bool  `json:"isShowApplicantUserName"`
	ApplicantID             string `json:"applicantId"`
	BusinessCode            string `json:"businessCode"`
}

type jTodo struct {
	TaskID               string `json:"taskId,omitempty"`
	UUID                 string `json:"uuid,omitempty"`
	UserTaskCompleteUUID string `json:"userTaskCompleteUuid,omitempty"`
	TaskTitle            string `json:"taskTitle,omitempty"`
	UserID               string `json:"userId,omitempty"`
	UserNameCn           string `json:"userNameCn,omitempty"`
	UserNameEn           string `json:"userNameEn,omitempty"`
	DetailsURL           string `json:"detailsUrl,omitempty"`
	DetailsURLPc         string `json:"detailsUrlPc,omitempty"`
	AppName              string `json:"appName,omitempty"`
	TaskDesc             string `json:"taskDesc,omitempty"`
	ApplicantUserID      string `json:"applicantUserId,omitempty"`
	ApplicantUserNameCn  string `json:"applicantUserNameCn,omitempty"`
	ApplicantUserNameEn  string `json:"applicantUserNameEn,omitempty"`
	TenantID             string `json:"tenantId,omitempty"`
	IsMsg                int    `json:"isMsg"`
	ApplicantID          string `json:"applicantId,omitempty"`
	BusinessCode         string `json:"businessCode,omitempty"`
	CreateTime           string `json:"createTime,omitempty"`
	LastModifyTime       string `json:"lastModifyTime,omitempty"`
}

func (s *Server) jTodo(t *Todo) jTodo {
	return jTodo{TaskID: t.TaskID, UUID: t.UUID, TaskTitle: t.Title, UserID: t.UserID, UserNameCn: t.UserNameCn,
		UserNameEn: t.UserNameEn, DetailsURL: t.DetailsURL, DetailsURLPc: t.DetailsURLPc, AppName: t.AppName,
		TaskDesc: t.TaskDesc, ApplicantUserID: t.ApplicantUserID, ApplicantUserNameCn: t.ApplicantUserNameCn,
		ApplicantUserNameEn: t.ApplicantUserNameEn, TenantID: s.tenant.TenantID, IsMsg: t.IsMsg,
		ApplicantID: t.ApplicantID, BusinessCode: t.BusinessCode}
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// POST /todo/v3/addtask
func hTodoAdd(c *call) {
	var in todoIn
	if !c.decode(&in) {
		return
	}
	for _, f := range []string{in.TaskID, in.TaskTitle, in.UserID, in.UserNameCn, in.UserNameEn, in.DetailsURL,
		in.AppName, in.ApplicantUserID, in.ApplicantUserNameCn, in.ApplicantUserNameEn, in.ApplicantID} {
		if strings.TrimSpace(f) == "" {
			c.fail("55000", "缺少必填参数", nil)
			return
		}
	}
	if in.DetailsURLPc != "" && !httpURL(in.DetailsURLPc) {
		c.fail("55005", "detailsUrlPc只支持http/https", nil)
		return
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if _, failed := c.s.reachable(c.app, []string{in.UserID}); len(failed) > 0 {
		c.fail("51019", "用户不在应用可见范围内", struct {
			FailedUserID []string `json:"failedUserId"`
		}{failed})
		return
	}
	store := c.s.todos[c.app.spec.ClientID]
	if store == nil {
		store = map[string]*Todo{}
		c.s.todos[c.app.spec.ClientID] = store
	}
	if old := store[in.TaskID]; old != nil && !old.Deleted {
		c.fail("55005", "taskId已存在", nil)
		return
	}
	t := &Todo{TaskID: in.TaskID, ClientID: c.app.spec.ClientID, UUID: strconv.FormatInt(600498847140958208+c.s.seq.Add(1), 10),
		Title: in.TaskTitle, UserID: in.UserID, UserNameCn: in.UserNameCn, UserNameEn: in.UserNameEn,
		DetailsURL: in.DetailsURL, DetailsURLPc: in.DetailsURLPc, AppName: in.AppName, TaskDesc: in.TaskDesc,
		ApplicantUserID: in.ApplicantUserID, ApplicantUserNameCn: in.ApplicantUserNameCn, ApplicantUserNameEn: in.ApplicantUserNameEn,
		ApplicantID: in.ApplicantID, BusinessCode: in.BusinessCode, IsMsg: in.IsMsg, Handlers: []string{in.UserID},
		Created: c.now, Modified: c.now}
	store[in.TaskID] = t
	c.ok("新增待办任务成功!", struct {
		Data jTodo `json:"data"`
	}{c.s.jTodo(t)})
}

// PUT /todo/v2/updatetask?taskId=&userId=&userNameCn=&userNameEn=
func hTodoUpdate(c *call) {
	id, uid, cn, en := c.q("taskId"), c.q("userId"), c.q("userNameCn"), c.q("userNameEn")
	if id == "" || uid == "" || cn == "" || en == "" {
		c.fail("55000", "缺少必填参数", nil)
		return
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	t := c.s.todos[c.app.spec.ClientID][id]
	if t == nil || t.Deleted {
		c.fail("55008", "更新待办任务失败", nil)
		return
	}
	if _, failed := c.s.reachable(c.app, []string{uid}); len(failed) > 0 {
		c.fail("51019", "用户不在应用可见范围内", struct {
			FailedUserID []string `json:"failedUserId"`
		}{failed})
		return
	}
	t.UserID, t.UserNameCn, t.UserNameEn, t.Modified = uid, cn, en, c.now
	t.Handlers = append(t.Handlers, uid)
	j := c.s.jTodo(t)
	j.UserTaskCompleteUUID = strconv.FormatInt(700000000000000000+c.s.seq.Add(1), 10)
	j.CreateTime, j.LastModifyTime = t.Created.Format(timeFmt), t.Modified.Format(timeFmt)
	c.ok("更新待办任务成功!", struct {
		Data jTodo `json:"data"`
	}{j})
}

// DELETE /todo/v1/deltask?taskId=: uuid is numeric here, as documented.
func hTodoDelete(c *call) {
	id := c.q("taskId")
	if id == "" {
		c.fail("55000", "缺少必填参数", nil)
		return
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	t := c.s.todos[c.app.spec.ClientID][id]
	if t == nil || t.Deleted {
		c.fail("55009", "删除待办任务失败", nil)
		return
	}
	t.Deleted, t.Modified = true, c.now
	uuid, _ := strconv.ParseInt(t.UUID, 10, 64)
	c.ok("删除待办任务成功!", struct {
		Data struct {
			TaskID   string `json:"taskId"`
			UUID     int64  `json:"uuid"`
			TenantID string `json:"tenantId"`
		} `json:"data"`
	}{struct {
		TaskID   string `json:"taskId"`
		UUID     int64  `json:"uuid"`
		TenantID string `json:"tenantId"`
	}{t.TaskID, uuid, c.s.tenant.TenantID}})
}
