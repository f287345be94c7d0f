// What the engine streams, as the page reads it: the JSON shapes of `inplay_engine::live` values as
// `decodeFrame` (binary socket frames) and `GET /v1/events/{id}` give them. Field names are the
// engine's serde names (snake_case); money is integer minor units; times are ms since the Unix epoch.

export type Team = 'home' | 'away';
export type Period = 'pre_match' | 'first_half' | 'half_time' | 'second_half' | 'full_time';

/** `epoch:seq`: `seq` counts deltas; a new `epoch` means the old deltas no longer apply. */
export interface Version {
  epoch: number;
  seq: number;
}

export interface Score {
  home: number;
  away: number;
}

export interface MatchState {
  score: Score;
  period: Period;
  clock_ms: number;
  red_cards: Score;
  stoppage_ms: [number, number];
}

export interface ClockAnchor {
  clock_ms: number;
  at_ms: number;
  running: boolean;
}

export interface Fixture {
  home: string;
  away: string;
  kickoff_ms: number;
}

export type SuspensionReason =
  | 'goal'
  | 'penalty'
  | 'red_card'
  | 'var'
  | 'danger'
  | 'source_discrepancy'
  | 'feed_stale'
  | 'period_end'
  | 'manual';

export interface Suspension {
  reason: SuspensionReason;
  team: Team | null;
  since_ms: number;
  until_ms: number | null;
}

export interface GoalRecord {
  team: Team;
  clock_ms: number;
}

export interface TradingTerms {
  margin: number;
  margin_method: string;
  min_stake: number;
  max_stake: number;
  max_selection_liability: number;
  max_market_liability: number;
  bet_delay_ms: number;
}

/** Wire form of a market's status: `open`, `suspended:<reason>`, `closed`, `settled`, `void`. */
export type MarketStatus = 'open' | `suspended:${SuspensionReason}` | 'closed' | 'settled' | 'void';

/** Everything prices and statuses are derived from. */
export interface MatchImage {
  event_id: string;
  fixture: Fixture;
  params: Record<string, unknown>;
  state: MatchState;
  clock: ClockAnchor;
  suspensions: Suspension[];
  overrides: [string, MarketStatus][];
  goals: GoalRecord[];
  half_time: Score | null;
  trading: TradingTerms;
  adjustments: unknown[];
  abandoned: boolean;
}

export interface Snapshot {
  version: Version;
  image: MatchImage;
}

/** One field replaced (externally tagged, as serde writes an enum: `{ "suspensions": [...] }`). */
export type DeltaOp =
  | { state: MatchState }
  | { clock: ClockAnchor }
  | { suspensions: Suspension[] }
  | { overrides: [string, MarketStatus][] }
  | { goals: GoalRecord[] }
  | { half_time: Score | null }
  | { params: Record<string, unknown> }
  | { fixture: Fixture }
  | { trading: TradingTerms }
  | { adjustments: unknown[] }
  | { abandoned: boolean };

export interface Delta {
  version: Version;
  at_ms: number;
  ops: DeltaOp[];
}

export type OddsPolicy = 'exact' | 'higher' | 'any';

export type RejectCode =
  | 'market_suspended'
  | 'market_closed'
  | 'price_changed'
  | 'stake_too_low'
  | 'stake_too_high'
  | 'liability_exceeded'
  | 'unknown_market'
  | 'unknown_selection'
  | 'stale_version'
  | 'invalid_request';

/** `accepted`, `pending` or `rejected:<code>`. */
export type BetStatus = 'accepted' | 'pending' | `rejected:${RejectCode}`;

export interface BetRequest {
  bet_id: string;
  user_id: string;
  market: string;
  selection: string;
  stake: number;
  price: number;
  seen_version: Version;
  policy: OddsPolicy;
}

export interface BetDecision {
  bet_id: string;
  user_id: string;
  status: BetStatus | 'rejected';
  /** Some edge answers carry the reject code apart from the status. */
  code?: RejectCode;
  price: number | null;
  release_at_ms: number | null;
  version: Version;
  decided_at_ms: number;
}

export interface Selection {
  key: string;
  prob?: number;
  fair_odds: number | null;
  odds?: number | null;
}

export interface Market {
  key: string;
  selections: Selection[];
}

export interface MarketBook {
  markets: Market[];
}

/** A decoded socket frame. */
export type Frame =
  | { kind: 'snapshot'; region: string; shard: number; server_ms: number; snapshot: Snapshot; bytes: Uint8Array }
  | { kind: 'delta'; delta: Delta; bytes: Uint8Array }
  | { kind: 'heartbeat'; server_ms: number; version: Version }
  | { kind: 'bet'; decision: BetDecision };
