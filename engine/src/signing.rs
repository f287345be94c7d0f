//! Who sent this: feed signatures and user tokens, one implementation for the Worker that checks
//! them and the tools (`inplay simulate`, `inplay replay`, `inplay token`, `inplay load`) that make
//! them. Pure functions: secrets, bodies and the time come in as arguments.
//!
//! # Feed signatures
//! A data provider signs each `POST /v1/feed` with its own secret:
//!
//! ```text
//! X-Inplay-Source:    primary | backup
//! X-Inplay-Timestamp: <unix ms, decimal>
//! X-Inplay-Signature: hex(HMAC-SHA-256(secret, "<timestamp>.<raw body bytes>"))
//! ```
//!
//! Signing the timestamp with the body binds both; the receiver refuses timestamps outside a window
//! around its own clock, and (with memory it keeps itself) a signature used twice.
//!
//! # User tokens
//! `<user_id>.<expiry unix ms>.<hex(HMAC-SHA-256(secret, "<user_id>.<expiry>"))>`, user ids
//! `[A-Za-z0-9_-]{1,64}`. Stateless, so any instance checks them.
//!
//! ```
//! use inplay_engine::signing::{mint_token, sign_feed, verify_feed, verify_token};
//! let token = mint_token(b"k", "alice", 2_000);
//! assert_eq!(verify_token(b"k", &token, 1_000).unwrap(), "alice");
//! let sig = sign_feed(b"s", 1_000, b"{}");
//! assert!(verify_feed(b"s", Some("1000"), Some(&sig), b"{}", 1_500, 30_000).is_ok());
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Header naming the feed source.
pub const SOURCE_HEADER: &str = "X-Inplay-Source";
/// Header carrying the signing time, unix ms.
pub const TIMESTAMP_HEADER: &str = "X-Inplay-Timestamp";
/// Header carrying the hex HMAC.
pub const SIGNATURE_HEADER: &str = "X-Inplay-Signature";

/// Longest user id a token may carry.
pub const MAX_USER_ID_LEN: usize = 64;

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

/// Hex (either case) to bytes; `None` for odd length or a non-hex digit.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
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
    // HMAC accepts keys of any length, so this cannot fail.
    HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!())
}

/// `hex(HMAC-SHA-256(secret, "<timestamp>.<body>"))`: what a feed source sends.
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
    /// Until when the signature must be remembered (after that the window refuses it anyway).
    pub remember_until_ms: u64,
}

/// Why a feed signature was refused. Codes are stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The timestamp or signature header is absent.
    #[error("{0} missing")]
    Missing(&'static str),
    /// The timestamp is not unix milliseconds.
    #[error("X-Inplay-Timestamp must be unix milliseconds")]
    TimestampInvalid,
    /// Not 64 hex digits.
    #[error("X-Inplay-Signature must be 64 hex digits")]
    Malformed,
    /// The MAC does not match body and timestamp under this source's secret.
    #[error("signature does not match")]
    Mismatch,
    /// Signed too far from the receiver's clock.
    #[error("timestamp is {skew_ms} ms from server time; window is {window_ms} ms")]
    Expired {
        /// Distance from the receiver's clock.
        skew_ms: u64,
        /// Accepted distance.
        window_ms: u64,
    },
}

impl SignatureError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::Missing(_) => "signature_missing",
            SignatureError::TimestampInvalid => "timestamp_invalid",
            SignatureError::Malformed | SignatureError::Mismatch => "signature_invalid",
            SignatureError::Expired { .. } => "signature_expired",
        }
    }
}

