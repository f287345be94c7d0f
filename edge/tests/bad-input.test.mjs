// A seeded generator of malformed and abusive requests and socket messages across every route and
// frame type: wrong methods, bad JSON, huge and deep bodies, bad ids, forged, expired and replayed
// signatures and tokens, floods. Every one must be answered with a 4xx JSON error with a stable code,
// none with a 5xx, and the match it targets must be unaffected: its versions continue and its
// accepted bets are intact.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { Api, Client, DevServer, Feed, testVars, until } from './harness.mjs';

const SEED = Number(process.env.BAD_INPUT_SEED ?? 20261130);
const EVENT = 'bad1';
let server;
let api;
let feed;
const accepted = [];

/** mulberry32: a small seeded PRNG, so a failing case can be replayed with BAD_INPUT_SEED. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

before(async () => {
  server = await new DevServer({ vars: testVars({ SOCKET_MSG_BURST: '1000', SOCKET_MSG_PER_SEC: '1000' }) }).start();
  api = new Api(server);
  const opening = {
    event_id: EVENT,
    fixture: { home: 'A', away: 'B', kickoff_ms: Date.now() },
    params: { home_xg: 1.5, away_xg: 1.1 },
    trading: { bet_delay_ms: 0 },
    config: { stale_after_ms: 600_000 },
  };
  const r = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
  assert.equal(r.status, 201, r.text);
  feed = new Feed(api, EVENT);
  // Bets before kick-off are decided at once: these must survive everything below.
  for (const user of ['ann', 'ben', 'cat']) {
    const e = (await api.request('GET', `/v1/events/${EVENT}`)).json;
    const odds = e.prices.markets.find((m) => m.key === '1x2').selections.find((s) => s.key === 'home').odds;
    const bet = { market: '1x2', selection: 'home', stake: 1000, price: odds, seen_version: e.version, policy: 'any' };
    const p = await api.request('POST', `/v1/events/${EVENT}/bets`, {
      body: bet, headers: { authorization: `Bearer ${api.token(user)}`, 'idempotency-key': `keep-${user}` },
    });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.status, 'accepted');
    accepted.push({ user, decision: p.json });
  }
  await feed.both('kickoff');
});

after(async () => {
  await server?.stop();
  server?.cleanup();
});

/** Requests a generator can make: each returns `{method, path, headers, body}`. */
function generators(rand) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const int = (n) => Math.floor(rand() * n);
  const str = (n) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  const deep = (n) => '['.repeat(n) + ']'.repeat(n);
  const badJson = () => pick([
    '', '{', '}', '[', 'null', 'true', '42', '"str"', '{"a":', '{"a":1,}', '\u0000', '{"market":1e999}',
    deep(200 + int(5000)), `{"x":"${str(20)}"}`, '[1,2,3', '{"event_id":null}', String.fromCharCode(0xd800),
    JSON.stringify({ market: '1x2', selection: 'home', stake: -1, price: 'x' }),
    JSON.stringify({ market: '1x2', selection: 'home', stake: 1e30, price: 2.005, seen_version: { epoch: 'x' } }),
  ]);
  const user = api.token('mallory');
  const expired = api.token('mallory', -1000);
  const forged = user.slice(0, -4) + 'beef';
  const wrongKid = api.token('mallory', 60_000, { kid: 'zz' });
  const bearer = (t) => ({ authorization: `Bearer ${t}` });
  const badId = () => pick(['', 'a'.repeat(65), 'bad id', 'm%2F1', '..', 'm.1', 'ü', '<script>', 'a/b', '%00']);
  const signed = (body, opts = {}) => api.sign(body, opts);
  return [
    // Wrong methods on every route.
    () => ({ method: pick(['PUT', 'DELETE', 'PATCH']), path: pick(['/v1/feed', '/v1/events', `/v1/events/${EVENT}`, `/v1/events/${EVENT}/bets`, '/healthz', '/metrics', `/v1/events/${EVENT}/log`]) }),
    () => ({ method: 'GET', path: pick(['/v1/feed', `/v1/events/${EVENT}/suspend`, `/v1/events/${EVENT}/bets`, `/v1/events/${EVENT}/resettle`, `/v1/events/${EVENT}/abandon`, `/v1/events/${EVENT}/confirm`]) }),
    () => ({ method: 'POST', path: pick(['/healthz', `/v1/events/${EVENT}`, '/v1/bets/x.0123456789abcdef', `/v1/events/${EVENT}/log`]) }),
    // Unknown routes and bad ids.
    () => ({ method: 'GET', path: pick(['/v2/events', `/v1/events/${EVENT}/live/x`, '/v1/events/a/b/c/d', `/${str(5).replace(/[^a-z]/g, 'x')}`]) }),
    () => ({ method: 'GET', path: `/v1/events/${encodeURIComponent(badId())}` }),
    () => ({ method: 'GET', path: `/v1/bets/${encodeURIComponent(pick(['nodot', 'm1.xyz', `${EVENT}.0123`, `${EVENT}.0123456789ABCDEF`, str(30)]))}`, headers: bearer(user) }),
    () => ({ method: 'GET', path: `/v1/bets/${EVENT}.${'0'.repeat(16)}`, headers: pick([{}, bearer(forged), bearer(expired), bearer(wrongKid), bearer(user)]) }),
    // The feed: unsigned, forged, expired, wrong source, bad JSON signed, oversized batches.
    () => ({ method: 'POST', path: '/v1/feed', body: badJson(), headers: { 'content-type': 'application/json' } }),
    () => { const b = JSON.stringify(feed.event('primary', 'heartbeat')); return { method: 'POST', path: '/v1/feed', body: b, headers: signed(b, { secret: 'forged' }) }; },
    () => { const b = JSON.stringify(feed.event('primary', 'heartbeat')); return { method: 'POST', path: '/v1/feed', body: b, headers: signed(b, { ts: Date.now() - 120_000 }) }; },
    () => { const b = JSON.stringify(feed.event('primary', 'heartbeat')); return { method: 'POST', path: '/v1/feed', body: b, headers: { ...signed(b), 'x-inplay-source': pick(['tertiary', '', 'PRIMARY']) } }; },
    () => { const b = JSON.stringify(feed.event('primary', 'heartbeat')); return { method: 'POST', path: '/v1/feed', body: b, headers: { ...signed(b), 'x-inplay-timestamp': pick(['x', '-1', '1e3', '']) } }; },
    () => { const b = badJson(); return { method: 'POST', path: '/v1/feed', body: b, headers: signed(b) }; },
    () => { const b = JSON.stringify(Array.from({ length: 1001 }, () => ({}))); return { method: 'POST', path: '/v1/feed', body: b, headers: signed(b) }; },
    () => ({ method: 'POST', path: '/v1/feed', body: 'x'.repeat(300 * 1024), headers: signed('x') }),
    // A signature replayed: the same signed request twice (the second is refused).
    () => ({ replay: true }),
    // Create: no token, wrong token, bad JSON, bad ids, bad params, oversized.
    () => ({ method: 'POST', path: '/v1/events', body: '{}', headers: pick([{}, bearer(user), bearer('wrong')]) }),
    () => ({ method: 'POST', path: '/v1/events', body: badJson(), headers: api.admin() }),
    () => ({ method: 'POST', path: '/v1/events', body: JSON.stringify({ event_id: badId(), fixture: { home: 'a', away: 'b', kickoff_ms: 0 }, params: { home_xg: 1, away_xg: 1 } }), headers: api.admin() }),
    () => ({ method: 'POST', path: '/v1/events', body: JSON.stringify({ event_id: `x${int(1e6)}`, fixture: { home: 'a', away: 'b', kickoff_ms: 0 }, params: { home_xg: pick([-1, 99, 'x', null]), away_xg: 1 } }), headers: api.admin() }),
    () => ({ method: 'POST', path: '/v1/events', body: JSON.stringify({ event_id: EVENT, fixture: { home: 'a', away: 'b', kickoff_ms: 0 }, params: { home_xg: 1, away_xg: 1 } }), headers: api.admin() }),
    () => ({ method: 'POST', path: '/v1/events', body: 'x'.repeat(70 * 1024), headers: api.admin() }),
    // Trader actions: without the token, or with bodies that cannot be read (never "all markets").
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/${pick(['suspend', 'resume', 'abandon', 'resettle', 'confirm'])}`, body: '{}', headers: pick([{}, bearer(user), bearer('nope')]) }),
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/${pick(['suspend', 'resume'])}`, body: pick(['{', '[]', '{"market":"nope"}', '{"market":1}', '{"other":1}', 'null']), headers: api.admin() }),
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/resettle`, body: pick(['{', '{}', '{"goals":[{"team":"home","half":3,"clock_ms":1}]}', '{"goals":"x"}']), headers: api.admin() }),
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/confirm`, body: pick(['{', '{}', '{"source":"tertiary"}']), headers: api.admin() }),
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/${pick(['faults', 'bets/batch'])}`, body: '{}', headers: api.admin() }),
    // Bets: no token, bad tokens, no key, bad keys, bad bodies, oversized, unknown match.
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/bets`, body: '{}', headers: pick([{}, bearer(forged), bearer(expired), bearer(wrongKid), { authorization: pick(['Basic x', 'Bearer', '']) }]) }),
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/bets`, body: '{}', headers: { ...bearer(user), 'idempotency-key': pick([undefined, '', ' ', 'a b', 'k'.repeat(129), '\t']) } }),
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/bets`, body: badJson(), headers: { ...bearer(user), 'idempotency-key': `bad-${int(1e9)}` } }),
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/bets`, body: 'x'.repeat(5000), headers: { ...bearer(user), 'idempotency-key': `big-${int(1e9)}` } }),
    () => ({ method: 'POST', path: `/v1/events/${EVENT}/bets`, body: JSON.stringify({ market: pick(['1x2', 'nope', 'total:2.3', 'ah:99']), selection: pick(['home', 'x', '9-9']), stake: pick([0, -5, 1.5, 'a']), price: pick([0, 1, 2.005, 'x', null]), seen_version: pick([{}, { epoch: 1 }, null]) }), headers: { ...bearer(user), 'idempotency-key': `body-${int(1e9)}` } }),
    () => ({ method: 'POST', path: `/v1/events/${encodeURIComponent(badId())}/bets`, body: '{}', headers: { ...bearer(user), 'idempotency-key': 'k' } }),
    // Reserved for the admin: the log, metrics.
    () => ({ method: 'GET', path: pick([`/v1/events/${EVENT}/log`, '/metrics']), headers: pick([{}, bearer(user), bearer('x')]) }),
    // The socket route without an upgrade, with bad parameters, bad tokens, unknown match.
    () => ({ method: 'GET', path: `/v1/events/${EVENT}/live` }),
    () => ({ socket: `/v1/events/${EVENT}/live?format=${pick(['xml', '', 'BIN'])}` }),
    () => ({ socket: `/v1/events/${EVENT}/live?since=${pick(['x', '1', '1:2:3', ':', '-1:0'])}` }),
    () => ({ socket: `/v1/events/${EVENT}/live?token=${pick([forged, expired, 'garbage'])}` }),
    () => ({ socket: `/v1/events/${EVENT}/live`, protocols: ['inplay.v1', `bearer.${pick([forged, expired, wrongKid])}`] }),
    () => ({ socket: `/v1/events/${pick(['nosuch', 'bad%20id'])}/live` }),
  ];
}

/** A socket upgrade the edge must refuse: its status and body. */
function refusedUpgrade(path, protocols) {
  return new Promise((resolve, reject) => {
    const url = `${api.base.replace('http', 'ws')}${path}`;
    const ws = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    ws.once('open', () => { ws.terminate(); reject(new Error(`${path}: upgrade accepted`)); });
    ws.once('error', (e) => { if (!e.message.includes('Unexpected server response')) reject(e); });
  });
}

/** Known codes: the edge's single list (protocol/src/error.rs) as the client sees it. */
const CODE = /^[a-z]+(_[a-z]+)*$/;

test('500+ malformed and abusive requests: every one a 4xx JSON error with a stable code, none a 5xx', async () => {
  const rand = rng(SEED);
  const gens = generators(rand);
  const codes = new Map();
  let tried = 0;
  const fivexx = [];
  const record = (what, status, text) => {
    tried += 1;
    let code;
    let json;
    try { json = JSON.parse(text); code = json.error?.code; } catch { code = undefined; }
    // A signed feed post is answered per event: every malformed event rejected with its code.
    if (status === 200 && what.startsWith('POST /v1/feed') && Array.isArray(json?.results)) {
      for (const r of json.results) {
        assert.equal(r.result, 'rejected', `${what}: ${text.slice(0, 300)}`);
        assert.match(r.reason, CODE);
        codes.set(`feed:${r.reason}`, (codes.get(`feed:${r.reason}`) ?? 0) + 1);
      }
      return;
    }
    if (status >= 500) fivexx.push(`${what} → ${status} ${text.slice(0, 200)}`);
    assert.ok(status >= 400 && status < 500, `${what} → ${status} ${text.slice(0, 300)}`);
    assert.match(code ?? '', CODE, `${what} → ${status} ${text.slice(0, 300)}`);
    codes.set(code, (codes.get(code) ?? 0) + 1);
  };
  for (let i = 0; i < 560; i++) {
    const g = gens[Math.floor(rand() * gens.length)]();
    if (g.replay) {
      const b = JSON.stringify(feed.event('backup', 'heartbeat'));
      const headers = api.sign(b, { source: 'backup' });
      const first = await api.request('POST', '/v1/feed', { body: b, headers });
      assert.equal(first.status, 200, first.text);
      const again = await api.request('POST', '/v1/feed', { body: b, headers });
      record('replayed signature', again.status, again.text);
      continue;
    }
    if (g.socket) {
      const { status, body } = await refusedUpgrade(g.socket, g.protocols);
      record(`WS ${g.socket.slice(0, 80)}`, status, body);
      continue;
    }
    const headers = Object.fromEntries(Object.entries(g.headers ?? {}).filter(([, v]) => v !== undefined));
    let r;
    try {
      r = await api.request(g.method, g.path, { body: g.body, headers, raw: true });
    } catch (e) {
      throw new Error(`${g.method} ${g.path.slice(0, 80)} ${JSON.stringify(headers).slice(0, 200)}: ${e.cause?.message ?? e.message}`);
    }
    record(`${g.method} ${g.path.slice(0, 80)}`, r.status, r.text);
  }
  // A flood of anonymous metrics reads costs a 401 each.
  for (let i = 0; i < 40; i++) {
    const r = await api.request('GET', '/metrics', { raw: true });
    record('anonymous /metrics', r.status, r.text);
  }
  console.log(`# bad-input: ${tried} requests (seed ${SEED}), 5xx: ${fivexx.length}, codes: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
  assert.equal(fivexx.length, 0);
  assert.ok(tried >= 500);
});

