package sim

import "strconv"

// Wire shapes. Every optional field has omitempty: WeLink leaves empty
// fields out (start-08). Integer flags are always sent.

type jUser struct {
	UserID            string         `json:"userId,omitempty"`
	CorpUserID        string         `json:"corpUserId,omitempty"`
	MobileNumber      string         `json:"mobileNumber,omitempty"`
	UserStatus        string         `json:"userStatus,omitempty"`
	UserNameCn        string         `json:"userNameCn,omitempty"`
	UserNameEn        string         `json:"userNameEn,omitempty"`
	Sex               string         `json:"sex,omitempty"`
	PhoneNumber       []string       `json:"phoneNumber,omitempty"`
	MainDeptCode      string         `json:"mainDeptCode,omitempty"`
	MainCorpDeptCode  string         `json:"mainCorpDeptCode,omitempty"`
	DeptCodes         []string       `json:"deptCodes,omitempty"`
	CorpDeptCodes     []string       `json:"corpDeptCodes,omitempty"`
	UserEmail         string         `json:"userEmail,omitempty"`
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
	PersonType        string         `json:"personType,omitempty"`
	TimeZone          string         `json:"timeZone,omitempty"`
	SeniorMode        int            `json:"seniorMode"`
	IsActivated       int            `json:"isActivated"`
	IsHidePhoneNumber int            `json:"isHidePhoneNumber"`
	IsAdmin           int            `json:"isAdmin"`
	RoleIDs           []string       `json:"roleIds,omitempty"`
	ExtAttr           map[string]any `json:"extAttr,omitempty"`
	CreationTime      string         `json:"creationTime,omitempty"`
	LastUpdatedTime   string         `json:"lastUpdatedTime,omitempty"`
	Lang              string         `json:"lang,omitempty"`
}

func (o *org) jUser(u *user) jUser {
	j := jUser{
		UserID: u.UserID, CorpUserID: u.CorpUserID, MobileNumber: u.Mobile, UserStatus: u.Status,
		UserNameCn: u.NameCn, UserNameEn: u.NameEn, Sex: u.Sex, PhoneNumber: u.phones,
		MainDeptCode: u.MainDept, DeptCodes: u.Depts, UserEmail: u.Email, EmployeeID: u.EmployeeID,
		LandlineNumber: u.Landline, BusinessAddress: u.address, BaseLocation: u.location, SipNum: u.sipNum,
		Position: u.Position, Secretary: u.secretary, CorpSecretary: u.corpSecretary, Remark: u.remark,
		EmailLoginAccount: u.emailLogin, PersonType: u.personType, TimeZone: u.timeZone,
		SeniorMode: u.seniorMode, IsActivated: u.Activated, IsHidePhoneNumber: u.hidePhone, IsAdmin: u.isAdmin,
		RoleIDs: u.roleIDs, ExtAttr: u.extAttr, CreationTime: u.Created, LastUpdatedTime: u.updated,
	}
	if d := o.depts[u.MainDept]; d != nil {
		j.MainCorpDeptCode = d.CorpCode
	}
	for _, c := range u.Depts {
		if d := o.depts[c]; d != nil && d.CorpCode != "" {
			j.CorpDeptCodes = append(j.CorpDeptCodes, d.CorpCode)
		}
	}
	return j
}

// jUserOld is the old object of GET /contact/v1/users and /contact/v1/user/users.
type jUserOld struct {
	UserStatus      string `json:"userStatus,omitempty"`
	UserID          string `json:"userId,omitempty"`
	DeptCode        string `json:"deptCode,omitempty"`
	DeptNameCn      string `json:"deptNameCn,omitempty"`
	DeptNameEn      string `json:"deptNameEn,omitempty"`
	MobileNumber    string `json:"mobileNumber,omitempty"`
	PhoneNumber     string `json:"phoneNumber,omitempty"`
	LandlineNumber  string `json:"landlineNumber,omitempty"`
	UserNameCn      string `json:"userNameCn,omitempty"`
	UserNameEn      string `json:"userNameEn,omitempty"`
	Sex             string `json:"sex,omitempty"`
	CorpUserID      string `json:"corpUserId,omitempty"`
	UserEmail       string `json:"userEmail,omitempty"`
	Secretary       string `json:"secretary,omitempty"`
	Address         string `json:"address,omitempty"`
	Remark          string `json:"remark,omitempty"`
	IsActivated     int    `json:"isActivated"`
	CreationTime    string `json:"creationTime,omitempty"`
	LastUpdatedTime string `json:"lastUpdatedTime,omitempty"`
	// POST /contact/v3/users only.
	SipNum   string     `json:"sipNum,omitempty"`
	Position string     `json:"position,omitempty"`
	DeptInfo []string   `json:"deptInfo,omitempty"`
	ExtInfo  []jExtInfo `json:"extInfo,omitempty"`
}

type jExtInfo struct {
	KeyNameCn string `json:"keyNameCn,omitempty"`
	KeyNameEn string `json:"keyNameEn,omitempty"`
	Value     string `json:"value,omitempty"`
}

