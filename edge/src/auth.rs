//! Who may do what: signed feed requests, user bearer tokens, the admin token.
//!
//! The cryptography is the engine's [`inplay_engine::signing`], shared with the `inplay` tools that
//! sign feeds and mint tokens; this module maps its refusals to API errors and reads the headers.
//!
//! # Feed signatures
//! A data provider signs each `POST /v1/feed` with its own secret (`FEED_SECRET_PRIMARY`,
//! `FEED_SECRET_BACKUP`):
//!
//! ```text
//! X-Inplay-Source:    primary | backup
//! X-Inplay-Timestamp: <unix ms, decimal>
//! X-Inplay-Signature: hex(HMAC-SHA-256(secret, "<timestamp>.<raw body bytes>"))
//! ```
//!
//! The timestamp must be within ±`FEED_SIGNATURE_WINDOW_MS` of the Worker's clock, so a captured request
//! goes stale quickly; within that window the hub remembers each signature until `timestamp + window`
//! and refuses a second use (replay). Signing the timestamp together with the body binds both.
//!
//! # User tokens
//! `Authorization: Bearer <user_id>.<expiry unix ms>.<hex(HMAC-SHA-256(TOKEN_SECRET, "<user_id>.<expiry>"))>`.
//! Stateless, so any Worker instance checks them; `inplay token` / `scripts/mint-token.mjs` mint them.
//!
//! # Admin
//! `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.

use inplay_engine::signing::{self, SignatureError, TokenClaims, TokenError, TokenKey};

use inplay_protocol::{ApiError, ErrorCode};

pub use inplay_engine::signing::{
    SIGNATURE_HEADER, SOURCE_HEADER, TIMESTAMP_HEADER, VerifiedFeed, hex, mint_token, sign_feed,
};

fn signature_error(e: SignatureError) -> ApiError {
    let code = match e {
        SignatureError::Missing(_) => ErrorCode::SignatureMissing,
        SignatureError::TimestampInvalid => ErrorCode::TimestampInvalid,
        SignatureError::Malformed | SignatureError::Mismatch => ErrorCode::SignatureInvalid,
        SignatureError::Expired { .. } => ErrorCode::SignatureExpired,
    };
    ApiError::new(code, e.to_string())
}

fn token_error(e: TokenError) -> ApiError {
    let code = match e {
        TokenError::Invalid => ErrorCode::TokenInvalid,
        TokenError::Expired => ErrorCode::TokenExpired,
    };
    ApiError::new(code, e.to_string())
}

/// Check a feed request's timestamp and signature (not replay: that needs the hub's memory).
pub fn verify_feed(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_ms: u64,
    window_ms: u64,
) -> Result<VerifiedFeed, ApiError> {
    signing::verify_feed(secret, timestamp, signature, body, now_ms, window_ms)
        .map_err(signature_error)
}

/// The user id in a valid, unexpired token.
pub fn verify_token(secret: &[u8], token: &str, now_ms: u64) -> Result<String, ApiError> {
    signing::verify_token(secret, token, now_ms).map_err(token_error)
}

/// A valid, unexpired token under any active key (two during a rotation).
pub fn verify_token_with(
    keys: &[TokenKey<'_>],
    token: &str,
    now_ms: u64,
) -> Result<TokenClaims, ApiError> {
    signing::verify_token_with(keys, token, now_ms).map_err(token_error)
}

/// The subprotocol a socket client offers to say it speaks this API.
pub const SOCKET_PROTOCOL: &str = "inplay.v1";

/// The token a socket client offers as a `Sec-WebSocket-Protocol` value `bearer.<token>` (browsers
/// cannot set an `Authorization` header on a WebSocket, and a token in the URL ends up in logs).
pub fn token_from_protocols(header: Option<&str>) -> Option<&str> {
    header?
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("bearer."))
        .filter(|t| !t.is_empty())
}

/// Whether the client offered [`SOCKET_PROTOCOL`].
pub fn offers_socket_protocol(header: Option<&str>) -> bool {
    header.is_some_and(|h| h.split(',').any(|p| p.trim() == SOCKET_PROTOCOL))
}

/// The token in an `Authorization: Bearer …` header.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let h = header?.trim();
    let (scheme, token) = h.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Whether `presented` equals the admin token, in time independent of where they differ.
