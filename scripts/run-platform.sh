#!/usr/bin/env bash
# Runs one platform process the way `npm start` and the Docker image do: the defaults of
# scripts/platform-env (a value already set wins), then node with scripts/platform-node-args.
# Needs node on PATH; works from any directory.
set -euo pipefail
cd "$(dirname "$0")/.."
while IFS='=' read -r name value; do
  case "$name" in '' | '#'*) continue ;; esac
  [ -n "${!name:-}" ] || export "$name=$value"
done < scripts/platform-env
# shellcheck disable=SC2046
exec node $(cat scripts/platform-node-args)
