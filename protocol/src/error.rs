//! The one error shape every 4xx/5xx answer uses: `{"error":{"code":"stable_code","message":"..."}}`,
//! and the one list of codes, each knowing its HTTP status.
//!
//! Codes are part of the API (clients switch on them); messages are for people, may change, and never
//! carry internals. Infrastructure failures (a Durable Object unreachable, storage failing) are 503
//! with `Retry-After`: the request did nothing and can be retried with the same idempotency key.

use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($($variant:ident = $code:literal => $status:literal, $doc:literal;)*) => {
        /// A stable error code. The list below is the only place codes are written down.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
        }

        impl ErrorCode {
            /// Every code.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status this code is answered with.
            pub fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }
        }
    };
}

codes! {
    InvalidJson = "invalid_json" => 400, "The body is not valid JSON.";
    InvalidBody = "invalid_body" => 400, "The body is JSON but not the shape this route takes.";
    InvalidBet = "invalid_bet" => 400, "A bet body that is not a bet (unknown market, bad price, ...).";
    InvalidEventId = "invalid_event_id" => 400, "A match id outside 1-64 of `[A-Za-z0-9_-]`.";
    InvalidOpening = "invalid_opening" => 400, "A match that cannot be opened (parameters, terms).";
    InvalidCorrection = "invalid_correction" => 400, "A result correction no match could have, or before full time.";
    InvalidFormat = "invalid_format" => 400, "A socket `format` other than bin or json.";
    InvalidSince = "invalid_since" => 400, "A `since` that is not `epoch:seq`.";
    InvalidMessage = "invalid_message" => 400, "A socket message that is not one the relay takes.";
    IdempotencyKeyRequired = "idempotency_key_required" => 400, "A bet without an `Idempotency-Key`.";
    IdempotencyKeyInvalid = "idempotency_key_invalid" => 400, "An idempotency key outside 1-128 printable characters.";
    TokenRequired = "token_required" => 401, "A route or a socket bet that needs a user token.";
    TokenInvalid = "token_invalid" => 401, "A user token that does not verify.";
    TokenExpired = "token_expired" => 401, "A user token past its expiry.";
    AdminRequired = "admin_required" => 401, "An admin route without the admin token.";
    AdminForbidden = "admin_forbidden" => 403, "An admin route with a token that is not the admin's.";
    SignatureMissing = "signature_missing" => 401, "A feed post without its signature headers.";
    SignatureInvalid = "signature_invalid" => 401, "A feed signature that does not verify.";
    SignatureExpired = "signature_expired" => 401, "A feed timestamp outside the signature window.";
    TimestampInvalid = "timestamp_invalid" => 401, "A feed timestamp that is not a number.";
    UnknownSource = "unknown_source" => 401, "A feed source other than a configured primary or backup.";
    RouteNotFound = "route_not_found" => 404, "No such route.";
    EventNotFound = "event_not_found" => 404, "No such match.";
    BetNotFound = "bet_not_found" => 404, "No such bet (or not the caller's).";
    MethodNotAllowed = "method_not_allowed" => 405, "The route exists with other methods.";
    EventExists = "event_exists" => 409, "A match with this id exists.";
    IdempotencyConflict = "idempotency_conflict" => 409, "An idempotency key used before for a different bet.";
    SignatureReplayed = "signature_replayed" => 409, "A feed signature used twice within its window.";
    BetNotVoidable = "bet_not_voidable" => 409, "Only an accepted bet can be voided: a pending one is decided first.";
    FootballOnly = "football_only" => 409, "A football action (cancel a goal, expected goals, declare full time, resettle) asked of a tennis match.";
    TennisOnly = "tennis_only" => 409, "A tennis action (serve probabilities) asked of a football match.";
    GoalCountChanged = "goal_count_changed" => 409, "A goal cancellation naming the team's goals as the trader saw them, and the match has another count (a retry of one that was done, or a goal since).";
    PayloadTooLarge = "payload_too_large" => 413, "A body over the route's limit.";
    BatchTooLarge = "batch_too_large" => 413, "A feed batch with too many events.";
    UpgradeRequired = "upgrade_required" => 426, "A socket route called without `Upgrade: websocket`.";
    RateLimited = "rate_limited" => 429, "Too many bets from one bettor; retry later.";
    HubUnavailable = "hub_unavailable" => 503, "The match's hub did not answer; retry with the same key.";
    RelayUnavailable = "relay_unavailable" => 503, "The relay has no state yet or could not reach the hub.";
    Overloaded = "overloaded" => 503, "A queue is full; retry with the same key.";
    RelayFull = "relay_full" => 503, "A relay holds as many sockets as it may; the Worker tries another shard.";
    StorageUnavailable = "storage_unavailable" => 503, "A write failed; nothing was applied.";
    ReplayFailed = "replay_failed" => 500, "The match's log does not replay (corrupt storage).";
    Internal = "internal" => 500, "Our fault.";
}

