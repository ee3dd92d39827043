package oa

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"cloudbridge/backend/core"
)

// The file connector reads an org chart exported from any OA: an Excel
// workbook (.xlsx) or CSV files (UTF-8, GBK or UTF-16, detected), with the
// column names of e-cology's HRM API so one mapper serves both (reference
// §7). Sheets are recognised by their header row, not their names: one
// workbook with three sheets, or three CSV files, or any mix.
//
// Import is all-or-nothing: any row error rejects the whole file with a
// FileReport that names the sheet, row and column of every problem.

// Sheet kinds.
const (
	SheetSubcompany = "subcompany"
	SheetDepartment = "department"
	SheetUser       = "user"
)

// MaxFileSize caps one imported file (a 100k-user workbook is ~10 MB).
const MaxFileSize = 64 << 20

type fileColumn struct {
	name     string
	required bool // the column must exist
	example  []string
}

// fileColumns are the template columns, in order (e-cology field names).
var fileColumns = map[string][]fileColumn{
	SheetSubcompany: {
		{"id", true, []string{"1", "2"}},
		{"subcompanyname", true, []string{"演示部门", "Re部门"}},
		{"subcompanycode", false, []string{"DEMO", "RE"}},
		{"supsubcomid", false, []string{"0", "0"}},
		{"canceled", false, []string{"0", "0"}},
		{"showorder", false, []string{"1", "2"}},
	},
	SheetDepartment: {
		{"id", true, []string{"11", "12", "13"}},
		{"departmentname", true, []string{"部门A", "部门A1", "部门B"}},
		{"departmentcode", false, []string{"A", "A1", "B"}},
		{"subcompanyid1", false, []string{"1", "1", "1"}},
		{"supdepid", false, []string{"0", "11", "0"}},
		{"canceled", false, []string{"0", "0", "0"}},
		{"showorder", false, []string{"1", "1", "2"}},
	},
	SheetUser: {
		{"id", true, []string{"101", "102", "103"}},
		{"loginid", false, []string{"zhangsan", "lisi", ""}},
		{"workcode", false, []string{"E0001", "E0002", "E0003"}},
		{"lastname", true, []string{"张三", "李四", "王五"}},
		{"mobile", false, []string{"13800000001", "13800000002", ""}},
		{"email", false, []string{"zhangsan@example.com", "", ""}},
		{"departmentid", true, []string{"11", "12", "13"}},
		{"subcompanyid1", false, []string{"1", "1", "1"}},
		{"jobtitlename", false, []string{"经理", "工程师", ""}},
		{"managerid", false, []string{"", "101", "101"}},
		{"status", false, []string{"1", "1", "5"}},
		{"accounttype", false, []string{"0", "0", "0"}},
		{"belongto", false, []string{"", "", ""}},
		{"dsporder", false, []string{"1", "2", "3"}},
		{"telephone", false, []string{"", "", ""}},
		{"sex", false, []string{"0", "1", "0"}},
	},
}

// sheetSignature: the column that identifies a sheet kind.
var sheetSignature = map[string]string{
	SheetSubcompany: "subcompanyname",
	SheetDepartment: "departmentname",
	SheetUser:       "lastname",
}

// FileProblem is one finding of a file import.
type FileProblem struct {
	File   string `json:"file"`
	Sheet  string `json:"sheet"`            // SheetUser … or the workbook's sheet name when unrecognised
	Row    int    `json:"row"`              // as shown by Excel: the header is row 1; 0 = the whole sheet
	Column string `json:"column,omitempty"` //
	// Code is a catalogue code (core.ErrOAFile*): translate with
	// core.Translate(lang, Code, Params).
	Code    string            `json:"code"`
	Params  map[string]string `json:"params,omitempty"`
	Warning bool              `json:"warning,omitempty"` // warnings do not block the import
}

// Message renders the problem in lang.
func (p FileProblem) Message(lang string) string { return core.Translate(lang, p.Code, p.Params) }

// FileReport is the validation report of an import.
type FileReport struct {
	Files    []FileInfo     `json:"files"`
	Rows     map[string]int `json:"rows"` // data rows per sheet kind
	Problems []FileProblem  `json:"problems"`
}

