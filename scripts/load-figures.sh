#!/usr/bin/env bash
# Produces every figure of docs/harness.md on this machine: the peak-moment run against a bare
# broadcast baseline, the same with two fan-out levels, the HTTP-bets comparison, the five fault
# runs, the hub's bet ceiling and the relays' broadcast cost against the bare server. Loopback
# only; each run starts its own wrangler dev (isolated copy of the built worker) and stops it.
# ~40 minutes on 2 cores. Take figures on a quiet machine: everything shares the same cores.
#
#   bash scripts/load-figures.sh            # everything, JSON reports in artifacts/harness/
#   bash scripts/load-figures.sh peak       # one run: peak | levels2 | http | restart | primary-down |
#                                           #   both-down | garbage | relay-fault | hub | broadcast
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/artifacts/harness"
mkdir -p "$OUT"

bash scripts/setup.sh >/dev/null
[ -f edge/build/index_bg.wasm ] || bash scripts/build-worker.sh
# The tool must not be the bottleneck: full optimisation (profile.harness in Cargo.toml).
cargo build -p inplay-cli --profile harness --quiet
INPLAY="$ROOT/target/harness/inplay"

run() {
  local name="$1"; shift
  echo; echo "== $name: inplay load $*"
  "$INPLAY" load "$@" --json "$OUT/$name.json" 2> "$OUT/$name.log" | tee "$OUT/$name.txt"
}
bench() {
  local name="$1"; shift
  echo; echo "== $name: inplay bench $*"
  "$INPLAY" bench "$@" --json "$OUT/$name.json" 2> "$OUT/$name.log" | tee "$OUT/$name.txt"
}

want="${1:-all}"
pick() { [ "$want" = all ] || [ "$want" = "$1" ]; }

# The peak moment: 5,000 sockets (past wrangler's dev proxy, which runs out of file descriptors near
# 3,300), 10,000 bets on the bettors' sockets within 10 s of the first reopen, and the bare baseline.
pick peak && run peak --direct --baseline --sockets 5000 --bettors 1000 --bets 10000 --bet-window 10 --speed 30
# The same with the production fan-out: hub -> one upstream relay per region -> the leaves.
pick levels2 && run levels2 --direct --baseline --levels 2 --sockets 5000 --bettors 1000 --bets 10000 --bet-window 10 --speed 30
# The same burst as one HTTP request per bet, for the comparison.
pick http && run http --direct --sockets 2000 --bettors 1000 --bets 10000 --bet-window 10 --speed 30 --bets-via http --bet-concurrency 128
# Faults (through wrangler's proxy, as a developer's browser would connect).
# The restart run bets over HTTP: those requests retry with the same Idempotency-Key across the outage.
pick restart && run restart --fault restart --sockets 1000 --bettors 500 --bets 2000 --bet-window 10 --speed 60 --bets-via http
pick primary-down && run primary-down --fault primary-down --sockets 1000 --bettors 500 --bets 2000 --speed 60
pick both-down && run both-down --fault both-down --sockets 1000 --bettors 500 --bets 2000 --speed 60
pick garbage && run garbage --fault garbage --sockets 1000 --bettors 500 --bets 2000 --speed 60
# One relay throws on every update for 8 s from just before the first goal: 0 lost, all at the head.
pick relay-fault && run relay-fault --fault relay --fault-ms 8000 --sockets 1000 --bettors 500 --bets 2000 --speed 60
# The hub alone: relay-shaped batches of 0/1/16/64/256 bets, 1/2/4 in flight, 5 s each, a fresh match each.
pick hub && bench hub hub --direct --batch-sizes 1,16,64,256 --in-flight 1,2,4 --seconds 5
# One update to 5,000 sockets: relays (4 regions x 2 shards, then one relay) vs the bare server.
pick broadcast && bench broadcast broadcast --direct --sockets 5000 --updates 20 --interval-ms 1000
echo; echo "reports in $OUT"
