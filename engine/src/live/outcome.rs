//! What goes into an event and what comes out: inputs, feed results, bet decisions, settlements,
//! the delta and the audit entry.

use serde::{Deserialize, Serialize};

use super::audit::AuditEntry;
use super::bet::{BetDecision, BetRequest};
use super::feed::{FeedEvent, Source};
use super::image::{Delta, TradingTerms};
use super::opening::Opening;
use super::settle::{ResultCorrection, Settlement};
use crate::market::MarketKey;

/// One thing that happens to an event.
///
/// Variants are only ever appended: the binary log stores the variant's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// The event is created (first log entry only).
    Open(Box<Opening>),
    /// A decoded feed message.
    Feed(FeedEvent),
    /// A bet.
    Bet(BetRequest),
    /// Time passes (host alarm).
    Tick,
    /// A trader suspends one market, or all.
    Suspend {
        /// The market; all when `None`.
        market: Option<MarketKey>,
    },
    /// A trader lifts a manual suspension.
    Resume {
        /// The market; all when `None`.
        market: Option<MarketKey>,
    },
    /// New trading terms.
    Trading(TradingTerms),
    /// A trader declares the match abandoned: every bet is void. (One feed source alone cannot.)
    Abandon,
    /// A trader corrects the result after settlement: settled bets are settled again on the
    /// corrected goals (`rollback_bet_settlement` in the feed world).
    Resettle(ResultCorrection),
    /// A trader resolves a disagreement between the sources by believing one of them: its score
    /// stands, and a goal or settlement fact it alone reported is confirmed (or one only the other
    /// reported is dropped).
    ConfirmSource {
        /// The source believed.
        source: Source,
    },
    /// A trader rules out the latest goal of a team (as a VAR decision the feeds missed).
    CancelGoal {
        /// Whose goal.
        team: crate::market::Team,
    },
    /// A trader sets the model's parameters (e.g. a team's expected goals after team news).
    SetParams(crate::football::FootballParams),
    /// A trader voids one bet: stake back, its liability released (a settled bet is settled again
    /// as void, with the difference).
    VoidBet {
        /// The bet.
        bet_id: String,
    },
    /// A trader declares full time when the feeds cannot: everything settles.
    EndMatch,
    /// A trader sets a tennis match's parameters (serve-point probabilities, format).
    SetTennisParams(crate::tennis::TennisParams),
}

/// Why a feed message was refused. Codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedRejection {
    /// For another match.
    WrongEvent,
    /// `ts` too far from the edge's clock.
    ClockDrift,
    /// The source's match clock went backwards.
    ClockBackwards,
    /// Not possible in the current period (goal at half-time, second kick-off, full time before
    /// the regulation time could have run, ...).
    InvalidTransition,
    /// The reported score skips a goal.
    ScoreJump,
    /// Too many out-of-order messages waiting.
    SeqGap,
    /// The match is over.
    MatchOver,
    /// The fixture's model parameters are invalid.
    InvalidParams,
}

impl FeedRejection {
    /// Every reason.
    pub const ALL: [FeedRejection; 8] = [
        FeedRejection::WrongEvent,
        FeedRejection::ClockDrift,
        FeedRejection::ClockBackwards,
        FeedRejection::InvalidTransition,
        FeedRejection::ScoreJump,
        FeedRejection::SeqGap,
        FeedRejection::MatchOver,
        FeedRejection::InvalidParams,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedRejection::WrongEvent => "wrong_event",
            FeedRejection::ClockDrift => "clock_drift",
            FeedRejection::ClockBackwards => "clock_backwards",
            FeedRejection::InvalidTransition => "invalid_transition",
            FeedRejection::ScoreJump => "score_jump",
            FeedRejection::SeqGap => "seq_gap",
            FeedRejection::MatchOver => "match_over",
            FeedRejection::InvalidParams => "invalid_params",
        }
    }
}

/// What became of a feed message.
///
/// Wire form is a string: `accepted`, `duplicate`, `held`, `rejected:clock_drift`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedOutcome {
    /// Applied (a goal or settlement fact one source reports is applied as a claim that waits
    /// for the other source).
    Accepted,
    /// Already known (same seq again, or the other source's report of the same thing).
    Duplicate,
    /// Arrived ahead of a missing seq; applied when the gap fills or times out.
    Held,
    /// Refused.
    Rejected {
        /// Why.
        reason: FeedRejection,
    },
}

impl core::fmt::Display for FeedOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FeedOutcome::Accepted => f.write_str("accepted"),
            FeedOutcome::Duplicate => f.write_str("duplicate"),
            FeedOutcome::Held => f.write_str("held"),
            FeedOutcome::Rejected { reason } => write!(f, "rejected:{}", reason.as_str()),
        }
    }
}

impl core::str::FromStr for FeedOutcome {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "accepted" => FeedOutcome::Accepted,
            "duplicate" => FeedOutcome::Duplicate,
            "held" => FeedOutcome::Held,
            _ => {
                let r = s.strip_prefix("rejected:").ok_or("unknown feed outcome")?;
                let reason = FeedRejection::ALL
                    .into_iter()
                    .find(|x| x.as_str() == r)
                    .ok_or("unknown reason")?;
                FeedOutcome::Rejected { reason }
            }
        })
    }
}

crate::market::string_serde!(FeedOutcome);

/// A feed message's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedResult {
    /// Source.
    pub source: Source,
    /// Its seq.
    pub seq: u64,
    /// What happened.
    pub outcome: FeedOutcome,
}

/// What one input produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// Result of a feed input.
    pub feed: Option<FeedResult>,
    /// Bet decisions (the input's bet, and delayed bets released now).
    pub decisions: Vec<BetDecision>,
    /// Bets settled now (or settled again by a correction, with what they replace).
    pub settlements: Vec<Settlement>,
    /// The image change, if any.
    pub delta: Option<Delta>,
    /// The log entry to store; `None` when the input changed nothing.
    pub audit: Option<AuditEntry>,
}

/// Why an event could not be opened, restored or replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    /// Invalid opening (parameters, terms, ids).
    #[error("invalid opening: {0}")]
    InvalidOpening(&'static str),
    /// The log does not start with an opening.
    #[error("log does not start with an opening")]
    NoOpening,
    /// Replaying entry `index` gave a different result or hash.
    #[error("log diverges at entry {index}")]
    Diverged {
        /// First entry that differs.
        index: u64,
    },
    /// A checkpoint whose bytes do not decode or do not match its hash.
    #[error("checkpoint is corrupt")]
    BadCheckpoint,
}

impl LiveError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LiveError::InvalidOpening(_) => "invalid_opening",
            LiveError::NoOpening => "no_opening",
            LiveError::Diverged { .. } => "log_diverged",
            LiveError::BadCheckpoint => "bad_checkpoint",
        }
    }
}
