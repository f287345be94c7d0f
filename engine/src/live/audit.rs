//! The append-only, hash-chained log of everything that changed an event.
//!
//! Each entry holds one input with its wall time and what it produced; its hash is
//! `SHA-256(previous hash ‖ postcard(entry without hash))`. Because the live state is a pure function
//! of its inputs, replaying the inputs reproduces every decision, every snapshot and the final hash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::bet::BetDecision;
use super::image::Version;
use super::outcome::{FeedResult, Input};
use super::settle::Settlement;

/// A SHA-256 digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Hash(pub [u8; 32]);

impl core::fmt::Display for Hash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, from 0 (the opening).
    pub index: u64,
    /// Wall time the input was applied at (ms).
    pub now_ms: u64,
    /// The input.
    pub input: Input,
    /// Feed result, for feed inputs.
    pub feed: Option<FeedResult>,
    /// Bet decisions made.
    pub decisions: Vec<BetDecision>,
    /// Bets settled (or settled again after a correction, with the difference).
    pub settlements: Vec<Settlement>,
    /// Version after the input.
    pub version: Version,
    /// Hash of the previous entry (zeros for the first).
    pub prev: Hash,
    /// This entry's hash.
    pub hash: Hash,
}

#[derive(Serialize)]
struct Hashed<'a> {
    index: u64,
    now_ms: u64,
    input: &'a Input,
    feed: &'a Option<FeedResult>,
    decisions: &'a [BetDecision],
    settlements: &'a [Settlement],
    version: Version,
}

impl AuditEntry {
    /// Builds and hashes an entry.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        index: u64,
        now_ms: u64,
        input: Input,
        feed: Option<FeedResult>,
        decisions: Vec<BetDecision>,
        settlements: Vec<Settlement>,
        version: Version,
        prev: Hash,
    ) -> AuditEntry {
        let mut e = AuditEntry {
            index,
            now_ms,
            input,
            feed,
            decisions,
            settlements,
            version,
            prev,
            hash: Hash::default(),
        };
        e.hash = e.compute_hash();
        e
    }

    /// The hash this entry should have.
    pub fn compute_hash(&self) -> Hash {
        let body = Hashed {
            index: self.index,
            now_ms: self.now_ms,
            input: &self.input,
            feed: &self.feed,
            decisions: &self.decisions,
            settlements: &self.settlements,
            version: self.version,
        };
        let mut h = Sha256::new();
        h.update(self.prev.0);
        h.update(postcard::to_allocvec(&body).unwrap_or_default());
        Hash(h.finalize().into())
    }

    /// Binary form (postcard), as hosts store it.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// Decodes the binary form.
    pub fn from_bytes(bytes: &[u8]) -> Option<AuditEntry> {
        postcard::from_bytes(bytes).ok()
    }
}
