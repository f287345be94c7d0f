// Unit tests of the trading desk's pure modules: the desk view as the hub sends it (read, aged,
// worded), exposure against the limits, the book by final score (football) and by score in sets
// (tennis), alerts raised and cleared, the trader's actions as typed and as sent (each sport's own),
// and the audit log's lines. The views and log lines below have the shapes a running worker sends
// (captured from one, then trimmed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { auditSource, auditText, feedKindText, hashHex, inputOf, parseAuditLog, type AuditEntry } from '../../src/model/audit.ts';
import {
  actionFor,
  actionRequest,
  answerText,
  describeAction,
  goalListText,
  parseAmount,
  parseBetId,
  parseExpectedGoals,
  parseGoalList,
  parseMarginPercent,
  parseMarketKey,
  parseServePercent,
  type DeskAction,
} from '../../src/model/desk-actions.ts';
import {
  ageText,
  alertAnnouncement,
  alertChanges,
  alertMessage,
  awaitingText,
  barText,
  decisionRows,
  deskScoreText,
  durationText,
  exposureRows,
  marketChoices,
  matchTimeText,
  outcomeGrid,
  overrideRows,
  rateText,
  readDeskView,
  reportedScore,
  reportedText,
  setsRows,
  shareOf,
  sourcesDisagree,
  suspensionRows,
  tennisScoreText,
  timeOfDay,
  type Alert,
  type DeskView,
  type FootballDesk,
  type TennisDesk,
} from '../../src/model/desk.ts';

const NOW = 1_796_059_400_000;
const fixture = { home: 'Arsenal', away: 'Chelsea', kickoff_ms: NOW - 600_000 };

function view(over: Partial<DeskView> = {}): DeskView {
  return {
    event_id: 'm1',
    title: 'Arsenal v Chelsea',
    fixture,
    server_ms: NOW,
    version: { epoch: 1_796_059_399, seq: 7 },
    abandoned: false,
    sport: {
      sport: 'football',
      period: 'second_half',
      clock_ms: 4_032_000,
      score: { home: 1, away: 0 },
      goals: [{ team: 'home', clock_ms: 1_390_000 }],
      params: { home_xg: 1.5, away_xg: 1.1 },
      outcomes: [
        { score: { home: 1, away: 0 }, net: -42_000 },
        { score: { home: 1, away: 1 }, net: 35_000 },
        { score: { home: 2, away: 0 }, net: -41_000 },
        { score: { home: 2, away: 1 }, net: 36_000 },
      ],
    },
    suspensions: [],
    overrides: [],
    sources: [
      { source: 'primary', last_seq: 12, last_message_ms: NOW - 400, held: 0, reported_score: { home: 1, away: 0 }, disagrees_since_ms: null, accepted: 12, duplicate: 0, held_total: 0, rejected: 0 },
      { source: 'backup', last_seq: 11, last_message_ms: NOW - 900, held: 1, reported_score: { home: 1, away: 1 }, disagrees_since_ms: NOW - 2_000, accepted: 3, duplicate: 8, held_total: 2, rejected: 1 },
    ],
    awaiting: [],
    bets: { per_second: 0.3, decisions: { accepted: 4, 'rejected:price_changed': 1, pending: 2, 'rejected:market_suspended': 3 }, pending: 2, total: 10 },
    trading: { margin: 0.05, margin_method: 'multiplicative', min_stake: 10, max_stake: 1_000_000, max_selection_liability: 50_000, max_market_liability: 100_000, bet_delay_ms: 5000 },
    exposure: [
      { market: '1x2', selection: 'home', liability: 42_000, market_liability: 60_000, stakes: 30_000, bets: 3 },
      { market: '1x2', selection: 'away', liability: 18_000, market_liability: 60_000, stakes: 5_000, bets: 1 },
      { market: 'btts', selection: 'yes', liability: 1_000, market_liability: 1_000, stakes: 1_000, bets: 1 },
    ],
    relays: [{ name: 'm1/weur/0', lag: 0, failures: 0, sockets: 3 }],
    alerts: [{ kind: 'liability', subject: '1x2/home', since_ms: NOW - 5_000, message: '1x2 home: liability 42000 of 50000' }],
    ...over,
  };
}

const football = (v: DeskView): FootballDesk => {
  assert.equal(v.sport.sport, 'football');
  return v.sport as FootballDesk;
};

const players = { home: 'Sinner', away: 'Alcaraz', kickoff_ms: NOW - 1_800_000 };

