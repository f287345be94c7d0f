// Connection status as the bettor sees it, and when to try again.
//
// live         socket open and frames arriving (heartbeats at least every few seconds)
// stale        socket open but silent for longer than `staleAfterMs`: prices may be out of date
// reconnecting socket closed (or silent far too long): retrying with backoff, resuming with `since`
// connecting   first connection, nothing received yet

export type ConnectionStatus = 'connecting' | 'live' | 'stale' | 'reconnecting';

export interface Liveness {
  open: boolean;
  everLive: boolean;
  lastFrameMs: number | null;
}

/** Status from the socket's state at local time `nowMs`. */
export function connectionStatus(l: Liveness, nowMs: number, staleAfterMs: number): ConnectionStatus {
  if (!l.open) return l.everLive ? 'reconnecting' : 'connecting';
  if (l.lastFrameMs === null) return l.everLive ? 'reconnecting' : 'connecting';
  return nowMs - l.lastFrameMs > staleAfterMs ? 'stale' : 'live';
}

/**
 * Delay before reconnect attempt `attempt` (0-based): 250 ms doubling to `maxMs`, with ±20 %
 * jitter from `random` so a crowd of bettors does not reconnect in lockstep after an outage.
 */
export function backoffMs(attempt: number, random: () => number = Math.random, maxMs = 8000): number {
  const base = Math.min(maxMs, 250 * 2 ** Math.max(0, Math.min(attempt, 16)));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** The `since` query value for a held version. */
export function sinceParam(v: { epoch: number; seq: number } | null): string | null {
  return v ? `${v.epoch}:${v.seq}` : null;
}

/** Labels shown in the status pill. */
export const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting',
  live: 'Live',
  stale: 'Stale',
  reconnecting: 'Reconnecting',
};
