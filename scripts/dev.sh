#!/usr/bin/env bash
# The live demo in one command: installs what is missing, builds the worker, the engine package, the
# page and the CLI, starts `wrangler dev` on local workerd serving page + API + sockets, creates a match
# and plays it live, and prints the URL to open (with a dev token, so the bet slip works).
#
#   bash scripts/dev.sh                      # a match drawn from the engine's model, at 20x
#   bash scripts/dev.sh --replay [FILE]      # a real StatsBomb match (default: Barcelona v Girona)
#   bash scripts/dev.sh --speed 5 --seed 3   # slower, another match
#   bash scripts/dev.sh --serve              # just the server (no match), like `npm run dev`
#
# PORT (default 8787) picks the port. State persists in .wrangler/state. Ctrl-C stops everything.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PORT="${PORT:-8787}"
MODE=simulate
SPEED=20
SEED="$(( $(date +%s) % 1000 ))"
REPLAY_FILE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --replay) MODE=replay
      if [ $# -gt 1 ] && [ "${2#--}" = "$2" ]; then REPLAY_FILE="$2"; shift; fi ;;
    --speed) SPEED="$2"; shift ;;
    --seed) SEED="$2"; shift ;;
    --serve) MODE=serve ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "dev.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$MODE" = replay ] && [ -z "$REPLAY_FILE" ]; then
  # The shared data sits beside the repository (../shared); a path of its own is passed with --replay.
  for d in "$ROOT/../shared/data/football/statsbomb"; do
    [ -f "$d/barcelona_girona_events.json" ] && REPLAY_FILE="$d/barcelona_girona_events.json" && break
  done
  [ -n "$REPLAY_FILE" ] || { echo "dev.sh: no StatsBomb file found; pass one: --replay FILE" >&2; exit 2; }
fi

step() { printf '\n== %s\n' "$*"; }
step "setup (installs only what is missing)"
bash scripts/setup.sh
step "build: worker";            bash scripts/build-worker.sh
if [ -d www ]; then
  step "build: engine package";  npm run build -w @inplay/engine --silent
  step "build: page";            npm run build -w www --silent
fi
mkdir -p www/dist
step "build: inplay CLI";        cargo build -p inplay-cli --quiet
INPLAY="$ROOT/target/debug/inplay"

# wrangler dev in its own process group, so Ctrl-C (or any exit) stops wrangler and workerd together.
export WRANGLER_SEND_METRICS=false INPLAY_EDGE_PREBUILT=1
LOG="$ROOT/.wrangler/dev.log"
mkdir -p "$ROOT/.wrangler"
setsid node_modules/.bin/wrangler dev --ip 127.0.0.1 --port "$PORT" --persist-to .wrangler/state \
  --show-interactive-dev-session=false > "$LOG" 2>&1 &
WRANGLER=$!
FEED=""
cleanup() {
  trap - INT TERM EXIT
  [ -n "$FEED" ] && kill "$FEED" 2>/dev/null || true
  kill -TERM -- "-$WRANGLER" 2>/dev/null || true
  sleep 1
  kill -KILL -- "-$WRANGLER" 2>/dev/null || true
  echo; echo "dev.sh: stopped"
}
# On Ctrl-C stop there, not go on to the full-time summary of a match cut short.
trap cleanup EXIT
trap 'exit 130' INT TERM

URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 300); do
  curl -fsS "$URL/healthz" >/dev/null 2>&1 && break
  kill -0 "$WRANGLER" 2>/dev/null || { echo "dev.sh: wrangler dev exited; log:" >&2; tail -30 "$LOG" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$URL/healthz" >/dev/null || { echo "dev.sh: wrangler dev did not answer; see $LOG" >&2; exit 1; }

TOKEN="$("$INPLAY" token --user demo --ttl 86400)"
EVENT="m$(date +%H%M%S)"
if [ "$MODE" = serve ]; then
  printf '\nServer on %s (log %s)\nOpen: %s/?token=%s#/\nCtrl-C stops it.\n' "$URL" "$LOG" "$URL" "$TOKEN"
  wait "$WRANGLER"
  exit 0
fi

printf '\n== Open this while the match plays (dev token for user "demo" included):\n\n   %s/?token=%s#/match/%s\n\n' "$URL" "$TOKEN" "$EVENT"
if [ "$MODE" = replay ]; then
  "$INPLAY" replay --statsbomb "$REPLAY_FILE" --url "$URL" --event "$EVENT" --create --speed "$SPEED" --lead-in 15 &
else
  "$INPLAY" simulate --url "$URL" --event "$EVENT" --create --speed "$SPEED" --seed "$SEED" --lead-in 15 &
fi
FEED=$!
wait "$FEED" || true
FEED=""
printf '\n== Full time. The audit log replays to the hub'"'"'s hash:\n'
"$INPLAY" replay --url "$URL" --log-event "$EVENT" || true
printf '\nThe server keeps running (%s/?token=%s#/match/%s); Ctrl-C stops it.\n' "$URL" "$TOKEN" "$EVENT"
wait "$WRANGLER"
