#!/usr/bin/env bash
# `npm start`: installs what is missing, brings up local Kafka and MongoDB-wire server
# unless MONGODB_URI / KAFKA_BOOTSTRAP_SERVERS point elsewhere, and runs the platform
# in one process. Ctrl-C stops the platform and the infrastructure it started.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ANANSKY_ROOT/scripts/bootstrap.sh"
use_node
. "$ANANSKY_ROOT/scripts/with-infra.sh"
start_infra_if_needed kafka=KAFKA_BOOTSTRAP_SERVERS mongo=MONGODB_URI
cd "$ANANSKY_ROOT"
# A development admin token, made once and kept out of the repo, unless one is given.
if [ -z "${ANANSKY_ADMIN_TOKEN:-}" ]; then
  token_file="$ANANSKY_STATE/admin-token"
  [ -s "$token_file" ] || (umask 077; node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))' > "$token_file")
  ANANSKY_ADMIN_TOKEN=$(cat "$token_file"); export ANANSKY_ADMIN_TOKEN
  log "admin token for this checkout: $token_file"
fi
status=0
# scripts/run-platform.sh: node with scripts/platform-node-args (the OpenTelemetry bootstrap
# loads first so it can instrument HTTP and MongoDB; tracing is on when
# OTEL_EXPORTER_OTLP_ENDPOINT is set, README: Observability) and V8 flags that bound memory,
# with the defaults of scripts/platform-env (scripts/platformCommand.ts says why).
bash scripts/run-platform.sh || status=$?
exit $status
