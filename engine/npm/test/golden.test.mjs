// The shared golden vectors (engine/tests/golden/*.json, written and checked natively by
// engine/tests/golden.rs) against the BUILT package: every number bit for bit.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as full from '@inplay/engine';
import * as lite from '@inplay/engine/live';
import { priceFootball } from '@inplay/engine';
import { bits, golden, hexBytes, toBits } from './helpers.mjs';

/** Deep equality with a path to the first difference, so a failure names the price that moved. */
function sameBits(got, want, at = '') {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${at}: not an array`);
    assert.equal(got.length, want.length, `${at}: length`);
    want.forEach((w, i) => sameBits(got[i], w, `${at}[${i}]`));
  } else if (want !== null && typeof want === 'object') {
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${at}: fields`);
    for (const k of Object.keys(want)) sameBits(got[k], want[k], `${at}.${k}`);
  } else {
    assert.equal(got, want, `${at}: bits differ`);
  }
}

test('football.json: priceFootball reproduces every price bit for bit', () => {
  const { cases } = golden('football.json');
  assert.ok(cases.length >= 15);
  let numbers = 0;
  for (const c of cases) {
    const book = priceFootball(c.params, c.state, c.offer);
    sameBits(toBits(book), c.book, c.name);
    numbers += JSON.stringify(c.book).split('"').length;
  }
  assert.ok(numbers > 10_000);
});

test('football.json: the book keeps the CLI field order', () => {
  const { cases } = golden('football.json');
  const book = priceFootball(cases[0].params, cases[0].state, cases[0].offer);
  for (const m of book.markets) {
    assert.deepEqual(Object.keys(m), ['key', 'selections']);
    for (const s of m.selections) {
      const order = ['key', 'prob', 'outcomes', 'fair_odds', 'odds'].filter((k) => k in s);
      assert.deepEqual(Object.keys(s), order);
    }
  }
});

// Both entries: the live build is the same engine less the modelling functions, so the same bits.
for (const [entry, { InplayError, LiveEvent }] of [['@inplay/engine', full], ['@inplay/engine/live', lite]]) {
  test(`live.json: snapshot + deltas reprice, report statuses and check bets bit for bit (${entry})`, () => {
    liveGolden(InplayError, LiveEvent);
  });
}

function liveGolden(InplayError, LiveEvent) {
  const live = golden('live.json');
  const event = LiveEvent.fromSnapshot(hexBytes(live.snapshot));
  let applied = 0;
  for (const cp of live.checkpoints) {
    while (applied < cp.after_deltas) {
      const d = live.deltas[applied++];
      assert.deepEqual(event.applyDelta(hexBytes(d.bytes)), d.version);
    }
    assert.deepEqual(event.version, cp.version, cp.label);
    sameBits(toBits({ markets: event.prices(cp.now_ms).markets }), cp.book, cp.label);
    const statuses = event.marketStatus(cp.now_ms);
    assert.deepEqual(statuses, cp.market_status, cp.label);
    // In book order (the golden file's JSON object is sorted by key).
    assert.deepEqual(Object.keys(statuses), event.prices(cp.now_ms).markets.map((m) => m.key));
    for (const { slip, expect } of cp.bets) {
      if ('price' in expect) {
        assert.equal(bits(event.checkBet(slip, cp.now_ms)), expect.price, `${cp.label} ${slip.bet_id}`);
      } else {
        assert.throws(
          () => event.checkBet(slip, cp.now_ms),
          (e) => e instanceof InplayError && e.code === expect.code,
          `${cp.label} ${slip.bet_id}: expected ${expect.code}`,
        );
      }
    }
  }
  assert.equal(applied, live.deltas.length);
  event.free();
}
