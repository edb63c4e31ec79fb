#!/usr/bin/env bash
# A private Postfix instance (Debian's package) on loopback, and the fixed
# traffic mix it is put through: what scripts/capture-postfix-fixtures.sh
# records as the golden Postfix logs and what the end-to-end test
# (test/e2e/postfix-syslog.browser.test.ts) ships live into the daemon. Both
# check the same counts (test/parse/postfix-fixtures.test.ts explains them).
#
# A private instance only: its own config dir (postfix -c), queue, data dir and
# ports; the system's default instance is neither read nor touched. Postfix
# logs either
#   --maillog FILE   itself, through postlogd (maillog_file), or
#   --syslog SOCKET  through syslog(3), as it does by default, into SOCKET:
#                    Postfix runs in a private mount namespace (unshare -m) in
#                    which /dev is a directory holding the usual device nodes
#                    and a "log" link to SOCKET, so the machine's own /dev/log
#                    (and its syslog daemon) is never used.
#
# Topology: listeners elb-smtp and elb-api (distinct syslog_names), egress
# transports proxy-a, proxy-b (postfix/NAME/smtp tags) and out1 (a
# postfix-out1/smtp tag); smtp-sink peers that accept, answer 4xx and answer
# 5xx, an IPv6 peer on [::1], an unreachable peer, local pickup (sendmail), the
# error transport, NOQUEUE rejects, and expiry of the deferred mail.
#
# Usage: sudo scripts/postfix-private.sh WORK (--maillog FILE | --syslog SOCKET)
#   WORK is created (emptied first) and must be reachable by the postfix user.
#   Ports: env BASE_PORT (24400) with fixed offsets, or each of P_OK, P_SOFT,
#   P_HARD, P_V6, P_DOWN, P_ELB_SMTP, P_ELB_API on its own.
#   Exits 0 once the whole mix has been logged and the instance is stopped.
set -euo pipefail
QUEUE_RUN=""

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
BASE_PORT="${BASE_PORT:-24400}"
P_OK="${P_OK:-$((BASE_PORT + 1))}"           # smtp-sink: accepts
P_SOFT="${P_SOFT:-$((BASE_PORT + 2))}"       # smtp-sink: 4xx to RCPT
P_HARD="${P_HARD:-$((BASE_PORT + 3))}"       # smtp-sink: 5xx to RCPT
P_V6="${P_V6:-$((BASE_PORT + 4))}"           # smtp-sink on [::1]: accepts
P_DOWN="${P_DOWN:-$((BASE_PORT + 5))}"       # nothing listens: connection refused
P_ELB_SMTP="${P_ELB_SMTP:-$((BASE_PORT + 25))}"
P_ELB_API="${P_ELB_API:-$((BASE_PORT + 26))}"
export P_OK P_SOFT P_HARD P_V6 P_DOWN P_ELB_SMTP P_ELB_API

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

write_config() {
  local run="$1" maillog="$2"
  mkdir -p "$run/etc" "$run/spool" "$run/data"
  chown postfix "$run/data"
  local postlog=""
  if [[ -n $maillog ]]; then
    postlog="maillog_file = $maillog
maillog_file_prefixes = $(dirname "$maillog")"
  fi
  cat >"$run/etc/main.cf" <<EOF
# Private instance written by scripts/postfix-private.sh.
compatibility_level = 3.6
myhostname = mx1.mtaviz.test
mydomain = mtaviz.test
myorigin = \$myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = all
queue_directory = $run/spool
data_directory = $run/data
mail_owner = postfix
setgid_group = postdrop
$postlog
syslog_facility = mail

# No DNS anywhere: every destination is a literal loopback peer.
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtp_host_lookup = native
disable_vrfy_command = yes
smtputf8_enable = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
biff = no
alias_maps =
alias_database =

# Only the mix's domains are relayed; loopback clients are not trusted, so
# anything else is a NOQUEUE reject.
mynetworks = 192.0.2.0/24
relay_domains = ok-a.test ok-b.test soft.test hard.test v6.test down.test
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
transport_maps = inline:{
  { ok-a.test = proxy-a:[127.0.0.1]:$P_OK },
  { ok-b.test = proxy-b:[127.0.0.1]:$P_OK },
  { soft.test = proxy-a:[127.0.0.1]:$P_SOFT },
  { hard.test = proxy-b:[127.0.0.1]:$P_HARD },
  { v6.test = out1:[::1]:$P_V6 },
  { down.test = proxy-b:[127.0.0.1]:$P_DOWN } }
default_transport = error:5.1.2 no route outside the mix
local_transport = error:5.1.1 no local delivery in the mix
relay_transport = error:5.1.2 no relay transport in the mix

# Deferred mail is retried only when the script flushes the queue, so every
# deferred recipient is tried exactly three times: the first pass, the retry
# flush, and the attempt qmgr makes before it returns expired mail.
queue_run_delay = 1h
minimal_backoff_time = 1h
maximal_backoff_time = 2h
maximal_queue_lifetime = 5d
bounce_queue_lifetime = 5d
delay_warning_time = 0h
smtp_connect_timeout = 5s
# The unreachable peer is never declared dead: with the default limit of 1,
# qmgr suspends it after one refused connection, and whether the other
# messages to it were already with proxy-b or are deferred by the retry
# service instead (logged as postfix/error, no egress) is down to timing.
default_destination_concurrency_failed_cohort_limit = 100
EOF

  cat >"$run/etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
$P_ELB_SMTP inet n       -       n       -       -       smtpd -o syslog_name=postfix/elb-smtp
$P_ELB_API  inet n       -       n       -       -       smtpd -o syslog_name=postfix/elb-api
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp -o syslog_name=postfix/relay
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
proxy-a    unix  -       -       n       -       -       smtp -o syslog_name=postfix/proxy-a
proxy-b    unix  -       -       n       -       -       smtp -o syslog_name=postfix/proxy-b
out1       unix  -       -       n       -       -       smtp -o syslog_name=postfix-out1
EOF
}