// FileInfo describes one input file.
type FileInfo struct {
	Name     string   `json:"name"`
	Format   string   `json:"format"`             // "xlsx" or "csv"
	Encoding string   `json:"encoding,omitempty"` // CSV: "utf-8", "gbk", "utf-16"
	Sheets   []string `json:"sheets"`             // sheet kinds found
}

// ErrorCount counts the blocking problems.
func (r *FileReport) ErrorCount() int {
	n := 0
	for _, p := range r.Problems {
		if !p.Warning {
			n++
		}
	}
	return n
}

// Error makes the report the cause of ErrOAFileInvalid (errors.As).
func (r *FileReport) Error() string {
	var b strings.Builder
	n := 0
	for _, p := range r.Problems {
		if p.Warning {
			continue
		}
		if n == 10 {
			fmt.Fprintf(&b, "; … %d more", r.ErrorCount()-10)
			break
		}
		if n > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s row %d: %s", p.File, p.Sheet, p.Row, p.Message("en-US"))
		n++
	}
	return b.String()
}

func (r *FileReport) add(p FileProblem) { r.Problems = append(r.Problems, p) }

// NamedFile is one uploaded or configured file.
type NamedFile struct {
	Name string
	Data []byte
}

// sheetData is one recognised sheet.
type sheetData struct {
	file, sheet, kind string
	header            map[string]int // column name → index
	rows              []sheetRow
}

type sheetRow struct {
	num         int // Excel row number
	file, sheet string
	cells       []string
}

func (r sheetRow) same(o sheetRow) bool {
	return r.num == o.num && r.file == o.file && r.sheet == o.sheet
}

