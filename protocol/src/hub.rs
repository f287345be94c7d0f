//! Every call a match's hub answers, each with its answer type.
//!
//! On the wire a call is `POST /call` with the postcard [`HubCall`]; the answer is the postcard
//! `Result<Answer, ApiError>` of the call's [`HubRequest::Answer`]. [`HubRequest`] ties each request
//! type to its answer, so the Worker and the relays cannot misread what the hub sent.

use inplay_engine::live::{
    BetDecision, Hash, MatchImage, Opening, ResultCorrection, Settlement, Snapshot, Source, Sport,
    TradingTerms, Version,
};
use inplay_engine::market::{MarketBook, MarketKey};
use inplay_engine::tennis::TennisParams;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::bets::{BetBatch, BetBatchAnswer, BetCall, BetView, PlacedBet};
use crate::feed::{FeedAnswer, FeedBatch};
use crate::metrics::Metrics;
use crate::relay::{Subscribe, SyncAnswer};
use crate::{ApiError, ErrorCode};

/// A call to a hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)]
pub enum HubCall {
    /// Create the match (its epoch is the hub's to set).
    Open(Box<Opening>),
    /// Signed feed events.
    Feed(FeedBatch),
    /// One bet (the HTTP route).
    Bet(BetCall),
    /// A relay's batch of socket bets.
    Bets(BetBatch),
    /// The match's state now.
    Event(EventQuery),
    /// One bet's decision and settlement.
    GetBet(BetQuery),
    /// A relay subscribes for updates.
    Subscribe(Subscribe),
    /// A trader's action.
    Admin(AdminAction),
    /// The audit log.
    Log(LogQuery),
    /// Counters.
    Metrics(MetricsQuery),
}

/// A request type and the answer it gets.
pub trait HubRequest: Into<HubCall> {
    /// What the hub answers.
    type Answer: Serialize + DeserializeOwned;
}

macro_rules! requests {
    ($($req:ty => $variant:ident => $answer:ty;)*) => {
        $(
            impl From<$req> for HubCall {
                fn from(r: $req) -> HubCall {
                    HubCall::$variant(r.into())
                }
            }
            impl HubRequest for $req {
                type Answer = $answer;
            }
        )*
    };
}

requests! {
    Opening => Open => EventView;
    FeedBatch => Feed => FeedAnswer;
    BetCall => Bet => PlacedBet;
    BetBatch => Bets => BetBatchAnswer;
    EventQuery => Event => EventView;
    BetQuery => GetBet => BetView;
    Subscribe => Subscribe => SyncAnswer;
    AdminAction => Admin => AdminAnswer;
    LogQuery => Log => LogExport;
    MetricsQuery => Metrics => Metrics;
}

/// Ask for the match's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventQuery;

/// Ask for one bet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BetQuery {
    /// The bet.
    pub bet_id: String,
}

/// Ask for the audit log, or its last `tail` entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LogQuery {
    /// Only the last this many entries.
    pub tail: Option<u64>,
}

/// Ask for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MetricsQuery;

/// A match's state as the hub holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    /// The match.
    pub event_id: String,
    /// Hub clock when read.
    pub server_ms: u64,
    /// Version of `snapshot`.
    pub version: Version,
    /// The image.
    pub snapshot: Snapshot,
    /// Bets held (any status).
    pub bets: u64,
    /// Bets in their in-play delay.
    pub pending_bets: u64,
}

/// `GET /v1/events/{id}`: the hub's view with every price at the server's time, which the Worker
/// computes from the snapshot (the hub, the match's single writer, does not price for readers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventPage {
    /// The hub's view.
    #[serde(flatten)]
    pub view: EventView,
    /// Every price at `server_ms`.
    pub prices: Option<MarketBook>,
}

