package oa

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"cloudbridge/backend/core"
)

const (
	csvSubs  = "id,subcompanyname,subcompanycode,supsubcomid,canceled,showorder\n1,演示部门,DEMO,0,0,1\n2,Re部门,RE,0,0,2\n"
	csvDepts = "id,departmentname,departmentcode,subcompanyid1,supdepid,canceled,showorder\n" +
		"11,部门A,A,1,0,0,1\n12,部门A1,A1,1,11,0,1\n13,部门B,B,1,0,0,2\n14,旧部门,OLD,2,0,1,3\n"
	csvUsers = "id,loginid,workcode,lastname,mobile,email,departmentid,subcompanyid1,jobtitlename,managerid,status,accounttype,belongto,dsporder\n" +
		"101,zhangsan,E0001,张三,13800000001,zs@example.com,11,1,经理,,1,0,,1\n" +
		"102,lisi,E0002,李四,13800000002,,12,1,工程师,101,1,0,,2\n" +
		"103,,E0003,王五,,,13,1,,101,5,0,,3\n" +
		"104,,,李四,,,13,1,,,1,1,102,4\n"
)

func files(kv ...string) []NamedFile {
	var out []NamedFile
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, NamedFile{Name: kv[i], Data: []byte(kv[i+1])})
	}
	return out
}

func problems(rep *FileReport) []string {
	var out []string
	for _, p := range rep.Problems {
		if !p.Warning {
			out = append(out, p.Sheet+":"+strconv.Itoa(p.Row)+":"+p.Code)
		}
	}
	return out
}

func TestImportCSVUTF8(t *testing.T) {
	org, rep, err := ImportOrgFiles(files("subcompany.csv", "\ufeff"+csvSubs, "department.csv", csvDepts, "user.csv", csvUsers), PullOptions{})
	if err != nil {
		t.Fatalf("%v %+v", err, rep.Problems)
	}
	if rep.Files[0].Encoding != "utf-8" || rep.Rows[SheetUser] != 4 || rep.Rows[SheetDepartment] != 4 {
		t.Fatalf("report %+v", rep)
	}
	if d := findDept(org, "dep:12"); d == nil || d.ParentID != "dep:11" {
		t.Fatalf("部门A1 = %+v", d)
	}
	if d := findDept(org, "dep:11"); d == nil || d.ParentID != "sub:1" {
		t.Fatalf("部门A = %+v", d)
	}
	if d := findDept(org, "dep:14"); d == nil || !d.Sealed || d.ParentID != "sub:2" {
		t.Fatalf("旧部门 = %+v", d)
	}
	if u := findUser(org, "103"); u == nil || !u.Left || u.LoginID != "" {
		t.Fatalf("王五 = %+v", u)
	}
	if u := findUser(org, "102"); u == nil || !slices.Equal(u.PartTimeDepartmentIDs, []string{"dep:13"}) || u.ManagerID != "101" {
		t.Fatalf("李四 = %+v", u)
	}
	if findUser(org, "104") != nil || len(org.Users) != 3 {
		t.Fatalf("secondary account kept: %+v", org.Users)
	}
}

func TestImportCSVGBKAndUTF16(t *testing.T) {
	gbk := func(s string) string {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	org, rep, err := ImportOrgFiles(files("subcompany.csv", gbk(csvSubs), "department.csv", gbk(csvDepts), "user.csv", gbk(csvUsers)), PullOptions{})
	if err != nil {
		t.Fatalf("%v %+v", err, rep.Problems)
	}
	if rep.Files[2].Encoding != "gbk" || findUser(org, "101").Name != "张三" || findDept(org, "dep:11").Name != "部门A" {
		t.Fatalf("GBK decoding: %+v", rep.Files)
	}
	// Excel's "Unicode text": UTF-16 with BOM, tab separated.
	u16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(strings.ReplaceAll(csvUsers, ",", "\t")))
	org, rep, err = ImportOrgFiles(append(files("department.csv", csvDepts, "subcompany.csv", csvSubs), NamedFile{"user.txt", u16}), PullOptions{})
	if err != nil || rep.Files[2].Encoding != "utf-16" || findUser(org, "102").Name != "李四" {
		t.Fatalf("UTF-16: %v %+v", err, rep)
	}
}

func TestImportRejectsBrokenFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []NamedFile
		want  []string // sheet:row:code of every error
	}{
		{"wrong columns", files("department.csv", csvDepts, "user.csv", "id,name,dept\n1,张三,11\n"),
			[]string{"user:1:oa.file.column_missing", "user:0:oa.file.sheet_missing"}},
		{"missing required column", files("department.csv", csvDepts, "subcompany.csv", csvSubs,
			"user.csv", "id,lastname\n1,张三\n"), []string{"user:1:oa.file.column_missing"}},
		{"duplicate ids and login ids", files("subcompany.csv", csvSubs, "department.csv", csvDepts+"12,重复,X,1,0,0,9\n",
			"user.csv", csvUsers+"105,ZhangSan,E9,张三三,,,11,1,,,1,0,,5\n101,x,E8,重复,,,11,1,,,1,0,,6\n"),
			[]string{"department:6:oa.file.duplicate_id", "user:7:oa.file.duplicate_id", "user:6:oa.file.duplicate_loginid"}},
		{"department cycle", files("subcompany.csv", csvSubs, "user.csv", csvUsers, "department.csv",
			"id,departmentname,subcompanyid1,supdepid\n11,部门A,1,13\n12,部门A1,1,11\n13,部门B,1,12\n14,旧部门,2,0\n"),
			[]string{"department:2:oa.file.cycle", "department:3:oa.file.cycle", "department:4:oa.file.cycle"}},
		{"unknown references and bad values", files("subcompany.csv", csvSubs, "department.csv", csvDepts+"15,新部门,N,9,0,maybe,1\n",
			"user.csv", csvUsers+"106,zl,E6,赵六,,,99,1,,,8,0,,x\n107,sq,E7,孙七,,,11,1,,,1,1,,7\n"),
			[]string{"department:6:oa.file.unknown_ref", "department:6:oa.file.bad_value",
				"user:6:oa.file.unknown_ref", "user:6:oa.file.bad_value", "user:6:oa.file.bad_value", "user:7:oa.file.required"}},
		{"missing names", files("subcompany.csv", csvSubs, "department.csv", csvDepts+"16,,X,1,0,0,1\n", "user.csv", csvUsers+",nobody,,无id,,,11,,,,,,,\n"),
			[]string{"department:6:oa.file.required", "user:6:oa.file.required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			org, rep, err := ImportOrgFiles(tc.files, PullOptions{})
			if org != nil || !core.Of(err, core.ErrOAFileInvalid) {
				t.Fatalf("org %v err %v", org != nil, err)
			}
			var asReport *FileReport
			if !errors.As(err, &asReport) || asReport != rep {
				t.Fatal("the report is not the error's cause")
			}
			got := problems(rep)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("problems\n got %v\nwant %v\n%s", got, want, rep.Error())
			}
			for _, p := range rep.Problems {
				if p.Message("zh-CN") == "errors."+p.Code || strings.Contains(p.Message("en-US"), "{") {
					t.Fatalf("untranslated problem %+v: %s", p, p.Message("en-US"))
				}
			}
		})
	}
}

func TestImportBadEncoding(t *testing.T) {
	// 0x80 and 0xFF are invalid both in UTF-8 and in GBK/GB18030.
	bad := "id,lastname,departmentid\n1,张三,11\n2,\xff\x80\xff,11\n"
	_, rep, err := ImportOrgFiles(files("department.csv", csvDepts, "user.csv", bad), PullOptions{})
	wantKind(t, err, core.ErrOAFileInvalid)
	if got := problems(rep); !slices.Equal(got, []string{"user:3:oa.file.encoding"}) {
		t.Fatalf("problems %v", got)
	}
}

