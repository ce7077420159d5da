#!/usr/bin/env bash
# Local infrastructure for development, tests and CI: start | stop | status | env [service...].
# Services: kafka, mongo, jaeger (default: kafka mongo). Each is ready only when it
# really answers, prints where it listens, is stopped by its pid; a second start is a no-op.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

action=${1:-status}; shift || true
services=("$@"); [ ${#services[@]} -gt 0 ] || services=(kafka mongo)
mkdir -p "$ANANSKY_STATE"

case "$action" in
  start|status|build)
    status=0
    for s in "${services[@]}"; do bash "$ANANSKY_ROOT/scripts/infra/$s.sh" "$action" || status=$?; done
    exit $status ;;
  stop)
    for s in "${services[@]}"; do
      [ -f "$ANANSKY_ROOT/scripts/infra/$s.sh" ] && { bash "$ANANSKY_ROOT/scripts/infra/$s.sh" stop || true; }
    done ;;
  env)
    # Prints the connection settings of the running infrastructure as shell exports.
    echo "export MONGODB_URI='${MONGODB_URI:-$(cat "$ANANSKY_STATE/mongo.uri" 2>/dev/null)}'"
    echo "export KAFKA_BOOTSTRAP_SERVERS='$(bash "$ANANSKY_ROOT/scripts/infra/kafka.sh" bootstrap)'" ;;
  *) die "usage: $0 start|stop|status|build|env [kafka|mongo|jaeger...]" ;;
esac
