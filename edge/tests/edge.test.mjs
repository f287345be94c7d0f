// End-to-end tests of the edge worker on local workerd (`wrangler dev`), loopback only.
// Run with `npm run test:edge` (builds the worker once, then runs this file).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Api, Client, DevServer, Feed, sleep, testVars, until } from './harness.mjs';

const BET_DELAY_MS = 1200;

/** A match whose timing rules suit tests: short cool-off and delay; stale bound explicit and long. */
function opening(eventId, { config = { stale_after_ms: 120_000 }, trading = {} } = {}) {
  return {
    event_id: eventId,
    fixture: { home: 'Arsenal', away: 'Chelsea', kickoff_ms: Date.now() },
    params: { home_xg: 1.6, away_xg: 1.1 },
    trading: { bet_delay_ms: BET_DELAY_MS, ...trading },
    config: { cool_off_ms: 600, confirm_window_ms: 400, ...config },
  };
}

const suspensionReasons = (snapshotOrImage) => (snapshotOrImage.image ?? snapshotOrImage).suspensions.map((s) => s.reason);

/** Suspension reasons a delta sets, or null when it leaves suspensions alone. */
function deltaSuspensions(frame) {
  const op = frame.delta.ops.find((o) => 'suspensions' in o);
  return op ? op.suspensions.map((s) => s.reason) : null;
}

let server;
let api;
/** Every bet the engine accepted during the run, with its owner: all must survive a restart. */
const acceptedBets = [];
const vars = testVars();

before(async () => {
  server = await new DevServer({ vars }).start();
  api = new Api(server);
  console.log(`# wrangler dev ready in ${server.startupMs} ms on ${server.base}`);
});

after(async () => {
  await server?.stop();
  server?.cleanup();
});