func (s *sheetData) get(r sheetRow, col string) string {
	i, ok := s.header[col]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// ImportOrgFiles validates files and builds the Org. On any error it
// returns no Org and ErrOAFileInvalid (or ErrOAFileUnreadable) whose cause
// is the report; the report is returned in every case.
func ImportOrgFiles(files []NamedFile, opts PullOptions) (*Org, *FileReport, error) {
	rep := &FileReport{Rows: map[string]int{}}
	var sheets []*sheetData
	for _, f := range files {
		got, info, err := readOrgFile(f, rep)
		if err != nil {
			return nil, rep, err
		}
		rep.Files = append(rep.Files, info)
		sheets = append(sheets, got...)
	}
	byKind := map[string]*sheetData{}
	for _, s := range sheets {
		if prev, ok := byKind[s.kind]; ok {
			// Two sheets of one kind: append rows (e.g. users split in two
			// files); ids are still checked for duplicates across them.
			if !sameColumns(prev.header, s.header) {
				rep.add(FileProblem{File: s.file, Sheet: s.sheet, Code: core.ErrOAFileColumnMissing.Code,
					Params: map[string]string{"column": "(columns differ from " + prev.file + ")"}})
				continue
			}
			prev.rows = append(prev.rows, s.rows...)
			continue
		}
		byKind[s.kind] = s
	}
	for _, kind := range []string{SheetDepartment, SheetUser} {
		if byKind[kind] == nil {
			rep.add(FileProblem{Sheet: kind, Code: core.ErrOAFileSheetMissing.Code, Params: map[string]string{"sheet": kind}})
		}
	}
	for kind, s := range byKind {
		rep.Rows[kind] = len(s.rows)
	}
	if rep.ErrorCount() > 0 {
		return nil, rep, fileInvalid(rep)
	}
	depts, users := validateOrg(byKind, rep)
	if rep.ErrorCount() > 0 {
		return nil, rep, fileInvalid(rep)
	}
	org, err := assemble(depts, users, true, opts)
	if err != nil {
		return nil, rep, err
	}
	return org, rep, nil
}

func fileInvalid(rep *FileReport) error {
	first := ""
	for _, p := range rep.Problems {
		if !p.Warning {
			first = fmt.Sprintf("%s row %d: %s", p.Sheet, p.Row, p.Message("zh-CN"))
			break
		}
	}
	return core.ErrOAFileInvalid.Wrap(rep, "errors", strconv.Itoa(rep.ErrorCount()), "first", first)
}

func sameColumns(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// readOrgFile reads one .xlsx or .csv file into recognised sheets.
func readOrgFile(f NamedFile, rep *FileReport) ([]*sheetData, FileInfo, error) {
	info := FileInfo{Name: f.Name}
	if len(f.Data) > MaxFileSize {
		return nil, info, core.ErrOAFileTooLarge.New("max", strconv.Itoa(MaxFileSize>>20)+" MB")
	}
	var tables []rawTable
	switch {
	case bytes.HasPrefix(f.Data, []byte("PK\x03\x04")):
		info.Format = "xlsx"
		var err error
		if tables, err = readXLSX(f.Data); err != nil {
			return nil, info, err
		}
	case bytes.HasPrefix(f.Data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, info, core.ErrOAFileUnreadable.New("reason", f.Name+": old .xls format; save it as .xlsx or CSV")
	default:
		info.Format = "csv"
		text, enc, badLine := decodeText(f.Data)
		info.Encoding = enc
		if badLine > 0 {
			rep.add(FileProblem{File: f.Name, Sheet: strings.TrimSuffix(filepath.Base(f.Name), filepath.Ext(f.Name)),
				Row: badLine, Code: core.ErrOAFileEncoding.Code, Params: map[string]string{"encoding": enc}})
			return nil, info, fileInvalid(rep)
		}
		t, err := readCSV(text)
		if err != nil {
			return nil, info, core.ErrOAFileUnreadable.Wrap(err, "reason", f.Name+": "+err.Error())
		}
		t.name = strings.TrimSuffix(filepath.Base(f.Name), filepath.Ext(f.Name))
		tables = []rawTable{t}
	}
	var out []*sheetData
	for _, t := range tables {
		s := recogniseSheet(f.Name, t, rep)
		if s != nil {
			out = append(out, s)
			info.Sheets = append(info.Sheets, s.kind)
		}
	}
	return out, info, nil
}

type rawTable struct {
	name string
	rows []sheetRow
}

// readXLSX reads every worksheet with raw cell values: ids, phone numbers
// and work codes must not come back as "1.38E+10" or "00123" → "123".
func readXLSX(data []byte) ([]rawTable, error) {
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: 512 << 20, UnzipXMLSizeLimit: 128 << 20})
	if err != nil {
		return nil, core.ErrOAFileUnreadable.Wrap(err, "reason", "not a readable .xlsx workbook")
	}
	defer x.Close()
	var out []rawTable
	for _, name := range x.GetSheetList() {
		rows, err := x.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, core.ErrOAFileUnreadable.Wrap(err, "reason", "sheet "+name+" cannot be read")
		}
		t := rawTable{name: name}
		for i, r := range rows {
			t.rows = append(t.rows, sheetRow{num: i + 1, cells: r})
		}
		out = append(out, t)
	}
	return out, nil
}

// decodeText detects the encoding of a CSV file: a BOM (UTF-8/UTF-16), else
// valid UTF-8, else GBK (decoded as GB18030, its superset). It returns the
// first line that still does not decode (1-based), 0 if none.
func decodeText(b []byte) (string, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		b = b[3:]
		if !utf8.Valid(b) {
			return "", "utf-8", firstBadLine(string(b))
		}
		return string(b), "utf-8", 0
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, b)
		if err != nil {
			return "", "utf-16", 1
		}
		s := string(out)
		return s, "utf-16", firstBadRune(s)
	case utf8.Valid(b):
		return string(b), "utf-8", 0
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
	if err != nil {
		return "", "gbk", 1
	}
	s := string(out)
	return s, "gbk", firstBadRune(s)
}

func firstBadLine(s string) int {
	for i, line := range strings.Split(s, "\n") {
		if !utf8.ValidString(line) {
			return i + 1
		}
	}
	return 1
}

func firstBadRune(s string) int {
	i := strings.IndexRune(s, utf8.RuneError)
	if i < 0 {
		return 0
	}
	return strings.Count(s[:i], "\n") + 1
}

