//go:build ignore

// testsum reads `go test -json` on stdin and prints what plain `go test` would:
// the output of failing tests, then one line per package (ok / FAIL / ?), and at
// the end a count line "go: N passed, N failed, N skipped" (subtests included).
// The package lines and the count go to -summary FILE too, so a caller can repeat
// them at the very end of a long log. The full JSON stream goes to -json FILE.
// Exits 1 when any test or package (including a build) failed.
//
//	go test -json ./... | go run build/tools/testsum.go -summary s.txt -json t.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

type event struct {
	Time       time.Time
	Action     string
	Package    string
	ImportPath string
	Test       string
	Elapsed    float64
	Output     string
}

type pkgState struct {
	out     map[string][]string // test name ("" = package level) → output lines
	result  string
	elapsed float64
}

func main() {
	summaryPath := flag.String("summary", "", "also write the package lines and the count line here")
	jsonPath := flag.String("json", "", "copy the raw JSON stream here")
	flag.Parse()

	var raw io.Writer = io.Discard
	if *jsonPath != "" {
		f, err := os.Create(*jsonPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testsum:", err)
			os.Exit(2)
		}
		defer f.Close()
		raw = f
	}

	pkgs := map[string]*pkgState{}
	get := func(name string) *pkgState {
		p := pkgs[name]
		if p == nil {
			p = &pkgState{out: map[string][]string{}}
			pkgs[name] = p
		}
		return p
	}
	var order []string
	var lines []string // package lines, in completion order
	buildOut := map[string][]string{}
	passed, failed, skipped := 0, 0, 0
	anyFail := false
	stdout := bufio.NewWriter(os.Stdout)

	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		fmt.Fprintf(raw, "%s\n", line)
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			// not JSON (e.g. a go vet or linker message): show it as is
			fmt.Fprintf(stdout, "%s\n", line)
			stdout.Flush()
			continue
		}
		switch e.Action {
		case "build-output":
			buildOut[e.ImportPath] = append(buildOut[e.ImportPath], e.Output)
			continue
		case "build-fail":
			for _, o := range buildOut[e.ImportPath] {
				fmt.Fprint(stdout, o)
			}
			anyFail = true
			continue
		}
		if e.Package == "" {
			continue
		}
		p := get(e.Package)
		switch e.Action {
		case "start":
			order = append(order, e.Package)
		case "output":
			p.out[e.Test] = append(p.out[e.Test], e.Output)
		case "pass", "fail", "skip":
			if e.Test != "" {
				switch e.Action {
				case "pass":
					passed++
					delete(p.out, e.Test)
				case "skip":
					skipped++
					delete(p.out, e.Test)
				case "fail":
					failed++
					anyFail = true
					for _, o := range p.out[e.Test] {
						fmt.Fprint(stdout, o)
					}
					delete(p.out, e.Test)
				}
				continue
			}
			p.result, p.elapsed = e.Action, e.Elapsed
			// go test prints the package line itself ("ok  \tpkg\t0.1s", "FAIL\tpkg [build failed]",
			// "?   \tpkg\t[no test files]"); show the package's other output only when it failed.
			l := ""
			for _, o := range p.out[""] {
				o = strings.TrimRight(o, "\n")
				if strings.HasPrefix(o, "ok  \t") || strings.HasPrefix(o, "FAIL\t") || strings.HasPrefix(o, "?   \t") {
					l = o
				} else if e.Action == "fail" && o != "FAIL" && o != "PASS" {
					fmt.Fprintln(stdout, o)
				}
			}
			if e.Action == "fail" {
				anyFail = true
			}
			if l == "" {
				switch e.Action {
				case "fail":
					l = fmt.Sprintf("FAIL\t%s\t%.3fs", e.Package, e.Elapsed)
				case "skip":
					l = fmt.Sprintf("?   \t%s\t[no test files]", e.Package)
				default:
					l = fmt.Sprintf("ok  \t%s\t%.3fs", e.Package, e.Elapsed)
				}
			}
			fmt.Fprintln(stdout, l)
			stdout.Flush()
			lines = append(lines, l)
			delete(p.out, "")
		}
	}
	// packages that started but never reported (killed by a timeout, a crash)
	var unfinished []string
	for _, name := range order {
		if pkgs[name].result == "" {
			unfinished = append(unfinished, name)
		}
	}
	sort.Strings(unfinished)
	for _, name := range unfinished {
		anyFail = true
		for _, o := range pkgs[name].out[""] {
			fmt.Fprint(stdout, o)
		}
		l := fmt.Sprintf("FAIL\t%s\t(no result)", name)
		fmt.Fprintln(stdout, l)
		lines = append(lines, l)
	}
	if anyFail {
		lines = append(lines, "FAIL")
	}
	count := fmt.Sprintf("go: %d passed, %d failed, %d skipped", passed, failed, skipped)
	lines = append(lines, count)
	fmt.Fprintln(stdout, count)
	stdout.Flush()
	if *summaryPath != "" {
		_ = os.WriteFile(*summaryPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	}
	if anyFail {
		os.Exit(1)
	}
}
