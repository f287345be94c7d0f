// Unit tests of the page's pure modules: labels, clock words, suspension words, stakes, bet words,
// server time, price moves, connection status, chart, what a delta touched. Where a module's input
// is the engine's (a clock, a bet status, an amount), it comes from the built engine package, as on
// the page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { betStatus, clockAt, payout } from '@inplay/engine/live';

import { applyDecision, rejectReason, settlementText, statusLine, type BetRecord, type ReadDecision } from '../../src/model/bets.ts';
import { MatchChart, resultProbabilities } from '../../src/model/chart.ts';
import { clockLabel, formatClock, minuteMark } from '../../src/model/clock.ts';
import { backoffMs, connectionStatus, sinceParam } from '../../src/model/connection.ts';
import { touched } from '../../src/model/image.ts';
import { groupMarkets, groupOf, marketTitle, selectionId, selectionLabel } from '../../src/model/markets.ts';
import { formatMoney, parseStake } from '../../src/model/money.ts';
import { loadOddsFormat, PriceMoves, saveOddsFormat } from '../../src/model/odds.ts';
import { ServerClock } from '../../src/model/server-clock.ts';
import { matchSuspensionText, statusText, suspensionText } from '../../src/model/suspension.ts';
import { elapsedText, gameText, inTiebreak, outcomeText, pointCalls, scoreLine, setsWon, startLabel } from '../../src/model/tennis.ts';
import type { BetDecision, FootballImage, MarketKey, MatchState, TennisImage } from '../../src/model/wire.ts';

const fixture = { home: 'Arsenal', away: 'Chelsea', kickoff_ms: 0 };

function state(period: MatchState['period'], clock_ms = 0): MatchState {
  return { score: { home: 0, away: 0 }, period, clock_ms, red_cards: { home: 0, away: 0 }, stoppage_ms: [180_000, 360_000] };
}

function image(): FootballImage {
  return {
    event_id: 'm1',
    fixture,
    params: { home_xg: 1.5, away_xg: 1.1 },
    state: state('first_half', 600_000),
    clock: { clock_ms: 600_000, at_ms: 1_000, running: true },
    suspensions: [],
    overrides: [],
    goals: [],
    half_time: null,
    trading: { margin: 0.05, margin_method: 'multiplicative', min_stake: 10, max_stake: 1_000_000, max_selection_liability: 1, max_market_liability: 1, bet_delay_ms: 5000 },
    adjustments: [],
    abandoned: false,
  };
}

describe('markets', () => {
  it('groups every market family the engine prices', () => {
    const table: [string, string][] = [
      ['1x2', 'result'], ['double_chance', 'result'], ['draw_no_bet', 'result'], ['rest_of_match', 'result'],
      ['total:2.5', 'goals'], ['team_total:home:1.5', 'goals'], ['btts', 'goals'],
      ['ah:-0.25', 'handicaps'], ['correct_score', 'correct_score'], ['next_goal', 'next_goal'],
      ['ht_1x2', 'halves'], ['ht_total:0.5', 'halves'],
    ];
    for (const [key, group] of table) assert.equal(groupOf(key), group, key);
  });

  it('names markets and selections with the teams', () => {
    assert.equal(marketTitle('1x2', fixture), 'Match result');
    assert.equal(marketTitle('total:2.5', fixture), 'Total goals 2.5');
    assert.equal(marketTitle('team_total:away:1.5', fixture), 'Chelsea goals 1.5');
    assert.equal(marketTitle('ah:-0.25', fixture), 'Asian handicap Arsenal -0.25');
    assert.equal(marketTitle('ah:1', fixture), 'Asian handicap Arsenal +1');
    assert.equal(selectionLabel('1x2', 'home', fixture), 'Arsenal');
    assert.equal(selectionLabel('1x2', 'draw', fixture), 'Draw');
    assert.equal(selectionLabel('ah:-0.25', 'home', fixture), 'Arsenal -0.25');
    assert.equal(selectionLabel('ah:-0.25', 'away', fixture), 'Chelsea +0.25');
    assert.equal(selectionLabel('ah:0', 'away', fixture), 'Chelsea 0');
    assert.equal(selectionLabel('total:2.5', 'over', fixture), 'Over 2.5');
    assert.equal(selectionLabel('double_chance', 'draw_away', fixture), 'Draw or Chelsea');
    assert.equal(selectionLabel('correct_score', '2-1', fixture), '2 – 1');
    assert.equal(selectionLabel('correct_score', 'other', fixture), 'Any other');
    assert.equal(selectionLabel('next_goal', 'none', fixture), 'No goal');
  });

  it('keeps the engine order within groups and drops empty groups', () => {
    const m = (key: MarketKey) => ({ key, selections: [] });
    const groups = groupMarkets([m('1x2'), m('total:1.5'), m('double_chance'), m('total:2.5'), m('next_goal')]);
    assert.deepEqual(groups.map((g) => g.id), ['result', 'goals', 'next_goal']);
    assert.deepEqual(groups[0]?.markets.map((x) => x.key), ['1x2', 'double_chance']);
    assert.deepEqual(groups[1]?.markets.map((x) => x.key), ['total:1.5', 'total:2.5']);
  });

  it('makes DOM-safe selection ids', () => {
    assert.match(selectionId('ah:-0.25', 'home'), /^[A-Za-z0-9_-]+$/);
    assert.notEqual(selectionId('total:2.5', 'over'), selectionId('total:25', 'over'));
  });
});

