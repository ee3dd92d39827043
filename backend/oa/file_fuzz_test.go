package oa

import (
	"bytes"
	"errors"
	"testing"

	"cloudbridge/backend/core"
)

// checkImport holds for every input: no panic; an error is a catalogue
// error of the file kinds, never an internal one, and comes with a report;
// success yields an Org whose ids are unique and whose users' departments
// exist (what the snapshot refresh relies on).
func checkImport(t *testing.T, fs []NamedFile) *Org {
	t.Helper()
	org, rep, err := ImportOrgFiles(fs, PullOptions{})
	if rep == nil {
		t.Fatal("no report")
	}
	if err != nil {
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Code == core.ErrInternal.Code {
			t.Fatalf("not a catalogue error: %v", err)
		}
		if org != nil {
			t.Fatal("an Org with an error")
		}
		return nil
	}
	depts := map[string]bool{}
	for _, d := range org.Departments {
		if d.ID == "" || depts[d.ID] {
			t.Fatalf("empty or duplicate department id %q", d.ID)
		}
		depts[d.ID] = true
	}
	users := map[string]bool{}
	for _, u := range org.Users {
		if u.ID == "" || users[u.ID] {
			t.Fatalf("empty or duplicate user id %q", u.ID)
		}
		users[u.ID] = true
		if u.DepartmentID != "" && !depts[u.DepartmentID] {
			t.Fatalf("user %s in unknown department %s", u.ID, u.DepartmentID)
		}
	}
	return org
}

func FuzzImportOrgCSV(f *testing.F) {
	f.Add([]byte(csvSubs), []byte(csvDepts), []byte(csvUsers))
	f.Add([]byte("\ufeff"+csvSubs), []byte(csvDepts), []byte("id,loginid,lastname,departmentid\n1,a,甲,11\n1,b,乙,11\n"))
	f.Add([]byte{}, []byte("id,departmentname\n11,\"a,\"\"b\"\n"), []byte("id,lastname\n\"unterminated\n"))
	f.Add([]byte("id\n"), []byte("\xff\xfei\x00d\x00\n\x00"), []byte("id,lastname,departmentid,status\n9,x,404,9\n"))
	f.Fuzz(func(t *testing.T, subs, depts, users []byte) {
		fs := []NamedFile{{"department.csv", depts}, {"user.csv", users}}
		if len(subs) > 0 {
			fs = append(fs, NamedFile{"subcompany.csv", subs})
		}
		org := checkImport(t, fs)
		if string(subs) == csvSubs && string(depts) == csvDepts && string(users) == csvUsers && (org == nil || len(org.Users)+len(org.Skipped) != 4) {
			t.Fatalf("the reference files no longer import: %+v", org)
		}
	})
}

func FuzzImportOrgXLSX(f *testing.F) {
	var tmpl bytes.Buffer
	if err := WriteTemplate(&tmpl); err != nil {
		f.Fatal(err)
	}
	f.Add(tmpl.Bytes())
	f.Add(tmpl.Bytes()[:tmpl.Len()/2])
	f.Add(append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0x42}, 64)...))
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	f.Fuzz(func(t *testing.T, data []byte) {
		org := checkImport(t, []NamedFile{{"org.xlsx", data}})
		if bytes.Equal(data, tmpl.Bytes()) && org == nil {
			t.Fatal("the template no longer imports")
		}
	})
}
