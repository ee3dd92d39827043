#!/usr/bin/env bash
# Cross-builds the Windows desktop app from Linux: `wails build -platform windows/amd64`
# (no cgo on Windows) → build/bin/cloudbridge.exe, and when makensis (Debian's nsis) is
# installed also the installer build/bin/cloudbridge-amd64-installer.exe (-nsis).
# Fails when an expected file is missing or is not a Windows PE executable.
#   WINDOWS_NSIS=0   skip the installer even when makensis is present
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APP="$(sed -n 's/.*"outputfilename": *"\([^"]*\)".*/\1/p' wails.json)"
APP="${APP:-cloudbridge}"
EXE="$ROOT/build/bin/$APP.exe"
INSTALLER="$ROOT/build/bin/$APP-amd64-installer.exe"

frontend_ensure

args=(-platform windows/amd64)
nsis=0
if [[ "${WINDOWS_NSIS:-1}" != 0 ]]; then
  if command -v makensis >/dev/null; then
    args+=(-nsis); nsis=1
  else
    warn "makensis not found (apt-get install nsis): building the .exe without the installer"
  fi
fi
rm -f "$EXE" "$INSTALLER"
log "wails build ${args[*]}"
t0=$(now)
wails_build "${args[@]}"
log "windows build took $(( $(now) - t0 ))s"

is_pe() { [[ "$(head -c 2 "$1")" == "MZ" ]]; }
[[ -f "$EXE" ]] && is_pe "$EXE" || die "no Windows executable at $EXE"
log "$(basename "$EXE"): $(du -h "$EXE" | cut -f1)"
if (( nsis )); then
  [[ -f "$INSTALLER" ]] && is_pe "$INSTALLER" || die "no NSIS installer at $INSTALLER"
  log "$(basename "$INSTALLER"): $(du -h "$INSTALLER" | cut -f1)"
fi
rm -f "$ROOT"/*.syso   # wails removes its resource object; be sure nothing is left in the tree
log "windows build passed"