describe('clock', () => {
  it('shows the engine\'s clock in a bettor\'s words', () => {
    // The anchor as a snapshot carries it, run on by the engine: 67:00 at 5 s, 12 s later 67:12.
    const anchor = { clock_ms: 67 * 60_000, at_ms: 5_000, running: true };
    const shown = (a: typeof anchor, period: MatchState['period'], now: number) => clockLabel(state(period, clockAt(a, now)), now);
    assert.equal(shown(anchor, 'second_half', 17_000), '67:12');
    assert.equal(shown({ ...anchor, running: false }, 'second_half', 17_000), '67:00', 'a stopped clock stays');
    assert.equal(shown(anchor, 'second_half', 1_000), '67:00', 'never before the anchor');
    assert.equal(shown({ ...anchor, clock_ms: 45 * 60_000 }, 'first_half', 135_000), '45+2:10');
  });

  it('writes running time and stoppage', () => {
    assert.equal(formatClock(67 * 60_000 + 12_000, 'second_half'), '67:12');
    assert.equal(formatClock(5_000, 'first_half'), '00:05');
    assert.equal(formatClock(47 * 60_000 + 10_000, 'first_half'), '45+2:10');
    assert.equal(formatClock(94 * 60_000 + 5_000, 'second_half'), '90+4:05');
    assert.equal(formatClock(47 * 60_000, 'second_half'), '47:00');
  });

  it('labels breaks', () => {
    assert.equal(clockLabel(state('half_time', 45 * 60_000), 0), 'HT');
    assert.equal(clockLabel(state('full_time', 94 * 60_000), 0), 'FT');
    assert.equal(clockLabel(state('pre_match'), 10, 5), 'Starting');
    assert.equal(clockLabel(state('pre_match'), 10), 'Not started');
    assert.equal(minuteMark(22 * 60_000 + 5_000), "23'");
    assert.equal(minuteMark(93 * 60_000), "90+4'");
  });
});

describe('suspensions', () => {
  it('says why, with the team where there is one', () => {
    assert.equal(suspensionText('goal', 'home', fixture), 'Goal — Arsenal');
    assert.equal(suspensionText('red_card', 'away', fixture), 'Red card — Chelsea');
    assert.equal(suspensionText('var', 'home', fixture), 'VAR check');
    assert.equal(suspensionText('feed_stale', null, fixture), 'Feed interrupted');
  });

  it('reads market statuses', () => {
    const sus = [{ reason: 'goal' as const, team: 'away' as const, since_ms: 0, until_ms: null }];
    assert.equal(statusText('suspended:goal', sus, fixture), 'Goal — Chelsea');
    assert.equal(statusText('open', sus, fixture), null);
    assert.equal(statusText('settled', [], fixture), 'Settled');
    assert.equal(statusText('void', [], fixture), 'Void — stakes returned');
    assert.equal(matchSuspensionText(sus, fixture), 'Goal — Chelsea');
    assert.equal(matchSuspensionText([], fixture), null);
  });
});

