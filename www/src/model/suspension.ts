// Why markets are closed, in a bettor's words: "Goal — Arsenal", "VAR check", "Feed interrupted",
// "Challenge — Sinner".

import type { Fixture, MarketStatus, Suspension, SuspensionReason, Team } from './wire.ts';

const REASON: Record<SuspensionReason, string> = {
  goal: 'Goal',
  penalty: 'Penalty',
  red_card: 'Red card',
  var: 'VAR check',
  danger: 'Dangerous attack',
  source_discrepancy: 'Checking the score',
  feed_stale: 'Feed interrupted',
  period_end: 'End of period',
  manual: 'Suspended by trader',
  challenge: 'Challenge',
  medical_timeout: 'Medical time-out',
  retirement: 'Retirement reported',
};

/** Reasons whose suspension names a team (tennis: a player, `home` being the first named). */
const WITH_TEAM = new Set<SuspensionReason>(['goal', 'penalty', 'red_card', 'danger', 'challenge', 'medical_timeout', 'retirement']);

export function teamName(fixture: Fixture, team: Team): string {
  return team === 'home' ? fixture.home : fixture.away;
}

/** The words for one suspension, with the team where the reason concerns one. */
export function suspensionText(reason: SuspensionReason, team: Team | null, fixture: Fixture): string {
  const base = REASON[reason] ?? 'Suspended';
  return team && WITH_TEAM.has(reason) ? `${base} — ${teamName(fixture, team)}` : base;
}

/** The reason in a market status string, if it is a suspension. */
export function suspendedReason(status: MarketStatus | string): SuspensionReason | null {
  return status.startsWith('suspended:') ? (status.slice('suspended:'.length) as SuspensionReason) : null;
}

/**
 * Words for a market's status: null while it is open. A suspension takes its team from the image's
 * active suspension with the same reason.
 */
export function statusText(status: MarketStatus | string, suspensions: readonly Suspension[], fixture: Fixture): string | null {
  const reason = suspendedReason(status);
  if (reason) {
    const s = suspensions.find((x) => x.reason === reason);
    return suspensionText(reason, s?.team ?? null, fixture);
  }
  switch (status) {
    case 'open':
      return null;
    case 'closed':
      return 'Closed';
    case 'settled':
      return 'Settled';
    case 'void':
      return 'Void — stakes returned';
    default:
      return 'Unavailable';
  }
}

/** The headline suspension of the whole match (the engine suspends every market on the first one). */
export function matchSuspensionText(suspensions: readonly Suspension[], fixture: Fixture): string | null {
  const s = suspensions[0];
  return s ? suspensionText(s.reason, s.team, fixture) : null;
}