test('malformed and abusive socket messages: refusals with stable codes, the socket and the match unharmed', async () => {
  const rand = rng(SEED + 1);
  const c = await Client.open(api, EVENT, { token: api.token('mallory'), client: 'bad-socket' });
  await c.next((f) => f.type === 'snapshot');
  const e = (await api.request('GET', `/v1/events/${EVENT}`)).json;
  const good = { market: '1x2', selection: 'home', stake: 100, price: 2, seen_version: e.version, policy: 'any' };
  const messages = [
    () => 'not json', () => '', () => '{}', () => '[]', () => 'null', () => '{"type":"hello"}',
    () => JSON.stringify({ type: 'bet' }),
    () => JSON.stringify({ type: 'bet', key: '', bet: good }),
    () => JSON.stringify({ type: 'bet', key: 'k'.repeat(200), bet: good }),
    () => JSON.stringify({ type: 'bet', key: 'x y', bet: good }),
    () => JSON.stringify({ type: 'bet', key: `k${Math.floor(rand() * 1e9)}`, bet: 'str' }),
    () => JSON.stringify({ type: 'bet', key: `k${Math.floor(rand() * 1e9)}`, bet: { ...good, market: 'nope' } }),
    () => JSON.stringify({ type: 'bet', key: `k${Math.floor(rand() * 1e9)}`, bet: { ...good, price: 2.005 } }),
    () => JSON.stringify({ type: 'bet', key: `k${Math.floor(rand() * 1e9)}`, bet: { ...good, stake: -1 } }),
    () => JSON.stringify({ type: 'bet', key: 'keep-ann', bet: { ...good, stake: 999 } }),
    () => 'x'.repeat(5000),
    () => Buffer.from([1, 2, 3, 255]),
    () => '['.repeat(3000) + ']'.repeat(3000),
  ];
  let sent = 0;
  for (let i = 0; i < 120; i++) {
    const m = messages[Math.floor(rand() * messages.length)]();
    c.ws.send(m);
    sent += 1;
  }
  // Every refusal names a stable code; pings are answered with heartbeats; the socket stays open.
  await new Promise((r) => setTimeout(r, 1500));
  const errors = c.frames.filter((f) => f.type === 'bet_error');
  assert.ok(errors.length > 0);
  for (const f of errors) assert.match(f.error.code, CODE, JSON.stringify(f));
  const codes = [...new Set(errors.map((f) => f.error.code))].sort();
  console.log(`# bad-input socket: ${sent} messages, ${errors.length} refusals, codes: ${codes.join(', ')}`);
  assert.equal(c.ws.readyState, 1, 'still open');
  await c.close();
});

test('the match is unaffected: versions continue, accepted bets intact', async () => {
  const before = (await api.request('GET', `/v1/events/${EVENT}`)).json.version;
  // The refused posts used seqs the engine never saw: the red card waits for them (the gap
  // timeout) and then applies.
  await feed.one('primary', 'red_card', { team: 'away' });
  const afterRed = await until(async () => {
    const v = (await api.request('GET', `/v1/events/${EVENT}`)).json.version;
    return v.seq > before.seq ? v : null;
  }, { what: 'the version to move on' });
  assert.equal(afterRed.epoch, before.epoch);
  for (const { user, decision } of accepted) {
    const g = await api.request('GET', `/v1/bets/${decision.bet_id}`, { headers: { authorization: `Bearer ${api.token(user)}` } });
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.json.decision, decision);
  }
  const log = await api.request('GET', `/v1/events/${EVENT}/log`, { headers: api.admin(), raw: true });
  assert.equal(log.status, 200);
});
