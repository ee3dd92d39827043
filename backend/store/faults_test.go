package store

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
)

// Fault proofs (issue 9, item 6): a data directory held by another process,
// one that cannot be written, and a disk that fills up all surface as
// translated store errors naming the directory; none crashes the process
// or leaves a transaction half-applied.

const holdEnv = "CLOUDBRIDGE_TEST_HOLD_STORE"

// TestHelperHoldStore is not a test: re-executed as a child process it
// opens the store named in the environment, says "ready" and holds it
// until its stdin closes.
func TestHelperHoldStore(t *testing.T) {
	dir := os.Getenv(holdEnv)
	if dir == "" {
		t.Skip("helper process for TestLockedByAnotherProcess")
	}
	key := []byte(strings.Repeat("k", 32))
	db, err := Open(Options{Dir: dir, Key: key})
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
	db.Close()
	os.Exit(0)
}

func TestLockedByAnotherProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldStore$", "-test.count=1")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		cmd.Process.Kill()
		t.Fatalf("holder process: %q", line)
	}
	key := []byte(strings.Repeat("k", 32))
	_, err := Open(Options{Dir: dir, Key: key})
	if !core.Of(err, core.ErrStoreLocked) {
		stdin.Close()
		cmd.Wait()
		t.Fatalf("open while process %d holds it: %v, want store.locked", cmd.Process.Pid, err)
	}
	e := core.AsError(err)
	msg := core.Translate("zh-CN", e.Code, e.Params)
	if e.Params["dir"] != dir || !strings.Contains(msg, dir) {
		t.Fatalf("error %+v / %q does not name %s", e.Params, msg, dir)
	}
	t.Logf("second process: %s", msg)
	// Once the holder exits, the directory opens.
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("holder: %v", err)
	}
	db, err := Open(Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatalf("open after the holder exited: %v", err)
	}
	db.Close()
}

// mountTmpfs mounts a fresh tmpfs (root only) and unmounts it at the end.
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs (a small file system to fill or a read-only one)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount -t tmpfs -o %s not permitted here: %v %s", opts, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

func TestDataDirNotWritable(t *testing.T) {
	key := testKey(t)
	t.Run("read-only file system", func(t *testing.T) {
		dir := filepath.Join(mountTmpfs(t, "size=4m,ro"), "db")
		_, err := Open(Options{Dir: dir, Key: key})
		wantDenied(t, err, dir, "read-only")
	})
	t.Run("permission denied", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "db")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			// Root ignores permission bits; an immutable directory refuses
			// even root.
			if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
				t.Skipf("root ignores permissions and chattr +i is not available here: %v %s", err, out)
			}
			t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
		} else if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		_, err := Open(Options{Dir: dir, Key: key})
		wantDenied(t, err, dir, "permission")
	})
}

func wantDenied(t *testing.T, err error, dir, reason string) {
	t.Helper()
	if !core.Of(err, core.ErrStoreDenied) {
		t.Fatalf("open: %v, want store.dir_denied", err)
	}
	e := core.AsError(err)
	msg := core.Translate("zh-CN", e.Code, e.Params)
	if e.Params["dir"] != dir || !strings.Contains(msg, dir) || !strings.Contains(e.Params["reason"], reason) {
		t.Fatalf("error %+v / %q: want the dir and %q", e.Params, msg, reason)
	}
	t.Logf("%s", msg)
}

