#!/usr/bin/env bash
# Builds the edge worker (edge/ → edge/build/worker/shim.mjs + index_bg.wasm) without touching the network:
# worker-build would otherwise download wasm-bindgen and binaryen from GitHub. This script only checks the
# tools that scripts/setup.sh installs and fails fast with the command that installs a missing one.
# wrangler's [build] step runs it; run it by hand with `npm run build:edge`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() { echo "build-worker: $*" >&2; exit 1; }

# The e2e tests build once up front, then start wrangler dev several times: skip the rebuild there.
if [ "${INPLAY_EDGE_PREBUILT:-}" = "1" ] && [ -f edge/build/index.js ] && [ -f edge/build/index_bg.wasm ]; then
  echo "build-worker: INPLAY_EDGE_PREBUILT=1, using edge/build as is"
  exit 0
fi

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock exactly.
want_bindgen="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
[ -n "$want_bindgen" ] || die "no wasm-bindgen in Cargo.lock"
bindgen="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen || true)}"
[ -n "$bindgen" ] || die "wasm-bindgen missing: cargo install wasm-bindgen-cli --version $want_bindgen"
have_bindgen="$("$bindgen" --version | awk '{print $2}')"
[ "$have_bindgen" = "$want_bindgen" ] \
  || die "wasm-bindgen $have_bindgen but Cargo.lock has $want_bindgen: cargo install wasm-bindgen-cli --version $want_bindgen --force"

# worker-build's minor version must equal the worker crate's.
want_worker="$(awk '/^name = "worker"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
command -v worker-build >/dev/null || die "worker-build missing: cargo install worker-build --version $want_worker --locked"
have_worker="$(worker-build --version)"
[ "${have_worker%.*}" = "${want_worker%.*}" ] \
  || die "worker-build $have_worker does not match worker $want_worker: cargo install worker-build --version $want_worker --locked --force"

[ -x node_modules/.bin/wasm-opt ] || die "node_modules missing: npm ci"
[ -x node_modules/.bin/esbuild ] || die "node_modules missing: npm ci"

export WASM_BINDGEN_BIN="$bindgen"
export WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$ROOT/node_modules/.bin/esbuild"

start=$(date +%s)
(cd edge && worker-build --release)
secs=$(( $(date +%s) - start ))

wasm="edge/build/index_bg.wasm"
[ -f "$wasm" ] || die "worker-build produced no $wasm"
# worker-build keeps the function-names section (for readable stack traces): ~200 KB raw, ~50 KB
# gzip of the Worker's size budget. Drop it unless INPLAY_WORKER_NAMES=1 (a debugging build).
if [ "${INPLAY_WORKER_NAMES:-}" != "1" ]; then
  features="--enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory --enable-multivalue --enable-reference-types --enable-exception-handling"
  # shellcheck disable=SC2086
  "$WASM_OPT_BIN" $features --strip-debug --strip-producers "$wasm" -o "$wasm.stripped" \
    && mv "$wasm.stripped" "$wasm" || die "wasm-opt could not strip $wasm"
fi
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
awk -v f="$wasm" -v r="$raw" -v g="$gz" -v s="$secs" 'BEGIN {
  printf "build-worker: %s raw %d B (%.1f KiB), gzip -9 %d B (%.1f KiB), built in %d s\n", f, r, r/1024, g, g/1024, s }'
