//! Fan-out that heals: what a sender (a hub, or a region's upstream relay) owes each relay below it.
//!
//! The sender keeps the recent deltas (its outbox), each downstream relay's acknowledged head, and
//! the bet decisions queued for it. [`Fanout::due`] builds, for every relay that is owed something
//! and has nothing in flight, exactly one message: the deltas after its acknowledged head (or a
//! snapshot to start again from, when they are gone from the outbox), the decisions queued for it,
//! or a heartbeat carrying the head. The shell sends each message with a timeout and reports back:
//! an acknowledgement moves the relay's head and drops the decisions it carried; a failure (an
//! exception, a status, a timeout) keeps everything for the retry, backs off, and bumps the relay's
//! stub generation, which tells the shell to build a new stub (a stub that threw fails every later
//! call). One relay's trouble never holds another's messages.
//!
//! Pure logic: `event_hub.rs` and `region_relay.rs` do the sending.

use std::collections::{BTreeMap, VecDeque};

use inplay_engine::live::Version;
use inplay_protocol::ids::RelayName;
use inplay_protocol::relay::{DecisionRecord, DeltaRecord, RelayAck, RelayUpdate, SnapshotRecord};

/// The longest wait before a failed relay is tried again.
pub const MAX_BACKOFF_MS: u64 = 1_000;

/// Timing and bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FanoutConfig {
    /// A send that has not answered in this long counts as failed.
    pub timeout_ms: u64,
    /// A relay that was sent nothing for this long gets a heartbeat with the head.
    pub heartbeat_ms: u64,
    /// Deltas kept for resending; a relay further behind gets a snapshot.
    pub outbox: usize,
    /// Decisions queued per relay; beyond it the oldest are dropped (their bettors can still read
    /// them with `GET /v1/bets/{id}`), and counted.
    pub max_decisions: usize,
    /// Most decisions in one message.
    pub decisions_per_message: usize,
    /// A fresh snapshot rides along at least every this many versions.
    pub checkpoint_every: u64,
}

impl Default for FanoutConfig {
    fn default() -> Self {
        FanoutConfig {
            timeout_ms: 5_000,
            heartbeat_ms: 5_000,
            outbox: 4_096,
            max_decisions: 50_000,
            decisions_per_message: 2_048,
            checkpoint_every: 32,
        }
    }
}

/// What one message in flight carries, to settle its acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct InFlight {
    sent_ms: u64,
    decisions: usize,
}

/// One relay below the sender.
#[derive(Debug, Clone, PartialEq)]
pub struct Downstream {
    /// Its location hint.
    pub region: String,
    /// Its head as it last acknowledged (`None`: it holds nothing, or it has not answered yet).
    pub acked: Option<Version>,
    /// Whether it has answered since the sender started (until then its head is unknown).
    answered: bool,
    decisions: VecDeque<DecisionRecord>,
    in_flight: Option<InFlight>,
    /// Failed sends in a row.
    pub failures: u32,
    retry_at: Option<u64>,
    last_sent_ms: Option<u64>,
    /// Bumped at every failure: the shell rebuilds its stub when this moves.
    pub stub_generation: u64,
    /// Its last acknowledgement (sockets, frames), for metrics.
    pub last_ack: RelayAck,
    /// Decisions dropped because its queue was full.
    pub dropped_decisions: u64,
    /// Messages sent (heartbeats included).
    pub sent: u64,
    /// Messages sent that carried deltas, a snapshot or decisions.
    pub data_sent: u64,
    /// Frames the relay reported writing to its sockets, summed over its acknowledgements.
    pub frames: u64,
    /// Acknowledged messages.
    pub acknowledged: u64,
    /// Failed messages.
    pub failed: u64,
}

impl Downstream {
    fn new(region: &str) -> Downstream {
        Downstream {
            region: region.into(),
            acked: None,
            answered: false,
            decisions: VecDeque::new(),
            in_flight: None,
            failures: 0,
            retry_at: None,
            last_sent_ms: None,
            stub_generation: 0,
            last_ack: RelayAck::default(),
            dropped_decisions: 0,
            sent: 0,
            data_sent: 0,
            frames: 0,
            acknowledged: 0,
            failed: 0,
        }
    }

    /// Versions it is behind `head` (0 when level or unknown).
    pub fn lag(&self, head: Option<Version>) -> u64 {
        match (self.acked, head) {
            (Some(a), Some(h)) if a.epoch == h.epoch => h.seq.saturating_sub(a.seq),
            (Some(_), Some(h)) => h.seq,
            _ => 0,
        }
    }

