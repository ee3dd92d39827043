package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"testing"
)

// Every Kind literal in this package must have a message in every language,
// and the language files must carry the same keys.
func TestCatalogueTranslated(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, p := range pkgs {
		ast.Inspect(p, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if id, ok := cl.Type.(*ast.Ident); !ok || id.Name != "Kind" || len(cl.Elts) == 0 {
				return true
			}
			if lit, ok := cl.Elts[0].(*ast.BasicLit); ok {
				code, _ := strconv.Unquote(lit.Value)
				codes = append(codes, code)
			}
			return true
		})
	}
	if len(codes) < 10 {
		t.Fatalf("found only %d catalogue entries; parser broken?", len(codes))
	}
	for _, lang := range Languages {
		for _, c := range codes {
			if _, ok := messages[lang]["errors."+c]; !ok {
				t.Errorf("%s: no message for errors.%s", lang, c)
			}
		}
	}
	base := Keys(Languages[0])
	sort.Strings(base)
	for _, lang := range Languages[1:] {
		other := Keys(lang)
		sort.Strings(other)
		if len(other) != len(base) {
			t.Errorf("%s has %d keys, %s has %d", lang, len(other), Languages[0], len(base))
		}
		for _, k := range base {
			if _, ok := messages[lang][k]; !ok {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}

func TestTranslateFillsParams(t *testing.T) {
	got := Translate("zh-CN", "corp.name_duplicate", map[string]string{"name": "华为"})
	if got != "已存在名为“华为”的 WeLink 企业" {
		t.Fatalf("zh = %q", got)
	}
	if got := Translate("en", "required", map[string]string{"field": "Name"}); got != "Name is required" {
		t.Fatalf("en = %q", got)
	}
	e := WeLinkCode("10007", "clientId or clientSecret wrong")
	if e.Code != "welink.10007" {
		t.Fatalf("known WeLink code mapped to %q", e.Code)
	}
	e = WeLinkCode("99999", "new thing")
	if e.Code != "welink.error" || e.Params["code"] != "99999" {
		t.Fatalf("unknown WeLink code mapped to %+v", e)
	}
	if AsError(ErrConflict.New()).Code != "conflict" || AsError(errString("x")).Code != "internal" {
		t.Fatal("AsError does not keep catalogue errors or hide raw ones")
	}
}

type errString string

func (e errString) Error() string { return string(e) }
