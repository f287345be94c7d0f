// A trader's actions on a match: what the operator typed, checked and turned into the admin API's
// request (`POST /v1/events/{id}/<action>`, bodies as edge/src/api.rs reads them), and the words of
// the confirmation and of the answer. Each action is an engine input the hub logs; the engine is the
// judge (an action that changes nothing comes back `applied: false`), these checks only catch typing
// mistakes before anything is sent. Some actions are a sport's own: goals, expected goals, full time
// and resettlement are football's; serve probabilities are tennis's (`SPORT_ACTIONS`).

import { minuteMark, HALF_MS } from './clock.ts';
import { formatMoney, parseStake } from './money.ts';
import { marketTitle } from './markets.ts';
import { deskScoreText, reportedText, scoreText, sourceName, teamName, type DeskView, type Source, type SportDesk } from './desk.ts';
import { playerName } from './tennis.ts';
import type { GoalRecord, MarketKey, Player, Score, Team } from './wire.ts';

/** One goal of a corrected result (`CorrectedGoal`): the second half's clock starts at 45:00. */
export interface CorrectedGoal {
  team: Team;
  half: 1 | 2;
  clock_ms: number;
}

export type DeskAction =
  | { kind: 'suspend' | 'resume'; market: MarketKey | null }
  | { kind: 'confirm'; source: Source }
  /** `goals`: the team's goals as the trader saw them (a retry then cancels nothing more). */
  | { kind: 'cancel_goal'; team: Team; goals?: number }
  | { kind: 'expected_goals'; home_xg: number | null; away_xg: number | null }
  | { kind: 'serve'; serve_a: number | null; serve_b: number | null }
  | { kind: 'trading'; margin: number | null; max_selection_liability: number | null; max_market_liability: number | null }
  | { kind: 'void'; bet_id: string }
  | { kind: 'end' }
  | { kind: 'abandon' }
  | { kind: 'resettle'; goals: CorrectedGoal[] };

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The actions only one sport has; every other action is for both. */
export const SPORT_ACTIONS: Readonly<Partial<Record<DeskAction['kind'], SportDesk['sport']>>> = {
  cancel_goal: 'football',
  expected_goals: 'football',
  end: 'football',
  resettle: 'football',
  serve: 'tennis',
};

/** Whether an action is one for this sport. */
export function actionFor(kind: DeskAction['kind'], sport: SportDesk['sport']): boolean {
  const only = SPORT_ACTIONS[kind];
  return only === undefined || only === sport;
}

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

/** The admin route and JSON body of an action (no body: every market, or an action without one). */
export function actionRequest(a: DeskAction): { path: string; body?: unknown } {
  switch (a.kind) {
    case 'suspend':
    case 'resume':
      return a.market === null ? { path: a.kind } : { path: a.kind, body: { market: a.market } };
    case 'confirm':
      return { path: 'confirm', body: { source: a.source } };
    case 'cancel_goal':
      return { path: 'cancel-goal', body: a.goals === undefined ? { team: a.team } : { team: a.team, goals: a.goals } };
    case 'expected_goals': {
      const body: Record<string, number> = {};
      if (a.home_xg !== null) body['home_xg'] = a.home_xg;
      if (a.away_xg !== null) body['away_xg'] = a.away_xg;
      return { path: 'expected-goals', body };
    }
    case 'serve': {
      const body: Record<string, number> = {};
      if (a.serve_a !== null) body['serve_a'] = a.serve_a;
      if (a.serve_b !== null) body['serve_b'] = a.serve_b;
      return { path: 'serve-probabilities', body };
    }
    case 'trading': {
      const body: Record<string, number> = {};
      if (a.margin !== null) body['margin'] = a.margin;
      if (a.max_selection_liability !== null) body['max_selection_liability'] = a.max_selection_liability;
      if (a.max_market_liability !== null) body['max_market_liability'] = a.max_market_liability;
      return { path: 'trading', body };
    }
    case 'void':
      return { path: 'void', body: { bet_id: a.bet_id } };
    case 'end':
      return { path: 'end' };
    case 'abandon':
      return { path: 'abandon' };
    case 'resettle':
      return { path: 'resettle', body: { goals: a.goals } };
  }
}

// ----- what the operator types -----

/** A team's expected goals for the whole match: a number from 0 to 8. Empty: unchanged (null). */
export function parseExpectedGoals(text: string): Parsed<number | null> {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  if (!/^\d{1,2}(\.\d{1,3})?$/.test(t)) return fail('Expected goals are a number like 1.45');
  const v = Number(t);
  if (v > 8) return fail('Expected goals must be at most 8');
  return { ok: true, value: v };
}

/**
 * A player's chance of winning a point on their serve, in percent (`64`, `64.5 %` → 0.64, 0.645),
 * from 1 to 99 as the engine prices it. Empty: unchanged (null).
 */
