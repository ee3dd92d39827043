#!/usr/bin/env bash
# README "run": installs the system packages, builds the frontend, then
#  - with a display ($DISPLAY or $WAYLAND_DISPLAY): builds the desktop app with wails and
#    opens the window: build/bin/cloudbridge --demo
#  - without one: builds the plain server binary and runs build/bin/cloudbridge-server
#    serve --demo, which prints the admin UI URL (http://127.0.0.1:8898/).
# Demo data lives in build/bin/demo-data (CLOUDBRIDGE_DATA overrides); extra arguments
# are passed to cloudbridge (e.g. --admin-addr 127.0.0.1:9000). RUN_SKIP_DEPS=1 skips apt.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "${RUN_SKIP_DEPS:-0}" == 1 ]] || bash "$ROOT/build/scripts/deps.sh"
frontend_build

DATA="${CLOUDBRIDGE_DATA:-$ROOT/build/bin/demo-data}"
mkdir -p "$DATA"

if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  log "display found: building the desktop app (wails build)"
  wails_build -platform linux/amd64
  log "starting build/bin/cloudbridge --demo --data $DATA"
  exec "$ROOT/build/bin/cloudbridge" --demo --data "$DATA" "$@"
fi

log "no display (\$DISPLAY / \$WAYLAND_DISPLAY unset): building the headless server"
build_server
log "starting build/bin/cloudbridge-server serve --demo --data $DATA"
log "open the admin UI URL printed below in a browser; Ctrl+C stops the server"
exec "$ROOT/build/bin/cloudbridge-server" serve --demo --data "$DATA" "$@"
