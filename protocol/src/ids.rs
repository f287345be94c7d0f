//! Identifiers and their rules: match ids, bet ids, idempotency keys, relay names.
//!
//! A bet id is derived (not minted) from the bettor and their `Idempotency-Key`, so a retry — over
//! HTTP, on a socket, or the one path after the other — lands on the same bet in the same match's hub,
//! which answers with the first decision. The match id prefix routes `GET /v1/bets/{id}` to its hub.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Longest match id; ids become Durable Object names and SQL keys.
pub const MAX_EVENT_ID_LEN: usize = 64;

/// Longest `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 128;

/// Match ids: 1-64 of `[A-Za-z0-9_-]`.
pub fn is_valid_event_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_EVENT_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Idempotency keys: printable ASCII without spaces, 1-128 bytes.
pub fn is_valid_idempotency_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY_LEN
        && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The bet id for `user_id`'s bet with `idempotency_key` on `event_id`: `{event_id}.{16 hex}`.
pub fn bet_id(event_id: &str, user_id: &str, idempotency_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(user_id.as_bytes());
    h.update([0u8]);
    h.update(idempotency_key.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(event_id.len() + 17);
    out.push_str(event_id);
    out.push('.');
    for b in &digest[..8] {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// The match a bet id belongs to, if the id is well-formed.
pub fn event_of_bet(bet_id: &str) -> Option<&str> {
    let (event, tail) = bet_id.rsplit_once('.')?;
    let tail_ok = tail.len() == 16 && tail.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (is_valid_event_id(event) && tail_ok).then_some(event)
}

/// Which relay of a region: a leaf holding sockets, or (with two fan-out levels) the region's
/// upstream relay that the hub sends to and the leaves subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tier {
    /// A leaf relay: shard `n` of its region, holding bettors' sockets.
    Leaf(u32),
    /// The region's upstream relay (between the hub and the leaves).
    Regional,
}

/// A relay's Durable Object name: `{event}/{region}/{shard}` for a leaf, `{event}/{region}/up` for a
/// region's upstream relay.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RelayName {
    /// The match.
    pub event_id: String,
    /// The location hint it runs under (`weur`, `enam`, ...).
    pub region: String,
    /// Leaf shard or upstream.
    pub tier: Tier,
}

impl RelayName {
    /// A leaf relay.
    pub fn leaf(event_id: &str, region: &str, shard: u32) -> RelayName {
        RelayName {
            event_id: event_id.into(),
            region: region.into(),
            tier: Tier::Leaf(shard),
        }
    }

    /// The upstream relay of this relay's region (itself when it is one).
    pub fn regional(&self) -> RelayName {
        RelayName {
            tier: Tier::Regional,
            ..self.clone()
        }
    }

    /// Whether it is a region's upstream relay.
    pub fn is_regional(&self) -> bool {
        self.tier == Tier::Regional
    }
}

impl fmt::Display for RelayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tier {
            Tier::Leaf(n) => write!(f, "{}/{}/{n}", self.event_id, self.region),
            Tier::Regional => write!(f, "{}/{}/up", self.event_id, self.region),
        }
    }
}

impl FromStr for RelayName {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let mut parts = s.split('/');
        let (Some(event), Some(region), Some(tier), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(());
        };
        if !is_valid_event_id(event)
            || region.is_empty()
            || !region.bytes().all(|b| b.is_ascii_lowercase())
        {
            return Err(());
        }
        let tier = match tier {
            "up" => Tier::Regional,
            n => Tier::Leaf(n.parse().map_err(|_| ())?),
        };
        Ok(RelayName {
            event_id: event.into(),
            region: region.into(),
            tier,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bet_ids_are_stable_and_routable() {
        let a = bet_id("m1", "u1", "k1");
        assert_eq!(a, bet_id("m1", "u1", "k1"));
        assert_ne!(a, bet_id("m1", "u2", "k1"));
        assert_ne!(a, bet_id("m1", "u1", "k2"));
        assert_eq!(event_of_bet(&a), Some("m1"));
        assert_eq!(event_of_bet("m1.xyz"), None);
        assert_eq!(event_of_bet("m1"), None);
        // The user and key are separated, so ("ab", "c") and ("a", "bc") differ.
        assert_ne!(bet_id("m", "ab", "c"), bet_id("m", "a", "bc"));
    }

    #[test]
    fn relay_names_round_trip() {
        for name in [
            RelayName::leaf("m1", "weur", 3),
            RelayName::leaf("m1", "apac", 0).regional(),
        ] {
            assert_eq!(name.to_string().parse::<RelayName>(), Ok(name.clone()));
        }
        assert_eq!(RelayName::leaf("m1", "weur", 3).to_string(), "m1/weur/3");
        assert_eq!(
            RelayName::leaf("m1", "weur", 3).regional().to_string(),
            "m1/weur/up"
        );
        for bad in [
            "",
            "m1",
            "m1/weur",
            "m1/weur/x",
            "m1/WEUR/0",
            "m 1/weur/0",
            "m1/weur/0/1",
        ] {
            assert!(bad.parse::<RelayName>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn id_rules_never_panic_and_derived_ids_always_route(
            event in "[A-Za-z0-9_-]{1,64}", user in "\\PC{0,80}", key in "\\PC{0,200}",
            any in "\\PC{0,300}",
        ) {
            let id = bet_id(&event, &user, &key);
            prop_assert_eq!(event_of_bet(&id), Some(event.as_str()));
            let _ = is_valid_event_id(&any);
            let _ = is_valid_idempotency_key(&any);
            let _ = event_of_bet(&any);
            let _ = any.parse::<RelayName>();
        }
    }
}
