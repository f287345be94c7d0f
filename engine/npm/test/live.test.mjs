// LiveEvent from the BUILT package: a client fed the edge's snapshot and deltas (engine/tests/golden/
// live.json, produced by a real engine LiveEvent) reprices as the clock runs, follows suspensions,
// refuses deltas out of order, and survives bad input.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InplayError, LiveEvent, PriceBook, decodeFrame, priceFootball } from '@inplay/engine';
import { golden, hexBytes } from './helpers.mjs';

const live = golden('live.json');
const T0 = 1_764_240_000_000;
const MIN = 60_000;

function eventAfter(n) {
  const event = LiveEvent.fromSnapshot(hexBytes(live.snapshot));
  for (const d of live.deltas.slice(0, n)) event.applyDelta(hexBytes(d.bytes));
  return event;
}

const home = (book) => book.markets[0].selections[0];

test('prices move with the clock between deltas, and only with it', () => {
  const event = eventAfter(1); // kicked off, clock running
  assert.equal(event.version.seq, 1);
  const at20 = event.prices(T0 + 20 * MIN);
  const at21 = event.prices(T0 + 21 * MIN);
  assert.notEqual(home(at20).prob, home(at21).prob);
  // 0-0 as time runs out: the draw gets likelier.
  const draw = (b) => b.markets[0].selections[1].prob;
  assert.ok(draw(event.prices(T0 + 80 * MIN)) > draw(at20));
  // Same instant, same bits.
  assert.deepEqual(event.prices(T0 + 20 * MIN).markets, at20.markets);
  // A LiveEvent prices what priceFootball gives for the same state and terms (5% multiplicative).
  const params = { home_xg: 1.55, away_xg: 1.2, rho: -0.05 };
  const clock = 20 * MIN - 2_000; // kick-off was 2 s after T0
  const direct = priceFootball(params, { period: 'first_half', clock_ms: clock }, { margin: 0.05 });
  assert.deepEqual(at20.markets, direct.markets);
  assert.deepEqual(JSON.parse(JSON.stringify(at20)), direct);
});

test('a PriceBook reads one selection without building the others, and does not change', () => {
  const event = eventAfter(1);
  const book = event.prices(T0 + 20 * MIN);
  const lines = book.markets.flatMap((m) => m.selections.map((s) => [m.key, s]));
  assert.ok(lines.length > 150);
  for (const [market, s] of lines) {
    assert.deepEqual(book.selection(market, s.key), s, `${market} ${s.key}`);
    assert.equal(book.odds(market, s.key), s.odds, `${market} ${s.key}`);
  }
  assert.equal(book.odds('1x2', 'nobody'), undefined);
  assert.equal(book.selection('no_such_market', 'home'), undefined);
  // Later reprices (hundreds, so the numbers' slab turns over) leave an earlier book as it was.
  const before = JSON.stringify(book);
  const fresh = event.prices(T0 + 20 * MIN);
  for (let i = 1; i < 500; i++) event.prices(T0 + 20 * MIN + i * 1_000);
  assert.equal(JSON.stringify(book), before);
  assert.deepEqual(fresh.markets, book.markets);
  assert.notDeepEqual(event.prices(T0 + 30 * MIN).markets, book.markets);
  // Only a live event makes books.
  assert.throws(() => new PriceBook(), (e) => e instanceof InplayError && e.code === 'invalid_argument');
});

test('a goal suspends, moves the price, and reopens after the cool-off', () => {
  const cps = Object.fromEntries(live.checkpoints.map((c) => [c.label, c]));
  const suspended = cps['23:00 goal reported by one source: suspended'];
  const reopened = cps['31:00 1-0 reopened'];
  const event = eventAfter(suspended.after_deltas);
  assert.equal(event.marketStatus(suspended.now_ms)['1x2'], 'suspended:goal');
  const before = home(event.prices(suspended.now_ms)).prob;
  for (const d of live.deltas.slice(suspended.after_deltas, reopened.after_deltas)) event.applyDelta(hexBytes(d.bytes));
  const status = event.marketStatus(reopened.now_ms);
  assert.equal(status['1x2'], 'open');
  assert.ok(home(event.prices(reopened.now_ms)).prob > before + 0.15);
  // Half-time: first-half markets settle and leave the book.
  const ht = cps['half-time 1-0'];
  for (const d of live.deltas.slice(reopened.after_deltas, ht.after_deltas)) event.applyDelta(hexBytes(d.bytes));
  assert.ok(!('ht_1x2' in event.marketStatus(ht.now_ms)));
});

