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
status=0
node services/platform/main.ts || status=$?
exit $status
