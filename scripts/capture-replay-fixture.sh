#!/usr/bin/env bash
# Captures test/fixtures/replay/postfix-paced.log: about 25 seconds of a real
# Postfix (Debian's package, a private instance on loopback ports) logging
# through maillog_file, with traffic sent in waves a few seconds apart, so a
# replay test has real gaps to keep (at --speed 10, a 3 s gap becomes 300 ms).
# Not run in CI: the capture is committed; test/replay/replay.test.ts derives
# every expectation from the file itself.
#
# Two ingress listeners (postfix/smtp-lb, postfix/api-lb), two egress
# transports (postfix/proxy-a, postfix/proxy-b), smtp-sink peers that accept,
# answer 4xx and answer 5xx, NOQUEUE rejects and one queue flush (retries).
#
# Usage: sudo scripts/capture-replay-fixture.sh [OUT_FILE]
#   env WORK (scratch dir, default /tmp/mtaviz-capture-replay), BASE_PORT (24600)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$HERE/../test/fixtures/replay/postfix-paced.log}"
WORK="${WORK:-/tmp/mtaviz-capture-replay}"
BASE_PORT="${BASE_PORT:-24600}"
P_OK=$((BASE_PORT + 1)) P_SOFT=$((BASE_PORT + 2)) P_HARD=$((BASE_PORT + 3))
P_SMTP_LB=$((BASE_PORT + 25)) P_API_LB=$((BASE_PORT + 26))

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

[[ $(id -u) -eq 0 ]] || die "run as root (Postfix's master needs it)"
for bin in postfix postconf postqueue smtp-sink smtp-source; do
  command -v "$bin" >/dev/null || die "missing $bin (apt-get install postfix)"
done

cleanup() {
  [[ -f $WORK/etc/main.cf ]] && postfix -c "$WORK/etc" stop >/dev/null 2>&1 || true
  [[ -f $WORK/sinks.pid ]] && while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$WORK/sinks.pid"
  rm -f "$WORK/sinks.pid"
}
trap cleanup EXIT
cleanup
rm -rf "$WORK"
mkdir -p "$WORK/etc" "$WORK/spool" "$WORK/data" "$WORK/log"
chown postfix "$WORK/data"

cat >"$WORK/etc/main.cf" <<EOF
# Private capture instance written by scripts/capture-replay-fixture.sh.
compatibility_level = 3.6
myhostname = mta1.mtaviz.test
inet_interfaces = loopback-only
inet_protocols = ipv4
queue_directory = $WORK/spool
data_directory = $WORK/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $WORK/log/postfix.log
maillog_file_prefixes = $WORK/log
mydestination =
mynetworks = 192.0.2.0/24
relay_domains = ok-a.test ok-b.test soft.test hard.test
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
transport_maps = inline:{
  { ok-a.test = proxy-a:[127.0.0.1]:$P_OK },
  { ok-b.test = proxy-b:[127.0.0.1]:$P_OK },
  { soft.test = proxy-a:[127.0.0.1]:$P_SOFT },
  { hard.test = proxy-b:[127.0.0.1]:$P_HARD } }
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtp_tls_security_level = none
alias_maps =
alias_database =
queue_run_delay = 1h
minimal_backoff_time = 1h
maximal_backoff_time = 2h
EOF

cat >"$WORK/etc/master.cf" <<EOF
$P_SMTP_LB inet n - n - - smtpd -o syslog_name=postfix/smtp-lb
$P_API_LB  inet n - n - - smtpd -o syslog_name=postfix/api-lb
pickup     unix n - n 60 1 pickup
cleanup    unix n - n -  0 cleanup
qmgr       unix n - n 300 1 qmgr
rewrite    unix - - n -  - trivial-rewrite
bounce     unix - - n -  0 bounce
defer      unix - - n -  0 bounce
trace      unix - - n -  0 bounce
verify     unix - - n -  1 verify
flush      unix n - n 1000? 0 flush
proxymap   unix - - n -  - proxymap
smtp       unix - - n -  - smtp
showq      unix n - n -  - showq
error      unix - - n -  - error
retry      unix - - n -  - error
discard    unix - - n -  - discard
anvil      unix - - n -  1 anvil
scache     unix - - n -  1 scache
postlog    unix-dgram n - n - 1 postlogd
proxy-a    unix - - n -  - smtp -o syslog_name=postfix/proxy-a
proxy-b    unix - - n -  - smtp -o syslog_name=postfix/proxy-b
EOF

smtp-sink -u postfix "127.0.0.1:$P_OK" 64 & echo $! >>"$WORK/sinks.pid"
smtp-sink -u postfix -r RCPT "127.0.0.1:$P_SOFT" 64 & echo $! >>"$WORK/sinks.pid"
smtp-sink -u postfix -f RCPT "127.0.0.1:$P_HARD" 64 & echo $! >>"$WORK/sinks.pid"
for port in $P_OK $P_SOFT $P_HARD; do
  wait_until "smtp-sink on $port" 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
done

postfix -c "$WORK/etc" check
postfix -c "$WORK/etc" start
wait_until "smtpd listening" 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P_SMTP_LB" 2>/dev/null

send() { # send COUNT RCPT PORT [extra smtp-source flags]
  local n="$1" rcpt="$2" port="$3"; shift 3
  smtp-source -M client.mtaviz.test -f news@shop.test -l 512 "$@" -m "$n" -t "$rcpt" "127.0.0.1:$port"
}

# Waves a few seconds apart: the gaps are what the replay test checks.
send 3 reader@ok-a.test "$P_SMTP_LB";        sleep 2
send 2 gone@hard.test "$P_API_LB";           sleep 3
send 4 reader@ok-b.test "$P_API_LB";         sleep 1
send 2 busy@soft.test "$P_SMTP_LB";          sleep 3
send 2 someone@elsewhere.example "$P_SMTP_LB" -A; sleep 3
send 5 reader@ok-a.test "$P_API_LB";         sleep 3
postqueue -c "$WORK/etc" -f;                 sleep 3
send 3 reader@ok-b.test "$P_SMTP_LB";        sleep 2
send 2 gone@hard.test "$P_SMTP_LB";          sleep 2

log_quiet() {
  local a b
  a=$(stat -c %s "$WORK/log/postfix.log"); sleep 1
  b=$(stat -c %s "$WORK/log/postfix.log")
  [[ $a -eq $b ]]
}
wait_until "log to settle" 30 log_quiet
postfix -c "$WORK/etc" stop
mkdir -p "$(dirname "$OUT")"
cp "$WORK/log/postfix.log" "$OUT"
log "wrote $OUT ($(wc -l <"$OUT") lines)"
