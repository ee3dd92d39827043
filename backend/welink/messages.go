package welink

import (
	"context"
	"net/http"
	"net/url"
)

// MaxReceivers is WeLink's cap of users per message call; the client splits
// longer lists into several calls.
const MaxReceivers = 1000

// Message is a notification text message (POST /messages/v3/send).
type Message struct {
	ToUserList     []string `json:"toUserList"`
	MsgTitle       string   `json:"msgTitle"`   // ≤128 bytes; plain or {"CN":…,"EN":…}
	MsgContent     string   `json:"msgContent"` // ≤512 bytes
	URLType        string   `json:"urlType"`    // "html" when empty
	URLPath        string   `json:"urlPath"`
	MsgOwner       string   `json:"msgOwner"` // sender label
	CreateTime     string   `json:"createTime,omitempty"`
	MsgDisplayMode int      `json:"msgDisplayMode,omitempty"` // 0 mobile+PC, 1 mobile only
	DesktopURLPath string   `json:"desktopUrlPath,omitempty"`
	IsForceTips    int      `json:"isForceTips,omitempty"`
}

// SendResult gathers the answers of the calls one send was split into.
type SendResult struct {
	ItemIDs       []string // one per call for cards (needed to update/recall)
	FailedUserIDs []string // receivers WeLink refused (outside the visible range, …)
}

type sendOut struct {
	ItemID       string   `json:"itemId"`
	FailedUserID []string `json:"failedUserId"`
}

// sendSplit posts body once per chunk of receivers. A 51019 for one chunk
// does not stop the others; it is returned at the end with all refused ids.
func sendSplit(ctx context.Context, a *App, path string, to []string, build func([]string) any) (SendResult, error) {
	var res SendResult
	var scopeErr error
	chunks := [][]string{to}
	if len(to) > MaxReceivers {
		chunks = nil
		for s := 0; s < len(to); s += MaxReceivers {
			chunks = append(chunks, to[s:min(s+MaxReceivers, len(to))])
		}
	}
	for _, chunk := range chunks {
		var out sendOut
		r := newReq(http.MethodPost, path)
		r.body = build(chunk)
		err := a.do(ctx, r, &out)
		if CodeOf(err) == CodeOutOfScope {
			res.FailedUserIDs = append(res.FailedUserIDs, FailedUserIDs(err)...)
			scopeErr = err
			continue
		}
		if err != nil {
			return res, err
		}
		if out.ItemID != "" {
			res.ItemIDs = append(res.ItemIDs, out.ItemID)
		}
		res.FailedUserIDs = append(res.FailedUserIDs, out.FailedUserID...)
	}
	if scopeErr != nil && len(chunks) > 1 {
		// Report every refused receiver, not just those of the last chunk.
		return res, apiError(CodeOutOfScope, "", "POST "+path, res.FailedUserIDs)
	}
	return res, scopeErr
}

// SendMessage sends a text notification to users (msgRange "0").
func (a *App) SendMessage(ctx context.Context, m Message) (SendResult, error) {
	if m.URLType == "" {
		m.URLType = "html"
	}
	return sendSplit(ctx, a, "/messages/v3/send", m.ToUserList, func(to []string) any {
		c := m
		c.ToUserList = to
		return struct {
			MsgRange string `json:"msgRange"`
			Message
		}{"0", c}
	})
}

