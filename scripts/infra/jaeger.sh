#!/usr/bin/env bash
# Jaeger v2 (OTLP in, in-memory storage, query API) built from the Go module proxy:
# start | stop | status | build | probe | url | otlp.
# Everything binds 127.0.0.1 on non-default ports; the UI is a placeholder page
# (the module ships no UI assets) but the /api/* query API is complete.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

NAME=jaeger
JAEGER_V2_VERSION=v2.13.0 # the Jaeger v2 release cut from module $JAEGER_MODULE_VERSION
JAEGER_BIN=$ANANSKY_CACHE/jaeger-$JAEGER_MODULE_VERSION/jaeger
CONF=$ANANSKY_STATE/jaeger
LOG=$ANANSKY_STATE/jaeger.log

# Ports lib.sh does not define: query gRPC, health check, the collector's own metrics.
ANANSKY_JAEGER_QUERY_GRPC_PORT=${ANANSKY_JAEGER_QUERY_GRPC_PORT:-26685}
ANANSKY_JAEGER_HEALTH_PORT=${ANANSKY_JAEGER_HEALTH_PORT:-23133}
ANANSKY_JAEGER_METRICS_PORT=${ANANSKY_JAEGER_METRICS_PORT:-28888}

QUERY_URL=http://127.0.0.1:$ANANSKY_JAEGER_QUERY_PORT
OTLP_HTTP_URL=http://127.0.0.1:$ANANSKY_JAEGER_OTLP_HTTP_PORT

build_jaeger() {
  [ -x "$JAEGER_BIN" ] && return 0
  command -v go >/dev/null || die "Go is needed to build Jaeger"
  local work; work=$(mktemp -d)
  log "building Jaeger $JAEGER_V2_VERSION (module $JAEGER_MODULE_VERSION; first run only, ~5 minutes)"
  # Built inside a writable copy of its own module so its go.mod (with its replace
  # directive) decides the dependency versions; `go install pkg@version` refuses a
  # module with a replace directive. The module has no UI assets: the binary then
  # serves a placeholder page at / and the full /api/* query API.
  (cd "$work" && go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" > module.json) \
    || die "downloading the Jaeger module failed"
  local dir; dir=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' "$work/module.json")
  [ -d "$dir" ] || die "no module directory in go mod download output"
  cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"
  local v=github.com/jaegertracing/jaeger/internal/version
  mkdir -p "$(dirname "$JAEGER_BIN")"
  (cd "$work/src" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-X $v.latestVersion=$JAEGER_V2_VERSION -X $v.date=2025-12-03T16:07:08Z" \
    -o "$JAEGER_BIN.tmp" ./cmd/jaeger) || die "Jaeger build failed"
  mv "$JAEGER_BIN.tmp" "$JAEGER_BIN"
  rm -rf "$work"
}

write_config() {
  mkdir -p "$CONF"
  cat > "$CONF/config.yaml" <<YAML
# Written by scripts/infra/jaeger.sh: loopback only, non-default ports, in-memory storage.
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: basic
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: $ANANSKY_JAEGER_METRICS_PORT
    logs:
      level: info

extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    # On by default: Jaeger would trace its own queries and ship them over OTLP gRPC
    # to localhost:4317 (or OTEL_EXPORTER_OTLP_ENDPOINT), and wait 5 s for it at stop.
    enable_tracing: false
    http:
      endpoint: 127.0.0.1:$ANANSKY_JAEGER_QUERY_PORT
    grpc:
      endpoint: 127.0.0.1:$ANANSKY_JAEGER_QUERY_GRPC_PORT
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:$ANANSKY_JAEGER_HEALTH_PORT

receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$ANANSKY_JAEGER_OTLP_GRPC_PORT
      http:
        endpoint: 127.0.0.1:$ANANSKY_JAEGER_OTLP_HTTP_PORT

processors:
  batch:

exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
YAML
}

api_answers() { curl -fsS --max-time 2 "$QUERY_URL/api/services" | grep -q '"data"'; }

trace_found() { curl -fsS --max-time 2 "$QUERY_URL/api/traces?service=jaeger-probe&lookback=1h" | grep -q "$1"; }

hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# One span in over OTLP/HTTP JSON, found again through the query API by service name.
probe() {
  local trace span now
  trace=$(hex 16); span=$(hex 8); now=$(date +%s%N)
  curl -fsS --max-time 5 -X POST -H 'Content-Type: application/json' "$OTLP_HTTP_URL/v1/traces" -d '{
    "resourceSpans": [{
      "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "jaeger-probe"}}]},
      "scopeSpans": [{"scope": {"name": "anansky"}, "spans": [{
        "traceId": "'"$trace"'", "spanId": "'"$span"'", "name": "probe", "kind": 1,
        "startTimeUnixNano": "'"$now"'", "endTimeUnixNano": "'"$((now + 1000000))"'"}]}]}]}' \
    >/dev/null || return 1
  wait_until 15 trace_found "$trace"
}

start() {
  if is_running $NAME; then log "jaeger: already running, query API at $QUERY_URL"; return 0; fi
  command -v curl >/dev/null || die "curl is needed to check Jaeger"
  build_jaeger
  local p
  for p in "$ANANSKY_JAEGER_QUERY_PORT" "$ANANSKY_JAEGER_QUERY_GRPC_PORT" "$ANANSKY_JAEGER_OTLP_GRPC_PORT" \
    "$ANANSKY_JAEGER_OTLP_HTTP_PORT" "$ANANSKY_JAEGER_HEALTH_PORT" "$ANANSKY_JAEGER_METRICS_PORT"; do
    ! port_open "$p" || die "jaeger: port $p on 127.0.0.1 is already taken"
  done
  mkdir -p "$ANANSKY_STATE"
  write_config
  log "jaeger: starting $JAEGER_V2_VERSION (in-memory storage)"
  # exec all the way down, so the recorded pid is Jaeger's own and `stop` really stops it.
  (cd "$CONF" && exec nohup "$JAEGER_BIN" --config "$CONF/config.yaml") >"$LOG" 2>&1 &
  echo $! > "$(pid_file $NAME)"
  if ! wait_until 60 api_answers; then
    stop_by_pid $NAME; die "jaeger query API did not answer: see $LOG"
  fi
  if ! probe; then
    stop_by_pid $NAME; die "jaeger did not return a probe span sent over OTLP: see $LOG"
  fi
  log "jaeger: ready, OTLP at $OTLP_HTTP_URL (HTTP) and 127.0.0.1:$ANANSKY_JAEGER_OTLP_GRPC_PORT (gRPC), query API at $QUERY_URL"
}

status() {
  if is_running $NAME; then echo "jaeger: running, query API at $QUERY_URL (pid $(cat "$(pid_file $NAME)"))"
  else echo "jaeger: stopped"; return 1; fi
}

case "${1:-status}" in
  start) start ;;
  stop) stop_by_pid $NAME ;;
  status) status ;;
  build) build_jaeger ;;
  probe) probe && log "jaeger: probe span sent and found" ;;
  url) echo "$QUERY_URL" ;;
  otlp) echo "$OTLP_HTTP_URL" ;;
  *) die "usage: $0 start|stop|status|build|probe|url|otlp" ;;
esac
