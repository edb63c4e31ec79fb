#!/usr/bin/env bash
# Refreshes the Exim golden fixtures in test/fixtures/exim/ from a real Exim
# (Debian's exim4-daemon-light) run on loopback. Not run in CI: the captured
# logs are committed, and test/parse/exim-fixtures.test.ts asserts exact counts
# for them. After a refresh, re-check those counts (the mix is deterministic,
# message IDs and timestamps are not).
#
# Debian will not install exim4 next to postfix, so the .debs are downloaded
# (apt-get download) and unpacked (dpkg-deb -x) into a private directory. The
# binary expects to live at /usr/sbin/exim4 (it re-executes itself from there)
# and to find a "Debian-exim" user: the run happens in a private mount
# namespace in which /usr/sbin and the library directory are overlays adding
# the unpacked files, /etc/passwd and /etc/group are copies with that user
# added, and /etc/exim4/trusted_configs names the private config (so Exim keeps
# its privileges for -C, as an installed one would); nothing outside the
# namespace changes. Exim has its own spool and log directory and listens on
# loopback only. Each peer has its own loopback address, because Exim reuses
# an open connection for any message bound to the same host IP, whatever port.
#
# Two runs of the same traffic mix:
#   mainlog-default.log   default log_selector
#   mainlog-selectors.log +incoming_interface +incoming_port +outgoing_port
#                         +millisec +pid +queue_time +queue_time_overall
#                         +deliver_time +receive_time +received_recipients
#                         +sender_on_delivery +return_path_on_delivery
#                         +delivery_size +subject
#
# Topology: listeners on two ports (the "smtp" and "api" load balancers),
# transports proxy_a / proxy_b (source addresses 127.0.0.2 / 127.0.0.3) and
# out_v6 (to [::1]); smtp-sink peers that accept, answer 4xx and answer 5xx, an
# unreachable peer, local submission (exim -f ... < message), relay rejects,
# and the still-deferred mail failed for good on the last pass.
#
# Usage: sudo scripts/capture-exim-fixtures.sh [OUT_DIR]
#   env WORK (scratch dir, default /tmp/mtaviz-capture-exim), BASE_PORT (24500)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$HERE/../test/fixtures/exim}"
WORK="${WORK:-/tmp/mtaviz-capture-exim}"
BASE_PORT="${BASE_PORT:-24500}"
EXIM_UID=60123

P_OK=$((BASE_PORT + 1))     # smtp-sink on 127.0.0.11: accepts
P_SOFT=$((BASE_PORT + 2))   # smtp-sink on 127.0.0.12: 4xx to RCPT
P_HARD=$((BASE_PORT + 3))   # smtp-sink on 127.0.0.13: 5xx to RCPT
P_V6=$((BASE_PORT + 4))     # smtp-sink on [::1]: accepts
P_DOWN=$((BASE_PORT + 5))   # 127.0.0.14: nothing listens
P_LB_SMTP=$((BASE_PORT + 25))
P_LB_API=$((BASE_PORT + 26))

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

[[ $(id -u) -eq 0 ]] || die "run as root (mount namespace, Exim's privilege changes)"
for bin in apt-get dpkg-deb smtp-sink smtp-source unshare; do
  command -v "$bin" >/dev/null || die "missing $bin"
done

EXIM_ROOT="$WORK/pkg"
EXIM="$EXIM_ROOT/usr/sbin/exim4"