test('image and stateAt: what the page shows is the engine\'s image, the clock run on as prices see it', () => {
  const event = eventAfter(0);
  const snapshotImage = decodeFrame(new Uint8Array([1, 0, 0, 0, ...hexBytes(live.snapshot)])).snapshot.image;
  assert.deepEqual(event.image, snapshotImage);
  assert.equal(event.image.state.period, 'pre_match');
  event.applyDelta(hexBytes(live.deltas[0].bytes)); // kick-off
  const kicked = event.image;
  assert.equal(kicked.state.period, 'first_half');
  assert.equal(kicked.clock.running, true);
  // The clock runs on between deltas: 20:00 after a kick-off 2 s after T0 is 19:58 of play.
  const state = event.stateAt(T0 + 20 * MIN);
  assert.deepEqual(state, { ...kicked.state, clock_ms: 20 * MIN - 2_000 });
  const direct = priceFootball({ home_xg: 1.55, away_xg: 1.2, rho: -0.05 }, state, { margin: 0.05 });
  assert.deepEqual(event.prices(T0 + 20 * MIN).markets, direct.markets, 'prices are priced at stateAt');
  // A goal confirmed by both sources: the image follows, with no page code applying ops.
  const cps = Object.fromEntries(live.checkpoints.map((c) => [c.label, c]));
  const reopened = cps['31:00 1-0 reopened'];
  for (const d of live.deltas.slice(1, reopened.after_deltas)) event.applyDelta(hexBytes(d.bytes));
  assert.deepEqual(event.image.state.score, { home: 1, away: 0 });
  assert.equal(event.image.goals.length, 1);
  assert.equal(event.image.goals[0].team, 'home');
  // Each read is a fresh copy: changing it changes nothing in the engine.
  event.image.state.score.home = 7;
  assert.equal(event.image.state.score.home, 1);
  for (const t of [-1, 1.5, '1', undefined]) {
    assert.throws(() => event.stateAt(t), (e) => e instanceof InplayError && e.code === 'invalid_argument', String(t));
  }
  event.free();
  assert.throws(() => event.image, (e) => e instanceof InplayError && e.code === 'disposed');
  assert.throws(() => event.stateAt(T0), (e) => e instanceof InplayError && e.code === 'disposed');
});

test('checkBet warns exactly as the edge would', () => {
  const event = eventAfter(1);
  const now = T0 + 20 * MIN;
  const offered = home(event.prices(now)).odds;
  const slip = { bet_id: 'b1', user_id: 'u1', market: '1x2', selection: 'home', stake: 1_000, price: offered, seen_version: event.version };
  assert.equal(event.checkBet(slip, now), offered);
  const code = (s) => {
    try {
      event.checkBet(s, now);
      return 'accepted';
    } catch (e) {
      assert.ok(e instanceof InplayError);
      return e.code;
    }
  };
  assert.equal(code({ ...slip, price: offered + 0.5 }), 'price_changed');
  assert.equal(code({ ...slip, price: offered + 0.5, policy: 'any' }), 'accepted');
  assert.equal(code({ ...slip, stake: 1 }), 'stake_too_low');
  assert.equal(code({ ...slip, market: 'total:9.5' }), 'unknown_market');
  assert.equal(code({ ...slip, seen_version: { epoch: 2, seq: 1 } }), 'stale_version');
  assert.equal(code({ ...slip, bet_id: '' }), 'invalid_request');
  assert.equal(code({ ...slip, market: 'nonsense' }), 'invalid_request');
  assert.equal(code({ ...slip, stake: -5 }), 'invalid_request');
  assert.equal(code({ ...slip, stake: 1.5 }), 'invalid_request');
  assert.equal(code({ ...slip, policy: 'maybe' }), 'invalid_request');
  assert.equal(code({ bet_id: 'b1' }), 'invalid_request');
  assert.equal(code(undefined), 'invalid_request');
  // A slip whose getter throws, or that cannot be copied, is refused before the wasm reads it, and
  // the event keeps working.
  assert.equal(code({ ...slip, get stake() { throw new Error('boom'); } }), 'invalid_request');
  assert.equal(code({ ...slip, stake: () => 1 }), 'invalid_request');
  assert.equal(code(new Proxy(slip, {})), 'invalid_request');
  assert.equal(event.checkBet(slip, now), offered);
  assert.equal(event.applyDelta(hexBytes(live.deltas[1].bytes)).seq, 2);
});

