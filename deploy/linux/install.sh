#!/usr/bin/env bash
# Installs or upgrades DVC Sync from a published folder (publish.sh): run as root from that folder.
#   sudo ./install.sh            install, or upgrade in place (the data and the environment file are kept)
# The program goes to /opt/dvcsync/app, the unit to /etc/systemd/system/dvcsync.service, the settings to
# /etc/dvcsync/dvcsync.env (created from the template only if absent), the data to /var/lib/dvcsync.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "install.sh must run as root (sudo)" >&2; exit 1; }
[ -x "$here/app/DvcSync.Standalone" ] || { echo "No app/DvcSync.Standalone beside install.sh: run it from publish.sh's output" >&2; exit 1; }

getent group dvcsync >/dev/null || groupadd --system dvcsync
getent passwd dvcsync >/dev/null || useradd --system --gid dvcsync --home-dir /var/lib/dvcsync --no-create-home --shell /usr/sbin/nologin dvcsync

install -d -o dvcsync -g dvcsync -m 0750 /var/lib/dvcsync
install -d -o root -g dvcsync -m 0750 /etc/dvcsync
if [ ! -f /etc/dvcsync/dvcsync.env ]; then
  install -o root -g dvcsync -m 0640 "$here/dvcsync.env.template" /etc/dvcsync/dvcsync.env
  fresh=1
fi

upgrading=0
if systemctl is-active --quiet dvcsync; then upgrading=1; systemctl stop dvcsync; fi
# Before an upgrade, a copy of the store as it was (the program is stopped: the files are consistent).
if [ "$upgrading" -eq 1 ] && [ -f /var/lib/dvcsync/dvcsync.db ]; then
  backup="/var/lib/dvcsync/before-upgrade-$(date +%Y%m%d-%H%M%S).db"
  Storage__SqlitePath=/var/lib/dvcsync/dvcsync.db "$here/app/DvcSync.Standalone" backup --to "$backup" \
    || { echo "The pre-upgrade backup failed; nothing was changed" >&2; systemctl start dvcsync; exit 1; }
  chown dvcsync:dvcsync "$backup"; chmod 0640 "$backup"
fi

rm -rf /opt/dvcsync/app.new
install -d -m 0755 /opt/dvcsync
cp -a "$here/app" /opt/dvcsync/app.new
chown -R root:root /opt/dvcsync/app.new
rm -rf /opt/dvcsync/app.old
[ -d /opt/dvcsync/app ] && mv /opt/dvcsync/app /opt/dvcsync/app.old
mv /opt/dvcsync/app.new /opt/dvcsync/app
install -o root -g root -m 0644 "$here/dvcsync.service" /etc/systemd/system/dvcsync.service
systemctl daemon-reload
systemctl enable dvcsync >/dev/null

if [ "${fresh:-0}" -eq 1 ]; then
  echo "Installed. Fill in /etc/dvcsync/dvcsync.env (every REPLACE), then: sudo systemctl start dvcsync"
else
  systemctl start dvcsync
  echo "$([ "$upgrading" -eq 1 ] && echo Upgraded || echo Installed) and started: journalctl -u dvcsync -f ; curl http://127.0.0.1:7071/api/health/live"
fi
