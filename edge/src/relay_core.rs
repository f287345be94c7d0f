//! The relay core: what a `RegionRelay` decides, without a host.
//!
//! A relay holds the stream for its sockets ([`RelayLog`]: snapshot + ring of deltas), turns each
//! update from upstream into what its sockets must be sent, and queues the bets its sockets place
//! so that they reach the hub in batches, one batch in flight. A region's upstream relay (two
//! fan-out levels) has no sockets: it passes what it takes on to its leaves with the same
//! [`Fanout`] the hub uses, so leaves are healed the same way.
//!
//! The Durable Object (`region_relay.rs`) does the I/O: sockets, SQLite, stubs, alarms.

use std::collections::VecDeque;

use inplay_engine::live::Version;
use inplay_protocol::bets::{BetBatch, BetCall};
use inplay_protocol::ids::RelayName;
use inplay_protocol::relay::{
    DecisionRecord, DeltaRecord, RelayAck, RelayUpdate, SnapshotRecord, SyncAnswer,
};
use inplay_protocol::{ApiError, ErrorCode};

use crate::fanout::{Base, Fanout, FanoutConfig};
use crate::relay_log::{Accepted, RelayLog};

/// Bounds of a relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayConfig {
    /// Deltas kept for `?since=` resumes.
    pub ring: usize,
    /// Bets waiting for the hub; beyond it a bet is refused `overloaded` (retry with the same key).
    pub max_queued_bets: usize,
    /// Most bets in one hub call: small enough that one batch never holds the hub (and the feed
    /// behind it) for long.
    pub bets_per_batch: usize,
    /// Least time between two batches to the hub unless a batch is full: at a burst each hub call
    /// carries many bets instead of one or two (a call costs the hub far more than a bet does).
    pub bet_window_ms: u64,
    /// The fan-out to leaves, for a region's upstream relay.
    pub fanout: FanoutConfig,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig {
            ring: 1_024,
            max_queued_bets: 8_192,
            bets_per_batch: 64,
            bet_window_ms: 50,
            fanout: FanoutConfig::default(),
        }
    }
}

/// What a relay's bet sender does next.
#[derive(Debug, Clone, PartialEq)]
pub enum NextBatch {
    /// Send this batch (the bettors' keys in its order).
    Send(BetBatch, Vec<String>),
    /// Wait until then (ms), then ask again.
    WaitUntil(u64),
    /// Nothing queued: the sender stops.
    Idle,
}

/// A socket bet waiting for the hub, with the key its refusal must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedBet {
    /// The bet.
    pub call: BetCall,
    /// The bettor's idempotency key.
    pub key: String,
}

/// What an update means for the relay's sockets and storage.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivery {
    /// The relay started again from a snapshot: send it to every socket (before `fresh`).
    pub snapshot: Option<SnapshotRecord>,
    /// New deltas, in order: send each to every socket, store them.
    pub fresh: Vec<DeltaRecord>,
    /// The stored snapshot changed.
    pub snapshot_changed: bool,
    /// Decisions for this relay's sockets (each to its owner's).
    pub decisions: Vec<DecisionRecord>,
    /// The update was held: the relay has no state yet and must synchronise first.
    pub needs_sync: bool,
}

/// One relay's state.
pub struct RelayCore {
    config: RelayConfig,
    /// Who this relay is, once a request told it.
    pub name: Option<RelayName>,
    /// The stream for joining sockets.
    pub log: RelayLog,
    /// Updates taken while the relay had no snapshot, applied after the sync.
    held: Vec<RelayUpdate>,
    bets: VecDeque<QueuedBet>,
    bets_in_flight: bool,
    /// When the last batch went to the hub.
    last_batch_ms: u64,
    /// Leaves below (a region's upstream relay only).
    leaves: Option<Fanout>,
    /// The newest head upstream announced.
    pub upstream_head: Option<Version>,
    /// Updates taken since this instance started.
    pub received: u64,
}

