//! Between a hub and its relays (and, with two fan-out levels, between a region's upstream relay
//! and its leaves): updates, acknowledgements, subscriptions.
//!
//! A sender encodes each engine value once, in both forms a socket may want (postcard and JSON),
//! and relays only copy bytes into frames: no relay re-encodes per socket or understands a delta to
//! forward it.
//!
//! Delivery heals: every update names the sender's head; a relay acknowledges with its own head, so
//! the sender knows what each relay holds and resends what it missed (the deltas, or a snapshot to
//! start again from when they are gone from its outbox). One message per relay is in flight at a
//! time, so a relay sees updates in order.

use inplay_engine::live::{BetDecision, Delta, Snapshot, Version};
use serde::{Deserialize, Serialize};

use crate::ids::RelayName;

/// A snapshot, encoded both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRecord {
    /// Its version.
    pub version: Version,
    /// Engine postcard bytes.
    pub bin: Vec<u8>,
    /// Engine JSON.
    pub json: String,
}

impl SnapshotRecord {
    /// Encodes a snapshot.
    pub fn of(s: &Snapshot) -> SnapshotRecord {
        SnapshotRecord {
            version: s.version,
            bin: s.to_bytes(),
            json: serde_json::to_string(s).unwrap_or_default(),
        }
    }
}

/// A delta, encoded both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeltaRecord {
    /// The version it produces.
    pub version: Version,
    /// Engine postcard bytes.
    pub bin: Vec<u8>,
    /// Engine JSON.
    pub json: String,
}

impl DeltaRecord {
    /// Encodes a delta.
    pub fn of(d: &Delta) -> DeltaRecord {
        DeltaRecord {
            version: d.version,
            bin: d.to_bytes(),
            json: serde_json::to_string(d).unwrap_or_default(),
        }
    }
}

/// A bet decision for its owner's sockets, encoded both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// The relay the bet came through (its decisions go there only), or `None` for every relay.
    pub target: Option<RelayName>,
    /// Whose bet.
    pub user_id: String,
    /// Engine postcard bytes.
    pub bin: Vec<u8>,
    /// Engine JSON.
    pub json: String,
}

impl DecisionRecord {
    /// Encodes a decision for `target` (or every relay).
    pub fn of(d: &BetDecision, target: Option<RelayName>) -> DecisionRecord {
        DecisionRecord {
            target,
            user_id: d.user_id.clone(),
            bin: postcard::to_allocvec(d).unwrap_or_default(),
            json: serde_json::to_string(d).unwrap_or_default(),
        }
    }
}

/// The one message a sender sends a relay at a time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RelayUpdate {
    /// The relay it is for (a relay started by an update, before any socket, learns its name).
    pub to: Option<RelayName>,
    /// The sender's head version: a relay whose head is older knows it is behind.
    pub head: Option<Version>,
    /// A snapshot to start again from, when the relay is behind what the sender still holds as
    /// deltas; the deltas that follow continue from it.
    pub base: Option<SnapshotRecord>,
    /// Deltas, contiguous and in version order.
    pub deltas: Vec<DeltaRecord>,
    /// A fresh snapshot at the last delta's version, now and then, so relays serve joins without
    /// a long ring.
    pub checkpoint: Option<SnapshotRecord>,
    /// Bet decisions for sockets of their owners.
    pub decisions: Vec<DecisionRecord>,
    /// Sender's clock when sent (ms), for delivery figures.
    pub sent_ms: u64,
}

impl RelayUpdate {
    /// Nothing but the head (a heartbeat).
    pub fn is_heartbeat(&self) -> bool {
        self.base.is_none() && self.deltas.is_empty() && self.decisions.is_empty()
    }
}

/// A relay's answer to an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RelayAck {
    /// The relay's head after taking the update: the sender resends from here.
    pub head: Option<Version>,
    /// Sockets open on the relay now.
    pub sockets: u32,
    /// Updates this relay instance has received.
    pub updates_received: u64,
    /// Frames written to sockets for this update.
    pub frames_sent: u64,
}

/// A relay asks to be sent updates, and for the state to start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscribe {
    /// Who asks.
    pub relay: RelayName,
}

/// The answer to a subscription: a snapshot and the deltas after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncAnswer {
    /// The snapshot.
    pub snapshot: SnapshotRecord,
    /// Deltas after it, in order (empty from a hub, whose snapshot is its head).
    pub deltas: Vec<DeltaRecord>,
}

/// Test-only: make a relay fail (answer every update with an exception) for a while, as a stub
/// that throws does. Honoured only where `ALLOW_TEST_ROUTES=1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// How long to fail, ms.
    pub fail_for_ms: u64,
}

/// Every call a relay answers, apart from the socket upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Built, encoded and dropped at once: its size on the stack is of no consequence.
#[allow(clippy::large_enum_variant)]
pub enum RelayCall {
    /// From the relay's sender: answered with [`RelayAck`].
    Update(RelayUpdate),
    /// From a leaf, to its region's upstream relay: answered with [`SyncAnswer`].
    Subscribe(Subscribe),
    /// Test-only fault injection: answered with `()`.
    Fault(Fault),
}

/// A request type a relay answers, and its answer.
pub trait RelayRequest: Into<RelayCall> {
    /// What the relay answers.
    type Answer: Serialize + serde::de::DeserializeOwned;
}

macro_rules! relay_requests {
    ($($req:ty => $variant:ident => $answer:ty;)*) => {
        $(
            impl From<$req> for RelayCall {
                fn from(r: $req) -> RelayCall {
                    RelayCall::$variant(r)
                }
            }
            impl RelayRequest for $req {
                type Answer = $answer;
            }
        )*
    };
}

relay_requests! {
    RelayUpdate => Update => RelayAck;
    Subscribe => Subscribe => SyncAnswer;
    Fault => Fault => ();
}