// Card is a text card to the notification centre (POST /messages/v2/card/common).
type Card struct {
	PublicAccID       string   `json:"publicAccID,omitempty"` // absent = notification centre
	MsgRange          string   `json:"msgRange,omitempty"`    // "0" users (default), "1" departments, "2" roles
	ToUserList        []string `json:"toUserList,omitempty"`
	DepartmentList    []string `json:"departmentList,omitempty"`
	RoleList          []string `json:"roleList,omitempty"`
	ReceiveDeviceType string   `json:"receiveDeviceType,omitempty"` // "0" PC, "1" mobile, "2" both
	MsgOwner          string   `json:"msgOwner"`
	MsgTitle          string   `json:"msgTitle,omitempty"`
	MsgContent        string   `json:"msgContent,omitempty"`
	URLType           string   `json:"urlType,omitempty"`
	URLPath           string   `json:"urlPath,omitempty"`
	DesktopURLPath    string   `json:"desktopUrlPath,omitempty"`
	MessageStatus     string   `json:"messageStatus,omitempty"` // bilingual JSON string
	StatusColor       int      `json:"statusColor,omitempty"`   // 1 blue, 2 grey, 3 orange
	IsForceTips       int      `json:"isForceTips,omitempty"`
}

// SendCard sends a text card. Receivers beyond 1000 go in further calls.
func (a *App) SendCard(ctx context.Context, c Card) (SendResult, error) {
	if c.URLType == "" && c.URLPath != "" {
		c.URLType = "html"
	}
	return sendSplit(ctx, a, "/messages/v2/card/common", c.ToUserList, func(to []string) any {
		x := c
		if len(c.ToUserList) > 0 {
			x.ToUserList = to
		}
		return x
	})
}

// CardLine is a key/value line of an app card (≤5 lines).
type CardLine struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// CardButton is a button of an app card.
type CardButton struct {
	BtnTitle string `json:"btnTitle"`
	BtnURL   string `json:"btnUrl"`
	URLType  string `json:"urlType,omitempty"`
}

// WeCodeCard is an app card (POST /messages/v1/card/wecode).
type WeCodeCard struct {
	PublicAccID       string       `json:"publicAccID,omitempty"`
	MsgRange          string       `json:"msgRange,omitempty"`
	ToUserList        []string     `json:"toUserList,omitempty"`
	DepartmentList    []string     `json:"departmentList,omitempty"`
	RoleList          []string     `json:"roleList,omitempty"`
	ReceiveDeviceType string       `json:"receiveDeviceType,omitempty"`
	MsgTitle          string       `json:"msgTitle,omitempty"`
	ContentList       []CardLine   `json:"contentList"`
	URLType           string       `json:"urlType,omitempty"`
	URLPath           string       `json:"urlPath"`
	BtnType           string       `json:"btnType,omitempty"` // horizontal ≤2 | vertical ≤3
	BtnList           []CardButton `json:"btnList,omitempty"`
	MessageStatus     string       `json:"messageStatus,omitempty"`
	StatusColor       int          `json:"statusColor,omitempty"`
	IsForceTips       int          `json:"isForceTips,omitempty"`
}

func (a *App) SendWeCodeCard(ctx context.Context, c WeCodeCard) (SendResult, error) {
	if c.URLType == "" {
		c.URLType = "html"
	}
	return sendSplit(ctx, a, "/messages/v1/card/wecode", c.ToUserList, func(to []string) any {
		x := c
		if len(c.ToUserList) > 0 {
			x.ToUserList = to
		}
		return x
	})
}

// MessageUpdate changes the status line of a sent card (POST /messages/v1/update).
type MessageUpdate struct {
	ItemID        string   `json:"itemId"`
	ToUserList    []string `json:"toUserList,omitempty"`
	MessageStatus string   `json:"messageStatus,omitempty"`
	StatusColor   int      `json:"statusColor,omitempty"`
	PublicAccID   string   `json:"publicAccID,omitempty"`
}

// UpdateMessage returns the receivers WeLink could not update.
func (a *App) UpdateMessage(ctx context.Context, u MessageUpdate) ([]string, error) {
	var out sendOut
	r := newReq(http.MethodPost, "/messages/v1/update")
	r.body, r.idempotent = u, true
	err := a.do(ctx, r, &out)
	return out.FailedUserID, err
}

// RecallMessage withdraws a card, image or news message (POST /messages/v1/recall).
func (a *App) RecallMessage(ctx context.Context, itemID string) error {
	r := newReq(http.MethodPost, "/messages/v1/recall")
	r.body, r.idempotent = map[string]string{"itemId": itemID}, true
	return a.do(ctx, r, nil)
}

