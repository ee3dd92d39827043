package binding

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"cloudbridge/backend/core"
)

func wantImportError(t *testing.T, err error) {
	t.Helper()
	var ce *core.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a catalogue error: %v", err)
	}
	if !core.Of(err, core.ErrBindingImportFormat) && !core.Of(err, core.ErrBindingImportColumns) && !core.Of(err, core.ErrBindingImportTooLarge) {
		t.Fatalf("unexpected kind %s: %v", ce.Code, err)
	}
}

// FuzzReadImportFile: the association import's parser never panics on any
// bytes read as .csv or .xlsx; refusals are the import's catalogue errors;
// rows it returns carry a row number and a value.
func FuzzReadImportFile(f *testing.F) {
	f.Add([]byte("WeLink账号 userId,OA匹配值 OA match value\nu1,zhangsan\n,\nu2,\"li,si\"\n"), false)
	f.Add([]byte("\xef\xbb\xbfuserId;匹配值\nu1;a\n"), false)
	f.Add([]byte("\xff\xfeu\x00s\x00"), false)
	f.Add([]byte("userid,matchvalue\n\"open\n"), false)
	if x, err := os.ReadFile("testdata/libreoffice-calc-7.4.xlsx"); err == nil {
		f.Add(x, true)
	}
	f.Add(append([]byte("PK\x03\x04"), bytes.Repeat([]byte{7}, 40)...), true)
	f.Fuzz(func(t *testing.T, data []byte, xlsx bool) {
		name := "bind.csv"
		if xlsx {
			name = "bind.xlsx"
		}
		rows, _, err := readImportFile(name, data)
		if err != nil {
			wantImportError(t, err)
			return
		}
		for _, r := range rows {
			if r.Row < 2 || (r.UserID == "" && r.Value == "") {
				t.Fatalf("bad row %+v", r)
			}
		}
	})
}

// FuzzImportCSVRoundTrip: a pair written by a CSV writer under the
// template's headers comes back trimmed, on row 2.
func FuzzImportCSVRoundTrip(f *testing.F) {
	f.Add("u1", "zhangsan")
	f.Add(" u,2 ", "\"李四\"\n")
	f.Add("", "13800000001")
	f.Fuzz(func(t *testing.T, user, value string) {
		if !utf8.ValidString(user) || !utf8.ValidString(value) || strings.ContainsAny(user+value, "\r\x00") {
			t.Skip("not text a spreadsheet writes")
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{"WeLink账号 userId", "OA匹配值 OA match value"})
		w.Write([]string{user, value})
		w.Flush()
		rows, enc, err := readImportFile("bind.csv", buf.Bytes())
		if err != nil {
			t.Fatalf("%q: %v", buf.String(), err)
		}
		u, v := strings.TrimSpace(user), strings.TrimSpace(value)
		if u == "" && v == "" {
			if len(rows) != 0 {
				t.Fatalf("empty row kept: %+v", rows)
			}
			return
		}
		if enc != "utf-8" || len(rows) != 1 || rows[0].UserID != u || rows[0].Value != v || rows[0].Row != 2 {
			t.Fatalf("%q → %+v (%s)", buf.String(), rows, enc)
		}
	})
}
