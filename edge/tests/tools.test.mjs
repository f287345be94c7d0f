// Smoke test of the feed and load tools (the `inplay` CLI) against the real worker on local workerd:
// a simulated match played by two signed sources, its audit log replayed to the hub's hash, a dev
// token the worker accepts, and a short load run with no update lost and no bet unanswered.
// Short by design (a match at 600x, 30 sockets); the real figures come from `inplay load` (docs/harness.md).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  if (!existsSync(BIN)) execFileSync('cargo', ['build', '-p', 'inplay-cli', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
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
  assert.match(token, /^bob\.\d+\.[0-9a-f]{64}$/);
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