// jUserOld lists the user under dept (the department of the list, or the
// main department for a detail).
func (o *org) jUserOld(u *user, in *dept) jUserOld {
	j := jUserOld{
		UserStatus: u.Status, UserID: u.UserID, MobileNumber: u.Mobile, LandlineNumber: u.Landline,
		UserNameCn: u.NameCn, UserNameEn: u.NameEn, Sex: u.Sex, CorpUserID: u.CorpUserID, UserEmail: u.Email,
		Secretary: u.secretary, Address: u.address, Remark: u.remark, IsActivated: u.Activated,
		CreationTime: u.Created, LastUpdatedTime: u.updated,
	}
	if len(u.phones) > 0 {
		j.PhoneNumber = u.phones[0]
	}
	if in == nil {
		in = o.depts[u.MainDept]
	}
	if in != nil {
		j.DeptCode, j.DeptNameCn, j.DeptNameEn = in.Code, in.NameCn, in.NameEn
	}
	return j
}

type jUserRef struct {
	UserID     string `json:"userId,omitempty"`
	CorpUserID string `json:"corpUserId,omitempty"`
	UserNameCn string `json:"userNameCn,omitempty"`
	UserNameEn string `json:"userNameEn,omitempty"`
}

func jRef(u *user) jUserRef {
	return jUserRef{UserID: u.UserID, CorpUserID: u.CorpUserID, UserNameCn: u.NameCn, UserNameEn: u.NameEn}
}

// jDept is the new department object.
type jDept struct {
	DeptCode            string   `json:"deptCode,omitempty"`
	CorpDeptCode        string   `json:"corpDeptCode,omitempty"`
	ParentCode          string   `json:"parentCode,omitempty"`
	CorpParentCode      string   `json:"corpParentCode,omitempty"`
	DeptNameCn          string   `json:"deptNameCn,omitempty"`
	DeptNameEn          string   `json:"deptNameEn,omitempty"`
	ManagerID           []string `json:"managerId,omitempty"`
	CorpManagerID       []string `json:"corpManagerId,omitempty"`
	DeptLevel           int      `json:"deptLevel"`
	OrderNo             string   `json:"orderNo,omitempty"`
	VisibleRange        int      `json:"visibleRange"`
	HasChildDept        int      `json:"hasChildDept"`
	CreateDeptGroup     int      `json:"createDeptGroup"`
	GroupContainSubDept int      `json:"groupContainSubDept"`
	DeptAllCode         string   `json:"deptAllCode,omitempty"`
	DeptAllNameCn       string   `json:"deptAllNameCn,omitempty"`
	DeptAllNameEn       string   `json:"deptAllNameEn,omitempty"`
}

func (o *org) jDept(d *dept) jDept {
	j := jDept{
		DeptCode: d.Code, CorpDeptCode: d.CorpCode, ParentCode: d.Parent, DeptNameCn: d.NameCn, DeptNameEn: d.NameEn,
		ManagerID: d.Managers, DeptLevel: d.level(), OrderNo: strconv.Itoa(d.Order), VisibleRange: d.visibleRange,
		HasChildDept: boolInt(len(d.children) > 0),
	}
	if d.parent != nil {
		j.CorpParentCode = d.parent.CorpCode
	} else {
		j.CorpParentCode = "0"
	}
	for _, m := range d.Managers {
		if u := o.users[m]; u != nil && u.CorpUserID != "" {
			j.CorpManagerID = append(j.CorpManagerID, u.CorpUserID)
		}
	}
	j.DeptAllCode, j.DeptAllNameCn, j.DeptAllNameEn = d.path()
	return j
}

// jDeptOld is an item of /contact/v2|v3/departments/list.
type jDeptOld struct {
	DeptCode     string `json:"deptCode,omitempty"`
	DeptNameCn   string `json:"deptNameCn,omitempty"`
	DeptNameEn   string `json:"deptNameEn,omitempty"`
	FatherCode   string `json:"fatherCode,omitempty"`
	DeptLevel    string `json:"deptLevel,omitempty"`
	OrderNo      int    `json:"orderNo"`
	HasChildDept int    `json:"hasChildDept"`
	CorpDeptCode string `json:"corpDeptCode,omitempty"`
}

func jOld(d *dept) jDeptOld {
	return jDeptOld{DeptCode: d.Code, DeptNameCn: d.NameCn, DeptNameEn: d.NameEn, FatherCode: d.Parent,
		DeptLevel: strconv.Itoa(d.level()), OrderNo: d.Order, HasChildDept: boolInt(len(d.children) > 0), CorpDeptCode: d.CorpCode}
}

type jPath struct {
	DeptAllCode   string `json:"deptAllCode,omitempty"`
	DeptAllNameCn string `json:"deptAllNameCn,omitempty"`
	DeptAllNameEn string `json:"deptAllNameEn,omitempty"`
}

func jPathOf(d *dept) jPath {
	c, n, e := d.path()
	return jPath{c, n, e}
}
