#!/usr/bin/env node
// Benchmark of the BUILT package in Node, and penaltyblog (Python) on the comparable job in the same
// run, so the ratio is measured on one machine at one time. Creates the git-ignored venv at the repo
// root (.venv, penaltyblog 1.13.1) when missing.
//
//   npm run bench -w @inplay/engine       (after npm run build -w @inplay/engine)
//   INPLAY_BENCH_NO_PYTHON=1 ...           Node only
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { LiveEvent, priceFootball } from '@inplay/engine';
import * as raw from '../dist/inplay_wasm.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..', '..');
const PENALTYBLOG = '1.13.1';

const hex = (s) => Uint8Array.from(s.match(/../g).map((h) => parseInt(h, 16)));
const live = JSON.parse(readFileSync(join(root, 'engine', 'tests', 'golden', 'live.json'), 'utf8'));

/**
 * µs per call over `runs` timed batches after a warm-up, each call at a new argument: the fastest
 * batch (the figure least disturbed by other work on a shared machine; the median is in the JSON).
 */
function perCall(f, { batch = 2_000, runs = 15 } = {}) {
  for (let i = 0; i < batch; i++) f(i);
  const times = [];
  let k = 0;
  for (let r = 0; r < runs; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) f(k++);
    times.push(Number(process.hrtime.bigint() - t) / 1e3 / batch);
  }
  times.sort((a, b) => a - b);
  medians.push(times[runs >> 1]);
  return times[0];
}
const medians = [];

// A live event in the second half (1-0, a red card) with the edge's default 5 % margin: every market.
const event = LiveEvent.fromSnapshot(hex(live.snapshot));
const rawEvent = raw.RawLiveEvent.fromSnapshot(hex(live.snapshot));
for (const d of live.deltas) {
  event.applyDelta(hex(d.bytes));
  rawEvent.applyDelta(hex(d.bytes));
}
const t0 = live.checkpoints.at(-2).now_ms;
const book = event.prices(t0);
const selections = book.markets.reduce((n, m) => n + m.selections.length, 0);

const params = { home_xg: 1.6, away_xg: 1.1 };
const neutral = { ...params, score_state: { trailing_by_one: 1, trailing_by_two_plus: 1 } };
const inPlay = (i) => ({ score: { home: 1, away: 0 }, period: 'second_half', clock_ms: 3_600_000 + i });

const results = {
  node: process.version,
  markets: book.markets.length,
  selections,
  // Each call one ms later: the clock moves, so nothing can be cached.
  live_prices_us: perCall((i) => event.prices(t0 + i)),
  live_prices_wasm_only_us: perCall((i) => rawEvent.prices(t0 + i)),
  // The same reprice with every selection then built as a plain object (the CLI's shape).
  live_prices_markets_us: perCall((i) => event.prices(t0 + i).markets),
  price_football_in_play_us: perCall((i) => priceFootball(params, inPlay(i))),
  price_football_pre_match_us: perCall(() => priceFootball(params)),
  price_football_pre_match_neutral_us: perCall(() => priceFootball(neutral)),
};

function python() {
  const py = join(root, '.venv', 'bin', 'python');
  if (!existsSync(py)) {
    console.error(`bench: creating ${join(root, '.venv')}`);
    execFileSync('python3', ['-m', 'venv', join(root, '.venv')], { stdio: 'inherit' });
  }
  try {
    execFileSync(py, ['-c', 'import penaltyblog'], { stdio: 'ignore' });
  } catch {
    console.error(`bench: installing penaltyblog ${PENALTYBLOG} into .venv`);
    execFileSync(py, ['-m', 'pip', 'install', '--quiet', `penaltyblog==${PENALTYBLOG}`], { stdio: 'inherit' });
  }
  return JSON.parse(execFileSync(py, [join(here, 'penaltyblog_book.py')], { encoding: 'utf8' }));
}

results.medians_us = medians;

if (!process.env.INPLAY_BENCH_NO_PYTHON) {
  const pb = python();
  results.penaltyblog = pb.penaltyblog;
  results.penaltyblog_poisson_us = pb.poisson_us;
  results.penaltyblog_dixon_coles_us = pb.dixon_coles_us;
  // Like for like: pre-match, independent Poisson; penaltyblog prices fewer markets than we do.
  results.ratio_penaltyblog_over_engine = pb.poisson_us / results.price_football_pre_match_neutral_us;
}

const f = (x) => (typeof x === 'number' ? x.toFixed(x < 10 ? 2 : 1) : x);
console.log(`@inplay/engine in Node ${results.node}: ${results.markets} markets, ${selections} selections per book`);
console.log(`  LiveEvent.prices(nowMs), in play, offered:  ${f(results.live_prices_us)} µs/call (of which wasm ${f(results.live_prices_wasm_only_us)} µs, the rest copying the numbers out)`);
console.log(`    … then .markets (every selection an object): ${f(results.live_prices_markets_us)} µs/call`);
console.log(`  priceFootball, in play 60:00 1-0:          ${f(results.price_football_in_play_us)} µs/call`);
console.log(`  priceFootball, pre-match:                  ${f(results.price_football_pre_match_us)} µs/call`);
console.log(`  priceFootball, pre-match neutral:          ${f(results.price_football_pre_match_neutral_us)} µs/call`);
if (results.penaltyblog) {
  console.log(`penaltyblog ${results.penaltyblog} grid + 1X2/BTTS/25 totals/25 handicaps: ${f(results.penaltyblog_poisson_us)} µs/call (Dixon–Coles ${f(results.penaltyblog_dixon_coles_us)} µs)`);
  console.log(`  ratio penaltyblog / priceFootball pre-match neutral: ${f(results.ratio_penaltyblog_over_engine)}×`);
}
console.log(JSON.stringify(results));