describe('money', () => {
  it('parses stakes in major units', () => {
    assert.deepEqual(parseStake('5'), { ok: true, minor: 500 });
    assert.deepEqual(parseStake('2.5'), { ok: true, minor: 250 });
    assert.deepEqual(parseStake(' £1,000.05 '), { ok: true, minor: 100005 });
    assert.deepEqual(parseStake('.75'), { ok: true, minor: 75 });
    for (const bad of ['', 'abc', '-5', '1e3', '0', '0.00', '.', '1.234']) assert.equal(parseStake(bad).ok, false, bad);
    const three = parseStake('1.234');
    assert.ok(!three.ok && /two decimal/.test(three.message));
  });

  // Returns come from the engine (`payout`, tested with the package); only formatting is ours.
  it('formats minor units exactly', () => {
    assert.equal(formatMoney(1250), '£12.50');
    assert.equal(formatMoney(2500), '£25.00');
    assert.equal(formatMoney(5), '£0.05');
    assert.equal(formatMoney(-300), '-£3.00');
    assert.equal(formatMoney(payout('won', 100, 1.13)), '£1.13');
    // Where `minor / 100` is no longer the nearest double to the pence, the text still is.
    assert.equal(formatMoney(9_007_199_254_740_901), '£90,071,992,547,409.01');
  });
});

describe('bets', () => {
  const decision = (status: string): ReadDecision => {
    const d: BetDecision = { bet_id: 'b', user_id: 'u', status: status as BetDecision['status'], price: 2.02, release_at_ms: null, version: { epoch: 1, seq: 2 }, decided_at_ms: 11 };
    return { ...d, ...betStatus(d.status) };
  };

  it('explains refusals plainly', () => {
    assert.match(rejectReason('market_suspended'), /suspended/);
    assert.match(rejectReason('price_changed'), /price changed/);
    const terms = image().trading;
    assert.equal(rejectReason('stake_too_low', terms), 'The minimum stake is £0.10.');
    assert.equal(rejectReason('stake_too_high', terms), 'The maximum stake is £10,000.00.');
    assert.match(rejectReason('overloaded'), /busy/);
  });

  it('follows decisions as the engine reads them, and never lets a late pending answer undo one', () => {
    const rec: BetRecord = {
      id: 'b', event_id: 'm1', market: '1x2', selection: 'home', title: 'Match result', label: 'Arsenal', stake: 500,
      price: 2, placed_ms: 0, status: 'pending', code: null, taken_price: null, release_at_ms: 10, settlement: null,
    };
    assert.equal(statusLine(rec), 'Pending');
    const accepted = applyDecision(rec, decision('accepted'));
    assert.equal(accepted.status, 'accepted');
    assert.equal(accepted.taken_price, 2.02);
    assert.equal(statusLine(accepted), 'Accepted');
    assert.equal(applyDecision(accepted, decision('pending')), accepted);
    const rejected = applyDecision(rec, decision('rejected:market_suspended'));
    assert.equal(rejected.status, 'rejected');
    assert.equal(rejected.code, 'market_suspended');
    assert.equal(rejected.taken_price, null);
    assert.equal(statusLine(rejected), `Rejected — ${rejectReason('market_suspended')}`);
  });

  it('shows the engine\'s settlement, and what a correction replaced', () => {
    const won = { bet_id: 'b', user_id: 'u', result: 'won' as const, payout: payout('won', 500, 2.02), correction: null };
    assert.equal(settlementText(won), 'Won £10.10');
    assert.equal(settlementText({ ...won, result: 'lost', payout: 0 }), 'Lost');
    assert.equal(settlementText({ ...won, result: 'half_lost', payout: payout('half_lost', 501, 2.02) }), 'Half lost, £2.50 back');
    const corrected = { ...won, correction: { previous_result: 'lost' as const, previous_payout: 0, difference: won.payout } };
    assert.equal(settlementText(corrected), 'Won £10.10 (corrected from Lost)');
    const rec = { status: 'accepted' as const, code: null, settlement: corrected };
    assert.equal(statusLine(rec), 'Won £10.10 (corrected from Lost)');
    assert.equal(settlementText(null), null);
  });
});

