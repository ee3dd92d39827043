package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Subcompany is an e-cology 分部 (hrmsubcompany).
type Subcompany struct {
	ID        int
	Name      string
	Desc      string
	Code      string
	Parent    int // 0 = top level
	Canceled  bool
	ShowOrder float64
	Created   time.Time
	Modified  time.Time
}

// Department is an e-cology 部门 (hrmdepartment).
type Department struct {
	ID         int
	Name       string
	Mark       string
	Code       string
	Subcompany int
	Parent     int // 0 = directly under the subcompany
	Canceled   bool
	ShowOrder  float64
	Created    time.Time
	Modified   time.Time
}

// User is an e-cology person (hrmresource).
type User struct {
	ID          int
	LoginID     string // may be empty
	WorkCode    string
	LastName    string
	Sex         string // "0" male, "1" female
	Mobile      string
	Telephone   string
	Email       string
	Department  int
	Subcompany  int
	JobTitle    int
	Manager     int
	Status      int // 0–3 active, ≥ 4 left
	AccountType int // 0 main, 1 secondary (次账号)
	BelongTo    int // main account of a secondary account
	DspOrder    float64
	Password    string
	Created     time.Time
	Modified    time.Time
}

// JobTitle is an e-cology 岗位.
type JobTitle struct {
	ID       int
	Name     string
	Mark     string
	Created  time.Time
	Modified time.Time
}

// Org is the emulator's org chart, ordered by id.
type Org struct {
	Subcompanies []Subcompany
	Departments  []Department
	Users        []User
	JobTitles    []JobTitle
}

// Fixed ids of the seed manual's example (演示部门 with 部门A and others).
const (
	SubDemo = 1 // 演示部门
	SubRe   = 2 // Re部门

	DeptA      = 1 // 部门A
	DeptB      = 2 // 部门B
	DeptC      = 3 // 部门C
	DeptA1     = 4 // 部门A1 (under 部门A)
	DeptA2     = 5 // 部门A2 (under 部门A)
	DeptSealed = 6 // 已封存部门 (canceled)
	DeptRe1    = 7 // Re一组
	DeptRe2    = 8 // Re二组
)

// Demo users: fixed ids, login ids and mobiles, password DemoPassword
// (sysadmin: DemoAdminPassword).
const (
	UserSysadmin = 1 // sysadmin, 系统管理员
	UserZhangSan = 2 // zhangsan, 张三, 部门A 经理
	UserLiSi     = 3 // lisi, 李四, 部门A1 (part-time in 部门B via a secondary account)
	UserWangWu   = 4 // wangwu, 王五, 部门B
	UserZhaoLiu  = 5 // zhaoliu, 赵六, Re一组
	UserSunQi    = 6 // sunqi, 孙七, 部门C, left (status 5)
	UserZhouBa   = 7 // no login id, 周八, 部门A2
	UserWuJiu    = 8 // wujiu, 吴九, 部门A2, probation (status 0)
	UserLiSi2    = 9 // secondary account of 李四 in 部门B

	firstGenerated = 100
)

