package logs

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRingQueryAndFile(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	log, ring, closer := Setup(dir, slog.LevelDebug, &stderr)
	log.With("corp", "c1").Info("corp created", "name", "华为")
	log.Warn("verify failed", "code", "welink.10007")
	log.Debug("noise")
	for i := 0; i < 6000; i++ { // wraps the 5000-entry ring
		log.Info(fmt.Sprintf("bulk %d", i))
	}
	log.Error("disk full")
	closer.Close()

	if got := ring.Query(Query{Level: "error"}); len(got) != 1 || got[0].Msg != "disk full" {
		t.Fatalf("errors = %+v", got)
	}
	got := ring.Query(Query{Text: "bulk", Limit: 3})
	if len(got) != 3 || got[0].Msg != "bulk 5999" {
		t.Fatalf("newest first with limit: %+v", got)
	}
	if got := ring.Query(Query{Text: "corp created"}); len(got) != 0 {
		t.Fatal("the oldest entries should have been overwritten")
	}
	b, err := os.ReadFile(filepath.Join(dir, "cloudbridge.log"))
	if err != nil || !strings.Contains(string(b), `"corp":"c1"`) || !strings.Contains(string(b), "华为") {
		t.Fatalf("log file lacks structured fields: %v", err)
	}
	if !strings.Contains(stderr.String(), "verify failed") {
		t.Fatal("stderr missing entries")
	}
}

func TestAttrsAreSearchable(t *testing.T) {
	log, ring, _ := Setup("", slog.LevelInfo, &bytes.Buffer{})
	log.With("service", "tenant").Info("app verified", "code", "welink.41403")
	got := ring.Query(Query{Text: "41403"})
	if len(got) != 1 || got[0].Attrs["service"] != "tenant" {
		t.Fatalf("got %+v", got)
	}
}
