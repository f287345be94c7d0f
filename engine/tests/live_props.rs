//! Property tests of the live event state, football and tennis.
//!
//! - Any sequence of inputs (to a football or a tennis match) (feed messages of every kind with duplicated, skipped and reordered
//!   seqs, drifting timestamps and clocks; bets with absurd stakes and prices; ticks; manual
//!   suspensions; invalid trading terms) is handled without a panic, moves the version by exactly
//!   one per delta, and keeps a client mirror fed through the wire format byte-identical.
//! - Deltas `n → m` applied to snapshot `n` give snapshot `m`, byte for byte.
//! - Plausible matches (football and tennis) keep every market's probabilities summing to 1 at
//!   many instants; a tennis match played point by point settles every bet it took.
//! - Replaying the audit log reproduces the final snapshot and hash.
//! - The decoders survive arbitrary bytes.
//!
//! Case counts are kept moderate so `cargo test` stays fast; raise them with `PROPTEST_CASES`.

use inplay_engine::football::{FootballParams, HALF_MS, Period, Score};
use inplay_engine::live::*;
use inplay_engine::market::{Line, MarketBook, MarketKey, SelectionKey, Team};
use inplay_engine::odds::{MarginMethod, ladder};
use inplay_engine::tennis::{AfterPoint, FinalSet, Player, TennisParams, TennisState};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::Index;

const T0: u64 = 1_764_240_000_000;
const SEC: u64 = 1_000;
const MIN: u64 = 60_000;
/// The lowest price there is (1.01).
const LOWEST_PRICE: Price = match Price::from_hundredths(101) {
    Some(p) => p,
    None => panic!("1.01 is a price"),
};

// ---------------------------------------------------------------------------------------------
// The driver: one event, its client mirror, its log and every version in wire form.
// ---------------------------------------------------------------------------------------------

struct Run {
    ev: LiveEvent,
    now: u64,
    /// Last seq sent per source.
    seq: [u64; 2],
    mirror: LiveView,
    log: Vec<AuditEntry>,
    /// Snapshot bytes, indexed by version seq.
    snapshots: Vec<Vec<u8>>,
    /// `deltas[k]` takes version `k` to `k + 1`.
    deltas: Vec<Vec<u8>>,
    /// Tennis: the number of the last point rallied (both sources report the next one).
    rallied: u32,
}

impl Run {
    fn open(opening: Opening, now: u64) -> Option<Run> {
        let (ev, entry) = LiveEvent::new(opening, now).ok()?;
        assert_eq!(ev.version().seq, 0);
        let snapshot = ev.snapshot().to_bytes();
        let mirror = LiveView::from_bytes(&snapshot).expect("snapshot decodes");
        Some(Run {
            ev,
            now,
            seq: [0, 0],
            mirror,
            log: vec![entry],
            snapshots: vec![snapshot],
            deltas: Vec::new(),
            rallied: 0,
        })
    }

    /// Applies one input at `self.now` and checks the stream and log invariants.
    fn apply(&mut self, input: Input) -> Output {
        let before = self.ev.version();
        let head = self.ev.audit_head();
        let out = self.ev.apply(input, self.now);
        let after = self.ev.version();
        match &out.delta {
            Some(d) => {
                assert_eq!(after.epoch, before.epoch, "epoch changed");
                assert_eq!(after.seq, before.seq + 1, "one delta, one version");
                assert_eq!(d.version, after);
                assert!(!d.ops.is_empty(), "empty delta");
                let bytes = d.to_bytes();
                // Read against the version the mirror holds, the bytes give back exactly the
                // delta the edge made: its version, both times, its ops.
                assert_eq!(Delta::decode(&bytes, self.mirror.stamp()).as_ref(), Ok(d));
                // Through the wire format, as a browser gets it.
                assert_eq!(self.mirror.apply_delta_bytes(&bytes), Ok(after));
                self.deltas.push(bytes);
                self.snapshots.push(self.ev.snapshot().to_bytes());
            }
            None => assert_eq!(after, before, "version moved without a delta"),
        }
        let edge = self.ev.snapshot().to_bytes();
        assert_eq!(self.mirror.snapshot().to_bytes(), edge, "mirror diverged");
        assert_eq!(self.snapshots.last(), Some(&edge));
        match &out.audit {
            Some(a) => {
                assert_eq!(a.index, self.log.len() as u64);
                assert_eq!(a.prev, head, "hash chain broken");
                assert_eq!(a.hash, a.compute_hash());
                assert_eq!(a.version, after);
                assert_eq!(self.ev.audit_head(), a.hash);
                self.log.push(a.clone());
            }
            None => {
                assert!(
                    out.delta.is_none() && out.decisions.is_empty(),
                    "unlogged change"
                );
                assert_eq!(self.ev.audit_head(), head);
            }
        }
        out
    }

    fn clock(&self) -> u64 {
        self.ev.image().clock.clock_at(self.now)
    }

    fn score(&self) -> Score {
        self.ev.image().football().unwrap().state.score
    }

    /// Who serves the next point, as the engine has it (tennis).
    fn server(&self) -> Player {
        self.ev.image().tennis().map_or(Player::A, |t| t.server)
    }

    /// Sends the next message of `source` with the given match clock.
    fn feed_at(&mut self, source: Source, kind: FeedKind, clock_ms: Option<u64>) -> FeedOutcome {
        let i = source.index();
        self.seq[i] = self.seq[i].saturating_add(1);
        let ev = FeedEvent {
            event_id: "m1".into(),
            source,
            seq: self.seq[i],
            ts: self.now,
            clock_ms,
            kind,
        };
        self.apply(Input::Feed(ev))
            .feed
            .expect("feed result")
            .outcome
    }

    /// The log replays to the same snapshot and head, also after a round trip through storage.
    fn check_replay(&self) {
        let replayed = LiveEvent::replay(&self.log).expect("log replays");
        assert_eq!(replayed.audit_head(), self.ev.audit_head());
        assert_eq!(
            replayed.snapshot().to_bytes(),
            self.ev.snapshot().to_bytes()
        );
        // Replay rebuilds the whole internal state, not only the streamed image.
        assert_same_state(&replayed, &self.ev, "replay");
        let stored: Vec<AuditEntry> = self
            .log
            .iter()
            .map(|e| AuditEntry::from_bytes(&e.to_bytes()).expect("entry decodes"))
            .collect();
        let reloaded = LiveEvent::replay(&stored).expect("stored log replays");
        assert_eq!(reloaded.audit_head(), self.ev.audit_head());
        assert_eq!(
            reloaded.snapshot().to_bytes(),
            self.ev.snapshot().to_bytes()
        );
        // A checkpoint taken anywhere, stored and restored, plus the rest of the log equals the
        // full replay bit for bit.
        let n = stored.len();
        for k in [1, n / 3, n / 2, n.saturating_sub(1), n] {
            let k = k.clamp(1, n);
            let head = LiveEvent::replay(&stored[..k]).expect("prefix replays");
            let saved = Checkpoint::from_bytes(&head.checkpoint().to_bytes()).expect("decodes");
            let resumed = LiveEvent::resume(&saved, &stored[k..]).expect("tail resumes");
            assert_same_state(
                &resumed,
                &self.ev,
                &format!("checkpoint at {k} of {n} + tail"),
            );
        }
    }
}

/// Two events hold the same state bit for bit (their checkpoints); on failure, names the first
/// field that differs.
fn assert_same_state(got: &LiveEvent, want: &LiveEvent, what: &str) {
    if got.checkpoint() == want.checkpoint() {
        return;
    }
    let (a, b) = (format!("{got:#?}"), format!("{want:#?}"));
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = (0..a.len().min(b.len()))
        .find(|&i| a[i] != b[i])
        .unwrap_or(a.len().min(b.len()));
    panic!(
        "{what}: state differs at {:?}: {:?} vs {:?}",
        &a[i.saturating_sub(6)..i],
        a.get(i),
        b.get(i)
    );
}

// ---------------------------------------------------------------------------------------------
// Strategies for arbitrary inputs
// ---------------------------------------------------------------------------------------------

fn wild_f64() -> BoxedStrategy<f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(1.0),
        Just(-1.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        any::<f64>(),
    ]
    .boxed()
}

fn wild_u64() -> BoxedStrategy<u64> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(u64::MAX),
        Just(u64::MAX - 1),
        Just(u64::MAX / 2),
        any::<u64>(),
    ]
    .boxed()
}

fn team() -> BoxedStrategy<Team> {
    prop_oneof![Just(Team::Home), Just(Team::Away)].boxed()
}

fn score() -> BoxedStrategy<Score> {
    prop_oneof![
        3 => (0u8..4, 0u8..4).prop_map(|(h, a)| Score::new(h, a)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(h, a)| Score::new(h, a)),
    ]
    .boxed()
}

