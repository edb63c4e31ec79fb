# Sourced by the scripts in scripts/: messages prefixed with the script's
# name, and polling a condition with a deadline (never a bare sleep).
# A script may define timeout_detail to say more when a wait times out.

log() { printf '%s: %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "$*"; exit 1; }
timeout_detail() { :; }

# wait_until DESCRIPTION SECONDS COMMAND...
wait_until() {
  local what="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < deadline)) || die "timed out waiting for $what$(timeout_detail)"
    sleep 0.2
  done
}
