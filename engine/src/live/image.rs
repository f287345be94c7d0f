//! The streamed model: what a snapshot carries and deltas change.
//!
//! Prices are not streamed. A [`MatchImage`] holds the match state, the model parameters, the trading
//! terms, suspensions and manual adjustments; [`MatchImage::prices`] derives every offered price at
//! any instant from it. The edge and every client run the same function on the same image, so a
//! client quotes exactly what the edge will honour.
//!
//! The edge changes its image only through [`DeltaOp`]s, the same ops a client applies, so applying
//! deltas `n → m` to snapshot `n` gives snapshot `m` byte for byte by construction.

use serde::{Deserialize, Serialize};

use super::sport::{Sport, SportState};
use super::tennis::TennisImage;
#[cfg(feature = "tennis")]
use super::tennis::{SetScore, TennisPhase};
use crate::football::{
    FootballParams, MatchState, Period, PricingError, Score, price_into, price_market,
};
use crate::market::{Market, MarketBook, MarketKey, SelectionKey, Team};
use crate::odds::MarginMethod;
use crate::pricing::{offer, offer_market};
#[cfg(feature = "tennis")]
use crate::tennis::{Player, TennisParams};

/// Position in an event's history: `seq` counts deltas; `epoch` changes when history restarts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Version {
    /// History generation; a new epoch means deltas of the old one no longer apply.
    pub epoch: u32,
    /// Delta count within the epoch.
    pub seq: u64,
}

impl core::fmt::Display for Version {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}:{}", self.epoch, self.seq)
    }
}

impl core::str::FromStr for Version {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let (e, q) = s.split_once(':').ok_or(())?;
        Ok(Version {
            epoch: e.parse().map_err(|_| ())?,
            seq: q.parse().map_err(|_| ())?,
        })
    }
}

/// Why markets are suspended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionReason {
    /// A goal (confirmed or not).
    Goal,
    /// A penalty was awarded.
    Penalty,
    /// A red card.
    RedCard,
    /// A VAR check is under way, or a goal was cancelled.
    Var,
    /// Dangerous attack: an optional bet stop.
    Danger,
    /// The two feed sources disagree.
    SourceDiscrepancy,
    /// No message from any source within the stale bound.
    FeedStale,
    /// A period just ended.
    PeriodEnd,
    /// A trader suspended it.
    Manual,
    /// Tennis: a player challenges a line call (the point may change).
    Challenge,
    /// Tennis: a medical time-out.
    MedicalTimeout,
    /// Tennis: one source reports a retirement, not yet confirmed.
    Retirement,
}

impl SuspensionReason {
    /// Every reason.
    pub const ALL: [SuspensionReason; 12] = [
        SuspensionReason::Goal,
        SuspensionReason::Penalty,
        SuspensionReason::RedCard,
        SuspensionReason::Var,
        SuspensionReason::Danger,
        SuspensionReason::SourceDiscrepancy,
        SuspensionReason::FeedStale,
        SuspensionReason::PeriodEnd,
        SuspensionReason::Manual,
        SuspensionReason::Challenge,
        SuspensionReason::MedicalTimeout,
        SuspensionReason::Retirement,
    ];
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            SuspensionReason::Goal => "goal",
            SuspensionReason::Penalty => "penalty",
            SuspensionReason::RedCard => "red_card",
            SuspensionReason::Var => "var",
            SuspensionReason::Danger => "danger",
            SuspensionReason::SourceDiscrepancy => "source_discrepancy",
            SuspensionReason::FeedStale => "feed_stale",
            SuspensionReason::PeriodEnd => "period_end",
            SuspensionReason::Manual => "manual",
            SuspensionReason::Challenge => "challenge",
            SuspensionReason::MedicalTimeout => "medical_timeout",
            SuspensionReason::Retirement => "retirement",
        }
    }
}

