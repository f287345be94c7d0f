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
  FootballImage,
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
  Player,
  RejectCode,
  RelativeDelta,
  Score,
  Selection,
  SelectionKey,
  SetScore,
  Settlement,
  SettlementResult,
  Snapshot,
  Suspension,
  SuspensionReason,
  Team,
  TennisImage,
  TennisPhase,
  TradingTerms,
  Version,
} from '@inplay/engine';

import type { FootballImage } from '@inplay/engine';

/** Football's match state as the image carries it (every field present). */
export type MatchState = FootballImage['state'];
