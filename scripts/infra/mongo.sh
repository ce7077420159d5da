#!/usr/bin/env bash
# The MongoDB-wire server for development and tests: start | stop | status | build | uri.
# Chosen in order: MONGODB_URI from the environment, a `mongod` on PATH, a Docker
# `mongo:8` container through testcontainers when a Docker engine answers, else
# FerretDB (SQLite backend) built from the Go module proxy.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

NAME=mongo
DATA=$ANANSKY_STATE/mongo-data
URI_FILE=$ANANSKY_STATE/mongo.uri
FERRETDB_BIN=$ANANSKY_CACHE/ferretdb-$FERRETDB_VERSION/ferretdb

build_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  command -v go >/dev/null || die "Go is needed to build FerretDB"
  local work; work=$(mktemp -d)
  log "building FerretDB $FERRETDB_VERSION (first run only, a few minutes)"
  # Built inside its own module with build/version/version.txt written: both `go install`
  # and a wrapper module give a binary that panics at start for want of that file.
  (cd "$work" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" > module.json) \
    || die "downloading the FerretDB module failed"
  local dir; dir=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' "$work/module.json")
  cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"
  echo "$FERRETDB_VERSION" > "$work/src/build/version/version.txt"
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  (cd "$work/src" && CGO_ENABLED=0 go build -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) \
    || die "FerretDB build failed"
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$work"
}

ping() { use_node; node "$ANANSKY_ROOT/scripts/infra/mongo-ping.mjs" "$1"; }

docker_answers() { command -v docker >/dev/null && timeout 5 docker info >/dev/null 2>&1; }

start() {
  if [ -n "${MONGODB_URI:-}" ]; then
    log "mongo: using MONGODB_URI from the environment"; echo "$MONGODB_URI" > "$URI_FILE"; return 0
  fi
  if is_running $NAME; then log "mongo: already running at $(cat "$URI_FILE")"; return 0; fi
  mkdir -p "$ANANSKY_STATE"
  port_open "$ANANSKY_MONGO_PORT" && die "mongo: port $ANANSKY_MONGO_PORT is taken by another process (set ANANSKY_MONGO_PORT)"
  rm -rf "$DATA"; mkdir -p "$DATA"
  local uri="mongodb://127.0.0.1:$ANANSKY_MONGO_PORT/"
  if command -v mongod >/dev/null; then
    log "mongo: starting mongod"
    nohup mongod --bind_ip 127.0.0.1 --port "$ANANSKY_MONGO_PORT" --dbpath "$DATA" \
      >"$ANANSKY_STATE/mongo.log" 2>&1 &
    echo $! > "$(pid_file $NAME)"
  elif docker_answers; then
    log "mongo: starting mongo:8 with testcontainers"
    use_node
    nohup node "$ANANSKY_ROOT/scripts/infra/mongo-container.mjs" "$URI_FILE" \
      >"$ANANSKY_STATE/mongo.log" 2>&1 &
    echo $! > "$(pid_file $NAME)"
    wait_until 120 test -s "$URI_FILE" || die "mongo container did not start: see $ANANSKY_STATE/mongo.log"
    uri=$(cat "$URI_FILE")
  else
    build_ferretdb
    log "mongo: starting FerretDB $FERRETDB_VERSION (SQLite backend)"
    # WAL with synchronous=NORMAL: a commit survives a crash of FerretDB or of the platform
    # (not a power cut, like mongod's default 100 ms journal flush) and skips an fsync per
    # statement, which FerretDB runs as a transaction of its own (measured: 17-30% faster writes).
    nohup "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$DATA/?_pragma=synchronous(normal)" \
      --listen-addr="127.0.0.1:$ANANSKY_MONGO_PORT" --telemetry=disable --debug-addr=- \
      --state-dir="$DATA" --log-level=warn >>"$ANANSKY_STATE/mongo.log" 2>&1 &
    echo $! > "$(pid_file $NAME)"
  fi
  echo "$uri" > "$URI_FILE"
  if ! wait_until 60 ping "$uri"; then
    stop_by_pid $NAME; die "mongo did not answer a ping: see $ANANSKY_STATE/mongo.log"
  fi
  log "mongo: ready at $uri"
}

status() {
  if [ -n "${MONGODB_URI:-}" ]; then echo "mongo: external ($MONGODB_URI)"; return 0; fi
  if is_running $NAME; then echo "mongo: running at $(cat "$URI_FILE") (pid $(cat "$(pid_file $NAME)"))"
  else echo "mongo: stopped"; return 1; fi
}

case "${1:-status}" in
  start) start ;;
  stop) stop_by_pid $NAME; rm -f "$URI_FILE" ;;
  status) status ;;
  build) build_ferretdb ;;
  uri) cat "$URI_FILE" ;;
  *) die "usage: $0 start|stop|status|build|uri" ;;
esac
