//! Canonical feed events from data providers, in JSON and a compact binary form.
//!
//! JSON is flat, as providers send it:
//! `{"event_id":"m1","source":"primary","seq":42,"ts":1764240000123,"kind":"goal","team":"home","clock_ms":2712000}`.
//! Decoding turns it into a typed [`FeedEvent`]; anything that is not a known, well-formed event is
//! refused here with a stable code before it can touch match state.

use serde::{Deserialize, Serialize};

use crate::football::{FootballParams, Score};
use crate::market::Team;
use crate::tennis::Player;

/// Which data provider sent an event.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The main feed.
    #[default]
    Primary,
    /// The independent second feed.
    Backup,
}

impl Source {
    /// Index for per-source arrays.
    pub fn index(self) -> usize {
        self as usize
    }
    /// The other source.
    pub fn other(self) -> Source {
        match self {
            Source::Primary => Source::Backup,
            Source::Backup => Source::Primary,
        }
    }
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Primary => "primary",
            Source::Backup => "backup",
        }
    }
}

/// What happened. Clock values are the match clock in ms (football's second half starts at
/// 2 700 000; a tennis message needs none).
///
/// Variants are only ever appended: the binary form stores the variant's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FeedKind {
    /// Teams, kick-off time and the pre-match model.
    Fixture {
        /// Home team.
        home: String,
        /// Away team.
        away: String,
        /// Scheduled kick-off, ms since the Unix epoch.
        kickoff_ms: u64,
        /// Pre-match model (xG, ρ, effects).
        params: FootballParams,
    },
    /// The match starts.
    Kickoff,
    /// A period starts (2 = second half).
    PeriodStart {
        /// Period number.
        period: u8,
    },
    /// A period ends (1 = half-time, 2 = full time).
    PeriodEnd {
        /// Period number.
        period: u8,
    },
    /// A goal; `score` is the provider's score after it, when sent.
    Goal {
        /// Scoring team.
        team: Team,
        /// Score after the goal.
        score: Option<Score>,
    },
    /// A goal ruled out (VAR).
    GoalCancelled {
        /// Team whose goal is ruled out.
        team: Team,
    },
    /// A penalty is awarded.
    PenaltyAwarded {
        /// Team taking it.
        team: Team,
    },
    /// The penalty missed.
    PenaltyMissed {
        /// Team that took it.
        team: Team,
    },
    /// A red card.
    RedCard {
        /// Penalised team.
        team: Team,
    },
    /// A VAR check starts.
    VarCheckStart,
    /// The VAR check ends.
    VarCheckEnd,
    /// Dangerous attack: optional bet stop.
    Danger {
        /// Attacking team.
        team: Option<Team>,
    },
    /// Clock sync.
    Clock {
        /// Whether the clock is running.
        running: bool,
    },
    /// Liveness, optionally with the provider's score for cross-checks.
    Heartbeat {
        /// Provider's score.
        score: Option<Score>,
    },
    /// Final whistle.
    MatchEnd,
    /// The match is abandoned: everything is void (tennis: what was not yet decided).
    Abandoned,
    /// Tennis: the match starts, `server` serving first.
    MatchStart {
        /// Who serves the first point.
        server: Player,
    },
    /// Tennis: a point of the match.
    Point {
        /// Its number in the match, from 1.
        point: u32,
        /// Who won it.
        winner: Player,
        /// Who served it.
        server: Player,
    },
    /// Tennis: the game ended (a cross-check of the points).
    GameEnd {
        /// Who won it.
        winner: Player,
    },
    /// Tennis: the set ended (a cross-check of the points).
    SetEnd {
        /// Who won it.
        winner: Player,
        /// Its final games, A's first.
        games: [u8; 2],
    },
    /// Tennis: the match ended, won by `winner` (a cross-check of the points; JSON `match_end`
    /// with a `winner`).
    TennisMatchEnd {
        /// Who won it.
        winner: Player,
    },
    /// Tennis: a player retires (or is defaulted, or gives a walkover).
    Retirement {
        /// Who retires.
        player: Player,
    },
    /// Tennis: a line call is challenged.
    ChallengeStart {
        /// Who challenges.
        player: Option<Player>,
    },
    /// Tennis: the challenge is decided.
    ChallengeEnd,
    /// Tennis: a medical time-out starts.
    MedicalTimeoutStart {
        /// Who is treated.
        player: Option<Player>,
    },
    /// Tennis: the medical time-out ends.
    MedicalTimeoutEnd,
}

