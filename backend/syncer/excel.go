package syncer

import (
	"bytes"
	"strings"

	"github.com/xuri/excelize/v2"
)

// exportXLSX writes a run's summary and every action with its reason and
// result: the downloadable history.
func exportXLSX(r Run, list []Action) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	const sum, det = "Summary", "Actions"
	x.SetSheetName("Sheet1", sum)
	rows := [][]any{
		{"run", r.ID}, {"direction", r.Direction}, {"trigger", r.Trigger}, {"status", r.Status},
		{"started", r.StartedAt.Format("2006-01-02 15:04:05")}, {"ended", r.EndedAt.Format("2006-01-02 15:04:05")},
		{"complete read", r.Complete}, {"WeLink calls", r.Calls},
		{"matched", r.Counts.Matched}, {"create", r.Counts.Create}, {"update", r.Counts.Update}, {"move", r.Counts.Move},
		{"delete", r.Counts.Delete}, {"bind", r.Counts.Bind}, {"review", r.Counts.Review}, {"skip", r.Counts.Skip},
		{"done", r.Counts.Done}, {"failed", r.Counts.Failed}, {"pending", r.Counts.Pending},
	}
	if r.Error != nil {
		rows = append(rows, []any{"error", r.Error.Code})
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sum, cell, &row); err != nil {
			return nil, err
		}
	}
	if _, err := x.NewSheet(det); err != nil {
		return nil, err
	}
	sw, err := x.NewStreamWriter(det)
	if err != nil {
		return nil, err
	}
	head := []any{"#", "object", "action", "OA id", "OA name", "WeLink id", "WeLink name", "path", "changes", "reason", "reason params", "result", "error"}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	for i, a := range list {
		var params []string
		for k, v := range a.Reason.Params {
			params = append(params, k+"="+v)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{a.Seq, a.Object, a.Kind, a.OAID, a.OAName, a.WLID, a.WLName, a.Path, strings.Join(a.Changes, "; "),
			a.Reason.Code, strings.Join(params, ", "), a.Result, a.Error}
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