func TestImportXLSX(t *testing.T) {
	var tmpl bytes.Buffer
	if err := WriteTemplate(&tmpl); err != nil {
		t.Fatal(err)
	}
	org, rep, err := ImportOrgFiles([]NamedFile{{"template.xlsx", tmpl.Bytes()}}, PullOptions{})
	if err != nil {
		t.Fatalf("the template must import cleanly: %v", err)
	}
	if rep.Files[0].Format != "xlsx" || !slices.Equal(rep.Files[0].Sheets, []string{SheetSubcompany, SheetDepartment, SheetUser}) {
		t.Fatalf("report %+v", rep.Files)
	}
	if d := findDept(org, "dep:12"); d == nil || d.Name != "部门A1" || d.ParentID != "dep:11" {
		t.Fatalf("部门A1 = %+v", d)
	}
	if u := findUser(org, "101"); u == nil || u.Mobile != "13800000001" || u.LoginID != "zhangsan" {
		t.Fatalf("张三 = %+v", u)
	}

	// Numbers stored as numbers (a hand-made workbook): ids, phones and
	// work codes must come back whole.
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "人员")
	rows := [][]any{
		{"id", "loginid", "lastname", "mobile", "departmentid", "workcode", "dsporder"},
		{101, "zhangsan", "张三", 13800000001, 11, 123, 1.5},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.SetSheetRow("人员", cell, &r)
	}
	x.NewSheet("部门")
	x.SetSheetRow("部门", "A1", &[]any{"id", "departmentname"})
	x.SetSheetRow("部门", "A2", &[]any{11, "部门A"})
	var buf bytes.Buffer
	x.Write(&buf)
	org, _, err = ImportOrgFiles([]NamedFile{{"hand.xlsx", buf.Bytes()}}, PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if u := findUser(org, "101"); u == nil || u.Mobile != "13800000001" || u.WorkCode != "123" || u.DepartmentID != "dep:11" || u.Order != 1.5 {
		t.Fatalf("numeric cells: %+v", u)
	}
}

func TestImportMalformedWorkbooks(t *testing.T) {
	var tmpl bytes.Buffer
	WriteTemplate(&tmpl)
	for name, data := range map[string][]byte{
		"truncated.xlsx": tmpl.Bytes()[:tmpl.Len()/2],
		"garbage.xlsx":   append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0x42}, 500)...),
		"old.xls":        append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 500)...),
	} {
		_, _, err := ImportOrgFiles([]NamedFile{{name, data}}, PullOptions{})
		wantKind(t, err, core.ErrOAFileUnreadable)
	}
}

