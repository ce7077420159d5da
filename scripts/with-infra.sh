# Sourced by start.sh and test.sh: brings up the local infrastructure a command needs,
# unless the environment points at external services, and stops on exit (also on Ctrl-C)
# only what it started itself.
ANANSKY_STARTED=()

start_infra_if_needed() {
  local service variable
  for pair in "$@"; do
    service=${pair%%=*}; variable=${pair#*=}
    if [ -n "${!variable:-}" ] || bash "$ANANSKY_ROOT/scripts/infra.sh" status "$service" >/dev/null 2>&1; then
      continue
    fi
    ANANSKY_STARTED+=("$service")
    bash "$ANANSKY_ROOT/scripts/infra.sh" start "$service"
  done
  eval "$(bash "$ANANSKY_ROOT/scripts/infra.sh" env)"
}

stop_started_infra() {
  [ ${#ANANSKY_STARTED[@]} -eq 0 ] && return 0
  bash "$ANANSKY_ROOT/scripts/infra.sh" stop "${ANANSKY_STARTED[@]}"
  ANANSKY_STARTED=()
}

trap 'stop_started_infra' EXIT
trap 'stop_started_infra; exit 130' INT
trap 'stop_started_infra; exit 143' TERM
