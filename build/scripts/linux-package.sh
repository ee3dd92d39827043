#!/usr/bin/env bash
# Linux tarball: build/bin/cloudbridge-<version>-linux-amd64.tar.gz with
#   cloudbridge          desktop binary (wails build; needs GTK 3 + WebKitGTK 4.0 at run time)
#   cloudbridge-server   plain static `go build` (CGO_ENABLED=0) for servers: `serve`, `sim`, `version`
#   cloudbridge.desktop, cloudbridge.png, cloudbridge.service, install.sh, uninstall.sh, README.txt
# Reuses build/bin/cloudbridge and build/bin/cloudbridge-server when they exist
# (PACKAGE_REBUILD=1 rebuilds both).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION="$(app_version)"
NAME="cloudbridge-${VERSION//+/_}-linux-amd64"
OUT="$ROOT/build/bin"
STAGE="$OUT/pkg/$NAME"
TARBALL="$OUT/$NAME.tar.gz"

if [[ "${PACKAGE_REBUILD:-0}" == 1 || ! -x "$OUT/cloudbridge" ]]; then
  frontend_ensure
  log "wails build -platform linux/amd64"
  wails_build -platform linux/amd64
fi
if [[ "${PACKAGE_REBUILD:-0}" == 1 || ! -x "$OUT/cloudbridge-server" ]]; then
  frontend_ensure
  build_server
fi

rm -rf "$STAGE" && mkdir -p "$STAGE"
install -m 0755 "$OUT/cloudbridge" "$OUT/cloudbridge-server" "$STAGE/"
install -m 0644 build/linux/cloudbridge.desktop build/linux/cloudbridge.service "$STAGE/"
install -m 0644 build/appicon.png "$STAGE/cloudbridge.png"

cat >"$STAGE/install.sh" <<'INSTALL'
#!/bin/sh
# Installs CloudBridge into /opt/cloudbridge (run as root).
#   ./install.sh            binaries, `cloudbridge` on PATH, desktop entry and icon
#   ./install.sh --service  also a `cloudbridge` system user and the systemd unit running
#                           `cloudbridge-server serve --data /var/lib/cloudbridge`, enabled and started
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
install -d /opt/cloudbridge
install -m 0755 "$here/cloudbridge" "$here/cloudbridge-server" /opt/cloudbridge/
install -m 0644 "$here/README.txt" /opt/cloudbridge/README.md
ln -sf /opt/cloudbridge/cloudbridge /usr/local/bin/cloudbridge
ln -sf /opt/cloudbridge/cloudbridge-server /usr/local/bin/cloudbridge-server
install -D -m 0644 "$here/cloudbridge.desktop" /usr/share/applications/cloudbridge.desktop
install -D -m 0644 "$here/cloudbridge.png" /usr/share/pixmaps/cloudbridge.png
if [ "${1:-}" = "--service" ]; then
  id cloudbridge >/dev/null 2>&1 || useradd --system --home-dir /var/lib/cloudbridge --shell /usr/sbin/nologin cloudbridge
  install -m 0644 "$here/cloudbridge.service" /etc/systemd/system/cloudbridge.service
  systemctl daemon-reload
  systemctl enable --now cloudbridge.service
  echo "cloudbridge.service is running; admin UI on 127.0.0.1:8898 (journalctl -u cloudbridge for the first-run details)"
fi
echo "installed: /opt/cloudbridge (run: cloudbridge, or cloudbridge-server serve)"
INSTALL
cat >"$STAGE/uninstall.sh" <<'UNINSTALL'
#!/bin/sh
# Removes what install.sh installed. Keeps /var/lib/cloudbridge (data) and the cloudbridge user.
set -eu
[ "$(id -u)" -eq 0 ] || { echo "uninstall.sh: run as root" >&2; exit 1; }
if [ -f /etc/systemd/system/cloudbridge.service ]; then
  systemctl disable --now cloudbridge.service || true
  rm -f /etc/systemd/system/cloudbridge.service
  systemctl daemon-reload
fi
rm -f /usr/local/bin/cloudbridge /usr/local/bin/cloudbridge-server \
  /usr/share/applications/cloudbridge.desktop /usr/share/pixmaps/cloudbridge.png
rm -rf /opt/cloudbridge
echo "removed; data in /var/lib/cloudbridge is kept"
UNINSTALL
chmod 0755 "$STAGE/install.sh" "$STAGE/uninstall.sh"
cat >"$STAGE/README.txt" <<README
CloudBridge (云桥 for WeLink) $VERSION — Linux amd64

  cloudbridge          desktop window (needs libgtk-3-0 and libwebkit2gtk-4.0-37;
                       on Debian/Ubuntu: apt-get install libgtk-3-0 libwebkit2gtk-4.0-37)
  cloudbridge-server   headless, no desktop libraries: cloudbridge-server serve
                       (admin UI on http://127.0.0.1:8898/, public listener as configured)

  sudo ./install.sh             install into /opt/cloudbridge with a desktop entry
  sudo ./install.sh --service   also run 'serve' as the systemd unit cloudbridge.service
  sudo ./uninstall.sh           remove (data in /var/lib/cloudbridge is kept)

  sudo cloudbridge-server service install|uninstall|start|stop|status [--data DIR] [--user NAME]
                                the same systemd unit for a binary anywhere else
                                (cloudbridge.service in this folder is what it writes for
                                /opt/cloudbridge and /var/lib/cloudbridge)

The desktop window hides into the system tray when closed (status, show, quit in the tray
menu); on a desktop without a tray (GNOME without the AppIndicator extension) closing it
asks whether to quit. Start at login: 系统设置 › 常规.

Data: --data DIR, default \$XDG_DATA_HOME/cloudbridge (~/.local/share/cloudbridge);
the service keeps its data in /var/lib/cloudbridge.
README

log "checking the server binary runs"
"$STAGE/cloudbridge-server" version

tar -C "$OUT/pkg" --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime="@$(git log -1 --format=%ct 2>/dev/null || date +%s)" -czf "$TARBALL" "$NAME"
tar -tzf "$TARBALL" | sed 's/^/  /'
log "wrote $TARBALL ($(du -h "$TARBALL" | cut -f1))"