/// Most updates held while waiting for a first snapshot (the sync replaces them anyway).
const MAX_HELD: usize = 1_024;

impl RelayCore {
    /// A relay restored from storage.
    pub fn new(config: RelayConfig, name: Option<RelayName>, log: RelayLog) -> RelayCore {
        let leaves = name
            .as_ref()
            .filter(|n| n.is_regional())
            .map(|_| Fanout::new(config.fanout, log.head()));
        RelayCore {
            config,
            name,
            log,
            held: Vec::new(),
            bets: VecDeque::new(),
            bets_in_flight: false,
            last_batch_ms: 0,
            leaves,
            upstream_head: None,
            received: 0,
        }
    }

    /// Learns who it is (the first request names it).
    pub fn identify(&mut self, name: RelayName) {
        if self.name.is_none() {
            if name.is_regional() {
                self.leaves = Some(Fanout::new(self.config.fanout, self.log.head()));
            }
            self.name = Some(name);
        }
    }

    /// Whether it must ask upstream for a snapshot before serving a join or taking updates.
    pub fn needs_sync(&self) -> bool {
        self.log.snapshot().is_none()
    }

    /// Takes an update from upstream.
    pub fn take(&mut self, update: RelayUpdate) -> Delivery {
        self.received += 1;
        self.apply(update)
    }

    fn apply(&mut self, update: RelayUpdate) -> Delivery {
        if let Some(to) = &update.to {
            self.identify(to.clone());
        }
        if let Some(h) = update.head {
            self.upstream_head = Some(self.upstream_head.map_or(h, |u| u.max(h)));
        }
        let mut out = Delivery::default();
        match self.log.accept(&update) {
            Accepted::NoSnapshot => {
                if self.held.len() < MAX_HELD {
                    self.held.push(update);
                }
                out.needs_sync = true;
                return out;
            }
            Accepted::Applied {
                fresh,
                snapshot_changed,
                rebased,
                ..
            } => {
                if rebased {
                    out.snapshot = self.log.snapshot().cloned();
                }
                out.fresh = fresh;
                out.snapshot_changed = snapshot_changed;
            }
        }
        self.pass_down(&out, &update);
        let me = self.name.clone();
        out.decisions = update
            .decisions
            .into_iter()
            .filter(|d| d.target.is_none() || d.target == me)
            .collect();
        out
    }

    /// An upstream relay forwards what it took to its leaves.
    fn pass_down(&mut self, out: &Delivery, update: &RelayUpdate) {
        let Some(leaves) = self.leaves.as_mut() else {
            return;
        };
        if out.snapshot.is_some() {
            leaves.reset(self.log.head());
        }
        for d in &out.fresh {
            leaves.publish(d.clone());
        }
        if let Some(cp) = &update.checkpoint
            && Some(cp.version) == self.log.head()
        {
            leaves.publish_checkpoint(cp.clone());
        }
        for d in &update.decisions {
            leaves.route(d.clone());
        }
    }

    /// Installs the answer to a subscription (only if newer than what is held), then the updates
    /// held while waiting; returns what the sockets must be sent.
    pub fn synced(&mut self, answer: SyncAnswer) -> Delivery {
        let installed = self.log.install(answer.snapshot);
        let mut out = Delivery {
            snapshot_changed: installed,
            ..Delivery::default()
        };
        if installed {
            out.snapshot = self.log.snapshot().cloned();
            if let Some(leaves) = self.leaves.as_mut() {
                leaves.reset(self.log.head());
            }
        }
        let catch_up = RelayUpdate {
            deltas: answer.deltas,
            ..RelayUpdate::default()
        };
        let held = std::mem::take(&mut self.held);
        for update in std::iter::once(catch_up).chain(held) {
            let d = self.apply(update);
            out.fresh.extend(d.fresh);
            out.snapshot_changed |= d.snapshot_changed;
            out.decisions.extend(d.decisions);
            if d.snapshot.is_some() {
                out.snapshot = d.snapshot;
            }
        }
        out
    }

