//! A full-state checkpoint: everything a [`LiveEvent`] needs to continue, as hashed bytes.
//!
//! A host that logs every input can restart by replaying the whole log, which grows with the match
//! (minutes at peak rates). With a checkpoint it loads the latest one and replays only the entries
//! logged after it, still checking each one's hash against the chain: [`LiveEvent::resume`]. The
//! checkpoint names the log position it stands at (`index` entries, ending in `audit_head`), so a
//! tail that does not chain onto it is refused.
//!
//! Invariant (property-tested): a checkpoint taken at any entry, plus the rest of the log, gives an
//! event whose next checkpoint is byte-identical to the one of the full replay.
//!
//! The state bytes are the serde form of [`LiveEvent`] (exactly football's, as it always was), then
//! for tennis the points the event knows beyond its image, then the wall time of the event's
//! version (the stream's deltas carry their time relative to it). A checkpoint written before that
//! time was kept ends early and is refused (`bad_checkpoint`): a host replays its whole log instead.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::audit::{AuditEntry, Hash};
use super::event::LiveEvent;
use super::image::Version;
use super::outcome::LiveError;

/// The whole state of a live event at one log position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Log entries it includes: the next entry to replay has this index.
    pub index: u64,
    /// Hash of the last entry it includes.
    pub audit_head: Hash,
    /// The event's version.
    pub version: Version,
    /// The state, postcard-encoded.
    pub state: Vec<u8>,
    /// SHA-256 of `state`, so a damaged checkpoint is refused instead of resumed.
    pub hash: Hash,
}

impl Checkpoint {
    /// Binary form (postcard), as hosts store it.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// Decodes the binary form.
    pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint, LiveError> {
        postcard::from_bytes(bytes).map_err(|_| LiveError::BadCheckpoint)
    }
}

fn digest(bytes: &[u8]) -> Hash {
    Hash(Sha256::digest(bytes).into())
}

impl LiveEvent {
    /// The full state now.
    pub fn checkpoint(&self) -> Checkpoint {
        let mut state = postcard::to_allocvec(self).unwrap_or_default();
        // A tennis event's points follow the shared state (football's bytes stay as they were).
        if self.image.tennis().is_some() {
            state.extend(postcard::to_allocvec(&self.tennis).unwrap_or_default());
        }
        state.extend(postcard::to_allocvec(&self.version_ms).unwrap_or_default());
        Checkpoint {
            index: self.audit_len,
            audit_head: self.audit_head,
            version: self.version,
            hash: digest(&state),
            state,
        }
    }

    /// The event a checkpoint holds, after checking its hash and that it describes itself truly.
    pub fn from_checkpoint(checkpoint: &Checkpoint) -> Result<LiveEvent, LiveError> {
        if digest(&checkpoint.state) != checkpoint.hash {
            return Err(LiveError::BadCheckpoint);
        }
        let bad = |_| LiveError::BadCheckpoint;
        let (mut ev, mut rest): (LiveEvent, _) =
            postcard::take_from_bytes(&checkpoint.state).map_err(bad)?;
        if ev.image.tennis().is_some() {
            (ev.tennis, rest) = postcard::take_from_bytes(rest).map_err(bad)?;
        }
        (ev.version_ms, rest) = postcard::take_from_bytes(rest).map_err(bad)?;
        if !rest.is_empty() {
            return Err(LiveError::BadCheckpoint);
        }
        if ev.audit_len != checkpoint.index
            || ev.audit_head != checkpoint.audit_head
            || ev.version != checkpoint.version
        {
            return Err(LiveError::BadCheckpoint);
        }
        Ok(ev)
    }

    /// Restores from a checkpoint and replays the log entries after it, each of which must chain
    /// onto it and reproduce bit for bit.
    pub fn resume<'a>(
        checkpoint: &Checkpoint,
        tail: impl IntoIterator<Item = &'a AuditEntry>,
    ) -> Result<LiveEvent, LiveError> {
        let mut ev = LiveEvent::from_checkpoint(checkpoint)?;
        ev.replay_tail(tail)?;
        Ok(ev)
    }
}
