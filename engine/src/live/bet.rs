//! Bet requests, their validation against the current image, and decisions.
//!
//! Money is integer minor units and prices are integer hundredths ([`Price`]) throughout.
//! [`check_bet`] is the part of validation that needs only the streamed image, so the browser runs
//! exactly the edge's checks before sending; the edge adds the ledger-dependent ones (idempotency,
//! liability, bet delay) in [`super::LiveEvent`].

use serde::{Deserialize, Serialize};

use super::image::{MarketStatus, MatchImage, Version};
use crate::market::{Market, MarketKey, SelectionKey};
use crate::money::Price;

/// What a bettor accepts if the price moves before the bet is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OddsPolicy {
    /// Only the price seen (same ladder tick).
    #[default]
    Exact,
    /// The price seen or better.
    Higher,
    /// Any price.
    Any,
}

/// A bettor's request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetRequest {
    /// Idempotency key: a repeated id gets the first decision back.
    pub bet_id: String,
    /// Who bets.
    pub user_id: String,
    /// Market.
    pub market: MarketKey,
    /// Selection.
    pub selection: SelectionKey,
    /// Stake in minor units (e.g. pence).
    pub stake: u64,
    /// Price the bettor saw (decimal in JSON, `2.1`; whole hundredths).
    pub price: Price,
    /// Version of the image the bettor saw.
    pub seen_version: Version,
    /// Price-change policy.
    #[serde(default)]
    pub policy: OddsPolicy,
}

/// Why a bet was refused. Codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// The market is suspended (or was, inside the bet delay).
    MarketSuspended,
    /// The market is closed, settled, void or not offered at this moment.
    MarketClosed,
    /// The price moved beyond the bettor's policy.
    PriceChanged,
    /// Below the minimum stake.
    StakeTooLow,
    /// Above the maximum stake.
    StakeTooHigh,
    /// The book will not take more on this selection or market.
    LiabilityExceeded,
    /// No such market.
    UnknownMarket,
    /// No such selection in the market.
    UnknownSelection,
    /// The bettor's view is from another epoch or predates a material change.
    StaleVersion,
    /// Malformed request (e.g. a price that is not a number).
    InvalidRequest,
}

impl RejectCode {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::MarketSuspended => "market_suspended",
            RejectCode::MarketClosed => "market_closed",
            RejectCode::PriceChanged => "price_changed",
            RejectCode::StakeTooLow => "stake_too_low",
            RejectCode::StakeTooHigh => "stake_too_high",
            RejectCode::LiabilityExceeded => "liability_exceeded",
            RejectCode::UnknownMarket => "unknown_market",
            RejectCode::UnknownSelection => "unknown_selection",
            RejectCode::StaleVersion => "stale_version",
            RejectCode::InvalidRequest => "invalid_request",
        }
    }
}

/// Where a bet stands.
///
/// Wire form is a string: `accepted`, `pending`, `rejected:price_changed`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BetStatus {
    /// Taken at `price`.
    Accepted,
    /// Waiting out the in-play delay until `release_at_ms`.
    Pending,
    /// Refused.
    Rejected {
        /// Why.
        code: RejectCode,
    },
}

impl RejectCode {
    /// Every code.
    pub const ALL: [RejectCode; 10] = [
        RejectCode::MarketSuspended,
        RejectCode::MarketClosed,
        RejectCode::PriceChanged,
        RejectCode::StakeTooLow,
        RejectCode::StakeTooHigh,
        RejectCode::LiabilityExceeded,
        RejectCode::UnknownMarket,
        RejectCode::UnknownSelection,
        RejectCode::StaleVersion,
        RejectCode::InvalidRequest,
    ];
}

impl core::fmt::Display for BetStatus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BetStatus::Accepted => f.write_str("accepted"),
            BetStatus::Pending => f.write_str("pending"),
            BetStatus::Rejected { code } => write!(f, "rejected:{}", code.as_str()),
        }
    }
}

impl core::str::FromStr for BetStatus {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "accepted" => BetStatus::Accepted,
            "pending" => BetStatus::Pending,
            _ => {
                let code = s.strip_prefix("rejected:").ok_or("unknown bet status")?;
                let code = RejectCode::ALL
                    .into_iter()
                    .find(|c| c.as_str() == code)
                    .ok_or("unknown reject code")?;
                BetStatus::Rejected { code }
            }
        })
    }
}

crate::market::string_serde!(BetStatus);

/// The engine's answer to a bet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetDecision {
    /// The bet.
    pub bet_id: String,
    /// Its owner.
    pub user_id: String,
    /// Decision: `accepted`, `pending` or `rejected:<code>`.
    pub status: BetStatus,
    /// Price taken (accepted) or currently offered (pending).
    pub price: Option<Price>,
    /// When a pending bet is decided (ms).
    pub release_at_ms: Option<u64>,
    /// Version of the image the decision was made on.
    pub version: Version,
    /// When it was decided (ms).
    pub decided_at_ms: u64,
}

/// Price and status checks that need only the image and the bet's market priced now: returns the
/// price offered now. `market` is the bet's market from the current book (`None`: not offered).
pub fn check_bet(
    image: &MatchImage,
    market: Option<&Market>,
    version: Version,
    req: &BetRequest,
) -> Result<Price, RejectCode> {
    if req.bet_id.is_empty() || req.bet_id.len() > 128 {
        return Err(RejectCode::InvalidRequest);
    }
    if req.seen_version.epoch != version.epoch || req.seen_version.seq > version.seq {
        return Err(RejectCode::StaleVersion);
    }
    let market = market.ok_or(RejectCode::UnknownMarket)?;
    let selection = market
        .selection(req.selection)
        .ok_or(RejectCode::UnknownSelection)?;
    match image.market_status(req.market) {
        MarketStatus::Open => {}
        MarketStatus::Suspended { .. } => return Err(RejectCode::MarketSuspended),
        MarketStatus::Closed | MarketStatus::Settled | MarketStatus::Void => {
            return Err(RejectCode::MarketClosed);
        }
    }
    let t = &image.trading;
    if req.stake < t.min_stake {
        return Err(RejectCode::StakeTooLow);
    }
    if req.stake > t.max_stake {
        return Err(RejectCode::StakeTooHigh);
    }
    let offered = selection
        .odds
        .and_then(Price::from_decimal)
        .ok_or(RejectCode::MarketClosed)?;
    price_acceptable(req.price, offered, req.policy)?;
    Ok(offered)
}

/// Whether `offered` honours a request for `requested` under `policy`: prices are whole
/// hundredths, so this compares integers and float noise never decides a bet.
pub fn price_acceptable(
    requested: Price,
    offered: Price,
    policy: OddsPolicy,
) -> Result<(), RejectCode> {
    let ok = match policy {
        OddsPolicy::Any => true,
        OddsPolicy::Exact => offered == requested,
        OddsPolicy::Higher => offered >= requested,
    };
    if ok {
        Ok(())
    } else {
        Err(RejectCode::PriceChanged)
    }
}