/// Checks a feed request's timestamp and signature (not replay: that needs the receiver's memory).
pub fn verify_feed(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_ms: u64,
    window_ms: u64,
) -> Result<VerifiedFeed, SignatureError> {
    let timestamp = timestamp.ok_or(SignatureError::Missing(TIMESTAMP_HEADER))?;
    let signature = signature.ok_or(SignatureError::Missing(SIGNATURE_HEADER))?;
    let timestamp_ms: u64 = timestamp
        .parse()
        .map_err(|_| SignatureError::TimestampInvalid)?;
    let sig = unhex(signature.trim())
        .filter(|s| s.len() == 32)
        .ok_or(SignatureError::Malformed)?;
    let mut m = mac(secret);
    m.update(timestamp.as_bytes());
    m.update(b".");
    m.update(body);
    // verify_slice compares in constant time.
    m.verify_slice(&sig).map_err(|_| SignatureError::Mismatch)?;
    // The window is checked after the MAC so that a forger learns nothing about the clock for free.
    let skew_ms = timestamp_ms.abs_diff(now_ms);
    if skew_ms > window_ms {
        return Err(SignatureError::Expired { skew_ms, window_ms });
    }
    Ok(VerifiedFeed {
        timestamp_ms,
        signature: sig,
        remember_until_ms: timestamp_ms.saturating_add(window_ms),
    })
}

/// Whether `id` is a valid user id: `[A-Za-z0-9_-]{1,64}`.
pub fn is_valid_user_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_USER_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Mints a user token valid until `expiry_ms`.
pub fn mint_token(secret: &[u8], user_id: &str, expiry_ms: u64) -> String {
    let claims = format!("{user_id}.{expiry_ms}");
    let mut m = mac(secret);
    m.update(claims.as_bytes());
    format!("{claims}.{}", hex(&m.finalize().into_bytes()))
}

/// One key tokens are signed with, named by its id so two can be active during a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenKey<'a> {
    /// Key id, carried in the token: 1-16 of `[A-Za-z0-9_-]`.
    pub kid: &'a str,
    /// The HMAC secret.
    pub secret: &'a [u8],
}

/// Whether `kid` is a usable key id.
pub fn is_valid_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= 16
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Mints a user token under `key`: `<user_id>.<expiry ms>.<kid>.<hex HMAC(secret, "<user_id>.<expiry ms>.<kid>")>`.
pub fn mint_token_with(key: TokenKey<'_>, user_id: &str, expiry_ms: u64) -> String {
    let claims = format!("{user_id}.{expiry_ms}.{}", key.kid);
    let mut m = mac(key.secret);
    m.update(claims.as_bytes());
    format!("{claims}.{}", hex(&m.finalize().into_bytes()))
}

/// A verified token: who, until when, under which key (`None`: a token without a key id, from
/// before keys had ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// The user.
    pub user_id: String,
    /// When it expires (unix ms).
    pub expiry_ms: u64,
    /// The key it was signed with.
    pub kid: Option<String>,
}

/// Verifies a token against the active keys: a token with a key id needs that key; one without
/// (minted before key ids) verifies under any active key.
pub fn verify_token_with(
    keys: &[TokenKey<'_>],
    token: &str,
    now_ms: u64,
) -> Result<TokenClaims, TokenError> {
    let (claims, sig) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
    let sig = unhex(sig)
        .filter(|s| s.len() == 32)
        .ok_or(TokenError::Invalid)?;
    let mut parts = claims.split('.');
    let (Some(user_id), Some(expiry), kid, None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Invalid);
    };
    let expiry_ms: u64 = expiry.parse().map_err(|_| TokenError::Invalid)?;
    let signed_by = |secret: &[u8]| {
        let mut m = mac(secret);
        m.update(claims.as_bytes());
        m.verify_slice(&sig).is_ok()
    };
    let verified = match kid {
        Some(kid) => keys.iter().any(|k| k.kid == kid && signed_by(k.secret)),
        None => keys.iter().any(|k| signed_by(k.secret)),
    };
    if !verified || !is_valid_user_id(user_id) {
        return Err(TokenError::Invalid);
    }
    if expiry_ms <= now_ms {
        return Err(TokenError::Expired);
    }
    Ok(TokenClaims {
        user_id: user_id.to_string(),
        expiry_ms,
        kid: kid.map(String::from),
    })
}

