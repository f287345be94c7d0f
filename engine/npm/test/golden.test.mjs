// The shared golden vectors (engine/tests/golden/*.json, written and checked natively by
// engine/tests/golden.rs) against the BUILT package: every price bit for bit, every amount of money
// to the minor unit, every bet status and frame as the engine reads it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as full from '@inplay/engine';
import * as lite from '@inplay/engine/live';
import * as tennisEntry from '@inplay/engine/tennis';
import { priceFootball, priceTennis } from '@inplay/engine';
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

test('tennis.json: priceTennis reproduces every price bit for bit', () => {
  const { cases } = golden('tennis.json');
  assert.ok(cases.length >= 8);
  for (const c of cases) {
    const book = priceTennis(c.params, c.state, c.offer);
    sameBits(toBits(book), c.book, c.name);
  }
});

// Every entry: the live builds are the same engine less the modelling functions (and, for `live`,
// tennis), so the same bits.
for (const [entry, api] of [['@inplay/engine', full], ['@inplay/engine/live', lite], ['@inplay/engine/tennis', tennisEntry]]) {
  test(`live.json: snapshot + deltas reprice, report statuses and check bets bit for bit (${entry})`, () => {
    liveGolden(api, 'live.json');
  });

  if (api.sports().includes('tennis')) {
    test(`live_tennis.json: a tennis match reprices, reports statuses and checks bets bit for bit (${entry})`, () => {
      liveGolden(api, 'live_tennis.json');
    });
  }

  test(`money.json: netWin and payout give every amount of the engine exactly (${entry})`, () => {
    const { stakes, cases } = golden('money.json');
    assert.equal(cases.length, 350, 'every ladder price');
    let amounts = 0;
    for (const c of cases) {
      // The decimal a page holds for a ladder price is the one the engine reads as those hundredths.
      assert.equal(c.price, c.hundredths / 100);
      stakes.forEach((stake, i) => {
        assert.equal(api.netWin(stake, c.price), c.net_win[i], `netWin(${stake}, ${c.price})`);
        amounts++;
        for (const [result, want] of Object.entries(c.payout)) {
          assert.equal(api.payout(result, stake, c.price), want[i], `payout(${result}, ${stake}, ${c.price})`);
          amounts++;
        }
      });
    }
    assert.equal(amounts, 350 * stakes.length * 7, 'net win and six results per price and stake');
  });

  test(`bets.json: betStatus reads every status as the engine, and refuses what it refuses (${entry})`, () => {
    const { read, refused } = golden('bets.json').statuses;
    assert.equal(read.length, 12);
    for (const { status, phase, code } of read) assert.deepEqual(api.betStatus(status), { phase, code }, status);
    for (const text of refused) {
      assert.throws(() => api.betStatus(text), (e) => e instanceof api.InplayError && e.code === 'invalid_argument', JSON.stringify(text));
    }
  });

  test(`bets.json: decodeFrame reads bet decisions and bet refusals as the engine wrote them (${entry})`, () => {
    const { frames } = golden('bets.json');
    assert.deepEqual(frames.map((f) => f.frame.kind), ['bet', 'bet', 'bet', 'bet_error', 'bet_error']);
    for (const { bytes, frame } of frames) {
      assert.deepEqual(api.decodeFrame(hexBytes(bytes)), frame, bytes);
    }
  });
}

function liveGolden({ InplayError, LiveEvent, clockAt }, file) {
  const live = golden(file);
  const event = LiveEvent.fromSnapshot(hexBytes(live.snapshot));
  let applied = 0;
  for (const cp of live.checkpoints) {
    while (applied < cp.after_deltas) {
      const d = live.deltas[applied++];
      assert.deepEqual(event.applyDelta(hexBytes(d.bytes)), d.version);
      // The delta's time, read from its offset against the version before it.
      assert.equal(event.atMs, d.at_ms);
    }
    assert.deepEqual(event.version, cp.version, cp.label);
    // What the page shows beside the prices: the engine's image and its clock-run state.
    assert.deepEqual(event.image, cp.image, cp.label);
    assert.deepEqual(event.stateAt(cp.now_ms), cp.state_at, cp.label);
    assert.equal(clockAt(event.image.clock, cp.now_ms), cp.clock_at, cp.label);
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
