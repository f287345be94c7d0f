// The match clock as a bettor reads it: 67:12 while running, 45+2 in stoppage, HT, FT. The time is
// the engine's (a live event's `stateAt(now)`, or `clockAt(anchor, now)` for an image read without
// one); only the words are ours.

import type { MatchState } from './wire.ts';

export const HALF_MS = 45 * 60_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** `mm:ss`, with stoppage written as `45+2:10` / `90+4:05`. */
export function formatClock(clockMs: number, period: MatchState['period']): string {
  const half = period === 'first_half' ? 1 : period === 'second_half' ? 2 : 0;
  const limit = half === 1 ? HALF_MS : half === 2 ? 2 * HALF_MS : Infinity;
  const ms = Math.max(0, clockMs);
  if (ms >= limit) {
    const over = ms - limit;
    const min = Math.floor(over / 60_000);
    const sec = Math.floor((over % 60_000) / 1000);
    return `${limit / 60_000}+${min}:${pad(sec)}`;
  }
  const min = Math.floor(ms / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  return `${pad(min)}:${pad(sec)}`;
}

/**
 * What the clock shows at `nowMs`: the running time, or a label when the ball is not in play. `state`
 * is the engine's state at that instant, its `clock_ms` already run on from the anchor.
 */
export function clockLabel(state: MatchState, nowMs: number, kickoffMs?: number): string {
  switch (state.period) {
    case 'pre_match':
      return kickoffMs ? kickoffLabel(kickoffMs, nowMs) : 'Not started';
    case 'half_time':
      return 'HT';
    case 'full_time':
      return 'FT';
    default:
      return formatClock(state.clock_ms, state.period);
  }
}

/** `Kick-off 19:45`, or `Starting` once the time has passed. */
export function kickoffLabel(kickoffMs: number, nowMs: number): string {
  if (kickoffMs <= nowMs) return 'Starting';
  const d = new Date(kickoffMs);
  return `Kick-off ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Minute of a match-clock time as printed next to a goal: 23', 45+2', 90+5'. */
export function minuteMark(clockMs: number): string {
  const minute = Math.floor(clockMs / 60_000) + 1;
  if (clockMs >= 2 * HALF_MS) return `90+${minute - 90}'`;
  return `${minute}'`;
}

export function isInPlay(period: MatchState['period']): boolean {
  return period === 'first_half' || period === 'second_half' || period === 'half_time';
}
