//! What a hub keeps, behind a small trait: the Durable Object implements it on SQLite, the tests
//! on memory (and on memory that fails when told to).
//!
//! A [`Commit`] is one transaction: the log entries of one batch of inputs, and with them, when
//! due, a checkpoint of the whole engine state, the feed signature the batch used, a relay that
//! subscribed. Either all of it is stored or none of it, and nothing is answered before it is.

use inplay_engine::live::{AuditEntry, Checkpoint};
use inplay_protocol::ids::RelayName;

/// A storage failure: the batch was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl core::fmt::Display for StoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "storage: {}", self.0)
    }
}

/// What a hub finds when it starts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stored {
    /// The latest checkpoint, if one was written.
    pub checkpoint: Option<Checkpoint>,
    /// Every log entry after it (all of them without a checkpoint), in order.
    pub tail: Vec<AuditEntry>,
    /// Relays that subscribed, with their location hints.
    pub relays: Vec<(RelayName, String)>,
    /// Feed signatures still remembered, with when they may be forgotten.
    pub signatures: Vec<(Vec<u8>, u64)>,
}

impl Stored {
    /// Whether a match was ever opened here.
    pub fn is_empty(&self) -> bool {
        self.checkpoint.is_none() && self.tail.is_empty()
    }
}

/// One transaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Commit<'a> {
    /// Log entries, in order.
    pub entries: &'a [AuditEntry],
    /// The engine's whole state after the last of them.
    pub checkpoint: Option<&'a Checkpoint>,
    /// A feed signature to remember until the given time.
    pub signature: Option<(&'a [u8], u64)>,
    /// A relay that subscribed.
    pub relay: Option<(&'a RelayName, &'a str)>,
    /// Forget signatures that expired before this time.
    pub forget_signatures_before: Option<u64>,
}

impl Commit<'_> {
    /// Whether there is anything to write.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.checkpoint.is_none()
            && self.signature.is_none()
            && self.relay.is_none()
    }
}

/// A hub's storage.
pub trait HubStore {
    /// The latest checkpoint, the log after it, relays and signatures.
    fn load(&mut self) -> Result<Stored, StoreError>;
    /// Stores one batch atomically.
    fn commit(&mut self, batch: Commit<'_>) -> Result<(), StoreError>;
    /// The log from entry `from` on, for export.
    fn log(&mut self, from: u64) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Storage in memory: the tests' store, and a model of what the SQLite one must do. It can be told
/// to fail the next commits, as a real write can.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    log: Vec<AuditEntry>,
    checkpoint: Option<Checkpoint>,
    relays: Vec<(RelayName, String)>,
    signatures: Vec<(Vec<u8>, u64)>,
    /// Commits to fail from now on (each failure uses one).
    pub fail_commits: usize,
    /// Commits stored.
    pub commits: usize,
    /// Loads served.
    pub loads: usize,
}

impl MemoryStore {
    /// Entries stored.
    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// Whether nothing was stored.
    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// The stored checkpoint.
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        self.checkpoint.as_ref()
    }
}

impl HubStore for MemoryStore {
    fn load(&mut self) -> Result<Stored, StoreError> {
        self.loads += 1;
        let from = self.checkpoint.as_ref().map_or(0, |c| c.index as usize);
        Ok(Stored {
            checkpoint: self.checkpoint.clone(),
            tail: self.log.get(from..).unwrap_or_default().to_vec(),
            relays: self.relays.clone(),
            signatures: self.signatures.clone(),
        })
    }

    fn commit(&mut self, batch: Commit<'_>) -> Result<(), StoreError> {
        if self.fail_commits > 0 {
            self.fail_commits -= 1;
            return Err(StoreError("injected failure".into()));
        }
        // Entries must continue the log exactly: a gap or an overlap is a bug in the hub.
        if let Some(first) = batch.entries.first()
            && first.index != self.log.len() as u64
        {
            return Err(StoreError(format!(
                "entry {} does not follow {}",
                first.index,
                self.log.len()
            )));
        }
        self.log.extend_from_slice(batch.entries);
        if let Some(c) = batch.checkpoint {
            self.checkpoint = Some(c.clone());
        }
        if let Some((s, until)) = batch.signature {
            self.signatures.push((s.to_vec(), until));
        }
        if let Some(before) = batch.forget_signatures_before {
            self.signatures.retain(|(_, until)| *until >= before);
        }
        if let Some((name, region)) = batch.relay
            && !self.relays.iter().any(|(n, _)| n == name)
        {
            self.relays.push((name.clone(), region.to_string()));
        }
        self.commits += 1;
        Ok(())
    }

    fn log(&mut self, from: u64) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(self.log.get(from as usize..).unwrap_or_default().to_vec())
    }
}
