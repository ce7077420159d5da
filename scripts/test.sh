#!/usr/bin/env bash
# `npm test`: installs what is missing, brings up Kafka, the MongoDB-wire server and
# Jaeger when none is configured, then type-checks, lints, runs `deno check` on core/
# and plugins/, and runs every test tier. Exits with the checks' status; stops what it
# started.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ANANSKY_ROOT/scripts/bootstrap.sh"
use_node
. "$ANANSKY_ROOT/scripts/with-infra.sh"
# Jaeger for the tracing e2e test (built from the Go module proxy on first use, ~5 min).
start_infra_if_needed kafka=KAFKA_BOOTSTRAP_SERVERS mongo=MONGODB_URI jaeger=ANANSKY_TEST_JAEGER_QUERY_URL
cd "$ANANSKY_ROOT"
status=0
rm -f .anansky/vitest-report.json
npm run --silent check -- "$@" || status=$?
# One plain closing line that any CI log reader understands.
if [ -f .anansky/vitest-report.json ]; then
  node -e 'const r=require("./.anansky/vitest-report.json");console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)'
fi
exit $status
