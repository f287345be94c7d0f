// The trading desk's socket and actions on the real worker: a view pushed on every change, alerts
// with the time they started, and every action an audited input (it shows in the log). A football
// match and a tennis match: each view carries its sport's own part, and each sport's own actions
// are refused for the other.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { Api, DevServer, Feed, TennisFeed, testVars, until } from './harness.mjs';

let server;
let api;
let feed;

before(async () => {
  server = await new DevServer({ vars: testVars({ ALERT_SILENT_MS: '1500' }) }).start();
  api = new Api(server);
  const opening = {
    event_id: 'd1',
    fixture: { home: 'Home', away: 'Away', kickoff_ms: Date.now() },
    params: { home_xg: 1.5, away_xg: 1.1 },
    trading: { bet_delay_ms: 0, max_selection_liability: 50_000 },
    config: { stale_after_ms: 120_000, confirm_window_ms: 500 },
  };
  const r = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
  assert.equal(r.status, 201, r.text);
  feed = new Feed(api, 'd1');
  await feed.both('kickoff');
});

after(async () => {
  await server?.stop();
  server?.cleanup();
});

/** The desk socket of a match: every view it pushes. */
async function desk(id = 'd1') {
  const views = [];
  const ws = new WebSocket(`${api.base.replace('http', 'ws')}/v1/events/${id}/desk`, ['inplay.v1', `bearer.${api.vars.ADMIN_TOKEN}`]);
  ws.on('message', (d) => views.push({ at: Date.now(), view: JSON.parse(d.toString()) }));
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return { ws, views, last: () => views.at(-1)?.view };
}

test('the desk needs the admin token', async () => {
  const ws = new WebSocket(`${api.base.replace('http', 'ws')}/v1/events/d1/desk`, ['inplay.v1', `bearer.${api.token('someone')}`]);
  const status = await new Promise((resolve) => ws.once('unexpected-response', (_q, res) => resolve(res.statusCode)));
  assert.equal(status, 403);
});

test('a discrepancy raised by two feeds, seen on the desk and resolved from it', async () => {
  const d = await desk();
  await until(() => d.last(), { what: 'first view' });
  assert.equal(d.last().event_id, 'd1');
  assert.equal(d.last().sources.length, 2);
  // The backup says 0-1, the primary 0-0: past the window the sources disagree.
  for (let i = 0; i < 4; i++) {
    await feed.one('primary', 'heartbeat', { score: { home: 0, away: 0 } });
    await feed.one('backup', 'heartbeat', { score: { home: 0, away: 1 } });
    await new Promise((r) => setTimeout(r, 300));
  }
  const alert = await until(() => d.last()?.alerts.find((a) => a.kind === 'source_discrepancy'), { what: 'discrepancy alert' });
  assert.ok(alert.since_ms > 0);
  assert.ok(d.last().suspensions.some((s) => s.reason === 'source_discrepancy'));
  // The trader believes the backup: its score stands, the markets reopen after the cool-off.
  const r = await api.request('POST', '/v1/events/d1/confirm', { body: { source: 'backup' }, headers: api.admin() });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.applied, true);
  await until(() => !d.last()?.alerts.some((a) => a.kind === 'source_discrepancy'), { what: 'alert cleared' });
  assert.equal(d.last().sport.sport, 'football');
  assert.deepEqual(d.last().sport.score, { home: 0, away: 1 });
  const log = await api.request('GET', '/v1/events/d1/log?tail=5', { headers: api.admin(), raw: true });
  assert.ok(log.text.split('\n').some((l) => l.includes('"confirm_source"')), 'the action is in the audit log');
  d.ws.close();
});

test('exposure moves after bets, and an action changes the terms through the engine', async () => {
  const d = await desk();
  await until(() => d.last(), { what: 'first view' });
  await new Promise((r) => setTimeout(r, 5500)); // the cool-off of the confirmed goal
  const before = d.last().exposure.find((e) => e.market === '1x2' && e.selection === 'home')?.liability ?? 0;
  const e = (await api.request('GET', '/v1/events/d1')).json;
  const odds = e.prices.markets.find((m) => m.key === '1x2').selections.find((s) => s.key === 'home').odds;
  const bet = { market: '1x2', selection: 'home', stake: 2_000, price: odds, seen_version: e.version, policy: 'any' };
  const p = await api.request('POST', '/v1/events/d1/bets', { body: bet, headers: { authorization: `Bearer ${api.token('lou')}`, 'idempotency-key': 'x1' } });
  assert.equal(p.json.status, 'accepted', p.text);
  const moved = await until(() => {
    const h = d.last()?.exposure.find((x) => x.market === '1x2' && x.selection === 'home');
    return h && h.liability > before ? h : null;
  }, { what: 'exposure to move' });
  assert.equal(moved.bets >= 1, true);
  assert.ok(d.last().sport.outcomes.some((o) => o.net < 0), 'some final score loses the book money');
  const t = await api.request('POST', '/v1/events/d1/trading', { body: { margin: 0.08 }, headers: api.admin() });
  assert.equal(t.status, 200, t.text);
  await until(() => d.last()?.trading.margin === 0.08, { what: 'the new margin on the desk' });
  d.ws.close();
});