export function parseServePercent(text: string): Parsed<number | null> {
  const t = text.trim().replace(/\s*%$/, '');
  if (t === '') return { ok: true, value: null };
  if (!/^\d{1,2}(\.\d)?$/.test(t)) return fail('Serve points won is a percentage like 64 or 63.5');
  const v = Number(t);
  if (v < 1 || v > 99) return fail('Serve points won must be from 1 to 99 %');
  // Tenths of a percent: no binary fraction noise in what is sent (63.5 → 0.635).
  return { ok: true, value: Math.round(v * 10) / 1000 };
}

/** The margin as a percentage of overround (`8` or `8.5 %` → 0.08, 0.085), below 50 %. Empty: unchanged. */
export function parseMarginPercent(text: string): Parsed<number | null> {
  const t = text.trim().replace(/\s*%$/, '');
  if (t === '') return { ok: true, value: null };
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(t)) return fail('The margin is a percentage like 5 or 7.5');
  const v = Number(t);
  if (v >= 50) return fail('The margin must be below 50 %');
  // Whole hundredths of a percent: no binary fraction noise in what is sent (7.5 → 0.075).
  return { ok: true, value: Math.round(v * 100) / 10_000 };
}

/** An amount of money in pounds (`500`, `1,250.50`) → minor units. Empty: unchanged. */
export function parseAmount(text: string): Parsed<number | null> {
  if (text.trim() === '') return { ok: true, value: null };
  const p = parseStake(text);
  return p.ok ? { ok: true, value: p.minor } : fail(p.message.replace(/stake/g, 'amount'));
}

/** A bet id of this match: `{event_id}.{16 hex}` (as `POST …/bets` answered it). */
export function parseBetId(text: string, eventId: string): Parsed<string> {
  const t = text.trim();
  const m = /^([A-Za-z0-9_-]{1,64})\.([0-9a-f]{16})$/.exec(t);
  if (!m) return fail(`A bet id looks like ${eventId}.0123456789abcdef`);
  if (m[1] !== eventId) return fail(`That bet belongs to match ${m[1]}, not ${eventId}`);
  return { ok: true, value: t };
}

/** A market key as the engine names markets (`1x2`, `total:2.5`, `ah:-0.25`); the engine checks it. */
export function parseMarketKey(text: string): Parsed<MarketKey> {
  const t = text.trim();
  if (t === '') return fail('Choose a market, or “every market”');
  if (!/^[a-z0-9_]+(:[a-z]+)?(:[+-]?\d+(\.\d+)?)?$/.test(t)) return fail('A market key looks like 1x2, total:2.5 or ah:-0.25');
  return { ok: true, value: t as MarketKey };
}

const TEAM_WORDS: Record<string, Team> = { home: 'home', h: 'home', away: 'away', a: 'away' };

/** `23:10`, `23`, `45+2`, `90+3:30` → match clock ms. */
function parseMatchTime(text: string): number | null {
  const plain = /^(\d{1,3})(?::([0-5]\d))?$/.exec(text);
  if (plain) return (Number(plain[1]) * 60 + Number(plain[2] ?? 0)) * 1000;
  const extra = /^(45|90)\+(\d{1,2})(?::([0-5]\d))?$/.exec(text);
  if (extra) return ((Number(extra[1]) + Number(extra[2])) * 60 + Number(extra[3] ?? 0)) * 1000;
  return null;
}

/**
 * A corrected goal list, one goal per line: `<team> <half> <time>`, e.g. `home 1 23:10`,
 * `away 2 67`, `home 1 45+2`; the team as `home`/`away` or its name. Empty: no goals (0–0). Goals
 * must be in the order scored; a second-half goal is at 45:00 or later.
 */
