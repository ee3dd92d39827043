#!/usr/bin/env bash
# Installs the Debian packages CloudBridge builds and tests need. Idempotent: runs
# `apt-get update` and then installs only what is missing. On a developer machine
# where everything is already installed it skips the update too (in CI, CI=true, or
# with DEPS_FORCE_UPDATE=1 the update always runs). Runs as root or through sudo.
#
#   libgtk-3-dev libwebkit2gtk-4.0-dev pkg-config gcc   desktop build (Wails v2, cgo)
#   xvfb xauth                                          a display for the desktop smoke test
#   xdotool x11-utils imagemagick                       find the window, screenshot, blank check
#   chromium fonts-noto-cjk                             Playwright e2e (CJK glyphs render)
#   nsis                                                Windows installer (makensis)
#   dbus-daemon                                         a private session bus for the tray test (app)
#
# Go (1.26) and Node 20 + npm 11 come with the machine; this script checks them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKGS=(
  pkg-config gcc libc6-dev libgtk-3-dev libwebkit2gtk-4.0-dev
  xvfb xauth xdotool x11-utils imagemagick
  chromium fonts-noto-cjk
  nsis
  dbus-daemon
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]:-nothing} by hand"
  SUDO=(sudo)
fi

# Another apt run (e.g. a machine's first-boot install) may hold the lock: wait for it.
wait_apt() {
  local i
  for i in $(seq 1 180); do
    if ! fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; then
      return 0
    fi
    (( i == 1 )) && log "waiting for another apt/dpkg run to finish"
    sleep 5
  done
  warn "apt lock still held after 15 minutes; trying anyway"
}

if ((${#missing[@]})) || [[ "${DEPS_FORCE_UPDATE:-0}" == 1 || -n "${CI:-}" ]]; then
  export DEBIAN_FRONTEND=noninteractive
  command -v fuser >/dev/null && wait_apt
  log "apt-get update"
  "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=900 update -qq
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=900 install -y -qq "${missing[@]}" >/dev/null
  fi
else
  log "system packages: all ${#PKGS[@]} already installed"
fi
((${#missing[@]})) || log "system packages: all ${#PKGS[@]} installed"

command -v go >/dev/null || die "go is not on PATH (Go 1.26 is required)"
command -v npm >/dev/null || die "npm is not on PATH (Node 20 + npm 11 are required)"
go_minor="$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')"
(( go_minor >= 26 )) || die "Go $(go env GOVERSION) is too old: go.mod needs Go 1.26"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 20 )) || die "Node $(node -v) is too old: need Node 20+"
log "toolchain: $(go env GOVERSION), node $(node -v), npm $(npm -v)"