async function event(id) {
  const r = await api.request('GET', `/v1/events/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** Open a match, kick it off from both sources and wait until its markets are open. */
async function liveMatch(id, opts) {
  const r = await api.request('POST', '/v1/events', { body: opening(id, opts), headers: api.admin() });
  assert.equal(r.status, 201, r.text);
  const feed = new Feed(api, id);
  const [a] = await feed.both('kickoff');
  assert.equal(a.result, 'accepted', JSON.stringify(a));
  return feed;
}

/** A price the engine offers now on 1x2/home, and the version it was seen at. */
async function quote(id, market = '1x2', selection = 'home') {
  const e = await event(id);
  const m = e.prices.markets.find((x) => x.key === market);
  const s = m.selections.find((x) => x.key === selection);
  return { price: s.odds, seen_version: e.version };
}

async function bet(id, user, key, body) {
  return api.request('POST', `/v1/events/${id}/bets`, {
    body,
    headers: { authorization: `Bearer ${api.token(user)}`, 'idempotency-key': key },
  });
}

describe('HTTP surface', () => {
  it('answers health, and 4xx JSON with stable codes for unknown routes and bad methods', async () => {
    const h = await api.request('GET', '/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.json.status, 'ok');
    for (const [method, path, status, code] of [
      ['GET', '/nope', 404, 'route_not_found'],
      ['GET', '/v1/events/m1/live/x', 404, 'route_not_found'],
      ['DELETE', '/v1/events', 405, 'method_not_allowed'],
      ['GET', '/v1/events/bad.id', 400, 'invalid_event_id'],
      ['GET', '/v1/events/nosuch', 404, 'event_not_found'],
      ['GET', '/v1/events/nosuch/live', 426, 'upgrade_required'],
    ]) {
      const r = await api.request(method, path);
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      assert.equal(r.json?.error?.code, code, `${method} ${path}: ${r.text}`);
      assert.equal(typeof r.json.error.message, 'string');
    }
  });

  it('refuses admin routes without the admin token, and malformed bodies', async () => {
    let r = await api.request('POST', '/v1/events', { body: opening('x1') });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'admin_required');
    r = await api.request('POST', '/v1/events', { body: opening('x1'), headers: { authorization: 'Bearer wrong' } });
    assert.equal(r.status, 403);
    r = await api.request('POST', '/v1/events', { body: '{"event_id":', headers: api.admin() });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_json');
    r = await api.request('POST', '/v1/events', { body: { event_id: 'x1', fixture: 42 }, headers: api.admin() });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_opening');
    // A signed but malformed feed body.
    const body = '[{"event_id": "m1",';
    r = await api.request('POST', '/v1/feed', { body, headers: api.sign(body) });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_json');
    // Oversized feed body: refused before anything else.
    const big = JSON.stringify([{ pad: 'x'.repeat(300 * 1024) }]);
    r = await api.request('POST', '/v1/feed', { body: big, headers: api.sign(big) });
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, 'payload_too_large');
    // Bets: token, key and body checks.
    r = await api.request('POST', '/v1/events/m1/bets', { body: {} });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'token_required');
    r = await api.request('POST', '/v1/events/m1/bets', { body: {}, headers: { authorization: 'Bearer u1.1.00' } });
    assert.equal(r.json.error.code, 'token_invalid');
    r = await api.request('POST', '/v1/events/m1/bets', { body: {}, headers: { authorization: `Bearer ${api.token('u1', -1000)}`, 'idempotency-key': 'k' } });
    assert.equal(r.json.error.code, 'token_expired');
    r = await api.request('POST', '/v1/events/m1/bets', { body: {}, headers: { authorization: `Bearer ${api.token('u1')}` } });
    assert.equal(r.json.error.code, 'idempotency_key_required');
    r = await bet('m1', 'u1', 'k', 'not json');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_json');
    r = await bet('m1', 'u1', 'k', JSON.stringify({ pad: 'x'.repeat(5000) }));
    assert.equal(r.status, 413);
  });
});

describe('signed feed', () => {
  before(async () => {
    const r = await api.request('POST', '/v1/events', { body: opening('f1'), headers: api.admin() });
    assert.equal(r.status, 201, r.text);
  });

  it('accepts a signed event and answers per event', async () => {
    const feed = new Feed(api, 'f1');
    const batch = [feed.event('primary', 'kickoff'), { event_id: 'f1', source: 'primary', seq: 99, ts: Date.now(), kind: 'teleport' },
      { event_id: 'nosuch', source: 'primary', seq: 1, ts: Date.now(), kind: 'kickoff', clock_ms: 0 }, feed.event('backup', 'kickoff')];
    const r = await api.feed(batch, { source: 'primary' });
    assert.equal(r.status, 200, r.text);
    const res = r.json.results;
    assert.equal(res.length, 4);
    assert.equal(res[0].result, 'accepted');
    assert.equal(res[1].result, 'rejected');
    assert.equal(res[1].reason, 'unknown_event');
    assert.equal(res[2].reason, 'event_not_found');
    assert.equal(res[3].reason, 'source_mismatch', 'a primary signature cannot vouch for backup events');
    // The same seq again, in a fresh request: a duplicate, not an error.
    const again = await api.feed({ ...batch[0], ts: Date.now() }, { source: 'primary' });
    assert.equal(again.json.results[0].result, 'duplicate');
  });

  it('refuses forged, expired and replayed signatures', async () => {
    const feed = new Feed(api, 'f1');
    feed.seq.primary = 10;
    const body = JSON.stringify(feed.event('primary', 'heartbeat'));
    let r = await api.request('POST', '/v1/feed', { body, headers: api.sign(body, { secret: 'not-the-secret' }) });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'signature_invalid');
    r = await api.request('POST', '/v1/feed', { body, headers: api.sign(body, { source: 'backup' }) });
    assert.equal(r.status, 200, 'a valid backup signature is fine (the event is refused as source_mismatch)');
    assert.equal(r.json.results[0].reason, 'source_mismatch');
    const tampered = { ...api.sign(body) };
    r = await api.request('POST', '/v1/feed', { body: body.replace('heartbeat', 'goal'), headers: tampered });
    assert.equal(r.json.error.code, 'signature_invalid');
    r = await api.request('POST', '/v1/feed', { body, headers: api.sign(body, { ts: Date.now() - 120_000 }) });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'signature_expired');
    r = await api.request('POST', '/v1/feed', { body, headers: { ...api.sign(body), 'x-inplay-source': 'tv' } });
    assert.equal(r.json.error.code, 'unknown_source');
    const headers = api.sign(body);
    r = await api.request('POST', '/v1/feed', { body, headers });
    assert.equal(r.status, 200, r.text);
    r = await api.request('POST', '/v1/feed', { body, headers });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.code, 'signature_replayed');
  });
});

describe('regional fan-out', () => {
  const clients = [];
  let feed;
  let eu1; let eu2; let asia; let us;

  before(async () => {
    const r = await api.request('POST', '/v1/events', { body: opening('m1'), headers: api.admin() });
    assert.equal(r.status, 201, r.text);
    feed = new Feed(api, 'm1');
    eu1 = await Client.open(api, 'm1', { region: 'weur', client: 'eu1' });
    eu2 = await Client.open(api, 'm1', { region: 'weur', client: 'eu2' });
    asia = await Client.open(api, 'm1', { region: 'apac', format: 'bin', client: 'asia' });
    us = await Client.open(api, 'm1', { region: 'enam', client: 'us' });
    clients.push(eu1, eu2, asia, us);
  });

  after(async () => { await Promise.all(clients.map((c) => c.close())); });

  it('sends a snapshot first, naming the region', async () => {
    for (const [c, region] of [[eu1, 'weur'], [eu2, 'weur'], [us, 'enam']]) {
      const first = await c.next(() => true);
      assert.equal(first.type, 'snapshot');
      assert.equal(first.region, region);
      assert.equal(first.snapshot.image.event_id, 'm1');
    }
    const first = await asia.next(() => true);
    assert.equal(first.binary, true);
    assert.equal(first.kind, 1, 'binary snapshot frame');
  });

  it('delivers each delta to every socket, one hub message per relay per update', async () => {
    const head = (await event('m1')).version;
    // Counters reach GET /metrics through the catalog a moment later: start from a settled report.
    const settled = (mm) => mm.get('inplay_event_version_seq{event="m1"}') === head.seq
      && ['m1/weur/0', 'm1/apac/0', 'm1/enam/0'].every((r) => mm.get(`inplay_relay_lag_versions{event="m1",relay="${r}"}`) === 0);
    await sleep(300);
    const before = await until(async () => { const mm = await api.metrics(); return settled(mm) ? mm : null; }, { what: 'settled metrics' });
    await feed.both('kickoff');
    const kickedOff = (await event('m1')).version;
    assert.ok(kickedOff.seq > head.seq);
    for (const c of [eu1, eu2, us]) {
      const d = await c.next((f) => f.type === 'delta' && f.version.seq === kickedOff.seq, { what: `delta ${kickedOff.seq}` });
      assert.equal(d.delta.version.seq, kickedOff.seq);
    }
    await asia.next((f) => f.binary && f.kind === 2, { what: 'binary delta' });
    const deltas = kickedOff.seq - head.seq;
    const delta = (m, key) => (m.get(key) ?? 0) - (before.get(key) ?? 0);
    const weur = 'inplay_deltas_sent_total{event="m1",relay="m1/weur/0"}';
    // The hub reports to the catalog a moment after the relays acknowledge.
    const m = await until(async () => {
      const mm = await api.metrics();
      return mm.get('inplay_relay_sockets{event="m1",relay="m1/weur/0"}') === 2 && delta(mm, weur) === 2 * deltas ? mm : null;
    }, { what: 'relay socket gauge and frames' });
    for (const relay of ['m1/weur/0', 'm1/apac/0', 'm1/enam/0']) {
      // At most one message per update (updates that queue behind one in flight go together), never one per socket.
      const data = delta(m, `inplay_relay_data_messages_total{event="m1",relay="${relay}"}`);
      assert.ok(data >= 1 && data <= deltas, `${relay}: ${data} data messages for ${deltas} updates`);
      const sent = m.get(`inplay_relay_messages_total{event="m1",relay="${relay}"}`);
      assert.equal(m.get(`inplay_relay_updates_received{event="m1",relay="${relay}"}`), sent, `${relay} received every message`);
      assert.equal(m.get(`inplay_relay_lag_versions{event="m1",relay="${relay}"}`), 0, `${relay} is at the head`);
    }
    // Two sockets on the weur relay, one hub message each time: the fan-out to sockets is the relay's.
    assert.equal(delta(m, weur), 2 * deltas);
  });

  it('a goal reaches every socket as a suspension', async () => {
    await feed.one('primary', 'goal', { team: 'home' });
    for (const c of [eu1, eu2, us]) {
      const d = await c.next((f) => f.type === 'delta' && (deltaSuspensions(f) ?? []).includes('goal'), { what: 'goal suspension' });
      assert.ok(d);
    }
    await feed.one('backup', 'goal', { team: 'home' });
    // After confirmation and cool-off the markets reopen: a delta with no suspension left.
    await eu1.next((f) => f.type === 'delta' && deltaSuspensions(f)?.length === 0, { what: 'reopen', timeoutMs: 8000 });
    const e = await event('m1');
    assert.deepEqual(e.snapshot.image.state.score, { home: 1, away: 0 });
  });

  it('resume with since gets exactly the missed deltas', async () => {
    const c = await Client.open(api, 'm1', { region: 'weur', client: 'resumer' });
    await c.next((f) => f.type === 'snapshot');
    await c.next((f) => f.type === 'heartbeat');
    const seen = c.lastVersion();
    await c.close();
    // Three versions happen while the client is away.
    for (const path of ['suspend', 'resume', 'suspend']) {
      const r = await api.request('POST', `/v1/events/m1/${path}`, { headers: api.admin() });
      assert.equal(r.status, 200, r.text);
    }
    const now = (await event('m1')).version;
    assert.equal(now.seq, seen.seq + 3);
    const back = await Client.open(api, 'm1', { region: 'weur', client: 'resumer', since: `${seen.epoch}:${seen.seq}` });
    const hb = await back.next((f) => f.type === 'heartbeat');
    const got = back.frames.slice(0, back.frames.indexOf(hb));
    assert.deepEqual(got.map((f) => f.type), ['delta', 'delta', 'delta'], 'no snapshot, only the missed deltas');
    assert.deepEqual(got.map((f) => f.version.seq), [seen.seq + 1, seen.seq + 2, seen.seq + 3]);
    assert.deepEqual(hb.version, now);
    await back.close();
    const r = await api.request('POST', '/v1/events/m1/resume', { headers: api.admin() });
    assert.equal(r.status, 200);
  });
});

describe('bets', () => {
  let feed;

  before(async () => {
    feed = await liveMatch('b1');
  });

  it('an in-play bet is pending, then accepted after the delay; the bettor hears it on the socket', async () => {
    const sock = await Client.open(api, 'b1', { region: 'weur', token: api.token('alice') });
    const q = await quote('b1');
    const body = { market: '1x2', selection: 'home', stake: 1000, price: q.price, seen_version: q.seen_version, policy: 'any' };
    const r = await bet('b1', 'alice', 'bet-1', body);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.status, 'pending');
    assert.ok(r.json.release_at_ms >= Date.now() - 100);
    const betId = r.json.bet_id;
    const decided = await sock.next((f) => f.type === 'bet' && f.decision.bet_id === betId && f.decision.status !== 'pending', { timeoutMs: BET_DELAY_MS + 5000, what: 'released bet' });
    assert.equal(decided.decision.status, 'accepted', JSON.stringify(decided));
    acceptedBets.push({ user: 'alice', betId, decision: decided.decision });
    const g = await api.request('GET', `/v1/bets/${betId}`, { headers: { authorization: `Bearer ${api.token('alice')}` } });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.decision.status, 'accepted');
    // Other users cannot see it.
    const other = await api.request('GET', `/v1/bets/${betId}`, { headers: { authorization: `Bearer ${api.token('mallory')}` } });
    assert.equal(other.status, 404);
    // Retrying with the same key returns the same bet, decided once.
    const again = await bet('b1', 'alice', 'bet-1', body);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.bet_id, betId);
    assert.equal(again.json.status, 'accepted');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const conflict = await bet('b1', 'alice', 'bet-1', { ...body, stake: 2000 });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json.error.code, 'idempotency_conflict');
    await sock.close();
  });

  it('a goal inside the delay rejects the pending bet', async () => {
    const q = await quote('b1');
    const r = await bet('b1', 'bob', 'bet-2', { market: '1x2', selection: 'home', stake: 1000, price: q.price, seen_version: q.seen_version, policy: 'any' });
    assert.equal(r.status, 202, r.text);
    await feed.both('goal', { team: 'away' });
    const betId = r.json.bet_id;
    const decided = await until(async () => {
      const g = await api.request('GET', `/v1/bets/${betId}`, { headers: { authorization: `Bearer ${api.token('bob')}` } });
      return g.json?.decision?.status !== 'pending' ? g.json.decision : null;
    }, { timeoutMs: BET_DELAY_MS + 5000, what: 'bet decision' });
    assert.equal(decided.status, 'rejected:market_suspended');
  });

  it('rejects a bet on a suspended market at once, and rate-limits a flood', async () => {
    await api.request('POST', '/v1/events/b1/suspend', { headers: api.admin() });
    const q = await quote('b1');
    const r = await bet('b1', 'carol', 'bet-3', { market: '1x2', selection: 'home', stake: 1000, price: q.price ?? 2, seen_version: q.seen_version, policy: 'any' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'rejected:market_suspended');
    const codes = [];
    for (let i = 0; i < 14; i++) {
      const x = await bet('b1', 'dave', `flood-${i}`, { market: '1x2', selection: 'home', stake: 1000, price: 2, seen_version: q.seen_version, policy: 'any' });
      codes.push(x.status);
    }
    assert.ok(codes.includes(429), `some of a burst of 14 are rate limited: ${codes}`);
    await api.request('POST', '/v1/events/b1/resume', { headers: api.admin() });
  });
});

describe('feed watchdog', () => {
  it('silence beyond the stale bound suspends everything with feed_stale, on every socket', async () => {
    // No explicit stale bound: the match takes FEED_STALE_MS (2500 ms in tests) from the Worker's vars.
    const feed = await liveMatch('s1', { config: {} });
    const c = await Client.open(api, 's1', { region: 'sam' });
    await c.next((f) => f.type === 'snapshot');
    const d = await c.next((f) => f.type === 'delta' && (deltaSuspensions(f) ?? []).includes('feed_stale'), { timeoutMs: 8000, what: 'feed_stale' });
    assert.ok(d);
    assert.ok(suspensionReasons((await event('s1')).snapshot).includes('feed_stale'));
    await c.close();
    void feed;
  });
});

describe('metrics', () => {
  it('exposes the figures in Prometheus text to the admin only, without waking a hub', async () => {
    const anon = await api.request('GET', '/metrics', { raw: true });
    assert.equal(anon.status, 401);
    assert.equal(JSON.parse(anon.text).error.code, 'admin_required');
    const r = await api.request('GET', '/metrics', { raw: true, headers: api.admin() });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/plain/);
    for (const family of ['inplay_feed_events_total', 'inplay_feed_lag_ms', 'inplay_suspensions_total', 'inplay_relay_sockets',
      'inplay_deltas_sent_total', 'inplay_bets_total', 'inplay_bet_decision_latency_ms', 'inplay_requests_refused_total',
      'inplay_hub_apply_ms', 'inplay_relay_lag_versions']) {
      assert.match(r.text, new RegExp(`# TYPE ${family} `), family);
    }
    assert.match(r.text, /inplay_suspensions_total\{event="m1",reason="goal"\} [1-9]/);
    assert.match(r.text, /inplay_bets_total\{decision="accepted",event="b1"\} [1-9]|inplay_bets_total\{event="b1",decision="accepted"\} [1-9]/);
  });
});

