package binding

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// bigCorp loads n WeLink users into corp "big" and n OA users into the
// snapshot (bulk, as the sync engines do).
func bigCorp(b *testing.B, n int) (*Service, *store.DB) {
	b.Helper()
	db := openDB(b)
	batch := db.NewBatch()
	for i := 0; i < n; i++ {
		u := directory.User{CorpID: "big", UserID: fmt.Sprintf("user%06d@big", i), NameCn: "用户" + strconv.Itoa(i),
			Mobile: fmt.Sprintf("+86-139%08d", i), Email: fmt.Sprintf("user%06d@big.example", i), EmployeeID: fmt.Sprintf("E%06d", i),
			Depts: []string{"d" + strconv.Itoa(i%500)}, MainDept: "d" + strconv.Itoa(i%500)}
		if err := directory.Users.PutBatch(batch, &u); err != nil {
			b.Fatal(err)
		}
		ou := oa.User{ID: strconv.Itoa(100 + i), LoginID: fmt.Sprintf("u%06d", i), Name: "用户" + strconv.Itoa(i),
			Mobile: fmt.Sprintf("139%08d", i), WorkCode: fmt.Sprintf("E%06d", i), Status: 1}
		if err := directory.OAUsers.PutBatch(batch, &ou); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < 500; i++ {
		directory.Depts.PutBatch(batch, &directory.Dept{CorpID: "big", Code: "d" + strconv.Itoa(i), NameCn: "部门" + strconv.Itoa(i)})
	}
	if err := batch.Flush(); err != nil {
		b.Fatal(err)
	}
	// Close and reopen: flushes and compacts the bulk load, so the figures
	// measure the operation rather than the fixture's background compaction.
	dir := db.Dir()
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(store.Options{Dir: dir, Key: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	time.Sleep(3 * time.Second) // the reopen compacts the bulk load's L0 tables in the background
	svc := New(context.Background(), Deps{DB: db, Clock: core.SystemClock{}, Log: slog.New(slog.DiscardHandler),
		CorpName: func(string) (string, error) { return "big", nil }, BulkMemoryLimit: benchMemoryLimit})
	return svc, db
}

// resetPeakRSS makes VmHWM start again from the current RSS (Linux).
// The heap left by the setup is returned to the OS first, so the figure
// is the measured operation's peak, not the fixture's.
func resetPeakRSS() {
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// cpuSeconds is the process's user+system CPU time: on a shared machine
// the wall clock says more about the neighbours than about the code.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSSMB reads the process's peak resident set (VmHWM) in MB.
func peakRSSMB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return -1
}

const benchUsers = 100_000

// benchMemoryLimit is what app/wire_binding.go configures (BENCH_NO_MEMLIMIT=1
// measures without it).
var benchMemoryLimit = func() int64 {
	if os.Getenv("BENCH_NO_MEMLIMIT") != "" {
		return 0
	}
	return 200 << 20
}()

// BenchmarkExport100k: the 关联导入 export of 100k users (target ≤ 5 s).
func BenchmarkExport100k(b *testing.B) {
	svc, _ := bigCorp(b, benchUsers)
	resetPeakRSS()
	b.ResetTimer()
	var size int
	for i := 0; i < b.N; i++ {
		start, cpu := time.Now(), cpuSeconds()
		fd, err := svc.ExportUsers("big")
		if err != nil {
			b.Fatal(err)
		}
		size = base64.StdEncoding.DecodedLen(len(fd.ContentBase64))
		b.ReportMetric(time.Since(start).Seconds(), "s/export")
		b.ReportMetric(cpuSeconds()-cpu, "s-cpu/export")
	}
	b.ReportMetric(float64(size)/(1<<20), "MB-file")
	b.ReportMetric(peakRSSMB(), "MB-peakRSS")
}

// BenchmarkImport100k: validate + apply an import of 100k rows (target
// ≤ 10 s, peak RSS ≤ 300 MB). The workbook has the two columns the import
// reads; every row is valid (the worst case for apply).
func BenchmarkImport100k(b *testing.B) {
	svc, _ := bigCorp(b, benchUsers)
	x := excelize.NewFile()
	sw, _ := x.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"WeLink账号 userId", "OA匹配值 OA match value"})
	for i := 0; i < benchUsers; i++ {
		sw.SetRow("A"+strconv.Itoa(i+2), []any{fmt.Sprintf("user%06d@big", i), fmt.Sprintf("U%06d", i)})
	}
	sw.Flush()
	var buf bytes.Buffer
	x.WriteTo(&buf)
	x.Close()
	content := base64.StdEncoding.EncodeToString(buf.Bytes())
	b.ReportMetric(float64(buf.Len())/(1<<20), "MB-file")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 {
			b.StopTimer()
			if _, err := svc.UnbindAll("big", "big"); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		resetPeakRSS()
		b.ReportMetric(peakRSSMB(), "MB-RSS-before")
		start, cpu := time.Now(), cpuSeconds()
		hw := watchHeap()
		prev, err := svc.PreviewImport(ImportRequest{CorpID: "big", Name: "big.xlsx", ContentBase64: content, MatchField: OALoginID})
		if err != nil {
			b.Fatal(err)
		}
		validated := time.Since(start)
		if prev.Valid != benchUsers {
			b.Fatalf("valid = %d (%v)", prev.Valid, prev.Counts)
		}
		b.ReportMetric(peakRSSMB(), "MB-peakRSS-validate")
		hm, sm := hw()
		b.ReportMetric(hm, "MB-heap")
		b.ReportMetric(sm, "MB-gosys")
		hw2 := watchHeap()
		resetPeakRSS()
		res, err := svc.ApplyImport(prev.Token)
		hm2, sm2 := hw2()
		b.ReportMetric(hm2, "MB-heap-apply")
		b.ReportMetric(sm2, "MB-gosys-apply")
		if err != nil || res.Applied != benchUsers {
			b.Fatalf("apply = %+v, %v", res.Applied, err)
		}
		b.ReportMetric(validated.Seconds(), "s/validate")
		b.ReportMetric(time.Since(start).Seconds(), "s/validate+apply")
		b.ReportMetric(cpuSeconds()-cpu, "s-cpu/validate+apply")
		b.ReportMetric(peakRSSMB(), "MB-peakRSS")
	}
}

// BenchmarkUnbindAllRestore100k: batch unbind of 100k bindings (snapshot
// kept) and its undo.
func BenchmarkUnbindAllRestore100k(b *testing.B) {
	svc, db := bigCorp(b, benchUsers)
	batch := db.NewBatch()
	for i := 0; i < benchUsers; i++ {
		bd := Binding{CorpID: "big", WeLinkUserID: fmt.Sprintf("user%06d@big", i), OAUserID: strconv.Itoa(100 + i), OALoginID: fmt.Sprintf("u%06d", i), Method: MethodImport, At: time.Now()}
		Bindings.PutBatch(batch, &bd)
	}
	if err := batch.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resetPeakRSS()
		start, cpu := time.Now(), cpuSeconds()
		snap, err := svc.UnbindAll("big", "big")
		if err != nil || snap.Count != benchUsers {
			b.Fatalf("unbind = %+v, %v", snap, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/unbind")
		start = time.Now()
		got, err := svc.RestoreSnapshot(snap.ID)
		if err != nil || got.Restored != benchUsers {
			b.Fatalf("restore = %+v, %v", got, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/restore")
		b.ReportMetric(cpuSeconds()-cpu, "s-cpu/both")
		b.ReportMetric(peakRSSMB(), "MB-peakRSS")
	}
}

// BenchmarkScreens100k: what the binding screen asks for on a 100k corp
// (overview counts, a page of people with a search, a page of the log).
func BenchmarkScreens100k(b *testing.B) {
	svc, db := bigCorp(b, benchUsers)
	batch := db.NewBatch()
	for i := 0; i < benchUsers; i += 2 {
		bd := Binding{CorpID: "big", WeLinkUserID: fmt.Sprintf("user%06d@big", i), OAUserID: strconv.Itoa(100 + i), OALoginID: fmt.Sprintf("u%06d", i), Method: MethodImport, At: time.Now()}
		Bindings.PutBatch(batch, &bd)
	}
	if err := batch.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := svc.Overview("big"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/overview")
		start = time.Now()
		p, err := svc.ListUsers(UserQuery{CorpID: "big", Status: "unbound", Search: "user0999", Limit: 50})
		if err != nil || p.Total != 50 {
			b.Fatalf("list = %d, %v", p.Total, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/list-page")
		start = time.Now()
		if _, err := svc.ListAudit(AuditQuery{CorpID: "big", Limit: 50}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/audit-page")
	}
}
