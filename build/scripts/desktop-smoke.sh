#!/usr/bin/env bash
# Desktop smoke test: builds the Wails desktop binary for linux/amd64 (tags
# desktop,production — wails build's defaults), starts it under Xvfb with
# `--demo --data <tmp> --public-addr 127.0.0.1:<free port>`, waits for its window to be mapped and its page to render,
# saves a screenshot to build/bin/screenshots/desktop.png, fails when the window
# never appears, the app exits early, or the screenshot is blank (no pixel variance).
#
#   SMOKE_SKIP_BUILD=1   reuse build/bin/<outputfilename> from an earlier build
#   SMOKE_TIMEOUT=90     seconds to wait for the window, and again for the page
#   SMOKE_SETTLE=4       seconds to let the page settle once it has content
#   SMOKE_SIZE=1440x900  Xvfb screen size
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APP="$(sed -n 's/.*"outputfilename": *"\([^"]*\)".*/\1/p' wails.json)"
APP="${APP:-cloudbridge}"
BIN="$ROOT/build/bin/$APP"
SHOTS="$ROOT/build/bin/screenshots"
LOGS="$ROOT/build/bin/logs"
TIMEOUT="${SMOKE_TIMEOUT:-90}"
SETTLE="${SMOKE_SETTLE:-4}"
SIZE="${SMOKE_SIZE:-1440x900}"
mkdir -p "$SHOTS" "$LOGS"

for t in Xvfb xdotool import convert; do
  command -v "$t" >/dev/null || die "$t not found: run build/scripts/deps.sh"
done

if [[ "${SMOKE_SKIP_BUILD:-0}" != 1 || ! -x "$BIN" ]]; then
  frontend_ensure
  log "wails build -platform linux/amd64 (desktop,production)"
  t0=$(now)
  wails_build -platform linux/amd64
  log "desktop build took $(( $(now) - t0 ))s"
fi
[[ -x "$BIN" ]] || die "no desktop binary at $BIN"

TMP="$(mktemp -d -t cloudbridge-smoke.XXXXXX)"
XVFB_PID=""; APP_PID=""
cleanup() {
  local pid
  for pid in "$APP_PID" "$XVFB_PID"; do
    [[ -n "$pid" ]] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

# A free display number: no lock file and no socket.
DISP=""
for n in $(seq 99 160); do
  if [[ ! -e "/tmp/.X$n-lock" && ! -e "/tmp/.X11-unix/X$n" ]]; then DISP=":$n"; break; fi
done
[[ -n "$DISP" ]] || die "no free X display number between :99 and :160"

log "starting Xvfb $DISP (${SIZE}x24)"
Xvfb "$DISP" -screen 0 "${SIZE}x24" -nolisten tcp -noreset >"$LOGS/xvfb.log" 2>&1 &
XVFB_PID=$!
export DISPLAY="$DISP"
for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.2; done
xdpyinfo >/dev/null 2>&1 || { cat "$LOGS/xvfb.log" >&2; die "Xvfb did not start"; }

# A private home for everything the app and WebKit write; no GPU, no a11y bus.
mkdir -p "$TMP/data" "$TMP/config" "$TMP/cache" "$TMP/share" "$TMP/run"
chmod 700 "$TMP/run"
# Our own loopback port for the public listener: never the default :8899 on all interfaces.
PUBLIC_ADDR="127.0.0.1:$(free_port)"
log "starting $APP --demo --data $TMP/data --public-addr $PUBLIC_ADDR"
env XDG_CONFIG_HOME="$TMP/config" XDG_CACHE_HOME="$TMP/cache" XDG_DATA_HOME="$TMP/share" \
    XDG_RUNTIME_DIR="$TMP/run" NO_AT_BRIDGE=1 LIBGL_ALWAYS_SOFTWARE=1 \
    WEBKIT_DISABLE_COMPOSITING_MODE=1 GDK_BACKEND=x11 \
    "$BIN" --demo --data "$TMP/data" --public-addr "$PUBLIC_ADDR" >"$LOGS/desktop-app.log" 2>&1 </dev/null &
APP_PID=$!

app_alive() {
  kill -0 "$APP_PID" 2>/dev/null || { tail -n 40 "$LOGS/desktop-app.log" >&2; die "$APP exited before the smoke test finished (log: $LOGS/desktop-app.log)"; }
}

# 1. the window is mapped (GTK sets _NET_WM_PID; fall back to WM_CLASS).
WID=""
t0=$(now)
while (( $(now) - t0 < TIMEOUT )); do
  app_alive
  WID="$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | tail -n1 || true)"
  [[ -z "$WID" ]] && WID="$(xdotool search --onlyvisible --class "$APP" 2>/dev/null | tail -n1 || true)"
  [[ -n "$WID" ]] && break
  sleep 0.5
done
[[ -n "$WID" ]] || { tail -n 40 "$LOGS/desktop-app.log" >&2; die "no window mapped within ${TIMEOUT}s"; }
geom="$(xdotool getwindowgeometry "$WID" | sed -n 's/.*Geometry: //p')"
title="$(xdotool getwindowname "$WID" 2>/dev/null || true)"
log "window $WID mapped after $(( $(now) - t0 ))s: \"$title\" $geom"

# 2. the page has rendered: grey-level standard deviation and colour count over a threshold.
stats() { convert "$1" -colorspace Gray -format '%[fx:standard_deviation] %k\n' info: 2>/dev/null || echo "0 0"; }
rendered() { awk -v s="$1" -v k="$2" 'BEGIN { exit !(s > 0.03 && k > 48) }'; }
SHOT="$SHOTS/desktop.png"
t0=$(now); ok=0
while (( $(now) - t0 < TIMEOUT )); do
  app_alive
  if import -window "$WID" "$TMP/probe.png" 2>/dev/null; then
    read -r sd colours < <(stats "$TMP/probe.png")
    if rendered "$sd" "$colours"; then ok=1; break; fi
  fi
  sleep 1
done
(( ok )) || warn "page still looks blank after ${TIMEOUT}s; taking the screenshot anyway"
sleep "$SETTLE"
app_alive
import -window "$WID" "$SHOT"
import -window root "$SHOTS/desktop-screen.png"
read -r sd colours < <(stats "$SHOT")
log "screenshot $SHOT: $(identify -format '%wx%h' "$SHOT"), grey stddev $sd, $colours colours"
rendered "$sd" "$colours" || die "desktop screenshot is blank (stddev $sd, $colours colours): see $SHOT and $LOGS/desktop-app.log"
log "desktop smoke test passed"