/// A trader's action on a match: each is an audited engine input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AdminAction {
    /// Suspend one market, or all.
    Suspend {
        /// The market; all when `None`.
        market: Option<MarketKey>,
    },
    /// Lift a manual suspension.
    Resume {
        /// The market; all when `None`.
        market: Option<MarketKey>,
    },
    /// Declare the match abandoned: every bet void.
    Abandon,
    /// Correct the result: every settled bet settled again.
    Resettle(ResultCorrection),
    /// Believe one source where the two disagree.
    ConfirmSource {
        /// The source believed.
        source: Source,
    },
    /// New trading terms (margin, stakes, limits, delay).
    Trading(TradingTerms),
    /// Change some of the trading terms, the rest as they are.
    AdjustTrading(TermsChange),
    /// Rule out the latest goal of a team.
    CancelGoal {
        /// Whose goal.
        team: inplay_engine::market::Team,
        /// The team's goals as the trader saw them: refused `goal_count_changed` when the match
        /// has another count, so a retried cancellation never rules out a second goal.
        goals: Option<u8>,
    },
    /// Set a team's expected goals (or both), the rest of the model as it is.
    SetExpectedGoals {
        /// Home team's pre-match expected goals.
        home_xg: Option<f64>,
        /// Away team's.
        away_xg: Option<f64>,
    },
    /// Void one bet.
    VoidBet {
        /// The bet.
        bet_id: String,
    },
    /// Declare full time.
    EndMatch,
    /// Tennis: set a player's chance of winning a point on their serve (or both), the rest of
    /// the model as it is.
    SetServeProbabilities {
        /// Player A's (the fixture's `home`).
        serve_a: Option<f64>,
        /// Player B's.
        serve_b: Option<f64>,
    },
}

/// Some trading terms to change.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermsChange {
    /// Target overround per market.
    pub margin: Option<f64>,
    /// Smallest stake.
    pub min_stake: Option<u64>,
    /// Largest stake.
    pub max_stake: Option<u64>,
    /// Liability limit per selection.
    pub max_selection_liability: Option<u64>,
    /// Liability limit per market.
    pub max_market_liability: Option<u64>,
    /// In-play bet delay.
    pub bet_delay_ms: Option<u64>,
}

impl TermsChange {
    /// `terms` with this change.
    pub fn apply(&self, terms: TradingTerms) -> TradingTerms {
        TradingTerms {
            margin: self.margin.unwrap_or(terms.margin),
            min_stake: self.min_stake.unwrap_or(terms.min_stake),
            max_stake: self.max_stake.unwrap_or(terms.max_stake),
            max_selection_liability: self
                .max_selection_liability
                .unwrap_or(terms.max_selection_liability),
            max_market_liability: self
                .max_market_liability
                .unwrap_or(terms.max_market_liability),
            bet_delay_ms: self.bet_delay_ms.unwrap_or(terms.bet_delay_ms),
            ..terms
        }
    }
}