/** A tennis match in its second set as the hub sends it: the primary a point ahead of the backup. */
function tennisView(over: Partial<TennisDesk> = {}): DeskView {
  const sets = [{ games: [6, 4] as [number, number], tiebreak: null }];
  return view({
    title: 'Sinner v Alcaraz',
    fixture: players,
    sport: {
      sport: 'tennis',
      score: { phase: 'in_play', server: 'b', points: [2, 1], games: [3, 2], sets },
      clock_ms: 2_525_000,
      points_played: 97,
      params: { serve_a: 0.64, serve_b: 0.62, best_of: 3, final_set: 'tiebreak7', no_ad: false },
      reported: [
        { source: 'primary', ahead: 1, score: { phase: 'in_play', server: 'b', points: [3, 1], games: [3, 2], sets } },
        { source: 'backup', ahead: 0, score: { phase: 'in_play', server: 'b', points: [2, 1], games: [3, 2], sets } },
      ],
      outcomes: [
        { sets: [2, 0], net: -9_400 },
        { sets: [2, 1], net: -9_400 },
        { sets: [1, 2], net: 10_000 },
      ],
      ...over,
    },
    sources: view().sources.map((s) => ({ ...s, reported_score: null })),
    exposure: [{ market: 'match_winner', selection: 'a', liability: 9_400, market_liability: 9_400, stakes: 10_000, bets: 1 }],
    alerts: [],
  });
}