describe('server clock', () => {
  it('takes the tightest bound on the offset', () => {
    const c = new ServerClock();
    assert.equal(c.offsetMs, 0);
    c.observe(10_000, 9_000); // sent at 10 000 server time, arrived at 9 000 local: offset ≥ 1000
    c.observe(11_000, 10_200); // slower delivery: bound 800
    assert.equal(c.offsetMs, 1000);
    assert.equal(c.now(20_000), 21_000);
  });

  it('forgets old samples', () => {
    const c = new ServerClock(1000);
    c.observe(5000, 0);
    c.observe(100, 2000);
    assert.equal(c.offsetMs, -1900);
  });
});

describe('odds format and moves', () => {
  it('remembers the format', () => {
    const m = new Map<string, string>();
    const store = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
    assert.equal(loadOddsFormat(store), 'decimal');
    saveOddsFormat(store, 'fractional');
    assert.equal(loadOddsFormat(store), 'fractional');
    m.set('inplay.oddsFormat', 'klingon');
    assert.equal(loadOddsFormat(store), 'decimal');
    assert.equal(loadOddsFormat(undefined), 'decimal');
  });

  it('says which way a price moved', () => {
    const p = new PriceMoves();
    assert.equal(p.see('a', 2.0), null);
    assert.equal(p.see('a', 2.0), null);
    assert.equal(p.see('a', 2.02), 'up');
    assert.equal(p.see('a', 1.98), 'down');
    assert.equal(p.see('a', null), null);
    assert.equal(p.see('a', 1.98), null, 'a missing price does not reset the last one');
  });
});

describe('connection', () => {
  it('tells live from stale from reconnecting', () => {
    assert.equal(connectionStatus({ open: false, everLive: false, lastFrameMs: null }, 0, 1000), 'connecting');
    assert.equal(connectionStatus({ open: true, everLive: true, lastFrameMs: 500 }, 1000, 1000), 'live');
    assert.equal(connectionStatus({ open: true, everLive: true, lastFrameMs: 500 }, 2000, 1000), 'stale');
    assert.equal(connectionStatus({ open: false, everLive: true, lastFrameMs: 500 }, 2000, 1000), 'reconnecting');
  });

  it('backs off with jitter, capped', () => {
    assert.equal(backoffMs(0, () => 0.5), 250);
    assert.equal(backoffMs(3, () => 0.5), 2000);
    assert.equal(backoffMs(30, () => 0.5), 8000);
    assert.equal(backoffMs(0, () => 0), 200);
    assert.equal(backoffMs(0, () => 1), 300);
    assert.equal(sinceParam({ epoch: 3, seq: 17 }), '3:17');
    assert.equal(sinceParam(null), null);
  });
});

