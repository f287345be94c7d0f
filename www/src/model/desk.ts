// The trading desk's view of one match as the hub's desk socket pushes it (`DeskView` in
// protocol/src/desk.rs, with the engine's `SourceHealth`, `Awaiting`, `SelectionExposure`,
// `ScoreOutcome`, `SetsOutcome` and `TennisReport` from engine/src/live/desk.rs), and what the desk
// makes of it: ages and durations at server time, alert words and which alerts are new, exposure
// against the trading limits, the book's result per way the match can end. What every sport shares
// is at the top of the view; the sport's own (score, model, the book per result) is its `sport`.
// Every number here is the hub's; the desk only arranges and words it.

import { formatClock } from './clock.ts';
import { formatMoney } from './money.ts';
import { suspensionText } from './suspension.ts';
import { elapsedText, outcomeText, playerName, pointCalls, type TennisScoreOf } from './tennis.ts';
import type {
  Fixture,
  FootballParams,
  GoalRecord,
  MarketKey,
  MarketStatus,
  Period,
  Player,
  Score,
  SelectionKey,
  SetScore,
  Suspension,
  Team,
  TennisImage,
  TennisPhase,
  TradingTerms,
  Version,
} from './wire.ts';

/** A feed provider. */
export type Source = 'primary' | 'backup';

export const SOURCES: readonly Source[] = ['primary', 'backup'];

/** One feed source: what the engine knows of it (`SourceHealth`) and the hub's counts. */
export interface SourceDesk {
  source: Source;
  /** Last sequence number applied. */
  last_seq: number | null;
  /** When it last spoke (edge clock, ms). */
  last_message_ms: number | null;
  /** Messages held now, ahead of a missing sequence number. */
  held: number;
  /** The score it last reported (football's heartbeats; null in tennis, see `TennisDesk.reported`). */
  reported_score: Score | null;
  /** Since when its score disagrees with the match's. */
  disagrees_since_ms: number | null;
  accepted: number;
  duplicate: number;
  /** Held ahead of a gap when they arrived (since the hub started). */
  held_total: number;
  rejected: number;
}

/** Something one source reported that waits for the other. */
export type Awaiting =
  | { kind: 'goal'; team: Team; source: Source }
  /** Half-time, full time, an abandonment, or (tennis) a player's retirement. */
  | { kind: 'claim'; fact: string; source: Source; player?: Player }
  /** Tennis: a point the other source has not confirmed (or gives to the other player). */
  | { kind: 'point'; point: number; winner: Player; source: Source };

export interface BetFlow {
  /** Bets placed per second over the last ten seconds. */
  per_second: number;
  /** Decisions by status text (`accepted`, `pending`, `rejected:price_changed`) since the hub started. */
  decisions: Record<string, number>;
  /** Bets in their in-play delay now. */
  pending: number;
  /** Bets held, any status. */
  total: number;
}

/** The book's exposure on one selection (money in minor units). */
export interface SelectionExposure {
  market: MarketKey;
  selection: SelectionKey;
  /** What the book pays beyond stakes if it wins (pending and accepted bets). */
  liability: number;
  /** The same for its whole market. */
  market_liability: number;
  /** Stakes taken (accepted bets). */
  stakes: number;
  /** Accepted bets. */
  bets: number;
}

/** The book's result if the match ends on `score`: stakes kept minus payouts (negative: a loss). */
export interface ScoreOutcome {
  score: Score;
  net: number;
}

/** The book's result if a tennis match ends `sets` (A's first); a score several orders of sets reach at its worst order. */
export interface SetsOutcome {
  sets: [number, number];
  net: number;
}

/** A tennis score: where the match is, who serves, the points and games in play, the completed sets. */
export interface TennisScore {
  phase: TennisPhase;
  server: Player;
  points: [number, number];
  games: [number, number];
  sets: SetScore[];
}

