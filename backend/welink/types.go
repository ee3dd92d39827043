package welink

// Field names follow WeLink's JSON exactly (reference §4). Fields WeLink
// sends with varying types use FlexString/FlexInt; absent fields read as
// empty.

// User is the "new generation" user object (/contact/v1|v2/user/detail,
// /contact/v1|v2/user/list items).
type User struct {
	UserID            string         `json:"userId,omitempty"`
	CorpUserID        string         `json:"corpUserId,omitempty"`
	MobileNumber      string         `json:"mobileNumber,omitempty"`
	UserStatus        FlexString     `json:"userStatus,omitempty"` // 1 not opened, 2 opening, 3 opened, 4 closed
	UserNameCn        string         `json:"userNameCn,omitempty"`
	UserNameEn        string         `json:"userNameEn,omitempty"`
	Sex               string         `json:"sex,omitempty"` // M / F
	PhoneNumber       []string       `json:"phoneNumber,omitempty"`
	MainDeptCode      string         `json:"mainDeptCode,omitempty"`
	MainCorpDeptCode  string         `json:"mainCorpDeptCode,omitempty"`
	DeptCodes         []string       `json:"deptCodes,omitempty"`
	CorpDeptCodes     []string       `json:"corpDeptCodes,omitempty"`
	OrderInDepts      map[string]any `json:"orderInDepts,omitempty"`
	UserEmail         string         `json:"userEmail,omitempty"`
	Avatar            string         `json:"avatar,omitempty"`
	EmployeeID        string         `json:"employeeId,omitempty"`
	LandlineNumber    string         `json:"landlineNumber,omitempty"`
	BusinessAddress   string         `json:"businessAddress,omitempty"`
	BaseLocation      string         `json:"baseLocation,omitempty"`
	SipNum            string         `json:"sipNum,omitempty"`
	Position          string         `json:"position,omitempty"`
	Secretary         string         `json:"secretary,omitempty"`
	CorpSecretary     string         `json:"corpSecretary,omitempty"`
	Remark            string         `json:"remark,omitempty"`
	EmailLoginAccount string         `json:"emailLoginAccount,omitempty"`
	PersonType        FlexString     `json:"personType,omitempty"`
	TimeZone          string         `json:"timeZone,omitempty"`
	SeniorMode        FlexInt        `json:"seniorMode,omitempty"`
	IsActivated       FlexInt        `json:"isActivated,omitempty"` // 1 = has logged in
	IsHidePhoneNumber FlexInt        `json:"isHidePhoneNumber,omitempty"`
	IsAdmin           FlexInt        `json:"isAdmin,omitempty"` // 1 = tenant admin
	RoleIDs           []string       `json:"roleIds,omitempty"`
	CorpRoleIDs       []string       `json:"corpRoleIds,omitempty"`
	ExtAttr           map[string]any `json:"extAttr,omitempty"`
	CreationTime      string         `json:"creationTime,omitempty"`
	LastUpdatedTime   string         `json:"lastUpdatedTime,omitempty"`
	Lang              string         `json:"lang,omitempty"`
}

// UserV1 is the old user object (GET /contact/v1/users, /contact/v1/user/users
// items; /contact/v3/users adds the V3 fields).
type UserV1 struct {
	UserStatus      FlexString `json:"userStatus,omitempty"`
	UserID          string     `json:"userId,omitempty"`
	DeptCode        string     `json:"deptCode,omitempty"`
	DeptNameCn      string     `json:"deptNameCn,omitempty"`
	DeptNameEn      string     `json:"deptNameEn,omitempty"`
	MobileNumber    string     `json:"mobileNumber,omitempty"`
	PhoneNumber     FlexString `json:"phoneNumber,omitempty"` // a single string on the old APIs
	LandlineNumber  string     `json:"landlineNumber,omitempty"`
	UserNameCn      string     `json:"userNameCn,omitempty"`
	UserNameEn      string     `json:"userNameEn,omitempty"`
	Sex             string     `json:"sex,omitempty"`
	CorpUserID      string     `json:"corpUserId,omitempty"`
	UserEmail       string     `json:"userEmail,omitempty"`
	Secretary       string     `json:"secretary,omitempty"`
	Address         string     `json:"address,omitempty"`
	Remark          string     `json:"remark,omitempty"`
	IsActivated     FlexInt    `json:"isActivated,omitempty"`
	CreationTime    string     `json:"creationTime,omitempty"`
	LastUpdatedTime string     `json:"lastUpdatedTime,omitempty"`
	// POST /contact/v3/users only.
	SipNum   string    `json:"sipNum,omitempty"`
	Position string    `json:"position,omitempty"`
	DeptInfo []string  `json:"deptInfo,omitempty"`
	ExtInfo  []ExtInfo `json:"extInfo,omitempty"`
}

type ExtInfo struct {
	KeyNameCn string `json:"keyNameCn,omitempty"`
	KeyNameEn string `json:"keyNameEn,omitempty"`
	Value     string `json:"value,omitempty"`
}