// TestFullDiskRefusesWrites fills a small file system through the store
// itself. Without the free-space guard Badger dies with SIGBUS in its
// mmapped write-ahead log at this point; with it, the write that would go
// below MinFree fails with store.disk_full, nothing of that transaction is
// stored, and the store reopens with everything committed before.
func TestFullDiskRefusesWrites(t *testing.T) {
	mnt := mountTmpfs(t, "size=160m")
	dir := filepath.Join(mnt, "db")
	key := testKey(t)
	db := openTemp(t, dir, key)
	// Something else on the same disk, deleted at the end to free space.
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, 24<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	// Random text: Badger compresses its tables, and records of one
	// repeated letter would fill nothing.
	raw := make([]byte, 1500)
	const perTxn = 20
	committed, txns := 0, 0
	start := time.Now()
	var err error
	for {
		base := committed
		err = db.Update(func(tx *Tx) error {
			for i := 0; i < perTxn; i++ {
				rand.Read(raw)
				pad := base64.StdEncoding.EncodeToString(raw)
				id := fmt.Sprint(base + i)
				if err := recs.Put(tx, &rec{ID: id, Name: "n" + id, Owner: "o", Tags: []string{pad}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			break
		}
		committed += perTxn
		txns++
	}
	elapsed := time.Since(start)
	if !core.Of(err, core.ErrStoreFull) {
		t.Fatalf("after %d records: %v, want store.disk_full", committed, err)
	}
	e := core.AsError(err)
	msg := core.Translate("zh-CN", e.Code, e.Params)
	if e.Params["dir"] != dir || e.Params["free"] == "" || !strings.Contains(msg, dir) || !strings.Contains(msg, "磁盘空间不足") {
		t.Fatalf("error %+v / %q: want the dir and the free space", e.Params, msg)
	}
	sp, serr := db.Space()
	if serr != nil || !sp.Full || !sp.Low || sp.Free >= DefaultMinFree {
		t.Fatalf("space %+v %v: want full", sp, serr)
	}
	// Batches are refused too, and reads still work.
	b := db.NewBatch()
	if err := recs.PutBatch(b, &rec{ID: "batch", Name: "batch"}); !core.Of(err, core.ErrStoreFull) {
		t.Fatalf("batch write on a full disk: %v", err)
	}
	b.Cancel()
	if err := db.View(func(tx *Tx) error { _, err := recs.Get(tx, "0"); return err }); err != nil {
		t.Fatalf("read on a full disk: %v", err)
	}
	t.Logf("160 MiB tmpfs with a 24 MiB file beside: %d records of ~2 KiB in %d transactions (%.1f MiB of records) committed in %v before store.disk_full with %s left (MinFree %s): %s",
		committed, txns, float64(committed*2100)/(1<<20), elapsed.Round(time.Millisecond), HumanBytes(sp.Free), HumanBytes(DefaultMinFree), msg)
	if err := db.Close(); err != nil {
		t.Fatalf("close on a full disk: %v", err)
	}

	// Reopen: every committed record is there, the refused one is not.
	db = openTemp(t, dir, key)
	defer db.Close()
	n := 0
	err = db.View(func(tx *Tx) error {
		return recs.Each(tx, func(r rec) error {
			n++
			return nil
		})
	})
	if err != nil || n != committed {
		t.Fatalf("after reopening: %d records (%v), want %d", n, err, committed)
	}
	if err := db.View(func(tx *Tx) error { _, err := recs.Get(tx, fmt.Sprint(committed)); return err }); !core.Of(err, core.ErrNotFound) {
		t.Fatalf("the refused transaction's first record: %v, want not found", err)
	}
	// Closing flushed the memtable and dropped its log, which gives some
	// space back; freeing the other file gives more, and writes go through
	// again.
	before, _ := db.Space()
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *Tx) error { return recs.Put(tx, &rec{ID: "after", Name: "after"}) }); err != nil {
		t.Fatalf("write after space came back: %v", err)
	}
	after, _ := db.Space()
	t.Logf("free space after reopening %s, after deleting the other file %s", HumanBytes(before.Free), HumanBytes(after.Free))
}

// A real ENOSPC (a write that reaches the disk although the guard let it
// through, e.g. from another program filling the disk at the same moment)
// maps to the same error, with the directory and what is left.
func TestENOSPCMapsToDiskFull(t *testing.T) {
	err := mapIOError(fmt.Errorf("sync: %w", &os.PathError{Op: "write", Path: "/x/000001.vlog", Err: errors.New("no space left on device")}), t.TempDir())
	if !core.Of(err, core.ErrStoreFull) || core.AsError(err).Params["free"] == "" {
		t.Fatalf("%v", err)
	}
}

// Badger's Windows lock failure (a sharing violation on the LOCK file) is
// store.locked too, not a permission problem.
func TestWindowsLockTextMapsToLocked(t *testing.T) {
	dir := t.TempDir()
	err := mapIOError(errors.New(`Cannot create lock file "`+dir+`\\LOCK".  Another process is using this Badger database: open `+dir+`\\LOCK: The process cannot access the file because it is being used by another process.`), dir)
	if !core.Of(err, core.ErrStoreLocked) || core.AsError(err).Params["dir"] != dir {
		t.Fatalf("%v, want store.locked naming %s", err, dir)
	}
}

// A data dir that cannot be made says why (app.New reports it as
// store.dir_denied, not as "in use by another process").
func TestDirErrorReason(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := os.MkdirAll(filepath.Join(file, "data"), 0o700)
	if got := DirErrorReason(err); got != "not a directory" {
		t.Fatalf("mkdir under a file: %q (%v)", got, err)
	}
	if os.Geteuid() != 0 {
		ro := t.TempDir()
		os.Chmod(ro, 0o500)
		if got := DirErrorReason(os.MkdirAll(filepath.Join(ro, "data"), 0o700)); got != "permission denied" {
			t.Fatalf("mkdir in a read-only dir: %q", got)
		}
	}
}
