#!/usr/bin/env bash
# Runs the edge worker on local workerd: http://127.0.0.1:${PORT:-8787}. State persists in .wrangler/state.
# wrangler runs scripts/build-worker.sh first (and again when edge/src or engine/src change).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
export WRANGLER_SEND_METRICS=false
exec node_modules/.bin/wrangler dev --ip 127.0.0.1 --port "${PORT:-8787}" --persist-to .wrangler/state "$@"
