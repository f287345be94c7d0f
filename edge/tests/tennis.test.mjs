// A tennis match through the real worker on local workerd: opened with `"sport":"tennis"`, priced by
// the Worker, points standing once both sources report them, bets settled as their game and set end,
// a retirement that one source alone cannot decide, the rest void; the desk shows the match, football's
// actions answer 409 `football_only`, and the hub's log and the bettor's socket agree with the match.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { Api, Client, DevServer, TennisFeed, testVars, until } from './harness.mjs';

let server;
let api;

async function match(id) {
  const r = await api.request('GET', `/v1/events/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function bet(id, user, key, market, selection) {
  const e = await match(id);
  const price = e.prices.markets.find((m) => m.key === market).selections.find((s) => s.key === selection).odds;
  const body = { market, selection, stake: 1000, price, seen_version: e.version, policy: 'any' };
  const r = await api.request('POST', `/v1/events/${id}/bets`, {
    body,
    headers: { authorization: `Bearer ${api.token(user)}`, 'idempotency-key': key },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'accepted', r.text);
  return r.json.bet_id;
}

async function settlement(betId, user) {
  const r = await api.request('GET', `/v1/bets/${betId}`, { headers: { authorization: `Bearer ${api.token(user)}` } });
  assert.equal(r.status, 200, r.text);
  return r.json.settlement;
}

before(async () => {
  server = await new DevServer({ vars: testVars() }).start();
  api = new Api(server);
});

after(async () => {
  await server?.stop();
  server?.cleanup();
});

test('a tennis match: points from both sources, bets settled by game and set, a retirement', async () => {
  const opening = {
    event_id: 't1',
    sport: 'tennis',
    fixture: { home: 'Sinner', away: 'Alcaraz', kickoff_ms: Date.now() },
    params: { serve_a: 0.66, serve_b: 0.63, best_of: 3 },
    trading: { bet_delay_ms: 0 },
    config: { confirm_window_ms: 300, stale_after_ms: 600_000 },
  };
  const created = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.snapshot.image.sport, 'tennis');
  // The same match cannot be opened twice; a tennis opening with football's parameters is refused.
  const bad = await api.request('POST', '/v1/events', { body: { ...opening, event_id: 't2', params: { home_xg: 1.5, away_xg: 1.1 } }, headers: api.admin() });
  assert.equal(bad.status, 400, bad.text);

  const feed = new TennisFeed(api, 't1');
  await feed.send('primary', 'match_start', { server: 'a' });
  await feed.send('backup', 'match_start', { server: 'a' });
  let e = await match('t1');
  assert.deepEqual(e.snapshot.image.games, [0, 0]);
  assert.equal(e.snapshot.image.server, 'a');
  const keys = e.prices.markets.map((m) => m.key);
  for (const k of ['match_winner', 'set_winner', 'game_winner', 'next_set_winner']) assert.ok(keys.includes(k), `${k} in ${keys}`);

  const onMatch = await bet('t1', 'ann', 'k-match', 'match_winner', 'a');
  const onGame = await bet('t1', 'ann', 'k-game', 'game_winner', 'b');
  const onSet = await bet('t1', 'ann', 'k-set', 'set_winner', 'a');

  // One source's point waits for the other: nothing moves until the second report.
  const [first] = await feed.point('a', ['primary']);
  assert.equal(first.result, 'accepted');
  assert.deepEqual((await match('t1')).snapshot.image.points, [0, 0]);
  await feed.send('backup', 'point', { point: 1, winner: 'a', server: 'a' });
  await until(async () => (await match('t1')).snapshot.image.points[0] === 1, { what: 'the point stands' });

  // A holds: the game bet on B loses when the game ends, the serve passes.
  for (let i = 0; i < 3; i++) await feed.point('a');
  e = await match('t1');
  assert.deepEqual(e.snapshot.image.games, [1, 0]);
  assert.equal(e.snapshot.image.server, 'b');
  assert.equal((await settlement(onGame, 'ann'))?.result, 'lost');
  assert.equal(await settlement(onSet, 'ann'), null);

  // A takes the first set 6-0; the set bet wins then, the match bet is still open.
  while ((await match('t1')).snapshot.image.sets.length === 0) await feed.point('a');
  const set1 = await settlement(onSet, 'ann');
  assert.equal(set1.result, 'won');
  assert.equal(set1.payout > 1000, true);
  assert.equal(await settlement(onMatch, 'ann'), null);

  // A bettor's socket follows the match.
  const client = await Client.open(api, 't1', { format: 'json' });

  // B retires, said by one source: suspended, nothing settles, even after its window.
  const lone = await feed.send('primary', 'retirement', { player: 'b' });
  assert.equal(lone.result, 'accepted');
  await until(async () => (await match('t1')).snapshot.image.suspensions.some((s) => s.reason === 'retirement'), { what: 'suspended' });
  await new Promise((r) => setTimeout(r, 600));
  e = await match('t1');
  assert.equal(e.snapshot.image.phase, 'in_play');
  assert.equal(await settlement(onMatch, 'ann'), null);
  await feed.send('backup', 'retirement', { player: 'b' });
  e = await match('t1');
  assert.deepEqual(e.snapshot.image.phase, { retired: { player: 'b' } });
  const voided = await settlement(onMatch, 'ann');
  assert.equal(voided.result, 'void');
  assert.equal(voided.payout, 1000);
  assert.equal((await settlement(onSet, 'ann')).result, 'won', 'a decided set stands');
  await until(() => client.frames.some((f) => JSON.stringify(f).includes('retired')), { what: 'the retirement on the socket' });
  client.ws.close();

  // The desk follows the match to its end; football's actions are refused.
  const ws = new WebSocket(`${api.base.replace('http', 'ws')}/v1/events/t1/desk`, ['inplay.v1', `bearer.${api.vars.ADMIN_TOKEN}`]);
  const view = await new Promise((resolve, reject) => {
    ws.once('message', (d) => resolve(JSON.parse(d.toString())));
    ws.once('error', reject);
  });
  ws.close();
  assert.equal(view.sport.sport, 'tennis');
  assert.deepEqual(view.sport.score.phase, { retired: { player: 'b' } });
  assert.deepEqual(view.sport.outcomes, [], 'nothing left to decide');
  const xg = await api.request('POST', '/v1/events/t1/expected-goals', { body: { home_xg: 2 }, headers: api.admin() });
  assert.equal(xg.status, 409, xg.text);
  assert.equal(xg.json.error.code, 'football_only');

  // The hub's log holds every point and the retirement, and its head is the one it reports.
  const log = await api.request('GET', '/v1/events/t1/log', { headers: api.admin(), raw: true });
  assert.equal(log.status, 200);
  const lines = log.text.trim().split('\n');
  assert.equal(lines.filter((l) => l.includes('"kind":{"Point"')).length, 2 * feed.points, `${lines.length} entries`);
  assert.ok(lines.some((l) => l.includes('"kind":{"Retirement"')));
  assert.equal(Buffer.from(JSON.parse(lines.at(-1)).hash).toString('hex'), log.headers.get('x-inplay-audit-head'));
});