fn params() -> BoxedStrategy<FootballParams> {
    prop_oneof![
        4 => (0.0..5.0f64, 0.0..5.0f64, -0.1..0.1f64).prop_map(|(h, a, rho)| FootballParams {
            rho,
            ..FootballParams::new(h, a)
        }),
        1 => (wild_f64(), wild_f64(), wild_f64()).prop_map(|(h, a, rho)| FootballParams {
            rho,
            ..FootballParams::new(h, a)
        }),
    ]
    .boxed()
}

fn player() -> BoxedStrategy<Player> {
    prop_oneof![Just(Player::A), Just(Player::B)].boxed()
}

fn final_set() -> BoxedStrategy<FinalSet> {
    prop_oneof![
        Just(FinalSet::Tiebreak7),
        Just(FinalSet::Tiebreak10),
        Just(FinalSet::Advantage)
    ]
    .boxed()
}

fn tennis_params() -> BoxedStrategy<TennisParams> {
    prop_oneof![
        4 => (0.45..0.85f64, 0.45..0.85f64, prop_oneof![Just(3u8), Just(5u8)], final_set(), any::<bool>())
            .prop_map(|(a, b, best_of, final_set, no_ad)| TennisParams {
                final_set,
                no_ad,
                ..TennisParams::new(a, b, best_of)
            }),
        1 => (wild_f64(), wild_f64(), any::<u8>(), final_set(), any::<bool>())
            .prop_map(|(a, b, best_of, final_set, no_ad)| TennisParams {
                final_set,
                no_ad,
                ..TennisParams::new(a, b, best_of)
            }),
    ]
    .boxed()
}

fn tennis_kind() -> BoxedStrategy<FeedKind> {
    let number = prop_oneof![4 => 0u32..300, 1 => any::<u32>()];
    prop_oneof![
        2 => player().prop_map(|server| FeedKind::MatchStart { server }),
        12 => (number, player(), player())
            .prop_map(|(point, winner, server)| FeedKind::Point { point, winner, server }),
        2 => player().prop_map(|winner| FeedKind::GameEnd { winner }),
        1 => (player(), any::<[u8; 2]>()).prop_map(|(winner, games)| FeedKind::SetEnd { winner, games }),
        1 => player().prop_map(|winner| FeedKind::TennisMatchEnd { winner }),
        1 => player().prop_map(|player| FeedKind::Retirement { player }),
        2 => option::of(player()).prop_map(|player| FeedKind::ChallengeStart { player }),
        2 => Just(FeedKind::ChallengeEnd),
        1 => option::of(player()).prop_map(|player| FeedKind::MedicalTimeoutStart { player }),
        1 => Just(FeedKind::MedicalTimeoutEnd),
    ]
    .boxed()
}

fn period() -> BoxedStrategy<u8> {
    prop_oneof![4 => 1u8..=2, 1 => any::<u8>()].boxed()
}

fn feed_kind() -> BoxedStrategy<FeedKind> {
    prop_oneof![
        1 => ("[A-Za-z ]{0,12}", "[A-Za-z ]{0,12}", any::<u64>(), params()).prop_map(
            |(home, away, kickoff_ms, params)| FeedKind::Fixture { home, away, kickoff_ms, params }
        ),
        5 => Just(FeedKind::Kickoff),
        3 => period().prop_map(|period| FeedKind::PeriodStart { period }),
        3 => period().prop_map(|period| FeedKind::PeriodEnd { period }),
        8 => (team(), option::of(score())).prop_map(|(team, score)| FeedKind::Goal { team, score }),
        3 => team().prop_map(|team| FeedKind::GoalCancelled { team }),
        2 => team().prop_map(|team| FeedKind::PenaltyAwarded { team }),
        2 => team().prop_map(|team| FeedKind::PenaltyMissed { team }),
        3 => team().prop_map(|team| FeedKind::RedCard { team }),
        2 => Just(FeedKind::VarCheckStart),
        2 => Just(FeedKind::VarCheckEnd),
        2 => option::of(team()).prop_map(|team| FeedKind::Danger { team }),
        2 => any::<bool>().prop_map(|running| FeedKind::Clock { running }),
        8 => option::of(score()).prop_map(|score| FeedKind::Heartbeat { score }),
        1 => Just(FeedKind::MatchEnd),
        1 => Just(FeedKind::Abandoned),
        25 => tennis_kind(),
    ]
    .boxed()
}

fn line() -> BoxedStrategy<Line> {
    // Within ±50 goals every line survives its wire form (the audit log is stored as bytes).
    prop_oneof![
        3 => (-12i32..=26).prop_map(Line::from_quarters),
        1 => (-200i32..=200).prop_map(Line::from_quarters),
    ]
    .boxed()
}

fn market() -> BoxedStrategy<MarketKey> {
    prop_oneof![
        3 => Just(MarketKey::MatchResult),
        1 => Just(MarketKey::DoubleChance),
        1 => Just(MarketKey::DrawNoBet),
        2 => line().prop_map(MarketKey::Total),
        1 => line().prop_map(MarketKey::AsianHandicap),
        1 => Just(MarketKey::BothTeamsToScore),
        1 => Just(MarketKey::CorrectScore),
        1 => (team(), line()).prop_map(|(t, l)| MarketKey::TeamTotal(t, l)),
        1 => Just(MarketKey::NextGoal),
        1 => Just(MarketKey::HalfTimeResult),
        1 => line().prop_map(MarketKey::HalfTimeTotal),
        1 => Just(MarketKey::RestOfMatch),
        2 => Just(MarketKey::MatchWinner),
        1 => Just(MarketKey::SetBetting),
        2 => Just(MarketKey::SetWinner),
        1 => Just(MarketKey::NextSetWinner),
        2 => Just(MarketKey::GameWinner),
        1 => line().prop_map(MarketKey::TotalGames),
        1 => line().prop_map(MarketKey::GameHandicap),
        1 => line().prop_map(MarketKey::TotalSets),
        1 => Just(MarketKey::Tiebreak),
    ]
    .boxed()
}

fn selection() -> BoxedStrategy<SelectionKey> {
    prop_oneof![
        Just(SelectionKey::Home),
        Just(SelectionKey::Draw),
        Just(SelectionKey::Away),
        Just(SelectionKey::HomeDraw),
        Just(SelectionKey::HomeAway),
        Just(SelectionKey::DrawAway),
        Just(SelectionKey::Over),
        Just(SelectionKey::Under),
        Just(SelectionKey::Yes),
        Just(SelectionKey::No),
        Just(SelectionKey::None),
        Just(SelectionKey::Other),
        Just(SelectionKey::A),
        Just(SelectionKey::B),
        (0u8..7, 0u8..7).prop_map(|(h, a)| SelectionKey::Score(h, a)),
        (any::<u8>(), any::<u8>()).prop_map(|(h, a)| SelectionKey::Score(h, a)),
    ]
    .boxed()
}

fn policy() -> BoxedStrategy<OddsPolicy> {
    prop_oneof![
        Just(OddsPolicy::Exact),
        Just(OddsPolicy::Higher),
        Just(OddsPolicy::Any)
    ]
    .boxed()
}

fn margin_method() -> BoxedStrategy<MarginMethod> {
    proptest::sample::select(MarginMethod::ALL.to_vec()).boxed()
}

fn terms() -> BoxedStrategy<TradingTerms> {
    prop_oneof![3 => valid_terms(), 1 => wild_terms()].boxed()
}

/// Terms from (margin, method, min stake, max stake, selection and market liability, bet delay).
fn terms_of(
    (margin, margin_method, min, max, sel, mkt, delay): (
        f64,
        MarginMethod,
        u64,
        u64,
        u64,
        u64,
        u64,
    ),
) -> TradingTerms {
    TradingTerms {
        margin,
        margin_method,
        min_stake: min,
        max_stake: max,
        max_selection_liability: sel,
        max_market_liability: mkt,
        bet_delay_ms: delay,
    }
}

fn valid_terms() -> BoxedStrategy<TradingTerms> {
    (
        0.0..0.3f64,
        margin_method(),
        1u64..100,
        100u64..2_000_000,
        0u64..20_000_000,
        0u64..50_000_000,
        0u64..=10_000,
    )
        .prop_map(terms_of)
        .boxed()
}

/// Mostly invalid: NaN margins, zero or inverted stakes, delays beyond the bound.
fn wild_terms() -> BoxedStrategy<TradingTerms> {
    (
        wild_f64(),
        margin_method(),
        wild_u64(),
        wild_u64(),
        wild_u64(),
        wild_u64(),
        wild_u64(),
    )
        .prop_map(terms_of)
        .boxed()
}

