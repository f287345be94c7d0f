//! A relay's memory of the stream: the latest snapshot it holds and a ring of recent deltas.
//!
//! Invariants:
//! - deltas in the ring are contiguous (`seq` steps by one) and all of one epoch;
//! - the ring reaches back to the snapshot (`front.seq <= snapshot.seq + 1`) or the relay asks the hub
//!   for a fresh snapshot before serving a join;
//! - the head version is the last delta's, or the snapshot's when the ring holds nothing newer.
//!
//! - a snapshot is only ever replaced by a newer one: two resyncs that cross never leave the older.
//!
//! Pure logic: the Durable Object in `region_relay.rs` persists what this decides.

use std::collections::VecDeque;

use inplay_engine::live::Version;
use inplay_protocol::relay::{DeltaRecord, RelayUpdate, SnapshotRecord};

/// Snapshot + ring.
#[derive(Debug, Clone, Default)]
pub struct RelayLog {
    snapshot: Option<SnapshotRecord>,
    ring: VecDeque<DeltaRecord>,
    cap: usize,
}

/// What an update did.
#[derive(Debug, Clone, PartialEq)]
pub enum Accepted {
    /// These deltas are new, in order; forward them. `snapshot_changed` says the stored snapshot moved.
    Applied {
        /// New deltas.
        fresh: Vec<DeltaRecord>,
        /// Whether the snapshot was replaced (persist it).
        snapshot_changed: bool,
        /// The update's base snapshot was installed: the relay's sockets start again from it.
        rebased: bool,
        /// Its deltas stopped following the head: the sender resends from the head the relay
        /// acknowledges.
        gap: bool,
    },
    /// No snapshot yet: hold the update until the subscription answers.
    NoSnapshot,
}

/// How to bring a joining socket up to date.
#[derive(Debug, Clone, PartialEq)]
pub enum Join<'a> {
    /// The client is on this stream: only the deltas after its version.
    Resume(Vec<&'a DeltaRecord>),
    /// A snapshot, then the deltas after it.
    Fresh(&'a SnapshotRecord, Vec<&'a DeltaRecord>),
    /// The snapshot is older than the ring reaches: fetch a fresh one first.
    StaleSnapshot,
    /// Nothing to serve yet.
    NoSnapshot,
}

impl RelayLog {
    /// Empty, keeping at most `cap` deltas.
    pub fn new(cap: usize) -> Self {
        RelayLog {
            snapshot: None,
            ring: VecDeque::new(),
            cap: cap.max(1),
        }
    }

    /// Rebuild from storage (snapshot and ring rows in seq order).
    pub fn restore(cap: usize, snapshot: Option<SnapshotRecord>, ring: Vec<DeltaRecord>) -> Self {
        let mut log = RelayLog::new(cap);
        for d in ring {
            let contiguous = log.ring.back().is_none_or(|b| {
                b.version.epoch == d.version.epoch && d.version.seq == b.version.seq + 1
            });
            if !contiguous {
                log.ring.clear();
            }
            log.ring.push_back(d);
        }
        // A ring that ends before the snapshot, or in another epoch, cannot serve anyone.
        if let (Some(s), Some(b)) = (&snapshot, log.ring.back())
            && (b.version.epoch != s.version.epoch || b.version.seq < s.version.seq)
        {
            log.ring.clear();
        }
        log.snapshot = snapshot;
        log.trim();
        log
    }

    /// The snapshot held.
    pub fn snapshot(&self) -> Option<&SnapshotRecord> {
        self.snapshot.as_ref()
    }

    /// Deltas held, oldest first.
    pub fn ring(&self) -> impl Iterator<Item = &DeltaRecord> {
        self.ring.iter()
    }

    /// The newest version held.
    pub fn head(&self) -> Option<Version> {
        let snap = self.snapshot.as_ref()?.version;
        Some(match self.ring.back() {
            Some(d) if d.version > snap => d.version,
            _ => snap,
        })
    }

    fn follows(&self, v: Version) -> bool {
        match self.head() {
            Some(h) => v.epoch == h.epoch && v.seq == h.seq + 1,
            None => false,
        }
    }

    fn trim(&mut self) {
        while self.ring.len() > self.cap {
            self.ring.pop_front();
        }
    }