/** What one source's reports make the score: the points that stand, then its own beyond them. */
export interface TennisReport {
  source: Source;
  /** Its points beyond those that stand. */
  ahead: number;
  score: TennisScore;
}

/** A football match's own part of the view. */
export interface FootballDesk {
  sport: 'football';
  period: Period;
  /** Match clock at `server_ms`. */
  clock_ms: number;
  score: Score;
  goals: GoalRecord[];
  params: FootballParams;
  outcomes: ScoreOutcome[];
}

/** A tennis match's own part of the view (player A is the fixture's `home`). */
export interface TennisDesk {
  sport: 'tennis';
  score: TennisScore;
  /** Time since the first point at `server_ms`. */
  clock_ms: number;
  points_played: number;
  params: TennisImage['params'];
  /** The score each source's reports make, primary first. */
  reported: TennisReport[];
  outcomes: SetsOutcome[];
}

export type SportDesk = FootballDesk | TennisDesk;

export interface RelayDesk {
  name: string;
  /** Versions behind the hub at its last acknowledgement. */
  lag: number;
  /** Failed sends in a row. */
  failures: number;
  sockets: number;
}

export type AlertKind = 'feed_stale' | 'source_discrepancy' | 'source_silent' | 'liability' | 'relay_behind';

export interface Alert {
  kind: AlertKind;
  /** A source, `market/selection`, a market or a relay; empty for the match. */
  subject: string;
  /** When it started (edge clock, ms). */
  since_ms: number;
  message: string;
}

/** The desk's view of a match (`inplay_protocol::desk::DeskView`). */
export interface DeskView {
  event_id: string;
  title: string;
  fixture: Fixture;
  server_ms: number;
  version: Version;
  abandoned: boolean;
  /** The sport's own: score, model, the book per result. */
  sport: SportDesk;
  /** Match-wide suspensions, newest first. */
  suspensions: Suspension[];
  /** Markets suspended one by one. */
  overrides: [MarketKey, MarketStatus][];
  sources: SourceDesk[];
  awaiting: Awaiting[];
  bets: BetFlow;
  trading: TradingTerms;
  exposure: SelectionExposure[];
  relays: RelayDesk[];
  alerts: Alert[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A frame read as a desk view, or null when it is not one (the socket carries nothing else, so only a
 * server of another version would send something else; the desk then keeps the last good view).
 */
export function readDeskView(text: string): DeskView | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(v)) return null;
  const arrays = ['suspensions', 'overrides', 'sources', 'awaiting', 'exposure', 'relays', 'alerts'];
  const ok =
    typeof v['event_id'] === 'string' &&
    typeof v['server_ms'] === 'number' &&
    isObject(v['fixture']) &&
    isObject(v['bets']) &&
    isObject(v['trading']) &&
    isSportDesk(v['sport']) &&
    arrays.every((k) => Array.isArray(v[k]));
  return ok ? (v as unknown as DeskView) : null;
}

function isSportDesk(v: unknown): boolean {
  if (!isObject(v) || !isObject(v['score']) || !isObject(v['params']) || !Array.isArray(v['outcomes'])) return false;
  if (v['sport'] === 'football') return Array.isArray(v['goals']);
  if (v['sport'] === 'tennis') return Array.isArray(v['reported']) && Array.isArray(v['score']['sets']);
  return false;
}

/** The view's tennis part with what the tennis words read, or null for football. */
export function tennisOf(view: Pick<DeskView, 'sport' | 'abandoned'>): (TennisScoreOf & TennisDesk) | null {
  const t = view.sport;
  return t.sport === 'tennis' ? { ...t, ...t.score, params: t.params, abandoned: view.abandoned } : null;
}

// ----- time -----

const pad = (n: number) => String(n).padStart(2, '0');

/** A span for people: `0.4 s`, `12 s`, `3 min 05 s`, `1 h 02 min`. Negative spans read as 0. */
export function durationText(ms: number): string {
  const t = Math.max(0, ms);
  if (t < 10_000) return `${(Math.floor(t / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(t / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${pad(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${pad(m % 60)} min`;
}