/// Why a user token was refused. Codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Malformed, or not signed with this secret.
    #[error("bearer token is malformed or not signed by us")]
    Invalid,
    /// Signed, but past its expiry.
    #[error("bearer token has expired")]
    Expired,
}

impl TokenError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Invalid => "token_invalid",
            TokenError::Expired => "token_expired",
        }
    }
}

/// The user id in a valid, unexpired token.
pub fn verify_token(secret: &[u8], token: &str, now_ms: u64) -> Result<String, TokenError> {
    let (claims, sig) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
    let (user_id, expiry) = claims.split_once('.').ok_or(TokenError::Invalid)?;
    let expiry_ms: u64 = expiry.parse().map_err(|_| TokenError::Invalid)?;
    let sig = unhex(sig)
        .filter(|s| s.len() == 32)
        .ok_or(TokenError::Invalid)?;
    let mut m = mac(secret);
    m.update(claims.as_bytes());
    m.verify_slice(&sig).map_err(|_| TokenError::Invalid)?;
    if !is_valid_user_id(user_id) {
        return Err(TokenError::Invalid);
    }
    if expiry_ms <= now_ms {
        return Err(TokenError::Expired);
    }
    Ok(user_id.to_string())
}

/// `hex(HMAC-SHA-256(secret, data))`: a digest nobody without the secret can steer, e.g. to spread
/// clients over shards by a key they choose without letting them choose the shard.
pub fn keyed_digest(secret: &[u8], data: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(data);
    hex(&m.finalize().into_bytes())
}

