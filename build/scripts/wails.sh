#!/usr/bin/env bash
# Runs the Wails v2 CLI pinned in build/wails-cli (wails v2.9.2 + a golang.org/x/tools
# that compiles on current Go; `go install .../wails@v2.9.2` does not).
# The CLI is built once into build/bin/tools/wails and reused; delete it (or set
# WAILS_REBUILD=1) to rebuild. Usage: build/scripts/wails.sh <wails args...>
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/build/bin/tools/wails"
STAMP="$ROOT/build/bin/tools/wails.gosum"

# Rebuild when missing, forced, or when the pinned go.sum changed since the last build.
if [[ ! -x "$BIN" || "${WAILS_REBUILD:-0}" == 1 ]] || ! cmp -s "$ROOT/build/wails-cli/go.sum" "$STAMP"; then
  mkdir -p "$(dirname "$BIN")"
  echo "wails.sh: building the Wails CLI into build/bin/tools/wails ..." >&2
  (cd "$ROOT/build/wails-cli" && go build -trimpath -o "$BIN.tmp" github.com/wailsapp/wails/v2/cmd/wails)
  mv -f "$BIN.tmp" "$BIN"
  cp "$ROOT/build/wails-cli/go.sum" "$STAMP"
fi

# wails shells out to `go`, `npm` and pkg-config; it must find the same go as we do.
exec "$BIN" "$@"