// readCSV parses text with the delimiter its first line suggests (Excel
// writes ";" in some locales and tabs for "Unicode text").
func readCSV(text string) (rawTable, error) {
	first := text
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		first = text[:i]
	}
	delim := ','
	best := strings.Count(first, ",")
	for _, d := range []rune{';', '\t'} {
		if n := strings.Count(first, string(d)); n > best {
			delim, best = d, n
		}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var t rawTable
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return t, err
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, sheetRow{num: line, cells: rec})
	}
	return t, nil
}

// recogniseSheet finds the header row (the first non-empty row) and the
// sheet kind; a sheet with no known signature column is ignored (e.g. the
// template's instructions sheet).
func recogniseSheet(file string, t rawTable, rep *FileReport) *sheetData {
	hi := -1
	for i, r := range t.rows {
		if !blankRow(r.cells) {
			hi = i
			break
		}
	}
	if hi < 0 {
		return nil
	}
	header := map[string]int{}
	var names []string
	for i, c := range t.rows[hi].cells {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(c, "\ufeff")))
		if name == "" {
			continue
		}
		if _, dup := header[name]; !dup {
			header[name] = i
			names = append(names, name)
		}
	}
	kind := ""
	for k, sig := range sheetSignature {
		if _, ok := header[sig]; ok {
			kind = k
		}
	}
	if kind == "" {
		// A sheet that looks like data (it has an id column) but no known
		// name column is a wrong-columns mistake, not an instructions sheet.
		if _, ok := header["id"]; ok {
			rep.add(FileProblem{File: file, Sheet: t.name, Row: t.rows[hi].num, Code: core.ErrOAFileColumnMissing.Code,
				Params: map[string]string{"column": "subcompanyname / departmentname / lastname"}})
		}
		return nil
	}
	s := &sheetData{file: file, sheet: t.name, kind: kind, header: header}
	known := map[string]bool{}
	for _, c := range fileColumns[kind] {
		known[c.name] = true
		if _, ok := header[c.name]; c.required && !ok {
			rep.add(FileProblem{File: file, Sheet: t.name, Row: t.rows[hi].num, Column: c.name,
				Code: core.ErrOAFileColumnMissing.Code, Params: map[string]string{"column": c.name}})
		}
	}
	for _, n := range names {
		if !known[n] {
			rep.add(FileProblem{File: file, Sheet: t.name, Row: t.rows[hi].num, Column: n, Warning: true,
				Code: core.ErrOAFileColumnUnknown.Code, Params: map[string]string{"column": n}})
		}
	}
	for _, r := range t.rows[hi+1:] {
		if !blankRow(r.cells) {
			r.file, r.sheet = file, t.name
			s.rows = append(s.rows, r)
		}
	}
	if len(s.rows) == 0 && kind != SheetSubcompany {
		rep.add(FileProblem{File: file, Sheet: t.name, Code: core.ErrOAFileEmpty.Code, Params: map[string]string{"sheet": t.name}})
	}
	return s
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cleanNumber turns Excel's "101.0" into "101" for id-like columns.
func cleanNumber(s string) string {
	if strings.HasSuffix(s, ".0") && strings.Trim(s[:len(s)-2], "0123456789") == "" && len(s) > 2 {
		return s[:len(s)-2]
	}
	return s
}