describe('the desk view as the hub sends it', () => {
  it('reads a view and refuses what is not one', () => {
    const v = view();
    assert.deepEqual(readDeskView(JSON.stringify(v)), v);
    assert.equal(readDeskView('not json'), null);
    assert.equal(readDeskView('[1,2]'), null);
    const { alerts: _drop, ...noAlerts } = v;
    assert.equal(readDeskView(JSON.stringify(noAlerts)), null, 'a view without its alerts is not one');
    assert.equal(readDeskView(JSON.stringify({ ...v, fixture: null })), null);
    const t = tennisView();
    assert.deepEqual(readDeskView(JSON.stringify(t)), t);
    assert.equal(readDeskView(JSON.stringify({ ...t, sport: { ...t.sport, sport: 'cricket' } })), null, 'a sport the desk does not know');
    const { reported: _r, ...noReports } = t.sport as TennisDesk;
    assert.equal(readDeskView(JSON.stringify({ ...t, sport: noReports })), null);
  });

  it('words time: spans, ages, time of day, the match time', () => {
    assert.equal(durationText(0), '0.0 s');
    assert.equal(durationText(950), '0.9 s');
    assert.equal(durationText(-30), '0.0 s');
    assert.equal(durationText(12_400), '12 s');
    assert.equal(durationText(185_000), '3 min 05 s');
    assert.equal(durationText(3_720_000), '1 h 02 min');
    assert.equal(ageText(null, NOW), 'never');
    assert.equal(ageText(NOW - 1_500, NOW), '1.5 s ago');
    assert.match(timeOfDay(NOW), /^\d{2}:\d{2}:\d{2}$/);
    const at = (period: FootballDesk['period'], clock_ms: number) => matchTimeText(view({ sport: { ...football(view()), period, clock_ms } }));
    assert.equal(at('second_half', 4_032_000), '2nd half 67:12');
    assert.equal(at('first_half', 2_820_000), '1st half 45+2:00');
    assert.equal(at('half_time', 2_700_000), 'Half-time');
  });

  it('words a tennis match: its score line, where it is, each source\'s score', () => {
    const v = tennisView();
    const t = v.sport as TennisDesk;
    assert.equal(deskScoreText(v), '6–4 3–2 30–15');
    assert.equal(matchTimeText(v), 'In play 42:05');
    assert.equal(reportedText(v, 'primary'), '6–4 3–2 40–15 (+1 point)');
    assert.equal(reportedText(v, 'backup'), '6–4 3–2 30–15');
    assert.deepEqual(reportedScore(v, 'primary'), { score: '6–4 3–2 40–15', ahead: 1 });
    assert.equal(deskScoreText(view()), '1–0');
    assert.equal(reportedText(view(), 'backup'), '1–1', 'football: the score its heartbeats said');
    // Deuce, advantage and a tiebreak, as a scoreboard calls them; a tiebreak's loser's points by its set.
    assert.equal(tennisScoreText({ ...t.score, points: [4, 3] }, t.params), '6–4 3–2 AD–40');
    const tb = { games: [7, 6] as [number, number], tiebreak: [7, 5] as [number, number] };
    assert.equal(tennisScoreText({ ...t.score, sets: [tb], games: [6, 6], points: [5, 4] }, t.params), '7–6(5) 6–6 5–4');
    // Before the first point, and the ends.
    assert.equal(tennisScoreText({ ...t.score, phase: 'pre_match', sets: [], games: [0, 0], points: [0, 0] }, t.params), '0–0');
    const won = { ...t.score, phase: { finished: { winner: 'a' as const } }, sets: [t.score.sets[0]!, { games: [6, 3] as [number, number], tiebreak: null }], games: [0, 0] as [number, number], points: [0, 0] as [number, number] };
    assert.equal(tennisScoreText(won, t.params), '6–4 6–3');
    assert.equal(matchTimeText(tennisView({ score: won })), 'Sinner wins 2-0');
    assert.equal(tennisScoreText({ ...t.score, phase: { retired: { player: 'b' } } }, t.params), '6–4 3–2');
    assert.match(matchTimeText(tennisView({ score: { ...t.score, phase: { retired: { player: 'b' } } } })), /^Alcaraz retired/);
    assert.equal(matchTimeText(tennisView({ score: { ...t.score, phase: 'pre_match' } })), 'Not started');
  });

  it('says when the sources disagree, and what waits for the other source', () => {
    assert.equal(sourcesDisagree(view()), true);
    const agree = view();
    agree.sources[1]!.reported_score = { home: 1, away: 0 };
    assert.equal(sourcesDisagree(agree), false);
    const silent = view();
    silent.sources[1]!.reported_score = null;
    assert.equal(sourcesDisagree(silent), false, 'a source that reported no score does not disagree');
    assert.equal(awaitingText({ kind: 'goal', team: 'away', source: 'backup' }, fixture), 'Goal for Chelsea reported by backup only');
    assert.equal(awaitingText({ kind: 'claim', fact: 'full_time', source: 'primary' }, fixture), 'full time reported by primary only');
    // Tennis: the sources' scores are what their points make.
    assert.equal(sourcesDisagree(tennisView()), true, 'the primary is a point ahead');
    const level = tennisView();
    const t = level.sport as TennisDesk;
    t.reported = t.reported.map((r) => ({ ...r, ahead: 0, score: t.score }));
    assert.equal(sourcesDisagree(level), false);
    assert.equal(awaitingText({ kind: 'point', point: 98, winner: 'a', source: 'primary' }, players), 'Point 98 to Sinner, says primary');
    assert.equal(awaitingText({ kind: 'claim', fact: 'retirement', source: 'backup', player: 'b' }, players), 'retirement of Alcaraz reported by backup only');
  });

  it('lists suspensions with how long they lasted and when they lift', () => {
    const rows = suspensionRows(
      view({
        suspensions: [
          { reason: 'source_discrepancy', team: null, since_ms: NOW - 65_000, until_ms: null },
          { reason: 'goal', team: 'home', since_ms: NOW - 2_000, until_ms: NOW + 3_000 },
          { reason: 'var', team: null, since_ms: NOW - 9_000, until_ms: NOW - 1 },
        ],
      }),
      NOW,
    );
    assert.deepEqual(
      rows.map((r) => [r.text, r.lasted, r.lifts]),
      [
        ['Checking the score', '1 min 05 s', 'until resolved'],
        ['Goal — Arsenal', '2.0 s', 'lifts in 3.0 s'],
        ['VAR check', '9.0 s', 'lifting now'],
      ],
    );
    assert.deepEqual(overrideRows(view({ overrides: [['total:2.5', 'suspended:manual']] })), [{ market: 'total:2.5', status: 'suspended (manual)' }]);
  });

  it('orders decisions: accepted, pending, then refusals by count', () => {
    assert.deepEqual(
      decisionRows(view().bets.decisions).map((d) => [d.code, d.text, d.count]),
      [
        ['accepted', 'Accepted', 4],
        ['pending', 'Pending', 2],
        ['rejected:market_suspended', 'Rejected: market suspended', 3],
        ['rejected:price_changed', 'Rejected: price changed', 1],
      ],
    );
    assert.equal(rateText(0.3), '0.3/s');
    assert.equal(rateText(12.345), '12.3/s');
  });
});