    /// Install a snapshot from upstream (subscription or resync), if it is newer than what the
    /// relay holds (versions order by epoch, then seq; a new epoch is a later life of the match);
    /// returns whether it was. The ring is kept when it ends exactly at the snapshot, so resumes
    /// keep working across a resync that found nothing missing.
    pub fn install(&mut self, snapshot: SnapshotRecord) -> bool {
        if self.head().is_some_and(|h| snapshot.version < h) {
            return false;
        }
        if self
            .ring
            .back()
            .is_some_and(|d| d.version != snapshot.version)
        {
            self.ring.clear();
        }
        self.snapshot = Some(snapshot);
        true
    }

    /// Take an update from upstream.
    pub fn accept(&mut self, update: &RelayUpdate) -> Accepted {
        let mut rebased = false;
        if let Some(base) = &update.base {
            rebased = self.head().is_none_or(|h| base.version > h) && self.install(base.clone());
        }
        let Some(_) = self.snapshot else {
            return Accepted::NoSnapshot;
        };
        let mut fresh = Vec::new();
        let mut gap = false;
        for d in &update.deltas {
            let head = self.head().unwrap_or(d.version);
            if d.version.epoch == head.epoch && d.version.seq <= head.seq {
                continue; // already have it
            }
            if !self.follows(d.version) {
                gap = true;
                break;
            }
            self.ring.push_back(d.clone());
            fresh.push(d.clone());
        }
        self.trim();
        let mut snapshot_changed = false;
        if let Some(cp) = &update.checkpoint
            && Some(cp.version) == self.head()
        {
            self.snapshot = Some(cp.clone());
            snapshot_changed = true;
        }
        Accepted::Applied {
            fresh,
            snapshot_changed: snapshot_changed || rebased,
            rebased,
            gap,
        }
    }