// validateOrg checks rows and references and maps them. Problems go to rep.
func validateOrg(byKind map[string]*sheetData, rep *FileReport) ([]Department, []rawUser) {
	type rowRef struct {
		s   *sheetData
		row sheetRow
	}
	problem := func(s *sheetData, r sheetRow, col string, k core.Kind, warning bool, params ...string) {
		p := FileProblem{File: r.file, Sheet: r.sheet, Row: r.num, Column: col, Code: k.Code, Warning: warning}
		if len(params) > 0 {
			p.Params = map[string]string{}
			for i := 0; i+1 < len(params); i += 2 {
				p.Params[params[i]] = params[i+1]
			}
		}
		rep.add(p)
	}
	// ids reads the id column of a sheet, reporting missing and duplicate ids.
	ids := func(s *sheetData) map[string]sheetRow {
		seen := map[string]sheetRow{}
		if s == nil {
			return seen
		}
		for _, r := range s.rows {
			id := cleanNumber(s.get(r, "id"))
			if id == "" {
				problem(s, r, "id", core.ErrOAFileRequired, false, "column", "id")
				continue
			}
			if first, dup := seen[id]; dup {
				problem(s, r, "id", core.ErrOAFileDuplicateID, false, "id", id, "row", strconv.Itoa(first.num))
				continue
			}
			seen[id] = r
		}
		return seen
	}
	subS, depS, userS := byKind[SheetSubcompany], byKind[SheetDepartment], byKind[SheetUser]
	subIDs, depIDs, userIDs := ids(subS), ids(depS), ids(userS)

	ref := func(s *sheetData, r sheetRow, col string, in map[string]sheetRow, warning bool) string {
		v := cleanNumber(s.get(r, col))
		if v == "" || v == "0" || v == "-1" {
			return ""
		}
		if _, ok := in[v]; !ok {
			problem(s, r, col, core.ErrOAFileUnknownRef, warning, "column", col, "id", v)
			return ""
		}
		return v
	}
	required := func(s *sheetData, r sheetRow, col string) string {
		v := s.get(r, col)
		if v == "" {
			problem(s, r, col, core.ErrOAFileRequired, false, "column", col)
		}
		return v
	}
	number := func(s *sheetData, r sheetRow, col string) float64 {
		v := s.get(r, col)
		if v == "" {
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			problem(s, r, col, core.ErrOAFileBadValue, false, "column", col, "value", v)
		}
		return f
	}
	sealed := func(s *sheetData, r sheetRow) bool {
		switch v := strings.ToLower(s.get(r, "canceled")); v {
		case "", "0", "否", "n", "no", "false", "正常":
			return false
		case "1", "是", "y", "yes", "true", "封存":
			return true
		default:
			problem(s, r, "canceled", core.ErrOAFileBadValue, false, "column", "canceled", "value", v)
			return false
		}
	}

	var depts []Department
	subParent := map[string]string{}
	if subS != nil {
		for _, r := range subS.rows {
			id := cleanNumber(subS.get(r, "id"))
			if first, ok := subIDs[id]; !ok || !first.same(r) {
				continue // reported by ids()
			}
			d := Department{ID: NodeID(TypeSubcompany, id), SourceID: id, Type: TypeSubcompany,
				Name: required(subS, r, "subcompanyname"), Code: subS.get(r, "subcompanycode"),
				Order: number(subS, r, "showorder"), Sealed: sealed(subS, r)}
			if p := ref(subS, r, "supsubcomid", subIDs, false); p != "" {
				d.ParentID = NodeID(TypeSubcompany, p)
				subParent[id] = p
			}
			depts = append(depts, d)
		}
		reportCycles(subParent, func(id string) { problem(subS, subIDs[id], "supsubcomid", core.ErrOAFileCycle, false, "ids", id) })
	}
	depParent := map[string]string{}
	depSub := map[string]string{}
	if depS != nil {
		for _, r := range depS.rows {
			id := cleanNumber(depS.get(r, "id"))
			if first, ok := depIDs[id]; !ok || !first.same(r) {
				continue
			}
			d := Department{ID: NodeID(TypeDepartment, id), SourceID: id, Type: TypeDepartment,
				Name: required(depS, r, "departmentname"), Code: depS.get(r, "departmentcode"),
				Order: number(depS, r, "showorder"), Sealed: sealed(depS, r)}
			sub := ref(depS, r, "subcompanyid1", subIDs, false)
			depSub[id] = sub
			if p := ref(depS, r, "supdepid", depIDs, false); p != "" {
				d.ParentID = NodeID(TypeDepartment, p)
				depParent[id] = p
			} else if sub != "" {
				d.ParentID = NodeID(TypeSubcompany, sub)
			}
			depts = append(depts, d)
		}
		reportCycles(depParent, func(id string) { problem(depS, depIDs[id], "supdepid", core.ErrOAFileCycle, false, "ids", id) })
		// A child in another subcompany than its parent is odd but legal.
		for id, p := range depParent {
			if depSub[id] != "" && depSub[p] != "" && depSub[id] != depSub[p] {
				problem(depS, depIDs[id], "subcompanyid1", core.ErrOAFileBadValue, true, "column", "subcompanyid1", "value", depSub[id])
			}
		}
	}

	var users []rawUser
	logins := map[string]sheetRow{}
	if userS != nil {
		for _, r := range userS.rows {
			id := cleanNumber(userS.get(r, "id"))
			if first, ok := userIDs[id]; !ok || !first.same(r) {
				continue
			}
			u := User{ID: id, LoginID: userS.get(r, "loginid"), WorkCode: cleanNumber(userS.get(r, "workcode")),
				Name: required(userS, r, "lastname"), Mobile: cleanNumber(userS.get(r, "mobile")),
				Telephone: userS.get(r, "telephone"), Email: userS.get(r, "email"), Sex: userS.get(r, "sex"),
				JobTitle: userS.get(r, "jobtitlename"), Order: number(userS, r, "dsporder"), Status: 1}
			if d := ref(userS, r, "departmentid", depIDs, false); d != "" {
				u.DepartmentID = NodeID(TypeDepartment, d)
			}
			if s := ref(userS, r, "subcompanyid1", subIDs, false); s != "" {
				u.SubcompanyID = NodeID(TypeSubcompany, s)
			} else if d := cleanNumber(userS.get(r, "departmentid")); depSub[d] != "" {
				u.SubcompanyID = NodeID(TypeSubcompany, depSub[d])
			}
			u.ManagerID = ref(userS, r, "managerid", userIDs, true)
			if st, ok := parseStatus(userS.get(r, "status")); ok {
				u.Status = st
			} else {
				problem(userS, r, "status", core.ErrOAFileBadValue, false, "column", "status", "value", userS.get(r, "status"))
			}
			u.Left = IsLeaver(u.Status)
			at := "0"
			switch v := strings.ToLower(userS.get(r, "accounttype")); v {
			case "", "0", "主账号", "main":
			case "1", "次账号", "secondary":
				at = "1"
				u.BelongTo = ref(userS, r, "belongto", userIDs, false)
				if userS.get(r, "belongto") == "" {
					problem(userS, r, "belongto", core.ErrOAFileRequired, false, "column", "belongto")
				}
			default:
				problem(userS, r, "accounttype", core.ErrOAFileBadValue, false, "column", "accounttype", "value", v)
			}
			if l := strings.ToLower(u.LoginID); l != "" {
				if first, dup := logins[l]; dup {
					problem(userS, r, "loginid", core.ErrOAFileDuplicateLogin, false, "loginid", u.LoginID, "row", strconv.Itoa(first.num))
				} else {
					logins[l] = r
				}
			}
			if u.Mobile != "" && strings.Trim(u.Mobile, "+-0123456789 ") != "" {
				problem(userS, r, "mobile", core.ErrOAFileBadValue, true, "column", "mobile", "value", u.Mobile)
			}
			if u.Email != "" && !strings.Contains(u.Email, "@") {
				problem(userS, r, "email", core.ErrOAFileBadValue, true, "column", "email", "value", u.Email)
			}
			users = append(users, rawUser{User: u, accountType: at})
		}
	}
	return depts, users
}