unpack_exim() {
  [[ -x $EXIM ]] && return
  mkdir -p "$WORK/debs" "$EXIM_ROOT"
  (cd "$WORK/debs" && apt-get download exim4-base exim4-daemon-light libidn12 >&2)
  for deb in "$WORK"/debs/*.deb; do dpkg-deb -x "$deb" "$EXIM_ROOT"; done
}

exim() { /usr/sbin/exim4 -C "$RUN/exim.conf" "$@"; }

write_config() {
  local run="$1" selectors="$2" retry="$3" file="$4"
  cat >"$file" <<EOF
# Private fixture instance written by scripts/capture-exim-fixtures.sh.
primary_hostname = mx2.mtaviz.test
qualify_domain = mx2.mtaviz.test
spool_directory = $run/spool
log_file_path = $run/log/%slog
pid_file_path = $run/exim.pid
daemon_smtp_ports = $P_LB_SMTP : $P_LB_API
local_interfaces = <; 127.0.0.1 ; ::1
log_selector = $selectors
keep_environment =
# No DNS, no ident: everything is a loopback literal.
host_lookup =
rfc1413_hosts =
helo_try_verify_hosts =
never_users =
trusted_users = root
deliver_drop_privilege = false
queue_run_max = 1

domainlist relay_to_domains = ok-a.test : ok-b.test : soft.test : hard.test : v6.test : down.test
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  accept domains = +relay_to_domains
  deny   message = relay not permitted

begin routers
ok_a:
  driver = manualroute
  domains = ok-a.test
  transport = proxy_a
  route_list = * 127.0.0.11::$P_OK
  self = send
ok_b:
  driver = manualroute
  domains = ok-b.test
  transport = proxy_b
  route_list = * 127.0.0.11::$P_OK
  self = send
soft:
  driver = manualroute
  domains = soft.test
  transport = proxy_a
  route_list = * 127.0.0.12::$P_SOFT
  self = send
hard:
  driver = manualroute
  domains = hard.test
  transport = proxy_b
  route_list = * 127.0.0.13::$P_HARD
  self = send
down:
  driver = manualroute
  domains = down.test
  transport = proxy_b
  route_list = * 127.0.0.14::$P_DOWN
  self = send
v6:
  driver = manualroute
  domains = v6.test
  transport = out_v6
  route_list = * [::::1]::$P_V6
  self = send

begin transports
proxy_a:
  driver = smtp
  interface = 127.0.0.2
  allow_localhost
  hosts_try_fastopen =
proxy_b:
  driver = smtp
  interface = 127.0.0.3
  allow_localhost
  hosts_try_fastopen =
out_v6:
  driver = smtp
  interface = <; ::1
  allow_localhost
  hosts_try_fastopen =

begin retry
$retry
EOF
}

start_sinks() {
  smtp-sink -u nobody "127.0.0.11:$P_OK" 64 & echo $! >>"$RUN/sinks.pid"
  smtp-sink -u nobody -r RCPT "127.0.0.12:$P_SOFT" 64 & echo $! >>"$RUN/sinks.pid"
  smtp-sink -u nobody -f RCPT "127.0.0.13:$P_HARD" 64 & echo $! >>"$RUN/sinks.pid"
  smtp-sink -u nobody "[::1]:$P_V6" 64 & echo $! >>"$RUN/sinks.pid"
  wait_until "smtp-sink accept" 10 bash -c "exec 3<>/dev/tcp/127.0.0.11/$P_OK" 2>/dev/null
  wait_until "smtp-sink 4xx" 10 bash -c "exec 3<>/dev/tcp/127.0.0.12/$P_SOFT" 2>/dev/null
  wait_until "smtp-sink 5xx" 10 bash -c "exec 3<>/dev/tcp/127.0.0.13/$P_HARD" 2>/dev/null
  wait_until "smtp-sink on [::1]:$P_V6" 10 bash -c "exec 3<>/dev/tcp/::1/$P_V6" 2>/dev/null
}

queued() { exim -bpc; }
# Nothing is being delivered and exactly N messages wait on the queue.
settled() {
  [[ $(queued) -eq $1 ]] && log_quiet
}
log_quiet() {
  local f="$RUN/log/mainlog" a b
  a=$(stat -c %s "$f" 2>/dev/null || echo 0); sleep 1
  b=$(stat -c %s "$f" 2>/dev/null || echo 0)
  [[ $a -eq $b && $b -gt 0 ]]
}

inject() {
  local src=(smtp-source -M client.mtaviz.test -f sender@ok-a.test -l 512)
  "${src[@]}" -m 20 -s 2 -t user@ok-a.test "127.0.0.1:$P_LB_SMTP"
  "${src[@]}" -m 10 -r 2 -t user@ok-b.test "127.0.0.1:$P_LB_SMTP"
  "${src[@]}" -m 8 -t user@hard.test "[::1]:$P_LB_API"
  "${src[@]}" -m 6 -t user@soft.test "127.0.0.1:$P_LB_API"
  "${src[@]}" -m 4 -t user@down.test "127.0.0.1:$P_LB_SMTP"
  "${src[@]}" -m 5 -t user@v6.test "[::1]:$P_LB_API"
  "${src[@]}" -A -m 3 -t user@nowhere.example "127.0.0.1:$P_LB_SMTP"
  printf 'Subject: local one\n\nhello\n' | exim -f local-sender@ok-b.test pickup-a@ok-a.test
  printf 'Subject: local two\n\nhello\n' | exim -f local-sender@ok-b.test pickup-b@ok-b.test pickup-c@soft.test
  printf 'Subject: local three\n\nhello\n' | exim -f local-sender@ok-b.test pickup-d@nowhere.example
}

# 6 soft.test + 4 down.test + the local message with a soft.test recipient.
DEFERRED=11

# One run, inside the namespace.
run_inside() {
  local selectors="$1"
  # /etc as seen in this namespace: the real one plus the Debian-exim user and
  # the trusted-config list (overlay lower dirs: the first one wins).
  local extra="$RUN/etc-extra"
  mkdir -p "$extra/exim4"
  cp /etc/passwd /etc/group "$extra/"
  echo "Debian-exim:x:$EXIM_UID:$EXIM_UID:mtaviz fixture exim:/nonexistent:/usr/sbin/nologin" >>"$extra/passwd"
  echo "Debian-exim:x:$EXIM_UID:" >>"$extra/group"
  printf '%s\n' "$RUN/exim.conf" "$RUN/exim-final.conf" >"$extra/exim4/trusted_configs"
  chmod 644 "$extra/passwd" "$extra/group" "$extra/exim4/trusted_configs"
  mount -t overlay overlay -o "lowerdir=$extra:/etc" /etc
  local lib=usr/lib/x86_64-linux-gnu
  mount -t overlay overlay -o "lowerdir=$EXIM_ROOT/usr/sbin:/usr/sbin" /usr/sbin
  mount -t overlay overlay -o "lowerdir=$EXIM_ROOT/$lib:/$lib" "/$lib"
  mkdir -p "$RUN/spool" "$RUN/log"
  chown -R "$EXIM_UID:$EXIM_UID" "$RUN/spool" "$RUN/log"
  write_config "$RUN" "$selectors" '* * F,1d,1d' "$RUN/exim.conf"
  # No retry rules: a temporary failure is final (the spec's "no retries").
  write_config "$RUN" "$selectors" '' "$RUN/exim-final.conf"
  chmod 644 "$RUN/exim.conf" "$RUN/exim-final.conf"

  start_sinks
  exim -bd
  wait_until "exim listening" 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P_LB_SMTP" 2>/dev/null
  inject
  wait_until "first delivery pass" 120 settled "$DEFERRED"
  # Second attempt for every deferred recipient, then the final one.
  exim -qf
  wait_until "second pass" 120 settled "$DEFERRED"
  /usr/sbin/exim4 -C "$RUN/exim-final.conf" -qf
  wait_until "final pass and bounce messages" 120 settled 0
  kill "$(cat "$RUN/exim.pid")"
}

stop_run() {
  [[ -f $RUN/sinks.pid ]] || return 0
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$RUN/sinks.pid"
  rm -f "$RUN/sinks.pid"
  if [[ -f $RUN/exim.pid ]]; then kill "$(cat "$RUN/exim.pid")" 2>/dev/null || true; fi
}

if [[ ${1:-} == --inside ]]; then
  RUN="$2"
  trap stop_run EXIT
  run_inside "$3"
  exit 0
fi

unpack_exim
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

RICH='+incoming_interface +incoming_port +outgoing_port +millisec +pid +queue_time +queue_time_overall +deliver_time +receive_time +received_recipients +sender_on_delivery +return_path_on_delivery +delivery_size +subject'
for variant in default selectors; do
  RUN="$WORK/$variant"
  stop_run
  rm -rf "$RUN"
  mkdir -p "$RUN"
  selectors=$([[ $variant == default ]] && echo '' || echo "$RICH")
  unshare -m --propagation private "$0" --inside "$RUN" "$selectors"
  install -m 0644 "$RUN/log/mainlog" "$OUT/mainlog-$variant.log"
done

log "fixtures written to $OUT:"
wc -l "$OUT"/*.log >&2
