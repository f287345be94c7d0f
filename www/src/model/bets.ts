// Bet decisions in a bettor's words, and the page's record of its own bets. A decision's status is
// read by the engine (`betStatus`, see `readDecision` in ../engine.ts) before it reaches this module.

import { formatMoney } from './money.ts';
import type { BetDecision, ParsedBetStatus, RejectCode, Settlement, TradingTerms } from './wire.ts';

export type BetPhase = ParsedBetStatus['phase'];

/** A decision with its status as the engine reads it: phase, and the reject code when rejected. */
export type ReadDecision = BetDecision & ParsedBetStatus;

/** Why a bet was refused, said plainly; terms fill in stake limits where known. */
export function rejectReason(code: RejectCode | string, terms?: TradingTerms): string {
  switch (code) {
    case 'market_suspended':
      return 'The market was suspended before your bet could be confirmed.';
    case 'market_closed':
      return 'This market is closed.';
    case 'price_changed':
      return 'The price changed beyond what you chose to accept.';
    case 'stake_too_low':
      return terms ? `The minimum stake is ${formatMoney(terms.min_stake)}.` : 'The stake is below the minimum.';
    case 'stake_too_high':
      return terms ? `The maximum stake is ${formatMoney(terms.max_stake)}.` : 'The stake is above the maximum.';
    case 'liability_exceeded':
      return 'We can’t take that much on this selection right now. Try a smaller stake.';
    case 'unknown_market':
    case 'unknown_selection':
      return 'This selection is no longer offered.';
    case 'stale_version':
      return 'Prices moved on while you were choosing. Check the new price and try again.';
    case 'invalid_request':
      return 'The bet could not be read. Please try again.';
    case 'rate_limited':
      return 'Too many bets at once. Wait a moment and try again.';
    case 'overloaded':
    case 'hub_unavailable':
    case 'relay_unavailable':
      return 'We are very busy right now. Try again in a moment.';
    case 'token_required':
    case 'token_invalid':
    case 'token_expired':
      return 'Please sign in again to place bets.';
    default:
      return 'The bet was not accepted.';
  }
}

/** A bet as the page keeps it (localStorage): what was asked, and the latest decision. */
export interface BetRecord {
  id: string;
  event_id: string;
  market: string;
  selection: string;
  /** Labels at the time of the bet, so the list reads well without the event loaded. */
  title: string;
  label: string;
  /** `Arsenal v Chelsea`, for the bets page. */
  match?: string;
  stake: number;
  price: number;
  placed_ms: number;
  /** The phase of the latest decision, as the engine read its status. */
  status: BetPhase;
  /** Why it was rejected (`null` unless rejected). */
  code: RejectCode | null;
  taken_price: number | null;
  release_at_ms: number | null;
  settlement: Settlement | null;
}

/** What a settlement pays, in words: `Won £25.00`, `Lost`, `Void — £5.00 back`. */
function resultText(result: Settlement['result'], payout: number): string | null {
  switch (result) {
    case 'won':
      return `Won ${formatMoney(payout)}`;
    case 'half_won':
      return `Half won ${formatMoney(payout)}`;
    case 'half_lost':
      return `Half lost, ${formatMoney(payout)} back`;
    case 'lost':
      return 'Lost';
    case 'push':
      return `Push — ${formatMoney(payout)} back`;
    case 'void':
      return `Void — ${formatMoney(payout)} back`;
    default:
      return null;
  }
}

/**
 * The settlement line of a bet: `Won £25.00`, `Lost`, `Void — £5.00 back`; after a result correction
 * the earlier result is named too: `Won £25.00 (corrected from Lost)`. Amounts are the engine's.
 */
export function settlementText(s: Settlement | null): string | null {
  if (!s) return null;
  const text = resultText(s.result, s.payout);
  if (text && s.correction) {
    const before = resultText(s.correction.previous_result, s.correction.previous_payout);
    return before ? `${text} (corrected from ${before})` : text;
  }
  return text;
}

/** Status line of a bet for the list. */
export function statusLine(b: Pick<BetRecord, 'status' | 'code' | 'settlement'>): string {
  const settled = settlementText(b.settlement);
  if (settled) return settled;
  switch (b.status) {
    case 'accepted':
      return 'Accepted';
    case 'rejected':
      return `Rejected — ${rejectReason(b.code ?? 'invalid_request')}`;
    default:
      return 'Pending';
  }
}

/** Merge a decision into a record (decisions arrive by HTTP, socket and polling, in any order). */
export function applyDecision(b: BetRecord, d: ReadDecision): BetRecord {
  // A final decision never goes back to pending.
  if (d.phase === 'pending' && b.status !== 'pending') return b;
  return {
    ...b,
    status: d.phase,
    code: d.code,
    taken_price: d.phase === 'accepted' ? d.price ?? b.taken_price : b.taken_price,
    release_at_ms: d.release_at_ms ?? b.release_at_ms,
  };
}