// parseStatus reads an e-cology status code or a word for it.
func parseStatus(v string) (int, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return 1, true
	case "active", "在职", "正式":
		return 1, true
	case "inactive", "left", "离职":
		return 5, true
	}
	n, err := strconv.Atoi(cleanNumber(strings.TrimSpace(v)))
	if err != nil || n < 0 || n > 7 {
		return 0, false
	}
	return n, true
}

// reportCycles calls fn once for every id that sits on a parent cycle.
func reportCycles(parent map[string]string, fn func(id string)) {
	onCycle := map[string]bool{}
	state := map[string]int{} // 0 new, 1 on path, 2 done
	keys := make([]string, 0, len(parent))
	for k := range parent {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareIDs)
	for _, start := range keys {
		var path []string
		id := start
		for id != "" && state[id] == 0 {
			state[id] = 1
			path = append(path, id)
			id = parent[id]
		}
		if id != "" && state[id] == 1 {
			k := slices.Index(path, id)
			for _, c := range path[k:] {
				onCycle[c] = true
			}
		}
		for _, p := range path {
			state[p] = 2
		}
	}
	cyc := make([]string, 0, len(onCycle))
	for id := range onCycle {
		cyc = append(cyc, id)
	}
	slices.SortFunc(cyc, compareIDs)
	for _, id := range cyc {
		fn(id)
	}
}