    /// The acknowledgement of an update.
    pub fn ack(&self, sockets: u32, frames_sent: u64) -> RelayAck {
        RelayAck {
            head: self.log.head(),
            sockets,
            updates_received: self.received,
            frames_sent,
        }
    }

    /// Whether upstream announced versions this relay does not hold.
    pub fn is_behind(&self) -> bool {
        match (self.upstream_head, self.log.head()) {
            (Some(u), Some(h)) => u > h,
            (Some(_), None) => true,
            _ => false,
        }
    }

    // ----- bets from this relay's sockets -----

    /// Queues a socket bet; `Ok(true)` when no sender is running (the caller starts one, which
    /// takes batches with [`RelayCore::next_batch`] until the queue is empty).
    pub fn queue_bet(&mut self, bet: QueuedBet) -> Result<bool, ApiError> {
        if self.bets.len() >= self.config.max_queued_bets {
            return Err(ApiError::new(
                ErrorCode::Overloaded,
                "too many bets waiting on this relay; retry with the same key",
            )
            .retry_after(1_000));
        }
        self.bets.push_back(bet);
        Ok(!self.bets_in_flight)
    }

    /// What the sender does next: send a batch (full, or its window since the last one has
    /// passed), wait until the window ends, or stop (nothing queued; the next bet starts a sender).
    pub fn next_batch(&mut self, now_ms: u64) -> NextBatch {
        let Some(relay) = self.name.clone() else {
            self.bets_in_flight = false;
            return NextBatch::Idle;
        };
        if self.bets.is_empty() {
            self.bets_in_flight = false;
            return NextBatch::Idle;
        }
        self.bets_in_flight = true;
        let open_at = self.last_batch_ms.saturating_add(self.config.bet_window_ms);
        if self.bets.len() < self.config.bets_per_batch && now_ms < open_at {
            return NextBatch::WaitUntil(open_at);
        }
        self.last_batch_ms = now_ms;
        let n = self.bets.len().min(self.config.bets_per_batch);
        let (calls, keys) = self.bets.drain(..n).map(|b| (b.call, b.key)).unzip();
        NextBatch::Send(BetBatch { relay, bets: calls }, keys)
    }

    /// Bets waiting.
    pub fn queued_bets(&self) -> usize {
        self.bets.len()
    }

    // ----- a region's upstream relay: its leaves -----

    /// Registers a leaf and answers it with this relay's snapshot and the deltas after it.
    pub fn subscribe_leaf(&mut self, leaf: &RelayName) -> Option<SyncAnswer> {
        let snapshot = self.log.snapshot()?.clone();
        let deltas = self
            .log
            .ring()
            .filter(|d| d.version > snapshot.version)
            .cloned()
            .collect();
        let head = self.log.head();
        let leaves = self.leaves.as_mut()?;
        leaves.register(leaf.clone(), &leaf.region);
        leaves.synced(leaf, head);
        Some(SyncAnswer { snapshot, deltas })
    }

    /// Messages owed to leaves now.
    pub fn due(&mut self, now_ms: u64) -> Vec<(RelayName, RelayUpdate, u64)> {
        let log = &self.log;
        let Some(leaves) = self.leaves.as_mut() else {
            return Vec::new();
        };
        let mut base = || -> Option<Base> {
            let s = log.snapshot()?.clone();
            let deltas = log
                .ring()
                .filter(|d| d.version > s.version)
                .cloned()
                .collect();
            Some((s, deltas))
        };
        leaves
            .due(now_ms, true, &mut base)
            .into_iter()
            .map(|(name, u)| {
                let generation = leaves.get(&name).map_or(0, |d| d.stub_generation);
                (name, u, generation)
            })
            .collect()
    }

