package orggen_test

import (
	"crypto/sha256"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cloudbridge/backend/welink/sim/orggen"
)

func digest(o *orggen.Org) [32]byte {
	b, _ := json.Marshal(o)
	return sha256.Sum256(b)
}

func TestDeterministic(t *testing.T) {
	a := orggen.Generate(orggen.Spec{Users: 2000, Seed: 42})
	b := orggen.Generate(orggen.Spec{Users: 2000, Seed: 42})
	c := orggen.Generate(orggen.Spec{Users: 2000, Seed: 43})
	if digest(a) != digest(b) {
		t.Fatal("same seed, different org")
	}
	if digest(a) == digest(c) {
		t.Fatal("different seed, same org")
	}
}

var mobileRE = regexp.MustCompile(`^\+(86-1\d{10}|852-\d{8}|1-\d{10})$`)

func TestShapeAndEdgeCases(t *testing.T) {
	o := orggen.Generate(orggen.Spec{Users: 10000, Seed: 1})
	if len(o.Users) != 10000 || len(o.Depts) != 1000 {
		t.Fatalf("%d users, %d departments", len(o.Users), len(o.Depts))
	}
	// Parents come before children; sibling names are unique; codes unique.
	depth := map[string]int{"0": 0}
	siblings := map[string]bool{}
	maxDepth := 0
	for _, d := range o.Depts {
		p, ok := depth[d.Parent]
		if !ok {
			t.Fatalf("department %s before its parent %s", d.Code, d.Parent)
		}
		if _, dup := depth[d.Code]; dup {
			t.Fatalf("department code %s twice", d.Code)
		}
		depth[d.Code] = p + 1
		maxDepth = max(maxDepth, p+1)
		k := d.Parent + "/" + d.NameCn
		if siblings[k] {
			t.Fatalf("two departments named %s under %s", d.NameCn, d.Parent)
		}
		siblings[k] = true
	}
	if maxDepth < 10 {
		t.Fatalf("deepest level %d: the deep chain is missing", maxDepth)
	}
	names := map[string]int{}
	for _, d := range o.Depts {
		names[d.NameCn]++
	}
	if names["财务部"] < 2 {
		t.Fatal("no same-named departments in different branches")
	}

	ids, mobiles, personNames := map[string]bool{}, map[string]bool{}, map[string]int{}
	members := map[string]int{}
	var twoDepts, noCorp, closed, notOpened, rare, dotted, foreign, overseas, noMobile, noMail int
	for _, u := range o.Users {
		if ids[u.UserID] {
			t.Fatalf("userId %s twice", u.UserID)
		}
		ids[u.UserID] = true
		if u.Mobile == "" {
			noMobile++
			if u.Status != "1" {
				t.Fatalf("opened account without mobile: %+v", u)
			}
		} else {
			if mobiles[u.Mobile] {
				t.Fatalf("mobile %s twice", u.Mobile)
			}
			mobiles[u.Mobile] = true
			if !mobileRE.MatchString(u.Mobile) {
				t.Fatalf("mobile %q", u.Mobile)
			}
			if !strings.HasPrefix(u.Mobile, "+86-") {
				overseas++
			}
		}
		if u.NameCn == "" || u.MainDept != u.Depts[0] || depth[u.MainDept] == 0 {
			t.Fatalf("user %+v", u)
		}
		personNames[u.NameCn]++
		for _, d := range u.Depts {
			members[d]++
		}
		if len(u.Depts) > 1 {
			twoDepts++
		}
		if u.CorpUserID == "" {
			noCorp++
		}
		if u.Email == "" {
			noMail++
		}
		switch u.Status {
		case "4":
			closed++
		case "1":
			notOpened++
		}
		for _, r := range u.NameCn {
			if utf8.RuneLen(r) == 4 || strings.ContainsRune("堃喆昇犇淼赟珺彧翀昪䶮", r) {
				rare++
				break
			}
		}
		if strings.Contains(u.NameCn, "·") {
			dotted++
		}
		if u.NameCn == u.NameEn && strings.Contains(u.NameEn, " ") {
			foreign++
		}
		if _, err := time.Parse("2006-01-02 15:04:05", u.Created); err != nil {
			t.Fatalf("creation time %q", u.Created)
		}
	}
	namesakes := 0
	for _, n := range personNames {
		if n > 1 {
			namesakes++
		}
	}
	big, empty := 0, 0
	for _, d := range o.Depts {
		if members[d.Code] > 50 {
			big++
		}
		if members[d.Code] == 0 {
			empty++
		}
	}
	for what, n := range map[string]int{"two departments": twoDepts, "no corpUserId": noCorp, "closed": closed,
		"not opened": notOpened, "rare characters": rare, "ethnic names": dotted, "foreign names": foreign,
		"overseas mobiles": overseas, "no mobile": noMobile, "no e-mail": noMail, "namesakes": namesakes,
		"departments over a page": big, "empty departments": empty} {
		if n == 0 {
			t.Errorf("no %s in a 10k org", what)
		}
	}
}

func TestSmallAndLarge(t *testing.T) {
	small := orggen.Generate(orggen.Spec{})
	if len(small.Users) != 300 || len(small.Depts) != 30 || !strings.HasSuffix(small.Users[0].UserID, "@cbdemo") {
		t.Fatalf("default org: %d users, %d departments, %s", len(small.Users), len(small.Depts), small.Users[0].UserID)
	}
	if small.Users[0].Status != "3" {
		t.Fatal("the first user must be a usable login")
	}
	if testing.Short() {
		return
	}
	start := time.Now()
	big := orggen.Generate(orggen.Spec{Users: 100000, Seed: 1})
	if len(big.Users) != 100000 || len(big.Depts) != 10000 {
		t.Fatalf("100k org: %d / %d", len(big.Users), len(big.Depts))
	}
	t.Logf("100k users, 10k departments generated in %v", time.Since(start))
}