/** How long ago `atMs` was at server time `nowMs`; `never` without a time. */
export function ageText(atMs: number | null, nowMs: number): string {
  return atMs === null ? 'never' : `${durationText(nowMs - atMs)} ago`;
}

/** Wall-clock time of day (the desk's local zone), to the second: `19:45:03`. */
export function timeOfDay(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const PERIOD: Record<Period, string> = {
  pre_match: 'Not started',
  first_half: '1st half',
  half_time: 'Half-time',
  second_half: '2nd half',
  full_time: 'Full time',
};

export function periodText(period: Period): string {
  return PERIOD[period] ?? period;
}

/**
 * Where the match is at the view's server time: `1st half 23:10`, `Half-time`, `Full time`; a tennis
 * match `In play 42:05` (since the first point), `Not started`, or how it ended.
 */
export function matchTimeText(view: Pick<DeskView, 'sport' | 'abandoned' | 'fixture'>): string {
  const s = view.sport;
  if (s.sport === 'tennis') {
    const t = tennisOf(view);
    if (!t) return '';
    if (t.phase === 'pre_match') return 'Not started';
    return outcomeText(t, view.fixture) ?? `In play ${elapsedText(s.clock_ms)}`;
  }
  const running = s.period === 'first_half' || s.period === 'second_half';
  return running ? `${periodText(s.period)} ${formatClock(s.clock_ms, s.period)}` : periodText(s.period);
}

export function scoreText(s: Score | null): string {
  return s ? `${s.home}–${s.away}` : '—';
}

/**
 * A tennis score on one line, A's numbers first: the completed sets, the games of the set in play and
 * the points (`6–4 3–2 30–15`; `7–6(5)` for a tiebreak, with the loser's points).
 */
export function tennisScoreText(score: TennisScore, params: TennisImage['params']): string {
  const sets = score.sets.map((x) => `${x.games[0]}–${x.games[1]}${x.tiebreak ? `(${Math.min(x.tiebreak[0], x.tiebreak[1])})` : ''}`);
  if (score.phase === 'pre_match') return '0–0';
  if (typeof score.phase === 'object' && 'finished' in score.phase) return sets.join(' ');
  // Retired: the set it stopped in, without the points.
  if (score.phase !== 'in_play') return [...sets, `${score.games[0]}–${score.games[1]}`].join(' ');
  const [a, b] = pointCalls({ ...score, params, abandoned: false });
  return [...sets, `${score.games[0]}–${score.games[1]}`, `${a}–${b}`].join(' ');
}

/** The match's score as the desk's header says it: `1–0`, or a tennis score line. */
export function deskScoreText(view: Pick<DeskView, 'sport'>): string {
  const s = view.sport;
  return s.sport === 'tennis' ? tennisScoreText(s.score, s.params) : scoreText(s.score);
}

/** The score a source believes (football: its heartbeats' score; tennis: what its reports make) and its points beyond those that stand. */
export function reportedScore(view: Pick<DeskView, 'sport' | 'sources'>, source: Source): { score: string; ahead: number } {
  const s = view.sport;
  if (s.sport === 'tennis') {
    const r = s.reported.find((x) => x.source === source);
    return r ? { score: tennisScoreText(r.score, s.params), ahead: r.ahead } : { score: '—', ahead: 0 };
  }
  return { score: scoreText(view.sources.find((x) => x.source === source)?.reported_score ?? null), ahead: 0 };
}

/** `+1 point`, `+3 points`. */
export function aheadText(ahead: number): string {
  return `+${ahead} point${ahead === 1 ? '' : 's'}`;
}

/** The score a source believes, with how far ahead: `6–4 2–1 40–15 (+1 point)`. */
export function reportedText(view: Pick<DeskView, 'sport' | 'sources'>, source: Source): string {
  const { score, ahead } = reportedScore(view, source);
  return ahead ? `${score} (${aheadText(ahead)})` : score;
}

export function teamName(fixture: Fixture, team: Team): string {
  return team === 'home' ? fixture.home : fixture.away;
}

export function sourceName(source: Source): string {
  return source === 'primary' ? 'Primary' : 'Backup';
}

// ----- alerts -----

const ALERT_TITLE: Record<AlertKind, string> = {
  feed_stale: 'Feed stale',
  source_discrepancy: 'Sources disagree',
  source_silent: 'Source silent',
  liability: 'Liability near its limit',
  relay_behind: 'Relay behind',
};

export function alertTitle(kind: AlertKind): string {
  return ALERT_TITLE[kind] ?? kind;
}

/** An alert's identity: the same kind on the same subject is the same alert while it lasts. */
export function alertKey(a: Pick<Alert, 'kind' | 'subject'>): string {
  return `${a.kind}|${a.subject}`;
}

/** What changed between two views' alerts: raised (new) and cleared, each in the order given. */
export function alertChanges(before: readonly Alert[], after: readonly Alert[]): { raised: Alert[]; cleared: Alert[] } {
  const had = new Set(before.map(alertKey));
  const has = new Set(after.map(alertKey));
  return {
    raised: after.filter((a) => !had.has(alertKey(a))),
    cleared: before.filter((a) => !has.has(alertKey(a))),
  };
}

/** What a screen reader hears when an alert is raised. */
export function alertAnnouncement(a: Alert, title: string, message: string = a.message): string {
  return `${title}: ${alertTitle(a.kind)}${a.subject ? ` (${a.subject})` : ''}. ${message}. Since ${timeOfDay(a.since_ms)}.`;
}

/**
 * An alert's words for the desk: the hub's message, except a liability alert, which is said in money
 * from the exposure it names (`Match result, Everton: £42.48 of £50.00 (85 %)`).
 */
export function alertMessage(a: Alert, view: Pick<DeskView, 'exposure' | 'trading' | 'fixture'>, words: { market(m: MarketKey): string; selection(m: MarketKey, s: SelectionKey): string }): string {
  if (a.kind !== 'liability') return a.message;
  const [market, selection] = a.subject.split('/');
  const e = view.exposure.find((x) => x.market === market && (selection === undefined || x.selection === selection));
  if (!e) return a.message;
  if (selection === undefined) {
    const limit = view.trading.max_market_liability;
    return `${words.market(e.market)}: ${barText({ liability: e.market_liability, limit, share: shareOf(e.market_liability, limit) })} of the market limit`;
  }
  const limit = view.trading.max_selection_liability;
  return `${words.market(e.market)}, ${words.selection(e.market, e.selection)}: ${barText({ liability: e.liability, limit, share: shareOf(e.liability, limit) })} of the selection limit`;
}

// ----- sources -----

/** Whether the two sources believe different scores (the desk offers to confirm one of them). */
export function sourcesDisagree(view: Pick<DeskView, 'sources' | 'sport'>): boolean {
  const s = view.sport;
  if (s.sport === 'tennis') {
    const [a, b] = s.reported;
    return !!a && !!b && JSON.stringify(a.score) !== JSON.stringify(b.score);
  }
  const [a, b] = view.sources;
  if (!a?.reported_score || !b?.reported_score) return false;
  return a.reported_score.home !== b.reported_score.home || a.reported_score.away !== b.reported_score.away;
}

/** What waits for the other source, in words. */
export function awaitingText(a: Awaiting, fixture: Fixture): string {
  if (a.kind === 'goal') return `Goal for ${teamName(fixture, a.team)} reported by ${a.source} only`;
  if (a.kind === 'point') return `Point ${a.point} to ${playerName(fixture, a.winner)}, says ${a.source}`;
  const who = a.player ? ` of ${playerName(fixture, a.player)}` : '';
  return `${a.fact.replace(/_/g, ' ')}${who} reported by ${a.source} only`;
}

// ----- suspensions -----

export interface SuspensionRow {
  text: string;
  since_ms: number;
  /** How long so far, at the given server time. */
  lasted: string;
  /** When it lifts by itself, in words; or what it waits for. */
  lifts: string;
}

/** The match-wide suspensions as the desk lists them. */
export function suspensionRows(view: Pick<DeskView, 'suspensions' | 'fixture'>, nowMs: number): SuspensionRow[] {
  return view.suspensions.map((s) => ({
    text: suspensionText(s.reason, s.team, view.fixture),
    since_ms: s.since_ms,
    lasted: durationText(nowMs - s.since_ms),
    lifts: s.until_ms === null ? 'until resolved' : s.until_ms <= nowMs ? 'lifting now' : `lifts in ${durationText(s.until_ms - nowMs)}`,
  }));
}

// ----- bets -----

export interface DecisionRow {
  code: string;
  text: string;
  count: number;
}

/** Decisions by code: accepted and pending first, then refusals, most frequent first. */
export function decisionRows(decisions: Readonly<Record<string, number>>): DecisionRow[] {
  const rank = (code: string) => (code === 'accepted' ? 0 : code === 'pending' ? 1 : 2);
  return Object.entries(decisions)
    .map(([code, count]) => ({
      code,
      count,
      text: code.startsWith('rejected:') ? `Rejected: ${code.slice('rejected:'.length).replace(/_/g, ' ')}` : code.charAt(0).toUpperCase() + code.slice(1),
    }))
    .sort((a, b) => rank(a.code) - rank(b.code) || b.count - a.count || a.code.localeCompare(b.code));
}

/** Bets per second as shown: one decimal. */
export function rateText(perSecond: number): string {
  return `${(Math.round(perSecond * 10) / 10).toFixed(1)}/s`;
}

// ----- exposure -----

/** Used over limit, for a bar: 0 with nothing used; a zero limit with anything used is full. */
export function shareOf(used: number, limit: number): number {
  if (used <= 0) return 0;
  return limit > 0 ? used / limit : 1;
}

export interface ExposureBar {
  liability: number;
  limit: number;
  /** liability / limit, unclamped (above 1 when over: a limit lowered under the book). */
  share: number;
  /** A liability alert stands on it. */
  alert: boolean;
}

export interface SelectionRow extends ExposureBar {
  selection: SelectionKey;
  stakes: number;
  bets: number;
}

export interface MarketRow extends ExposureBar {
  market: MarketKey;
  selections: SelectionRow[];
}

/**
 * Exposure per market, each with its selections, against the trading limits; the markets nearest
 * their limit first. `alert` marks the bars a standing liability alert names (`market/selection` or
 * `market`): the hub decides when a share is too high, the desk only shows it.
 */
export function exposureRows(view: Pick<DeskView, 'exposure' | 'trading' | 'alerts'>): MarketRow[] {
  const alerted = new Set(view.alerts.filter((a) => a.kind === 'liability').map((a) => a.subject));
  const markets = new Map<string, MarketRow>();
  for (const e of view.exposure) {
    let m = markets.get(e.market);
    if (!m) {
      const limit = view.trading.max_market_liability;
      m = { market: e.market, liability: e.market_liability, limit, share: shareOf(e.market_liability, limit), alert: alerted.has(e.market), selections: [] };
      markets.set(e.market, m);
    }
    const limit = view.trading.max_selection_liability;
    m.selections.push({
      selection: e.selection,
      liability: e.liability,
      limit,
      share: shareOf(e.liability, limit),
      alert: alerted.has(`${e.market}/${e.selection}`),
      stakes: e.stakes,
      bets: e.bets,
    });
  }
  const rows = [...markets.values()];
  const top = (m: MarketRow) => Math.max(m.share, ...m.selections.map((s) => s.share));
  for (const m of rows) m.selections.sort((a, b) => b.share - a.share || a.selection.localeCompare(b.selection));
  return rows.sort((a, b) => top(b) - top(a) || a.market.localeCompare(b.market));
}

/** `£120.00 of £500.00 (24 %)`. */
export function barText(bar: Pick<ExposureBar, 'liability' | 'limit' | 'share'>): string {
  return `${formatMoney(bar.liability)} of ${formatMoney(bar.limit)} (${Math.round(bar.share * 100)} %)`;
}

// ----- the book per final score -----

export interface OutcomeGrid {
  /** Home goals per row, away goals per column, ascending. */
  homes: number[];
  aways: number[];
  /** `cells[row][col]`: the book's net result, or null where the hub gave none. */
  cells: (number | null)[][];
  /** The final score that costs the book most (null without outcomes). */
  worst: ScoreOutcome | null;
  best: ScoreOutcome | null;
}

/** The hub's outcomes as a grid of final scores, with the worst and best for the book. */
export function outcomeGrid(outcomes: readonly ScoreOutcome[]): OutcomeGrid {
  const homes = [...new Set(outcomes.map((o) => o.score.home))].sort((a, b) => a - b);
  const aways = [...new Set(outcomes.map((o) => o.score.away))].sort((a, b) => a - b);
  const cells = homes.map((h) => aways.map((a) => outcomes.find((o) => o.score.home === h && o.score.away === a)?.net ?? null));
  let worst: ScoreOutcome | null = null;
  let best: ScoreOutcome | null = null;
  for (const o of outcomes) {
    if (!worst || o.net < worst.net) worst = o;
    if (!best || o.net > best.net) best = o;
  }
  return { homes, aways, cells, worst, best };
}

export interface SetsRow {
  /** Final score in sets, A's first. */
  sets: [number, number];
  winner: Player;
  /** The score in sets, the winner's first: `2–1`. */
  score: string;
  /** `Sinner 2–1`. */
  label: string;
  net: number;
}

/** The book per score in sets as rows (the hub's order: A's wins, then B's), with the worst and best for the book. */
export function setsRows(outcomes: readonly SetsOutcome[], fixture: Fixture): { rows: SetsRow[]; worst: SetsRow | null; best: SetsRow | null } {
  const rows = outcomes.map((o) => {
    const winner: Player = o.sets[0] > o.sets[1] ? 'a' : 'b';
    const [w, l] = winner === 'a' ? o.sets : [o.sets[1], o.sets[0]];
    const score = `${w}–${l}`;
    return { sets: o.sets, winner, score, label: `${playerName(fixture, winner)} ${score}`, net: o.net };
  });
  let worst: SetsRow | null = null;
  let best: SetsRow | null = null;
  for (const r of rows) {
    if (!worst || r.net < worst.net) worst = r;
    if (!best || r.net > best.net) best = r;
  }
  return { rows, worst, best };
}

// ----- markets -----

/** Markets suspended one by one, with the words of their status. */
export function overrideRows(view: Pick<DeskView, 'overrides'>): { market: MarketKey; status: string }[] {
  return view.overrides.map(([market, status]) => ({
    market,
    status: status.startsWith('suspended:') ? `suspended (${status.slice('suspended:'.length).replace(/_/g, ' ')})` : status,
  }));
}

const HEADLINE: Record<SportDesk['sport'], MarketKey[]> = {
  football: ['1x2', 'total:2.5', 'btts', 'next_goal', 'correct_score'],
  tennis: ['match_winner', 'set_betting', 'set_winner', 'game_winner', 'next_set_winner'],
};

/** Markets a trader is likely to act on: those with exposure, those suspended one by one, and the sport's headline ones. */
export function marketChoices(view: Pick<DeskView, 'exposure' | 'overrides' | 'sport'>): MarketKey[] {
  const keys = new Set<MarketKey>(HEADLINE[view.sport.sport]);
  for (const e of view.exposure) keys.add(e.market);
  for (const [m] of view.overrides) keys.add(m);
  return [...keys].sort();
}