    /// A leaf acknowledged.
    pub fn leaf_acknowledged(&mut self, leaf: &RelayName, ack: RelayAck) {
        if let Some(l) = self.leaves.as_mut() {
            l.acknowledged(leaf, ack);
        }
    }

    /// A leaf's message failed.
    pub fn leaf_failed(&mut self, leaf: &RelayName, now_ms: u64) {
        if let Some(l) = self.leaves.as_mut() {
            l.failed(leaf, now_ms);
        }
    }

    /// When the leaves are next owed something.
    pub fn next_wakeup(&self) -> Option<u64> {
        self.leaves.as_ref().and_then(|l| l.next_wakeup(true))
    }

    /// The leaves, for metrics.
    pub fn leaves(&self) -> Option<&Fanout> {
        self.leaves.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inplay_engine::live::{BetDecision, BetStatus, OddsPolicy, Price};
    use inplay_engine::market::{MarketKey, SelectionKey};
    use inplay_protocol::bets::BetBody;

    fn v(seq: u64) -> Version {
        Version { epoch: 1, seq }
    }
    fn snap(seq: u64) -> SnapshotRecord {
        SnapshotRecord {
            version: v(seq),
            bin: vec![],
            json: String::new(),
        }
    }
    fn delta(seq: u64) -> DeltaRecord {
        DeltaRecord {
            version: v(seq),
            bin: vec![seq as u8],
            json: String::new(),
        }
    }
    fn update(seqs: std::ops::RangeInclusive<u64>) -> RelayUpdate {
        RelayUpdate {
            head: Some(v(*seqs.end())),
            deltas: seqs.map(delta).collect(),
            ..Default::default()
        }
    }
    fn leaf(n: u32) -> RelayName {
        RelayName::leaf("m1", "weur", n)
    }
    fn decision(target: Option<RelayName>) -> DecisionRecord {
        let d = BetDecision {
            bet_id: "m1.0000000000000000".into(),
            user_id: "u".into(),
            status: BetStatus::Accepted,
            price: None,
            release_at_ms: None,
            version: v(0),
            decided_at_ms: 0,
        };
        DecisionRecord::of(&d, target)
    }

    #[test]
    fn updates_before_the_first_snapshot_are_held_and_applied_after_the_sync() {
        let mut r = RelayCore::new(RelayConfig::default(), Some(leaf(0)), RelayLog::new(16));
        let held = r.take(update(3..=4));
        assert!(held.needs_sync);
        let d = r.synced(SyncAnswer {
            snapshot: snap(1),
            deltas: vec![delta(2)],
        });
        assert_eq!(d.snapshot.unwrap().version, v(1));
        let seqs: Vec<u64> = d.fresh.iter().map(|d| d.version.seq).collect();
        assert_eq!(seqs, vec![2, 3, 4]);
        assert_eq!(r.log.head(), Some(v(4)));
        assert_eq!(r.ack(0, 0).head, Some(v(4)));
    }

    #[test]
    fn a_relay_that_missed_updates_knows_it_is_behind_and_says_so() {
        let mut r = RelayCore::new(RelayConfig::default(), Some(leaf(0)), RelayLog::new(16));
        r.synced(SyncAnswer {
            snapshot: snap(0),
            deltas: vec![],
        });
        r.take(update(1..=1));
        // 2 and 3 were lost; a heartbeat names head 3.
        let hb = RelayUpdate {
            head: Some(v(3)),
            ..Default::default()
        };
        r.take(hb);
        assert!(r.is_behind());
        assert_eq!(r.ack(0, 0).head, Some(v(1)), "the sender resends from here");
        r.take(update(2..=3));
        assert!(!r.is_behind());
    }

    #[test]
    fn decisions_for_other_relays_are_not_delivered_here() {
        let mut r = RelayCore::new(RelayConfig::default(), Some(leaf(0)), RelayLog::new(16));
        r.synced(SyncAnswer {
            snapshot: snap(0),
            deltas: vec![],
        });
        let mut u = update(1..=1);
        u.decisions = vec![
            decision(Some(leaf(0))),
            decision(Some(leaf(1))),
            decision(None),
        ];
        assert_eq!(r.take(u).decisions.len(), 2);
    }

    #[test]
    fn an_upstream_relay_passes_everything_to_its_leaves_and_heals_them() {
        let up = leaf(0).regional();
        let mut r = RelayCore::new(RelayConfig::default(), Some(up), RelayLog::new(16));
        r.synced(SyncAnswer {
            snapshot: snap(0),
            deltas: vec![],
        });
        let answer = r.subscribe_leaf(&leaf(0)).unwrap();
        assert_eq!(answer.snapshot.version, v(0));
        r.subscribe_leaf(&leaf(1)).unwrap();
        let mut u = update(1..=2);
        u.decisions = vec![decision(Some(leaf(1)))];
        let d = r.take(u);
        assert!(
            d.decisions.is_empty(),
            "an upstream relay has no sockets of its own"
        );
        let sends = r.due(0);
        assert_eq!(sends.len(), 2);
        for (name, update, _) in &sends {
            let seqs: Vec<u64> = update.deltas.iter().map(|d| d.version.seq).collect();
            assert_eq!(seqs, vec![1, 2]);
            assert_eq!(update.decisions.len(), usize::from(*name == leaf(1)));
        }
        r.leaf_acknowledged(
            &leaf(0),
            RelayAck {
                head: Some(v(2)),
                ..Default::default()
            },
        );
        r.leaf_failed(&leaf(1), 0);
        r.take(update(3..=3));
        let sends = r.due(1_000);
        let to_1 = sends.iter().find(|(n, _, _)| *n == leaf(1)).unwrap();
        let seqs: Vec<u64> = to_1.1.deltas.iter().map(|d| d.version.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3], "the failed leaf gets all it missed");
        assert_eq!(to_1.1.decisions.len(), 1);
    }

