package binding

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"io"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
)

// FileData carries a file between the UI and the backend (bound methods
// take and return base64; the browser saves it through a Blob).
type FileData struct {
	Name          string `json:"name"`
	ContentBase64 string `json:"contentBase64"`
}

// Export columns. The import finds its two columns by header (either
// language), so admins may reorder, delete or add columns.
var exportHeader = []string{
	"WeLink账号 userId", "姓名 Name", "手机 Mobile", "邮箱 Email", "工号 Employee ID", "corpUserId",
	"部门 Department", "已绑定OA账号 Bound OA login", "已绑定OA ID Bound OA id", "绑定方式 Method", "OA匹配值 OA match value",
}

const exportSheet = "关联导入"

// ExportUsers writes the corp's local WeLink users with their current
// binding and an empty "OA match value" column to fill in (关联导入).
func (s *Service) ExportUsers(corpID string) (FileData, error) {
	_, j, err := s.startJob("export", 0)
	if err != nil {
		return FileData{}, err
	}
	var buf bytes.Buffer
	err = s.exportTo(&buf, corpID, func(done, total int) { s.step(j, "export", done, total) })
	s.endJob(j, err)
	if err != nil {
		return FileData{}, err
	}
	name := "welink-users-" + s.d.Clock.Now().Format("20060102-150405") + ".xlsx"
	return FileData{Name: name, ContentBase64: base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

func (s *Service) exportTo(w io.Writer, corpID string, progress func(done, total int)) error {
	if corpID == "" {
		return core.ErrRequired.New("field", "corpId")
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", exportSheet); err != nil {
		return core.ErrInternal.Wrap(err)
	}
	sw, err := x.NewStreamWriter(exportSheet)
	if err != nil {
		return core.ErrInternal.Wrap(err)
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8F0FE"}}})
	fill, _ := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF8E1"}}, NumFmt: 49})
	widths := []float64{24, 12, 16, 26, 12, 16, 24, 18, 14, 12, 24}
	for i, wd := range widths {
		sw.SetColWidth(i+1, i+1, wd)
	}
	sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	head := make([]any, len(exportHeader))
	for i, h := range exportHeader {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return core.ErrInternal.Wrap(err)
	}
	err = s.d.DB.View(func(tx *store.Tx) error {
		depts := map[string]string{}
		ds, err := directory.Depts.Lookup(tx, "corp", corpID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			depts[d.Code] = d.NameCn
		}
		bound := map[string]Binding{}
		if err := eachBindingOfCorp(tx, corpID, func(b Binding) { bound[b.WeLinkUserID] = b }); err != nil {
			return err
		}
		total, _ := directory.Users.Count(tx, "corp", corpID)
		n := 0
		row := make([]any, len(exportHeader))
		return directory.Users.Each(tx, func(u directory.User) error {
			if u.CorpID != corpID {
				return nil
			}
			n++
			b := bound[u.UserID]
			dept := depts[u.MainDept]
			if dept == "" && len(u.Depts) > 0 {
				dept = depts[u.Depts[0]]
			}
			// Strings only: mobiles and work codes must stay text.
			row[0], row[1], row[2], row[3], row[4], row[5] = u.UserID, u.NameCn, u.Mobile, u.Email, u.EmployeeID, u.CorpUserID
			row[6], row[7], row[8], row[9] = dept, b.OALoginID, b.OAUserID, b.Method
			row[10] = excelize.Cell{StyleID: fill, Value: ""}
			if err := sw.SetRow("A"+strconv.Itoa(n+1), row); err != nil {
				return core.ErrInternal.Wrap(err)
			}
			if n%2000 == 0 {
				progress(n, total)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return core.ErrInternal.Wrap(err)
	}
	if _, err := x.WriteTo(w); err != nil {
		return core.ErrInternal.Wrap(err)
	}
	return nil
}

// Import verdicts of a row.
const (
	RowBind          = "bind"           // valid: will bind
	RowRebind        = "rebind"         // valid: replaces the user's current binding
	RowUnchanged     = "unchanged"      // already bound to that OA user
	RowEmpty         = "empty"          // no match value: skipped
	RowNoUser        = "missing_user"   // no WeLink account in the row
	RowUnknownUser   = "unknown_user"   // not in the local directory of this corp
	RowNotFound      = "not_found"      // no active OA user with that value
	RowAmbiguous     = "ambiguous"      // several OA users have that value
	RowTaken         = "taken"          // the OA user is bound to another WeLink user
	RowDuplicateUser = "duplicate_user" // the WeLink user is in several rows
	RowDuplicateOA   = "duplicate_oa"   // several rows point at the same OA user
)

func rowValid(status string) bool { return status == RowBind || status == RowRebind }

func rowProblem(status string) bool {
	return !rowValid(status) && status != RowUnchanged && status != RowEmpty
}

type importRow struct {
	Row       int
	UserID    string
	Value     string
	Status    string
	OAUserID  string
	OALoginID string
	OAName    string
	Prev      string // current OA id of the WeLink user
	PrevLogin string
	Detail    string // candidates, holder, other rows
}

// ImportRequest is an uploaded association file.
type ImportRequest struct {
	CorpID        string `json:"corpId"`
	Name          string `json:"name"`
	ContentBase64 string `json:"contentBase64"`
	MatchField    string `json:"matchField"` // OAFields: id, loginId, workCode, mobile, email
}

// ImportRowView is a row as the preview shows it.
type ImportRowView struct {
	Row          int    `json:"row"`
	WeLinkUserID string `json:"welinkUserId"`
	Value        string `json:"value"`
	Status       string `json:"status"`
	OAUserID     string `json:"oaUserId,omitempty"`
	OALoginID    string `json:"oaLoginId,omitempty"`
	OAName       string `json:"oaName,omitempty"`
	PrevLogin    string `json:"prevLogin,omitempty"`
	Detail       string `json:"detail,omitempty"`
}

// ImportPreview is the validation report of an import.
type ImportPreview struct {
	Token    string          `json:"token"`
	File     string          `json:"file"`
	Encoding string          `json:"encoding,omitempty"` // CSV: utf-8, gbk, utf-16
	Field    string          `json:"field"`
	Rows     int             `json:"rows"`
	Valid    int             `json:"valid"`
	Counts   map[string]int  `json:"counts"`
	Problems []ImportRowView `json:"problems"` // first 1000 invalid rows
	Sample   []ImportRowView `json:"sample"`   // first 200 valid rows
}

const (
	maxImportBytes = 40 << 20
	maxImportRows  = 200_000
)

// PreviewImport reads and validates an association file without writing
// anything; ApplyImport(token) applies the valid rows after confirmation.
func (s *Service) PreviewImport(req ImportRequest) (ImportPreview, error) {
	if req.CorpID == "" {
		return ImportPreview{}, core.ErrRequired.New("field", "corpId")
	}
	if !contains(OAFields, req.MatchField) {
		return ImportPreview{}, core.ErrBindingFieldUnknown.New("field", req.MatchField)
	}
	if base64.StdEncoding.DecodedLen(len(req.ContentBase64)) > maxImportBytes {
		return ImportPreview{}, core.ErrBindingImportTooLarge.New("max", "40 MB")
	}
	data, err := base64.StdEncoding.DecodeString(req.ContentBase64)
	if err != nil {
		return ImportPreview{}, core.ErrBindingImportFormat.Wrap(err, "reason", "base64")
	}
	_, j, err := s.startJob("import-preview", 0)
	if err != nil {
		return ImportPreview{}, err
	}
	p, prev, err := s.validateImport(req, data, func(done, total int) { s.step(j, "validate", done, total) })
	s.endJob(j, err)
	if err != nil {
		return ImportPreview{}, err
	}
	prev.Token = s.keepPlan(p)
	return prev, nil
}

func (s *Service) validateImport(req ImportRequest, data []byte, progress func(done, total int)) (*plan, ImportPreview, error) {
	prev := ImportPreview{File: req.Name, Field: req.MatchField, Counts: map[string]int{}, Problems: []ImportRowView{}, Sample: []ImportRowView{}}
	rows, enc, err := readImportFile(req.Name, data)
	if err != nil {
		return nil, prev, err
	}
	prev.Encoding, prev.Rows = enc, len(rows)
	// A 100k-row workbook leaves ~100 MB of parse garbage and a GC target
	// sized by it; collecting now keeps the next phases (OA index, checks)
	// from stacking on top of it: peak RSS stays near 2x the live data.
	runtime.GC()
	p := &plan{kind: "import", corpID: req.CorpID, rows: rows, name: req.Name, field: req.MatchField}
	err = s.d.DB.View(func(tx *store.Tx) error {
		idx, err := loadOAIndex(tx, []string{req.MatchField})
		if err != nil {
			return err
		}
		runtime.GC() // the snapshot's decode garbage, likewise
		byUser := map[string]Binding{}
		byOA := map[string]string{}
		if err := eachBindingOfCorp(tx, req.CorpID, func(b Binding) { byUser[b.WeLinkUserID] = b; byOA[b.OAUserID] = b.WeLinkUserID }); err != nil {
			return err
		}
		userRows := map[string][]int{}
		oaRows := map[string][]int{}
		for i := range rows {
			r := &rows[i]
			if i%5000 == 0 {
				progress(i, len(rows))
			}
			switch {
			case r.UserID == "" && r.Value == "":
				r.Status = RowEmpty
				continue
			case r.UserID == "":
				r.Status = RowNoUser
				continue
			}
			if ok, err := directory.Users.Has(tx, directory.Key(req.CorpID, r.UserID)); err != nil {
				return err
			} else if !ok {
				r.Status = RowUnknownUser
				continue
			}
			if r.Value == "" {
				r.Status = RowEmpty
				continue
			}
			userRows[r.UserID] = append(userRows[r.UserID], i)
			ids := idx.Find(req.MatchField, r.Value)
			switch len(ids) {
			case 0:
				r.Status = RowNotFound
				continue
			case 1:
			default:
				r.Status = RowAmbiguous
				var names []string
				for _, id := range ids[:min(5, len(ids))] {
					u, _ := idx.User(id)
					names = append(names, nonEmptyOr(u.LoginID, u.ID)+" "+u.Name)
				}
				r.Detail = strings.Join(names, ", ")
				continue
			}
			ou, _ := idx.User(ids[0])
			r.OAUserID, r.OALoginID, r.OAName = ou.ID, ou.LoginID, ou.Name
			cur, had := byUser[r.UserID]
			if had {
				r.Prev, r.PrevLogin = cur.OAUserID, nonEmptyOr(cur.OALoginID, cur.OAUserID)
			}
			if had && cur.OAUserID == ou.ID {
				r.Status = RowUnchanged
				continue
			}
			if holder, taken := byOA[ou.ID]; taken && holder != r.UserID {
				r.Status, r.Detail = RowTaken, holder
				continue
			}
			oaRows[ou.ID] = append(oaRows[ou.ID], i)
			r.Status = RowBind
			if had {
				r.Status = RowRebind
			}
		}
		// Duplicates: every row involved is refused, so the file decides nothing by row order.
		markDup := func(groups map[string][]int, status string) {
			for _, list := range groups {
				if len(list) < 2 {
					continue
				}
				nums := make([]string, len(list))
				for k, i := range list {
					nums[k] = strconv.Itoa(rows[i].Row)
				}
				for _, i := range list {
					if rows[i].Status != RowEmpty {
						rows[i].Status, rows[i].Detail = status, strings.Join(nums[:min(10, len(nums))], ",")
					}
				}
			}
		}
		markDup(userRows, RowDuplicateUser)
		markDup(oaRows, RowDuplicateOA)
		return nil
	})
	if err != nil {
		return nil, prev, err
	}
	for i := range rows {
		r := &rows[i]
		prev.Counts[r.Status]++
		if rowValid(r.Status) {
			prev.Valid++
			p.changes = append(p.changes, change{Row: r.Row, WeLinkUserID: r.UserID, OAUserID: r.OAUserID, OALoginID: r.OALoginID,
				Prev: r.Prev, Detail: p.field + "=" + r.Value})
			if len(prev.Sample) < 200 {
				prev.Sample = append(prev.Sample, r.view())
			}
		} else if rowProblem(r.Status) && len(prev.Problems) < maxProblems {
			prev.Problems = append(prev.Problems, r.view())
		}
	}
	return p, prev, nil
}

func (r *importRow) view() ImportRowView {
	return ImportRowView{Row: r.Row, WeLinkUserID: r.UserID, Value: r.Value, Status: r.Status, OAUserID: r.OAUserID,
		OALoginID: r.OALoginID, OAName: r.OAName, PrevLogin: r.PrevLogin, Detail: r.Detail}
}

// ApplyImport applies the valid rows of a preview after confirmation, in
// chunks (each one transaction, re-checked against the current state).
func (s *Service) ApplyImport(token string) (ApplyResult, error) {
	p, err := s.takePlan(token, "import", false)
	if err != nil {
		return ApplyResult{}, err
	}
	ctx, j, err := s.startJob("import", len(p.changes))
	if err != nil {
		return ApplyResult{}, err
	}
	res := s.applyChanges(ctx, j, p.corpID, MethodImport, p.changes)
	s.endJob(j, nil)
	s.mu.Lock()
	delete(s.plans, token)
	s.mu.Unlock()
	return res, nil
}

// ImportReport returns the preview's rows with their verdicts as an
// annotated workbook (lang "zh-CN" or "en-US").
func (s *Service) ImportReport(token, lang string) (FileData, error) {
	p, err := s.takePlan(token, "import", false)
	if err != nil {
		return FileData{}, err
	}
	var buf bytes.Buffer
	if err := writeReport(&buf, p, lang); err != nil {
		return FileData{}, err
	}
	base := strings.TrimSuffix(path.Base(p.name), path.Ext(p.name))
	return FileData{Name: base + "-report.xlsx", ContentBase64: base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

var rowText = map[string][2]string{
	RowBind:          {"将绑定", "will bind"},
	RowRebind:        {"将改绑（替换当前绑定）", "will rebind (replaces the current binding)"},
	RowUnchanged:     {"已是此绑定，无需变更", "already bound so; no change"},
	RowEmpty:         {"匹配值为空，跳过", "no match value; skipped"},
	RowNoUser:        {"缺少 WeLink 账号", "WeLink account missing"},
	RowUnknownUser:   {"云桥通讯录中没有此 WeLink 用户", "WeLink user not in the local directory"},
	RowNotFound:      {"OA 中没有匹配的在职用户", "no active OA user has this value"},
	RowAmbiguous:     {"匹配到多个 OA 用户", "several OA users have this value"},
	RowTaken:         {"该 OA 用户已绑定其他 WeLink 用户", "the OA user is bound to another WeLink user"},
	RowDuplicateUser: {"WeLink 账号在多行出现", "the WeLink user is in several rows"},
	RowDuplicateOA:   {"多行指向同一 OA 用户", "several rows point at the same OA user"},
}

func writeReport(w io.Writer, p *plan, lang string) error {
	en := strings.HasPrefix(lang, "en")
	pick := func(zh, e string) string {
		if en {
			return e
		}
		return zh
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := pick("校验结果", "Validation")
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return core.ErrInternal.Wrap(err)
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	bad, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "C62828"}})
	good, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "2E7D32"}})
	for i, wd := range []float64{8, 24, 24, 14, 36, 18, 12, 30} {
		sw.SetColWidth(i+1, i+1, wd)
	}
	head := []string{pick("行号", "Row"), pick("WeLink账号", "WeLink userId"), pick("匹配值", "Match value") + " (" + p.field + ")",
		pick("结果", "Result"), pick("说明", "Message"), pick("OA账号", "OA login"), pick("OA姓名", "OA name"), pick("详情", "Details")}
	hr := make([]any, len(head))
	for i, h := range head {
		hr[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", hr); err != nil {
		return core.ErrInternal.Wrap(err)
	}
	// Problems first, then the rest, each in file order.
	order := make([]int, len(p.rows))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return rowProblem(p.rows[order[a]].Status) && !rowProblem(p.rows[order[b]].Status)
	})
	for n, i := range order {
		r := &p.rows[i]
		txt := rowText[r.Status]
		style := good
		if rowProblem(r.Status) {
			style = bad
		}
		detail := r.Detail
		if r.Status == RowRebind {
			detail = pick("当前：", "current: ") + r.PrevLogin
		}
		vals := []any{r.Row, r.UserID, r.Value, excelize.Cell{StyleID: style, Value: r.Status}, pick(txt[0], txt[1]), r.OALoginID, r.OAName, detail}
		if err := sw.SetRow("A"+strconv.Itoa(n+2), vals); err != nil {
			return core.ErrInternal.Wrap(err)
		}
	}
	if err := sw.Flush(); err != nil {
		return core.ErrInternal.Wrap(err)
	}
	_, err = x.WriteTo(w)
	return err
}

// readImportFile returns the data rows (userId, match value) of an .xlsx
// or .csv, with their row numbers as the admin sees them.
func readImportFile(name string, data []byte) ([]importRow, string, error) {
	ext := strings.ToLower(path.Ext(name))
	isZip := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	switch {
	case ext == ".xlsx" || ext == ".xlsm" || (ext == "" && isZip):
		if !isZip {
			return nil, "", core.ErrBindingImportFormat.New("reason", "not an .xlsx workbook")
		}
		rows, err := readXLSXRows(data)
		return rows, "", err
	case ext == ".csv" || ext == ".txt" || ext == "":
		text, enc, err := decodeCSV(data)
		if err != nil {
			return nil, "", err
		}
		rows, err := readCSVRows(text)
		return rows, enc, err
	case ext == ".xls":
		return nil, "", core.ErrBindingImportFormat.New("reason", ".xls (Excel 97-2003): save as .xlsx or .csv")
	}
	return nil, "", core.ErrBindingImportFormat.New("reason", "use .xlsx or .csv")
}

type columnPicker struct{ user, value int }

func normHeader(h string) string {
	h = strings.ToLower(h)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '_' || r == '-' || r == '(' || r == ')' || r == '（' || r == '）' || r == '\u00a0' || r == '\ufeff' {
			return -1
		}
		return r
	}, h)
}

// findColumns locates the WeLink account and match value columns by header.
func findColumns(header []string) (columnPicker, bool) {
	c := columnPicker{-1, -1}
	for i, h := range header {
		n := normHeader(h)
		switch {
		case c.user < 0 && (strings.HasPrefix(n, "welink账号") || n == "userid" || n == "welinkuserid" || n == "welink账号userid" || n == "账号"):
			c.user = i
		case c.value < 0 && (strings.Contains(n, "匹配值") || strings.Contains(n, "matchvalue") || strings.Contains(n, "关联值")):
			c.value = i
		}
	}
	return c, c.user >= 0 && c.value >= 0
}

var needColumns = "WeLink账号 userId, OA匹配值 OA match value"

func cell(row []string, i int) string {
	if i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

func readXLSXRows(data []byte) ([]importRow, error) {
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 512 << 20, UnzipXMLSizeLimit: 4 << 20})
	if err != nil {
		return nil, core.ErrBindingImportFormat.Wrap(err, "reason", "not a readable .xlsx workbook")
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return nil, core.ErrBindingImportFormat.New("reason", "no worksheet")
	}
	// The export's sheet if present, else the first sheet.
	sheet := sheets[0]
	for _, n := range sheets {
		if n == exportSheet {
			sheet = n
		}
	}
	it, err := x.Rows(sheet)
	if err != nil {
		return nil, core.ErrBindingImportFormat.Wrap(err, "reason", "sheet "+sheet)
	}
	defer it.Close()
	var cols columnPicker
	var out []importRow
	num := 0
	found := false
	for it.Next() {
		num++
		// Raw values: mobiles and work codes must not come back as 1.38E+10.
		r, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, core.ErrBindingImportFormat.Wrap(err, "reason", "row "+strconv.Itoa(num))
		}
		if !found {
			if cols, found = findColumns(r); !found && num >= 10 {
				break
			}
			continue
		}
		u, v := cell(r, cols.user), cell(r, cols.value)
		if u == "" && v == "" {
			continue
		}
		if len(out) >= maxImportRows {
			return nil, core.ErrBindingImportTooLarge.New("max", strconv.Itoa(maxImportRows)+" rows")
		}
		out = append(out, importRow{Row: num, UserID: u, Value: v})
	}
	if err := it.Error(); err != nil {
		return nil, core.ErrBindingImportFormat.Wrap(err, "reason", "sheet "+sheet)
	}
	if !found {
		return nil, core.ErrBindingImportColumns.New("need", needColumns)
	}
	return out, nil
}

