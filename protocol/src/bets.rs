//! Bets as the public API takes them, as the Worker and the relays hand them to a hub, and the
//! answers.
//!
//! A bet body is parsed once, where it enters (the Worker for `POST …/bets`, the relay for a socket
//! bet), into [`BetBody`]; from there it travels typed. Idempotency compares typed bodies, so the
//! same bet sent over HTTP and on a socket with the same key is the same bet, however its JSON was
//! spelled.

use inplay_engine::live::{BetDecision, BetRequest, OddsPolicy, Price, Settlement, Version};
use inplay_engine::market::{MarketKey, SelectionKey};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::ids::RelayName;

/// A bet as the bettor sends it: `{"market":"1x2","selection":"home","stake":1000,"price":2.1,
/// "seen_version":{"epoch":…,"seq":…},"policy":"exact|higher|any"}` (stake in minor units; the
/// price a decimal in whole hundredths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BetBody {
    /// Market key (`1x2`, `total:2.5`, ...).
    pub market: MarketKey,
    /// Selection key (`home`, `over`, `2-1`, ...).
    pub selection: SelectionKey,
    /// Stake in minor units.
    pub stake: u64,
    /// The price the bettor saw.
    pub price: Price,
    /// The version of the image the bettor saw.
    pub seen_version: Version,
    /// What the bettor accepts if the price moved (default `exact`).
    #[serde(default)]
    pub policy: OddsPolicy,
}

impl BetBody {
    /// Parses a bet body from JSON; anything that is not a bet is `invalid_bet` with what is wrong.
    pub fn from_json(bytes: &[u8]) -> Result<BetBody, ApiError> {
        serde_json::from_slice(bytes).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                ApiError::new(ErrorCode::InvalidJson, "body is not valid JSON")
            } else {
                ApiError::new(ErrorCode::InvalidBet, format!("invalid bet: {e}"))
            }
        })
    }

    /// The engine's request for this body.
    pub fn request(&self, bet_id: &str, user_id: &str) -> BetRequest {
        BetRequest {
            bet_id: bet_id.into(),
            user_id: user_id.into(),
            market: self.market,
            selection: self.selection,
            stake: self.stake,
            price: self.price,
            seen_version: self.seen_version,
            policy: self.policy,
        }
    }

    /// Whether `request` is this body (what a retry with the same key must repeat).
    pub fn is(&self, request: &BetRequest) -> bool {
        self.market == request.market
            && self.selection == request.selection
            && self.stake == request.stake
            && self.price == request.price
            && self.seen_version == request.seen_version
            && self.policy == request.policy
    }
}

/// One bet for a hub: the derived id, the verified bettor, the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BetCall {
    /// Derived from the bettor and the idempotency key ([`crate::ids::bet_id`]).
    pub bet_id: String,
    /// From the verified token.
    pub user_id: String,
    /// The bet.
    pub body: BetBody,
}

/// A bet placed, or a retry answered with the first decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacedBet {
    /// The engine's decision (`pending` during the in-play delay; the final one follows).
    pub decision: BetDecision,
    /// A retry of a key already decided: this is the latest decision, nothing new was placed.
    pub replayed: bool,
}

/// A relay's bets from its sockets, placed in arrival order in one hub turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BetBatch {
    /// The relay the bets came through: their later decisions are routed to it.
    pub relay: RelayName,
    /// The bets, in arrival order.
    pub bets: Vec<BetCall>,
}

/// One answer per bet of a [`BetBatch`], in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetBatchAnswer {
    /// Each bet's decision, or the refusal that kept it from the engine.
    pub results: Vec<Result<PlacedBet, ApiError>>,
}

/// `GET /v1/bets/{id}`: a bet's latest decision and its settlement, once settled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetView {
    /// Latest decision.
    pub decision: BetDecision,
    /// Settlement (the latest, after a correction).
    pub settlement: Option<Settlement>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_parse_typed_and_compare_canonically() {
        let a = BetBody::from_json(
            br#"{"market":"1x2","selection":"home","stake":1000,"price":2.1,"seen_version":{"epoch":1,"seq":7}}"#,
        )
        .unwrap();
        // The same bet spelled differently: key order, an explicit default policy, 2.10.
        let b = BetBody::from_json(
            br#"{"policy":"exact","seen_version":{"seq":7,"epoch":1},"price":2.10,"stake":1000,"selection":"home","market":"1x2"}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(a.is(&b.request("m.1", "u")));
        let c = BetBody {
            stake: 999,
            ..a.clone()
        };
        assert!(!c.is(&a.request("m.1", "u")));
        assert_eq!(crate::decode::<BetBody>(&crate::encode(&a)).unwrap(), a);
    }

    #[test]
    fn bad_bodies_say_what_is_wrong() {
        let code = |b: &[u8]| BetBody::from_json(b).unwrap_err().code;
        assert_eq!(code(b"{"), ErrorCode::InvalidJson);
        assert_eq!(code(b"[]"), ErrorCode::InvalidBet);
        assert_eq!(
            code(br#"{"market":"nope","selection":"home","stake":1,"price":2.0,"seen_version":{"epoch":1,"seq":0}}"#),
            ErrorCode::InvalidBet
        );
        assert_eq!(
            code(br#"{"market":"1x2","selection":"home","stake":1,"price":2.005,"seen_version":{"epoch":1,"seq":0}}"#),
            ErrorCode::InvalidBet
        );
    }
}