describe('exposure against the limits', () => {
  it('groups selections by market, each against its limit, nearest its limit first', () => {
    const rows = exposureRows(view());
    assert.deepEqual(rows.map((m) => m.market), ['1x2', 'btts']);
    const [m] = rows;
    assert.equal(m!.liability, 60_000);
    assert.equal(m!.limit, 100_000);
    assert.equal(m!.share, 0.6);
    assert.equal(m!.alert, false);
    assert.deepEqual(
      m!.selections.map((s) => [s.selection, s.share, s.alert, s.bets]),
      [
        ['home', 0.84, true],
        ['away', 0.36, false],
      ].map(([sel, share, alert], i) => [sel, share, alert, i === 0 ? 3 : 1]),
    );
    assert.equal(barText(m!.selections[0]!), '£420.00 of £500.00 (84 %)');
  });

  it('marks a market-wide liability alert on its market bar', () => {
    const rows = exposureRows(view({ alerts: [{ kind: 'liability', subject: 'btts', since_ms: NOW, message: '' }] }));
    const btts = rows.find((r) => r.market === 'btts');
    assert.equal(btts?.alert, true);
    assert.equal(btts?.selections[0]?.alert, false);
  });

  it('shares: nothing used is empty, a zero limit with anything used is full, over a limit reads above 1', () => {
    assert.equal(shareOf(0, 0), 0);
    assert.equal(shareOf(5, 0), 1);
    assert.equal(shareOf(150, 100), 1.5);
  });

  it('offers the markets a trader acts on: the headline ones, those with exposure or suspended alone', () => {
    const choices = marketChoices(view({ overrides: [['ah:-0.25', 'suspended:manual']] }));
    for (const m of ['1x2', 'btts', 'ah:-0.25', 'total:2.5']) assert.ok(choices.includes(m as never), m);
    assert.deepEqual(choices, [...new Set(choices)].sort());
    const tennis = marketChoices(tennisView({ outcomes: [] }));
    for (const m of ['match_winner', 'set_winner', 'game_winner']) assert.ok(tennis.includes(m as never), m);
    assert.ok(!tennis.includes('1x2' as never), 'no football market for a tennis match');
  });
});

describe('the book by final score', () => {
  it('lays outcomes out as a grid with the worst and the best', () => {
    const g = outcomeGrid(football(view()).outcomes);
    assert.deepEqual(g.homes, [1, 2]);
    assert.deepEqual(g.aways, [0, 1]);
    assert.deepEqual(g.cells, [
      [-42_000, 35_000],
      [-41_000, 36_000],
    ]);
    assert.deepEqual(g.worst, { score: { home: 1, away: 0 }, net: -42_000 });
    assert.deepEqual(g.best, { score: { home: 2, away: 1 }, net: 36_000 });
  });

  it('leaves a score the hub did not give empty, and has no worst without outcomes', () => {
    const g = outcomeGrid([
      { score: { home: 0, away: 0 }, net: 10 },
      { score: { home: 1, away: 1 }, net: -5 },
    ]);
    assert.deepEqual(g.cells, [
      [10, null],
      [null, -5],
    ]);
    assert.equal(outcomeGrid([]).worst, null);
  });
});

describe('the book by score in sets', () => {
  it('names each result by its winner, the winner\'s sets first, with the worst and the best', () => {
    const { rows, worst, best } = setsRows((tennisView().sport as TennisDesk).outcomes, players);
    assert.deepEqual(rows.map((r) => [r.label, r.winner, r.net]), [
      ['Sinner 2–0', 'a', -9_400],
      ['Sinner 2–1', 'a', -9_400],
      ['Alcaraz 2–1', 'b', 10_000],
    ]);
    assert.equal(worst?.label, 'Sinner 2–0', 'the first of equal worsts');
    assert.equal(best?.score, '2–1');
    assert.equal(setsRows([], players).worst, null);
  });
});