    /// Decisions waiting for it.
    pub fn queued_decisions(&self) -> usize {
        self.decisions.len()
    }
}

/// The sender's side of the fan-out.
#[derive(Debug, Clone, PartialEq)]
pub struct Fanout {
    config: FanoutConfig,
    downstream: BTreeMap<RelayName, Downstream>,
    ring: VecDeque<DeltaRecord>,
    head: Option<Version>,
    checkpoint: Option<SnapshotRecord>,
    last_checkpoint_seq: u64,
}

/// A snapshot to start a relay again from, with the deltas after it (a hub's is at its head, with
/// none; an upstream relay's is its own snapshot and ring).
pub type Base = (SnapshotRecord, Vec<DeltaRecord>);

impl Fanout {
    /// Empty, with the sender's current head.
    pub fn new(config: FanoutConfig, head: Option<Version>) -> Fanout {
        Fanout {
            config,
            downstream: BTreeMap::new(),
            ring: VecDeque::new(),
            head,
            checkpoint: None,
            last_checkpoint_seq: head.map_or(0, |h| h.seq),
        }
    }

    /// The sender's head.
    pub fn head(&self) -> Option<Version> {
        self.head
    }

    /// The relays below.
    pub fn downstream(&self) -> impl Iterator<Item = (&RelayName, &Downstream)> {
        self.downstream.iter()
    }

    /// One relay below.
    pub fn get(&self, name: &RelayName) -> Option<&Downstream> {
        self.downstream.get(name)
    }

    /// Adds a relay (no-op when known); returns whether it is new.
    pub fn register(&mut self, name: RelayName, region: &str) -> bool {
        if self.downstream.contains_key(&name) {
            return false;
        }
        self.downstream.insert(name, Downstream::new(region));
        true
    }

    /// A relay that just synchronised from the sender's snapshot at `head`.
    pub fn synced(&mut self, name: &RelayName, head: Option<Version>) {
        if let Some(d) = self.downstream.get_mut(name) {
            d.acked = head;
            d.answered = true;
        }
    }

    /// Whether a checkpoint is due at `seq` (the sender then calls [`Fanout::publish_checkpoint`]).
    pub fn checkpoint_due(&self, seq: u64) -> bool {
        seq >= self
            .last_checkpoint_seq
            .saturating_add(self.config.checkpoint_every)
    }

    /// A fresh snapshot at the head, to ride along with the next messages.
    pub fn publish_checkpoint(&mut self, s: SnapshotRecord) {
        self.last_checkpoint_seq = s.version.seq;
        self.checkpoint = Some(s);
    }

    /// A new delta at the head.
    pub fn publish(&mut self, d: DeltaRecord) {
        let follows = self.ring.back().is_none_or(|b| {
            b.version.epoch == d.version.epoch && d.version.seq == b.version.seq + 1
        });
        if !follows {
            self.ring.clear();
        }
        self.head = Some(d.version);
        self.ring.push_back(d);
        while self.ring.len() > self.config.outbox {
            self.ring.pop_front();
        }
    }

    /// Sets the head without deltas (after a restart, or a resync from upstream): relays behind it
    /// get a snapshot.
    pub fn reset(&mut self, head: Option<Version>) {
        if self.head != head {
            self.ring.clear();
            self.head = head;
        }
    }

    /// Forgets what every relay acknowledged (they are asked again with a heartbeat).
    pub fn forget_heads(&mut self) {
        for d in self.downstream.values_mut() {
            d.answered = false;
        }
    }

    /// Queues a decision for the relay its bet came through (or for its region's upstream relay,
    /// which passes it on), or for every relay when it has no target.
    pub fn route(&mut self, rec: DecisionRecord) {
        let max = self.config.max_decisions;
        let push = |d: &mut Downstream, rec: DecisionRecord| {
            if d.decisions.len() >= max {
                d.decisions.pop_front();
                d.dropped_decisions += 1;
            }
            d.decisions.push_back(rec);
        };
        match &rec.target {
            Some(target) => {
                let via = if self.downstream.contains_key(target) {
                    Some(target.clone())
                } else {
                    let up = target.regional();
                    self.downstream.contains_key(&up).then_some(up)
                };
                if let Some(d) = via.and_then(|v| self.downstream.get_mut(&v)) {
                    push(d, rec);
                }
            }
            None => {
                for d in self.downstream.values_mut() {
                    push(d, rec.clone());
                }
            }
        }
    }

