// Every exported function of the BUILT package (dist/, through package.json "exports"), its error
// codes, and the rule that a bad call never breaks the module. Run `npm run build` first.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import * as engine from '@inplay/engine';
import {
  InplayError,
  applyMargin,
  betStatus,
  clockAt,
  fitFootball,
  formatOdds,
  fromAmerican,
  fromHongKong,
  fromIndonesian,
  fromMalay,
  impliedProbabilities,
  ladderRoundDown,
  ladderRoundNearest,
  ladderRoundUp,
  netWin,
  parseOdds,
  payout,
  priceFootball,
  toAmerican,
  toFractional,
  toHongKong,
  toIndonesian,
  toMalay,
  version,
} from '@inplay/engine';

const PARAMS = { home_xg: 1.6, away_xg: 1.1 };

/** Asserts `f` throws an InplayError with `code`, and returns it. */
function throwsCode(f, code) {
  let caught;
  assert.throws(f, (e) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof InplayError, `expected InplayError, got ${caught}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'InplayError');
  assert.equal(caught.code, code, caught.message);
  assert.equal(typeof caught.message, 'string');
  assert.ok(caught.message.length > 0);
  return caught;
}

/** After a failed call the module must still price (a panic would have poisoned the instance). */
function stillWorks() {
  const book = priceFootball(PARAMS);
  assert.equal(book.markets[0].key, '1x2');
}

test('exports exactly the documented API', () => {
  assert.deepEqual(Object.keys(engine).sort(), [
    'InplayError', 'LiveEvent', 'PriceBook', 'applyMargin', 'betStatus', 'clockAt', 'decodeFrame', 'fitFootball',
    'formatOdds', 'fromAmerican', 'fromHongKong', 'fromIndonesian', 'fromMalay', 'impliedProbabilities',
    'ladderRoundDown', 'ladderRoundNearest', 'ladderRoundUp', 'netWin', 'parseOdds', 'payout', 'priceFootball',
    'priceTennis', 'sports', 'toAmerican', 'toFractional', 'toHongKong', 'toIndonesian', 'toMalay', 'version',
  ]);
});

describe('priceTennis', () => {
  const TENNIS = { serve_a: 0.66, serve_b: 0.62, best_of: 3 };
  test('a book of every tennis market, in the CLI shape, summing to one', () => {
    const book = engine.priceTennis(TENNIS);
    const keys = book.markets.map((m) => m.key);
    for (const k of ['match_winner', 'set_betting', 'set_winner', 'next_set_winner', 'game_winner', 'total_sets:2.5',
      'tiebreak', 'total_games:22.5', 'game_handicap:-3.5']) {
      assert.ok(keys.includes(k), k);
    }
    const [a, b] = book.markets[0].selections;
    assert.deepEqual([a.key, b.key], ['a', 'b']);
    assert.ok(Math.abs(a.prob + b.prob - 1) < 1e-12);
    assert.ok(a.prob > 0.5, 'the better server is the favourite');
  });

  test('a score moves the price; the offer puts a margin on it', () => {
    const ahead = engine.priceTennis(TENNIS, { sets: [1, 0], games: [5, 0], points: [3, 0], server: 'a', earlier: { games: [6, 0], tiebreaks: 0 } }, { margin: 0.05 });
    const a = ahead.markets[0].selections[0];
    assert.ok(a.prob > 0.95, `${a.prob}`);
    assert.ok(a.odds === undefined || a.odds <= a.fair_odds);
    const level = engine.priceTennis(TENNIS, null, { margin: 0.05 }).markets[0].selections[0];
    assert.ok(level.odds > 1 && level.odds < level.fair_odds);
  });

  test('bad input is a typed error', () => {
    const code = (f) => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof InplayError);
        return e.code;
      }
      return 'no error';
    };
    assert.equal(code(() => engine.priceTennis({ ...TENNIS, serve_a: 1.2 })), 'invalid_params');
    assert.equal(code(() => engine.priceTennis({ ...TENNIS, best_of: 4 })), 'invalid_params');
    assert.equal(code(() => engine.priceTennis({ ...TENNIS, speed: 1 })), 'invalid_params');
    assert.equal(code(() => engine.priceTennis(TENNIS, { games: [7, 2], server: 'a' })), 'invalid_state');
    assert.equal(code(() => engine.priceTennis(TENNIS, { server: 'c' })), 'invalid_state');
    assert.equal(code(() => engine.priceTennis(TENNIS, null, { margin: 2 })), 'invalid_margin');
  });
});

test('version is the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.equal(version, pkg.version);
});

describe('priceFootball', () => {
  test('pre-match book has the CLI structure and consistent prices', () => {
    const book = priceFootball(PARAMS);
    assert.deepEqual(Object.keys(book), ['markets']);
    const keys = book.markets.map((m) => m.key);
    for (const k of ['1x2', 'double_chance', 'draw_no_bet', 'total:2.5', 'ah:-0.25', 'btts', 'correct_score',
      'team_total:home:1.5', 'next_goal', 'ht_1x2', 'ht_total:0.5', 'rest_of_match']) {
      assert.ok(keys.includes(k), k);
    }
    const [home, draw, away] = book.markets[0].selections;
    assert.deepEqual([home.key, draw.key, away.key], ['home', 'draw', 'away']);
    assert.deepEqual(Object.keys(home), ['key', 'prob', 'fair_odds']);
    assert.ok(Math.abs(home.prob + draw.prob + away.prob - 1) < 1e-12);
    assert.equal(home.fair_odds, 1 / home.prob);
    assert.ok(home.prob > away.prob);
    const over = book.markets.find((m) => m.key === 'total:2.5').selections[0];
    assert.equal(over.key, 'over');
    assert.deepEqual(Object.keys(over), ['key', 'outcomes', 'fair_odds']);
    assert.deepEqual(Object.keys(over.outcomes), ['win', 'half_win', 'push', 'half_lose', 'lose']);
  });

  test('state moves prices; offered odds appear with a margin and sit on the ladder', () => {
    const state = { score: { home: 1, away: 0 }, period: 'second_half', clock_ms: 3_600_000 };
    const fair = priceFootball(PARAMS, state);
    const pre = priceFootball(PARAMS);
    assert.ok(fair.markets[0].selections[0].prob > pre.markets[0].selections[0].prob);
    // First-half markets are gone in the second half.
    assert.ok(!fair.markets.some((m) => m.key === 'ht_1x2'));
    const offered = priceFootball(PARAMS, state, { margin: 0.05, method: 'power' });
    for (const m of offered.markets) {
      for (const s of m.selections) {
        if (s.odds === undefined) continue;
        assert.equal(ladderRoundDown(s.odds), s.odds, `${m.key}/${s.key} off the ladder`);
        // In a partition (1X2) every offered price is shorter than the fair one.
        if (m.key === '1x2') assert.ok(s.odds <= s.fair_odds, `${m.key}/${s.key}`);
      }
    }
    assert.ok(offered.markets[0].selections.every((s) => typeof s.odds === 'number'));
    // Margin defaults to multiplicative; null state = pre-match.
    assert.deepEqual(priceFootball(PARAMS, null, { margin: 0.05 }), priceFootball(PARAMS, undefined, { margin: 0.05, method: 'multiplicative' }));
  });

  test('impossible selections have null fair odds, as in the CLI JSON', () => {
    const book = priceFootball(PARAMS, { score: { home: 2, away: 0 }, period: 'second_half', clock_ms: 4_000_000 });
    const cs = book.markets.find((m) => m.key === 'correct_score');
    assert.ok(!cs.selections.some((s) => s.key === '0-0'), 'scores already passed are not listed');
    const btts = book.markets.find((m) => m.key === 'total:1.5');
    assert.equal(btts.selections[1].key, 'under');
    assert.equal(btts.selections[1].fair_odds, null);
    assert.equal(JSON.stringify(btts.selections[1]).includes('"fair_odds":null'), true);
  });

  test('errors carry the engine codes', () => {
    assert.match(throwsCode(() => priceFootball({ home_xg: -1, away_xg: 1 }), 'invalid_params').message, /home_xg/);
    throwsCode(() => priceFootball({ home_xg: 1 }), 'invalid_params');
    throwsCode(() => priceFootball({ home_xg: '1', away_xg: 1 }), 'invalid_params');
    throwsCode(() => priceFootball({ home_xg: 1, away_xg: 1, homeXg: 2 }), 'invalid_params');
    throwsCode(() => priceFootball(undefined), 'invalid_params');
    throwsCode(() => priceFootball({ home_xg: NaN, away_xg: 1 }), 'invalid_params');
    // Misspelt fields are refused, as the CLI refuses them (deny_unknown_fields), never ignored.
    assert.match(throwsCode(() => priceFootball(PARAMS, { clockMs: 3_600_000 }), 'invalid_state').message, /unknown field `clockMs`/);
    throwsCode(() => priceFootball({ ...PARAMS, profile: { ramp: 1.2, rampe: 1 } }), 'invalid_params');
    throwsCode(() => priceFootball(PARAMS, null, { margin: 0.05, methd: 'power' }), 'invalid_margin');
    const cyclic = { ...PARAMS };
    cyclic.self = cyclic;
    throwsCode(() => priceFootball(cyclic), 'invalid_params');
    const deep = { ramp: 1.2 };
    deep.profile = deep;
    throwsCode(() => priceFootball({ ...PARAMS, profile: deep }), 'invalid_params');
    throwsCode(() => priceFootball(PARAMS, { clock_ms: -5 }), 'invalid_state');
    throwsCode(() => priceFootball(PARAMS, { clock_ms: 1.5 }), 'invalid_state');
    throwsCode(() => priceFootball(PARAMS, { clock_ms: 10 * 3_600_000 }), 'invalid_state');
    throwsCode(() => priceFootball(PARAMS, { period: 'extra_time' }), 'invalid_state');
    throwsCode(() => priceFootball(PARAMS, { score: { home: 40, away: 0 } }), 'invalid_state');
    throwsCode(() => priceFootball(PARAMS, null, { margin: 1.5 }), 'invalid_margin');
    throwsCode(() => priceFootball(PARAMS, null, { margin: 0.05, method: 'fancy' }), 'unknown_method');
    throwsCode(() => priceFootball(PARAMS, null, { margin: '5%' }), 'invalid_margin');
    stillWorks();
  });
});

describe('margins', () => {
  test('impliedProbabilities matches penaltyblog (engine/tests/odds.rs pins)', () => {
    const shin = impliedProbabilities([2.1, 3.4, 3.6], 'shin');
    assert.equal(shin.method, 'shin');
    assert.ok(Math.abs(shin.margin - 0.04808590102707733) < 1e-15);
    const want = [0.45866571596108546, 0.27873763713246247, 0.2625966469055397];
    shin.probs.forEach((p, i) => assert.ok(Math.abs(p - want[i]) < 2e-12, `${p} vs ${want[i]}`));
    assert.ok(Math.abs(shin.k - 0.024082836732655023) < 2e-12);
    const mult = impliedProbabilities([2.1, 3.4, 3.6]);
    assert.equal(mult.method, 'multiplicative');
    assert.equal(mult.k, null);
    assert.deepEqual(mult.probs, [0.4543429844097996, 0.28062360801781744, 0.26503340757238314]);
    assert.deepEqual(Object.keys(mult), ['probs', 'margin', 'method', 'k']);
  });

  test('applyMargin inverts impliedProbabilities for every method', () => {
    for (const method of ['multiplicative', 'additive', 'power', 'shin', 'odds_ratio']) {
      const odds = applyMargin([0.5, 0.3, 0.2], 0.05, method);
      assert.equal(odds.length, 3);
      const overround = odds.reduce((a, o) => a + 1 / o, 0) - 1;
      assert.ok(Math.abs(overround - 0.05) < 1e-12, `${method}: ${overround}`);
      const back = impliedProbabilities(odds, method).probs;
      back.forEach((p, i) => assert.ok(Math.abs(p - [0.5, 0.3, 0.2][i]) < 1e-9, `${method}: ${p}`));
    }
  });

  test('margin errors', () => {
    throwsCode(() => impliedProbabilities([2.0]), 'too_few_outcomes');
    throwsCode(() => impliedProbabilities([2.0, 1.0]), 'invalid_odds');
    throwsCode(() => impliedProbabilities([2.0, NaN]), 'invalid_odds');
    throwsCode(() => impliedProbabilities([2.0, '3']), 'invalid_odds');
    throwsCode(() => impliedProbabilities('2.0,3.0'), 'invalid_odds');
    throwsCode(() => impliedProbabilities(undefined), 'invalid_odds');
    throwsCode(() => impliedProbabilities([2.0, 2.0], 'fancy'), 'unknown_method');
    throwsCode(() => impliedProbabilities([2.0, 2.0], 7), 'unknown_method');
    throwsCode(() => impliedProbabilities([1.2, 1.3, 50], 'additive'), 'negative_probability');
    throwsCode(() => applyMargin([0.5, 0.5], 1.2), 'invalid_margin');
    throwsCode(() => applyMargin([0.5, 0.6], 0.05), 'invalid_probabilities');
    throwsCode(() => applyMargin([1], 0.05), 'too_few_outcomes');
    throwsCode(() => applyMargin([0.99, 0.01], 0.5, 'multiplicative'), 'margin_unattainable');
    throwsCode(() => applyMargin([0.5, 0.5], 10n), 'invalid_margin');
    throwsCode(() => applyMargin([0.5, 0.5], '0.05'), 'invalid_margin');
    throwsCode(() => applyMargin([0.5, 10n], 0.05), 'invalid_probabilities');
    stillWorks();
  });
});

describe('fitFootball', () => {
  test('recovers the parameters that priced a book', () => {
    const truth = { home_xg: 1.7, away_xg: 1.05, rho: -0.06, score_state: { trailing_by_one: 1, trailing_by_two_plus: 1 } };
    const book = priceFootball(truth);
    const fair = (key, sel) => book.markets.find((m) => m.key === key).selections.find((s) => s.key === sel).fair_odds;
    const fit = fitFootball(
      {
        home: fair('1x2', 'home'), draw: fair('1x2', 'draw'), away: fair('1x2', 'away'),
        total: { line: 2.5, over: fair('total:2.5', 'over'), under: fair('total:2.5', 'under') },
      },
      { dixon_coles: true, score_state: truth.score_state },
    );
    assert.deepEqual(Object.keys(fit), ['home_xg', 'away_xg', 'rho', 'residual']);
    assert.ok(Math.abs(fit.home_xg - 1.7) < 1e-6, `${fit.home_xg}`);
    assert.ok(Math.abs(fit.away_xg - 1.05) < 1e-6, `${fit.away_xg}`);
    assert.ok(Math.abs(fit.rho + 0.06) < 1e-6, `${fit.rho}`);
    assert.ok(fit.residual < 1e-9);
    const simple = fitFootball({ home: 2.1, draw: 3.4, away: 3.6 });
    assert.equal(simple.rho, 0);
    assert.ok(simple.home_xg > simple.away_xg);
  });

  test('fit errors', () => {
    throwsCode(() => fitFootball({ home: 2.1, draw: 3.4, away: 3.6 }, { dixon_coles: true }), 'needs_total');
    throwsCode(() => fitFootball({ home: 2.1, draw: 0.5, away: 3.6 }), 'invalid_odds');
    throwsCode(() => fitFootball({ home: 2.1, draw: 3.4, away: 3.6, total: { line: 2.3, over: 1.9, under: 1.9 } }), 'invalid_line');
    throwsCode(() => fitFootball({ home: 2.1, draw: 3.4 }), 'invalid_odds');
    throwsCode(() => fitFootball({ home: 2.1, draw: 3.4, away: 3.6 }, { method: 'fancy' }), 'invalid_params');
    stillWorks();
  });
});

describe('odds formats and ladder', () => {
  test('conversions', () => {
    assert.equal(formatOdds(2.5, 'decimal'), '2.50');
    assert.equal(formatOdds(2.5, 'fractional'), '6/4');
    assert.equal(formatOdds(1.5, 'american'), '-200');
    assert.equal(formatOdds(2.5, 'hong_kong'), '1.50');
    assert.equal(formatOdds(3.0, 'malay'), '-0.50');
    assert.equal(formatOdds(1.5, 'indonesian'), '-2.00');
    assert.equal(parseOdds('6/4', 'fractional'), 2.5);
    assert.equal(parseOdds('evs', 'fractional'), 2.0);
    assert.equal(parseOdds('+150', 'american'), 2.5);
    assert.equal(parseOdds(' 2.5 ', 'decimal'), 2.5);
    assert.deepEqual(toFractional(2.5), { num: 6, den: 4 });
    assert.deepEqual(toFractional(1.67), { num: 4, den: 6 });
    assert.equal(toAmerican(2.5), 150);
    assert.equal(toAmerican(1.5), -200);
    assert.equal(fromAmerican(-200), 1.5);
    assert.equal(fromAmerican(150), 2.5);
    assert.equal(toHongKong(2.5), 1.5);
    assert.equal(fromHongKong(1.5), 2.5);
    assert.equal(toMalay(1.5), 0.5);
    assert.equal(toMalay(3), -0.5);
    assert.equal(fromMalay(-0.5), 3);
    assert.equal(toIndonesian(1.5), -2);
    assert.equal(fromIndonesian(-2), 1.5);
    assert.equal(fromIndonesian(1.5), 2.5);
  });

  test('ladder rounding', () => {
    assert.equal(ladderRoundDown(2.037), 2.02);
    assert.equal(ladderRoundUp(2.037), 2.04);
    assert.equal(ladderRoundNearest(2.031), 2.04);
    assert.equal(ladderRoundNearest(2.029), 2.02);
    assert.equal(ladderRoundDown(1.005), 1.01);
    assert.equal(ladderRoundUp(5000), 1000);
    assert.equal(ladderRoundDown(4.45), 4.4);
  });

  test('format and ladder errors', () => {
    throwsCode(() => formatOdds(0.5, 'decimal'), 'invalid_odds');
    throwsCode(() => formatOdds(2.5, 'roman'), 'invalid_format');
    throwsCode(() => formatOdds(2.5), 'invalid_format');
    throwsCode(() => parseOdds('abc', 'fractional'), 'invalid_format');
    throwsCode(() => parseOdds(2.5, 'decimal'), 'invalid_format');
    throwsCode(() => fromAmerican(50), 'invalid_odds');
    throwsCode(() => fromMalay(2), 'invalid_odds');
    throwsCode(() => fromIndonesian(0.5), 'invalid_odds');
    throwsCode(() => fromHongKong(-1), 'invalid_odds');
    throwsCode(() => toFractional(Infinity), 'invalid_odds');
    throwsCode(() => toAmerican(1), 'invalid_odds');
    throwsCode(() => ladderRoundDown(NaN), 'invalid_odds');
    throwsCode(() => ladderRoundUp(undefined), 'invalid_odds');
    throwsCode(() => ladderRoundNearest('x'), 'invalid_odds');
    throwsCode(() => ladderRoundNearest(1n), 'invalid_odds');
    throwsCode(() => ladderRoundNearest('2.5'), 'invalid_odds');
    stillWorks();
  });
});

describe('money', () => {
  test('netWin pays by the engine\'s settlement rule, in exact hundredths', () => {
    assert.equal(netWin(1000, 2.5), 1500);
    assert.equal(netWin(100, 1.13), 13, 'a float product, 100 × 0.13, floors to 12');
    assert.equal(netWin(333, 1.01), 3, 'floored');
    assert.equal(netWin(0, 2.5), 0);
    assert.equal(netWin(1e12, 1000), 999e12);
    // A computed price a hair off its hundredth (0.1 + 1.05) is that price, as the engine reads it.
    assert.equal(netWin(100, 0.1 + 1.05), 15);
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
      throwsCode(() => netWin(bad, 2), 'invalid_argument');
    }
    throwsCode(() => netWin('100', 2), 'invalid_argument');
    // Only whole hundredths above 1 are prices: money is never computed from a float.
    for (const bad of [1, 0.5, 2.125, 1.001, -2, NaN, Infinity, 1e8]) {
      throwsCode(() => netWin(1000, bad), 'invalid_price');
    }
    throwsCode(() => netWin(1000, '2.5'), 'invalid_price');
    // An amount a JS number cannot hold exactly is refused, not rounded.
    assert.equal(netWin(2 ** 53 - 1, 1.01), Math.floor((2 ** 53 - 1) / 100));
    throwsCode(() => netWin(2 ** 53 - 1, 3), 'invalid_argument');
    stillWorks();
  });

  test('payout gives each settlement result\'s whole return', () => {
    assert.equal(payout('won', 100, 1.13), 113);
    assert.equal(payout('won', 1000, 2.5), 1000 + netWin(1000, 2.5));
    assert.equal(payout('half_won', 3, 2.5), 5, '5.25 floored once');
    assert.equal(payout('half_won', 1000, 1.9), 1450);
    assert.equal(payout('half_lost', 1001, 2), 500);
    assert.equal(payout('push', 1000, 1.91), 1000);
    assert.equal(payout('void', 1000, 7.2), 1000);
    assert.equal(payout('lost', 1000, 7.2), 0);
    for (const bad of ['win', 'WON', '', 'settled', 'half-won']) throwsCode(() => payout(bad, 100, 2), 'invalid_argument');
    for (const bad of [undefined, null, 1, {}, Symbol('won')]) throwsCode(() => payout(bad, 100, 2), 'invalid_argument');
    throwsCode(() => payout('won', -5, 2), 'invalid_argument');
    throwsCode(() => payout('won', 100, 2.001), 'invalid_price');
    // A lost bet pays nothing whatever its price, but the price must still be one.
    throwsCode(() => payout('lost', 100, 1), 'invalid_price');
    throwsCode(() => payout('won', 2 ** 53 - 1, 2), 'invalid_argument');
    stillWorks();
  });
});

test('betStatus reads every wire status as the engine does', () => {
  assert.deepEqual(betStatus('accepted'), { phase: 'accepted', code: null });
  assert.deepEqual(betStatus('pending'), { phase: 'pending', code: null });
  assert.deepEqual(betStatus('rejected:price_changed'), { phase: 'rejected', code: 'price_changed' });
  assert.deepEqual(Object.keys(betStatus('rejected:stale_version')), ['phase', 'code']);
  for (const bad of ['rejected', 'rejected:nope', 'Accepted', '']) {
    const e = throwsCode(() => betStatus(bad), 'invalid_argument');
    assert.ok(e.message.includes(`\`${bad}\``), e.message);
  }
  for (const bad of [undefined, null, 3, ['accepted']]) throwsCode(() => betStatus(bad), 'invalid_argument');
  stillWorks();
});