    #[test]
    fn socket_bets_go_in_batches_one_in_flight_and_a_full_queue_refuses() {
        let config = RelayConfig {
            max_queued_bets: 3,
            bets_per_batch: 2,
            bet_window_ms: 20,
            ..RelayConfig::default()
        };
        let mut r = RelayCore::new(config, Some(leaf(0)), RelayLog::new(16));
        let bet = |i: u32| QueuedBet {
            call: BetCall {
                bet_id: format!("m1.{i:016x}"),
                user_id: "u".into(),
                body: BetBody {
                    market: MarketKey::MatchResult,
                    selection: SelectionKey::Home,
                    stake: 100,
                    price: Price::from_hundredths(200).unwrap(),
                    seen_version: v(0),
                    policy: OddsPolicy::Any,
                },
            },
            key: format!("k{i}"),
        };
        let sent = |n: NextBatch| match n {
            NextBatch::Send(batch, keys) => (batch.bets.len(), keys),
            other => panic!("expected a batch, got {other:?}"),
        };
        // The first bet of a quiet relay goes at once.
        assert_eq!(r.queue_bet(bet(0)), Ok(true));
        assert_eq!(sent(r.next_batch(1_000)), (1, vec!["k0".to_string()]));
        // While it is in flight, bets queue (and the queue has a bound).
        for i in 1..=3 {
            assert_eq!(r.queue_bet(bet(i)), Ok(false));
        }
        assert_eq!(r.queue_bet(bet(4)).unwrap_err().code, ErrorCode::Overloaded);
        // A full batch goes at once; a partial one waits out the window since the last batch.
        assert_eq!(sent(r.next_batch(1_005)).0, 2);
        assert_eq!(r.next_batch(1_010), NextBatch::WaitUntil(1_025));
        assert_eq!(sent(r.next_batch(1_025)).0, 1);
        assert_eq!(r.next_batch(1_030), NextBatch::Idle);
        assert_eq!(r.queue_bet(bet(5)), Ok(true));
    }
}
