#!/usr/bin/env bash
# Runs one platform process the way `npm start` and the Docker image do: the defaults of
# scripts/platform-env (a value already set wins), then node with scripts/platform-node-args.
# Needs node on PATH; works from any directory.
set -euo pipefail
cd "$(dirname "$0")/.."
# NAME=value lines (a CR before the newline ignored, a last line without one read too);
# anything else, comments included, is skipped: the format platformCommand.ts reads.
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
  name=${BASH_REMATCH[1]}
  [ -n "${!name:-}" ] || export "$name=${BASH_REMATCH[2]}"
done < scripts/platform-env
# shellcheck disable=SC2046
exec node $(cat scripts/platform-node-args)
