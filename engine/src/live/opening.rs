//! How an event is opened: its first log entry, and the timing rules it lives by.

use serde::{Deserialize, Serialize};

use super::image::{Fixture, TradingTerms};
use super::sport::SportParams;

/// Timing rules of the live state. All in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiveConfig {
    /// Markets reopen this long after the event that suspended them is settled.
    pub cool_off_ms: u64,
    /// How long a goal or a settlement fact (half-time, full time, abandonment) from one source
    /// waits for the other before it is judged.
    pub confirm_window_ms: u64,
    /// No message from any source for this long suspends everything (`feed_stale`); a source
    /// silent this long no longer counts as a witness for confirmations.
    pub stale_after_ms: u64,
    /// Largest accepted gap between a message's `ts` and the edge's clock.
    pub max_ts_drift_ms: u64,
    /// Largest accepted gap between a message's match clock and the running clock.
    pub max_clock_drift_ms: u64,
    /// How far a source's match clock may step back (clock jitter) before it is refused.
    pub clock_tolerance_ms: u64,
    /// Match-clock ms per wall ms (1..=1,000): 1 for a match in real time; an accelerated replay
    /// sets its speed so that the streamed clock runs as the feed's does.
    pub clock_rate: u32,
    /// A clock sync within this much of the running clock (and not starting or stopping it) leaves
    /// the anchor as it is: an update to every client only when the clock has really drifted.
    /// 0: every sync re-anchors (as every event did before this rule).
    pub clock_resync_ms: u64,
    /// How long an out-of-order message waits for the missing ones.
    pub gap_timeout_ms: u64,
    /// How long a danger bet stop lasts.
    pub danger_ms: u64,
    /// Two sources' reports of the same thing are recognised within this much match clock.
    pub dedupe_window_ms: u64,
    /// Most out-of-order messages held per source.
    pub reorder_capacity: usize,
    /// Least stoppage time before one source's full time is believed: a full time reported before
    /// 90:00 plus this is refused unless both sources report it.
    pub min_stoppage_ms: u64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl LiveConfig {
    /// The clock rules every event ran by before they could be set: real time, every sync
    /// re-anchoring. An opening logged before then decodes with them.
    pub const EARLIER_CLOCK: LiveConfig = LiveConfig {
        clock_rate: 1,
        clock_resync_ms: 0,
        ..Self::DEFAULT
    };

    const DEFAULT: LiveConfig = LiveConfig {
        cool_off_ms: 5_000,
        confirm_window_ms: 3_000,
        stale_after_ms: 10_000,
        max_ts_drift_ms: 60_000,
        max_clock_drift_ms: 180_000,
        clock_tolerance_ms: 3_000,
        clock_rate: 1,
        clock_resync_ms: 1_000,
        gap_timeout_ms: 2_000,
        danger_ms: 4_000,
        dedupe_window_ms: 60_000,
        reorder_capacity: 64,
        min_stoppage_ms: 60_000,
    };

    /// The clock's rate and resync bound.
    pub fn clock_rules(&self) -> (u32, u64) {
        (self.clock_rate, self.clock_resync_ms)
    }
}

/// Everything needed to open an event: the first entry of its log.
///
/// JSON: `{"event_id","fixture","params",…}` opens football (`params` are `FootballParams`);
/// `{"event_id","sport":"tennis","fixture","params",…}` opens tennis (`params` are
/// `TennisParams`; `fixture.home` is player A). `trading`, `config` and `epoch` may be left out.
/// The encodings are in `sport` (football's exactly as they always were).
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    /// Match id.
    pub event_id: String,
    /// Teams (tennis: `home` is player A) and start time.
    pub fixture: Fixture,
    /// Pre-match model, which says the sport.
    pub params: SportParams,
    /// Operator's terms.
    pub trading: TradingTerms,
    /// Timing rules.
    pub config: LiveConfig,
    /// History generation.
    pub epoch: u32,
}