// baseTime is when the generated org was "created".
var baseTime = time.Date(2024, 1, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

var jobTitleNames = []string{"总经理", "副总经理", "经理", "主管", "高级工程师", "工程师", "专员", "助理", "会计", "出纳", "销售代表", "客服专员"}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
var given = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽")
var cities = []string{"华东", "华南", "华北", "西南", "西北", "东北", "华中", "香港", "上海", "深圳", "北京", "成都", "武汉", "杭州", "南京", "西安", "重庆", "天津", "苏州", "长沙"}
var deptNames = []string{"研发中心", "市场部", "销售部", "财务部", "人力资源部", "行政部", "客服中心", "采购部", "法务部", "质量部", "运营部", "信息部"}
var groupNames = []string{"一组", "二组", "三组", "四组", "五组", "六组"}

// demoOrg is the fixed part: the seed manual's example and the demo users.
func demoOrg() *Org {
	t := baseTime
	o := &Org{}
	for i, n := range jobTitleNames {
		o.JobTitles = append(o.JobTitles, JobTitle{ID: i + 1, Name: n, Mark: n, Created: t, Modified: t})
	}
	o.Subcompanies = []Subcompany{
		{ID: SubDemo, Name: "演示部门", Desc: "演示部门", Code: "DEMO", ShowOrder: 1, Created: t, Modified: t},
		{ID: SubRe, Name: "Re部门", Desc: "Re部门", Code: "RE", ShowOrder: 2, Created: t, Modified: t},
	}
	o.Departments = []Department{
		{ID: DeptA, Name: "部门A", Mark: "部门A", Code: "A", Subcompany: SubDemo, ShowOrder: 1},
		{ID: DeptB, Name: "部门B", Mark: "部门B", Code: "B", Subcompany: SubDemo, ShowOrder: 2},
		{ID: DeptC, Name: "部门C", Mark: "部门C", Code: "C", Subcompany: SubDemo, ShowOrder: 3},
		{ID: DeptA1, Name: "部门A1", Mark: "A1", Code: "A1", Subcompany: SubDemo, Parent: DeptA, ShowOrder: 1},
		{ID: DeptA2, Name: "部门A2", Mark: "A2", Code: "A2", Subcompany: SubDemo, Parent: DeptA, ShowOrder: 2},
		{ID: DeptSealed, Name: "已封存部门", Mark: "已封存", Code: "OLD", Subcompany: SubDemo, Canceled: true, ShowOrder: 9},
		{ID: DeptRe1, Name: "Re一组", Mark: "Re一组", Code: "RE1", Subcompany: SubRe, ShowOrder: 1},
		{ID: DeptRe2, Name: "Re二组", Mark: "Re二组", Code: "RE2", Subcompany: SubRe, ShowOrder: 2},
	}
	for i := range o.Departments {
		o.Departments[i].Created, o.Departments[i].Modified = t, t
	}
	u := func(id int, login, name, sex string, dept, sub, title, mgr, status int, pwd string) User {
		mobile, email := "", ""
		if login != "" {
			mobile = fmt.Sprintf("138%08d", id)
			email = login + "@demo.cloudbridge.local"
		}
		return User{ID: id, LoginID: login, WorkCode: fmt.Sprintf("E%05d", id), LastName: name, Sex: sex,
			Mobile: mobile, Email: email, Department: dept, Subcompany: sub, JobTitle: title, Manager: mgr,
			Status: status, DspOrder: float64(id), Password: pwd, Created: t, Modified: t}
	}
	o.Users = []User{
		u(UserSysadmin, "sysadmin", "系统管理员", "0", DeptA, SubDemo, 1, 0, 1, DemoAdminPassword),
		u(UserZhangSan, "zhangsan", "张三", "0", DeptA, SubDemo, 3, 0, 1, DemoPassword),
		u(UserLiSi, "lisi", "李四", "1", DeptA1, SubDemo, 6, UserZhangSan, 1, DemoPassword),
		u(UserWangWu, "wangwu", "王五", "0", DeptB, SubDemo, 6, UserZhangSan, 1, DemoPassword),
		u(UserZhaoLiu, "zhaoliu", "赵六", "1", DeptRe1, SubRe, 7, 0, 1, DemoPassword),
		u(UserSunQi, "sunqi", "孙七", "0", DeptC, SubDemo, 7, UserZhangSan, 5, DemoPassword),
		u(UserZhouBa, "", "周八", "0", DeptA2, SubDemo, 8, UserZhangSan, 1, ""),
		u(UserWuJiu, "wujiu", "吴九", "1", DeptA2, SubDemo, 8, UserZhangSan, 0, DemoPassword),
	}
	sec := u(UserLiSi2, "", "李四", "1", DeptB, SubDemo, 6, UserZhangSan, 1, "")
	sec.AccountType, sec.BelongTo, sec.WorkCode = 1, UserLiSi, ""
	o.Users = append(o.Users, sec)
	o.Users[0].Sex = "0"
	return o
}

// generateOrg returns the demo org grown to about users people, the same
// for the same seed.
func generateOrg(users int, seed int64) *Org {
	o := demoOrg()
	extra := users - len(o.Users)
	if extra <= 0 {
		return o
	}
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	day := func() time.Time { return baseTime.Add(time.Duration(rng.IntN(365*24)) * time.Hour) }

	// One subcompany per ~2000 people (at least two), every third nested
	// under 演示部门 so that subcompany nesting is exercised.
	nSub := min(max(2, extra/2000), len(cities))
	subIDs := []int{}
	for i := range nSub {
		id := 10 + i
		parent := 0
		if i%3 == 1 {
			parent = SubDemo
		}
		t := day()
		o.Subcompanies = append(o.Subcompanies, Subcompany{ID: id, Name: cities[i] + "分公司", Desc: cities[i],
			Code: "SUB" + strconv.Itoa(id), Parent: parent, ShowOrder: float64(10 + i), Created: t, Modified: t})
		subIDs = append(subIDs, id)
	}
	// About one department per 15 people, up to three levels deep.
	nDept := max(3, extra/15)
	deptIDs := []int{}
	nextDept := 100
	type slot struct{ id, sub, depth int }
	var parents []slot
	for len(deptIDs) < nDept {
		sub := subIDs[len(deptIDs)%len(subIDs)]
		parent, depth := 0, 0
		if len(parents) > 0 && rng.IntN(3) > 0 {
			p := parents[rng.IntN(len(parents))]
			if p.depth < 3 {
				parent, depth, sub = p.id, p.depth+1, p.sub
			}
		}
		name := deptNames[rng.IntN(len(deptNames))]
		if parent != 0 {
			name = groupNames[rng.IntN(len(groupNames))]
		}
		t := day()
		d := Department{ID: nextDept, Name: name, Mark: name, Code: "D" + strconv.Itoa(nextDept), Subcompany: sub,
			Parent: parent, ShowOrder: float64(len(deptIDs)), Created: t, Modified: t}
		// About 2 % sealed, never a parent (sealing a parent with live
		// children is something e-cology refuses).
		if rng.IntN(50) == 0 {
			d.Canceled = true
		} else {
			parents = append(parents, slot{d.ID, sub, depth})
		}
		o.Departments = append(o.Departments, d)
		deptIDs = append(deptIDs, d.ID)
		nextDept++
	}
	live := make([]Department, 0, len(o.Departments))
	for _, d := range o.Departments {
		if !d.Canceled && d.ID >= 100 {
			live = append(live, d)
		}
	}
	head := map[int]int{}
	id := firstGenerated
	for range extra {
		d := live[rng.IntN(len(live))]
		name := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))])
		if rng.IntN(2) == 0 {
			name += string(given[rng.IntN(len(given))])
		}
		t := day()
		u := User{ID: id, LoginID: fmt.Sprintf("u%06d", id), WorkCode: fmt.Sprintf("E%06d", id), LastName: name,
			Sex: strconv.Itoa(rng.IntN(2)), Mobile: fmt.Sprintf("139%08d", id), Email: fmt.Sprintf("u%06d@corp.cloudbridge.local", id),
			Department: d.ID, Subcompany: d.Subcompany, JobTitle: 1 + rng.IntN(len(jobTitleNames)),
			Status: 1, DspOrder: float64(id), Password: DefaultPassword, Created: t, Modified: t}
		switch r := rng.IntN(100); {
		case r < 5:
			u.Status = 4 + rng.IntN(4) // left: dismissed, resigned, retired, invalid
		case r < 8:
			u.Status = 0 // probation
		}
		if rng.IntN(50) == 0 {
			u.LoginID, u.Email, u.Password = "", "", "" // people without an account
		}
		if rng.IntN(20) == 0 {
			u.Mobile = ""
		}
		if h, ok := head[d.ID]; ok {
			u.Manager = h
		} else if u.Status < 4 {
			head[d.ID] = u.ID
			u.JobTitle = 3
		}
		o.Users = append(o.Users, u)
		id++
		// About 2 % hold a part-time post: a secondary account elsewhere.
		if u.Status < 4 && u.LoginID != "" && rng.IntN(50) == 0 {
			d2 := live[rng.IntN(len(live))]
			if d2.ID != d.ID {
				o.Users = append(o.Users, User{ID: id, LastName: u.LastName, Sex: u.Sex, Department: d2.ID,
					Subcompany: d2.Subcompany, JobTitle: u.JobTitle, Status: 1, AccountType: 1, BelongTo: u.ID,
					DspOrder: float64(id), Created: t, Modified: t})
				id++
			}
		}
	}
	return o
}