fn config() -> BoxedStrategy<LiveConfig> {
    let small = || 0u64..=20_000;
    prop_oneof![
        4 => Just(LiveConfig::default()),
        1 => (
            (small(), small(), small(), small(), small()),
            (small(), small(), small(), small(), 0usize..8),
        )
            .prop_map(|(a, b)| LiveConfig {
                cool_off_ms: a.0,
                confirm_window_ms: a.1,
                stale_after_ms: a.2,
                max_ts_drift_ms: a.3,
                max_clock_drift_ms: a.4,
                clock_tolerance_ms: b.0,
                clock_rate: 1 + (a.1 % 50) as u32,
                clock_resync_ms: b.2 ^ a.3,
                gap_timeout_ms: b.1,
                danger_ms: b.2,
                dedupe_window_ms: b.3,
                reorder_capacity: b.4,
                min_stoppage_ms: a.0 ^ b.1,
            }),
        1 => (
            (wild_u64(), wild_u64(), wild_u64(), wild_u64(), wild_u64()),
            (wild_u64(), wild_u64(), wild_u64(), wild_u64(), any::<usize>()),
        )
            .prop_map(|(a, b)| LiveConfig {
                cool_off_ms: a.0,
                confirm_window_ms: a.1,
                stale_after_ms: a.2,
                max_ts_drift_ms: a.3,
                max_clock_drift_ms: a.4,
                clock_tolerance_ms: b.0,
                clock_rate: 1_000,
                clock_resync_ms: a.1 ^ b.2,
                gap_timeout_ms: b.1,
                danger_ms: b.2,
                dedupe_window_ms: b.3,
                reorder_capacity: b.4,
                min_stoppage_ms: a.0 ^ b.1,
            }),
    ]
    .boxed()
}

fn opening() -> BoxedStrategy<Opening> {
    let trading = prop_oneof![9 => valid_terms(), 1 => wild_terms()];
    let model = prop_oneof![
        3 => (0.3..3.0f64, 0.3..3.0f64).prop_map(|(h, a)| SportParams::from(FootballParams::new(h, a))),
        2 => tennis_params().prop_map(SportParams::from),
    ];
    (model, trading, config(), 0u32..3)
        .prop_map(|(params, trading, config, epoch)| Opening {
            event_id: "m1".into(),
            fixture: Fixture {
                home: "Home".into(),
                away: "Away".into(),
                kickoff_ms: T0,
            },
            params,
            trading,
            config,
            epoch,
        })
        .boxed()
}

/// Which seq a feed message carries, relative to the source's last.
#[derive(Debug, Clone)]
enum SeqMode {
    Next,
    Repeat,
    /// Skips ahead, leaving a gap.
    Ahead(u64),
    /// An old seq.
    Behind(u64),
    Raw(u64),
}

#[derive(Debug, Clone)]
enum TsMode {
    Now,
    Drift(i64),
    Raw(u64),
}

#[derive(Debug, Clone)]
enum ClockMode {
    Running,
    Offset(i64),
    Missing,
    Raw(u64),
}

#[derive(Debug, Clone)]
struct FeedSpec {
    source: Source,
    seq: SeqMode,
    ts: TsMode,
    clock: ClockMode,
    wrong_event: bool,
    kind: FeedKind,
    /// Replace the kind's score with the truthful one.
    true_score: bool,
    /// The other source then reports the same thing.
    echo: bool,
}

#[derive(Debug, Clone)]
enum PriceMode {
    Offered,
    Ticks(i32),
    /// Any price there is, in hundredths (on the ladder or not).
    Raw(u32),
}

#[derive(Debug, Clone)]
enum VersionMode {
    Current,
    Behind(u64),
    Ahead(u64),
    Raw(Version),
}

#[derive(Debug, Clone)]
struct BetSpec {
    /// Bet on the market and selection at these positions of the current book, when there is one.
    pick: Option<(Index, Index)>,
    bet_id: String,
    user_id: String,
    market: MarketKey,
    selection: SelectionKey,
    stake: u64,
    price: PriceMode,
    version: VersionMode,
    policy: OddsPolicy,
}

#[derive(Debug, Clone)]
enum Step {
    /// Time passes, then the host's alarm ticks.
    Wait(u64),
    /// The host's clock steps back.
    Rewind(u64),
    Tick,
    Feed(FeedSpec),
    Bet(BetSpec),
    Suspend(Option<MarketKey>),
    Resume(Option<MarketKey>),
    Trading(TradingTerms),
    /// An opening replayed into a running event (ignored).
    Open,
    /// Both sources report the match's next phase (kick-off, half-time, second half, full time;
    /// tennis: the next point, won by A).
    Advance,
    /// Tennis: both sources report the next point, won by this player, the backup up to this many
    /// ms later (football: time passes).
    Rally(Player, u64),
    /// A trader believes one source.
    Believe(Source),
    /// A trader abandons the match.
    Abandon,
    /// A trader sets the model (either sport's parameters, valid or not).
    Model(SportParams),
    /// A trader voids a bet.
    VoidBet(String),
    /// A trader ends the match (football) or rules out a goal.
    EndMatch,
    CancelGoal(Team),
}

fn feed_spec() -> BoxedStrategy<FeedSpec> {
    let source = prop_oneof![3 => Just(Source::Primary), 2 => Just(Source::Backup)];
    let seq = prop_oneof![
        24 => Just(SeqMode::Next),
        2 => Just(SeqMode::Repeat),
        1 => (2u64..6).prop_map(SeqMode::Ahead),
        1 => (1u64..6).prop_map(SeqMode::Behind),
        1 => wild_u64().prop_map(SeqMode::Raw),
    ];
    let ts = prop_oneof![
        16 => Just(TsMode::Now),
        2 => (-120_000i64..120_000).prop_map(TsMode::Drift),
        1 => wild_u64().prop_map(TsMode::Raw),
    ];
    let clock = prop_oneof![
        16 => Just(ClockMode::Running),
        2 => (-300_000i64..300_000).prop_map(ClockMode::Offset),
        1 => Just(ClockMode::Missing),
        1 => wild_u64().prop_map(ClockMode::Raw),
    ];
    (
        source,
        seq,
        ts,
        clock,
        proptest::bool::weighted(0.03),
        feed_kind(),
        proptest::bool::weighted(0.7),
        proptest::bool::weighted(0.4),
    )
        .prop_map(
            |(source, seq, ts, clock, wrong_event, kind, true_score, echo)| FeedSpec {
                source,
                seq,
                ts,
                clock,
                wrong_event,
                kind,
                true_score,
                echo,
            },
        )
        .boxed()
}

fn bet_spec() -> BoxedStrategy<BetSpec> {
    let bet_id = prop_oneof![
        16 => "b[0-9]{1,2}",
        1 => Just(String::new()),
        1 => "[a-z]{129,140}",
    ];
    let stake = prop_oneof![
        6 => 10u64..100_000,
        1 => Just(0u64),
        1 => 1u64..10,
        1 => 1_000_000u64..2_000_000,
        1 => wild_u64(),
    ];
    let price = prop_oneof![
        12 => Just(PriceMode::Offered),
        4 => (-5i32..=5).prop_map(PriceMode::Ticks),
        1 => prop_oneof![Just(u32::MAX), Just(101u32), 101u32..200_000].prop_map(PriceMode::Raw),
    ];
    let version = prop_oneof![
        6 => Just(VersionMode::Current),
        2 => (1u64..5).prop_map(VersionMode::Behind),
        1 => (1u64..5).prop_map(VersionMode::Ahead),
        1 => (any::<u32>(), any::<u64>())
            .prop_map(|(epoch, seq)| VersionMode::Raw(Version { epoch, seq })),
    ];
    (
        option::weighted(0.7, any::<(Index, Index)>()),
        bet_id,
        "u[0-9]",
        market(),
        selection(),
        stake,
        price,
        version,
        policy(),
    )
        .prop_map(
            |(pick, bet_id, user_id, market, selection, stake, price, version, policy)| BetSpec {
                pick,
                bet_id,
                user_id,
                market,
                selection,
                stake,
                price,
                version,
                policy,
            },
        )
        .boxed()
}

fn step() -> BoxedStrategy<Step> {
    let wait = prop_oneof![
        6 => 0u64..=3_000,
        3 => 0u64..=30_000,
        1 => 0u64..=20 * MIN,
        1 => wild_u64(),
    ];
    prop_oneof![
        6 => wait.prop_map(Step::Wait),
        1 => (0u64..=60_000).prop_map(Step::Rewind),
        1 => Just(Step::Tick),
        14 => feed_spec().prop_map(Step::Feed),
        5 => bet_spec().prop_map(Step::Bet),
        1 => option::of(market()).prop_map(Step::Suspend),
        1 => option::of(market()).prop_map(Step::Resume),
        1 => terms().prop_map(Step::Trading),
        1 => Just(Step::Open),
        2 => Just(Step::Advance),
        8 => (player(), prop_oneof![3 => Just(0u64), 2 => 0u64..=2_000, 1 => 0u64..=20_000])
            .prop_map(|(p, lag)| Step::Rally(p, lag)),
        1 => prop_oneof![Just(Source::Primary), Just(Source::Backup)].prop_map(Step::Believe),
        1 => prop_oneof![
            params().prop_map(SportParams::from),
            tennis_params().prop_map(SportParams::from),
        ]
        .prop_map(Step::Model),
        1 => "b[0-9]{1,2}".prop_map(Step::VoidBet),
        1 => prop_oneof![
            20 => Just(Step::EndMatch),
            20 => team().prop_map(Step::CancelGoal),
            1 => Just(Step::Abandon),
        ],
    ]
    .boxed()
}

