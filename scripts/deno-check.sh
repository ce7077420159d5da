#!/usr/bin/env bash
# core/ and plugins/ must stay Deno-compatible: type-check every runtime module there with
# Deno. Tests and test support (anything importing vitest) run on Node only.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find core plugins -name '*.ts' ! -name '*.test.ts' 2>/dev/null \
  | xargs grep -L -E 'from "(@effect/)?vitest"' | sort)
[ ${#files[@]} -gt 0 ] || { echo "deno check: no modules under core/ or plugins/" >&2; exit 1; }
exec node_modules/.bin/deno check --quiet --config deno.json "${files[@]}"