// ---- templates -------------------------------------------------------------

// WriteTemplate writes the import template: an .xlsx workbook with the
// three sheets (header + example rows) and an instructions sheet.
func WriteTemplate(w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	first := true
	for _, kind := range []string{SheetSubcompany, SheetDepartment, SheetUser} {
		if first {
			if err := x.SetSheetName("Sheet1", kind); err != nil {
				return core.Errorf("oa: template: %v", err)
			}
			first = false
		} else if _, err := x.NewSheet(kind); err != nil {
			return core.Errorf("oa: template: %v", err)
		}
		cols := fileColumns[kind]
		text, _ := x.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keep ids and phone numbers as text
		last, _ := excelize.ColumnNumberToName(len(cols))
		_ = x.SetColStyle(kind, "A:"+last, text)
		_ = x.SetColWidth(kind, "A", last, 16)
		header := make([]any, len(cols))
		for i, c := range cols {
			header[i] = c.name
		}
		if err := x.SetSheetRow(kind, "A1", &header); err != nil {
			return core.Errorf("oa: template: %v", err)
		}
		for r := range len(cols[0].example) {
			row := make([]any, len(cols))
			for i, c := range cols {
				row[i] = c.example[r]
			}
			if err := x.SetSheetRow(kind, "A"+strconv.Itoa(r+2), &row); err != nil {
				return core.Errorf("oa: template: %v", err)
			}
		}
	}
	if _, err := x.NewSheet("说明"); err != nil {
		return core.Errorf("oa: template: %v", err)
	}
	for i, line := range templateHelp {
		_ = x.SetCellValue("说明", "A"+strconv.Itoa(i+1), line)
	}
	_ = x.SetColWidth("说明", "A", "A", 120)
	if err := x.Write(w); err != nil {
		return core.Errorf("oa: template: %v", err)
	}
	return nil
}

var templateHelp = []string{
	"组织架构导入模板 / Org chart import template (CloudBridge)",
	"列名与泛微 e-cology 人事接口字段一致；工作表按表头识别，名称可改。 Column names follow e-cology's HRM API; sheets are recognised by their header row.",
	"subcompany（分部，可选）: id, subcompanyname, subcompanycode, supsubcomid (上级分部 id，0 = 顶级), canceled (1 = 封存), showorder",
	"department（部门）: id, departmentname, departmentcode, subcompanyid1 (所属分部 id), supdepid (上级部门 id，0 = 分部下的一级部门), canceled, showorder",
	"user（人员）: id, loginid (可空), workcode, lastname, mobile, email, departmentid, subcompanyid1, jobtitlename, managerid, status, accounttype, belongto, dsporder, telephone, sex",
	"status: 0 试用 1 正式 2 临时 3 试用延期 4 解聘 5 离职 6 退休 7 无效；≥ 4 视为离职。也可写 在职/离职。",
	"accounttype: 0 主账号，1 次账号（需填 belongto = 主账号 id；次账号的部门作为主账号的兼职部门）。",
	"id 为任意字符串，在同一工作表内唯一；有任何错误时整份文件不导入，并列出行号与原因。",
	"CSV: UTF-8（可带 BOM）、GBK 或 UTF-16 均可；分隔符为逗号、分号或制表符。",
}