impl Run {
    fn feed_input(&mut self, f: &FeedSpec) -> Input {
        let i = f.source.index();
        let seq = match f.seq {
            SeqMode::Next => {
                self.seq[i] = self.seq[i].saturating_add(1);
                self.seq[i]
            }
            SeqMode::Repeat => self.seq[i],
            SeqMode::Ahead(k) => {
                self.seq[i] = self.seq[i].saturating_add(k);
                self.seq[i]
            }
            SeqMode::Behind(k) => self.seq[i].saturating_sub(k),
            SeqMode::Raw(v) => v,
        };
        let ts = match f.ts {
            TsMode::Now => self.now,
            TsMode::Drift(d) => self.now.saturating_add_signed(d),
            TsMode::Raw(v) => v,
        };
        let clock_ms = match f.clock {
            ClockMode::Running => Some(self.clock()),
            ClockMode::Offset(d) => Some(self.clock().saturating_add_signed(d)),
            ClockMode::Missing => None,
            ClockMode::Raw(v) => Some(v),
        };
        let mut kind = f.kind.clone();
        if f.true_score {
            let mut now = self
                .ev
                .image()
                .football()
                .map_or_else(Score::default, |f| f.state.score);
            match &mut kind {
                FeedKind::Goal { team, score } => {
                    match team {
                        Team::Home => now.home = now.home.saturating_add(1),
                        Team::Away => now.away = now.away.saturating_add(1),
                    }
                    *score = Some(now);
                }
                FeedKind::Heartbeat { score } => *score = Some(now),
                FeedKind::Point { point, server, .. } => {
                    *point = self.rallied.saturating_add(1);
                    *server = self.server();
                }
                _ => {}
            }
        }
        Input::Feed(FeedEvent {
            event_id: if f.wrong_event { "m2" } else { "m1" }.into(),
            source: f.source,
            seq,
            ts,
            clock_ms,
            kind,
        })
    }

    fn bet_input(&self, b: &BetSpec) -> Input {
        let book = self.ev.prices(self.now);
        let (market, selection) = match (&book, b.pick) {
            (Some(book), Some((m, s))) if !book.markets.is_empty() => {
                let m = m.get(&book.markets);
                (m.key, s.get(&m.selections).key)
            }
            _ => (b.market, b.selection),
        };
        let offered = || {
            book.as_ref()
                .and_then(|book| book.selection(market, selection).and_then(|s| s.odds))
                .unwrap_or(2.0)
        };
        let price = match b.price {
            PriceMode::Offered => Price::from_decimal(offered()),
            PriceMode::Ticks(t) => ladder::tick_offset(offered(), t).and_then(Price::from_decimal),
            PriceMode::Raw(h) => Price::from_hundredths(h),
        }
        .unwrap_or(LOWEST_PRICE);
        let v = self.ev.version();
        let seen_version = match b.version {
            VersionMode::Current => v,
            VersionMode::Behind(k) => Version {
                seq: v.seq.saturating_sub(k),
                ..v
            },
            VersionMode::Ahead(k) => Version {
                seq: v.seq + k,
                ..v
            },
            VersionMode::Raw(r) => r,
        };
        Input::Bet(BetRequest {
            bet_id: b.bet_id.clone(),
            user_id: b.user_id.clone(),
            market,
            selection,
            stake: b.stake,
            price,
            seen_version,
            policy: b.policy,
        })
    }

    fn step(&mut self, s: &Step, opening: &Opening) {
        let input = match s {
            Step::Wait(ms) => {
                self.now = self.now.saturating_add(*ms);
                Input::Tick
            }
            Step::Rewind(ms) => {
                self.now = self.now.saturating_sub(*ms);
                Input::Tick
            }
            Step::Tick => Input::Tick,
            Step::Feed(f) => {
                let input = self.feed_input(f);
                if f.echo
                    && let Input::Feed(mut ev) = input.clone()
                {
                    self.check_step(input);
                    ev.source = ev.source.other();
                    let i = ev.source.index();
                    self.seq[i] = self.seq[i].saturating_add(1);
                    ev.seq = self.seq[i];
                    Input::Feed(ev)
                } else {
                    input
                }
            }
            Step::Bet(b) => self.bet_input(b),
            Step::Suspend(m) => Input::Suspend { market: *m },
            Step::Resume(m) => Input::Resume { market: *m },
            Step::Trading(t) => Input::Trading(*t),
            Step::Open => Input::Open(Box::new(opening.clone())),
            Step::Advance if self.ev.image().tennis().is_some() => {
                return self.rally(Player::A, 0);
            }
            Step::Rally(winner, lag) => {
                if self.ev.image().tennis().is_some() {
                    return self.rally(*winner, *lag);
                }
                self.now = self.now.saturating_add(*lag);
                Input::Tick
            }
            Step::Believe(source) => Input::ConfirmSource { source: *source },
            Step::Abandon => Input::Abandon,
            Step::Model(SportParams::Football(p)) => Input::SetParams(*p),
            Step::Model(SportParams::Tennis(p)) => Input::SetTennisParams(*p),
            Step::VoidBet(id) => Input::VoidBet { bet_id: id.clone() },
            Step::EndMatch => Input::EndMatch,
            Step::CancelGoal(team) => Input::CancelGoal { team: *team },
            Step::Advance => {
                let (kind, clock) = match self.ev.image().football().unwrap().state.period {
                    Period::PreMatch => (FeedKind::Kickoff, 0),
                    Period::FirstHalf => (FeedKind::PeriodEnd { period: 1 }, self.clock()),
                    Period::HalfTime => (FeedKind::PeriodStart { period: 2 }, HALF_MS),
                    Period::SecondHalf | Period::FullTime => (FeedKind::MatchEnd, self.clock()),
                };
                self.feed_at(Source::Primary, kind.clone(), Some(clock));
                self.feed_at(Source::Backup, kind, Some(clock));
                return;
            }
        };
        self.check_step(input);
    }

    /// Both sources report the next point of a tennis match (the primary first).
    fn rally(&mut self, winner: Player, lag: u64) {
        self.rallied = self.rallied.saturating_add(1);
        let kind = FeedKind::Point {
            point: self.rallied,
            winner,
            server: self.server(),
        };
        self.feed_at(Source::Primary, kind.clone(), None);
        self.now = self.now.saturating_add(lag);
        self.feed_at(Source::Backup, kind, None);
        let _ = self.ev.next_wakeup();
    }

    fn check_step(&mut self, input: Input) {
        let is_bet = matches!(input, Input::Bet(_));
        let is_feed = matches!(input, Input::Feed(_));
        let out = self.apply(input);
        assert_eq!(out.feed.is_some(), is_feed);
        if is_bet {
            assert!(!out.decisions.is_empty(), "a bet always gets a decision");
        }
        // What a host asks after every input, and what a trader's desk reads.
        let _ = self.ev.next_wakeup();
        self.read_desk();
    }

    /// Every desk view, which must hold whatever the state: each source's score, the book per
    /// result of the match's sport only.
    fn read_desk(&self) {
        let _ = (
            self.ev.source_health(),
            self.ev.awaiting(),
            self.ev.exposure(),
        );
        let reports = self.ev.tennis_reports();
        let sets = self.ev.set_outcomes();
        let scores = self.ev.outcomes(3);
        if self.ev.image().tennis().is_some() {
            assert_eq!(reports.len(), 2);
            assert!(scores.is_empty());
            assert!(sets.iter().all(|o| o.sets[0] != o.sets[1]));
        } else {
            assert!(reports.is_empty() && sets.is_empty());
        }
    }
}

/// Plays a random sequence; `None` when the opening itself is refused.
fn play(opening: &Opening, steps: &[Step]) -> Option<Run> {
    let mut run = Run::open(opening.clone(), T0)?;
    for s in steps {
        run.step(s, opening);
    }
    Some(run)
}

// ---------------------------------------------------------------------------------------------
// Plausible matches
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Incident {
    Goal(Team),
    RedCard(Team),
    /// A goal given, then ruled out by VAR.
    DisallowedGoal(Team),
}

