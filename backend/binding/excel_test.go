package binding

import (
	"bytes"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"cloudbridge/backend/core"
)

func decodeFile(t testing.TB, fd FileData) *excelize.File {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(fd.ContentBase64)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestExportThenImportRoundTrip(t *testing.T) {
	f := newFixture(t)
	f.svc.BindUser("c1", "zhouba@demo", "8")
	fd, err := f.svc.ExportUsers("c1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(fd.Name, ".xlsx") {
		t.Fatalf("name = %s", fd.Name)
	}
	x := decodeFile(t, fd)
	rows, err := x.GetRows(exportSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 9 || rows[0][0] != exportHeader[0] || len(rows[0]) != len(exportHeader) {
		t.Fatalf("exported %d rows, header %v", len(rows), rows[0])
	}
	byUser := map[string][]string{}
	for i, r := range rows[1:] {
		byUser[r[0]] = r
		// Fill the match column the way an admin would: by login id.
		login := map[string]string{"zhangsan@demo": "zhangsan", "lisi@demo": "LISI", "zhaoliu@demo": "zhaoliu"}[r[0]]
		cellName, _ := excelize.CoordinatesToCellName(len(exportHeader), i+2)
		x.SetCellValue(exportSheet, cellName, login)
	}
	if z := byUser["zhangsan@demo"]; z[1] != "张三" || z[2] != "+86-13800000001" || z[6] != "研发部" {
		t.Errorf("zhangsan row = %v", z)
	}
	if z := byUser["zhouba@demo"]; z[7] != "zhouba" || z[8] != "8" || z[9] != MethodManual {
		t.Errorf("zhouba row = %v", z)
	}
	var buf bytes.Buffer
	x.WriteTo(&buf)
	prev, err := f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "filled.xlsx", ContentBase64: base64.StdEncoding.EncodeToString(buf.Bytes()), MatchField: OALoginID})
	if err != nil {
		t.Fatal(err)
	}
	if prev.Rows != 8 || prev.Valid != 3 || prev.Counts[RowEmpty] != 5 {
		t.Fatalf("preview = %+v", prev)
	}
	res, err := f.svc.ApplyImport(prev.Token)
	if err != nil || res.Applied != 3 || res.NotApplied != 0 {
		t.Fatalf("apply = %+v, %v", res, err)
	}
	card, _ := f.svc.GetCard("c1", "lisi@demo")
	if card.Binding == nil || card.Binding.Method != MethodImport || card.Binding.Detail != "loginId=LISI" {
		t.Fatalf("lisi = %+v", card.Binding)
	}
	if p, _ := f.svc.ListAudit(AuditQuery{CorpID: "c1", Method: MethodImport}); p.Total != 3 {
		t.Errorf("import audit = %d", p.Total)
	}
	_, err = f.svc.ApplyImport(prev.Token)
	wantKind(t, err, core.ErrBindingImportExpired)
}

func TestImportLibreOfficeWorkbook(t *testing.T) {
	// Saved by LibreOffice Calc 7.4 (soffice --convert-to xlsx): shared
	// strings, mobiles as number cells, LibreOffice's own styles and parts.
	data, err := os.ReadFile("testdata/libreoffice-calc-7.4.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	prev, err := f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "关联.xlsx", ContentBase64: base64.StdEncoding.EncodeToString(data), MatchField: OAMobile})
	if err != nil {
		t.Fatal(err)
	}
	if prev.Rows != 4 || prev.Valid != 1 || prev.Sample[0].WeLinkUserID != "zhangsan@demo" || prev.Sample[0].OAUserID != "1" || prev.Sample[0].Row != 2 {
		t.Fatalf("preview = %+v", prev)
	}
	if prev.Counts[RowAmbiguous] != 1 || prev.Counts[RowUnknownUser] != 1 || prev.Counts[RowEmpty] != 1 {
		t.Fatalf("counts = %v", prev.Counts)
	}
	// The annotated report: problems first, with row numbers and messages.
	rep, err := f.svc.ImportReport(prev.Token, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Name != "关联-report.xlsx" {
		t.Errorf("report name = %s", rep.Name)
	}
	x := decodeFile(t, rep)
	rows, _ := x.GetRows(x.GetSheetList()[0])
	if len(rows) != 5 || rows[1][3] != RowAmbiguous && rows[1][3] != RowUnknownUser || !strings.Contains(strings.Join(rows[1], "|"), "OA") {
		t.Fatalf("report = %v", rows)
	}
	if rows[1][0] != "3" || !strings.Contains(rows[1][7], "wangwu") {
		t.Errorf("first problem row = %v", rows[1])
	}
	en, _ := f.svc.ImportReport(prev.Token, "en-US")
	rows, _ = decodeFile(t, en).GetRows("Validation")
	if rows[0][0] != "Row" {
		t.Errorf("english header = %v", rows[0])
	}
}

func TestImportGBKCSV(t *testing.T) {
	f := newFixture(t)
	text := "序号,WeLink账号,姓名,OA匹配值\r\n1,zhangsan@demo,张三,zhangsan@demo.com\r\n2,zhaoliu@demo,赵六,\r\n3,zhengshi@demo,郑十,SAME@DEMO.COM\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	prev, err := f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "导入.csv", ContentBase64: base64.StdEncoding.EncodeToString(gbk), MatchField: OAEmail})
	if err != nil {
		t.Fatal(err)
	}
	if prev.Encoding != "gbk" || prev.Valid != 2 || prev.Counts[RowEmpty] != 1 {
		t.Fatalf("preview = %+v", prev)
	}
	res, err := f.svc.ApplyImport(prev.Token)
	if err != nil || res.Applied != 2 {
		t.Fatalf("apply = %+v %v", res, err)
	}
	// Semicolons and a UTF-8 BOM, as Excel saves in some locales.
	bom := "\xef\xbb\xbfWeLink账号;OA匹配值\nlisi@demo;E002\n"
	prev, err = f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "x.csv", ContentBase64: b64(bom), MatchField: OAWorkCode})
	if err != nil || prev.Valid != 1 || prev.Encoding != "utf-8" {
		t.Fatalf("bom/semicolon preview = %+v, %v", prev, err)
	}
}

func TestImportStaleRowsAreSkippedAtApply(t *testing.T) {
	f := newFixture(t)
	prev, err := f.svc.PreviewImport(ImportRequest{CorpID: "c1", Name: "a.csv", MatchField: OALoginID,
		ContentBase64: b64("WeLink账号,OA匹配值\nzhangsan@demo,zhangsan\nlisi@demo,lisi\n")})
	if err != nil || prev.Valid != 2 {
		t.Fatalf("preview = %+v, %v", prev, err)
	}
	// After the preview someone binds lisi's OA user to another WeLink user.
	f.svc.BindUser("c1", "wangwu@demo", "2")
	res, err := f.svc.ApplyImport(prev.Token)
	if err != nil || res.Applied != 1 || res.Stale != 1 || res.Problems[0].Row != 3 || res.Problems[0].Reason != "taken" {
		t.Fatalf("apply = %+v, %v", res, err)
	}
}
