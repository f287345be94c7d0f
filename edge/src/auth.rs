//! Who may do what: signed feed requests, user bearer tokens, the admin token.
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

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::ApiError;
use crate::route::is_valid_id;

type HmacSha256 = Hmac<Sha256>;

/// Header naming the feed source.
pub const SOURCE_HEADER: &str = "X-Inplay-Source";
/// Header carrying the signing time, unix ms.
pub const TIMESTAMP_HEADER: &str = "X-Inplay-Timestamp";
/// Header carrying the hex HMAC.
pub const SIGNATURE_HEADER: &str = "X-Inplay-Signature";

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!())
}

/// `hex(HMAC-SHA-256(secret, "<timestamp>.<body>"))`, what a feed source sends.
pub fn sign_feed(secret: &[u8], timestamp_ms: u64, body: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(timestamp_ms.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    hex(&m.finalize().into_bytes())
}

/// A feed request whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedFeed {
    /// The signing timestamp, unix ms.
    pub timestamp_ms: u64,
    /// The raw signature: what replay protection remembers.
    pub signature: Vec<u8>,
    /// Until when the signature must be remembered (after that the timestamp check refuses it anyway).
    pub remember_until_ms: u64,
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
    let timestamp = timestamp
        .ok_or_else(|| ApiError::unauthorized("signature_missing", "X-Inplay-Timestamp missing"))?;
    let signature = signature
        .ok_or_else(|| ApiError::unauthorized("signature_missing", "X-Inplay-Signature missing"))?;
    let timestamp_ms: u64 = timestamp.parse().map_err(|_| {
        ApiError::unauthorized(
            "timestamp_invalid",
            "X-Inplay-Timestamp must be unix milliseconds",
        )
    })?;
    let sig = unhex(signature.trim())
        .filter(|s| s.len() == 32)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "signature_invalid",
                "X-Inplay-Signature must be 64 hex digits",
            )
        })?;
    let mut m = mac(secret);
    m.update(timestamp.as_bytes());
    m.update(b".");
    m.update(body);
    // verify_slice compares in constant time.
    m.verify_slice(&sig)
        .map_err(|_| ApiError::unauthorized("signature_invalid", "signature does not match"))?;
    // The window is checked after the MAC so that an attacker learns nothing about the clock for free.
    if timestamp_ms.abs_diff(now_ms) > window_ms {
        return Err(ApiError::unauthorized(
            "signature_expired",
            format!(
                "timestamp is {} ms from server time; window is {window_ms} ms",
                timestamp_ms.abs_diff(now_ms)
            ),
        ));
    }
    Ok(VerifiedFeed {
        timestamp_ms,
        signature: sig,
        remember_until_ms: timestamp_ms.saturating_add(window_ms),
    })
}

/// Mint a user token valid until `expiry_ms`.
pub fn mint_token(secret: &[u8], user_id: &str, expiry_ms: u64) -> String {
    let claims = format!("{user_id}.{expiry_ms}");
    let mut m = mac(secret);
    m.update(claims.as_bytes());
    format!("{claims}.{}", hex(&m.finalize().into_bytes()))
}

/// The user id in a valid, unexpired token.
pub fn verify_token(secret: &[u8], token: &str, now_ms: u64) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::unauthorized(
            "token_invalid",
            "bearer token is malformed or not signed by us",
        )
    };
    let (claims, sig) = token.rsplit_once('.').ok_or_else(invalid)?;
    let (user_id, expiry) = claims.split_once('.').ok_or_else(invalid)?;
    let expiry_ms: u64 = expiry.parse().map_err(|_| invalid())?;
    let sig = unhex(sig).filter(|s| s.len() == 32).ok_or_else(invalid)?;
    let mut m = mac(secret);
    m.update(claims.as_bytes());
    m.verify_slice(&sig).map_err(|_| invalid())?;
    if !is_valid_id(user_id) {
        return Err(invalid());
    }
    if expiry_ms <= now_ms {
        return Err(ApiError::unauthorized(
            "token_expired",
            "bearer token has expired",
        ));
    }
    Ok(user_id.to_string())
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
    if admin_token.is_empty() {
        return false;
    }
    // Compare MACs of both under a fixed key: equal-length outputs, constant-time verify.
    let mut m = mac(b"inplay-admin-compare");
    m.update(admin_token.as_bytes());
    let want = m.finalize().into_bytes();
    let mut m = mac(b"inplay-admin-compare");
    m.update(presented.as_bytes());
    m.verify_slice(&want).is_ok()
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
        let code = |r: Result<VerifiedFeed, ApiError>| r.unwrap_err().code;
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
            verify_token(b"k", &t, NOW + 60_000).unwrap_err().code,
            "token_expired"
        );
        assert_eq!(
            verify_token(b"other", &t, NOW).unwrap_err().code,
            "token_invalid"
        );
        let forged = t.replacen("user_1", "user_2", 1);
        assert_eq!(
            verify_token(b"k", &forged, NOW).unwrap_err().code,
            "token_invalid"
        );
        assert_eq!(
            verify_token(b"k", "garbage", NOW).unwrap_err().code,
            "token_invalid"
        );
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