    /// The deltas after `v`, if the outbox still reaches back to it.
    fn deltas_after(&self, v: Version) -> Option<Vec<DeltaRecord>> {
        let front = self.ring.front()?;
        if front.version.epoch != v.epoch || front.version.seq > v.seq.saturating_add(1) {
            return None;
        }
        Some(
            self.ring
                .iter()
                .filter(|d| d.version.seq > v.seq)
                .cloned()
                .collect(),
        )
    }

    /// The messages to send now: at most one per relay, none to a relay with one in flight or
    /// waiting out a back-off. `heartbeats` says whether relays with nothing owed get one.
    pub fn due(
        &mut self,
        now_ms: u64,
        heartbeats: bool,
        base: &mut dyn FnMut() -> Option<Base>,
    ) -> Vec<(RelayName, RelayUpdate)> {
        let mut out = Vec::new();
        let names: Vec<RelayName> = self.downstream.keys().cloned().collect();
        for name in names {
            // A send the shell never reported (its task died) counts as failed after two timeouts.
            let stale = self.downstream[&name]
                .in_flight
                .is_some_and(|f| now_ms.saturating_sub(f.sent_ms) > 2 * self.config.timeout_ms);
            if stale {
                self.failed(&name, now_ms);
            }
            let d = &self.downstream[&name];
            if d.in_flight.is_some() || d.retry_at.is_some_and(|t| now_ms < t) {
                continue;
            }
            // Until a relay has answered, its head is unknown: a heartbeat asks first.
            let behind = d.answered && self.head.is_some() && d.acked != self.head;
            let quiet = d
                .last_sent_ms
                .is_none_or(|t| now_ms.saturating_sub(t) >= self.config.heartbeat_ms);
            let probe = !d.answered && self.head.is_some();
            if !behind && d.decisions.is_empty() && !(probe || heartbeats && quiet) {
                continue;
            }
            let mut update = RelayUpdate {
                to: Some(name.clone()),
                head: self.head,
                sent_ms: now_ms,
                ..Default::default()
            };
            if behind {
                match d.acked.and_then(|acked| self.deltas_after(acked)) {
                    Some(deltas) => update.deltas = deltas,
                    // Holding nothing, or further behind than the outbox reaches.
                    None => {
                        if let Some((snapshot, deltas)) = base() {
                            update.base = Some(snapshot);
                            update.deltas = deltas;
                        }
                    }
                }
            }
            if let (Some(cp), Some(last)) = (&self.checkpoint, update.deltas.last())
                && cp.version == last.version
            {
                update.checkpoint = Some(cp.clone());
            }
            let n = d.decisions.len().min(self.config.decisions_per_message);
            update.decisions = d.decisions.iter().take(n).cloned().collect();
            let d = self.downstream.get_mut(&name).expect("listed above");
            d.in_flight = Some(InFlight {
                sent_ms: now_ms,
                decisions: n,
            });
            d.last_sent_ms = Some(now_ms);
            d.sent += 1;
            d.data_sent += u64::from(!update.is_heartbeat());
            out.push((name, update));
        }
        out
    }

    /// A relay acknowledged its message.
    pub fn acknowledged(&mut self, name: &RelayName, ack: RelayAck) {
        let Some(d) = self.downstream.get_mut(name) else {
            return;
        };
        if let Some(f) = d.in_flight.take() {
            for _ in 0..f.decisions {
                d.decisions.pop_front();
            }
        }
        d.acked = ack.head;
        d.answered = true;
        d.failures = 0;
        d.retry_at = None;
        d.last_ack = ack;
        d.frames += ack.frames_sent;
        d.acknowledged += 1;
    }

    /// A relay's message failed (exception, bad status or timeout): keep what it carried, back
    /// off, and have the shell build a new stub.
    pub fn failed(&mut self, name: &RelayName, now_ms: u64) {
        let Some(d) = self.downstream.get_mut(name) else {
            return;
        };
        d.in_flight = None;
        d.failures = d.failures.saturating_add(1);
        d.failed += 1;
        d.stub_generation += 1;
        // 100 ms, 200 ms, 400 ms, 800 ms, then every second: one call a second does not hammer a
        // relay that is down, and one that comes back is caught up within a second.
        let backoff = 100u64 << d.failures.min(5).saturating_sub(1);
        d.retry_at = Some(now_ms.saturating_add(backoff.min(MAX_BACKOFF_MS)));
    }