describe('alerts', () => {
  const a = (kind: Alert['kind'], subject: string, since_ms = NOW): Alert => ({ kind, subject, since_ms, message: 'm' });

  it('tells raised from cleared by kind and subject, not by time or words', () => {
    const before = [a('source_silent', 'backup'), a('liability', '1x2/home')];
    const after = [{ ...a('liability', '1x2/home', NOW + 9), message: 'changed' }, a('source_silent', 'primary'), a('feed_stale', '')];
    const { raised, cleared } = alertChanges(before, after);
    assert.deepEqual(raised.map((x) => `${x.kind}|${x.subject}`), ['source_silent|primary', 'feed_stale|']);
    assert.deepEqual(cleared.map((x) => `${x.kind}|${x.subject}`), ['source_silent|backup']);
    assert.deepEqual(alertChanges(after, after), { raised: [], cleared: [] });
  });

  it('says a liability alert in money, from the exposure it names', () => {
    const words = { market: (m: string) => (m === '1x2' ? 'Match result' : m), selection: (_m: string, sel: string) => (sel === 'home' ? 'Arsenal' : sel) };
    const v = view();
    assert.equal(alertMessage(v.alerts[0]!, v, words), 'Match result, Arsenal: £420.00 of £500.00 (84 %) of the selection limit');
    assert.equal(alertMessage({ kind: 'liability', subject: '1x2', since_ms: NOW, message: 'm' }, v, words), 'Match result: £600.00 of £1,000.00 (60 %) of the market limit');
    assert.equal(alertMessage({ kind: 'liability', subject: 'btts/no', since_ms: NOW, message: 'hub words' }, v, words), 'hub words', 'no exposure to say it from: the hub\'s words');
    assert.equal(alertMessage({ kind: 'feed_stale', subject: '', since_ms: NOW, message: 'hub words' }, v, words), 'hub words');
  });

  it('announces an alert with what, which, and since when', () => {
    const text = alertAnnouncement({ kind: 'source_discrepancy', subject: '', since_ms: NOW, message: 'the sources disagree' }, 'New alert');
    assert.equal(text, `New alert: Sources disagree. the sources disagree. Since ${timeOfDay(NOW)}.`);
    assert.match(alertAnnouncement(a('source_silent', 'backup'), 'New alert'), /Source silent \(backup\)/);
  });
});

