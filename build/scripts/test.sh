#!/usr/bin/env bash
# README "test": everything CI checks, in order, with a timed summary. Exits non-zero
# when any stage fails; stages whose inputs failed are skipped (and count as failed).
#
#   deps        build/scripts/deps.sh (Debian packages)
#   npm-ci      npm ci in frontend/
#   fe-build    npm run build → frontend/dist (vue-tsc + vite); Go embeds it
#   fe-unit     npm test (vitest)
#   go-vet      go vet ./...
#   go-test     go test ./... (-race unless GO_TEST_RACE=0), summarised by build/tools/testsum.go
#   fuzz        each go fuzz target (FUZZ_TARGETS) for FUZZ_TIME; a failing input lands in testdata/fuzz
#   server      plain static go build → build/bin/cloudbridge-server
#   e2e         npm run e2e (Playwright in Debian Chromium against the server binary)
#   desktop     build/scripts/desktop-smoke.sh (wails build, Xvfb, screenshot)
#   windows     build/scripts/windows-build.sh (cross-build .exe + NSIS installer)
#   package     build/scripts/linux-package.sh (tarball)
#
# Logs: build/bin/logs/<stage>.log. Environment knobs:
#   TEST_ONLY="go-vet go-test"  run only these stages (their inputs must already exist)
#   TEST_SKIP="windows package" skip these stages
#   GO_TEST_RACE=0|1            race detector for go test (default 1)
#   GO_TEST_TIMEOUT=20m         go test -timeout
#   FUZZ_TIME=7s                fuzzing time per target (11 targets: 77 s of fuzzing, ~100 s with builds)
#   FUZZ_PARALLEL=1             fuzzing workers per target
#   FUZZ_STRICT=0|1             new fuzz findings fail the stage (default 1, 0 when CI=true)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOGS="$ROOT/build/bin/logs"
TOOLS="$ROOT/build/bin/tools"
mkdir -p "$LOGS" "$TOOLS"
export CI="${CI:-}"
# Playwright uses Debian's Chromium (it cannot download its own browser here).
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CLOUDBRIDGE_BIN="$ROOT/build/bin/cloudbridge-server"

declare -a S_NAME S_RESULT S_TIME S_NOTE
declare -A STATUS
FAILED=0
T_START=$(now)

wanted() {
  local s=$1
  if [[ -n "${TEST_ONLY:-}" ]]; then [[ " $TEST_ONLY " == *" $s "* ]] || return 1; fi
  [[ " ${TEST_SKIP:-} " != *" $s "* ]]
}

# stage NAME "needs..." CMD...: runs CMD with output to the console and build/bin/logs/NAME.log.
stage() {
  local name=$1 needs=$2; shift 2
  local n note="" rc=0 t0
  if ! wanted "$name"; then
    record "$name" skip 0 "not selected"; return 0
  fi
  for n in $needs; do
    if [[ "${STATUS[$n]:-}" == fail ]]; then
      record "$name" FAIL 0 "not run: $n failed"; FAILED=1; STATUS[$name]=fail; return 0
    fi
  done
  printf '\n======== %s ========\n' "$name"
  t0=$(now)
  set +e
  ( set -e; "$@" ) 2>&1 | tee "$LOGS/$name.log"
  rc=${PIPESTATUS[0]}
  set -e
  note="$(detail "$name")"
  if (( rc == 0 )); then
    record "$name" ok $(( $(now) - t0 )) "$note"; STATUS[$name]=ok
  else
    record "$name" FAIL $(( $(now) - t0 )) "exit $rc${note:+; $note}"; STATUS[$name]=fail; FAILED=1
  fi
  printf -- '-------- %s: %s in %ss --------\n' "$name" "${S_RESULT[-1]}" "${S_TIME[-1]}"
}

record() { S_NAME+=("$1"); S_RESULT+=("$2"); S_TIME+=("$3"); S_NOTE+=("$4"); }

