//! The trading desk's view of one match, as its hub pushes it to the desk socket
//! (`GET /v1/events/{id}/desk`, admin): feed health per source, suspensions, the bet flow, exposure
//! against the limits, the book's result per final score, the relays, and alerts with the time they
//! started.

use std::collections::BTreeMap;

use inplay_engine::football::{FootballParams, Period, Score};
use inplay_engine::live::{
    Awaiting, Fixture, GoalRecord, MarketStatus, ScoreOutcome, SelectionExposure, SourceHealth,
    Suspension, TradingTerms, Version,
};
use inplay_engine::market::MarketKey;
use serde::{Deserialize, Serialize};

/// One feed source on the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDesk {
    /// What the engine knows of it.
    #[serde(flatten)]
    pub health: SourceHealth,
    /// Its messages by result since the hub started.
    pub accepted: u64,
    /// Already known.
    pub duplicate: u64,
    /// Held ahead of a gap when they arrived.
    pub held_total: u64,
    /// Refused.
    pub rejected: u64,
}

/// Bets as they flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetFlow {
    /// Bets placed per second over the last ten seconds.
    pub per_second: f64,
    /// Decisions by code (`accepted`, `pending`, `rejected:price_changed`, …) since the hub started.
    pub decisions: BTreeMap<String, u64>,
    /// Bets in their in-play delay now.
    pub pending: u64,
    /// Bets held (any status).
    pub total: u64,
}

/// One relay on the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayDesk {
    /// Its name.
    pub name: String,
    /// Versions behind the hub at its last acknowledgement.
    pub lag: u64,
    /// Failed sends in a row.
    pub failures: u32,
    /// Its sockets at its last acknowledgement.
    pub sockets: u32,
}

/// What a desk is told to look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// No message from any source within the stale bound: everything suspended.
    FeedStale,
    /// The sources disagree (a goal, a settlement fact or the score).
    SourceDiscrepancy,
    /// One source silent while the other speaks.
    SourceSilent,
    /// A selection or market above its share of the liability limit.
    Liability,
    /// A relay behind the hub, or failing.
    RelayBehind,
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// What.
    pub kind: AlertKind,
    /// Which (a source, a selection, a relay); empty for the match.
    pub subject: String,
    /// Since when (edge clock, ms).
    pub since_ms: u64,
    /// For people.
    pub message: String,
}

/// The desk's view of a match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskView {
    /// The match.
    pub event_id: String,
    /// `Home v Away`.
    pub title: String,
    /// Teams and kick-off: the desk names the teams in its actions ("cancel Arsenal's goal").
    pub fixture: Fixture,
    /// Hub clock when made.
    pub server_ms: u64,
    /// Its version.
    pub version: Version,
    /// Period.
    pub period: Period,
    /// Match clock at `server_ms`.
    pub clock_ms: u64,
    /// Score.
    pub score: Score,
    /// Abandoned.
    pub abandoned: bool,
    /// Active suspensions, newest first.
    pub suspensions: Vec<Suspension>,
    /// Markets a trader suspended one by one (the match-wide suspensions are above).
    pub overrides: Vec<(MarketKey, MarketStatus)>,
    /// Goals that stand, in order: what a goal cancellation or a resettlement starts from.
    pub goals: Vec<GoalRecord>,
    /// The model's parameters: the expected goals a trader adjusts.
    pub params: FootballParams,
    /// Both sources.
    pub sources: Vec<SourceDesk>,
    /// What one source reported and waits for the other.
    pub awaiting: Vec<Awaiting>,
    /// Bets.
    pub bets: BetFlow,
    /// The operator's terms (limits, margin, delay).
    pub trading: TradingTerms,
    /// Exposure per selection with bets.
    pub exposure: Vec<SelectionExposure>,
    /// The book's result per final score still possible (a few goals a side).
    pub outcomes: Vec<ScoreOutcome>,
    /// Relays.
    pub relays: Vec<RelayDesk>,
    /// Alerts now.
    pub alerts: Vec<Alert>,
}
