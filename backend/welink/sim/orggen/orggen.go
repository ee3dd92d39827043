// Package orggen generates a deterministic WeLink organisation: a department
// tree and users with realistic Chinese names, +86 mobiles and the dirty
// corners real tenants have (namesakes, same-named departments in different
// branches, users in two departments, closed and never-opened accounts,
// users without corpUserId, rare characters, ethnic names with "·", foreign
// names, overseas mobiles, an empty department, a department big enough to
// page through, a deep chain). Same Spec, same Org, byte for byte.
package orggen

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// Spec sizes an org.
type Spec struct {
	Users  int    // 0 = 300
	Depts  int    // 0 = Users/10, at least 8
	Seed   int64  // same seed, same org
	Domain string // userId suffix after "@"; default "cbdemo"
	// MailDomain for e-mail addresses; default "cbdemo.com.cn".
	MailDomain string
}

// Dept is a department. Parent "0" marks a top department.
type Dept struct {
	Code, CorpCode, Parent string
	NameCn, NameEn         string
	Order                  int
	Managers               []string // userIds
}

// User is a WeLink user. MainDept is also Depts[0].
type User struct {
	UserID, CorpUserID, Mobile string
	NameCn, NameEn, Sex        string
	Email, EmployeeID          string
	Position, Landline         string
	MainDept                   string
	Depts                      []string
	Status                     string // "1" not opened, "3" opened, "4" closed
	Activated                  int
	Created                    string // yyyy-MM-dd HH:mm:ss
}

// Org is a generated tenant.
type Org struct {
	Depts []Dept // parents before children
	Users []User
}

type gen struct {
	r       *rand.Rand
	spec    Spec
	mobiles map[string]bool
	userIDs map[string]int
	corpSeq int
}

// Generate builds the org for s.
func Generate(s Spec) *Org {
	if s.Users <= 0 {
		s.Users = 300
	}
	if s.Depts <= 0 {
		s.Depts = max(s.Users/10, 8)
	}
	if s.Domain == "" {
		s.Domain = "cbdemo"
	}
	if s.MailDomain == "" {
		s.MailDomain = "cbdemo.com.cn"
	}
	g := &gen{r: rand.New(rand.NewPCG(uint64(s.Seed), 0x9e3779b97f4a7c15)), spec: s,
		mobiles: make(map[string]bool, s.Users), userIDs: make(map[string]int, s.Users)}
	o := &Org{}
	o.Depts = g.depts(s.Depts)
	o.Users = g.users(s.Users, o.Depts)
	return o
}

// depts grows a tree level by level: a few top departments, then each level
// about four times wider than the one above, parents drawn at random so
// some departments get many children and some none. One branch gets a deep
// chain of project groups.
func (g *gen) depts(n int) []Dept {
	var out []Dept
	seq := 0
	code := func() string { seq++; return fmt.Sprintf("%d", 1000000+seq) }
	used := map[string]map[string]bool{} // parent → sibling names
	name := func(parent string, cands [][2]string, level int) (string, string) {
		if used[parent] == nil {
			used[parent] = map[string]bool{}
		}
		for try := 0; ; try++ {
			c := cands[g.r.IntN(len(cands))]
			cn, en := c[0], c[1]
			if try > 8 {
				k := try - 7
				cn, en = cn+cnNum(k), fmt.Sprintf("%s %d", en, k)
			}
			if !used[parent][cn] {
				used[parent][cn] = true
				return cn, en
			}
		}
	}
	add := func(parent string, level int) {
		var cands [][2]string
		switch level {
		case 1:
			cands = topNames
		case 2:
			cands = branchNames
		case 3, 4:
			cands = funcNames
		default:
			cands = groupNames
		}
		cn, en := name(parent, cands, level)
		d := Dept{Code: code(), Parent: parent, NameCn: cn, NameEn: en, Order: (len(used[parent])) * 10}
		// Most departments were synced from an OA and carry its code; some
		// were made by hand in WeLink and have none.
		if g.r.IntN(100) < 95 {
			d.CorpCode = fmt.Sprintf("D%05d", seq)
		}
		out = append(out, d)
	}
	top := max(3, min(len(topNames), n/60+3))
	if n < top {
		top = n
	}
	for range top {
		add("0", 1)
	}
	levelStart, levelEnd, level := 0, len(out), 1
	chainBudget := 0
	if n >= 40 {
		chainBudget = 10 // a 12-level chain somewhere
	}
	for len(out) < n-chainBudget {
		level++
		width := (levelEnd - levelStart) * 4
		if level >= 5 {
			width = n // the last levels take whatever is left
		}
		for i := 0; i < width && len(out) < n-chainBudget; i++ {
			p := out[levelStart+g.r.IntN(levelEnd-levelStart)]
			add(p.Code, level)
		}
		levelStart, levelEnd = levelEnd, len(out)
	}
	if chainBudget > 0 {
		parent := out[len(out)-1].Code
		for i := 1; len(out) < n; i++ {
			cn := "专项" + cnNum(i) + "组"
			if used[parent] == nil {
				used[parent] = map[string]bool{}
			}
			used[parent][cn] = true
			c := code()
			out = append(out, Dept{Code: c, CorpCode: fmt.Sprintf("D%05d", seq), Parent: parent, NameCn: cn, NameEn: fmt.Sprintf("Task Force %d", i), Order: 10})
			parent = out[len(out)-1].Code
		}
	}
	return out
}