impl FeedKind {
    /// Stable name, as in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            FeedKind::Fixture { .. } => "fixture",
            FeedKind::Kickoff => "kickoff",
            FeedKind::PeriodStart { .. } => "period_start",
            FeedKind::PeriodEnd { .. } => "period_end",
            FeedKind::Goal { .. } => "goal",
            FeedKind::GoalCancelled { .. } => "goal_cancelled",
            FeedKind::PenaltyAwarded { .. } => "penalty_awarded",
            FeedKind::PenaltyMissed { .. } => "penalty_missed",
            FeedKind::RedCard { .. } => "red_card",
            FeedKind::VarCheckStart => "var_check_start",
            FeedKind::VarCheckEnd => "var_check_end",
            FeedKind::Danger { .. } => "danger",
            FeedKind::Clock { .. } => "clock",
            FeedKind::Heartbeat { .. } => "heartbeat",
            FeedKind::MatchEnd => "match_end",
            FeedKind::Abandoned => "abandoned",
            FeedKind::MatchStart { .. } => "match_start",
            FeedKind::Point { .. } => "point",
            FeedKind::GameEnd { .. } => "game_end",
            FeedKind::SetEnd { .. } => "set_end",
            FeedKind::TennisMatchEnd { .. } => "match_end",
            FeedKind::Retirement { .. } => "retirement",
            FeedKind::ChallengeStart { .. } => "challenge_start",
            FeedKind::ChallengeEnd => "challenge_end",
            FeedKind::MedicalTimeoutStart { .. } => "medical_timeout_start",
            FeedKind::MedicalTimeoutEnd => "medical_timeout_end",
        }
    }
    /// A kind only tennis has.
    pub fn is_tennis(&self) -> bool {
        matches!(
            self,
            FeedKind::MatchStart { .. }
                | FeedKind::Point { .. }
                | FeedKind::GameEnd { .. }
                | FeedKind::SetEnd { .. }
                | FeedKind::TennisMatchEnd { .. }
                | FeedKind::Retirement { .. }
                | FeedKind::ChallengeStart { .. }
                | FeedKind::ChallengeEnd
                | FeedKind::MedicalTimeoutStart { .. }
                | FeedKind::MedicalTimeoutEnd
        )
    }
    /// The team concerned, if any.
    pub fn team(&self) -> Option<Team> {
        match self {
            FeedKind::Goal { team, .. }
            | FeedKind::GoalCancelled { team }
            | FeedKind::PenaltyAwarded { team }
            | FeedKind::PenaltyMissed { team }
            | FeedKind::RedCard { team } => Some(*team),
            FeedKind::Danger { team } => *team,
            _ => None,
        }
    }
}

/// One event from one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEvent {
    /// Match id.
    pub event_id: String,
    /// Which provider.
    pub source: Source,
    /// Provider's sequence number, +1 per message.
    pub seq: u64,
    /// Provider's wall time when sent (ms since the Unix epoch).
    pub ts: u64,
    /// Match clock (ms) when it happened, if the kind has one.
    pub clock_ms: Option<u64>,
    /// What happened.
    pub kind: FeedKind,
}

/// Why a feed message could not even be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON / not the binary form / a field of the wrong type.
    #[error("malformed event: {0}")]
    Malformed(String),
    /// A `kind` we do not know.
    #[error("unknown event kind `{0}`")]
    UnknownEvent(String),
    /// A field the kind needs is missing or invalid.
    #[error("event kind `{kind}` needs a valid `{field}`")]
    MissingField {
        /// The kind.
        kind: &'static str,
        /// The field.
        field: &'static str,
    },
}

