// The trading desk's socket and actions on the real worker: a view pushed on every change, alerts
// with the time they started, and every action an audited input (it shows in the log).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { Api, DevServer, Feed, testVars, until } from './harness.mjs';

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

/** The desk socket: every view it pushes. */
async function desk() {
  const views = [];
  const ws = new WebSocket(`${api.base.replace('http', 'ws')}/v1/events/d1/desk`, ['inplay.v1', `bearer.${api.vars.ADMIN_TOKEN}`]);
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
  assert.deepEqual(d.last().score, { home: 0, away: 1 });
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
  assert.ok(d.last().outcomes.some((o) => o.net < 0), 'some final score loses the book money');
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