export function parseGoalList(text: string, fixture: { home: string; away: string }): Parsed<CorrectedGoal[]> {
  const names: Record<string, Team> = { ...TEAM_WORDS, [fixture.home.toLowerCase()]: 'home', [fixture.away.toLowerCase()]: 'away' };
  const goals: CorrectedGoal[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const where = `Line ${i + 1}`;
    const m = /^(.+?)\s+([12])\s+(\S+)$/.exec(line);
    if (!m) return fail(`${where}: write a goal as “home 1 23:10” (team, half, time)`);
    const team = names[(m[1] ?? '').toLowerCase()];
    if (!team) return fail(`${where}: the team is home, away, ${fixture.home} or ${fixture.away}`);
    const half = Number(m[2]) as 1 | 2;
    const clock = parseMatchTime(m[3] ?? '');
    if (clock === null) return fail(`${where}: the time is like 23:10, 67 or 45+2`);
    if (half === 2 && clock < HALF_MS) return fail(`${where}: the second half’s clock starts at 45:00`);
    const prev = goals.at(-1);
    if (prev && (half < prev.half || (half === prev.half && clock < prev.clock_ms))) return fail(`${where}: goals must be in the order scored`);
    goals.push({ team, half, clock_ms: clock });
  }
  for (const t of ['home', 'away'] as const) {
    if (goals.filter((g) => g.team === t).length > 30) return fail(`More than 30 goals for ${teamName({ ...fixture, kickoff_ms: 0 }, t)}`);
  }
  return { ok: true, value: goals };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A goal list in the form `parseGoalList` reads, from the goals that stand. The half is read from the
 *  clock (before 45:00 the first), so a goal in first-half stoppage time needs its half checked. */
export function goalListText(goals: readonly GoalRecord[]): string {
  return goals
    .map((g) => {
      const s = Math.floor(g.clock_ms / 1000);
      return `${g.team} ${g.clock_ms < HALF_MS ? 1 : 2} ${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
    })
    .join('\n');
}

export function finalScore(goals: readonly { team: Team }[]): Score {
  return { home: goals.filter((g) => g.team === 'home').length, away: goals.filter((g) => g.team === 'away').length };
}

// ----- words -----

export interface ActionText {
  /** The dialog's heading, and the button that does it. */
  title: string;
  /** What will happen, one sentence a line. */
  lines: string[];
  confirm: string;
  /** Hard to take back: the dialog starts on Cancel. */
  danger: boolean;
}

const pct = (m: number) => `${(Math.round(m * 1000) / 10).toFixed(1)} %`;

/** The confirmation an action asks for, with the match as the desk sees it now. */
export function describeAction(a: DeskAction, view: Pick<DeskView, 'fixture' | 'title' | 'sport' | 'sources' | 'trading'>): ActionText {
  const f = view.fixture;
  const market = (m: MarketKey) => `${marketTitle(m, f)} (${m})`;
  const sport = view.sport;
  const football = sport.sport === 'football' ? sport : null;
  const nowScore = deskScoreText(view);
  switch (a.kind) {
    case 'suspend':
      return {
        title: a.market === null ? 'Suspend every market' : `Suspend ${marketTitle(a.market, f)}`,
        lines: [
          a.market === null ? `Every market of ${view.title} stops taking bets.` : `${market(a.market)} stops taking bets.`,
          'Bets in their delay are refused. It lasts until you resume.',
        ],
        confirm: 'Suspend',
        danger: false,
      };
    case 'resume':
      return {
        title: a.market === null ? 'Resume every market' : `Resume ${marketTitle(a.market, f)}`,
        lines: [
          a.market === null ? 'The trader’s suspension of every market is lifted.' : `The trader’s suspension of ${market(a.market)} is lifted.`,
          `Suspensions the match itself holds (${football ? 'a goal' : 'a challenge'}, the feed) stay until they end.`,
        ],
        confirm: 'Resume',
        danger: false,
      };
    case 'confirm': {
      const other = view.sources.find((s) => s.source !== a.source);
      const what = football ? 'score' : 'points';
      return {
        title: `Believe the ${a.source} source`,
        lines: [
          `${sourceName(a.source)} says ${reportedText(view, a.source)}${other ? `; ${other.source} says ${reportedText(view, other.source)}` : ''}.`,
          `The ${a.source} source’s ${what} stand${football ? 's' : ''} (now ${nowScore}); what only it reported is confirmed, what only the other reported is dropped.`,
          'Markets suspended for the disagreement reopen after the cool-off.',
        ],
        confirm: `Confirm ${a.source}`,
        danger: false,
      };
    }
    case 'cancel_goal': {
      const goals = football?.goals ?? [];
      const score = football?.score ?? { home: 0, away: 0 };
      const last = [...goals].reverse().find((g) => g.team === a.team);
      const after = { ...score, [a.team]: Math.max(0, score[a.team] - 1) };
      return {
        title: `Cancel ${teamName(f, a.team)}’s goal`,
        lines: last
          ? [`${teamName(f, a.team)}’s latest goal (${minuteMark(last.clock_ms)}) is ruled out: ${scoreText(score)} becomes ${scoreText(after)}.`, 'Prices go back to the score before it.']
          : [`${teamName(f, a.team)} has no goal that stands: the engine will change nothing.`],
        confirm: 'Cancel the goal',
        danger: true,
      };
    }
    case 'expected_goals': {
      const change = (team: Team, v: number | null) => {
        const now = football ? (team === 'home' ? football.params.home_xg : football.params.away_xg) : NaN;
        return v === null ? `${teamName(f, team)} unchanged (${now.toFixed(2)})` : `${teamName(f, team)} ${now.toFixed(2)} → ${v.toFixed(2)}`;
      };
      return {
        title: 'Set expected goals',
        lines: [`${change('home', a.home_xg)}; ${change('away', a.away_xg)}.`, 'Every price is recomputed at once.'],
        confirm: 'Set',
        danger: false,
      };
    }
    case 'serve': {
      const params = sport.sport === 'tennis' ? sport.params : null;
      const change = (p: Player, v: number | null) => {
        const now = params ? (p === 'a' ? params.serve_a : params.serve_b) : NaN;
        return v === null ? `${playerName(f, p)} unchanged (${servePct(now)})` : `${playerName(f, p)} ${servePct(now)} → ${servePct(v)}`;
      };
      return {
        title: 'Set serve points won',
        lines: [`Each player’s chance of winning a point on serve: ${change('a', a.serve_a)}; ${change('b', a.serve_b)}.`, 'Every price is recomputed at once.'],
        confirm: 'Set',
        danger: false,
      };
    }
    case 'trading': {
      const t = view.trading;
      const lines: string[] = [];
      if (a.margin !== null) lines.push(`Margin ${pct(t.margin)} → ${pct(a.margin)}.`);
      if (a.max_selection_liability !== null) lines.push(`Liability limit per selection ${formatMoney(t.max_selection_liability)} → ${formatMoney(a.max_selection_liability)}.`);
      if (a.max_market_liability !== null) lines.push(`Liability limit per market ${formatMoney(t.max_market_liability)} → ${formatMoney(a.max_market_liability)}.`);
      lines.push('New bets are taken on these terms at once.');
      return { title: 'Change the trading terms', lines, confirm: 'Change', danger: false };
    }
    case 'void':
      return {
        title: 'Void a bet',
        lines: [`Bet ${a.bet_id} is voided: the stake goes back and its liability is released.`, 'A settled bet is settled again as void, with the difference.'],
        confirm: 'Void the bet',
        danger: true,
      };
    case 'end':
      return {
        title: 'Declare full time',
        lines: [`${view.title} ends at ${nowScore}: every market settles now.`, 'Only in the second half; the feeds’ later messages are refused.'],
        confirm: 'End the match',
        danger: true,
      };
    case 'abandon':
      return {
        title: 'Abandon the match',
        lines: [
          football
            ? `${view.title} is abandoned: every bet is void and every stake goes back.`
            : `${view.title} is abandoned: what was decided (games and sets played) stands, every other bet is void.`,
          'This cannot be undone.',
        ],
        confirm: 'Abandon',
        danger: true,
      };
    case 'resettle': {
      const score = finalScore(a.goals);
      return {
        title: 'Resettle the match',
        lines: [
          `The result becomes ${scoreText(score)} on ${a.goals.length} goal${a.goals.length === 1 ? '' : 's'}${a.goals.length ? `: ${a.goals.map((g) => `${teamName(f, g.team)} ${minuteMark(g.clock_ms)}`).join(', ')}` : ''}.`,
          'Every bet is settled again; each correction shows what it replaced and the difference.',
        ],
        confirm: 'Resettle',
        danger: true,
      };
    }
  }
}

/** A serve probability as a percentage: `64.0 %`. */
function servePct(p: number): string {
  return `${(Math.round(p * 1000) / 10).toFixed(1)} %`;
}

/** The admin API's answer to an action (`AdminPage`, the match itself left out). */
export interface ActionAnswer {
  applied: boolean;
  decisions: unknown[];
  settlements: { correction?: unknown | null }[];
}

/** The answer in words: done (with what it decided and settled), or why nothing changed. */
export function answerText(a: DeskAction, answer: ActionAnswer): { ok: boolean; text: string } {
  if (!answer.applied) {
    return { ok: false, text: 'Nothing changed: the engine did not apply it (already so, not possible in this period, or nothing to act on).' };
  }
  const parts: string[] = [];
  if (answer.decisions.length) parts.push(`${answer.decisions.length} bet decision${answer.decisions.length === 1 ? '' : 's'}`);
  if (answer.settlements.length) {
    const corrected = answer.settlements.filter((s) => s.correction).length;
    parts.push(`${answer.settlements.length} settlement${answer.settlements.length === 1 ? '' : 's'}${corrected ? ` (${corrected} corrected)` : ''}`);
  }
  return { ok: true, text: `Done: ${ACTION_NAME[a.kind]}${parts.length ? ` — ${parts.join(', ')}` : ''}.` };
}

const ACTION_NAME: Record<DeskAction['kind'], string> = {
  suspend: 'suspended',
  resume: 'resumed',
  confirm: 'source confirmed',
  cancel_goal: 'goal cancelled',
  expected_goals: 'expected goals set',
  serve: 'serve points won set',
  trading: 'trading terms changed',
  void: 'bet voided',
  end: 'full time declared',
  abandon: 'match abandoned',
  resettle: 'match resettled',
};
