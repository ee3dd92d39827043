package relay

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	oasim "cloudbridge/backend/oa/sim"
	"cloudbridge/backend/store"
)

// On a full disk the public intake answers the OA with the translated
// store.disk_full (OFS: HTTP 200, operResult 0; JSON: HTTP 507) instead of
// crashing or acknowledging what was not stored; the OA's retry after space
// came back is taken.
func TestIntakeOnAFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs to fill")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("mount -t tmpfs not permitted here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	f := newFixture(t, fixOpts{dir: filepath.Join(mnt, "db")})
	f.rule(SourceAll, TypeNotice)
	sp, err := f.db.Space()
	if err != nil {
		t.Fatal(err)
	}
	// Another program takes the disk down to 8 MiB below the store's limit.
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, sp.Free-sp.MinFree+8<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	item := mustJSON([]map[string]string{ofsItem("7001", "zhangsan", "0", 1)})
	code, m := f.post("/rest/ofs/batchReceiveRequestInfoByJson", item, nil)
	msg, _ := m["message"].(string)
	if code != 200 || m["operResult"] != "0" || !strings.Contains(msg, "磁盘空间不足") || !strings.Contains(msg, mnt) {
		t.Fatalf("OFS on a full disk: %d %v", code, m)
	}
	t.Logf("OFS reply on a full disk: %s", msg)
	body := mustJSON(map[string]any{"syscode": oasim.DemoOFSSysCode, "module": "approval", "title": "磁盘满时的消息", "receivers": []string{"zhangsan"}})
	code, m = f.post(JSONPath, body, map[string]string{"Accept-Language": "en-US"})
	if code != 507 || m["code"] != "store.disk_full" || !strings.Contains(m["message"].(string), "disk is full") {
		t.Fatalf("JSON on a full disk: %d %v", code, m)
	}
	var n int
	f.db.View(func(tx *store.Tx) error {
		var err error
		n, err = items.Count(tx, "flow", oasim.DemoOFSSysCode+"~7001")
		return err
	})
	if n != 0 || len(f.rows()) != 0 {
		t.Fatalf("%d items, %d rows stored although the OA was told no", n, len(f.rows()))
	}
	// Space back: the OA's retry is stored and acknowledged.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, m := f.post("/rest/ofs/batchReceiveRequestInfoByJson", item, nil); code != 200 || m["operResult"] != "1" {
		t.Fatalf("retry after space came back: %d %v", code, m)
	}
}