test('an alert appears within a second of a source going silent', async () => {
  const d = await desk();
  await until(() => d.last(), { what: 'first view' });
  // The primary keeps speaking; the backup stops. The alert threshold is 1.5 s of silence.
  const lastBackup = Date.now();
  await feed.one('backup', 'heartbeat');
  const stop = Date.now() + 4_000;
  while (Date.now() < stop) {
    await feed.one('primary', 'heartbeat');
    await new Promise((r) => setTimeout(r, 200));
    if (d.last()?.alerts.some((a) => a.kind === 'source_silent')) break;
  }
  const seen = d.views.find((v) => v.view.alerts.some((a) => a.kind === 'source_silent' && a.subject === 'backup'));
  assert.ok(seen, 'source_silent alert');
  const alert = seen.view.alerts.find((a) => a.kind === 'source_silent');
  assert.ok(seen.at - alert.since_ms <= 1_000, `shown ${seen.at - alert.since_ms} ms after it started`);
  assert.ok(alert.since_ms >= lastBackup + 1_500 - 50);
  d.ws.close();
});

test('a tennis match on the desk: its score, each source\'s, the book per score in sets, and its own actions', async () => {
  const opening = {
    event_id: 'dt1',
    sport: 'tennis',
    fixture: { home: 'Sinner', away: 'Alcaraz', kickoff_ms: Date.now() },
    params: { serve_a: 0.64, serve_b: 0.62, best_of: 3 },
    trading: { bet_delay_ms: 0 },
    config: { stale_after_ms: 120_000, confirm_window_ms: 300 },
  };
  const created = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
  assert.equal(created.status, 201, created.text);
  const tennis = new TennisFeed(api, 'dt1');
  await tennis.both('match_start', { server: 'a' });
  const d = await desk('dt1');
  const first = await until(() => d.last(), { what: 'first view' });
  assert.equal(first.title, 'Sinner v Alcaraz');
  assert.equal(first.sport.sport, 'tennis');
  assert.equal(first.sport.score.phase, 'in_play');
  assert.equal(first.sport.score.server, 'a');
  assert.equal(first.sport.params.serve_a, 0.64);
  assert.equal(first.period, undefined, 'no football in a tennis view');

  // Point 1 from both sources stands.
  await tennis.point('a');
  await until(() => d.last()?.sport.points_played === 1, { what: 'point 1 on the desk' });
  assert.deepEqual(d.last().sport.score.points, [1, 0]);

  // A bet on Sinner: the book loses if he wins, in both rows he wins.
  const e = (await api.request('GET', '/v1/events/dt1')).json;
  const odds = e.prices.markets.find((m) => m.key === 'match_winner').selections.find((s) => s.key === 'a').odds;
  const bet = { market: 'match_winner', selection: 'a', stake: 2_000, price: odds, seen_version: e.version, policy: 'any' };
  const placed = await api.request('POST', '/v1/events/dt1/bets', { body: bet, headers: { authorization: `Bearer ${api.token('tia')}`, 'idempotency-key': 't-1' } });
  assert.equal(placed.json.status, 'accepted', placed.text);
  const rows = await until(() => {
    const o = d.last()?.sport.outcomes ?? [];
    return o.some((x) => x.net !== 0) ? o : null;
  }, { what: 'the book per score in sets' });
  assert.deepEqual(rows.map((o) => o.sets), [[2, 0], [2, 1], [1, 2], [0, 2]]);
  // If Sinner wins the book pays what it is exposed to on him; if not it keeps the stake.
  const exposed = d.last().exposure.find((x) => x.market === 'match_winner' && x.selection === 'a');
  assert.ok(exposed.liability > 0);
  assert.deepEqual(rows.map((o) => o.net), [-exposed.liability, -exposed.liability, 2_000, 2_000]);

  // Point 2: the sources name different winners. The desk lists both reports and each source's
  // score, alerts, and believing the primary resolves it.
  tennis.points += 1;
  await tennis.send('primary', 'point', { point: 2, winner: 'a', server: 'a' });
  await tennis.send('backup', 'point', { point: 2, winner: 'b', server: 'a' });
  const alert = await until(() => d.last()?.alerts.find((a) => a.kind === 'source_discrepancy'), { what: 'discrepancy alert' });
  assert.ok(alert.since_ms > 0);
  assert.deepEqual(d.last().awaiting.map((a) => [a.kind, a.point, a.winner, a.source]), [['point', 2, 'a', 'primary'], ['point', 2, 'b', 'backup']]);
  assert.deepEqual(d.last().sport.reported.map((r) => [r.source, r.ahead, r.score.points]), [['primary', 1, [2, 0]], ['backup', 1, [1, 1]]]);
  const confirmed = await api.request('POST', '/v1/events/dt1/confirm', { body: { source: 'primary' }, headers: api.admin() });
  assert.equal(confirmed.status, 200, confirmed.text);
  await until(() => !d.last()?.alerts.some((a) => a.kind === 'source_discrepancy'), { what: 'alert cleared' });
  assert.deepEqual(d.last().sport.score.points, [2, 0]);
  assert.deepEqual(d.last().awaiting, []);

  // Tennis's model: A's serve, through the engine; what it cannot price is refused.
  const serve = await api.request('POST', '/v1/events/dt1/serve-probabilities', { body: { serve_a: 0.7 }, headers: api.admin() });
  assert.equal(serve.status, 200, serve.text);
  assert.equal(serve.json.applied, true);
  await until(() => d.last()?.sport.params.serve_a === 0.7, { what: 'the new serve probability on the desk' });
  assert.equal(d.last().sport.params.serve_b, 0.62);
  const refusals = [
    ['serve-probabilities', { serve_a: 1.5 }, 400, 'invalid_body'],
    ['serve-probabilities', {}, 400, 'invalid_body'],
    ['cancel-goal', { team: 'home' }, 409, 'football_only'],
    ['expected-goals', { home_xg: 2 }, 409, 'football_only'],
    ['end', undefined, 409, 'football_only'],
    ['resettle', { goals: [] }, 409, 'football_only'],
  ];
  for (const [path, body, status, code] of refusals) {
    const r = await api.request('POST', `/v1/events/dt1/${path}`, { body, headers: api.admin() });
    assert.equal(r.status, status, `${path}: ${r.text}`);
    assert.equal(r.json.error.code, code, path);
  }
  // And the football match refuses tennis's.
  const football = await api.request('POST', '/v1/events/d1/serve-probabilities', { body: { serve_a: 0.6 }, headers: api.admin() });
  assert.equal(football.status, 409, football.text);
  assert.equal(football.json.error.code, 'tennis_only');

  // Suspend and resume work as for football; every action is in the log.
  const suspended = await api.request('POST', '/v1/events/dt1/suspend', { headers: api.admin() });
  assert.equal(suspended.json.applied, true, suspended.text);
  await until(() => d.last()?.suspensions.some((s) => s.reason === 'manual'), { what: 'the suspension on the desk' });
  const resumed = await api.request('POST', '/v1/events/dt1/resume', { headers: api.admin() });
  assert.equal(resumed.json.applied, true, resumed.text);
  const log = await api.request('GET', '/v1/events/dt1/log?tail=10', { headers: api.admin(), raw: true });
  for (const input of ['"confirm_source"', '"set_tennis_params"', '"suspend"', '"resume"']) {
    assert.ok(log.text.includes(input), `${input} in the audit log`);
  }
  d.ws.close();
});