describe('restart', () => {
  it('keeps match state and every accepted bet across a dev server restart; clients resume', async () => {
    const before = await event('m1');
    const bets = await api.request('GET', '/v1/events/b1');
    const c = await Client.open(api, 'm1', { region: 'weur', client: 'survivor' });
    await c.next((f) => f.type === 'heartbeat');
    const seen = c.lastVersion();
    await c.close();

    await server.stop();
    server = await new DevServer({ vars, persistDir: server.persistDir }).start();
    api = new Api(server);
    console.log(`# restarted in ${server.startupMs} ms`);

    const afterRestart = await event('m1');
    assert.deepEqual(afterRestart.version, before.version, 'same epoch and seq after replaying the log');
    assert.deepEqual(afterRestart.snapshot, before.snapshot);
    const b1 = await event('b1');
    assert.equal(b1.bets, bets.json.bets);
    assert.ok(acceptedBets.length > 0);
    for (const { user, betId, decision } of acceptedBets) {
      const g = await api.request('GET', `/v1/bets/${betId}`, { headers: { authorization: `Bearer ${api.token(user)}` } });
      assert.equal(g.status, 200, g.text);
      assert.deepEqual(g.json.decision, decision, 'the accepted bet, exactly as decided');
    }
    const list = await api.request('GET', '/v1/events');
    assert.deepEqual(list.json.events.map((e) => e.event_id).sort(), ['b1', 'f1', 'm1', 's1']);

    const back = await Client.open(api, 'm1', { region: 'weur', client: 'survivor', since: `${seen.epoch}:${seen.seq}` });
    const hb = await back.next((f) => f.type === 'heartbeat');
    assert.deepEqual(hb.version, afterRestart.version);
    assert.equal(back.frames.filter((f) => f.type === 'snapshot').length, 0, 'resumed, not re-snapshotted');
    // The stream continues in the same epoch.
    const r = await api.request('POST', '/v1/events/m1/suspend', { headers: api.admin() });
    assert.equal(r.status, 200);
    const d = await back.next((f) => f.type === 'delta');
    assert.deepEqual(d.version, { epoch: afterRestart.version.epoch, seq: afterRestart.version.seq + 1 });
    await back.close();
  });
});
