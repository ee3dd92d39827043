package welink

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// UserInput is a user to create or change (realtime /contact/v1/user/* and
// the batch APIs). Empty fields are not sent. Which fields are required is
// not documented; userNameCn, mobileNumber and a department are assumed for
// create (inferred).
type UserInput struct {
	UserID            string         `json:"userId,omitempty"` // update: one of userId/corpUserId/mobileNumber
	CorpUserID        string         `json:"corpUserId,omitempty"`
	UserNameCn        string         `json:"userNameCn,omitempty"`
	UserNameEn        string         `json:"userNameEn,omitempty"`
	MobileNumber      string         `json:"mobileNumber,omitempty"` // +86-…
	PhoneNumber       []string       `json:"phoneNumber,omitempty"`
	Sex               string         `json:"sex,omitempty"`
	DeptCodes         []string       `json:"deptCodes,omitempty"`
	CorpDeptCodes     []string       `json:"corpDeptCodes,omitempty"`
	MainDeptCode      string         `json:"mainDeptCode,omitempty"`
	MainCorpDeptCode  string         `json:"mainCorpDeptCode,omitempty"`
	EmployeeID        string         `json:"employeeId,omitempty"`
	LandlineNumber    string         `json:"landlineNumber,omitempty"`
	UserEmail         string         `json:"userEmail,omitempty"`
	EmailLoginAccount string         `json:"emailLoginAccount,omitempty"`
	Position          string         `json:"position,omitempty"`
	BusinessAddress   string         `json:"businessAddress,omitempty"`
	BaseLocation      string         `json:"baseLocation,omitempty"`
	Secretary         string         `json:"secretary,omitempty"`
	CorpSecretary     string         `json:"corpSecretary,omitempty"`
	Remark            string         `json:"remark,omitempty"`
	IsHidePhoneNumber int            `json:"isHidePhoneNumber,omitempty"` // 1 public, 2 hidden
	IsNotify          *int           `json:"isNotify,omitempty"`          // default 1: SMS/e-mail after account opening
	SeniorMode        int            `json:"seniorMode,omitempty"`
	PersonType        string         `json:"personType,omitempty"`
	TimeZone          string         `json:"timeZone,omitempty"`
	RoleIDs           []string       `json:"roleIds,omitempty"`
	ExtAttr           map[string]any `json:"extAttr,omitempty"`
	SipNum            string         `json:"sipNum,omitempty"` // batch/sync only
	// IsDeleteUser is for delete: its meaning is not documented; 1 is read
	// as "delete the account" and 0 as "remove from the organisation" (inferred).
	IsDeleteUser *int `json:"isDeleteUser,omitempty"`
}

// UserWriteResult is the answer of the realtime user APIs.
type UserWriteResult struct {
	UserID     string `json:"userId,omitempty"`
	CorpUserID string `json:"corpUserId,omitempty"`
}

func (a *App) userWrite(ctx context.Context, path string, in any, idempotent bool) (UserWriteResult, error) {
	var out UserWriteResult
	r := newReq(http.MethodPost, path)
	r.body, r.idempotent = in, idempotent
	err := a.do(ctx, r, &out)
	return out, err
}

// CreateUser is POST /contact/v1/user/create.
func (a *App) CreateUser(ctx context.Context, u UserInput) (UserWriteResult, error) {
	return a.userWrite(ctx, "/contact/v1/user/create", u, false)
}

// UpdateUser is POST /contact/v1/user/update; repeating it is harmless.
func (a *App) UpdateUser(ctx context.Context, u UserInput) (UserWriteResult, error) {
	return a.userWrite(ctx, "/contact/v1/user/update", u, true)
}

// DeleteUser is POST /contact/v1/user/delete. deleteAccount sets
// isDeleteUser=1 (see UserInput.IsDeleteUser).
func (a *App) DeleteUser(ctx context.Context, k UserKey, deleteAccount bool) (UserWriteResult, error) {
	flag := 0
	if deleteAccount {
		flag = 1
	}
	k = k.only()
	return a.userWrite(ctx, "/contact/v1/user/delete", UserInput{UserID: k.UserID, CorpUserID: k.CorpUserID, MobileNumber: k.MobileNumber, IsDeleteUser: &flag}, false)
}

// ChangeMobile is PUT /contact/v1/user/mobilenumber. WeLink allows an opened
// account at most 3 changes in 24 h.
func (a *App) ChangeMobile(ctx context.Context, k UserKey, mobile string) error {
	k = k.only()
	body := map[string]string{"mobileNumber": mobile}
	if k.UserID != "" {
		body["userId"] = k.UserID
	} else {
		body["corpUserId"] = k.CorpUserID
	}
	r := newReq(http.MethodPut, "/contact/v1/user/mobilenumber")
	r.body, r.idempotent = body, false
	return a.do(ctx, r, nil)
}

// DeptInput is a department to create or change.
type DeptInput struct {
	DeptCode            string         `json:"deptCode,omitempty"` // update
	CorpDeptCode        string         `json:"corpDeptCode,omitempty"`
	ParentCode          string         `json:"parentCode,omitempty"`     // "0" for a top department
	CorpParentCode      string         `json:"corpParentCode,omitempty"` // "0" for a top department
	DeptNameCn          string         `json:"deptNameCn,omitempty"`
	DeptNameEn          string         `json:"deptNameEn,omitempty"`
	ManagerID           []string       `json:"managerId,omitempty"`
	CorpManagerID       []string       `json:"corpManagerId,omitempty"`
	VisibleRange        int            `json:"visibleRange,omitempty"` // 1 all, 2 self only, 3 own dept + subs
	CreateDeptGroup     int            `json:"createDeptGroup,omitempty"`
	GroupContainSubDept int            `json:"groupContainSubDept,omitempty"`
	DeptGroupOwnerID    string         `json:"deptGroupOwnerId,omitempty"`
	OrderNo             string         `json:"orderNo,omitempty"` // 1–999, default 1000
	DeptType            string         `json:"deptType,omitempty"`
	Valid               string         `json:"valid,omitempty"` // batch/sync: "0" deletes
	Ext                 map[string]any `json:"ext,omitempty"`
}

