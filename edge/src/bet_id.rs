//! Bet ids: `{event_id}.{16 hex}`, derived from the bettor and their `Idempotency-Key`.
//!
//! Deriving the id (instead of minting a random one) is what makes retries idempotent: the same user
//! retrying with the same key lands on the same bet in the same match's hub, and the hub answers with
//! the first decision. The event id prefix lets `GET /v1/bets/{id}` find the hub without a lookup.

use sha2::{Digest, Sha256};

use crate::route::is_valid_id;

/// Longest `Idempotency-Key` we accept.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 128;

/// The bet id for `user_id`'s bet with `idempotency_key` on `event_id`.
pub fn derive(event_id: &str, user_id: &str, idempotency_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(user_id.as_bytes());
    h.update([0u8]);
    h.update(idempotency_key.as_bytes());
    let digest = h.finalize();
    format!("{event_id}.{}", crate::auth::hex(&digest[..8]))
}

/// The match a bet id belongs to, if the id is well-formed.
pub fn event_of(bet_id: &str) -> Option<&str> {
    let (event, tail) = bet_id.rsplit_once('.')?;
    let tail_ok = tail.len() == 16 && tail.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (is_valid_id(event) && tail_ok).then_some(event)
}

/// Idempotency keys: printable ASCII without spaces, 1-128 bytes.
pub fn is_valid_idempotency_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY_LEN
        && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_routable() {
        let a = derive("m1", "u1", "k1");
        assert_eq!(a, derive("m1", "u1", "k1"));
        assert_ne!(a, derive("m1", "u2", "k1"));
        assert_ne!(a, derive("m1", "u1", "k2"));
        assert_eq!(event_of(&a), Some("m1"));
        assert_eq!(event_of("m1.xyz"), None);
        assert_eq!(event_of("m1"), None);
    }
}