    /// When something is next due without new input: a retry, a heartbeat, a stale send.
    pub fn next_wakeup(&self, heartbeats: bool) -> Option<u64> {
        let mut t: Option<u64> = None;
        let mut at = |v: u64| t = Some(t.map_or(v, |c: u64| c.min(v)));
        for d in self.downstream.values() {
            if let Some(f) = d.in_flight {
                at(f.sent_ms.saturating_add(2 * self.config.timeout_ms + 1));
                continue;
            }
            if let Some(r) = d.retry_at {
                at(r);
            } else if heartbeats && let Some(s) = d.last_sent_ms {
                at(s.saturating_add(self.config.heartbeat_ms));
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(seq: u64) -> Version {
        Version { epoch: 1, seq }
    }
    fn delta(seq: u64) -> DeltaRecord {
        DeltaRecord {
            version: v(seq),
            bin: vec![seq as u8],
            json: seq.to_string(),
        }
    }
    fn snap(seq: u64) -> SnapshotRecord {
        SnapshotRecord {
            version: v(seq),
            bin: vec![],
            json: String::new(),
        }
    }
    fn relay(n: u32) -> RelayName {
        RelayName::leaf("m1", "weur", n)
    }
    fn ack(seq: u64) -> RelayAck {
        RelayAck {
            head: Some(v(seq)),
            ..Default::default()
        }
    }
    fn decision(target: Option<RelayName>, user: &str) -> DecisionRecord {
        DecisionRecord {
            target,
            user_id: user.into(),
            bin: vec![],
            json: String::new(),
        }
    }
    fn seqs(u: &RelayUpdate) -> Vec<u64> {
        u.deltas.iter().map(|d| d.version.seq).collect()
    }
    fn no_base() -> Option<Base> {
        None
    }

    /// A fan-out with two relays that both hold version 0.
    fn two_relays() -> Fanout {
        let mut f = Fanout::new(FanoutConfig::default(), Some(v(0)));
        for n in 0..2 {
            f.register(relay(n), "weur");
            f.synced(&relay(n), Some(v(0)));
        }
        f
    }

    #[test]
    fn each_relay_gets_what_it_has_not_acknowledged_one_message_at_a_time() {
        let mut f = two_relays();
        f.publish(delta(1));
        let sends = f.due(0, false, &mut no_base);
        assert_eq!(sends.len(), 2);
        assert!(sends.iter().all(|(_, u)| seqs(u) == vec![1]));
        // In flight: nothing more until answered, even as deltas arrive.
        f.publish(delta(2));
        assert!(f.due(1, false, &mut no_base).is_empty());
        f.acknowledged(&relay(0), ack(1));
        let sends = f.due(2, false, &mut no_base);
        assert_eq!(sends.len(), 1);
        assert_eq!((sends[0].0.clone(), seqs(&sends[0].1)), (relay(0), vec![2]));
    }

    #[test]
    fn a_failed_relay_is_retried_with_everything_it_missed_and_never_holds_the_others() {
        let mut f = two_relays();
        f.publish(delta(1));
        f.route(decision(Some(relay(1)), "alice"));
        f.due(0, false, &mut no_base);
        f.acknowledged(&relay(0), ack(1));
        f.failed(&relay(1), 10);
        assert_eq!(f.get(&relay(1)).unwrap().stub_generation, 1);
        // Relay 0 moves on while relay 1 backs off.
        f.publish(delta(2));
        let sends = f.due(20, false, &mut no_base);
        assert_eq!(sends.len(), 1);
        assert_eq!(sends[0].0, relay(0));
        f.acknowledged(&relay(0), ack(2));
        // After the back-off relay 1 gets both deltas and its decision again.
        let wake = f.next_wakeup(false).unwrap();
        assert_eq!(wake, 110);
        let sends = f.due(wake, false, &mut no_base);
        assert_eq!(sends.len(), 1);
        assert_eq!(sends[0].0, relay(1));
        assert_eq!(seqs(&sends[0].1), vec![1, 2]);
        assert_eq!(sends[0].1.decisions.len(), 1);
        f.acknowledged(&relay(1), ack(2));
        assert_eq!(f.get(&relay(1)).unwrap().queued_decisions(), 0);
        assert!(f.due(wake + 1, false, &mut no_base).is_empty());
    }

    #[test]
    fn a_relay_down_for_long_is_tried_every_second() {
        let mut f = two_relays();
        let mut waits = Vec::new();
        let mut now = 0;
        for _ in 0..8 {
            f.publish(delta(waits.len() as u64 + 1));
            f.failed(&relay(1), now);
            let wake = f.get(&relay(1)).unwrap().retry_at.unwrap();
            waits.push(wake - now);
            now = wake;
        }
        assert_eq!(waits, [100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
    }

    #[test]
    fn a_relay_past_the_outbox_gets_a_snapshot_and_a_relay_behind_says_so() {
        let config = FanoutConfig {
            outbox: 3,
            ..FanoutConfig::default()
        };
        let mut f = Fanout::new(config, Some(v(0)));
        f.register(relay(0), "weur");
        f.synced(&relay(0), Some(v(0)));
        for s in 1..=5 {
            f.publish(delta(s));
        }
        let mut base = || Some((snap(5), vec![]));
        let sends = f.due(0, false, &mut base);
        assert_eq!(sends[0].1.base.as_ref().unwrap().version, v(5));
        assert!(sends[0].1.deltas.is_empty());
        // The relay answers that it holds only version 4 (it lost one): it gets 5.
        f.acknowledged(&relay(0), ack(4));
        let sends = f.due(1, false, &mut base);
        assert_eq!(seqs(&sends[0].1), vec![5]);
    }

    #[test]
    fn a_relay_that_answers_it_holds_nothing_gets_a_snapshot() {
        let mut f = Fanout::new(FanoutConfig::default(), Some(v(3)));
        f.register(relay(0), "weur");
        assert!(f.due(0, false, &mut no_base)[0].1.is_heartbeat());
        f.acknowledged(&relay(0), RelayAck::default());
        let mut base = || Some((snap(3), vec![]));
        let sends = f.due(1, false, &mut base);
        assert_eq!(sends[0].1.base.as_ref().unwrap().version, v(3));
        assert_eq!(sends[0].1.to, Some(relay(0)));
    }

    #[test]
    fn an_unknown_relay_is_asked_with_a_heartbeat_and_quiet_relays_get_heartbeats() {
        let mut f = Fanout::new(FanoutConfig::default(), Some(v(7)));
        f.register(relay(0), "weur");
        let sends = f.due(0, false, &mut no_base);
        assert_eq!(sends.len(), 1);
        assert!(sends[0].1.is_heartbeat());
        assert_eq!(sends[0].1.head, Some(v(7)));
        f.acknowledged(&relay(0), ack(7));
        assert!(f.due(1, true, &mut no_base).is_empty());
        assert_eq!(f.next_wakeup(true), Some(5_000));
        let sends = f.due(5_000, true, &mut no_base);
        assert!(sends[0].1.is_heartbeat());
    }

    #[test]
    fn decisions_go_to_their_relay_or_its_upstream_and_untargeted_to_all() {
        let mut f = Fanout::new(FanoutConfig::default(), None);
        let up = relay(0).regional();
        f.register(up.clone(), "weur");
        f.register(RelayName::leaf("m1", "apac", 0), "apac");
        f.route(decision(Some(relay(3)), "a"));
        assert_eq!(f.get(&up).unwrap().queued_decisions(), 1);
        assert_eq!(
            f.get(&RelayName::leaf("m1", "apac", 0))
                .unwrap()
                .queued_decisions(),
            0
        );
        f.route(decision(None, "b"));
        assert!(f.downstream().all(|(_, d)| d.queued_decisions() >= 1));
        // A target nobody leads to is dropped (the bettor reads it with GET /v1/bets/{id}).
        f.route(decision(Some(RelayName::leaf("m1", "oc", 0)), "c"));
        assert_eq!(f.get(&up).unwrap().queued_decisions(), 2);
    }

    #[test]
    fn a_send_never_reported_counts_as_failed() {
        let mut f = two_relays();
        f.publish(delta(1));
        f.due(0, false, &mut no_base);
        f.acknowledged(&relay(0), ack(1));
        // Relay 1's send never answers: after two timeouts it is failed and retried.
        let timeout = FanoutConfig::default().timeout_ms;
        assert!(f.due(timeout, false, &mut no_base).is_empty());
        assert!(f.due(2 * timeout + 1, false, &mut no_base).is_empty());
        assert_eq!(f.get(&relay(1)).unwrap().failures, 1);
        let sends = f.due(2 * timeout + 200, false, &mut no_base);
        assert_eq!(sends[0].0, relay(1));
    }
}