test('deltas out of order and bad bytes are refused without breaking the event', () => {
  const event = eventAfter(0);
  const second = hexBytes(live.deltas[1].bytes);
  assert.throws(() => event.applyDelta(second), (e) => e instanceof InplayError && e.code === 'out_of_order');
  const atSnapshot = event.atMs;
  assert.throws(() => event.applyDelta(new Uint8Array([1, 2, 3])), (e) => e.code === 'malformed');
  assert.throws(() => event.applyDelta('00ff'), (e) => e.code === 'invalid_argument');
  assert.throws(() => event.applyDelta([1, 2]), (e) => e.code === 'invalid_argument');
  assert.equal(event.version.seq, 0);
  assert.equal(event.atMs, atSnapshot, 'a refused delta leaves the time held');
  event.applyDelta(hexBytes(live.deltas[0].bytes));
  assert.equal(event.version.seq, 1);
  // Applied once, the same delta no longer follows.
  assert.throws(() => event.applyDelta(hexBytes(live.deltas[0].bytes)), (e) => e.code === 'out_of_order');
  for (const t of [-1, 1.5, NaN, Infinity, '1', undefined, 2 ** 60]) {
    assert.throws(() => event.prices(t), (e) => e instanceof InplayError && e.code === 'invalid_argument', String(t));
  }
  assert.throws(() => event.prices(10n), (e) => e instanceof InplayError && e.code === 'invalid_argument');
  assert.ok(event.prices(T0).markets.length > 10);
});

test('snapshots: bad bytes refused, construction only through fromSnapshot, free is final', () => {
  assert.throws(() => LiveEvent.fromSnapshot(new Uint8Array([0xff, 0xff, 0xff])), (e) => e instanceof InplayError && e.code === 'malformed');
  assert.throws(() => LiveEvent.fromSnapshot(new Uint8Array()), (e) => e.code === 'malformed');
  assert.throws(() => LiveEvent.fromSnapshot(live.snapshot), (e) => e.code === 'invalid_argument');
  assert.throws(() => new LiveEvent(), (e) => e instanceof InplayError && e.code === 'invalid_argument');
  const event = eventAfter(2);
  event.free();
  event.free();
  assert.throws(() => event.prices(T0), (e) => e instanceof InplayError && e.code === 'disposed');
  assert.throws(() => event.version, (e) => e.code === 'disposed');
  if (typeof Symbol.dispose === 'symbol') {
    const other = eventAfter(1);
    other[Symbol.dispose]();
    assert.throws(() => other.marketStatus(T0), (e) => e.code === 'disposed');
  }
  // Many events side by side, freed or collected: the module keeps working.
  for (let i = 0; i < 200; i++) eventAfter(live.deltas.length).prices(T0 + 70 * MIN);
  assert.equal(priceFootball({ home_xg: 1, away_xg: 1 }).markets[0].key, '1x2');
});

test('decodeFrame reads the edge socket frames and hands LiveEvent their bytes', () => {
  const snapshot = hexBytes(live.snapshot);
  const delta = hexBytes(live.deltas[0].bytes);
  // Frame = kind byte + postcard: snapshot frames carry region, shard and server time first.
  const region = new TextEncoder().encode('eu');
  const snapshotFrame = new Uint8Array([1, region.length, ...region, 7, 0x2a, ...snapshot]);
  const s = decodeFrame(snapshotFrame);
  assert.equal(s.kind, 'snapshot');
  assert.equal(s.region, 'eu');
  assert.equal(s.shard, 7);
  assert.equal(s.server_ms, 42);
  assert.deepEqual(s.snapshot.version, { epoch: 3, seq: 0 });
  assert.equal(s.snapshot.image.fixture.home, 'Home FC');
  assert.deepEqual(s.bytes, snapshot);
  const d = decodeFrame(new Uint8Array([2, ...delta]));
  assert.equal(d.kind, 'delta');
  // A delta frame carries its seq and its time relative to the version before; the event it
  // follows reads the epoch and the time from what it holds.
  assert.equal(d.delta.seq, live.deltas[0].version.seq);
  assert.equal(s.snapshot.at_ms + d.delta.offset_ms, live.deltas[0].at_ms);
  assert.ok(d.delta.ops.length > 0);
  assert.deepEqual(d.bytes, delta);
  const event = LiveEvent.fromSnapshot(s.bytes);
  assert.equal(event.atMs, s.snapshot.at_ms);
  assert.deepEqual(event.applyDelta(d.bytes), live.deltas[0].version);
  assert.equal(event.atMs, live.deltas[0].at_ms);
  const h = decodeFrame(new Uint8Array([3, 0x2a, 3, 9]));
  assert.deepEqual(h, { kind: 'heartbeat', server_ms: 42, version: { epoch: 3, seq: 9 } });
  for (const bad of [new Uint8Array(), new Uint8Array([9, 1]), new Uint8Array([2, 0xff])]) {
    assert.throws(() => decodeFrame(bad), (e) => e instanceof InplayError && e.code === 'malformed');
  }
  assert.throws(() => decodeFrame('0102'), (e) => e instanceof InplayError && e.code === 'invalid_argument');
});