#[derive(Debug, Clone)]
struct Script {
    params: FootballParams,
    /// Per half: (ms into the half, what happens), sorted, at least 40 s apart.
    halves: [Vec<(u64, Incident)>; 2],
    /// Stoppage time played at the end of each half.
    stoppage: [u64; 2],
    break_ms: u64,
}

fn incident() -> BoxedStrategy<Incident> {
    prop_oneof![
        6 => team().prop_map(Incident::Goal),
        2 => team().prop_map(Incident::RedCard),
        1 => team().prop_map(Incident::DisallowedGoal),
    ]
    .boxed()
}

fn half() -> BoxedStrategy<Vec<(u64, Incident)>> {
    // Distinct minutes (0..47 runs into stoppage), an offset within the minute of up to 20 s.
    vec((0u64..47, 0u64..20, incident()), 0..6)
        .prop_map(|mut v| {
            v.sort_by_key(|(m, _, _)| *m);
            v.dedup_by_key(|(m, _, _)| *m);
            v.into_iter()
                .map(|(m, s, i)| (m * MIN + s * SEC, i))
                .collect()
        })
        .boxed()
}

fn script() -> BoxedStrategy<Script> {
    (
        0.2..3.5f64,
        0.2..3.5f64,
        -0.08..0.08f64,
        half(),
        half(),
        (0u64..=5 * MIN, 0u64..=8 * MIN),
        13 * MIN..=17 * MIN,
    )
        .prop_map(|(h, a, rho, first, second, stoppage, break_ms)| Script {
            params: FootballParams {
                rho,
                ..FootballParams::new(h, a)
            },
            halves: [first, second],
            stoppage: [stoppage.0, stoppage.1],
            break_ms,
        })
        .boxed()
}

const EPS: f64 = 1e-9;

#[track_caller]
fn sums_to_one(what: &str, total: f64) {
    assert!((total - 1.0).abs() < EPS, "{what} sums to {total}");
}

/// Every price is sane and every line selection's outcomes sum to one.
fn assert_sane(book: &MarketBook) {
    for m in &book.markets {
        for s in &m.selections {
            assert!(
                s.fair_odds >= 1.0 - EPS && !s.fair_odds.is_nan(),
                "{} {}: fair odds {}",
                m.key,
                s.key,
                s.fair_odds
            );
            if let Some(o) = s.odds {
                assert!(
                    o.is_finite() && (1.01..=1000.0).contains(&o),
                    "{} {}: offered {o}",
                    m.key,
                    s.key
                );
                assert!(
                    o <= s.fair_odds + EPS,
                    "{} {}: offered {o} above fair {}",
                    m.key,
                    s.key,
                    s.fair_odds
                );
            }
            if let Some(p) = s.prob {
                assert!(p.is_finite() && (-EPS..=1.0 + EPS).contains(&p));
            }
            if let Some(o) = s.outcomes {
                let parts = [o.win, o.half_win, o.push, o.half_lose, o.lose];
                assert!(parts.iter().all(|p| p.is_finite() && *p >= -EPS));
                sums_to_one(&format!("{} {}", m.key, s.key), parts.iter().sum());
            }
        }
    }
}

/// Every probability is one, every line selection's outcomes sum to one, every price is sane.
fn assert_coherent(book: &MarketBook, period: Period) {
    let prob = |m: MarketKey, s: SelectionKey| {
        book.selection(m, s)
            .and_then(|x| x.prob)
            .unwrap_or_else(|| panic!("{m} {s} missing"))
    };
    assert_sane(book);
    for m in &book.markets {
        let plain: f64 = m.selections.iter().filter_map(|s| s.prob).sum();
        match m.key {
            MarketKey::MatchResult
            | MarketKey::BothTeamsToScore
            | MarketKey::CorrectScore
            | MarketKey::NextGoal
            | MarketKey::HalfTimeResult
            | MarketKey::RestOfMatch => sums_to_one(&m.key.to_string(), plain),
            MarketKey::DoubleChance => sums_to_one("double chance", plain / 2.0),
            _ => assert!(m.key.line().is_some() || m.key == MarketKey::DrawNoBet),
        }
    }
    let r = |s| prob(MarketKey::MatchResult, s);
    let dc = |s| prob(MarketKey::DoubleChance, s);
    sums_to_one(
        "1 or X, and 2",
        dc(SelectionKey::HomeDraw) + r(SelectionKey::Away),
    );
    sums_to_one(
        "1 or 2, and X",
        dc(SelectionKey::HomeAway) + r(SelectionKey::Draw),
    );
    sums_to_one(
        "X or 2, and 1",
        dc(SelectionKey::DrawAway) + r(SelectionKey::Home),
    );
    for key in [
        MarketKey::CorrectScore,
        MarketKey::NextGoal,
        MarketKey::BothTeamsToScore,
        MarketKey::Total(Line::from_quarters(10)),
        MarketKey::AsianHandicap(Line::from_quarters(-1)),
        MarketKey::RestOfMatch,
    ] {
        assert!(book.market(key).is_some(), "{key} missing");
    }
    let first_half_open = matches!(period, Period::PreMatch | Period::FirstHalf);
    assert_eq!(
        book.market(MarketKey::HalfTimeResult).is_some(),
        first_half_open
    );
}

struct Match {
    run: Run,
    /// Score the script should end on.
    goals: Score,
    red_cards: [u8; 2],
    checks: usize,
}

impl Match {
    fn both(&mut self, kind: FeedKind, clock_ms: u64) {
        let first = self
            .run
            .feed_at(Source::Primary, kind.clone(), Some(clock_ms));
        // A period end before the regulation time (plus the least stoppage, for full time) is
        // refused on one source's word and taken when the other says so too.
        let early_end = matches!(kind, FeedKind::PeriodEnd { .. } | FeedKind::MatchEnd)
            && first
                == FeedOutcome::Rejected {
                    reason: FeedRejection::InvalidTransition,
                };
        assert!(
            first == FeedOutcome::Accepted || early_end,
            "{kind:?} at {clock_ms}: {first}"
        );
        let second = self
            .run
            .feed_at(Source::Backup, kind.clone(), Some(clock_ms));
        assert!(
            matches!(second, FeedOutcome::Duplicate | FeedOutcome::Accepted),
            "backup {kind:?}: {second}"
        );
    }

    fn now_both(&mut self, kind: FeedKind) {
        let c = self.run.clock();
        self.both(kind, c);
    }

    /// Prices at this instant must be coherent, and the mirror must quote the same.
    fn check(&mut self) {
        let period = self.run.ev.image().football().unwrap().state.period;
        let book = self
            .run
            .ev
            .prices(self.run.now)
            .expect("prices in a valid match");
        assert_coherent(&book, period);
        assert_eq!(self.run.mirror.prices(self.run.now).ok(), Some(book));
        self.checks += 1;
    }

    /// Plays on to `until` with heartbeats from both sources every 5 s, checking every 3 minutes.
    fn play_to(&mut self, until: u64) {
        while self.run.now < until {
            let step = (until - self.run.now).min(5 * SEC);
            self.run.now += step;
            self.run.apply(Input::Tick);
            let score = Some(self.run.score());
            for source in [Source::Primary, Source::Backup] {
                let out = self
                    .run
                    .feed_at(source, FeedKind::Heartbeat { score }, None);
                assert_eq!(out, FeedOutcome::Accepted);
            }
            if (self.run.now - T0) % (3 * MIN) < step {
                self.check();
            }
        }
    }

    fn incident(&mut self, i: Incident) {
        match i {
            Incident::Goal(team) => {
                self.now_both(FeedKind::Goal {
                    team,
                    score: Some(after_goal(self.goals, team)),
                });
                self.goals = after_goal(self.goals, team);
            }
            Incident::RedCard(team) => {
                let cards = &mut self.red_cards[team as usize];
                if *cards >= 3 {
                    return;
                }
                *cards += 1;
                self.now_both(FeedKind::RedCard { team });
            }
            Incident::DisallowedGoal(team) => {
                let kept = self.goals;
                self.now_both(FeedKind::Goal {
                    team,
                    score: Some(after_goal(kept, team)),
                });
                self.check();
                self.play_to(self.run.now + 5 * SEC);
                self.now_both(FeedKind::VarCheckStart);
                self.play_to(self.run.now + 10 * SEC);
                self.now_both(FeedKind::GoalCancelled { team });
                assert_eq!(self.run.score(), kept, "VAR rolls the score back");
                self.now_both(FeedKind::VarCheckEnd);
            }
        }
        assert_eq!(self.run.score(), self.goals);
        assert_ne!(
            self.run.ev.market_status(MarketKey::MatchResult),
            MarketStatus::Open,
            "an incident suspends"
        );
        self.check();
    }
}