# A short note for the summary: the runner's own count line where there is one.
detail() {
  local f="$LOGS/$1.log"
  [[ -f "$f" ]] || return 0
  case "$1" in
    fe-unit) sed 's/\x1b\[[0-9;]*m//g' "$f" | grep -E '^\s*Tests\s' | tail -n1 | tr -s ' ' | sed 's/^ //' ;;
    e2e)     sed 's/\x1b\[[0-9;]*m//g' "$f" | grep -E '^\s*[0-9]+ (passed|failed|flaky|skipped)' | tr -s ' ' | paste -sd, - ;;
    go-test) tail -n1 "$f" ;;
    fuzz)    awk '/^fuzz Fuzz/ {n++; if ($3 == "ok,") { ok++; e += $4 } } END { if (n) printf "%d/%d targets ok, %d execs", ok, n, e }' "$f" ;;
    desktop) grep -o 'screenshot .*' "$f" | tail -n1 ;;
    windows) grep -E '\.exe: ' "$f" | sed 's/^==> //' | paste -sd, - ;;
    package) grep -o 'wrote .*' "$f" | sed "s#$ROOT/##" | tail -n1 ;;
  esac
}

# ---- the stages ----
do_npm_ci() {
  cd "$ROOT/frontend"
  if [[ -n "$CI" || ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund
  else
    echo "node_modules is up to date with package-lock.json (CI=true always runs npm ci)"
  fi
}
do_fe_build() { cd "$ROOT/frontend" && npm run build && test -f dist/index.html; }
do_fe_unit()  { cd "$ROOT/frontend" && npm test; }
do_go_vet()   { go vet ./...; }
do_go_test() {
  local args=(-json -timeout "${GO_TEST_TIMEOUT:-20m}")
  [[ "${GO_TEST_RACE:-1}" == 1 ]] && args+=(-race)
  [[ -n "$CI" ]] && args+=(-count=1)
  rm -f "$LOGS/go-test.summary"
  go build -o "$TOOLS/testsum" "$ROOT/build/tools/testsum.go"
  echo "go test ${args[*]} ./..."
  set -o pipefail
  go test "${args[@]}" ./... 2>&1 | "$TOOLS/testsum" -summary "$LOGS/go-test.summary" -json "$LOGS/go-test.json"
}
# The fuzz targets (issue 9, proofs): OFS/JSON intake, org and association
# import files (CSV and xlsx), SSO deep-link targets, tickets and state.
# -fuzz takes one target per run. A short minimisation keeps a slow input
# (an xlsx) from eating the whole budget.
FUZZ_TARGETS=(
  "backend/oa FuzzParseOFS" "backend/relay FuzzOFSIntake" "backend/relay FuzzJSONIntake"
  "backend/oa FuzzImportOrgCSV" "backend/oa FuzzImportOrgXLSX"
  "backend/binding FuzzReadImportFile" "backend/binding FuzzImportCSVRoundTrip"
  "backend/sso FuzzTarget" "backend/sso FuzzTicket" "backend/sso FuzzState"
  "backend/configio FuzzParse"
)
do_fuzz() {
  local spec pkg target out r rc=0 execs before after
  for spec in "${FUZZ_TARGETS[@]}"; do
    read -r pkg target <<<"$spec"
    before=$(ls "$ROOT/$pkg/testdata/fuzz/$target" 2>/dev/null | sort || true)
    echo "go test -run '^\$' -fuzz '^$target\$' -fuzztime ${FUZZ_TIME:-7s} ./$pkg"
    set +e
    out=$(go test -run '^$' -fuzz "^$target\$" -fuzztime "${FUZZ_TIME:-7s}" -fuzzminimizetime 1s \
      -parallel "${FUZZ_PARALLEL:-1}" "./$pkg" 2>&1)
    r=$?
    set -e
    after=$(ls "$ROOT/$pkg/testdata/fuzz/$target" 2>/dev/null | sort || true)
    execs=$(grep -o 'execs: [0-9]*' <<<"$out" | tail -n1 | grep -o '[0-9]*' || true)
    if (( r == 0 )); then
      echo "fuzz $target: ok, ${execs:-0} execs"
    elif [[ "$before" == "$after" ]] && grep -q '^    context deadline exceeded$' <<<"$out" && ! grep -q -- '--- FAIL: .*/' <<<"$out"; then
      # Go 1.26's fuzz coordinator can report its own -fuzztime deadline as a
      # failure, with no failing input (go.dev/issue/75804, fixed in Go 1.27).
      echo "fuzz $target: ok, ${execs:-0} execs (ended by Go's fuzztime deadline race, go.dev/issue/75804; no failing input)"
    else
      echo "$out" | tail -n 30
      if [[ "${FUZZ_STRICT:-$([[ -n "$CI" ]] && echo 0 || echo 1)}" == 1 ]]; then
        rc=1
        echo "fuzz $target: FAIL (the failing input is under $pkg/testdata/fuzz/$target/)"
      else
        # Exploration is random: in CI a new finding is reported (with its
        # input, to commit as a regression seed) but does not block the
        # landing; every committed seed already runs in go-test, where a
        # failure does block. FUZZ_STRICT=1 makes findings fatal here too.
        echo "fuzz $target: FINDING (not blocking in CI; input under $pkg/testdata/fuzz/$target/):"
        for f in $(comm -13 <(echo "$before") <(echo "$after")); do
          echo "--- $pkg/testdata/fuzz/$target/$f"; cat "$ROOT/$pkg/testdata/fuzz/$target/$f"
        done
      fi
    fi
  done
  return $rc
}
do_server()  { build_server && "$CLOUDBRIDGE_BIN" version; }
do_e2e()     { cd "$ROOT/frontend" && npm run e2e; }
do_desktop() { bash "$ROOT/build/scripts/desktop-smoke.sh"; }
do_windows() { bash "$ROOT/build/scripts/windows-build.sh"; }
do_package() { SMOKE_SKIP_BUILD=1 bash "$ROOT/build/scripts/linux-package.sh"; }

stage deps     ""                bash "$ROOT/build/scripts/deps.sh"
[[ "${STATUS[deps]:-}" == fail ]] && die "system packages could not be installed (see build/bin/logs/deps.log)"
stage npm-ci   ""                do_npm_ci
stage fe-build "npm-ci"          do_fe_build
stage fe-unit  "npm-ci"          do_fe_unit
stage go-vet   "fe-build"        do_go_vet
stage go-test  "fe-build"        do_go_test
stage fuzz     "go-test"         do_fuzz
stage server   "fe-build"        do_server
stage e2e      "fe-build server" do_e2e
stage desktop  "fe-build"        do_desktop
stage windows  "fe-build"        do_windows
stage package  "desktop server"  do_package

# ---- summary: stage table, then go test's closing lines last ----
printf '\n======== summary (%ss in all) ========\n' "$(( $(now) - T_START ))"
for i in "${!S_NAME[@]}"; do
  printf '%-9s %-5s %5ss  %s\n' "${S_NAME[$i]}" "${S_RESULT[$i]}" "${S_TIME[$i]}" "${S_NOTE[$i]}"
done
[[ -f build/bin/screenshots/desktop.png && "${STATUS[desktop]:-}" == ok ]] && echo "desktop screenshot: build/bin/screenshots/desktop.png"
if (( FAILED )); then
  echo "test.sh: FAILED (logs in build/bin/logs/)"
else
  echo "test.sh: all stages passed"
fi
# go test's own closing lines come last, so a reader (or CI) counting tests finds them at the end.
if [[ -n "${STATUS[go-test]:-}" && -f "$LOGS/go-test.summary" ]]; then
  printf '\n======== go test ========\n'
  cat "$LOGS/go-test.summary"
fi
exit "$FAILED"
