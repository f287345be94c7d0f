#!/usr/bin/env bash
# Installs what building and testing the edge worker needs, and only what is missing (idempotent):
#   - the wasm32-unknown-unknown Rust target,
#   - worker-build (its minor version must equal the `worker` crate's),
#   - wasm-bindgen-cli (must equal the wasm-bindgen crate in Cargo.lock exactly),
#   - node_modules (npm ci: wrangler, binaryen's wasm-opt, esbuild, ws),
#   - .dev.vars with random local secrets,
#   - Debian's chromium for the page's end-to-end tests.
# From source, worker-build takes ~15 min and wasm-bindgen-cli ~5-9 min on 2 cores: once per machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# rust-toolchain.toml pins 1.95.0. A machine whose rustup only knows it as `stable` gets a link rather
# than a download (no toolchain can be fetched here).
if ! rustup toolchain list | grep -q '^1\.95\.0'; then
  if rustc +stable --version 2>/dev/null | grep -q '^rustc 1\.95\.0 '; then
    echo "setup: linking toolchain 1.95.0 to the installed stable 1.95.0"
    rustup toolchain link 1.95.0 "$(rustc +stable --print sysroot)"
  fi
fi

lock_version() { awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock; }
WORKER_VERSION="$(lock_version worker)"
BINDGEN_VERSION="$(lock_version wasm-bindgen)"
[ -n "$WORKER_VERSION" ] && [ -n "$BINDGEN_VERSION" ] || { echo "setup: Cargo.lock lacks worker/wasm-bindgen" >&2; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

have_worker_build="$(worker-build --version 2>/dev/null || true)"
if [ "$have_worker_build" != "$WORKER_VERSION" ]; then
  echo "setup: installing worker-build $WORKER_VERSION (was: ${have_worker_build:-none}); this takes a while"
  cargo install worker-build --version "$WORKER_VERSION" --locked --force
fi

have_bindgen="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_bindgen" != "$BINDGEN_VERSION" ]; then
  # Not --locked: its lockfile pins a webpki-roots version the registry no longer serves.
  echo "setup: installing wasm-bindgen-cli $BINDGEN_VERSION (was: ${have_bindgen:-none}); this takes a while"
  cargo install wasm-bindgen-cli --version "$BINDGEN_VERSION" --force
fi

# npm ci only when node_modules was not installed from this exact lockfile.
lock_sha="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.inplay-lock-sha 2>/dev/null || true)" != "$lock_sha" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_sha" > node_modules/.inplay-lock-sha
fi

if [ -z "${CHROMIUM_BIN:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium (the page's end-to-end tests drive it headless)"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi

bash scripts/dev-vars.sh
echo "setup: ok (rust target, worker-build $WORKER_VERSION, wasm-bindgen $BINDGEN_VERSION, node_modules, .dev.vars, chromium)"