/// One active suspension.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Suspension {
    /// Why.
    pub reason: SuspensionReason,
    /// The team concerned (goal, penalty, red card; tennis: `home` for player A), for display.
    pub team: Option<Team>,
    /// When it started (edge wall clock, ms).
    pub since_ms: u64,
    /// When it lifts by itself (cool-off); `None` while it waits for an event.
    pub until_ms: Option<u64>,
}

/// State of one market.
///
/// Wire form is a string: `open`, `suspended:goal`, `closed`, `settled`, `void`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarketStatus {
    /// Taking bets.
    Open,
    /// Not taking bets for now.
    Suspended {
        /// Why.
        reason: SuspensionReason,
    },
    /// No more bets; not yet settled.
    Closed,
    /// Result known, bets settled.
    Settled,
    /// Cancelled: stakes returned.
    Void,
}

impl core::fmt::Display for MarketStatus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MarketStatus::Open => f.write_str("open"),
            MarketStatus::Suspended { reason } => write!(f, "suspended:{}", reason.as_str()),
            MarketStatus::Closed => f.write_str("closed"),
            MarketStatus::Settled => f.write_str("settled"),
            MarketStatus::Void => f.write_str("void"),
        }
    }
}

impl core::str::FromStr for MarketStatus {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "open" => MarketStatus::Open,
            "closed" => MarketStatus::Closed,
            "settled" => MarketStatus::Settled,
            "void" => MarketStatus::Void,
            _ => {
                let reason = s
                    .strip_prefix("suspended:")
                    .ok_or("unknown market status")?;
                let reason = SuspensionReason::ALL
                    .into_iter()
                    .find(|r| r.as_str() == reason)
                    .ok_or("unknown suspension reason")?;
                MarketStatus::Suspended { reason }
            }
        })
    }
}

crate::market::string_serde!(MarketStatus);

/// The match clock as an anchor: `clock_ms` at wall time `at_ms`, running or stopped, at `rate`
/// ms of match clock a wall ms (1 for a match in real time; a replay at 30× runs at 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockAnchor {
    /// Match clock at the anchor.
    pub clock_ms: u64,
    /// Wall time of the anchor (ms since the Unix epoch).
    pub at_ms: u64,
    /// Whether the clock runs on from the anchor.
    pub running: bool,
    /// Match-clock ms per wall ms while running (JSON without it: 1).
    #[serde(default = "real_time")]
    pub rate: u32,
}

fn real_time() -> u32 {
    1
}

impl Default for ClockAnchor {
    fn default() -> Self {
        ClockAnchor {
            clock_ms: 0,
            at_ms: 0,
            running: false,
            rate: 1,
        }
    }
}

impl ClockAnchor {
    /// Match clock at wall time `now_ms` (never before the anchor).
    pub fn clock_at(&self, now_ms: u64) -> u64 {
        if self.running {
            self.clock_ms.saturating_add(
                now_ms
                    .saturating_sub(self.at_ms)
                    .saturating_mul(u64::from(self.rate)),
            )
        } else {
            self.clock_ms
        }
    }
}

/// Who plays, and when.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fixture {
    /// Home team name.
    pub home: String,
    /// Away team name.
    pub away: String,
    /// Scheduled kick-off (ms since the Unix epoch).
    pub kickoff_ms: u64,
}

/// A goal that stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalRecord {
    /// Scorer's team.
    pub team: Team,
    /// Match clock of the goal.
    pub clock_ms: u64,
}

/// The operator's terms: margin, stakes, delay. Streamed so clients check bets exactly as the edge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TradingTerms {
    /// Target overround per market.
    pub margin: f64,
    /// How the margin is spread over selections.
    pub margin_method: MarginMethod,
    /// Smallest stake, minor units.
    pub min_stake: u64,
    /// Largest stake, minor units.
    pub max_stake: u64,
    /// Largest net payout the book takes on one selection, minor units.
    pub max_selection_liability: u64,
    /// Largest net payout the book takes on one market, minor units.
    pub max_market_liability: u64,
    /// In-play bet delay, ms.
    pub bet_delay_ms: u64,
}