    /// How to serve a client that last saw `since` (if it says).
    pub fn join(&self, since: Option<Version>) -> Join<'_> {
        let (Some(snapshot), Some(head)) = (self.snapshot.as_ref(), self.head()) else {
            return Join::NoSnapshot;
        };
        let after = |v: Version| {
            self.ring
                .iter()
                .filter(move |d| d.version.seq > v.seq)
                .collect::<Vec<_>>()
        };
        let reaches = |v: Version| {
            v.seq >= head.seq
                || self
                    .ring
                    .front()
                    .is_some_and(|f| f.version.seq <= v.seq + 1)
        };
        if let Some(since) = since
            && since.epoch == head.epoch
            && since.seq <= head.seq
            && reaches(since)
        {
            return Join::Resume(after(since));
        }
        if !reaches(snapshot.version) {
            return Join::StaleSnapshot;
        }
        Join::Fresh(snapshot, after(snapshot.version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(seq: u64) -> Version {
        Version { epoch: 1, seq }
    }
    fn snap(seq: u64) -> SnapshotRecord {
        SnapshotRecord {
            version: v(seq),
            bin: vec![seq as u8],
            json: format!("{seq}"),
        }
    }
    fn delta(seq: u64) -> DeltaRecord {
        DeltaRecord {
            version: v(seq),
            bin: vec![seq as u8],
            json: format!("{seq}"),
        }
    }
    fn update(seqs: std::ops::RangeInclusive<u64>) -> RelayUpdate {
        RelayUpdate {
            deltas: seqs.map(delta).collect(),
            ..Default::default()
        }
    }
    fn seqs(ds: &[&DeltaRecord]) -> Vec<u64> {
        ds.iter().map(|d| d.version.seq).collect()
    }

    #[test]
    fn applies_in_order_skips_duplicates_and_flags_gaps() {
        let mut log = RelayLog::new(8);
        assert_eq!(log.accept(&update(1..=1)), Accepted::NoSnapshot);
        log.install(snap(0));
        assert!(
            matches!(log.accept(&update(1..=2)), Accepted::Applied { ref fresh, .. } if fresh.len() == 2)
        );
        assert!(
            matches!(log.accept(&update(2..=3)), Accepted::Applied { ref fresh, .. } if fresh.len() == 1)
        );
        assert_eq!(log.head(), Some(v(3)));
        assert!(matches!(
            log.accept(&update(5..=5)),
            Accepted::Applied { gap: true, ref fresh, .. } if fresh.is_empty()
        ));
        assert_eq!(log.head(), Some(v(3)));
        // What follows is kept up to the gap.
        let mut u = update(4..=4);
        u.deltas.push(delta(6));
        assert!(matches!(
            log.accept(&u),
            Accepted::Applied { gap: true, ref fresh, .. } if fresh.len() == 1
        ));
        assert_eq!(log.head(), Some(v(4)));
    }

    #[test]
    fn a_base_snapshot_restarts_a_relay_behind_and_an_older_one_never_replaces_a_newer() {
        let mut log = RelayLog::new(8);
        log.install(snap(0));
        log.accept(&update(1..=2));
        let mut u = update(11..=12);
        u.base = Some(snap(10));
        assert!(matches!(
            log.accept(&u),
            Accepted::Applied { rebased: true, gap: false, ref fresh, .. } if fresh.len() == 2
        ));
        assert_eq!(log.head(), Some(v(12)));
        // A resync that answers late with an older snapshot changes nothing.
        assert!(!log.install(snap(9)));
        assert_eq!(log.head(), Some(v(12)));
        let mut late = update(3..=3);
        late.base = Some(snap(2));
        assert!(matches!(
            log.accept(&late),
            Accepted::Applied { rebased: false, ref fresh, .. } if fresh.is_empty()
        ));
        assert_eq!(log.head(), Some(v(12)));
        // A later life of the match (a new epoch) does replace it.
        assert!(log.install(SnapshotRecord {
            version: Version { epoch: 2, seq: 0 },
            bin: vec![],
            json: String::new(),
        }));
    }

    #[test]
    fn resume_gets_exactly_the_missed_deltas() {
        let mut log = RelayLog::new(8);
        log.install(snap(0));
        log.accept(&update(1..=5));
        match log.join(Some(v(2))) {
            Join::Resume(ds) => assert_eq!(seqs(&ds), vec![3, 4, 5]),
            other => panic!("{other:?}"),
        }
        assert_eq!(log.join(Some(v(5))), Join::Resume(vec![]));
        // Future version, other epoch: fresh snapshot.
        assert!(matches!(log.join(Some(v(9))), Join::Fresh(..)));
        assert!(matches!(
            log.join(Some(Version { epoch: 2, seq: 1 })),
            Join::Fresh(..)
        ));
        match log.join(None) {
            Join::Fresh(s, ds) => {
                assert_eq!(s.version, v(0));
                assert_eq!(seqs(&ds), vec![1, 2, 3, 4, 5]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ring_overflow_falls_back_to_snapshot_then_needs_a_fresh_one() {
        let mut log = RelayLog::new(4);
        log.install(snap(0));
        log.accept(&update(1..=6)); // ring holds 3..=6
        assert!(matches!(log.join(Some(v(1))), Join::StaleSnapshot));
        assert!(matches!(log.join(Some(v(2))), Join::Resume(ref ds) if ds.len() == 4));
        assert_eq!(log.join(None), Join::StaleSnapshot);
        log.install(snap(6));
        assert!(
            matches!(log.join(None), Join::Fresh(s, ref ds) if s.version == v(6) && ds.is_empty())
        );
        // The ring survived the install: an old client still resumes.
        assert!(matches!(log.join(Some(v(4))), Join::Resume(ref ds) if seqs(ds) == vec![5, 6]));
    }

    #[test]
    fn checkpoints_replace_the_snapshot_at_the_head() {
        let mut log = RelayLog::new(8);
        log.install(snap(0));
        let mut u = update(1..=2);
        u.checkpoint = Some(snap(2));
        assert!(matches!(
            log.accept(&u),
            Accepted::Applied {
                snapshot_changed: true,
                ..
            }
        ));
        assert_eq!(log.snapshot().unwrap().version, v(2));
        let restored = RelayLog::restore(8, log.snapshot().cloned(), log.ring().cloned().collect());
        assert_eq!(restored.head(), Some(v(2)));
        assert!(matches!(restored.join(Some(v(1))), Join::Resume(ref ds) if seqs(ds) == vec![2]));
    }
}