start_sinks() {
  local run="$1"
  # -u: smtp-sink drops to this user; positional: [host]:port backlog.
  smtp-sink -u postfix "127.0.0.1:$P_OK" 64 & echo $! >>"$run/sinks.pid"
  smtp-sink -u postfix -r RCPT "127.0.0.1:$P_SOFT" 64 & echo $! >>"$run/sinks.pid"
  smtp-sink -u postfix -f RCPT "127.0.0.1:$P_HARD" 64 & echo $! >>"$run/sinks.pid"
  smtp-sink -u postfix "[::1]:$P_V6" 64 & echo $! >>"$run/sinks.pid"
  for port in $P_OK $P_SOFT $P_HARD; do
    wait_until "smtp-sink on $port" 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
  done
  wait_until "smtp-sink on [::1]:$P_V6" 10 bash -c "exec 3<>/dev/tcp/::1/$P_V6" 2>/dev/null
}

queue_count() { find "$1/spool/$2" -type f 2>/dev/null | wc -l; }
queue_summary() {
  local q
  for q in maildrop incoming active deferred; do printf '%s %s ' "$q" "$(queue_count "$1" "$q")"; done
}
# A wait that timed out says what the queue held.
timeout_detail() { [[ -z $QUEUE_RUN ]] || printf ' (queue: %s)' "$(queue_summary "$QUEUE_RUN")"; }

# The queue holds only the expected deferred messages, and nothing is in flight.
settled() {
  local run="$1" want_deferred="$2"
  [[ $(queue_count "$run" incoming) -eq 0 && $(queue_count "$run" active) -eq 0 &&
     $(queue_count "$run" maildrop) -eq 0 && $(queue_count "$run" deferred) -eq $want_deferred ]]
}

# Every deferred message was tried again since retry_times wrote BEFORE: qmgr
# sets a deferred queue file's mtime to its next retry time (now + backoff,
# backoff at least minimal_backoff_time), and a file in the active queue is
# absent here. The queue settling alone is not enough: right after the flush
# the messages qmgr has not yet scanned still sit in the deferred queue.
retry_times() { find "$1/spool/deferred" -type f -printf '%p %T@\n'; }
retried() {
  local run="$1" before="$2" f m
  settled "$run" "$DEFERRED" || return 1
  while read -r f m; do
    [[ -f $f ]] && (($(stat -c %Y "$f") > ${m%.*})) || return 1
  done <"$before"
}
stopped() { ! postfix -c "$1/etc" status 2>/dev/null; }
second_passed() { (($(date +%s) > $1)); }

# The log file stopped growing (postlogd writes asynchronously).
log_quiet() {
  local f="$1" a b
  a=$(stat -c %s "$f" 2>/dev/null || echo 0); sleep 1
  b=$(stat -c %s "$f" 2>/dev/null || echo 0)
  [[ $a -eq $b && $b -gt 0 ]]
}

