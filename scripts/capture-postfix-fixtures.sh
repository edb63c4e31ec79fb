#!/usr/bin/env bash
# Refreshes the Postfix golden fixtures in test/fixtures/postfix/ from a real
# Postfix (Debian package) run on loopback. Not run in CI: the captured logs are
# committed, and test/parse/postfix-fixtures.test.ts asserts exact counts for
# them. After a refresh, re-check those counts (the mix is deterministic, queue
# IDs and timestamps are not).
#
# The instance and its traffic mix are scripts/postfix-private.sh's (the
# end-to-end test ships the same mix live). Two runs:
#   1. maillog_file (postlogd) logging            -> maillog.log
#   2. syslog(3) into a private rsyslogd (its own config, pid file and socket;
#      Postfix reaches it through a private mount namespace, never the
#      machine's /dev/log)                       -> syslog-bsd.log,
#      syslog-rfc3339.log, syslog-forward.log (<PRI>), syslog-5424.log
#
# Usage: sudo scripts/capture-postfix-fixtures.sh [OUT_DIR]
#   env WORK (scratch dir, default /tmp/mtaviz-capture-postfix), BASE_PORT (24400)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$HERE/../test/fixtures/postfix}"
WORK="${WORK:-/tmp/mtaviz-capture-postfix}"

source "$HERE/lib/common.sh"

# The log stopped growing (rsyslogd writes asynchronously).
log_quiet() {
  local f="$1" a b
  a=$(stat -c %s "$f" 2>/dev/null || echo 0); sleep 1
  b=$(stat -c %s "$f" 2>/dev/null || echo 0)
  [[ $a -eq $b && $b -gt 0 ]]
}

[[ $(id -u) -eq 0 ]] || die "run as root (Postfix's master and postdrop need it)"
command -v rsyslogd >/dev/null || die "missing rsyslogd (apt-get install rsyslog)"

mkdir -p "$OUT" "$WORK"
OUT="$(cd "$OUT" && pwd)"
chmod 755 "$WORK"

# 1. postlogd
"$HERE/postfix-private.sh" "$WORK/postlog" --maillog "$WORK/postlog-log/maillog.log"
install -m 0644 "$WORK/postlog-log/maillog.log" "$OUT/maillog.log"

# 2. syslog(3) -> a private rsyslogd writing the four file formats
logs="$WORK/syslog-log"
rm -rf "$logs"
mkdir -p "$logs"
cat >"$logs/rsyslog.conf" <<CONF
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$logs/log.sock")
template(name="ForwardLF" type="string"
         string="<%PRI%>%TIMESTAMP% %HOSTNAME% %syslogtag:1:32%%msg:::sp-if-no-1st-sp%%msg%\n")
if \$syslogfacility-text == 'mail' then {
  action(type="omfile" file="$logs/syslog-bsd.log" template="RSYSLOG_TraditionalFileFormat")
  action(type="omfile" file="$logs/syslog-rfc3339.log" template="RSYSLOG_FileFormat")
  action(type="omfile" file="$logs/syslog-forward.log" template="ForwardLF")
  action(type="omfile" file="$logs/syslog-5424.log" template="RSYSLOG_SyslogProtocol23Format")
}
CONF
rsyslogd -f "$logs/rsyslog.conf" -i "$logs/rsyslogd.pid"
trap 'kill "$(cat "$logs/rsyslogd.pid" 2>/dev/null)" 2>/dev/null || true' EXIT
wait_until "rsyslogd socket" 10 test -S "$logs/log.sock"
"$HERE/postfix-private.sh" "$WORK/syslog" --syslog "$logs/log.sock"
wait_until "log to settle" 30 log_quiet "$logs/syslog-bsd.log"
# Stop rsyslogd so that its files are complete.
pid="$(cat "$logs/rsyslogd.pid")"
kill "$pid"
wait_until "rsyslogd exit" 10 bash -c "! kill -0 $pid 2>/dev/null"
trap - EXIT
for f in syslog-bsd syslog-rfc3339 syslog-forward syslog-5424; do
  install -m 0644 "$logs/$f.log" "$OUT/$f.log"
done

log "fixtures written to $OUT:"
wc -l "$OUT"/*.log >&2
