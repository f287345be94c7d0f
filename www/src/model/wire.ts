// What the engine streams, as the page reads it. The engine's own values (image, deltas, decisions,
// settlements, books) are typed by @inplay/engine's declarations; re-exported here so page modules
// import one place.
// Field names are the engine's serde names (snake_case); money is integer minor units; times are ms
// since the Unix epoch on the edge's clock.

export type {
  Adjustment,
  BetDecision,
  BetErrorFrame,
  BetSlip as BetRequest,
  BetStatus,
  ClockAnchor,
  Correction,
  Delta,
  DeltaOp,
  Fixture,
  FootballParams,
  Frame,
  GoalRecord,
  Market,
  MarketBook,
  MarketKey,
  MarketStatus,
  MatchImage,
  OddsPolicy,
  ParsedBetStatus,
  Period,
  RejectCode,
  Score,
  Selection,
  SelectionKey,
  Settlement,
  SettlementResult,
  Snapshot,
  Suspension,
  SuspensionReason,
  Team,
  TradingTerms,
  Version,
} from '@inplay/engine';

import type { MatchImage } from '@inplay/engine';

/** Match state as the image carries it (every field present). */
export type MatchState = MatchImage['state'];