inject() {
  local run="$1"
  local src=(smtp-source -M client.mtaviz.test -f sender@ok-a.test -l 512)
  "${src[@]}" -m 20 -s 2 -t user@ok-a.test "127.0.0.1:$P_ELB_SMTP"
  "${src[@]}" -m 10 -r 2 -t user@ok-b.test "127.0.0.1:$P_ELB_SMTP"
  "${src[@]}" -m 8 -t user@hard.test "[::1]:$P_ELB_API"
  "${src[@]}" -m 6 -t user@soft.test "127.0.0.1:$P_ELB_API"
  "${src[@]}" -m 4 -t user@down.test "127.0.0.1:$P_ELB_SMTP"
  "${src[@]}" -m 5 -t user@v6.test "[::1]:$P_ELB_API"
  # Relay access denied: NOQUEUE rejects (-A: keep going after the 554).
  "${src[@]}" -A -m 3 -t user@nowhere.example "127.0.0.1:$P_ELB_SMTP" 2>/dev/null
  # Local submission through sendmail(1) -> postdrop -> pickup.
  local sm=(sendmail -C "$run/etc" -f local-sender@ok-b.test)
  printf 'Subject: pickup one\n\nhello\n' | "${sm[@]}" pickup-a@ok-a.test
  printf 'Subject: pickup two\n\nhello\n' | "${sm[@]}" pickup-b@ok-b.test pickup-c@soft.test
  printf 'Subject: pickup three\n\nhello\n' | "${sm[@]}" pickup-d@nowhere.example
}

# Deferred after the first pass: 6 soft.test + 4 down.test + the pickup message
# with a soft.test recipient.
DEFERRED=11

run_traffic() {
  local run="$1"
  QUEUE_RUN="$run"
  postfix -c "$run/etc" check
  postfix -c "$run/etc" start
  inject "$run"
  log "injected; waiting for the first delivery pass"
  wait_until "first delivery pass" 120 settled "$run" "$DEFERRED"
  log "first pass done; retrying the deferred mail"
  # Second attempt for every deferred recipient, then expiry: lifetime 0 makes
  # qmgr return the still-deferred messages to their senders. The retry starts
  # in a later second than every first attempt, so each retry time moves on.
  retry_times "$run" >"$run/retry-times"
  wait_until "the clock to pass the first attempts" 5 second_passed "$(date +%s)"
  postqueue -c "$run/etc" -f
  wait_until "second pass" 120 retried "$run" "$run/retry-times"
  log "second pass done; expiring the deferred mail"
  postconf -c "$run/etc" -e maximal_queue_lifetime=0 bounce_queue_lifetime=0
  # A restart, not a reload: after a reload the old qmgr can still take the
  # flush and retry the mail under the old lifetime, and the new one then
  # waits an hour for it.
  postfix -c "$run/etc" stop
  wait_until "Postfix to stop" 30 stopped "$run"
  postfix -c "$run/etc" start
  postqueue -c "$run/etc" -f
  wait_until "expiry and bounce notices" 120 settled "$run" 0
  log "queue empty"
}

stop_run() {
  local run="$1"
  if [[ -f $run/etc/main.cf ]]; then postfix -c "$run/etc" stop >/dev/null 2>&1 || true; fi
  if [[ -f $run/sinks.pid ]]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$run/sinks.pid"
    rm -f "$run/sinks.pid"
  fi
}

# Re-entered inside `unshare -m`: /dev is replaced, in this namespace only, by a
# directory holding the usual device nodes and log -> the syslog socket.
# Postfix's master and every process it starts stay in the namespace.
syslog_inside() {
  local run="$1" socket="$2"
  local dev="$run/dev"
  mkdir -p "$dev"
  for n in null zero full random urandom tty; do
    touch "$dev/$n"
    mount --bind "/dev/$n" "$dev/$n"
  done
  ln -s "$socket" "$dev/log"
  mount --bind "$dev" /dev
  run_traffic "$run"
}

if [[ ${1:-} == --syslog-inside ]]; then
  syslog_inside "$2" "$3"
  exit 0
fi

# ---------------------------------------------------------------- main
(($# == 3)) || die "usage: $0 WORK (--maillog FILE | --syslog SOCKET)"
RUN="$1" MODE="$2" TARGET="$3"
[[ $MODE == --maillog || $MODE == --syslog ]] || die "usage: $0 WORK (--maillog FILE | --syslog SOCKET)"
[[ $(id -u) -eq 0 ]] || die "run as root (Postfix's master and postdrop need it)"
for bin in postfix postconf postqueue sendmail smtp-sink smtp-source unshare mount; do
  command -v "$bin" >/dev/null || die "missing $bin (apt-get install postfix util-linux)"
done

stop_run "$RUN"
rm -rf "$RUN"
mkdir -p "$RUN"
trap 'stop_run "$RUN"' EXIT
# A signal ends the script through its EXIT trap too.
trap 'exit 1' TERM INT
if [[ $MODE == --maillog ]]; then
  mkdir -p "$(dirname "$TARGET")"
  write_config "$RUN" "$TARGET"
  start_sinks "$RUN"
  run_traffic "$RUN"
  wait_until "log to settle" 30 log_quiet "$TARGET"
else
  [[ -S $TARGET ]] || die "no syslog socket at $TARGET"
  write_config "$RUN" ""
  start_sinks "$RUN"
  unshare -m --propagation private "$SELF" --syslog-inside "$RUN" "$TARGET"
fi