// libreOfficeXLSX builds a workbook the way LibreOffice Calc writes one:
// inline strings instead of a shared-string table, explicit numeric cells,
// a sparse row with a gap, and a sheet with no data of ours.
func libreOfficeXLSX(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet3.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet3.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="部门" sheetId="1" r:id="rId2"/><sheet name="人员" sheetId="2" r:id="rId3"/><sheet name="备注" sheetId="3" r:id="rId4"/></sheets></workbook>`)
	is := func(ref, s string) string { return `<c r="` + ref + `" t="inlineStr"><is><t>` + s + `</t></is></c>` }
	num := func(ref, v string) string { return `<c r="` + ref + `" t="n"><v>` + v + `</v></c>` }
	sheet := func(rows ...string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			strings.Join(rows, "") + `</sheetData></worksheet>`
	}
	row := func(n string, cells ...string) string {
		return `<row r="` + n + `">` + strings.Join(cells, "") + `</row>`
	}
	put("xl/worksheets/sheet1.xml", sheet(
		row("1", is("A1", "id"), is("B1", "departmentname"), is("C1", "supdepid")),
		row("2", num("A2", "11"), is("B2", "部门A"), num("C2", "0")),
		row("4", num("A4", "12"), is("B4", "部门A1"), num("C4", "11")), // row 3 left empty
	))
	put("xl/worksheets/sheet2.xml", sheet(
		row("1", is("A1", "ID"), is("B1", "LastName"), is("C1", "departmentid"), is("E1", "mobile")),
		row("2", num("A2", "101"), is("B2", "张三"), num("C2", "12"), num("E2", "13800000001")),
	))
	put("xl/worksheets/sheet3.xml", sheet(row("1", is("A1", "由 LibreOffice 导出"))))
	z.Close()
	return buf.Bytes()
}

func TestImportLibreOfficeWorkbook(t *testing.T) {
	org, rep, err := ImportOrgFiles([]NamedFile{{"lo.xlsx", libreOfficeXLSX(t)}}, PullOptions{})
	if err != nil {
		t.Fatalf("%v %+v", err, rep)
	}
	u := findUser(org, "101")
	if u == nil || u.Name != "张三" || u.DepartmentID != "dep:12" || u.Mobile != "13800000001" {
		t.Fatalf("张三 = %+v", u)
	}
	if d := findDept(org, "dep:12"); d == nil || d.ParentID != "dep:11" {
		t.Fatalf("部门A1 = %+v", d)
	}
}

func TestFileConnector(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"subcompany.csv": csvSubs, "department.csv": csvDepts, "user.csv": csvUsers, "notes.txt": "x"} {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600)
	}
	c := mustNew(t, Config{Kind: KindFile, File: FileConfig{Path: dir}}, Deps{})
	var done []string
	org, err := c.PullOrg(context.Background(), PullOptions{Progress: func(p Progress) { done = append(done, p.Stage) }})
	if err != nil || len(org.Users) != 3 || !org.Full || len(done) != 2 {
		t.Fatalf("org %+v err %v progress %v", org, err, done)
	}
	rep, err := c.Test(context.Background())
	if err != nil || !rep.OK || rep.Steps[3].Count != 4 {
		t.Fatalf("test %+v %v", rep, err)
	}
	_, err = c.CheckPassword(context.Background(), "zhangsan", "x")
	wantKind(t, err, core.ErrOANotSupported)
	_, err = c.SSOURL(context.Background(), User{LoginID: "zhangsan"}, Target{})
	wantKind(t, err, core.ErrOANotSupported)

	os.WriteFile(filepath.Join(dir, "user.csv"), []byte(csvUsers+"101,dup,,重复,,,11,,,,,,,\n"), 0o600)
	_, err = c.PullOrg(context.Background(), PullOptions{})
	wantKind(t, err, core.ErrOAFileInvalid)
	rep, _ = c.Test(context.Background())
	if rep.OK {
		t.Fatal("test passed on a broken file")
	}
	missing := mustNew(t, Config{Kind: KindFile, File: FileConfig{Path: filepath.Join(dir, "nope.xlsx")}}, Deps{})
	_, err = missing.PullOrg(context.Background(), PullOptions{})
	wantKind(t, err, core.ErrOAFileUnreadable)
	_, err = New(Config{Kind: KindFile}, Deps{})
	wantKind(t, err, core.ErrOAConfig)
}

func TestCSVTemplate(t *testing.T) {
	var all []NamedFile
	for _, k := range []string{SheetSubcompany, SheetDepartment, SheetUser} {
		b, err := CSVTemplate(k)
		if err != nil || !bytes.HasPrefix(b, []byte("\ufeff")) {
			t.Fatalf("%s: %v", k, err)
		}
		all = append(all, NamedFile{k + ".csv", b})
	}
	if _, _, err := ImportOrgFiles(all, PullOptions{}); err != nil {
		t.Fatalf("CSV templates must import cleanly: %v", err)
	}
	if _, err := CSVTemplate("positions"); !core.Of(err, core.ErrInvalidInput) {
		t.Fatal(err)
	}
}