/// Whether two secrets are equal, in time independent of where they differ (and of their lengths'
/// common prefix): both are MACed under a fixed key and the MACs compared in constant time.
pub fn secrets_equal(a: &[u8], b: &[u8]) -> bool {
    let mut m = mac(b"inplay-secret-compare");
    m.update(a);
    let want = m.finalize().into_bytes();
    let mut m = mac(b"inplay-secret-compare");
    m.update(b);
    m.verify_slice(&want).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_764_240_000_000;

    #[test]
    fn known_vectors_match_node_crypto() {
        // node -e 'console.log(require("crypto").createHmac("sha256","s3cret").update("1764240000000.{}").digest("hex"))'
        assert_eq!(
            sign_feed(b"s3cret", NOW, b"{}"),
            "6d66f330049c07bbfd9fadc95ba0b2b98903e841ab7159ee89f71d7f9c61fe8f"
        );
        // scripts/mint-token.mjs and the page compute the same.
        assert_eq!(
            mint_token(b"k", "alice", NOW + 60_000),
            "alice.1764240060000.1ac8fb91ea80a826de752fd079934535940f46ff7bfac576eec69fb533b2f9e4"
        );
    }

    #[test]
    fn tokens_with_key_ids_verify_under_their_key_during_a_rotation() {
        // node -e 'const c=require("crypto"); const t="alice.1764240060000.k1";
        //   console.log(t+"."+c.createHmac("sha256","k").update(t).digest("hex"))'
        let new = TokenKey {
            kid: "k1",
            secret: b"k",
        };
        let old = TokenKey {
            kid: "k0",
            secret: b"old",
        };
        let t = mint_token_with(new, "alice", NOW + 60_000);
        assert_eq!(
            t,
            "alice.1764240060000.k1.4100cd746d07345730812090bdc2909ac895d6c15ffd2204b45aea92c22d7fdb"
        );
        let claims = verify_token_with(&[new, old], &t, NOW).unwrap();
        assert_eq!(
            (claims.user_id.as_str(), claims.kid.as_deref()),
            ("alice", Some("k1"))
        );
        let by_old = mint_token_with(old, "bob", NOW + 60_000);
        assert!(verify_token_with(&[new, old], &by_old, NOW).is_ok());
        // Once the old key is retired its tokens stop working; a kid names one key only.
        assert_eq!(
            verify_token_with(&[new], &by_old, NOW),
            Err(TokenError::Invalid)
        );
        let forged = by_old.replace(".k0.", ".k1.");
        assert_eq!(
            verify_token_with(&[new, old], &forged, NOW),
            Err(TokenError::Invalid)
        );
        // Tokens from before key ids verify under any active key.
        let legacy = mint_token(b"old", "carol", NOW + 60_000);
        assert!(verify_token_with(&[new, old], &legacy, NOW).is_ok());
        assert_eq!(
            verify_token_with(&[new, old], &t, NOW + 60_000),
            Err(TokenError::Expired)
        );
        for bad in ["", "a.b", "a.1.k1.zz", "a.1.k1.x.y", "..."] {
            assert_eq!(
                verify_token_with(&[new], bad, NOW),
                Err(TokenError::Invalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn feed_signatures_verify_and_refuse_with_codes() {
        let body = br#"{"event_id":"m1"}"#;
        let ts = NOW.to_string();
        let sig = sign_feed(b"s3cret", NOW, body);
        let ok = verify_feed(b"s3cret", Some(&ts), Some(&sig), body, NOW + 1, 30_000).unwrap();
        assert_eq!(ok.remember_until_ms, NOW + 30_000);
        assert_eq!(hex(&ok.signature), sig);
        let code = |r: Result<VerifiedFeed, SignatureError>| r.unwrap_err().code();
        let v = |secret: &[u8], ts: Option<&str>, sig: Option<&str>, body: &[u8], now| {
            code(verify_feed(secret, ts, sig, body, now, 30_000))
        };
        let later = (NOW + 1).to_string();
        let table: &[(&str, &str)] = &[
            (
                v(b"other", Some(&ts), Some(&sig), body, NOW),
                "signature_invalid",
            ),
            (
                v(b"s3cret", Some(&ts), Some(&sig), b"{}", NOW),
                "signature_invalid",
            ),
            (
                v(b"s3cret", Some(&later), Some(&sig), body, NOW),
                "signature_invalid",
            ),
            (
                v(b"s3cret", Some(&ts), Some(&sig), body, NOW + 30_001),
                "signature_expired",
            ),
            (
                v(b"s3cret", Some(&ts), Some(&sig), body, NOW - 30_001),
                "signature_expired",
            ),
            (
                v(b"s3cret", None, Some(&sig), body, NOW),
                "signature_missing",
            ),
            (
                v(b"s3cret", Some(&ts), None, body, NOW),
                "signature_missing",
            ),
            (
                v(b"s3cret", Some("x"), Some(&sig), body, NOW),
                "timestamp_invalid",
            ),
            (
                v(b"s3cret", Some(&ts), Some("zz"), body, NOW),
                "signature_invalid",
            ),
        ];
        for (i, (got, want)) in table.iter().enumerate() {
            assert_eq!(got, want, "row {i}");
        }
    }

    #[test]
    fn tokens_round_trip_expire_and_refuse_forgeries() {
        let t = mint_token(b"k", "user_1", NOW + 60_000);
        assert_eq!(verify_token(b"k", &t, NOW).unwrap(), "user_1");
        assert_eq!(
            verify_token(b"k", &t, NOW + 60_000),
            Err(TokenError::Expired)
        );
        assert_eq!(verify_token(b"other", &t, NOW), Err(TokenError::Invalid));
        let forged = t.replacen("user_1", "user_2", 1);
        assert_eq!(verify_token(b"k", &forged, NOW), Err(TokenError::Invalid));
        assert_eq!(verify_token(b"k", "garbage", NOW), Err(TokenError::Invalid));
        let bad_id = mint_token(b"k", "a b", NOW + 60_000);
        assert_eq!(verify_token(b"k", &bad_id, NOW), Err(TokenError::Invalid));
    }

    #[test]
    fn hex_round_trips_and_secrets_compare() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(unhex("000FfF"), Some(vec![0, 15, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert!(secrets_equal(b"root", b"root"));
        assert!(!secrets_equal(b"root", b"roo"));
    }
}
