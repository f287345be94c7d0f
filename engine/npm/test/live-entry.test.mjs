// `@inplay/engine/live`, the build a football page imports: exactly the live API (no modelling
// functions, no tennis), and the same answers as the full package; `@inplay/engine/tennis`, the same
// API over a build that also runs tennis.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';

import * as full from '@inplay/engine';
import * as lite from '@inplay/engine/live';
import * as tennis from '@inplay/engine/tennis';
import { golden, hexBytes } from './helpers.mjs';

const MODELLING = ['applyMargin', 'fitFootball', 'impliedProbabilities', 'priceFootball', 'priceTennis'];

test('exports the full API less the modelling functions (both live entries)', () => {
  const want = Object.keys(full).filter((k) => !MODELLING.includes(k)).sort();
  assert.deepEqual(Object.keys(lite).sort(), want);
  assert.deepEqual(Object.keys(tennis).sort(), want);
  assert.equal(lite.version, full.version);
  assert.equal(tennis.version, full.version);
});

test('each build says which sports it runs', () => {
  assert.deepEqual(full.sports(), ['football', 'tennis']);
  assert.deepEqual(tennis.sports(), ['football', 'tennis']);
  assert.deepEqual(lite.sports(), ['football']);
});

test('the football build refuses a tennis snapshot with unsupported_sport, and reads football as before', () => {
  const { snapshot } = golden('live_tennis.json');
  const refused = (e) => e instanceof lite.InplayError && e.code === 'unsupported_sport';
  assert.throws(() => lite.LiveEvent.fromSnapshot(hexBytes(snapshot)), refused);
  // As a socket frame: kind 1, then region, shard and server time, then the snapshot.
  const frame = new Uint8Array([1, 1, 0x65, 0, 0, ...hexBytes(snapshot)]);
  assert.throws(() => lite.decodeFrame(frame), refused);
  assert.equal(tennis.decodeFrame(frame).snapshot.image.sport, 'tennis');
  const football = lite.LiveEvent.fromSnapshot(hexBytes(golden('live.json').snapshot));
  assert.equal(football.image.sport, undefined);
  football.free();
});

test('its wasm is the smallest build, and the tennis entry sits between', () => {
  const size = (entry) => statSync(new URL(`../dist/${entry}inplay_wasm_bg.wasm`, import.meta.url)).size;
  assert.ok(size('live/') < size('tennis/'), `${size('live/')} vs ${size('tennis/')}`);
  assert.ok(size('tennis/') < size(''), `${size('tennis/')} vs ${size('')}`);
});

test('formats, ladder and errors answer as the full package does', () => {
  for (const fmt of ['decimal', 'fractional', 'american', 'hong_kong', 'malay', 'indonesian']) {
    for (const d of [1.01, 1.5, 1.91, 2, 2.5, 7.77, 1000]) {
      assert.equal(lite.formatOdds(d, fmt), full.formatOdds(d, fmt), `${d} ${fmt}`);
      assert.equal(lite.parseOdds(full.formatOdds(d, fmt), fmt), full.parseOdds(full.formatOdds(d, fmt), fmt));
    }
  }
  for (const d of [1.005, 2.01, 3.33, 999]) {
    assert.equal(lite.ladderRoundDown(d), full.ladderRoundDown(d));
    assert.equal(lite.ladderRoundUp(d), full.ladderRoundUp(d));
  }
  assert.throws(() => lite.formatOdds(1, 'decimal'), (e) => e instanceof lite.InplayError && e.code === 'invalid_odds');
  assert.throws(() => lite.decodeFrame(new Uint8Array([9])), (e) => e instanceof lite.InplayError && e.code === 'malformed');
});
