// `@inplay/engine/live`, the build a live page imports: exactly the live API (no modelling
// functions), and the same answers as the full package.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';

import * as full from '@inplay/engine';
import * as lite from '@inplay/engine/live';

const MODELLING = ['applyMargin', 'fitFootball', 'impliedProbabilities', 'priceFootball'];

test('exports the full API less the modelling functions', () => {
  const want = Object.keys(full).filter((k) => !MODELLING.includes(k)).sort();
  assert.deepEqual(Object.keys(lite).sort(), want);
  assert.equal(lite.version, full.version);
});

test('its wasm is the smaller build', () => {
  const size = (entry) => statSync(new URL(`../dist/${entry}inplay_wasm_bg.wasm`, import.meta.url)).size;
  assert.ok(size('live/') < size(''), `${size('live/')} vs ${size('')}`);
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