// CSVTemplate returns the CSV template of one sheet kind, UTF-8 with a BOM
// so that Excel opens the Chinese examples correctly.
func CSVTemplate(kind string) ([]byte, error) {
	cols, ok := fileColumns[kind]
	if !ok {
		return nil, core.ErrInvalidInput.New("field", "sheet")
	}
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	_ = w.Write(header)
	for r := range len(cols[0].example) {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = c.example[r]
		}
		_ = w.Write(row)
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// ---- connector -------------------------------------------------------------

type fileConnector struct {
	cfg  Config
	deps Deps
}

func newFileConnector(cfg Config, deps Deps) (*fileConnector, error) {
	if strings.TrimSpace(cfg.File.Path) == "" {
		return nil, core.ErrOAConfig.New("field", "file.path", "reason", "required")
	}
	return &fileConnector{cfg: cfg, deps: deps}, nil
}

func (c *fileConnector) Kind() string { return KindFile }

// files reads Config.File.Path: one file, or every .xlsx/.csv of a directory.
func (c *fileConnector) files() ([]NamedFile, error) {
	p := c.cfg.File.Path
	st, err := os.Stat(p)
	if err != nil {
		return nil, core.ErrOAFileUnreadable.Wrap(err, "reason", filepath.Base(p)+": not found")
	}
	var paths []string
	if st.IsDir() {
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, core.ErrOAFileUnreadable.Wrap(err, "reason", filepath.Base(p))
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if !e.IsDir() && (ext == ".csv" || ext == ".xlsx") && !strings.HasPrefix(e.Name(), "~$") {
				paths = append(paths, filepath.Join(p, e.Name()))
			}
		}
	} else {
		paths = []string{p}
	}
	var out []NamedFile
	for _, fp := range paths {
		fi, err := os.Stat(fp)
		if err == nil && fi.Size() > MaxFileSize {
			return nil, core.ErrOAFileTooLarge.New("max", strconv.Itoa(MaxFileSize>>20)+" MB")
		}
		data, err := os.ReadFile(fp)
		if err != nil {
			return nil, core.ErrOAFileUnreadable.Wrap(err, "reason", filepath.Base(fp))
		}
		out = append(out, NamedFile{Name: filepath.Base(fp), Data: data})
	}
	return out, nil
}

// PullOrg implements Connector: always a full read of the file(s).
func (c *fileConnector) PullOrg(ctx context.Context, opts PullOptions) (*Org, error) {
	started := c.deps.Clock.Now()
	files, err := c.files()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, core.ErrTimeout.Wrap(err)
	}
	org, rep, err := ImportOrgFiles(files, opts)
	if err != nil {
		return nil, err
	}
	if opts.Progress != nil {
		opts.Progress(Progress{Stage: StageDepartments, Fetched: len(org.Departments), Total: len(org.Departments), Done: true})
		opts.Progress(Progress{Stage: StageUsers, Fetched: rep.Rows[SheetUser], Total: rep.Rows[SheetUser], Done: true})
	}
	org.PulledAt = started
	return org, nil
}

// Validate reads and checks the configured file(s) without building
// anything else: the report for the UI's import preview.
func (c *fileConnector) Validate() (*FileReport, error) {
	files, err := c.files()
	if err != nil {
		return nil, err
	}
	_, rep, err := ImportOrgFiles(files, PullOptions{})
	return rep, err
}

func (c *fileConnector) CheckPassword(context.Context, string, string) (User, error) {
	return User{}, core.ErrOANotSupported.New("kind", KindFile, "feature", "password check")
}

func (c *fileConnector) SSOURL(context.Context, User, Target) (string, error) {
	return "", core.ErrOANotSupported.New("kind", KindFile, "feature", "SSO")
}

// Test implements Connector: reads and validates the file(s).
func (c *fileConnector) Test(ctx context.Context) (TestReport, error) {
	rep := TestReport{Kind: KindFile}
	t0 := c.deps.Clock.Now()
	files, err := c.files()
	step := TestStep{Name: "read"}
	if err != nil {
		step.Error = core.AsError(err)
		rep.Steps = append(rep.Steps, step)
		return rep, nil
	}
	step.OK, step.Count = true, len(files)
	rep.Steps = append(rep.Steps, step)
	_, frep, err := ImportOrgFiles(files, PullOptions{})
	for _, kind := range []string{SheetSubcompany, SheetDepartment, SheetUser} {
		s := TestStep{Name: kind, OK: err == nil, Count: frep.Rows[kind], Total: frep.Rows[kind]}
		if err != nil {
			s.Error = core.AsError(err)
		}
		rep.Steps = append(rep.Steps, s)
	}
	rep.OK = err == nil
	rep.Elapsed = Millis(c.deps.Clock.Now().Sub(t0))
	return rep, nil
}