impl Default for TradingTerms {
    fn default() -> Self {
        TradingTerms {
            margin: 0.05,
            margin_method: MarginMethod::Multiplicative,
            min_stake: 10,
            max_stake: 1_000_000,
            max_selection_liability: 100_000_000,
            max_market_liability: 250_000_000,
            bet_delay_ms: 5_000,
        }
    }
}

/// A trader's manual nudge: offered odds of one selection multiplied by `factor` before rounding.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// Market.
    pub market: MarketKey,
    /// Selection.
    pub selection: SelectionKey,
    /// Multiplier on the offered odds, in (0, 2].
    pub factor: f64,
}

/// Everything prices and statuses are derived from.
///
/// The fields every sport has are here; the score, its history and the model are in [`SportImage`].
/// Its wire forms are written in `sport` (football's exactly as they always were).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchImage {
    /// The match's id.
    pub event_id: String,
    /// Teams (tennis: `home` is player A, the first named; `away` is B) and the start time.
    pub fixture: Fixture,
    /// The sport's part: its model, score and what has happened.
    pub sport: SportImage,
    /// The running match clock (tennis: time since the first point).
    pub clock: ClockAnchor,
    /// Active suspensions; markets are open only when there are none.
    pub suspensions: Vec<Suspension>,
    /// Per-market manual statuses.
    pub overrides: Vec<(MarketKey, MarketStatus)>,
    /// Operator's terms.
    pub trading: TradingTerms,
    /// Manual price adjustments.
    pub adjustments: Vec<Adjustment>,
    /// The match was abandoned (football: everything is void; tennis: what was not yet decided is).
    pub abandoned: bool,
}

/// What an image holds for its sport.
#[derive(Debug, Clone, PartialEq)]
pub enum SportImage {
    /// Football.
    Football(FootballImage),
    /// Tennis (a build without the engine's `tennis` feature has no tennis images: it refuses a
    /// tennis opening and a tennis snapshot, and carries none of tennis's pricing or encoding).
    #[cfg(feature = "tennis")]
    Tennis(TennisImage),
}

/// Football's part of an image.
#[derive(Debug, Clone, PartialEq)]
pub struct FootballImage {
    /// Model parameters.
    pub params: FootballParams,
    /// Score, period, red cards, stoppage (its `clock_ms` is the anchor's).
    pub state: MatchState,
    /// Goals that stand, in order.
    pub goals: Vec<GoalRecord>,
    /// Half-time score, once known.
    pub half_time: Option<Score>,
}

/// One change to an image. Each replaces one field, so deltas are tiny and order-safe.
///
/// Variants are only ever appended (the binary form stores the variant's position); an op for
/// another sport's field leaves an image unchanged. Tennis's ops are last, so a build without
/// tennis (the engine's `tennis` feature) reads football's deltas the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeltaOp {
    /// Football: new score / period / cards / stoppage.
    State(MatchState),
    /// Clock re-anchored.
    Clock(ClockAnchor),
    /// New suspension list.
    Suspensions(Vec<Suspension>),
    /// New per-market overrides.
    Overrides(Vec<(MarketKey, MarketStatus)>),
    /// Football: new goal list.
    Goals(Vec<GoalRecord>),
    /// Football: half-time score.
    HalfTime(Option<Score>),
    /// Football: new model parameters.
    Params(FootballParams),
    /// New fixture details.
    Fixture(Fixture),
    /// New trading terms.
    Trading(TradingTerms),
    /// New adjustments.
    Adjustments(Vec<Adjustment>),
    /// Abandoned.
    Abandoned(bool),
    /// Tennis: points of the game in play (tiebreak points in a tiebreak).
    #[cfg(feature = "tennis")]
    Points([u8; 2]),
    /// Tennis: games of the set in play.
    #[cfg(feature = "tennis")]
    Games([u8; 2]),
    /// Tennis: who serves the next point.
    #[cfg(feature = "tennis")]
    Server(Player),
    /// Tennis: the completed sets.
    #[cfg(feature = "tennis")]
    Sets(Vec<SetScore>),
    /// Tennis: not started, in play, won, or ended by a retirement.
    #[cfg(feature = "tennis")]
    Phase(TennisPhase),
    /// Tennis: new model parameters.
    #[cfg(feature = "tennis")]
    TennisParams(TennisParams),
    /// Tennis: the next point went to this player, scored by the format's rules (points, and when
    /// it ends them the game, the set and the server). An ordinary point's whole delta is this op,
    /// two bytes, instead of the fields it changes.
    #[cfg(feature = "tennis")]
    Point(Player),
}