impl DecodeError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::Malformed(_) => "malformed",
            DecodeError::UnknownEvent(_) => "unknown_event",
            DecodeError::MissingField { .. } => "missing_field",
        }
    }
}

/// The flat JSON shape providers send.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEvent {
    event_id: String,
    source: Source,
    seq: u64,
    ts: u64,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    clock_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    team: Option<Team>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    period: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    score: Option<Score>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    running: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    home: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    away: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kickoff_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    params: Option<FootballParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    point: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    winner: Option<Player>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    server: Option<Player>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    player: Option<Player>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    games: Option<[u8; 2]>,
}

impl FeedEvent {
    /// Decodes one event from JSON.
    pub fn from_json(bytes: &[u8]) -> Result<FeedEvent, DecodeError> {
        let wire: WireEvent =
            serde_json::from_slice(bytes).map_err(|e| DecodeError::Malformed(e.to_string()))?;
        FeedEvent::from_wire(wire)
    }

    /// Decodes one event from an already-parsed JSON value (e.g. an element of a batch).
    pub fn from_json_value(value: serde_json::Value) -> Result<FeedEvent, DecodeError> {
        let wire: WireEvent =
            serde_json::from_value(value).map_err(|e| DecodeError::Malformed(e.to_string()))?;
        FeedEvent::from_wire(wire)
    }

    /// The flat JSON form.
    pub fn to_json(&self) -> String {
        let mut w = WireEvent {
            event_id: self.event_id.clone(),
            source: self.source,
            seq: self.seq,
            ts: self.ts,
            kind: self.kind.name().to_string(),
            clock_ms: self.clock_ms,
            team: self.kind.team(),
            ..WireEvent::default_for(self.source)
        };
        match &self.kind {
            FeedKind::Fixture {
                home,
                away,
                kickoff_ms,
                params,
            } => {
                w.home = Some(home.clone());
                w.away = Some(away.clone());
                w.kickoff_ms = Some(*kickoff_ms);
                w.params = Some(*params);
            }
            FeedKind::PeriodStart { period } | FeedKind::PeriodEnd { period } => {
                w.period = Some(*period)
            }
            FeedKind::Goal { score, .. } | FeedKind::Heartbeat { score } => w.score = *score,
            FeedKind::Clock { running } => w.running = Some(*running),
            FeedKind::MatchStart { server } => w.server = Some(*server),
            FeedKind::Point {
                point,
                winner,
                server,
            } => {
                w.point = Some(*point);
                w.winner = Some(*winner);
                w.server = Some(*server);
            }
            FeedKind::GameEnd { winner } | FeedKind::TennisMatchEnd { winner } => {
                w.winner = Some(*winner)
            }
            FeedKind::SetEnd { winner, games } => {
                w.winner = Some(*winner);
                w.games = Some(*games);
            }
            FeedKind::Retirement { player } => w.player = Some(*player),
            FeedKind::ChallengeStart { player } | FeedKind::MedicalTimeoutStart { player } => {
                w.player = *player
            }
            _ => {}
        }
        serde_json::to_string(&w).unwrap_or_default()
    }

    /// Compact binary form (postcard).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// Decodes the binary form.
    pub fn from_bytes(bytes: &[u8]) -> Result<FeedEvent, DecodeError> {
        postcard::from_bytes(bytes).map_err(|e| DecodeError::Malformed(e.to_string()))
    }