// decodeCSV: a BOM (UTF-8/UTF-16), else valid UTF-8, else GBK (decoded as
// GB18030, its superset) — what Excel on a Chinese Windows saves.
func decodeCSV(b []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		b = b[3:]
	case bytes.HasPrefix(b, []byte("\xff\xfe")), bytes.HasPrefix(b, []byte("\xfe\xff")):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), b)
		if err != nil {
			return "", "", core.ErrBindingImportFormat.Wrap(err, "reason", "UTF-16")
		}
		return string(out), "utf-16", nil
	case !utf8.Valid(b):
		out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
		if err != nil {
			return "", "", core.ErrBindingImportFormat.Wrap(err, "reason", "neither UTF-8 nor GBK")
		}
		return string(out), "gbk", nil
	}
	if !utf8.Valid(b) {
		return "", "", core.ErrBindingImportFormat.New("reason", "invalid UTF-8")
	}
	return string(b), "utf-8", nil
}

func readCSVRows(text string) ([]importRow, error) {
	// Excel in some locales saves ";"-separated CSV.
	first, _, _ := strings.Cut(text, "\n")
	r := csv.NewReader(strings.NewReader(text))
	if strings.Count(first, ";") > strings.Count(first, ",") {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var cols columnPicker
	found := false
	var out []importRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, core.ErrBindingImportFormat.Wrap(err, "reason", "line "+strconv.Itoa(line))
		}
		if !found {
			if cols, found = findColumns(rec); !found && line >= 10 {
				break
			}
			continue
		}
		u, v := cell(rec, cols.user), cell(rec, cols.value)
		if u == "" && v == "" {
			continue
		}
		if len(out) >= maxImportRows {
			return nil, core.ErrBindingImportTooLarge.New("max", strconv.Itoa(maxImportRows)+" rows")
		}
		out = append(out, importRow{Row: line, UserID: u, Value: v})
	}
	if !found {
		return nil, core.ErrBindingImportColumns.New("need", needColumns)
	}
	return out, nil
}