describe('chart', () => {
  it('samples routine points sparsely and event points always', () => {
    const c = new MatchChart(10_000);
    const p = (clockMs: number) => ({ clockMs, home: 0.5, draw: 0.3, away: 0.2 });
    assert.ok(c.add(p(0)));
    assert.ok(!c.add(p(5_000)));
    assert.ok(c.add(p(6_000), true));
    assert.ok(c.add(p(16_000)));
    assert.ok(!c.add({ ...p(40_000), home: NaN }));
    c.add(p(10_000), true);
    assert.deepEqual(c.points.map((x) => x.clockMs), [0, 6_000, 10_000], 'a clock that went back replaces later points');
  });

  it('marks goals and new red cards', () => {
    const c = new MatchChart();
    c.observeRedCards({ home: 0, away: 0 }, 0);
    c.observeRedCards({ home: 0, away: 1 }, 30 * 60_000);
    c.setGoals([{ team: 'home', clock_ms: 20 * 60_000 }]);
    assert.deepEqual(c.marks.map((m) => [m.kind, m.team]), [['goal', 'home'], ['red_card', 'away']]);
    c.setGoals([]);
    assert.deepEqual(c.marks.map((m) => m.kind), ['red_card'], 'a cancelled goal disappears');
    assert.deepEqual(c.span(), [0, 45 * 60_000]);
  });

  it('reads 1X2 probabilities from a book', () => {
    const book = [{ key: '1x2', selections: [{ key: 'home', prob: 0.5 }, { key: 'draw', prob: 0.3 }, { key: 'away', prob: 0.2 }] }];
    assert.deepEqual(resultProbabilities(book), { home: 0.5, draw: 0.3, away: 0.2 });
    assert.equal(resultProbabilities([]), null);
  });
});

describe('image', () => {
  it('says which fields a delta replaced', () => {
    const before = image();
    assert.deepEqual([...touched([{ goals: [] }, { clock: before.clock }])], ['goals', 'clock']);
    assert.deepEqual([...touched([{ state: before.state }, { state: before.state }])], ['state']);
    assert.deepEqual([...touched([])], []);
  });
});

const players = { home: 'Sinner', away: 'Alcaraz', kickoff_ms: 0 };

function tennis(over: Partial<TennisImage> = {}): TennisImage {
  return {
    sport: 'tennis',
    event_id: 't1',
    fixture: players,
    params: { serve_a: 0.65, serve_b: 0.63, best_of: 3, final_set: 'tiebreak7', no_ad: false },
    phase: 'in_play',
    server: 'a',
    points: [0, 0],
    games: [0, 0],
    sets: [],
    clock: { clock_ms: 0, at_ms: 1_000, running: true },
    suspensions: [],
    overrides: [],
    trading: { margin: 0.05, margin_method: 'multiplicative', min_stake: 10, max_stake: 1_000_000, max_selection_liability: 1, max_market_liability: 1, bet_delay_ms: 5000 },
    adjustments: [],
    abandoned: false,
    ...over,
  };
}

