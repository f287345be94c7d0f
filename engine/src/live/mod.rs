//! Live event state: feed validation, market suspension, snapshots and deltas, bets, settlement
//! and the audit log. Deterministic and host-free: wall time is an argument, never read.
//!
//! The edge runs one [`LiveEvent`] per match as its single writer. It streams the model, not the
//! prices: a [`Snapshot`] and its [`Delta`]s carry the [`MatchImage`] (state, parameters, terms,
//! suspensions) from which any client derives exactly the edge's prices with [`MatchImage::prices`].
//!
//! Football and tennis run on the same machinery; how the sports share it, and how each is
//! written, is in `sport`. Football's rules are `transitions` and `settle`; tennis's are `tennis`.

mod audit;
mod bet;
mod checkpoint;
mod desk;
mod event;
mod feed;
mod frame;
mod image;
mod ledger;
mod opening;
mod outcome;
mod settle;
mod sources;
mod sport;
pub mod stream_size;
mod tennis;
mod transitions;
mod view;

/// Exact money, re-exported where bets live.
pub use crate::money::{Price, net_win};
pub use audit::{AuditEntry, Hash};
pub use bet::{
    BetDecision, BetRequest, BetStatus, OddsPolicy, RejectCode, check_bet, price_acceptable,
};
pub use checkpoint::Checkpoint;
pub use desk::{
    Awaiting, ScoreOutcome, SelectionExposure, SetsOutcome, SourceHealth, TennisReport, TennisScore,
};
pub use event::LiveEvent;
pub use feed::{DecodeError, FeedEvent, FeedKind, Source};
pub use frame::{BetRefusal, Frame, kind as frame_kind};
pub use image::{
    Adjustment, ClockAnchor, Delta, DeltaOp, Fixture, FootballImage, GoalRecord, MarketStatus,
    MatchImage, RelativeDelta, STREAM_FORMAT, Snapshot, SportImage, Stamp, StreamError, Suspension,
    SuspensionReason, TradingTerms, Version,
};
pub use opening::{LiveConfig, Opening};
pub use outcome::{FeedOutcome, FeedRejection, FeedResult, Input, LiveError, Output};
pub use settle::{
    CorrectedGoal, Correction, MatchMoment, ResultCorrection, Settlement, SettlementFacts,
    SettlementResult, settle,
};
pub use sport::{Sport, SportParams, SportState, runs};
pub use tennis::{SetScore, TennisImage, TennisPhase};
pub use view::LiveView;