func (a *App) deptWrite(ctx context.Context, path string, in any, idempotent bool) (Department, error) {
	var out Department
	r := newReq(http.MethodPost, path)
	r.body, r.idempotent = in, idempotent
	err := a.do(ctx, r, &out)
	return out, err
}

// CreateDepartment is POST /contact/v1/department/create.
func (a *App) CreateDepartment(ctx context.Context, d DeptInput) (Department, error) {
	return a.deptWrite(ctx, "/contact/v1/department/create", d, false)
}

// UpdateDepartment is POST /contact/v1/department/update.
func (a *App) UpdateDepartment(ctx context.Context, d DeptInput) (Department, error) {
	return a.deptWrite(ctx, "/contact/v1/department/update", d, true)
}

// DeleteDepartment is POST /contact/v1/department/delete.
func (a *App) DeleteDepartment(ctx context.Context, k DeptKey) error {
	if k.DeptCode != "" {
		k.CorpDeptCode = ""
	}
	_, err := a.deptWrite(ctx, "/contact/v1/department/delete", k, false)
	return err
}

// BatchOp names an async batch operation.
type BatchOp string

const (
	BatchCreate        BatchOp = "create"
	BatchUpdate        BatchOp = "update"
	BatchDelete        BatchOp = "delete"
	BatchSync          BatchOp = "sync"           // upsert; departments: valid "0" deletes
	BatchUpdateMobile  BatchOp = "updatemobile"   // users only
	BatchUpdateCorpUID BatchOp = "updatecorpuid"  // users only
	BatchUpdateCorpDep BatchOp = "updatecorpdept" // departments only
)

// BatchSize is WeLink's cap per async batch request.
const BatchSize = 100

// BatchUsers submits users to POST /contact/v1/user/batch/<op>, 100 per
// request, and returns the job ids in order. On an error the ids of the
// requests already accepted come back with it.
func (a *App) BatchUsers(ctx context.Context, op BatchOp, users []UserInput) ([]string, error) {
	return batch(ctx, a, "/contact/v1/user/batch/"+string(op), "personInfos", users)
}

// BatchDepartments submits departments to POST /contact/v1/department/batch/<op>.
func (a *App) BatchDepartments(ctx context.Context, op BatchOp, depts []DeptInput) ([]string, error) {
	return batch(ctx, a, "/contact/v1/department/batch/"+string(op), "deptInfos", depts)
}

// BatchDepartmentsV2 uses /contact/v2/department/batch/{create,update}.
func (a *App) BatchDepartmentsV2(ctx context.Context, op BatchOp, depts []DeptInput) ([]string, error) {
	return batch(ctx, a, "/contact/v2/department/batch/"+string(op), "deptInfos", depts)
}

func batch[T any](ctx context.Context, a *App, path, key string, items []T) ([]string, error) {
	var jobs []string
	for start := 0; start < len(items); start += BatchSize {
		chunk := items[start:min(start+BatchSize, len(items))]
		var out struct {
			JobID string `json:"jobId"`
		}
		r := newReq(http.MethodPost, path)
		r.body = map[string][]T{key: chunk}
		if err := a.do(ctx, r, &out); err != nil {
			return jobs, err
		}
		jobs = append(jobs, out.JobID)
	}
	return jobs, nil
}

// BatchItem is one record's outcome in a batch result. The shape is not
// documented; these are the fields of the old per-record results (inferred).
type BatchItem struct {
	UserID       string `json:"userId,omitempty"`
	CorpUserID   string `json:"corpUserId,omitempty"`
	DeptCode     string `json:"deptCode,omitempty"`
	CorpDeptCode string `json:"corpDeptCode,omitempty"`
	Code         Code   `json:"code,omitempty"`
	Message      string `json:"message,omitempty"`
}

// OK reports success of the record.
func (b BatchItem) OK() bool { return b.Code == "" || b.Code == CodeOK }

// BatchResult is GET /contact/v1/batch/result.
type BatchResult struct {
	Status     FlexInt     `json:"status"`
	Type       string      `json:"type"`
	Total      FlexInt     `json:"total"`
	Percentage FlexInt     `json:"percentage"`
	Data       []BatchItem `json:"data"`
}

// BatchDone is the status value of a finished job. The values are not
// documented; 1 started / 2 running / 3 done is assumed (inferred), and a
// job at 100 % counts as done whatever its status.
const BatchDone = 3

func (b BatchResult) Done() bool { return b.Status == BatchDone || b.Percentage >= 100 }

// BatchResult reads the state of an async job.
func (a *App) BatchResult(ctx context.Context, jobID string) (BatchResult, error) {
	var out BatchResult
	r := newReq(http.MethodGet, "/contact/v1/batch/result")
	r.query = url.Values{"jobId": {jobID}}
	err := a.do(ctx, r, &out)
	return out, err
}

// WaitBatch polls a job every interval until it is done or ctx ends.
func (a *App) WaitBatch(ctx context.Context, jobID string, every time.Duration) (BatchResult, error) {
	if every <= 0 {
		every = 2 * time.Second
	}
	for {
		res, err := a.BatchResult(ctx, jobID)
		if err != nil || res.Done() {
			return res, err
		}
		if err := sleep(ctx, every); err != nil {
			return res, ctxError(err)
		}
	}
}