describe('tennis', () => {
  it('calls points as a scoreboard does: 15, 30, 40, deuce, advantage; the server first in words', () => {
    assert.deepEqual(pointCalls(tennis({ points: [2, 1] })), ['30', '15']);
    assert.equal(gameText(tennis({ points: [2, 1] }), players), '30-15');
    assert.equal(gameText(tennis({ points: [2, 1], server: 'b' }), players), '15-30');
    assert.equal(gameText(tennis({ points: [3, 3] }), players), 'Deuce');
    assert.deepEqual(pointCalls(tennis({ points: [4, 3] })), ['AD', '40']);
    assert.equal(gameText(tennis({ points: [3, 4] }), players), 'Advantage Alcaraz');
    assert.equal(gameText(tennis({ points: [3, 3], params: { ...tennis().params, no_ad: true } }), players), 'Deciding point');
  });

  it('knows a tiebreak, and the deciding set that has none', () => {
    assert.equal(inTiebreak(tennis({ games: [6, 6], points: [4, 3] })), true);
    assert.equal(gameText(tennis({ games: [6, 6], points: [4, 3] }), players), 'Tiebreak 4-3');
    assert.deepEqual(pointCalls(tennis({ games: [6, 6], points: [5, 5] })), ['5', '5']);
    const advantage = { ...tennis().params, final_set: 'advantage' as const };
    const sets = [{ games: [6, 4] as [number, number], tiebreak: null }, { games: [3, 6] as [number, number], tiebreak: null }];
    assert.equal(inTiebreak(tennis({ params: advantage, sets, games: [6, 6] })), false);
    assert.equal(inTiebreak(tennis({ params: advantage, sets: sets.slice(0, 1), games: [6, 6] })), true);
  });

  it('reads the sets, the match score and how it ended', () => {
    const sets = [{ games: [7, 6] as [number, number], tiebreak: [7, 5] as [number, number] }, { games: [2, 6] as [number, number], tiebreak: null }];
    assert.deepEqual(setsWon(tennis({ sets })), [1, 1]);
    assert.equal(scoreLine(tennis({ sets, games: [3, 2] })), '7-6 2-6 3-2');
    assert.equal(outcomeText(tennis({ sets }), players), null);
    const won = [...sets, { games: [6, 3] as [number, number], tiebreak: null }];
    assert.equal(outcomeText(tennis({ sets: won, phase: { finished: { winner: 'a' } } }), players), 'Sinner wins 2-1');
    assert.equal(outcomeText(tennis({ phase: { retired: { player: 'b' } } }), players), 'Alcaraz retired — undecided bets void');
    assert.equal(scoreLine(tennis({ sets: won, phase: { finished: { winner: 'a' } } })), '7-6 2-6 6-3');
  });

  it('shows the time since the first point and the start time before it', () => {
    assert.equal(elapsedText(65_000), '01:05');
    assert.equal(elapsedText(2 * 3_600_000 + 7 * 60_000 + 42_000), '2:07:42');
    assert.equal(startLabel(1_000, 2_000), 'Starting');
    assert.match(startLabel(Date.now() + 3_600_000, Date.now()), /^Starts \d\d:\d\d$/);
  });

  it('groups and names tennis markets with the players', () => {
    const table: [string, string][] = [
      ['match_winner', 'match'], ['set_betting', 'match'], ['total_sets:2.5', 'match'], ['tiebreak', 'match'],
      ['set_winner', 'sets'], ['next_set_winner', 'sets'],
      ['game_winner', 'games'], ['total_games:22.5', 'games'], ['game_handicap:-3.5', 'games'],
    ];
    for (const [key, group] of table) assert.equal(groupOf(key), group, key);
    assert.equal(marketTitle('match_winner', players), 'Match winner');
    assert.equal(marketTitle('game_handicap:-3.5', players), 'Game handicap Sinner -3.5');
    assert.equal(marketTitle('total_games:22.5', players), 'Total games 22.5');
    assert.equal(selectionLabel('match_winner', 'a', players), 'Sinner');
    assert.equal(selectionLabel('game_winner', 'b', players), 'Alcaraz');
    assert.equal(selectionLabel('game_handicap:-3.5', 'a', players), 'Sinner -3.5');
    assert.equal(selectionLabel('game_handicap:-3.5', 'b', players), 'Alcaraz +3.5');
    assert.equal(selectionLabel('set_betting', '2-1', players), 'Sinner 2-1');
    assert.equal(selectionLabel('set_betting', '0-2', players), 'Alcaraz 2-0');
    assert.equal(selectionLabel('total_games:22.5', 'over', players), 'Over 22.5');
  });

  it('charts the players without a draw, over the time since the first point', () => {
    const book = [{ key: 'match_winner', selections: [{ key: 'a', prob: 0.6 }, { key: 'b', prob: 0.4 }] }];
    assert.deepEqual(resultProbabilities(book), { home: 0.6, draw: 0, away: 0.4 });
    const c = new MatchChart();
    c.halves = false;
    assert.ok(c.add({ clockMs: 50 * 60_000, home: 0.6, draw: 0, away: 0.4 }));
    assert.deepEqual(c.span(), [0, 50 * 60_000]);
  });

  it('names the player in a challenge, a medical time-out and a reported retirement', () => {
    assert.equal(suspensionText('challenge', 'away', players), 'Challenge — Alcaraz');
    assert.equal(suspensionText('medical_timeout', 'home', players), 'Medical time-out — Sinner');
    assert.equal(suspensionText('retirement', 'home', players), 'Retirement reported — Sinner');
  });
});