// UserRef is the simple list item (/contact/v2/user/userid,
// /contact/v1/user/simplelist, /contact/v1/users/accounts).
type UserRef struct {
	UserID     string `json:"userId,omitempty"`
	CorpUserID string `json:"corpUserId,omitempty"`
	UserNameCn string `json:"userNameCn,omitempty"`
	UserNameEn string `json:"userNameEn,omitempty"`
}

// UserKey picks a user. WeLink's precedence: userId > corpUserId > mobileNumber.
type UserKey struct {
	UserID       string `json:"userId,omitempty"`
	CorpUserID   string `json:"corpUserId,omitempty"`
	MobileNumber string `json:"mobileNumber,omitempty"`
}

func (k UserKey) query() map[string][]string {
	switch {
	case k.UserID != "":
		return map[string][]string{"userId": {k.UserID}}
	case k.CorpUserID != "":
		return map[string][]string{"corpUserId": {k.CorpUserID}}
	default:
		return map[string][]string{"mobileNumber": {k.MobileNumber}}
	}
}

// Department is the new department object (/contact/v1|v2/department/detail,
// /department/list items, /department/parent items).
type Department struct {
	DeptCode            string         `json:"deptCode,omitempty"`
	CorpDeptCode        string         `json:"corpDeptCode,omitempty"`
	ParentCode          string         `json:"parentCode,omitempty"`
	CorpParentCode      string         `json:"corpParentCode,omitempty"`
	DeptNameCn          string         `json:"deptNameCn,omitempty"`
	DeptNameEn          string         `json:"deptNameEn,omitempty"`
	ManagerID           []string       `json:"managerId,omitempty"`
	CorpManagerID       []string       `json:"corpManagerId,omitempty"`
	DeptLevel           FlexInt        `json:"deptLevel,omitempty"`
	OrderNo             FlexString     `json:"orderNo,omitempty"`
	VisibleRange        FlexInt        `json:"visibleRange,omitempty"` // 1 all, 2 only self, 3 own dept + subs
	HasChildDept        FlexInt        `json:"hasChildDept,omitempty"`
	CreateDeptGroup     FlexInt        `json:"createDeptGroup,omitempty"`
	GroupContainSubDept FlexInt        `json:"groupContainSubDept,omitempty"`
	DeptGroupOwnerID    string         `json:"deptGroupOwnerId,omitempty"`
	DeptAllCode         string         `json:"deptAllCode,omitempty"` // joined by ">>"
	DeptAllNameCn       string         `json:"deptAllNameCn,omitempty"`
	DeptAllNameEn       string         `json:"deptAllNameEn,omitempty"`
	IMDeptGroupID       string         `json:"imDeptGroupId,omitempty"`
	Ext                 map[string]any `json:"ext,omitempty"`
}

// DepartmentV1 is the old department object (/contact/v2|v3/departments/list
// items and GET /contact/v1/departments/{deptCode}).
type DepartmentV1 struct {
	DeptCode     string     `json:"deptCode,omitempty"`
	DeptNameCn   string     `json:"deptNameCn,omitempty"`
	DeptNameEn   string     `json:"deptNameEn,omitempty"`
	FatherCode   string     `json:"fatherCode,omitempty"`
	ParentCode   string     `json:"parentCode,omitempty"` // detail uses parentCode, lists fatherCode
	DeptLevel    FlexString `json:"deptLevel,omitempty"`
	OrderNo      FlexString `json:"orderNo,omitempty"`
	HasChildDept FlexInt    `json:"hasChildDept,omitempty"`
	CorpDeptCode string     `json:"corpDeptCode,omitempty"`
	// The manager is "managerAccount" per the Java SDK, "managerId" per the
	// old doc page; both are read.
	ManagerAccount string `json:"managerAccount,omitempty"`
	ManagerID      string `json:"managerId,omitempty"`
}

// Parent returns the parent code whichever field carried it.
func (d DepartmentV1) Parent() string {
	if d.FatherCode != "" {
		return d.FatherCode
	}
	return d.ParentCode
}

// DeptKey picks a department by WeLink or customer code.
type DeptKey struct {
	DeptCode     string `json:"deptCode,omitempty"`
	CorpDeptCode string `json:"corpDeptCode,omitempty"`
}

func (k DeptKey) query() map[string][]string {
	if k.DeptCode != "" {
		return map[string][]string{"deptCode": {k.DeptCode}}
	}
	return map[string][]string{"corpDeptCode": {k.CorpDeptCode}}
}

// DeptPath is one department path (parents queries).
type DeptPath struct {
	DeptAllCode   string `json:"deptAllCode,omitempty"`
	DeptAllNameCn string `json:"deptAllNameCn,omitempty"`
	DeptAllNameEn string `json:"deptAllNameEn,omitempty"`
}

type DeptRef struct {
	DeptCode   string `json:"deptCode,omitempty"`
	DeptNameCn string `json:"deptNameCn,omitempty"`
	DeptNameEn string `json:"deptNameEn,omitempty"`
}
