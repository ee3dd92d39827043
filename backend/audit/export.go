package audit

import (
	"bytes"
	"encoding/base64"
	"strings"

	"github.com/xuri/excelize/v2"

	"cloudbridge/backend/core"
)

// FileData carries a file to the UI as base64 (utils/files.ts saves it).
type FileData struct {
	Name          string `json:"name"`
	ContentBase64 string `json:"contentBase64"`
}

// MaxExportRows bounds one export; narrow the filter for more.
const MaxExportRows = 100_000

// Export writes the matching entries, newest first, as an Excel workbook in
// the given language: one row per action, with the translated action and
// outcome, the changed fields and the redacted arguments and objects.
func (l *Log) Export(q Query, lang string) ([]byte, int, error) {
	lang = core.NormalizeLang(lang)
	x := excelize.NewFile()
	defer x.Close()
	sheet := core.T(lang, "audit.export.sheet", nil)
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, 0, core.ErrInternal.Wrap(err)
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return nil, 0, core.ErrInternal.Wrap(err)
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8F0FE"}}})
	cols := []string{"time", "actor", "address", "session", "action", "actionCode", "targets", "outcome", "changes", "args", "before", "after", "durationMs"}
	widths := []float64{20, 18, 16, 10, 22, 24, 28, 24, 30, 40, 40, 40, 10}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: bold, Value: core.T(lang, "audit.export."+c, nil)}
		sw.SetColWidth(i+1, i+1, widths[i])
	}
	sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if err := sw.SetRow("A1", head); err != nil {
		return nil, 0, core.ErrInternal.Wrap(err)
	}
	row := 2
	n, err := l.Each(q, MaxExportRows, func(e *Entry) error {
		outcome := core.T(lang, "audit.export.ok", nil)
		if !e.OK() {
			outcome = e.Outcome + " — " + core.Translate(lang, e.Outcome, e.ErrorParams)
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, []any{
			e.At.Local().Format("2006-01-02 15:04:05"), e.Actor.Name, e.Actor.Addr, e.Actor.Session,
			ActionText(lang, e.Action), e.Action, strings.Join(e.Targets, ", "), outcome,
			strings.Join(Changes(e.Before, e.After), ", "),
			string(e.Args), string(e.Before), string(e.After), e.DurationMs,
		})
	})
	if err != nil {
		return nil, 0, err
	}
	if err := sw.Flush(); err != nil {
		return nil, 0, core.ErrInternal.Wrap(err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, 0, core.ErrInternal.Wrap(err)
	}
	return buf.Bytes(), n, nil
}

// ActionText is the translated name of an action (the code itself when the
// catalogue has none).
func ActionText(lang, action string) string {
	if t := core.T(lang, ActionKey(action), nil); t != ActionKey(action) {
		return t
	}
	return action
}

// ActionKey is the catalogue key of an action's name.
func ActionKey(action string) string { return "audit.actions." + action }

func encodeFile(name string, b []byte) FileData {
	return FileData{Name: name, ContentBase64: base64.StdEncoding.EncodeToString(b)}
}