impl MatchImage {
    /// Applies one op.
    pub fn apply(&mut self, op: &DeltaOp) {
        match op {
            DeltaOp::Clock(c) => self.clock = *c,
            DeltaOp::Suspensions(v) => self.suspensions.clone_from(v),
            DeltaOp::Overrides(v) => self.overrides.clone_from(v),
            DeltaOp::Fixture(f) => self.fixture.clone_from(f),
            DeltaOp::Trading(t) => self.trading = *t,
            DeltaOp::Adjustments(v) => self.adjustments.clone_from(v),
            DeltaOp::Abandoned(b) => self.abandoned = *b,
            op => match &mut self.sport {
                SportImage::Football(f) => f.apply(op),
                #[cfg(feature = "tennis")]
                SportImage::Tennis(t) => t.apply(op),
            },
        }
    }

    /// The sport.
    pub fn sport(&self) -> Sport {
        match self.sport {
            SportImage::Football(_) => Sport::Football,
            #[cfg(feature = "tennis")]
            SportImage::Tennis(_) => Sport::Tennis,
        }
    }

    /// Football's part, for a football match.
    pub fn football(&self) -> Option<&FootballImage> {
        match &self.sport {
            SportImage::Football(f) => Some(f),
            #[cfg(feature = "tennis")]
            SportImage::Tennis(_) => None,
        }
    }

