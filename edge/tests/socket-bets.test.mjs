// Bets on the bettor's own socket: `{"type":"bet","key":…,"bet":{…}}` on a socket opened with a token.
// The relay batches them to the hub; decisions come back as bet frames, refusals that never reach the
// engine as `bet_error` text frames. Same ids, idempotency and checks as POST /v1/events/{id}/bets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Api, Client, DevServer, Feed, testVars } from './harness.mjs';

const BET_DELAY_MS = 800;
let server;
let api;

before(async () => {
  server = await new DevServer({ vars: testVars() }).start();
  api = new Api(server);
  const opening = {
    event_id: 'sb1',
    fixture: { home: 'A', away: 'B', kickoff_ms: Date.now() },
    params: { home_xg: 1.5, away_xg: 1.1 },
    trading: { bet_delay_ms: BET_DELAY_MS },
    config: { stale_after_ms: 120_000 },
  };
  const r = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
  assert.equal(r.status, 201, r.text);
  await new Feed(api, 'sb1').both('kickoff');
});

after(async () => {
  await server?.stop();
  server?.cleanup();
});

async function quote() {
  const e = (await api.request('GET', '/v1/events/sb1')).json;
  const s = e.prices.markets.find((m) => m.key === '1x2').selections.find((x) => x.key === 'home');
  return { market: '1x2', selection: 'home', stake: 500, price: s.odds, seen_version: e.version, policy: 'any' };
}

const send = (c, msg) => c.ws.send(JSON.stringify(msg));

test('a bet on the socket is pending, then decided, on the same socket; a retry is answered once', async () => {
  const c = await Client.open(api, 'sb1', { token: api.token('carol') });
  const bet = await quote();
  send(c, { type: 'bet', key: 'k1', bet });
  const pending = await c.next((f) => f.type === 'bet' && f.decision.status === 'pending', { what: 'pending decision' });
  const id = pending.decision.bet_id;
  assert.equal(pending.decision.user_id, 'carol');
  const final = await c.next((f) => f.type === 'bet' && f.decision.bet_id === id && f.decision.status !== 'pending',
    { timeoutMs: BET_DELAY_MS + 5000, what: 'final decision' });
  assert.equal(final.decision.status, 'accepted');
  // The same key again: the first decision, sent back by the relay (the hub fans out nothing new).
  const from = c.frames.length;
  send(c, { type: 'bet', key: 'k1', bet });
  const again = await c.next((f) => f.type === 'bet' && f.decision.bet_id === id, { from, what: 'replayed decision' });
  assert.equal(again.decision.status, 'accepted');
  // The same key for another bet: refused before the engine.
  send(c, { type: 'bet', key: 'k1', bet: { ...bet, stake: 900 } });
  const conflict = await c.next((f) => f.type === 'bet_error', { from, what: 'idempotency conflict' });
  assert.equal(conflict.error.code, 'idempotency_conflict');
  assert.equal(conflict.bet_id, id);
  // The HTTP route sees the same bet.
  const g = await api.request('GET', `/v1/bets/${id}`, { headers: { authorization: `Bearer ${api.token('carol')}` } });
  assert.equal(g.json.decision.status, 'accepted');
  await c.close();
});

test('socket bets are refused without a token, with a bad key or body, and when the user floods', async () => {
  const anon = await Client.open(api, 'sb1', {});
  send(anon, { type: 'bet', key: 'k', bet: await quote() });
  assert.equal((await anon.next((f) => f.type === 'bet_error')).error.code, 'token_required');
  await anon.close();
  const c = await Client.open(api, 'sb1', { token: api.token('dave') });
  send(c, { type: 'bet', key: '', bet: await quote() });
  assert.equal((await c.next((f) => f.type === 'bet_error')).error.code, 'idempotency_key_invalid');
  let from = c.frames.length;
  send(c, { type: 'bet', key: 'x', bet: 'not an object' });
  assert.equal((await c.next((f) => f.type === 'bet_error', { from })).error.code, 'invalid_bet');
  from = c.frames.length;
  send(c, { type: 'bet', key: 'y', bet: { market: 'nope' } });
  assert.equal((await c.next((f) => f.type === 'bet_error', { from })).error.code, 'invalid_bet');
  // Burst of 10 then 5/s (testVars defaults): a flood of 30 gets some rate_limited.
  from = c.frames.length;
  const bet = await quote();
  for (let i = 0; i < 30; i++) send(c, { type: 'bet', key: `f${i}`, bet });
  await c.next((f) => f.type === 'bet_error' && f.error.code === 'rate_limited', { from, what: 'rate limit' });
  // Anything else on the socket is still a ping.
  from = c.frames.length;
  c.ws.send('ping');
  await c.next((f) => f.type === 'heartbeat', { from });
  await c.close();
});
