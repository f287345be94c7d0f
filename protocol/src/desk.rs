//! The trading desk's view of one match, as its hub pushes it to the desk socket
//! (`GET /v1/events/{id}/desk`, admin): feed health per source, suspensions, the bet flow, exposure
//! against the limits, the relays, and alerts with the time they started — what every sport
//! shares — and, in one place, what is the sport's own ([`SportDesk`]): the score, the model a
//! trader adjusts, and the book's result per way the match can end.

use std::collections::BTreeMap;

use inplay_engine::football::{FootballParams, Period, Score};
use inplay_engine::live::{
    Awaiting, Fixture, GoalRecord, MarketStatus, ScoreOutcome, SelectionExposure, SetsOutcome,
    SourceHealth, Suspension, TennisReport, TennisScore, TradingTerms, Version,
};
use inplay_engine::market::MarketKey;
use inplay_engine::tennis::TennisParams;
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

/// A football match on the desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FootballDesk {
    /// Period.
    pub period: Period,
    /// Match clock at the view's `server_ms`.
    pub clock_ms: u64,
    /// Score.
    pub score: Score,
    /// Goals that stand, in order: what a goal cancellation or a resettlement starts from.
    pub goals: Vec<GoalRecord>,
    /// The model's parameters: the expected goals a trader adjusts.
    pub params: FootballParams,
    /// The book's result per final score still possible (a few goals a side).
    pub outcomes: Vec<ScoreOutcome>,
}

/// A tennis match on the desk (player A is the fixture's `home`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TennisDesk {
    /// Sets, games, points, the server and the phase.
    pub score: TennisScore,
    /// Time since the first point at the view's `server_ms`.
    pub clock_ms: u64,
    /// Points that stand.
    pub points_played: u32,
    /// The model's parameters: the serve-point probabilities a trader adjusts, and the format.
    pub params: TennisParams,
    /// The score each source's reports make (what believing it would make the score).
    pub reported: Vec<TennisReport>,
    /// The book's result per score in sets still possible.
    pub outcomes: Vec<SetsOutcome>,
}

/// What the desk shows of a match's own sport: JSON `{"sport":"football",…}` or
/// `{"sport":"tennis",…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "sport", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum SportDesk {
    /// Football.
    Football(FootballDesk),
    /// Tennis.
    Tennis(TennisDesk),
}

/// The desk's view of a match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskView {
    /// The match.
    pub event_id: String,
    /// `Home v Away`.
    pub title: String,
    /// Teams (or players, A at home) and kick-off: the desk names them in its actions ("cancel
    /// Arsenal's goal").
    pub fixture: Fixture,
    /// Hub clock when made.
    pub server_ms: u64,
    /// Its version.
    pub version: Version,
    /// Abandoned.
    pub abandoned: bool,
    /// The sport's own: score, model, the book per result.
    pub sport: SportDesk,
    /// Active suspensions, newest first.
    pub suspensions: Vec<Suspension>,
    /// Markets a trader suspended one by one (the match-wide suspensions are above).
    pub overrides: Vec<(MarketKey, MarketStatus)>,
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
    /// Relays.
    pub relays: Vec<RelayDesk>,
    /// Alerts now.
    pub alerts: Vec<Alert>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use inplay_engine::live::TennisPhase;
    use inplay_engine::tennis::Player;

    #[test]
    fn the_sport_says_itself_in_one_field_and_round_trips() {
        let tennis = SportDesk::Tennis(TennisDesk {
            score: TennisScore {
                phase: TennisPhase::InPlay,
                server: Player::B,
                points: [2, 1],
                games: [3, 2],
                sets: Vec::new(),
            },
            clock_ms: 61_000,
            points_played: 23,
            params: TennisParams::new(0.64, 0.62, 3),
            reported: Vec::new(),
            outcomes: vec![SetsOutcome {
                sets: [2, 0],
                net: -1_500,
            }],
        });
        let json = serde_json::to_value(&tennis).unwrap();
        assert_eq!(json["sport"], "tennis");
        assert_eq!(json["score"]["games"], serde_json::json!([3, 2]));
        assert_eq!(json["outcomes"][0]["sets"], serde_json::json!([2, 0]));
        assert_eq!(serde_json::from_value::<SportDesk>(json).unwrap(), tennis);
        let football = SportDesk::Football(FootballDesk {
            period: Period::FirstHalf,
            clock_ms: 600_000,
            score: Score::new(1, 0),
            goals: Vec::new(),
            params: FootballParams::new(1.5, 1.1),
            outcomes: Vec::new(),
        });
        let json = serde_json::to_value(&football).unwrap();
        assert_eq!(json["sport"], "football");
        assert_eq!(json["score"], serde_json::json!({"home": 1, "away": 0}));
        assert_eq!(serde_json::from_value::<SportDesk>(json).unwrap(), football);
    }
}