    /// Tennis's part, for a tennis match.
    pub fn tennis(&self) -> Option<&TennisImage> {
        match &self.sport {
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) => Some(t),
            SportImage::Football(_) => None,
        }
    }

    /// The match has ended with a result: football's full time, a tennis match won or retired
    /// (`false` while it plays, and after an abandonment unless it had ended before).
    pub fn is_finished(&self) -> bool {
        match &self.sport {
            SportImage::Football(f) => f.state.period == Period::FullTime,
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) => t.phase.is_over(),
        }
    }

    /// Nothing more happens: the match is finished or abandoned.
    pub fn is_over(&self) -> bool {
        self.abandoned || self.is_finished()
    }

    /// The state prices are computed from at wall time `now_ms` (football's with the clock run on).
    pub fn state_at(&self, now_ms: u64) -> SportState {
        match &self.sport {
            SportImage::Football(f) => SportState::Football(f.state_at(&self.clock, now_ms)),
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) => SportState::Tennis(t.state()),
        }
    }

    /// Status of one market right now.
    pub fn market_status(&self, key: MarketKey) -> MarketStatus {
        if self.abandoned {
            return MarketStatus::Void;
        }
        match &self.sport {
            SportImage::Football(f) => {
                let period = f.state.period;
                if period == Period::FullTime {
                    return MarketStatus::Settled;
                }
                if key.is_first_half() && matches!(period, Period::HalfTime | Period::SecondHalf) {
                    return MarketStatus::Settled;
                }
            }
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) => {
                if t.phase.is_over() {
                    return MarketStatus::Settled;
                }
            }
        }
        if let Some((_, s)) = self.overrides.iter().find(|(k, _)| *k == key) {
            return *s;
        }
        match self.suspensions.first() {
            Some(s) => MarketStatus::Suspended { reason: s.reason },
            None => MarketStatus::Open,
        }
    }

    /// Fair and offered prices of every market at wall time `now_ms`.
    pub fn prices(&self, now_ms: u64) -> Result<MarketBook, PricingError> {
        // Room for the ~80 markets of a full book up front.
        let mut book = MarketBook {
            markets: Vec::with_capacity(80),
        };
        self.prices_into(now_ms, &mut book)?;
        Ok(book)
    }

    /// [`MatchImage::prices`] into an existing book, reusing its vectors.
    pub fn prices_into(&self, now_ms: u64, book: &mut MarketBook) -> Result<(), PricingError> {
        match &self.sport {
            SportImage::Football(f) => {
                price_into(&f.params, &f.state_at(&self.clock, now_ms), book)?
            }
            // Nothing is priced once a tennis match is over (its state no longer has a next point).
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) if t.phase.is_over() => book.markets.clear(),
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) => crate::tennis::price_into(&t.params, &t.state(), book)?,
        }
        // The margin was validated when the terms were set; an invalid one leaves fair prices only.
        let _ = offer(book, self.trading.margin, self.trading.margin_method);
        for market in &mut book.markets {
            self.adjust(market);
        }
        Ok(())
    }

    /// One market at wall time `now_ms`, bit for bit as [`MatchImage::prices`] has it; `None` when
    /// the book has no such market now.
    pub fn price_market(
        &self,
        now_ms: u64,
        key: MarketKey,
    ) -> Result<Option<Market>, PricingError> {
        let market = match &self.sport {
            SportImage::Football(f) => {
                price_market(&f.params, &f.state_at(&self.clock, now_ms), key)?
            }
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) if t.phase.is_over() => None,
            #[cfg(feature = "tennis")]
            SportImage::Tennis(t) => crate::tennis::price_market(&t.params, &t.state(), key)?,
        };
        let Some(mut market) = market else {
            return Ok(None);
        };
        let t = &self.trading;
        if t.margin.is_finite() && (0.0..1.0).contains(&t.margin) {
            offer_market(&mut market, t.margin, t.margin_method);
        }
        self.adjust(&mut market);
        Ok(Some(market))
    }

    /// A trader's manual nudges on one market's offered odds.
    fn adjust(&self, market: &mut Market) {
        for a in self.adjustments.iter().filter(|a| a.market == market.key) {
            if let Some(sel) = market.selections.iter_mut().find(|s| s.key == a.selection) {
                sel.odds = sel
                    .odds
                    .and_then(|o| crate::odds::ladder::round_down(o * a.factor).ok());
            }
        }
    }
}

impl FootballImage {
    fn apply(&mut self, op: &DeltaOp) {
        match op {
            DeltaOp::State(s) => self.state = *s,
            DeltaOp::Goals(v) => self.goals.clone_from(v),
            DeltaOp::HalfTime(s) => self.half_time = *s,
            DeltaOp::Params(p) => self.params = *p,
            _ => {}
        }
    }

    /// The match state at wall time `now_ms`, with the clock run on from `clock`.
    pub fn state_at(&self, clock: &ClockAnchor, now_ms: u64) -> MatchState {
        let mut s = self.state;
        s.clock_ms = clock.clock_at(now_ms);
        // The clock cannot run a half past the point where pricing would call the state invalid.
        s.clock_ms = s.clock_ms.min(150 * 60_000);
        s
    }
}

/// The binary form of snapshots and deltas, numbered. A host that stores them (a relay's snapshot
/// and ring) keeps the number beside them and drops what another format wrote: 1 was deltas with
/// their whole version and wall time; 2 is deltas relative to the version they follow, and
/// snapshots with their version's time; 3 adds the clock's rate to its anchor.
pub const STREAM_FORMAT: u32 = 3;

/// The full image at a version.
///
/// `at_ms` is last in the binary form, so the bytes of a snapshot written before it was kept end
/// early and are refused as malformed rather than read askew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Version of the image.
    pub version: Version,
    /// The image.
    pub image: MatchImage,
    /// Wall time the version was made (ms): its delta's `at_ms`, or the opening's at seq 0. The
    /// next delta's binary form carries its own time as an offset from this one.
    pub at_ms: u64,
}

