# Shared helpers for build/scripts/*.sh. Source it; it sets ROOT and strict mode.
# shellcheck shell=bash
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT
cd "$ROOT"

log()  { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33mwarn:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

if [[ -n "${CI:-}" || ! -t 2 ]]; then
  log()  { printf '==> %s\n' "$*" >&2; }
  warn() { printf 'warn: %s\n' "$*" >&2; }
  die()  { printf 'error: %s\n' "$*" >&2; exit 1; }
fi

# Version stamped into binaries: a tag-based git describe, else 0.0.0-dev+<sha>.
app_version() {
  local v
  v="$(git -C "$ROOT" describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || true)"
  if [[ -z "$v" ]]; then
    v="0.0.0-dev+$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  fi
  echo "${v#v}"
}

# npm ci only when node_modules is missing or older than package-lock.json.
frontend_install() {
  local fe="$ROOT/frontend"
  [[ -f "$fe/package.json" ]] || die "frontend/package.json is missing"
  if [[ ! -d "$fe/node_modules" || "$fe/package-lock.json" -nt "$fe/node_modules/.package-lock.json" ]]; then
    log "npm ci (frontend)"
    (cd "$fe" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Builds frontend/dist (always: sources may have changed).
frontend_build() {
  frontend_install
  log "npm run build (frontend → frontend/dist)"
  (cd "$ROOT/frontend" && npm run build)
  [[ -f "$ROOT/frontend/dist/index.html" ]] || die "frontend build produced no frontend/dist/index.html"
}

# Builds frontend/dist only when it is missing (for scripts that may run standalone).
frontend_ensure() {
  if [[ ! -f "$ROOT/frontend/dist/index.html" ]]; then
    frontend_build
  fi
}

# wails build with the flags every script wants:
#   -s             the frontend is built by us beforehand (frontend_build/_ensure)
#   -skipbindings  the frontend calls window.go directly; saves a whole extra compile
#   -m -nosyncgomod  never rewrite go.mod/go.sum (wails runs `go mod tidy` otherwise)
# Extra args are passed through (e.g. -platform windows/amd64 -nsis).
wails_build() {
  local ldflags
  ldflags="-X main.version=$(app_version)"
  [[ -n "${CLOUDBRIDGE_LDFLAGS:-}" ]] && ldflags="$CLOUDBRIDGE_LDFLAGS"
  "$ROOT/build/scripts/wails.sh" build -s -skipbindings -m -nosyncgomod -trimpath \
    -nocolour -ldflags "$ldflags" "$@"
}

# Seconds since the epoch, for stage timings.
now() { date +%s; }

# Plain `go build` of the same main without WebKit (no desktop tags, no cgo): `serve`,
# `sim` and `version` work; the desktop window falls back to serve. Static binary.
build_server() {
  log "go build (server: no WebKit, CGO_ENABLED=0) → build/bin/cloudbridge-server"
  mkdir -p "$ROOT/build/bin"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$(app_version)" \
    -o "$ROOT/build/bin/cloudbridge-server" .
}

# A TCP port nobody listens on (for the app's public listener in tests).
free_port() {
  local p
  for p in $(shuf -i 20000-40000 -n 64); do
    if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return 0; fi
  done
  return 1
}
