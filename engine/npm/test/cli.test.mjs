// The CLI and the package agree bit for bit: `inplay price --json` (the CLI's own serde_json output)
// against priceFootball on the same inputs, compared as parsed JSON (shortest round-trip digits parse
// back to the same f64, so equal values are equal bits). Uses the CLI binary that `cargo test` or
// `cargo build -p inplay-cli` left in target/; skipped when there is none.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { priceFootball } from '@inplay/engine';
import { toBits } from './helpers.mjs';

const target = fileURLToPath(new URL('../../../target/', import.meta.url));
const cli = ['debug/inplay', 'release/inplay']
  .map((p) => target + p)
  .filter(existsSync)
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];

const NEUTRAL = { trailing_by_one: 1, trailing_by_two_plus: 1 };
const cases = [
  [[], { home_xg: 1.6, away_xg: 1.1 }, null, null],
  [['--rho', '-0.1', '--score-state', 'neutral'], { home_xg: 1.6, away_xg: 1.1, rho: -0.1, score_state: NEUTRAL }, null, null],
  [['--score', '1-0', '--clock', '60:00', '--red-away', '1'], { home_xg: 1.6, away_xg: 1.1 },
    { score: { home: 1, away: 0 }, period: 'second_half', clock_ms: 3_600_000, red_cards: { home: 0, away: 1 } }, null],
  [['--score', '0-2', '--clock', '23:30', '--margin', '0.05', '--margin-method', 'shin'], { home_xg: 2.1, away_xg: 0.9 },
    { score: { home: 0, away: 2 }, period: 'first_half', clock_ms: 1_410_000 }, { margin: 0.05, method: 'shin' }],
  [['--score', '2-2', '--period', 'ht', '--margin', '0.07'], { home_xg: 1.3, away_xg: 1.4 },
    { score: { home: 2, away: 2 }, period: 'half_time', clock_ms: 2_700_000 }, { margin: 0.07 }],
];

for (const [args, params, state, offer] of cases) {
  test(`inplay price --json ${args.join(' ')}`, { skip: cli ? false : 'no CLI binary in target/ (cargo build -p inplay-cli)' }, () => {
    const argv = ['price', '--home-xg', String(params.home_xg), '--away-xg', String(params.away_xg), ...args, '--json'];
    const fromCli = JSON.parse(execFileSync(cli, argv, { encoding: 'utf8' }));
    const fromPackage = priceFootball(params, state, offer);
    assert.deepEqual(toBits(fromPackage), toBits(fromCli));
    assert.deepEqual(fromPackage, fromCli);
  });
}
