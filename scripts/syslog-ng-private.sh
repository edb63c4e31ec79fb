#!/usr/bin/env bash
# Unpacks Debian's syslog-ng into a private directory, so the log-shipping
# tests can run the real syslog-ng next to the installed rsyslog (the two
# packages conflict; installing one removes the other). Nothing is installed
# system-wide: `apt-get download` fetches the .debs, `dpkg-deb -x` unpacks
# them, and a wrapper runs the binary with its libraries and modules.
#
# Usage: scripts/syslog-ng-private.sh [DIR]
#   DIR defaults to $MTAVIZ_SYSLOG_NG_DIR or ~/.cache/mtaviz/syslog-ng.
# Prints the wrapper's path (DIR/syslog-ng) on stdout. Idempotent: a working
# unpacked copy is reused.
set -euo pipefail

DIR="${1:-${MTAVIZ_SYSLOG_NG_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mtaviz/syslog-ng}}"
WRAPPER="$DIR/syslog-ng"

log() { printf 'syslog-ng-private: %s\n' "$*" >&2; }

if [[ -x $WRAPPER ]] && "$WRAPPER" --version >/dev/null 2>&1; then
  echo "$WRAPPER"
  exit 0
fi

for bin in apt-get apt-cache dpkg-deb dpkg-query; do
  command -v "$bin" >/dev/null || { log "missing $bin (a Debian or Ubuntu system is needed)"; exit 1; }
done

rm -rf "$DIR"
mkdir -p "$DIR/debs" "$DIR/root"

# syslog-ng-core plus each of its direct library dependencies that is not
# installed already (on a system with rsyslog these are typically libivykis0,
# libnet1 and libpcre3).
packages=(syslog-ng-core)
while read -r dep; do
  [[ -n $dep ]] || continue
  if ! dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'install ok installed'; then
    packages+=("$dep")
  fi
done < <(apt-cache depends syslog-ng-core | awk '$1 == "Depends:" && $2 ~ /^lib/ { print $2 }' | sort -u)

log "downloading ${packages[*]}"
# apt-get download writes into the current directory; the _apt sandbox user
# may not be able to, which only costs a warning.
(cd "$DIR/debs" && apt-get download "${packages[@]}" 2> >(grep -v unsandboxed >&2) >&2)
for deb in "$DIR"/debs/*.deb; do
  dpkg-deb -x "$deb" "$DIR/root"
done

moddir="$(find "$DIR/root/usr/lib/syslog-ng" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | head -n1)"
[[ -n $moddir ]] || { log "no module directory in the unpacked syslog-ng"; exit 1; }

libdirs="$DIR/root/usr/lib/syslog-ng"
for d in "$DIR/root/usr/lib/x86_64-linux-gnu" "$DIR/root/lib/x86_64-linux-gnu" "$DIR/root/usr/lib/aarch64-linux-gnu" "$DIR/root/lib/aarch64-linux-gnu"; do
  [[ -d $d ]] && libdirs="$libdirs:$d"
done

cat >"$WRAPPER" <<EOF
#!/bin/sh
# Runs the privately unpacked syslog-ng (written by scripts/syslog-ng-private.sh).
LD_LIBRARY_PATH="$libdirs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$DIR/root/usr/sbin/syslog-ng" --module-path="$moddir" "\$@"
EOF
chmod +x "$WRAPPER"

"$WRAPPER" --version >/dev/null || { log "the unpacked syslog-ng does not run"; exit 1; }
log "syslog-ng ready: $WRAPPER"
echo "$WRAPPER"