describe('the trader\'s actions', () => {
  it('sends each action to its route with the body the API reads', () => {
    const cases: [DeskAction, string, unknown][] = [
      [{ kind: 'suspend', market: null }, 'suspend', undefined],
      [{ kind: 'suspend', market: 'total:2.5' }, 'suspend', { market: 'total:2.5' }],
      [{ kind: 'resume', market: null }, 'resume', undefined],
      [{ kind: 'confirm', source: 'backup' }, 'confirm', { source: 'backup' }],
      [{ kind: 'cancel_goal', team: 'home' }, 'cancel-goal', { team: 'home' }],
      [{ kind: 'cancel_goal', team: 'away', goals: 2 }, 'cancel-goal', { team: 'away', goals: 2 }],
      [{ kind: 'expected_goals', home_xg: 1.8, away_xg: null }, 'expected-goals', { home_xg: 1.8 }],
      [{ kind: 'serve', serve_a: null, serve_b: 0.635 }, 'serve-probabilities', { serve_b: 0.635 }],
      [{ kind: 'trading', margin: 0.08, max_selection_liability: null, max_market_liability: 200_000 }, 'trading', { margin: 0.08, max_market_liability: 200_000 }],
      [{ kind: 'void', bet_id: 'm1.0123456789abcdef' }, 'void', { bet_id: 'm1.0123456789abcdef' }],
      [{ kind: 'end' }, 'end', undefined],
      [{ kind: 'abandon' }, 'abandon', undefined],
      [{ kind: 'resettle', goals: [{ team: 'away', half: 2, clock_ms: 3_000_000 }] }, 'resettle', { goals: [{ team: 'away', half: 2, clock_ms: 3_000_000 }] }],
    ];
    for (const [action, path, body] of cases) assert.deepEqual(actionRequest(action), body === undefined ? { path } : { path, body }, action.kind);
  });

  it('reads expected goals, margins and amounts, and says what is wrong', () => {
    assert.deepEqual(parseExpectedGoals(' 1.45 '), { ok: true, value: 1.45 });
    assert.deepEqual(parseExpectedGoals(''), { ok: true, value: null });
    assert.deepEqual(parseExpectedGoals('8'), { ok: true, value: 8 });
    assert.equal(parseExpectedGoals('9').ok, false);
    assert.equal(parseExpectedGoals('-1').ok, false);
    assert.equal(parseExpectedGoals('1,5').ok, false);
    assert.deepEqual(parseMarginPercent('8'), { ok: true, value: 0.08 });
    assert.deepEqual(parseMarginPercent('7.5 %'), { ok: true, value: 0.075 });
    assert.deepEqual(parseMarginPercent('5.55'), { ok: true, value: 0.0555 });
    assert.deepEqual(parseMarginPercent(''), { ok: true, value: null });
    assert.equal(parseMarginPercent('50').ok, false);
    assert.equal(parseMarginPercent('abc').ok, false);
    assert.deepEqual(parseAmount('500'), { ok: true, value: 50_000 });
    assert.deepEqual(parseAmount('1,250.50'), { ok: true, value: 125_050 });
    assert.deepEqual(parseAmount(''), { ok: true, value: null });
    const bad = parseAmount('-3');
    assert.ok(!bad.ok && /amount/.test(bad.message), 'the message speaks of an amount, not a stake');
    assert.deepEqual(parseServePercent('64'), { ok: true, value: 0.64 });
    assert.deepEqual(parseServePercent(' 63.5 % '), { ok: true, value: 0.635 });
    assert.deepEqual(parseServePercent(''), { ok: true, value: null });
    for (const t of ['0', '100', '0.64', '64.25', 'sixty']) assert.equal(parseServePercent(t).ok, false, t);
  });

  it('offers each sport its own actions and both the shared ones', () => {
    for (const k of ['cancel_goal', 'expected_goals', 'end', 'resettle'] as const) {
      assert.equal(actionFor(k, 'football'), true, k);
      assert.equal(actionFor(k, 'tennis'), false, k);
    }
    assert.equal(actionFor('serve', 'tennis'), true);
    assert.equal(actionFor('serve', 'football'), false);
    for (const k of ['suspend', 'resume', 'confirm', 'trading', 'void', 'abandon'] as const) {
      assert.ok(actionFor(k, 'football') && actionFor(k, 'tennis'), k);
    }
  });

  it('reads a bet id of this match only, and a market key', () => {
    assert.deepEqual(parseBetId(' m1.0123456789abcdef ', 'm1'), { ok: true, value: 'm1.0123456789abcdef' });
    const other = parseBetId('m2.0123456789abcdef', 'm1');
    assert.ok(!other.ok && /belongs to match m2/.test(other.message));
    assert.equal(parseBetId('m1.0123', 'm1').ok, false);
    assert.equal(parseBetId('m1.0123456789ABCDEF', 'm1').ok, false);
    for (const k of ['1x2', 'total:2.5', 'ah:-0.25', 'team_total:home:1.5', 'ht_total:0.5']) assert.deepEqual(parseMarketKey(k), { ok: true, value: k });
    for (const k of ['', 'total 2.5', '1X2!']) assert.equal(parseMarketKey(k).ok, false, k);
  });

  it('reads a corrected goal list, one goal a line, and says which line is wrong', () => {
    const goals = parseGoalList('home 1 23:10\n\nChelsea 1 45+2\narsenal 2 67\naway 2 90+3:30', fixture);
    assert.deepEqual(goals, {
      ok: true,
      value: [
        { team: 'home', half: 1, clock_ms: 1_390_000 },
        { team: 'away', half: 1, clock_ms: 2_820_000 },
        { team: 'home', half: 2, clock_ms: 4_020_000 },
        { team: 'away', half: 2, clock_ms: 5_610_000 },
      ],
    });
    assert.deepEqual(parseGoalList('  ', fixture), { ok: true, value: [] });
    const cases: [string, RegExp][] = [
      ['home 3 10:00', /^Line 1: write a goal/],
      ['spurs 1 10:00', /^Line 1: the team is/],
      ['home 1 10:75', /^Line 1: the time/],
      ['home 1 50:00\nhome 2 30:00', /^Line 2: the second half/],
      ['home 2 60:00\naway 2 50:00', /^Line 2: goals must be in the order/],
      ['away 2 60:00\nhome 1 20:00', /^Line 2: goals must be in the order/],
    ];
    for (const [text, why] of cases) {
      const p = parseGoalList(text, fixture);
      assert.ok(!p.ok && why.test(p.message), `${text}: ${JSON.stringify(p)}`);
    }
  });

  it('writes the goals that stand as a list it reads back', () => {
    const standing = [
      { team: 'home' as const, clock_ms: 1_390_000 },
      { team: 'away' as const, clock_ms: 4_020_500 },
    ];
    const text = goalListText(standing);
    assert.equal(text, 'home 1 23:10\naway 2 67:00');
    const back = parseGoalList(text, fixture);
    assert.ok(back.ok);
    assert.deepEqual(back.value.map((g) => [g.team, g.half]), [['home', 1], ['away', 2]]);
  });

  it('asks in words that name the teams, the scores and what changes', () => {
    const v = view();
    const confirm = describeAction({ kind: 'confirm', source: 'backup' }, v);
    assert.equal(confirm.title, 'Believe the backup source');
    assert.match(confirm.lines.join(' '), /Backup says 1–1; primary says 1–0/);
    assert.equal(confirm.danger, false);
    const cancel = describeAction({ kind: 'cancel_goal', team: 'home' }, v);
    assert.match(cancel.lines[0]!, /Arsenal’s latest goal \(24'\) is ruled out: 1–0 becomes 0–0/);
    assert.equal(cancel.danger, true);
    assert.match(describeAction({ kind: 'cancel_goal', team: 'away' }, v).lines[0]!, /Chelsea has no goal that stands/);
    assert.match(describeAction({ kind: 'expected_goals', home_xg: 1.8, away_xg: null }, v).lines[0]!, /Arsenal 1\.50 → 1\.80; Chelsea unchanged \(1\.10\)/);
    const terms = describeAction({ kind: 'trading', margin: 0.08, max_selection_liability: 80_000, max_market_liability: null }, v);
    assert.deepEqual(terms.lines.slice(0, 2), ['Margin 5.0 % → 8.0 %.', 'Liability limit per selection £500.00 → £800.00.']);
    assert.match(describeAction({ kind: 'suspend', market: 'total:2.5' }, v).title, /Suspend Total goals 2\.5/);
    assert.match(describeAction({ kind: 'resettle', goals: [{ team: 'away', half: 2, clock_ms: 3_000_000 }] }, v).lines[0]!, /becomes 0–1 on 1 goal: Chelsea 51'/);
    for (const kind of ['end', 'abandon'] as const) assert.equal(describeAction({ kind }, v).danger, true);
  });

  it('asks in a tennis match\'s words: the players, their points, their serve', () => {
    const v = tennisView();
    const confirm = describeAction({ kind: 'confirm', source: 'primary' }, v);
    assert.match(confirm.lines[0]!, /^Primary says 6–4 3–2 40–15 \(\+1 point\); backup says 6–4 3–2 30–15\.$/);
    assert.match(confirm.lines[1]!, /primary source’s points stand \(now 6–4 3–2 30–15\)/);
    const serve = describeAction({ kind: 'serve', serve_a: 0.7, serve_b: null }, v);
    assert.equal(serve.title, 'Set serve points won');
    assert.match(serve.lines[0]!, /Sinner 64\.0 % → 70\.0 %; Alcaraz unchanged \(62\.0 %\)/);
    assert.equal(serve.danger, false);
    assert.match(describeAction({ kind: 'abandon' }, v).lines[0]!, /what was decided \(games and sets played\) stands/);
    assert.match(describeAction({ kind: 'resume', market: null }, v).lines[1]!, /a challenge/);
    assert.deepEqual(answerText({ kind: 'serve', serve_a: 0.7, serve_b: null }, { applied: true, decisions: [], settlements: [] }), { ok: true, text: 'Done: serve points won set.' });
  });

  it('words the answer: done with what it decided and settled, or nothing changed', () => {
    assert.deepEqual(answerText({ kind: 'end' }, { applied: true, decisions: [], settlements: [{ correction: null }, { correction: null }] }), { ok: true, text: 'Done: full time declared — 2 settlements.' });
    assert.deepEqual(answerText({ kind: 'resettle', goals: [] }, { applied: true, decisions: [{}], settlements: [{ correction: {} }, { correction: null }] }), {
      ok: true,
      text: 'Done: match resettled — 1 bet decision, 2 settlements (1 corrected).',
    });
    const none = answerText({ kind: 'void', bet_id: 'm1.0123456789abcdef' }, { applied: false, decisions: [], settlements: [] });
    assert.equal(none.ok, false);
    assert.match(none.text, /^Nothing changed/);
  });
});

describe('the audit log', () => {
  // Lines as `GET /v1/events/{id}/log` answers them (hashes shortened to their first bytes).
  const lines = [
    '{"index":0,"now_ms":1796059399837,"input":{"open":{"event_id":"x1"}},"feed":null,"decisions":[],"settlements":[],"version":{"epoch":1796059399,"seq":0},"prev":[0,0,0,0],"hash":[15,115,186,234]}',
    '{"index":1,"now_ms":1796059399911,"input":{"feed":{"event_id":"x1","source":"primary","seq":1,"ts":1796059399906,"clock_ms":0,"kind":"Kickoff"}},"feed":{"source":"primary","seq":1,"outcome":"accepted"},"decisions":[],"settlements":[],"version":{"epoch":1796059399,"seq":1},"prev":[15,115,186,234],"hash":[174,28,64,231]}',
    'garbage',
    '{"index":3,"now_ms":1796059400452,"input":{"suspend":{"market":"1x2"}},"feed":null,"decisions":[],"settlements":[],"version":{"epoch":1796059399,"seq":2},"prev":[1],"hash":[164,53,188,80]}',
    '{"index":4,"now_ms":1796059400596,"input":{"bet":{"bet_id":"x1.1ca9b9bee8c7c3ed","user_id":"lou","market":"1x2","selection":"home","stake":2000,"price":2.08,"seen_version":{"epoch":1796059399,"seq":2},"policy":"any"}},"feed":null,"decisions":[{"bet_id":"x1.1ca9b9bee8c7c3ed","status":"rejected:market_suspended"}],"settlements":[],"version":{"epoch":1796059399,"seq":2},"prev":[1],"hash":[98,223,7,248]}',
    '{"index":5,"now_ms":1796059400606,"input":{"feed":{"event_id":"x1","source":"primary","seq":2,"ts":1796059400603,"clock_ms":0,"kind":{"Goal":{"team":"home","score":null}}}},"feed":{"source":"primary","seq":2,"outcome":"accepted"},"decisions":[],"settlements":[],"version":{"epoch":1796059399,"seq":3},"prev":[1],"hash":[85,81,245,15]}',
    '{"index":6,"now_ms":1796059401000,"input":{"confirm_source":{"source":"backup"}},"feed":null,"decisions":[],"settlements":[],"version":{"epoch":1796059399,"seq":4},"prev":[1],"hash":[1,2,3,4]}',
    '{"index":7,"now_ms":1796059402000,"input":"end_match","feed":null,"decisions":[],"settlements":[{"bet_id":"b","result":"won","payout":1,"correction":null}],"version":{"epoch":1796059399,"seq":5},"prev":[1],"hash":[255,0,16,1]}',
    '',
  ].join('\n');

  it('reads the lines, counting the ones that are not entries', () => {
    const { entries, unreadable } = parseAuditLog(lines);
    assert.deepEqual(entries.map((e) => e.index), [0, 1, 3, 4, 5, 6, 7]);
    assert.equal(unreadable, 1);
  });

  it('tells the trader\'s actions from feed messages, bets and the opening', () => {
    const { entries } = parseAuditLog(lines);
    assert.deepEqual(entries.map(auditSource), ['opening', 'feed', 'trader', 'bet', 'feed', 'trader', 'trader']);
    assert.deepEqual(inputOf(entries[6]!), { name: 'end_match', fields: {} });
    assert.equal(auditSource({ input: 'tick' }), 'time');
  });

  it('says what each entry did', () => {
    const byIndex = new Map(parseAuditLog(lines).entries.map((e) => [e.index, e] as const));
    const text = (i: number) => auditText(byIndex.get(i) as AuditEntry, fixture);
    assert.equal(text(0), 'Match opened');
    assert.equal(text(1), 'primary #1 kickoff — accepted');
    assert.equal(text(3), 'Trader suspended market 1x2');
    assert.equal(text(4), 'Bet on 1x2 home, £20.00 — rejected:market_suspended');
    assert.equal(text(5), 'primary #2 goal (Arsenal) — accepted');
    assert.equal(text(6), 'Trader confirmed the backup source');
    assert.equal(text(7), 'Trader declared full time: 1 settled');
    assert.equal(feedKindText('PeriodStart', fixture), 'period start');
    // Tennis: the player a message names, and a trader's serve probabilities.
    assert.equal(feedKindText({ Point: { point: 56, winner: 'a', server: 'b' } }, players), 'point 56 (Sinner)');
    assert.equal(feedKindText({ Retirement: { player: 'b' } }, players), 'retirement (Alcaraz)');
    assert.equal(feedKindText({ MatchStart: { server: 'a' } }, players), 'match start');
    const serve = { input: { set_tennis_params: { serve_a: 0.7, serve_b: 0.62, best_of: 3, final_set: 'tiebreak7', no_ad: false } } };
    assert.equal(auditSource(serve), 'trader');
    assert.equal(auditText({ ...(byIndex.get(6) as AuditEntry), ...serve }, players), 'Trader set serve points won: Sinner 70.0 %, Alcaraz 62.0 %');
    assert.equal(hashHex([255, 0, 16, 1, 9]), 'ff001001');
  });
});