test('clockAt runs an anchor on as the engine does', () => {
  assert.equal(clockAt({ clock_ms: 1_000, at_ms: 5_000, running: true }, 7_500), 3_500);
  assert.equal(clockAt({ clock_ms: 1_000, at_ms: 5_000, running: false }, 7_500), 1_000);
  assert.equal(clockAt({ clock_ms: 1_000, at_ms: 5_000, running: true }, 4_000), 1_000, 'never before the anchor');
  assert.equal(clockAt({ clock_ms: 3_600_000, at_ms: 1_764_240_000_000, running: true }, 1_764_240_012_000), 3_612_000);
  // An accelerated replay's anchor runs at its rate (an anchor without one runs at 1).
  assert.equal(clockAt({ clock_ms: 1_000, at_ms: 5_000, running: true, rate: 30 }, 7_500), 76_000);
  assert.equal(clockAt({ clock_ms: 1_000, at_ms: 5_000, running: false, rate: 30 }, 7_500), 1_000);
  assert.equal(clockAt({ clock_ms: 1_000, at_ms: 5_000, running: true, rate: 1 }, 7_500), 3_500);
  for (const rate of [-1, 1.5, '30', null, 2 ** 32]) {
    throwsCode(() => clockAt({ clock_ms: 0, at_ms: 0, running: true, rate }, 0), 'invalid_argument');
  }
  for (const bad of [null, undefined, 5, 'anchor']) throwsCode(() => clockAt(bad, 0), 'invalid_argument');
  const anchor = { clock_ms: 0, at_ms: 0, running: true };
  for (const [field, value] of [['clock_ms', -1], ['clock_ms', 1.5], ['at_ms', '0'], ['running', 1], ['running', undefined]]) {
    throwsCode(() => clockAt({ ...anchor, [field]: value }, 0), 'invalid_argument');
  }
  throwsCode(() => clockAt(anchor, -1), 'invalid_argument');
  throwsCode(() => clockAt({ get clock_ms() { throw new Error('boom'); }, at_ms: 0, running: true }, 0), 'invalid_argument');
  // Both ends safe integers, the sum not: refused rather than rounded.
  throwsCode(() => clockAt({ clock_ms: 2 ** 53 - 1, at_ms: 0, running: true }, 2 ** 53 - 1), 'invalid_argument');
  stillWorks();
});