fn after_goal(s: Score, team: Team) -> Score {
    match team {
        Team::Home => Score::new(s.home + 1, s.away),
        Team::Away => Score::new(s.home, s.away + 1),
    }
}

fn play_match(script: &Script) -> Match {
    let opening = Opening {
        event_id: "m1".into(),
        fixture: Fixture {
            home: "Home".into(),
            away: "Away".into(),
            kickoff_ms: T0 + MIN,
        },
        params: script.params.into(),
        trading: TradingTerms::default(),
        config: LiveConfig::default(),
        epoch: 1,
    };
    let mut m = Match {
        run: Run::open(opening, T0).expect("valid opening"),
        goals: Score::new(0, 0),
        red_cards: [0, 0],
        checks: 0,
    };
    m.check();
    m.play_to(T0 + MIN);
    m.both(FeedKind::Kickoff, 0);
    for half in 0..2 {
        let start = m.run.now;
        for &(at, incident) in &script.halves[half] {
            m.play_to(start + at);
            m.incident(incident);
        }
        m.play_to(start + 45 * MIN + script.stoppage[half]);
        let clock = m.run.clock();
        if half == 0 {
            m.both(FeedKind::PeriodEnd { period: 1 }, clock);
            assert_eq!(
                m.run.ev.image().football().unwrap().half_time,
                Some(m.goals)
            );
            m.check();
            m.play_to(m.run.now + script.break_ms);
            // The second half kicks off at 45:00, whatever stoppage the first half had.
            m.both(FeedKind::PeriodStart { period: 2 }, HALF_MS);
            assert_eq!(m.run.clock(), HALF_MS);
        } else {
            m.both(FeedKind::MatchEnd, clock);
        }
    }
    let image = m.run.ev.image().football().unwrap();
    assert_eq!(image.state.period, Period::FullTime);
    assert_eq!(image.state.score, m.goals);
    assert_eq!(
        [image.state.red_cards.home, image.state.red_cards.away],
        m.red_cards
    );
    m
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

/// `n` cases, or `PROPTEST_CASES` when set (for long bug hunts).
fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    ProptestConfig::with_cases(n)
}