func (g *gen) users(n int, depts []Dept) []User {
	// Department sizes are skewed: a Pareto weight per department, so a few
	// have hundreds of people (paging) and many have a handful.
	raw := make([]float64, len(depts))
	sum := 0.0
	for i := range depts {
		w := 1 / (0.02 + g.r.Float64())
		if depts[i].Parent == "0" && len(depts) > 20 {
			w /= 4 // top departments hold few people directly
		}
		raw[i] = w
		sum += w
	}
	empty, big := -1, -1
	if len(depts) > 8 {
		empty = len(depts) / 2 // one department stays empty
		big = len(depts) / 3   // one holds ~120 people (or 30 % of a small org): three pages
		share := min(0.3, 120/float64(n))
		raw[big] = (sum - raw[big]) * share / (1 - share)
	}
	weights := make([]float64, len(depts))
	total := 0.0
	for i, w := range raw {
		total += w
		weights[i] = total
	}
	pick := func() int {
		for {
			x := g.r.Float64() * total
			i := sort.SearchFloat64s(weights, x)
			if i >= len(depts) {
				i = len(depts) - 1
			}
			if i != empty {
				return i
			}
		}
	}
	base := time.Date(2018, 3, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	users := make([]User, 0, n)
	for i := range n {
		u := g.person()
		d := depts[pick()]
		u.MainDept = d.Code
		u.Depts = []string{d.Code}
		if g.r.IntN(100) < 3 && len(depts) > 1 { // part-time in a second department
			if o := depts[pick()].Code; o != d.Code {
				u.Depts = append(u.Depts, o)
			}
		}
		u.Created = base.Add(time.Duration(g.r.Int64N(int64(6 * 365 * 24 * time.Hour)))).Format("2006-01-02 15:04:05")
		switch x := g.r.IntN(100); {
		case x < 2:
			u.Status, u.Activated = "1", 0 // created, account not opened yet
			if g.r.IntN(2) == 0 {
				delete(g.mobiles, u.Mobile)
				u.Mobile = "" // never opened, mobile still missing
			}
		case x < 4:
			u.Status, u.Activated = "4", 1 // left, account closed
		default:
			u.Status = "3"
			if g.r.IntN(100) < 85 {
				u.Activated = 1
			}
		}
		if i == 0 {
			u.Status, u.Activated = "3", 1 // the first user is a usable demo login
		}
		users = append(users, u)
	}
	// Managers: the first member of about half the departments.
	first := map[string]string{}
	for _, u := range users {
		if _, ok := first[u.MainDept]; !ok && u.Status == "3" {
			first[u.MainDept] = u.UserID
		}
	}
	for i := range depts {
		if m, ok := first[depts[i].Code]; ok && g.r.IntN(2) == 0 {
			depts[i].Managers = []string{m}
		}
	}
	return users
}

func (g *gen) person() User {
	var u User
	var pinyin []string
	switch x := g.r.IntN(1000); {
	case x < 3: // foreign colleague: no Chinese name
		f := foreignNames[g.r.IntN(len(foreignNames))]
		u.NameCn, u.NameEn = f, f
		pinyin = strings.Fields(strings.ToLower(f))
	case x < 6: // ethnic name with the interpunct
		e := ethnicNames[g.r.IntN(len(ethnicNames))]
		u.NameCn, u.NameEn = e[0], e[1]
		pinyin = strings.Fields(strings.ToLower(e[1]))
	default:
		s := g.surname()
		u.NameCn = s[0]
		pinyin = []string{s[1]}
		given := 1 + g.r.IntN(2)
		if g.r.IntN(100) < 12 {
			given = 1
		}
		var gp []string
		for k := range given {
			c := givenChars[g.r.IntN(len(givenChars))]
			if k == given-1 && g.r.IntN(200) == 0 {
				c = rareChars[g.r.IntN(len(rareChars))] // 生僻字, some outside the BMP
			}
			u.NameCn += c[0]
			gp = append(gp, c[1])
		}
		pinyin = append(pinyin, strings.Join(gp, ""))
		u.NameEn = title(pinyin[0]) + " " + title(pinyin[1])
		if g.r.IntN(300) == 0 {
			u.NameEn = "" // nobody filled it in
		}
	}
	if g.r.IntN(2) == 0 {
		u.Sex = "M"
	} else {
		u.Sex = "F"
	}
	base := strings.Join(pinyin, "")
	base = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, base)
	g.userIDs[base]++
	id := base
	if k := g.userIDs[base]; k > 1 {
		id = fmt.Sprintf("%s%d", base, k) // namesakes: zhangwei, zhangwei2, …
	}
	u.UserID = id + "@" + g.spec.Domain
	g.corpSeq++
	if g.r.IntN(100) < 93 {
		u.CorpUserID = fmt.Sprintf("E%06d", g.corpSeq)
		u.EmployeeID = u.CorpUserID
	}
	u.Mobile = g.mobile()
	if g.r.IntN(100) < 80 {
		mail := id
		if g.r.IntN(50) == 0 {
			mail = strings.ToUpper(mail[:1]) + mail[1:] // mixed case from an old mail system
		}
		u.Email = mail + "@" + g.spec.MailDomain
	}
	u.Position = positions[g.r.IntN(len(positions))]
	if g.r.IntN(100) < 30 {
		u.Landline = fmt.Sprintf("%s-%08d", areaCodes[g.r.IntN(len(areaCodes))], 20000000+g.r.IntN(79999999))
	}
	return u
}