    fn from_wire(w: WireEvent) -> Result<FeedEvent, DecodeError> {
        let kind_name = w.kind.as_str();
        let need_team = |kind: &'static str| {
            w.team.ok_or(DecodeError::MissingField {
                kind,
                field: "team",
            })
        };
        let kind = match kind_name {
            "fixture" => FeedKind::Fixture {
                home: w.home.clone().ok_or(DecodeError::MissingField {
                    kind: "fixture",
                    field: "home",
                })?,
                away: w.away.clone().ok_or(DecodeError::MissingField {
                    kind: "fixture",
                    field: "away",
                })?,
                kickoff_ms: w.kickoff_ms.unwrap_or(0),
                params: w.params.ok_or(DecodeError::MissingField {
                    kind: "fixture",
                    field: "params",
                })?,
            },
            "kickoff" => FeedKind::Kickoff,
            "period_start" | "period_end" => {
                let period =
                    w.period
                        .filter(|p| (1..=2).contains(p))
                        .ok_or(DecodeError::MissingField {
                            kind: "period",
                            field: "period",
                        })?;
                if kind_name == "period_start" {
                    FeedKind::PeriodStart { period }
                } else {
                    FeedKind::PeriodEnd { period }
                }
            }
            "goal" => FeedKind::Goal {
                team: need_team("goal")?,
                score: w.score,
            },
            "goal_cancelled" => FeedKind::GoalCancelled {
                team: need_team("goal_cancelled")?,
            },
            "penalty_awarded" => FeedKind::PenaltyAwarded {
                team: need_team("penalty_awarded")?,
            },
            "penalty_missed" => FeedKind::PenaltyMissed {
                team: need_team("penalty_missed")?,
            },
            "red_card" => FeedKind::RedCard {
                team: need_team("red_card")?,
            },
            "var_check_start" => FeedKind::VarCheckStart,
            "var_check_end" => FeedKind::VarCheckEnd,
            "danger" => FeedKind::Danger { team: w.team },
            "clock" => FeedKind::Clock {
                running: w.running.unwrap_or(true),
            },
            "heartbeat" => FeedKind::Heartbeat { score: w.score },
            "match_end" => match w.winner {
                Some(winner) => FeedKind::TennisMatchEnd { winner },
                None => FeedKind::MatchEnd,
            },
            "abandoned" => FeedKind::Abandoned,
            "match_start" => FeedKind::MatchStart {
                server: need(w.server, "match_start", "server")?,
            },
            "point" => FeedKind::Point {
                point: need(w.point.filter(|&p| p > 0), "point", "point")?,
                winner: need(w.winner, "point", "winner")?,
                server: need(w.server, "point", "server")?,
            },
            "game_end" => FeedKind::GameEnd {
                winner: need(w.winner, "game_end", "winner")?,
            },
            "set_end" => FeedKind::SetEnd {
                winner: need(w.winner, "set_end", "winner")?,
                games: need(w.games, "set_end", "games")?,
            },
            "retirement" => FeedKind::Retirement {
                player: need(w.player, "retirement", "player")?,
            },
            "challenge_start" => FeedKind::ChallengeStart { player: w.player },
            "challenge_end" => FeedKind::ChallengeEnd,
            "medical_timeout_start" => FeedKind::MedicalTimeoutStart { player: w.player },
            "medical_timeout_end" => FeedKind::MedicalTimeoutEnd,
            other => return Err(DecodeError::UnknownEvent(other.chars().take(64).collect())),
        };
        // Football's events that move the match need to say when they happened; tennis counts
        // points, not time.
        let needs_clock = !matches!(
            kind,
            FeedKind::Fixture { .. } | FeedKind::Heartbeat { .. } | FeedKind::Abandoned
        ) && !kind.is_tennis();
        if needs_clock && w.clock_ms.is_none() {
            return Err(DecodeError::MissingField {
                kind: kind.name(),
                field: "clock_ms",
            });
        }
        Ok(FeedEvent {
            event_id: w.event_id,
            source: w.source,
            seq: w.seq,
            ts: w.ts,
            clock_ms: w.clock_ms,
            kind,
        })
    }
}

/// A field a kind needs.
fn need<T>(v: Option<T>, kind: &'static str, field: &'static str) -> Result<T, DecodeError> {
    v.ok_or(DecodeError::MissingField { kind, field })
}

impl WireEvent {
    fn default_for(source: Source) -> WireEvent {
        WireEvent {
            source,
            ..Default::default()
        }
    }
}