/// Where a stream stands: a version and the wall time it was made (ms). A delta's binary form is
/// read against the stamp of the version it follows ([`Delta::decode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Stamp {
    /// The version.
    pub version: Version,
    /// Wall time it was made (ms).
    pub at_ms: u64,
}

/// The change from `version.seq − 1` (made at `prev_at_ms`) to `version` (made at `at_ms`).
///
/// # Binary form
/// A delta is only ever applied to the image it follows, so its binary form leaves out what that
/// image already says ([`RelativeDelta`]): the `seq` (postcard varint), the wall time as the
/// offset `at_ms − prev_at_ms` (postcard zigzag varint, wrapping, so any two times round-trip),
/// then each op's postcard form, to the end of the bytes. The seq is whole, so a delta read
/// against any other version of its epoch than the one it follows is refused (`out_of_order`)
/// rather than given a wrong time. The epoch is not in the bytes: a stream changes epoch only
/// through a snapshot, and what carries deltas between snapshots carries whole versions beside
/// them (the relays' records, the socket's heartbeats), so a host notices a new epoch there.
/// The serde form (JSON) is the whole value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// Version after applying.
    pub version: Version,
    /// Wall time of the version it follows (ms): the previous delta's `at_ms`, or the snapshot's.
    pub prev_at_ms: u64,
    /// Wall time it was made (ms).
    pub at_ms: u64,
    /// The changes, in order.
    pub ops: Vec<DeltaOp>,
}

/// A delta as its binary form carries it, before it is read against the version it follows:
/// [`RelativeDelta::resolve`] gives the [`Delta`]. What a socket frame holds
/// ([`Frame::Delta`](super::Frame::Delta)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelativeDelta {
    /// The seq of the version it makes (its epoch is the image's).
    pub seq: u64,
    /// Its wall time minus that of the version it follows (ms).
    pub offset_ms: i64,
    /// The changes, in order.
    pub ops: Vec<DeltaOp>,
}

/// Why bytes could not be decoded or a delta not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// Not a valid encoding.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A snapshot of a sport this build does not run (tennis without the engine's `tennis`
    /// feature: the npm package's football-only `live` entry).
    #[error("this build does not run {}", .0.as_str())]
    UnsupportedSport(Sport),
    /// The delta does not follow the snapshot's version.
    #[error("delta {got} does not follow version {have}")]
    OutOfOrder {
        /// Version held.
        have: Version,
        /// Version of the delta.
        got: Version,
    },
}

impl StreamError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            StreamError::Malformed(_) => "malformed",
            StreamError::OutOfOrder { .. } => "out_of_order",
            StreamError::UnsupportedSport(_) => "unsupported_sport",
        }
    }
}

impl Snapshot {
    /// Compact binary form (postcard).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }
    /// Decodes the binary form.
    pub fn from_bytes(bytes: &[u8]) -> Result<Snapshot, StreamError> {
        Snapshot::check_sport(bytes)?;
        postcard::from_bytes(bytes).map_err(|_| StreamError::Malformed("snapshot"))
    }

    /// Refuses a snapshot (binary form) of a sport this build does not run, before decoding it.
    pub fn check_sport(bytes: &[u8]) -> Result<(), StreamError> {
        match super::sport::sport_of_snapshot(bytes) {
            Some(sport) if !super::sport::runs(sport) => Err(StreamError::UnsupportedSport(sport)),
            _ => Ok(()),
        }
    }

    /// Its version and the time it was made: what the next delta is read against.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            version: self.version,
            at_ms: self.at_ms,
        }
    }

    /// Applies the next delta.
    pub fn apply(&mut self, delta: &Delta) -> Result<(), StreamError> {
        if delta.version.epoch != self.version.epoch
            || self.version.seq.checked_add(1) != Some(delta.version.seq)
            || delta.prev_at_ms != self.at_ms
        {
            return Err(StreamError::OutOfOrder {
                have: self.version,
                got: delta.version,
            });
        }
        for op in &delta.ops {
            self.image.apply(op);
        }
        self.version = delta.version;
        self.at_ms = delta.at_ms;
        Ok(())
    }

    /// Applies the next delta in binary form; returns it as read.
    pub fn apply_bytes(&mut self, bytes: &[u8]) -> Result<Delta, StreamError> {
        let delta = Delta::decode(bytes, self.stamp())?;
        self.apply(&delta)?;
        Ok(delta)
    }
}