test('a goal cancelled from the desk names the goals seen: a retry cancels nothing more', async () => {
  const opening = {
    event_id: 'dc1',
    fixture: { home: 'Home', away: 'Away', kickoff_ms: Date.now() },
    params: { home_xg: 1.5, away_xg: 1.1 },
    config: { stale_after_ms: 120_000, confirm_window_ms: 500 },
  };
  const created = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
  assert.equal(created.status, 201, created.text);
  const f = new Feed(api, 'dc1');
  await f.both('kickoff');
  await f.both('goal', { team: 'home', score: { home: 1, away: 0 } });
  await f.both('goal', { team: 'home', score: { home: 2, away: 0 } });
  const score = async () => (await api.request('GET', '/v1/events/dc1')).json.snapshot.image.state.score;
  assert.deepEqual(await score(), { home: 2, away: 0 });
  const cancel = { team: 'home', goals: 2 };
  const done = await api.request('POST', '/v1/events/dc1/cancel-goal', { body: cancel, headers: api.admin() });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.applied, true);
  const again = await api.request('POST', '/v1/events/dc1/cancel-goal', { body: cancel, headers: api.admin() });
  assert.equal(again.status, 409, again.text);
  assert.equal(again.json.error.code, 'goal_count_changed');
  assert.deepEqual(await score(), { home: 1, away: 0 }, 'one goal ruled out, not two');
});
