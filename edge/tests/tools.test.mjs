// Smoke test of the feed and load tools (the `inplay` CLI) against the real worker on local workerd:
// a simulated match played by two signed sources, its audit log replayed to the hub's hash, a dev
// token the worker accepts, a short load run with no update lost and no bet unanswered, the same
// with one relay failing and with two fan-out levels, and tiny runs of the two benches.
// Short by design (matches at 300-600x, a few dozen sockets, benches of a second); the real
// figures come from `scripts/load-figures.sh` (docs/harness.md). The runs with their own server
// (no --url) start a wrangler dev with the knobs they need (ALLOW_TEST_ROUTES, FANOUT_LEVELS).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Api, DevServer, ROOT, testVars } from './harness.mjs';

const BIN = join(ROOT, 'target', 'debug', 'inplay');
let server;
let api;
let env;

function inplay(args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(BIN, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

before(async () => {
  // Always: a no-op when the binary is fresh, and a stale one would test old flags.
  execFileSync('cargo', ['build', '-p', 'inplay-cli', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  server = await new DevServer({ vars: testVars({ RELAY_SHARDS: '2', FEED_STALE_MS: '10000' }) }).start();
  api = new Api(server);
  // The tools read secrets from the environment first (then .dev.vars).
  env = { ...process.env, ...server.vars };
});

after(async () => {
  await server?.stop();
  server?.cleanup();
});

test('inplay simulate plays a whole match from two sources, and the log replays to the hub hash', async () => {
  const { stdout } = await inplay(['simulate', '--url', api.base, '--event', 'tool1', '--create', '--speed', '600', '--lead-in', '1', '--seed', '7', '--quiet']);
  assert.match(stdout, /primary: \d+ accepted/);
  assert.match(stdout, /backup: \d+ accepted/);
  assert.doesNotMatch(stdout, /error:/);
  const ev = await api.request('GET', '/v1/events/tool1');
  assert.equal(ev.json.snapshot.image.state.period, 'full_time');
  const replay = await inplay(['replay', '--url', api.base, '--log-event', 'tool1']);
  assert.match(replay.stdout, /final hash [0-9a-f]{64}/);
  assert.match(replay.stdout, /matches the hub's audit head and version/);
});

test('the admin log export needs the admin token', async () => {
  const r = await api.request('GET', '/v1/events/tool1/log');
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, 'admin_required');
});

test('inplay token mints a token the worker accepts', async () => {
  const { stdout } = await inplay(['token', '--user', 'bob', '--ttl', '60']);
  const token = stdout.trim();
  assert.match(token, /^bob\.\d+\.k1\.[0-9a-f]{64}$/); // user.expiry.key id.signature
  const r = await api.request('GET', '/v1/bets/tool1.0123456789abcdef', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 404); // authenticated; the bet just does not exist
  assert.equal(r.json.error.code, 'bet_not_found');
});

test('inplay load: a short run loses no update and answers every bet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inplay-load-'));
  try {
    const out = join(dir, 'load.json');
    await inplay(['load', '--url', api.base, '--sockets', '30', '--bettors', '10', '--bets', '60', '--bet-window', '2',
      '--speed', '300', '--json', out], { timeoutMs: 150_000 });
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.lost, 0);
    assert.equal(report.out_of_order, 0);
    assert.equal(report.bets.sent, 60);
    assert.equal(report.bets.unanswered, 0);
    assert.equal(report.bets.order_inversions, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs `inplay …args --json <tmp>` and returns the JSON report. */
async function report(args, timeoutMs = 150_000) {
  const dir = mkdtempSync(join(tmpdir(), 'inplay-tool-'));
  try {
    const out = join(dir, 'report.json');
    await inplay([...args, '--json', out], { timeoutMs });
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('inplay load --fault relay: a relay that fails mid-match loses no update, every socket ends at the head', async () => {
  // No bets (--bursts 0): at 600x a burst may find the match over; the plain run above covers bets.
  const r = await report(['load', '--sockets', '30', '--bursts', '0', '--speed', '600', '--fault', 'relay', '--fault-ms', '3000']);
  const f = r.relay_fault;
  assert.equal(typeof f.fault.from_ms, 'number', `fault not injected: ${f.fault.error}`);
  assert.match(f.fault.relay, /^[a-z]+\/\d+$/);
  assert.ok(f.recovery.sockets > 0, 'the failed relay served sockets');
  assert.equal(f.recovery.never_back, 0);
  assert.equal(r.lost, 0);
  assert.equal(r.out_of_order, 0);
  assert.equal(r.at_head, 31); // 30 sockets and the observer
});

test('inplay load --levels 2: hub -> one relay per region -> leaves, nothing lost', async () => {
  // A client's shard is a hash under the run's random TOKEN_SECRET: 20 sockets a region leave a
  // shard empty with odds of 2^-19, where 7 or 8 (30 sockets) did about one run in 25.
  const r = await report(['load', '--sockets', '80', '--bursts', '0', '--speed', '600', '--levels', '2']);
  assert.equal(r.levels, 2);
  assert.equal(r.hub_relays, 4); // the four regions' upstream relays, not the eight leaves
  assert.equal(Object.keys(r.relays).length, 8);
  assert.equal(r.lost, 0);
  assert.equal(r.at_head, 81);
});

test('inplay bench hub: relay-shaped batches are decided, none refused, and a cost per bet comes out', async () => {
  const r = await report(['bench', 'hub', '--batch-sizes', '8', '--in-flight', '1', '--seconds', '0.5']);
  assert.deepEqual(r.runs.map((x) => x.batch), [0, 8]);
  for (const run of r.runs) {
    assert.deepEqual(run.failed, {});
    assert.deepEqual(run.refused, {});
    assert.ok(run.requests > 0);
  }
  assert.ok(r.runs[1].decided >= 8);
  assert.deepEqual(Object.keys(r.runs[1].decisions), ['accepted']);
  assert.equal(r.costs.length, 1);
});

test('inplay bench broadcast: spaced updates reach every socket, on the relays and on the bare server', async () => {
  const r = await report(['bench', 'broadcast', '--sockets', '20', '--updates', '3', '--interval-ms', '200',
    '--regions', 'weur,enam', '--shards', '1', '--shapes', 'spread']);
  assert.deepEqual(r.figures.map((f) => [f.shape, f.sockets, f.updates, f.lost]),
    [['bare broadcast', 20, 3, 0], ['2 regions × 1 shards', 20, 3, 0]]);
  assert.equal(r.figures[1].relays, 2);
  assert.equal(typeof r.ratio_p50_per_socket['2 regions × 1 shards'], 'number');
});