impl Delta {
    /// Compact binary form (see [`Delta`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        encode_delta(
            self.version.seq,
            self.at_ms.wrapping_sub(self.prev_at_ms) as i64,
            &self.ops,
        )
    }

    /// Reads the binary form against the stamp of the version it follows: `malformed` for bytes
    /// that are not a delta, `out_of_order` for a delta that does not follow `after`.
    pub fn decode(bytes: &[u8], after: Stamp) -> Result<Delta, StreamError> {
        RelativeDelta::from_bytes(bytes)?.resolve(after)
    }

    /// The binary form's content, not yet read against the version it follows.
    pub fn relative(&self) -> RelativeDelta {
        RelativeDelta {
            seq: self.version.seq,
            offset_ms: self.at_ms.wrapping_sub(self.prev_at_ms) as i64,
            ops: self.ops.clone(),
        }
    }

    /// Its version and the time it was made: what the next delta is read against.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            version: self.version,
            at_ms: self.at_ms,
        }
    }
}

impl RelativeDelta {
    /// Compact binary form (see [`Delta`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        encode_delta(self.seq, self.offset_ms, &self.ops)
    }

    /// Decodes the binary form.
    pub fn from_bytes(bytes: &[u8]) -> Result<RelativeDelta, StreamError> {
        let bad = |_| StreamError::Malformed("delta");
        let (seq, rest) = postcard::take_from_bytes::<u64>(bytes).map_err(bad)?;
        let (offset_ms, mut rest) = postcard::take_from_bytes::<i64>(rest).map_err(bad)?;
        let mut ops = Vec::new();
        // Every op takes at least one byte, so this ends.
        while !rest.is_empty() {
            let (op, after) = postcard::take_from_bytes::<DeltaOp>(rest).map_err(bad)?;
            ops.push(op);
            rest = after;
        }
        Ok(RelativeDelta {
            seq,
            offset_ms,
            ops,
        })
    }

    /// The version and wall time it makes when it follows `after`; `out_of_order` when its seq is
    /// not the next one.
    pub fn stamp(&self, after: Stamp) -> Result<Stamp, StreamError> {
        let version = Version {
            epoch: after.version.epoch,
            seq: self.seq,
        };
        if after.version.seq.checked_add(1) != Some(self.seq) {
            return Err(StreamError::OutOfOrder {
                have: after.version,
                got: version,
            });
        }
        Ok(Stamp {
            version,
            at_ms: after.at_ms.wrapping_add(self.offset_ms as u64),
        })
    }

    /// The delta it is when it follows `after`; `out_of_order` when its seq is not the next one.
    pub fn resolve(self, after: Stamp) -> Result<Delta, StreamError> {
        let made = self.stamp(after)?;
        Ok(Delta {
            version: made.version,
            prev_at_ms: after.at_ms,
            at_ms: made.at_ms,
            ops: self.ops,
        })
    }
}

/// The binary form of a delta: seq, offset, then the ops bare.
fn encode_delta(seq: u64, offset_ms: i64, ops: &[DeltaOp]) -> Vec<u8> {
    postcard::to_allocvec(&(seq, offset_ms, Bare(ops))).unwrap_or_default()
}

/// Ops one after another without a count (postcard writes a tuple's elements bare): a delta's ops
/// run to the end of its bytes.
struct Bare<'a>(&'a [DeltaOp]);

impl Serialize for Bare<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut t = s.serialize_tuple(self.0.len())?;
        for op in self.0 {
            t.serialize_element(op)?;
        }
        t.end()
    }
}