func (g *gen) surname() [2]string {
	x := g.r.IntN(surnameTotal)
	for _, s := range surnames {
		if x < s.w {
			return [2]string{s.cn, s.py}
		}
		x -= s.w
	}
	return [2]string{surnames[0].cn, surnames[0].py}
}

// mobile returns a unique number: mostly mainland "+86-1…", a few Hong Kong
// and North American ones.
func (g *gen) mobile() string {
	for {
		var m string
		switch x := g.r.IntN(1000); {
		case x < 10:
			m = fmt.Sprintf("+852-%d%07d", 5+g.r.IntN(5), g.r.IntN(10000000))
		case x < 14:
			m = fmt.Sprintf("+1-%03d%07d", 200+g.r.IntN(800), g.r.IntN(10000000))
		default:
			m = fmt.Sprintf("+86-1%s%08d", mobilePrefixes[g.r.IntN(len(mobilePrefixes))], g.r.IntN(100000000))
		}
		if !g.mobiles[m] {
			g.mobiles[m] = true
			return m
		}
	}
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func cnNum(n int) string {
	d := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	switch {
	case n <= 10:
		return d[n]
	case n < 20:
		return "十" + d[n-10]
	case n < 100 && n%10 == 0:
		return d[n/10] + "十"
	case n < 100:
		return d[n/10] + "十" + d[n%10]
	}
	return fmt.Sprint(n)
}