test('a getter that throws while the wasm reads an option object leaves the module working', () => {
  const params = { away_xg: 1 };
  Object.defineProperty(params, 'home_xg', { enumerable: true, get() { throw new Error('boom'); } });
  const e = throwsCode(() => priceFootball(params), 'invalid_argument');
  assert.match(e.message, /boom/);
  stillWorks();
  assert.deepEqual(priceFootball({ home_xg: 1.6, away_xg: 1.1 }), priceFootball(PARAMS));
});

test('a storm of bad calls never poisons the module', () => {
  const bad = [undefined, null, 0, -1, NaN, Infinity, '', 'x', [], {}, [1, 2], { home_xg: 1e308, away_xg: 1 }, 10n, Symbol('s'), () => 1, new Uint8Array(3)];
  for (const a of bad) {
    for (const f of [priceFootball, impliedProbabilities, applyMargin, fitFootball, formatOdds, parseOdds, toFractional, ladderRoundDown, fromAmerican, netWin, payout, betStatus, clockAt]) {
      try {
        f(a, a, a);
      } catch (e) {
        assert.ok(e instanceof InplayError, `${f.name}(${String(a)}): ${e}`);
        assert.notEqual(e.code, 'internal', `${f.name}(${String(a)}): ${e.message}`);
      }
    }
  }
  stillWorks();
});