impl AdminAction {
    /// Whether this action can be asked of this match: each sport's own actions only of its
    /// matches (`football_only`, `tennis_only`; a tennis match ends by its points or a confirmed
    /// retirement, and its bets settle as the points decide them, so it has no full time and no
    /// resettlement on goals), and new serve probabilities the engine can price
    /// (`invalid_body`). What the engine judges from the state (a goal to cancel, the period)
    /// it still judges: such an action comes back not applied.
    pub fn check(&self, image: &MatchImage) -> Result<(), ApiError> {
        let sport = image.sport();
        let football = |what: &str| {
            ApiError::new(
                ErrorCode::FootballOnly,
                format!("{what} is football's; this is a {} match", sport.as_str()),
            )
        };
        match self {
            AdminAction::CancelGoal { .. } | AdminAction::SetExpectedGoals { .. }
                if sport != Sport::Football =>
            {
                Err(football("a goal or expected goals"))
            }
            AdminAction::CancelGoal {
                team,
                goals: Some(seen),
            } => {
                let score = image.football().map(|f| f.state.score);
                let now = score.map_or(0, |s| match team {
                    inplay_engine::market::Team::Home => s.home,
                    inplay_engine::market::Team::Away => s.away,
                });
                if now == *seen {
                    Ok(())
                } else {
                    Err(ApiError::new(
                        ErrorCode::GoalCountChanged,
                        format!("the team has {now} goals, not {seen}: nothing was cancelled"),
                    ))
                }
            }
            AdminAction::EndMatch if sport != Sport::Football => Err(football(
                "declaring full time (a tennis match ends by its points, or by a retirement both sources or a trader confirm)",
            )),
            AdminAction::Resettle(_) if sport != Sport::Football => Err(football(
                "resettling on a goal list (tennis bets settle as the points decide them)",
            )),
            AdminAction::SetServeProbabilities { serve_a, serve_b } => {
                let Some(t) = image.tennis() else {
                    return Err(ApiError::new(
                        ErrorCode::TennisOnly,
                        format!(
                            "serve probabilities are tennis's; this is a {} match",
                            sport.as_str()
                        ),
                    ));
                };
                let params = TennisParams {
                    serve_a: serve_a.unwrap_or(t.params.serve_a),
                    serve_b: serve_b.unwrap_or(t.params.serve_b),
                    ..t.params
                };
                params
                    .validate()
                    .map_err(|e| ApiError::new(ErrorCode::InvalidBody, e.to_string()))
            }
            _ => Ok(()),
        }
    }

    /// The engine input it is, given the match's image now (for the changes that keep the rest).
    /// An action [`check`](Self::check) refuses for the match's sport becomes an input the
    /// engine changes nothing for.
    pub fn input(self, image: &MatchImage) -> inplay_engine::live::Input {
        use inplay_engine::live::Input;
        match self {
            AdminAction::Suspend { market } => Input::Suspend { market },
            AdminAction::Resume { market } => Input::Resume { market },
            AdminAction::Abandon => Input::Abandon,
            AdminAction::Resettle(c) => Input::Resettle(c),
            AdminAction::ConfirmSource { source } => Input::ConfirmSource { source },
            AdminAction::Trading(t) => Input::Trading(t),
            AdminAction::AdjustTrading(change) => Input::Trading(change.apply(image.trading)),
            AdminAction::CancelGoal { team, .. } => Input::CancelGoal { team },
            AdminAction::SetExpectedGoals { home_xg, away_xg } => {
                // A tennis match has no expected goals: the engine changes nothing for these.
                use inplay_engine::football::FootballParams;
                let params = image.football().map_or_else(
                    || FootballParams::new(home_xg.unwrap_or(0.0), away_xg.unwrap_or(0.0)),
                    |f| f.params,
                );
                Input::SetParams(FootballParams {
                    home_xg: home_xg.unwrap_or(params.home_xg),
                    away_xg: away_xg.unwrap_or(params.away_xg),
                    ..params
                })
            }
            AdminAction::VoidBet { bet_id } => Input::VoidBet { bet_id },
            AdminAction::EndMatch => Input::EndMatch,
            AdminAction::SetServeProbabilities { serve_a, serve_b } => {
                let params = image.tennis().map_or_else(
                    || TennisParams::new(serve_a.unwrap_or(0.0), serve_b.unwrap_or(0.0), 3),
                    |t| t.params,
                );
                Input::SetTennisParams(TennisParams {
                    serve_a: serve_a.unwrap_or(params.serve_a),
                    serve_b: serve_b.unwrap_or(params.serve_b),
                    ..params
                })
            }
        }
    }
}

/// What a trader's action did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminAnswer {
    /// The match after it.
    pub event: EventView,
    /// Whether it changed anything (an action that changes nothing is not logged).
    pub applied: bool,
    /// Bets decided by it.
    pub decisions: Vec<BetDecision>,
    /// Bets settled by it (a resettlement carries each bet's correction).
    pub settlements: Vec<Settlement>,
}

