// Restart figure on local workerd: a hub whose log holds N entries (every one a bet, so the checkpoint
// carries N bets), then workerd stopped and started on the same storage; the figure is the time from
// the restarted worker answering /healthz to the hub answering its first request (which loads the
// latest checkpoint and replays the tail). The fill stops where the tail is longest (just before the
// next checkpoint after N entries), so the figure is the worst case for that size. Baseline in the
// same run: the same first request to a hub whose log holds one entry, so workerd's own cold start of
// a Durable Object is not counted as ours.
//   node edge/tests/bench-restart.mjs [entries=100000] [batch=500]
// (Build first: bash scripts/build-worker.sh.) Loopback only. Prints one JSON line at the end.
import { Api, DevServer, testVars } from './harness.mjs';

const entries = Number(process.argv[2] ?? 100_000);
const batchSize = Number(process.argv[3] ?? 500);
const CHECKPOINT_EVERY = 1_000;
const vars = testVars({
  ALLOW_TEST_ROUTES: '1',
  BET_RATE_BURST: '1000000',
  BET_RATE_PER_SEC: '1000000',
  FEED_STALE_MS: '3600000',
  HEARTBEAT_MS: '60000',
  CHECKPOINT_EVERY: String(CHECKPOINT_EVERY),
});

function opening(eventId) {
  return {
    event_id: eventId,
    fixture: { home: 'A', away: 'B', kickoff_ms: Date.now() },
    params: { home_xg: 1.5, away_xg: 1.2 },
    trading: { bet_delay_ms: 0, max_stake: 1_000_000, max_selection_liability: 1e12, max_market_liability: 1e12 },
    config: { stale_after_ms: 3_600_000 },
  };
}

async function must(r, status = 200) {
  if (r.status !== status) throw new Error(`${r.status} ${r.text}`);
  return r.json;
}

/** The first request that needs the hub's state: the last log entry. */
async function firstAnswer(api, eventId) {
  const t = performance.now();
  const r = await api.request('GET', `/v1/events/${eventId}/log?tail=1`, { headers: api.admin(), raw: true });
  if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
  return { ms: performance.now() - t, head: r.headers.get('x-inplay-audit-head') };
}

let server = await new DevServer({ vars }).start();
let api = new Api(server);
try {
  await must(await api.request('POST', '/v1/events', { body: opening('big'), headers: api.admin() }), 201);
  await must(await api.request('POST', '/v1/events', { body: opening('small'), headers: api.admin() }), 201);
  const e = await must(await api.request('GET', '/v1/events/big'));
  const selection = e.prices.markets.find((m) => m.key === '1x2').selections.find((s) => s.key === 'home');
  // The hub's checkpoint policy (edge/src/hub/mod.rs, checkpoint_interval), mirrored to find where
  // the tail is longest; the count of checkpoints is checked against the hub's own counter below.
  const interval = (bets) => Math.max(CHECKPOINT_EVERY, Math.floor(bets / 8));
  const plan = [];
  let checkpoints = 0;
  let since = 0;
  for (let total = 0; ;) {
    const n = Math.min(batchSize, entries > total ? entries - total : batchSize);
    const due = since + n >= interval(total + n);
    if (total >= entries && due) break; // this batch would checkpoint: stop before it
    plan.push(n);
    total += n;
    since = due ? 0 : since + n;
    if (due) checkpoints += 1;
  }
  const t0 = performance.now();
  let placed = 0;
  let accepted = 0;
  for (const n of plan) {
    const bets = [];
    for (let i = 0; i < n; i++) {
      const k = placed + i;
      bets.push({
        user: `u${k % 10_000}`,
        key: `k${k}`,
        bet: { market: '1x2', selection: 'home', stake: 100, price: selection.odds, seen_version: e.version, policy: 'any' },
      });
    }
    const answer = await must(await api.request('POST', '/v1/events/big/bets/batch', { body: { bets }, headers: api.admin() }));
    accepted += answer.results.filter((x) => x.Ok?.decision?.status === 'accepted').length;
    placed += n;
  }
  const fillS = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 500)); // the hub's counters reach the catalog
  const metrics = await api.request('GET', '/metrics', { headers: api.admin(), raw: true });
  const counted = Number(metrics.text.match(/^inplay_hub_checkpoints_total\{event="big"\} (\d+)/m)?.[1] ?? 0);
  if (counted !== checkpoints) throw new Error(`the hub wrote ${counted} checkpoints, the mirror of its policy ${checkpoints}`);
  const before = await firstAnswer(api, 'big');
  const beforeSmall = await firstAnswer(api, 'small');
  console.error(`filled ${placed} bets (${accepted} accepted) in ${fillS.toFixed(1)} s`);

  await server.stop();
  server = await new DevServer({ vars, persistDir: server.persistDir }).start();
  api = new Api(server);
  // Baseline first: a fresh Durable Object with a one-entry log.
  const small = await firstAnswer(api, 'small');
  const big = await firstAnswer(api, 'big');
  const again = await firstAnswer(api, 'big');
  if (big.head !== before.head) throw new Error(`the log head changed over the restart: ${before.head} -> ${big.head}`);
  if (small.head !== beforeSmall.head) throw new Error('the small log changed over the restart');
  const figure = {
    entries: placed + 1,
    tail: since,
    accepted,
    fill_s: Number(fillS.toFixed(1)),
    fill_bets_per_s: Math.round(placed / fillS),
    first_answer_ms: Math.round(big.ms),
    baseline_first_answer_ms: Math.round(small.ms),
    warm_answer_ms: Math.round(again.ms),
    workerd_start_ms: server.startupMs,
  };
  console.log(JSON.stringify(figure));
} finally {
  await server.stop();
  server.cleanup();
}
