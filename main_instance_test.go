package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the cloudbridge binary: with
// CLOUDBRIDGE_TEST_MAIN=1 it runs main's run() on its arguments, so the
// single-instance test starts real second processes.
func TestMain(m *testing.M) {
	if os.Getenv("CLOUDBRIDGE_TEST_MAIN") == "1" {
		args := os.Args[1:]
		for i, a := range args { // drop the test binary's own -test.* flags
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		if err := run(args); err != nil {
			fmt.Fprintln(os.Stderr, "cloudbridge:", describe(err))
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func cloudbridgeCmd(ctx context.Context, lang string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "CLOUDBRIDGE_TEST_MAIN=1", "LANG="+lang,
		// no keyring in a test: the key goes to a file in the data dir
		"DBUS_SESSION_BUS_ADDRESS=disabled:", "DISPLAY=", "WAYLAND_DISPLAY=")
	return cmd
}

// A second CloudBridge on the same data directory fails at once with the
// translated store.locked message naming the directory, in both languages,
// while the first keeps running; the first then stops cleanly on SIGTERM.
func TestSecondProcessOnTheSameDataDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses SIGTERM")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	first := cloudbridgeCmd(ctx, "en_US.UTF-8", "serve", "--data", dir, "--key-store", "file",
		"--admin-addr", "127.0.0.1:0", "--public-addr", "127.0.0.1:0")
	stdout, _ := first.StdoutPipe()
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "admin UI:") {
				ready <- sc.Text()
			}
		}
		close(ready)
	}()
	select {
	case line, ok := <-ready:
		if !ok {
			t.Fatalf("first instance ended before serving:\n%s", firstErr.String())
		}
		t.Logf("first instance: %s", strings.TrimSpace(line))
	case <-time.After(60 * time.Second):
		t.Fatalf("first instance did not start:\n%s", firstErr.String())
	}

	for lang, want := range map[string]string{
		"en_US.UTF-8": "The data directory " + dir + " is in use by another CloudBridge process",
		"zh_CN.UTF-8": "数据目录 " + dir + " 正被另一个云桥进程使用",
	} {
		for _, mode := range [][]string{{"serve"}, {"desktop"}, {"backup"}} {
			args := append(mode, "--data", dir)
			if mode[0] == "serve" {
				args = append(args, "--admin-addr", "127.0.0.1:0", "--public-addr", "127.0.0.1:0")
			}
			start := time.Now()
			out, err := cloudbridgeCmd(ctx, lang, args...).CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 1 {
				t.Fatalf("%s (%s): exit %v, output:\n%s", mode[0], lang, err, out)
			}
			if mode[0] == "backup" {
				// backup has its own message (backup.store_running) naming the dir.
				if !strings.Contains(string(out), dir) {
					t.Errorf("backup (%s) does not name %s:\n%s", lang, dir, out)
				}
				continue
			}
			if !strings.Contains(string(out), want) {
				t.Errorf("%s (%s) said:\n%s\nwant: %s", mode[0], lang, out, want)
			}
			t.Logf("%s %s refused in %v", mode[0], lang, time.Since(start).Round(time.Millisecond))
		}
	}

	// The first is untouched and stops cleanly on SIGTERM (what systemd sends).
	if err := first.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- first.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("first instance after SIGTERM: %v\n%s", err, firstErr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("first instance did not stop within 30 s of SIGTERM")
	}
}