// Todo is a to-do for one handler (POST /todo/v3/addtask).
type Todo struct {
	TaskID                  string `json:"taskId"`
	TaskTitle               string `json:"taskTitle"`
	UserID                  string `json:"userId"`
	UserNameCn              string `json:"userNameCn"`
	UserNameEn              string `json:"userNameEn"`
	DetailsURL              string `json:"detailsUrl"`
	DetailsURLPc            string `json:"detailsUrlPc,omitempty"`
	AppName                 string `json:"appName"`
	TaskDesc                string `json:"taskDesc,omitempty"`
	ApplicantUserID         string `json:"applicantUserId"`
	ApplicantUserNameCn     string `json:"applicantUserNameCn"`
	ApplicantUserNameEn     string `json:"applicantUserNameEn"`
	IsMsg                   int    `json:"isMsg,omitempty"`
	IsShowApplicantUserName *bool  `json:"isShowApplicantUserName,omitempty"`
	ApplicantID             string `json:"applicantId"`
	BusinessCode            string `json:"businessCode,omitempty"`
}

// TodoResult is the task as WeLink stored it (the "data" of the to-do APIs).
type TodoResult struct {
	TaskID               string     `json:"taskId,omitempty"`
	UUID                 FlexString `json:"uuid,omitempty"` // numeric on delete, a string elsewhere
	UserTaskCompleteUUID FlexString `json:"userTaskCompleteUuid,omitempty"`
	TaskTitle            string     `json:"taskTitle,omitempty"`
	UserID               string     `json:"userId,omitempty"`
	UserNameCn           string     `json:"userNameCn,omitempty"`
	UserNameEn           string     `json:"userNameEn,omitempty"`
	DetailsURL           string     `json:"detailsUrl,omitempty"`
	DetailsURLPc         string     `json:"detailsUrlPc,omitempty"`
	AppName              string     `json:"appName,omitempty"`
	ApplicantID          string     `json:"applicantId,omitempty"`
	TenantID             string     `json:"tenantId,omitempty"`
	CreateTime           string     `json:"createTime,omitempty"`
	LastModifyTime       string     `json:"lastModifyTime,omitempty"`
}

type todoOut struct {
	Data TodoResult `json:"data"`
}

// AddTodo creates a to-do. Not repeated after a timeout: WeLink may have
// stored it, and a second add of the same taskId is refused.
func (a *App) AddTodo(ctx context.Context, t Todo) (TodoResult, error) {
	var out todoOut
	r := newReq(http.MethodPost, "/todo/v3/addtask")
	r.body = t
	err := a.do(ctx, r, &out)
	return out.Data, err
}

// TodoHandover moves a to-do to the next handler (PUT /todo/v2/updatetask,
// query parameters, no body).
type TodoHandover struct {
	TaskID, UserID, UserNameCn, UserNameEn string
}

func (a *App) UpdateTodo(ctx context.Context, h TodoHandover) (TodoResult, error) {
	var out todoOut
	r := newReq(http.MethodPut, "/todo/v2/updatetask")
	r.query = url.Values{"taskId": {h.TaskID}, "userId": {h.UserID}, "userNameCn": {h.UserNameCn}, "userNameEn": {h.UserNameEn}}
	r.idempotent = true
	err := a.do(ctx, r, &out)
	return out.Data, err
}

// DeleteTodo closes the whole flow (DELETE /todo/v1/deltask?taskId=). Not
// repeated after a timeout: a second delete answers 55009.
func (a *App) DeleteTodo(ctx context.Context, taskID string) (TodoResult, error) {
	var out todoOut
	r := newReq(http.MethodDelete, "/todo/v1/deltask")
	r.query = url.Values{"taskId": {taskID}}
	r.idempotent = false
	err := a.do(ctx, r, &out)
	return out.Data, err
}