impl ErrorCode {
    /// The code with this wire form.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }

    /// Whether a retry with the same request can succeed (infrastructure, not the request).
    pub fn is_retryable(self) -> bool {
        self.status() == 503 || self == ErrorCode::RateLimited
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        // A code this build does not know (a newer peer) is still an error, not a decode failure.
        Ok(ErrorCode::parse(&s).unwrap_or(ErrorCode::Internal))
    }
}

/// An API error: stable code (with its status) and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable code.
    pub code: ErrorCode,
    /// Human-readable detail, free of internals.
    pub message: String,
    /// For 429 and 503: when to retry, in ms.
    pub retry_after_ms: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct Body {
    error: Inner,
}

#[derive(Serialize, Deserialize)]
struct Inner {
    code: String,
    message: String,
}

impl ApiError {
    /// An error with its code's status.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            retry_after_ms: None,
        }
    }

    /// The same, telling the client when to retry.
    pub fn retry_after(mut self, ms: u64) -> Self {
        self.retry_after_ms = Some(ms);
        self
    }

    /// 500, with a message that must not leak internals.
    pub fn internal() -> Self {
        ApiError::new(ErrorCode::Internal, "internal error")
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// `Retry-After` in whole seconds, for the header: a 503 always has one (default 1 s).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match (self.retry_after_ms, self.status()) {
            (Some(ms), _) => Some(ms.div_ceil(1000).max(1)),
            (None, 503) => Some(1),
            _ => None,
        }
    }

    /// The JSON body.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&Body {
            error: Inner {
                code: self.code.as_str().to_string(),
                message: self.message.clone(),
            },
        })
        .unwrap_or_else(|_| String::from(r#"{"error":{"code":"internal","message":""}}"#))
    }

    /// Reads an error body a peer answered with (codes it does not know become `internal`).
    pub fn from_json(bytes: &[u8]) -> Option<ApiError> {
        let b: Body = serde_json::from_slice(bytes).ok()?;
        Some(ApiError::new(
            ErrorCode::parse(&b.error.code).unwrap_or(ErrorCode::Internal),
            b.error.message,
        ))
    }
}

impl core::fmt::Display for ApiError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}: {}", self.status(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for &c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            assert!((400..600).contains(&c.status()));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), c);
        }
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }

    #[test]
    fn error_body_is_stable_json_and_unavailability_says_when_to_retry() {
        let e = ApiError::new(ErrorCode::RouteNotFound, "no route for GET /x");
        assert_eq!(
            e.to_json(),
            r#"{"error":{"code":"route_not_found","message":"no route for GET /x"}}"#
        );
        assert_eq!(ApiError::from_json(e.to_json().as_bytes()), Some(e.clone()));
        assert_eq!(e.retry_after_secs(), None);
        let busy = ApiError::new(ErrorCode::HubUnavailable, "retry");
        assert_eq!((busy.status(), busy.retry_after_secs()), (503, Some(1)));
        let limited = ApiError::new(ErrorCode::RateLimited, "slow").retry_after(1_500);
        assert_eq!(limited.retry_after_secs(), Some(2));
        let bytes = crate::encode(&limited);
        assert_eq!(crate::decode::<ApiError>(&bytes).unwrap(), limited);
    }
}
