// Bet decisions in a bettor's words, and the page's record of its own bets.

import { formatMoney } from './money.ts';
import type { BetDecision, RejectCode, TradingTerms } from './wire.ts';

export type BetPhase = 'pending' | 'accepted' | 'rejected';

export interface ParsedStatus {
  phase: BetPhase;
  code: RejectCode | null;
}

/** `accepted`, `pending`, `rejected:price_changed` (or `rejected` with the code apart, as some answers carry it). */
export function parseStatus(d: { status: string; code?: string | null }): ParsedStatus {
  const s = d.status;
  if (s === 'accepted' || s === 'pending') return { phase: s, code: null };
  if (s.startsWith('rejected')) {
    const code = (s.includes(':') ? s.slice(s.indexOf(':') + 1) : d.code ?? 'invalid_request') as RejectCode;
    return { phase: 'rejected', code };
  }
  return { phase: 'pending', code: null };
}

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
  status: string;
  code: string | null;
  taken_price: number | null;
  release_at_ms: number | null;
  settlement: Settlement | null;
}

/** How a bet resolved (engine `SettlementResult`). */
export type SettlementResult = 'won' | 'lost' | 'push' | 'half_won' | 'half_lost' | 'void';

/** The engine's settlement of a bet: `payout` is the total return (stake included), minor units. */
export interface Settlement {
  bet_id: string;
  user_id: string;
  result: SettlementResult;
  payout: number;
}

/** The settlement line of a bet: `Won £25.00`, `Lost`, `Void — stake returned`. */
export function settlementText(s: Settlement | null): string | null {
  if (!s) return null;
  switch (s.result) {
    case 'won':
      return `Won ${formatMoney(s.payout)}`;
    case 'half_won':
      return `Half won ${formatMoney(s.payout)}`;
    case 'half_lost':
      return `Half lost, ${formatMoney(s.payout)} back`;
    case 'lost':
      return 'Lost';
    case 'push':
      return `Push — ${formatMoney(s.payout)} back`;
    case 'void':
      return `Void — ${formatMoney(s.payout)} back`;
    default:
      return null;
  }
}

/** Status line of a bet for the list. */
export function statusLine(b: Pick<BetRecord, 'status' | 'code' | 'settlement'>): string {
  const p = parseStatus(b);
  const settled = settlementText(b.settlement);
  if (settled) return settled;
  if (p.phase === 'accepted') return 'Accepted';
  if (p.phase === 'pending') return 'Pending';
  return `Rejected — ${rejectReason(p.code ?? 'invalid_request')}`;
}

/** Merge a decision into a record (decisions arrive by HTTP, socket and polling, in any order). */
export function applyDecision(b: BetRecord, d: BetDecision): BetRecord {
  const p = parseStatus(d);
  // A final decision never goes back to pending.
  if (p.phase === 'pending' && parseStatus(b).phase !== 'pending') return b;
  return {
    ...b,
    status: p.phase,
    code: p.code,
    taken_price: p.phase === 'accepted' ? d.price ?? b.taken_price : b.taken_price,
    release_at_ms: d.release_at_ms ?? b.release_at_ms,
  };
}
