// The match in probabilities: home / draw / away over match time (tennis: the two players over the
// time since the first point), with goals and red cards marked.
// Built on the page from what the stream brought (snapshot, deltas, and local repricing between
// them), so it needs no history endpoint; it starts where the page joined.

import type { GoalRecord, Score, Team } from './wire.ts';

export interface ChartPoint {
  clockMs: number;
  home: number;
  draw: number;
  away: number;
}

export interface ChartMark {
  kind: 'goal' | 'red_card';
  team: Team;
  clockMs: number;
}

export class MatchChart {
  points: ChartPoint[] = [];
  marks: ChartMark[] = [];
  #red: Score | null = null;
  readonly #minGapMs: number;

  /** Football's time runs in halves of 45 minutes; tennis's does not. */
  halves = true;

  /** `minGapMs`: least match time between two samples taken while nothing happened. */
  constructor(minGapMs = 10_000) {
    this.#minGapMs = minGapMs;
  }

  /**
   * A probability sample. `event` samples (right after a delta) are always kept; routine ones only
   * when the clock has moved `minGapMs` since the last point. A clock that went back (a new epoch,
   * a corrected clock) replaces the points after it.
   */
  add(p: ChartPoint, event = false): boolean {
    if (![p.home, p.draw, p.away, p.clockMs].every(Number.isFinite)) return false;
    const last = this.points[this.points.length - 1];
    if (last && p.clockMs < last.clockMs) {
      this.points = this.points.filter((q) => q.clockMs <= p.clockMs);
    } else if (last && !event && p.clockMs - last.clockMs < this.#minGapMs) {
      return false;
    }
    this.points.push(p);
    return true;
  }

  /** Goals as the image lists them (they can be cancelled, so the list is replaced, not appended). */
  setGoals(goals: readonly GoalRecord[]): void {
    this.marks = [
      ...this.marks.filter((m) => m.kind !== 'goal'),
      ...goals.map((g) => ({ kind: 'goal' as const, team: g.team, clockMs: g.clock_ms })),
    ].sort((a, b) => a.clockMs - b.clockMs);
  }

  /** Red-card counts from the match state; an increase is marked at `clockMs`. */
  observeRedCards(red: Score, clockMs: number): void {
    const before = this.#red;
    this.#red = { ...red };
    if (!before) return;
    for (const team of ['home', 'away'] as const) {
      for (let i = before[team]; i < red[team]; i++) this.marks.push({ kind: 'red_card', team, clockMs });
    }
    this.marks.sort((a, b) => a.clockMs - b.clockMs);
  }

  /** Match-time span to draw: at least the first half (tennis: half an hour), extended to the latest point. */
  span(): [number, number] {
    const least = (this.halves ? 45 : 30) * 60_000;
    const end = Math.max(least, ...this.points.map((p) => p.clockMs), ...this.marks.map((m) => m.clockMs));
    if (!this.halves) return [0, end];
    return [0, end > 45 * 60_000 ? Math.max(90 * 60_000, end) : end];
  }
}

/** The 1X2 fair probabilities of a book (tennis: the match winner's, no draw), or null when it has none. */
export function resultProbabilities(
  markets: readonly { key: string; selections: readonly { key: string; prob?: number }[] }[],
): { home: number; draw: number; away: number } | null {
  const tennis = markets.find((x) => x.key === 'match_winner');
  if (tennis) {
    const a = tennis.selections.find((s) => s.key === 'a')?.prob;
    const b = tennis.selections.find((s) => s.key === 'b')?.prob;
    return a != null && b != null ? { home: a, draw: 0, away: b } : null;
  }
  const m = markets.find((x) => x.key === '1x2');
  if (!m) return null;
  const p = (k: string) => m.selections.find((s) => s.key === k)?.prob;
  const home = p('home');
  const draw = p('draw');
  const away = p('away');
  return home != null && draw != null && away != null ? { home, draw, away } : null;
}