proptest! {
    #![proptest_config(cases(48))]

    /// (a) No input sequence panics; one version per delta; the mirror stays byte-identical.
    /// (d) The log replays to the same snapshot and hash.
    #[test]
    fn any_inputs_keep_stream_mirror_and_log_consistent(
        opening in opening(),
        steps in vec(step(), 0..100),
    ) {
        if let Some(run) = play(&opening, &steps) {
            run.check_replay();
        }
    }

    /// (b) Deltas n → m applied to snapshot n give snapshot m, byte for byte.
    #[test]
    fn deltas_take_any_snapshot_to_any_later_one(
        opening in opening(),
        steps in vec(step(), 1..80),
        pairs in vec((any::<Index>(), any::<Index>()), 1..12),
    ) {
        let Some(run) = play(&opening, &steps) else { return Ok(()) };
        let n_versions = run.snapshots.len();
        for (a, b) in pairs {
            let (a, b) = (a.index(n_versions), b.index(n_versions));
            let (n, m) = (a.min(b), a.max(b));
            let mut snap = Snapshot::from_bytes(&run.snapshots[n]).expect("snapshot decodes");
            for d in &run.deltas[n..m] {
                snap.apply_bytes(d).expect("in order");
            }
            prop_assert_eq!(&snap.to_bytes(), &run.snapshots[m]);
            // A delta that does not follow (one skipped, or one already applied) is refused and
            // changes nothing: read against the wrong version it never gives a time.
            for other in [m + 1, n.saturating_sub(1)] {
                if other != m && other < run.deltas.len() {
                    let refused = snap.apply_bytes(&run.deltas[other]).map_err(|e| e.code());
                    prop_assert_eq!(refused, Err("out_of_order"));
                    prop_assert_eq!(&snap.to_bytes(), &run.snapshots[m]);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(cases(12))]

    /// (c) Plausible matches keep every market coherent at many instants; (d) they replay.
    #[test]
    fn valid_matches_keep_probabilities_summing_to_one(script in script()) {
        let m = play_match(&script);
        prop_assert!(m.checks >= 30);
        m.run.check_replay();
    }
}

// ---------------------------------------------------------------------------------------------
// Plausible tennis matches
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct TennisScript {
    params: TennisParams,
    /// A uniform draw per point against the server's chance of winning it.
    draws: Vec<f64>,
    /// How long after the primary the backup reports each point (past the confirm window the
    /// markets suspend until it does).
    lags: Vec<u64>,
    /// Bets: before point `k`, on the selection at these positions of the book.
    bets: Vec<(usize, Index, Index)>,
    /// Points before which a line call is challenged.
    challenges: Vec<usize>,
}

fn tennis_script() -> BoxedStrategy<TennisScript> {
    let lag = prop_oneof![8 => 0u64..=400, 1 => 400u64..=4_000];
    (
        (
            0.5..0.8f64,
            0.5..0.8f64,
            prop_oneof![3 => Just(3u8), 1 => Just(5u8)],
            final_set(),
            proptest::bool::weighted(0.2),
        ),
        vec(0.0..1.0f64, 420),
        vec(lag, 420),
        vec((0usize..300, any::<Index>(), any::<Index>()), 0..16),
        vec(0usize..300, 0..4),
    )
        .prop_map(
            |((a, b, best_of, final_set, no_ad), draws, lags, bets, challenges)| TennisScript {
                params: TennisParams {
                    final_set,
                    no_ad,
                    ..TennisParams::new(a, b, best_of)
                },
                draws,
                lags,
                bets,
                challenges,
            },
        )
        .boxed()
}

/// Every plain market sums to one, and the match price is the set betting's A-wins.
fn assert_tennis_coherent(book: &MarketBook) {
    assert_sane(book);
    for m in &book.markets {
        let plain: f64 = m.selections.iter().filter_map(|s| s.prob).sum();
        if m.key.line().is_none() {
            sums_to_one(&m.key.to_string(), plain);
        }
    }
    let a = book
        .selection(MarketKey::MatchWinner, SelectionKey::A)
        .and_then(|s| s.prob)
        .expect("match winner");
    let a_scores: f64 = book
        .market(MarketKey::SetBetting)
        .expect("set betting")
        .selections
        .iter()
        .filter(|s| matches!(s.key, SelectionKey::Score(x, y) if x > y))
        .filter_map(|s| s.prob)
        .sum();
    assert!(
        (a - a_scores).abs() < EPS,
        "match {a} vs set betting {a_scores}"
    );
}

/// A tennis match from its script: every point reported by both sources, bets and challenges on
/// the way, coherent prices after every point; at the end (or when the draws run out and a
/// trader abandons it) every accepted bet is settled and the sets are the points' sets.
fn play_tennis(script: &TennisScript) -> Run {
    let p = script.params;
    let opening = Opening {
        event_id: "m1".into(),
        fixture: Fixture {
            home: "A".into(),
            away: "B".into(),
            kickoff_ms: T0,
        },
        params: p.into(),
        trading: TradingTerms::default(),
        config: LiveConfig::default(),
        epoch: 1,
    };
    let mut run = Run::open(opening, T0).expect("valid opening");
    let heartbeat = |run: &mut Run| {
        for source in [Source::Primary, Source::Backup] {
            run.feed_at(source, FeedKind::Heartbeat { score: None }, None);
        }
    };
    let pass = |run: &mut Run, ms: u64| {
        let end = run.now + ms;
        while run.now < end {
            run.now = (run.now + SEC).min(end);
            run.apply(Input::Tick);
            heartbeat(run);
        }
    };
    for source in [Source::Primary, Source::Backup] {
        run.feed_at(source, FeedKind::MatchStart { server: Player::A }, None);
    }
    let mut truth = TennisState::pre_match(Player::A);
    let mut sets: Vec<[u8; 2]> = Vec::new();
    let mut over = false;
    let mut accepted = Vec::new();
    // The desk's book per result after each point, and the bets open then.
    let mut desk_books: Vec<(Vec<SetsOutcome>, Vec<String>)> = Vec::new();
    for (k, (&draw, &lag)) in script.draws.iter().zip(&script.lags).enumerate() {
        for &(at, m, s) in script.bets.iter().filter(|b| b.0 == k) {
            let Some(book) = run.ev.prices(run.now) else {
                continue;
            };
            let market = m.get(&book.markets);
            let sel = s.get(&market.selections);
            let Some(price) = sel.odds.and_then(Price::from_decimal) else {
                continue;
            };
            let id = format!("b{at}-{}-{}", market.key, sel.key);
            let out = run.apply(Input::Bet(BetRequest {
                bet_id: id.clone(),
                user_id: "u".into(),
                market: market.key,
                selection: sel.key,
                stake: 500,
                price,
                seen_version: run.ev.version(),
                policy: OddsPolicy::Any,
            }));
            assert!(!out.decisions.is_empty());
            accepted.push(id);
        }
        if script.challenges.contains(&k) {
            run.feed_at(
                Source::Primary,
                FeedKind::ChallengeStart { player: None },
                None,
            );
            pass(&mut run, 2 * SEC);
            run.feed_at(Source::Backup, FeedKind::ChallengeEnd, None);
            run.feed_at(Source::Primary, FeedKind::ChallengeEnd, None);
            pass(&mut run, 6 * SEC);
        }
        let server = truth.server;
        let chance = if server == Player::A {
            p.serve_a
        } else {
            1.0 - p.serve_b
        };
        let winner = if draw < chance { Player::A } else { Player::B };
        let before = truth;
        match truth.after_point(&p, winner).expect("a valid point") {
            AfterPoint::InPlay(next) => {
                if next.sets != before.sets {
                    let mut g = before.games;
                    g[winner.index()] += 1;
                    sets.push(g);
                }
                truth = next;
            }
            AfterPoint::MatchOver { .. } => {
                let mut g = before.games;
                g[winner.index()] += 1;
                sets.push(g);
                over = true;
            }
        }
        let kind = FeedKind::Point {
            point: k as u32 + 1,
            winner,
            server,
        };
        assert_eq!(
            run.feed_at(Source::Primary, kind.clone(), None),
            FeedOutcome::Accepted
        );
        if lag > 0 {
            pass(&mut run, lag);
        }
        let second = run.feed_at(Source::Backup, kind, None);
        assert!(
            matches!(second, FeedOutcome::Accepted | FeedOutcome::Duplicate),
            "{second}"
        );
        let image = run.ev.image().tennis().expect("tennis");
        let got: Vec<[u8; 2]> = image.sets.iter().map(|s| s.games).collect();
        assert_eq!(got, sets, "sets after point {}", k + 1);
        if over {
            assert_eq!(image.phase, TennisPhase::Finished { winner });
            break;
        }
        assert_eq!(
            (image.games, image.points, image.server),
            (truth.games, truth.points, truth.server)
        );
        assert_eq!(
            run.ev.market_status(MarketKey::MatchWinner),
            MarketStatus::Open,
            "after point {}",
            k + 1
        );
        let book = run.ev.prices(run.now).expect("a match in play prices");
        assert_tennis_coherent(&book);
        assert_eq!(run.mirror.prices(run.now).ok(), Some(book));
        run.read_desk();
        let open: Vec<String> = accepted
            .iter()
            .filter(|id| {
                run.ev.settlement(id).is_none()
                    && run
                        .ev
                        .bet(id)
                        .is_some_and(|d| d.status == BetStatus::Accepted)
            })
            .cloned()
            .collect();
        desk_books.push((run.ev.set_outcomes(), open));
        pass(&mut run, 5 * SEC);
    }
    if !over {
        run.apply(Input::Abandon);
    } else {
        // The desk's book per result never promised more than the match gave: for the score it
        // ended on, every row read during the match is at most what the bets open then made.
        let image = run.ev.image().tennis().expect("tennis");
        let final_sets = image.sets_won();
        for (rows, open) in &desk_books {
            let row = rows
                .iter()
                .find(|o| o.sets == final_sets)
                .expect("the final score was possible");
            let made: i64 = open
                .iter()
                .map(|id| 500 - run.ev.settlement(id).expect("settled").payout as i64)
                .sum();
            assert!(row.net <= made, "{row:?} vs {made}");
        }
    }
    for id in &accepted {
        let d = run.ev.bet(id).expect("decided");
        match d.status {
            BetStatus::Accepted => {
                let s = run
                    .ev
                    .settlement(id)
                    .unwrap_or_else(|| panic!("{id} settled"));
                let price = d.price.expect("a price");
                assert_eq!(s.payout, s.result.payout(500, price));
            }
            BetStatus::Rejected { .. } => assert!(run.ev.settlement(id).is_none()),
            BetStatus::Pending => panic!("{id} still pending after the match"),
        }
    }
    run
}

proptest! {
    #![proptest_config(cases(12))]

    /// (c) Plausible tennis matches keep every market coherent after every point, settle every
    /// bet, and (d) replay.
    #[test]
    fn valid_tennis_matches_settle_every_bet(script in tennis_script()) {
        let run = play_tennis(&script);
        run.check_replay();
    }
}

/// Encodings of valid values, to be mutated into near-valid bytes.
fn feed_event() -> BoxedStrategy<FeedEvent> {
    (
        prop_oneof![Just(Source::Primary), Just(Source::Backup)],
        any::<u64>(),
        any::<u64>(),
        option::of(any::<u64>()),
        feed_kind(),
    )
        .prop_map(|(source, seq, ts, clock_ms, kind)| FeedEvent {
            event_id: "m1".into(),
            source,
            seq,
            ts,
            clock_ms,
            kind,
        })
        .boxed()
}

fn mutate(mut bytes: Vec<u8>, edits: &[(Index, u8)], cut: Option<Index>) -> Vec<u8> {
    if !bytes.is_empty() {
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
    }
    if let Some(c) = cut {
        bytes.truncate(c.index(bytes.len() + 1));
    }
    bytes
}

fn decode_everything(bytes: &[u8]) {
    if let Ok(ev) = FeedEvent::from_json(bytes) {
        // What decodes re-encodes to something that decodes to the same event. Floats aside:
        // serde_json without `float_roundtrip` may parse a long mantissa one ulp off.
        let again = FeedEvent::from_json(ev.to_json().as_bytes()).expect("re-encoded JSON decodes");
        assert_eq!(
            (
                &again.event_id,
                again.seq,
                again.ts,
                again.clock_ms,
                again.kind.name()
            ),
            (&ev.event_id, ev.seq, ev.ts, ev.clock_ms, ev.kind.name())
        );
    }
    if let Ok(ev) = FeedEvent::from_bytes(bytes) {
        let _ = ev.to_json();
    }
    if let Ok(s) = Snapshot::from_bytes(bytes) {
        let mut view = LiveView::new(s);
        let _ = view.prices(T0);
        let _ = view.apply_delta_bytes(bytes);
    }
    let _ = RelativeDelta::from_bytes(bytes);
    let _ = Delta::decode(bytes, Stamp::default());
    let _ = AuditEntry::from_bytes(bytes);
    let _ = serde_json::from_slice::<BetRequest>(bytes);
    let _ = serde_json::from_slice::<Input>(bytes);
}

/// A snapshot, deltas and log entries of a short match in wire form, to be damaged.
fn stream_samples() -> &'static [Vec<u8>] {
    static SAMPLES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(|| {
        let script = Script {
            params: FootballParams::new(1.4, 1.2),
            halves: [
                vec![
                    (3 * MIN, Incident::Goal(Team::Home)),
                    (9 * MIN, Incident::RedCard(Team::Away)),
                ],
                vec![(2 * MIN, Incident::DisallowedGoal(Team::Away))],
            ],
            stoppage: [MIN, 2 * MIN],
            break_ms: 15 * MIN,
        };
        let run = play_match(&script).run;
        let mut out = vec![run.ev.snapshot().to_bytes()];
        out.extend(run.snapshots.iter().step_by(97).cloned());
        out.extend(run.deltas.iter().step_by(7).cloned());
        out.extend(run.log.iter().step_by(53).map(|e| e.to_bytes()));
        let tennis = play_tennis(&TennisScript {
            params: TennisParams::new(0.64, 0.6, 3),
            draws: (0..200).map(|k| ((k * 37) % 100) as f64 / 100.0).collect(),
            lags: vec![100; 200],
            bets: Vec::new(),
            challenges: vec![10],
        });
        out.push(tennis.ev.snapshot().to_bytes());
        out.push(tennis.ev.checkpoint().state);
        out.extend(tennis.snapshots.iter().step_by(31).cloned());
        out.extend(tennis.deltas.iter().step_by(5).cloned());
        out.extend(tennis.log.iter().step_by(17).map(|e| e.to_bytes()));
        out
    })
}

proptest! {
    #![proptest_config(cases(1024))]

    /// (e) Decoders never panic on arbitrary bytes.
    #[test]
    fn decoders_survive_arbitrary_bytes(bytes in vec(any::<u8>(), 0..512)) {
        decode_everything(&bytes);
    }

    /// (e) ... nor on valid encodings with a few bytes changed or cut short.
    #[test]
    fn decoders_survive_damaged_encodings(
        ev in feed_event(),
        edits in vec((any::<Index>(), any::<u8>()), 0..4),
        cut in option::of(any::<Index>()),
    ) {
        decode_everything(&mutate(ev.to_json().into_bytes(), &edits, cut));
        decode_everything(&mutate(ev.to_bytes(), &edits, cut));
    }

    /// (e) ... including snapshots, deltas and log entries.
    #[test]
    fn stream_decoders_survive_damaged_encodings(
        which in any::<Index>(),
        edits in vec((any::<Index>(), any::<u8>()), 1..4),
        cut in option::of(any::<Index>()),
    ) {
        let samples = stream_samples();
        decode_everything(&mutate(which.get(samples).clone(), &edits, cut));
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions found by the properties above
// ---------------------------------------------------------------------------------------------

fn opening_with(config: LiveConfig) -> Opening {
    Opening {
        event_id: "m1".into(),
        fixture: Fixture::default(),
        params: FootballParams::new(1.5, 1.1).into(),
        trading: TradingTerms::default(),
        config,
        epoch: 0,
    }
}

fn message(source: Source, seq: u64, ts: u64, clock_ms: Option<u64>, kind: FeedKind) -> Input {
    Input::Feed(FeedEvent {
        event_id: "m1".into(),
        source,
        seq,
        ts,
        clock_ms,
        kind,
    })
}

/// Found by `any_inputs_…`: a feed may carry any `u64` as seq or match clock; `seq + 1` and
/// `clock + tolerance` overflowed (a panic in debug builds, a wrap in release).
#[test]
fn seqs_and_clocks_at_the_end_of_u64_are_handled() {
    let mut run = Run::open(opening_with(LiveConfig::default()), T0).unwrap();
    assert_eq!(
        run.feed_at(Source::Primary, FeedKind::Kickoff, Some(0)),
        FeedOutcome::Accepted
    );
    let far_clock = message(
        Source::Primary,
        2,
        T0,
        Some(u64::MAX),
        FeedKind::Clock { running: true },
    );
    assert_eq!(
        run.apply(far_clock).feed.unwrap().outcome,
        FeedOutcome::Rejected {
            reason: FeedRejection::ClockDrift
        }
    );
    // A source's first message may carry the last seq there is; nothing can follow it.
    let last = message(
        Source::Backup,
        u64::MAX,
        T0,
        None,
        FeedKind::Heartbeat { score: None },
    );
    assert_eq!(
        run.apply(last.clone()).feed.unwrap().outcome,
        FeedOutcome::Accepted
    );
    assert_eq!(
        run.apply(last).feed.unwrap().outcome,
        FeedOutcome::Duplicate
    );
    run.check_replay();
}

/// Found by `any_inputs_…`: timing bounds of `u64::MAX` ("never") overflowed `now + bound`.
#[test]
fn unbounded_timing_rules_do_not_overflow() {
    let never = LiveConfig {
        cool_off_ms: u64::MAX,
        confirm_window_ms: u64::MAX,
        stale_after_ms: u64::MAX,
        max_ts_drift_ms: u64::MAX,
        max_clock_drift_ms: u64::MAX,
        clock_tolerance_ms: u64::MAX,
        clock_rate: 1_000,
        clock_resync_ms: u64::MAX,
        gap_timeout_ms: u64::MAX,
        danger_ms: u64::MAX,
        dedupe_window_ms: u64::MAX,
        reorder_capacity: usize::MAX,
        min_stoppage_ms: u64::MAX,
    };
    let mut run = Run::open(opening_with(never), T0).unwrap();
    for kind in [
        FeedKind::Kickoff,
        FeedKind::Goal {
            team: Team::Home,
            score: None,
        },
        FeedKind::Danger { team: None },
        FeedKind::RedCard { team: Team::Away },
        FeedKind::VarCheckStart,
        FeedKind::VarCheckEnd,
        FeedKind::Heartbeat {
            score: Some(Score::new(2, 0)),
        },
    ] {
        let clock = run.clock();
        run.feed_at(Source::Primary, kind.clone(), Some(clock));
        run.feed_at(Source::Backup, kind, Some(clock));
        let _ = run.ev.next_wakeup();
    }
    // A gap in the primary's seqs waits "forever".
    let clock = run.clock();
    let ahead = message(
        Source::Primary,
        run.seq[0] + 3,
        T0,
        Some(clock),
        FeedKind::Danger { team: None },
    );
    assert_eq!(run.apply(ahead).feed.unwrap().outcome, FeedOutcome::Held);
    run.now += MIN;
    run.apply(Input::Tick);
    let _ = run.ev.next_wakeup();
    run.check_replay();
}

/// Found by `any_inputs_…`: a host clock near the end of `u64` overflowed `now + bet_delay`.
#[test]
fn a_bet_at_the_end_of_time_does_not_overflow() {
    let mut run = Run::open(opening_with(LiveConfig::default()), u64::MAX - 10).unwrap();
    run.feed_at(Source::Primary, FeedKind::Kickoff, Some(0));
    let req = BetRequest {
        bet_id: "b".into(),
        user_id: "u".into(),
        market: MarketKey::MatchResult,
        selection: SelectionKey::Home,
        stake: 100,
        price: LOWEST_PRICE,
        seen_version: run.ev.version(),
        policy: OddsPolicy::Any,
    };
    let d = run.apply(Input::Bet(req)).decisions.remove(0);
    assert_eq!(d.status, BetStatus::Pending);
    run.now = u64::MAX;
    run.apply(Input::Tick);
    run.check_replay();
}

/// Found by `any_inputs_…`: a binary feed message (or a host) can carry NaN, which JSON cannot;
/// the refused message is logged, and replay compared entries with `==`, so `NaN != NaN` made
/// the log unreplayable. (A bet's price can no longer be NaN: it is whole hundredths.)
#[test]
fn a_log_holding_nan_replays() {
    let mut run = Run::open(opening_with(LiveConfig::default()), T0).unwrap();
    let fixture = FeedKind::Fixture {
        home: "A".into(),
        away: "B".into(),
        kickoff_ms: T0,
        params: FootballParams::new(1.0, f64::NAN),
    };
    assert_eq!(
        run.feed_at(Source::Primary, fixture, None),
        FeedOutcome::Rejected {
            reason: FeedRejection::InvalidParams
        }
    );
    run.check_replay();
}

/// Found writing the `delta` fuzz target: a decoded snapshot may hold the last version there is;
/// `seq + 1` overflowed (and in release wrapped, accepting a delta to version 0).
#[test]
fn a_snapshot_at_the_last_version_refuses_every_delta() {
    let run = Run::open(opening_with(LiveConfig::default()), T0).unwrap();
    let mut snap = run.ev.snapshot();
    snap.version.seq = u64::MAX;
    let wrapped = Delta {
        version: Version {
            epoch: snap.version.epoch,
            seq: 0,
        },
        prev_at_ms: snap.at_ms,
        at_ms: T0,
        ops: vec![DeltaOp::Abandoned(true)],
    };
    assert_eq!(
        snap.apply(&wrapped).map_err(|e| e.code()),
        Err("out_of_order")
    );
    // The same in binary form, whose epoch and time come from the snapshot.
    assert_eq!(
        snap.apply_bytes(&wrapped.to_bytes()).map_err(|e| e.code()),
        Err("out_of_order")
    );
    assert!(!snap.image.abandoned);
}

/// Found by `valid_matches_…`: after first-half stoppage the second half kicks off at 45:00; the
/// engine refused that (and every second-half message until the clock passed the first half's
/// end) as `clock_backwards`.
#[test]
fn second_half_kicks_off_at_45_minutes_after_first_half_stoppage() {
    let script = Script {
        params: FootballParams::new(1.5, 1.1),
        halves: [vec![], vec![(30 * SEC, Incident::Goal(Team::Home))]],
        stoppage: [2 * MIN, 0],
        break_ms: 15 * MIN,
    };
    let m = play_match(&script);
    assert_eq!(
        m.run.ev.image().football().unwrap().goals[0].clock_ms,
        HALF_MS + 30 * SEC
    );
}

/// ... also when only one source reports the restart.
#[test]
fn second_half_restart_rebases_the_silent_sources_clock() {
    let mut run = Run::open(opening_with(LiveConfig::default()), T0).unwrap();
    run.feed_at(Source::Primary, FeedKind::Kickoff, Some(0));
    run.feed_at(Source::Backup, FeedKind::Kickoff, Some(0));
    run.now += HALF_MS + 2 * MIN;
    let end = run.clock();
    for source in [Source::Primary, Source::Backup] {
        run.feed_at(source, FeedKind::PeriodEnd { period: 1 }, Some(end));
    }
    run.now += 15 * MIN;
    assert_eq!(
        run.feed_at(
            Source::Primary,
            FeedKind::PeriodStart { period: 2 },
            Some(HALF_MS)
        ),
        FeedOutcome::Accepted
    );
    run.now += 10 * SEC;
    let clock = run.clock();
    assert_eq!(
        run.feed_at(
            Source::Backup,
            FeedKind::RedCard { team: Team::Away },
            Some(clock)
        ),
        FeedOutcome::Accepted
    );
}
