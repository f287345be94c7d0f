#!/usr/bin/env bash
# Installs whatever is missing, then runs every test: formatting and lints, the native engine and CLI
# tests, the npm package against its built wasm in Node, the worker end to end on local workerd, and
# the page in real Chromium. This is the README's second command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }
step "rustfmt";                  cargo fmt --all -- --check
step "clippy (warnings denied)"; cargo clippy --workspace --all-targets -- -D warnings
# The npm package's `live` build leaves engine/wasm's default `tools` feature out: lint that too.
cargo clippy -p inplay-wasm --no-default-features --all-targets -- -D warnings
# The Durable Objects and the Worker's handlers compile for wasm32 only: lint them there.
cargo clippy -p inplay-edge --target wasm32-unknown-unknown -- -D warnings
step "engine and CLI";           cargo test --workspace
step "npm package @inplay/engine (built wasm, in Node)"
npm run build -w @inplay/engine
npm run typecheck -w @inplay/engine
npm test -w @inplay/engine
# The worker serves www/dist as static assets: wrangler will not start before the page is built.
step "page build";                                           npm run build -w www
step "edge worker end to end (wrangler dev, local workerd)"; npm run test:edge
step "page: unit, then Chromium end to end";                 npm test -w www