pub fn is_admin(admin_token: &str, presented: Option<&str>) -> bool {
    let Some(presented) = presented else {
        return false;
    };
    !admin_token.is_empty() && signing::secrets_equal(admin_token.as_bytes(), presented.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_764_240_000_000;

    #[test]
    fn a_signed_feed_request_verifies() {
        let body = br#"{"event_id":"m1"}"#;
        let sig = sign_feed(b"s3cret", NOW, body);
        let v = verify_feed(
            b"s3cret",
            Some(&NOW.to_string()),
            Some(&sig),
            body,
            NOW + 1_000,
            30_000,
        )
        .unwrap();
        assert_eq!(v.timestamp_ms, NOW);
        assert_eq!(v.remember_until_ms, NOW + 30_000);
        assert_eq!(hex(&v.signature), sig);
    }

    #[test]
    fn forged_tampered_and_expired_feed_requests_are_refused() {
        let body = br#"{"event_id":"m1"}"#;
        let ts = NOW.to_string();
        let sig = sign_feed(b"s3cret", NOW, body);
        let code = |r: Result<VerifiedFeed, ApiError>| r.unwrap_err().code.as_str();
        assert_eq!(
            code(verify_feed(
                b"other",
                Some(&ts),
                Some(&sig),
                body,
                NOW,
                30_000
            )),
            "signature_invalid"
        );
        assert_eq!(
            code(verify_feed(
                b"s3cret",
                Some(&ts),
                Some(&sig),
                b"{}",
                NOW,
                30_000
            )),
            "signature_invalid"
        );
        let later = (NOW + 1).to_string();
        assert_eq!(
            code(verify_feed(
                b"s3cret",
                Some(&later),
                Some(&sig),
                body,
                NOW,
                30_000
            )),
            "signature_invalid"
        );
        assert_eq!(
            code(verify_feed(
                b"s3cret",
                Some(&ts),
                Some(&sig),
                body,
                NOW + 30_001,
                30_000
            )),
            "signature_expired"
        );
        assert_eq!(
            code(verify_feed(
                b"s3cret",
                Some(&ts),
                Some(&sig),
                body,
                NOW - 30_001,
                30_000
            )),
            "signature_expired"
        );
        assert_eq!(
            code(verify_feed(b"s3cret", None, Some(&sig), body, NOW, 30_000)),
            "signature_missing"
        );
        assert_eq!(
            code(verify_feed(
                b"s3cret",
                Some("x"),
                Some(&sig),
                body,
                NOW,
                30_000
            )),
            "timestamp_invalid"
        );
        assert_eq!(
            code(verify_feed(
                b"s3cret",
                Some(&ts),
                Some("zz"),
                body,
                NOW,
                30_000
            )),
            "signature_invalid"
        );
    }

    #[test]
    fn tokens_round_trip_and_expire() {
        let t = mint_token(b"k", "user_1", NOW + 60_000);
        assert_eq!(verify_token(b"k", &t, NOW).unwrap(), "user_1");
        assert_eq!(
            verify_token(b"k", &t, NOW + 60_000)
                .unwrap_err()
                .code
                .as_str(),
            "token_expired"
        );
        assert_eq!(
            verify_token(b"other", &t, NOW).unwrap_err().code.as_str(),
            "token_invalid"
        );
        let forged = t.replacen("user_1", "user_2", 1);
        assert_eq!(
            verify_token(b"k", &forged, NOW).unwrap_err().code.as_str(),
            "token_invalid"
        );
        assert_eq!(
            verify_token(b"k", "garbage", NOW)
                .unwrap_err()
                .code
                .as_str(),
            "token_invalid"
        );
    }

    #[test]
    fn socket_tokens_come_in_the_subprotocol() {
        let h = Some("inplay.v1, bearer.alice.1.k1.ab");
        assert_eq!(token_from_protocols(h), Some("alice.1.k1.ab"));
        assert!(offers_socket_protocol(h));
        assert_eq!(token_from_protocols(Some("inplay.v1")), None);
        assert_eq!(token_from_protocols(Some("bearer.")), None);
        assert_eq!(token_from_protocols(None), None);
        assert!(!offers_socket_protocol(Some("chat, inplay.v2")));
    }

    #[test]
    fn bearer_and_admin() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(None), None);
        assert!(is_admin("root", Some("root")));
        assert!(!is_admin("root", Some("roo")));
        assert!(!is_admin("", Some("")));
        assert!(!is_admin("root", None));
    }
}