/// The audit log, for `inplay replay --log`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogExport {
    /// One engine `AuditEntry` JSON per line.
    pub ndjson: Vec<u8>,
    /// Hash of the last entry.
    pub head: Hash,
    /// The hub's version when read.
    pub version: Version,
}

#[cfg(test)]
mod tests {
    use super::*;
    use inplay_engine::football::FootballParams;
    use inplay_engine::live::{Fixture, Input, LiveConfig, LiveEvent, SportParams};
    use inplay_engine::market::Team;

    fn image(params: SportParams) -> MatchImage {
        let opening = Opening {
            event_id: "m1".into(),
            fixture: Fixture {
                home: "Sinner".into(),
                away: "Alcaraz".into(),
                kickoff_ms: 0,
            },
            params,
            trading: TradingTerms::default(),
            config: LiveConfig::default(),
            epoch: 1,
        };
        LiveEvent::new(opening, 1_000).unwrap().0.image().clone()
    }

    #[test]
    fn each_sport_is_asked_only_its_own_actions() {
        let tennis = image(TennisParams::new(0.64, 0.62, 3).into());
        let football = image(FootballParams::new(1.5, 1.1).into());
        let code = |a: &AdminAction, i: &MatchImage| a.check(i).err().map(|e| e.code);
        for a in [
            AdminAction::CancelGoal {
                team: Team::Home,
                goals: None,
            },
            AdminAction::SetExpectedGoals {
                home_xg: Some(2.0),
                away_xg: None,
            },
            AdminAction::EndMatch,
            AdminAction::Resettle(ResultCorrection { goals: Vec::new() }),
        ] {
            assert_eq!(code(&a, &tennis), Some(ErrorCode::FootballOnly), "{a:?}");
            assert_eq!(code(&a, &football), None, "{a:?}");
        }
        let serve = AdminAction::SetServeProbabilities {
            serve_a: Some(0.7),
            serve_b: None,
        };
        assert_eq!(code(&serve, &football), Some(ErrorCode::TennisOnly));
        assert_eq!(code(&serve, &tennis), None);
        // The rest of the model stays: B's serve, the format.
        let Input::SetTennisParams(p) = serve.input(&tennis) else {
            panic!("a tennis input")
        };
        assert_eq!((p.serve_a, p.serve_b, p.best_of), (0.7, 0.62, 3));
        // What the engine cannot price is refused with the parameter's name.
        for bad in [1.5, 0.0, f64::NAN] {
            let a = AdminAction::SetServeProbabilities {
                serve_a: None,
                serve_b: Some(bad),
            };
            let e = a.check(&tennis).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidBody);
            assert!(e.message.contains("serve_b"), "{}", e.message);
        }
        // Actions every sport shares pass for both.
        for a in [
            AdminAction::Suspend { market: None },
            AdminAction::Abandon,
            AdminAction::ConfirmSource {
                source: Source::Backup,
            },
            AdminAction::VoidBet {
                bet_id: "m1.0123456789abcdef".into(),
            },
        ] {
            assert_eq!(code(&a, &tennis), None);
            assert_eq!(code(&a, &football), None);
        }
    }

    #[test]
    fn calls_round_trip_and_answers_pair_with_their_requests() {
        let call: HubCall = BetQuery {
            bet_id: "m1.0123456789abcdef".into(),
        }
        .into();
        assert_eq!(
            crate::decode::<HubCall>(&crate::encode(&call)).unwrap(),
            call
        );
        fn answer_of<R: HubRequest>(_: &R) -> &'static str {
            core::any::type_name::<R::Answer>()
        }
        assert!(answer_of(&LogQuery::default()).ends_with("LogExport"));
        let err: Result<BetView, crate::ApiError> = Err(crate::ApiError::new(
            crate::ErrorCode::BetNotFound,
            "no such bet",
        ));
        let back: Result<BetView, crate::ApiError> = crate::decode(&crate::encode(&err)).unwrap();
        assert_eq!(back, err);
    }
}
