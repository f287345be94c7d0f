//! Scenario tests of the live event state, written as timelines: inputs at wall times in,
//! statuses, prices and decisions out. Every delta is also applied to a client mirror, which must
//! stay byte-identical to the edge's snapshot throughout.

use inplay_engine::football::{FootballParams, Period, Score};
use inplay_engine::live::*;
use inplay_engine::market::{MarketKey, SelectionKey, Team};

const T0: u64 = 1_764_240_000_000;
const MIN: u64 = 60_000;

struct Timeline {
    ev: LiveEvent,
    now: u64,
    seq: [u64; 2],
    mirror: LiveView,
    log: Vec<AuditEntry>,
}

/// A decimal price that is whole hundredths.
fn price(decimal: f64) -> Price {
    Price::from_decimal(decimal).expect("whole hundredths above 1")
}

fn params() -> FootballParams {
    FootballParams::new(1.6, 1.1)
}

impl Timeline {
    fn new() -> Timeline {
        Timeline::with_config(LiveConfig::default())
    }

    fn with_config(config: LiveConfig) -> Timeline {
        let opening = Opening {
            event_id: "m1".into(),
            fixture: Fixture {
                home: "Arsenal".into(),
                away: "Chelsea".into(),
                kickoff_ms: T0,
            },
            params: params().into(),
            trading: TradingTerms::default(),
            config,
            epoch: 1,
        };
        let (ev, entry) = LiveEvent::new(opening, T0).unwrap();
        let mirror = LiveView::from_bytes(&ev.snapshot().to_bytes()).unwrap();
        Timeline {
            ev,
            now: T0,
            seq: [0, 0],
            mirror,
            log: vec![entry],
        }
    }

    fn apply(&mut self, input: Input) -> Output {
        let out = self.ev.apply(input, self.now);
        if let Some(d) = &out.delta {
            // Through the wire format, as a browser gets it.
            self.mirror.apply_delta_bytes(&d.to_bytes()).unwrap();
        }
        assert_eq!(
            self.mirror.snapshot().to_bytes(),
            self.ev.snapshot().to_bytes(),
            "mirror diverged"
        );
        if let Some(a) = &out.audit {
            self.log.push(a.clone());
        }
        out
    }

    fn at(&mut self, ms: u64) -> &mut Self {
        assert!(ms >= self.now);
        self.now = ms;
        self.apply(Input::Tick);
        self
    }

    fn clock(&self) -> u64 {
        self.ev.image().clock.clock_at(self.now)
    }

    fn feed_seq(&mut self, source: Source, seq: u64, kind: FeedKind) -> FeedOutcome {
        let clock_ms = Some(self.clock());
        let ev = FeedEvent {
            event_id: "m1".into(),
            source,
            seq,
            ts: self.now,
            clock_ms,
            kind,
        };
        self.apply(Input::Feed(ev)).feed.unwrap().outcome
    }

    fn feed(&mut self, source: Source, kind: FeedKind) -> FeedOutcome {
        let i = source.index();
        self.seq[i] += 1;
        let s = self.seq[i];
        self.feed_seq(source, s, kind)
    }

    /// The primary's `clock` sync saying `clock_ms`.
    fn clock_sync(&mut self, clock_ms: u64, running: bool) -> Output {
        self.seq[0] += 1;
        let ev = FeedEvent {
            event_id: "m1".into(),
            source: Source::Primary,
            seq: self.seq[0],
            ts: self.now,
            clock_ms: Some(clock_ms),
            kind: FeedKind::Clock { running },
        };
        self.apply(Input::Feed(ev))
    }

    /// Both sources report the same thing.
    fn both(&mut self, kind: FeedKind) {
        assert_eq!(
            self.feed(Source::Primary, kind.clone()),
            FeedOutcome::Accepted
        );
        let second = self.feed(Source::Backup, kind);
        assert!(
            matches!(second, FeedOutcome::Duplicate | FeedOutcome::Accepted),
            "{second:?}"
        );
    }

    fn heartbeat(&mut self) {
        let score = Some(self.ev.image().football().unwrap().state.score);
        self.feed(Source::Primary, FeedKind::Heartbeat { score });
        self.feed(Source::Backup, FeedKind::Heartbeat { score });
    }

    fn kick_off(&mut self) {
        self.both(FeedKind::Kickoff);
    }

    fn status(&self) -> MarketStatus {
        self.ev.market_status(MarketKey::MatchResult)
    }

    fn home_prob(&self) -> f64 {
        let book = self.ev.prices(self.now).unwrap();
        book.selection(MarketKey::MatchResult, SelectionKey::Home)
            .unwrap()
            .prob
            .unwrap()
    }

    fn bet(
        &mut self,
        id: &str,
        market: MarketKey,
        sel: SelectionKey,
        stake: u64,
        policy: OddsPolicy,
    ) -> BetDecision {
        let book = self.ev.prices(self.now).unwrap();
        let price = book
            .selection(market, sel)
            .and_then(|s| s.odds)
            .and_then(Price::from_decimal)
            .unwrap_or(price(2.0));
        let req = BetRequest {
            bet_id: id.into(),
            user_id: "u1".into(),
            market,
            selection: sel,
            stake,
            price,
            seen_version: self.ev.version(),
            policy,
        };
        let out = self.apply(Input::Bet(req));
        out.decisions.into_iter().find(|d| d.bet_id == id).unwrap()
    }

    /// Plays on in 1-second steps with heartbeats from both sources.
    fn play_for(&mut self, ms: u64) {
        let end = self.now + ms;
        while self.now < end {
            let step = (end - self.now).min(1_000);
            self.at(self.now + step);
            self.heartbeat();
        }
    }
}

fn suspended(reason: SuspensionReason) -> MarketStatus {
    MarketStatus::Suspended { reason }
}

#[test]
fn goal_suspends_at_once_and_reopens_after_cool_off_with_new_prices() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(10 * MIN);
    assert_eq!(t.status(), MarketStatus::Open);
    let before = t.home_prob();
    assert_eq!(
        t.feed(
            Source::Primary,
            FeedKind::Goal {
                team: Team::Home,
                score: Some(Score::new(1, 0))
            }
        ),
        FeedOutcome::Accepted
    );
    assert_eq!(t.status(), suspended(SuspensionReason::Goal));
    // Unconfirmed: the score has not moved yet.
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(0, 0)
    );
    assert_eq!(
        t.feed(
            Source::Backup,
            FeedKind::Goal {
                team: Team::Home,
                score: Some(Score::new(1, 0))
            }
        ),
        FeedOutcome::Duplicate
    );
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(1, 0)
    );
    assert_eq!(t.status(), suspended(SuspensionReason::Goal));
    let cool = t.ev.config().cool_off_ms;
    t.play_for(cool - 1_000);
    assert_eq!(t.status(), suspended(SuspensionReason::Goal));
    t.play_for(1_000);
    assert_eq!(t.status(), MarketStatus::Open);
    assert!(
        t.home_prob() > before + 0.15,
        "{} vs {before}",
        t.home_prob()
    );
}

#[test]
fn prices_move_with_the_clock_between_updates() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(30 * MIN);
    let a = t.mirror.prices(t.now).unwrap();
    let b = t.mirror.prices(t.now + 1_000).unwrap();
    assert_ne!(a, b);
    // The mirror prices exactly as the edge does, at any instant.
    assert_eq!(
        t.mirror.prices(t.now + 777).unwrap(),
        t.ev.prices(t.now + 777).unwrap()
    );
}

#[test]
fn bet_delayed_then_accepted_and_goal_inside_delay_rejects() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(20 * MIN);
    let d = t.bet(
        "b1",
        MarketKey::MatchResult,
        SelectionKey::Home,
        1_000,
        OddsPolicy::Any,
    );
    assert_eq!(d.status, BetStatus::Pending);
    let release = d.release_at_ms.unwrap();
    assert_eq!(release, t.now + TradingTerms::default().bet_delay_ms);
    t.play_for(release - t.now);
    assert_eq!(t.ev.bet("b1").unwrap().status, BetStatus::Accepted);

    let d = t.bet(
        "b2",
        MarketKey::MatchResult,
        SelectionKey::Away,
        1_000,
        OddsPolicy::Any,
    );
    assert_eq!(d.status, BetStatus::Pending);
    t.play_for(2_000);
    t.both(FeedKind::Goal {
        team: Team::Home,
        score: None,
    });
    t.play_for(10_000);
    assert_eq!(
        t.ev.bet("b2").unwrap().status,
        BetStatus::Rejected {
            code: RejectCode::MarketSuspended
        }
    );
    // Idempotent: the same id returns the first bet's latest decision.
    let again = t.bet(
        "b1",
        MarketKey::MatchResult,
        SelectionKey::Away,
        5,
        OddsPolicy::Exact,
    );
    assert_eq!(again.status, BetStatus::Accepted);
    assert_eq!(again.price, t.ev.bet("b1").unwrap().price);
}

#[test]
fn bets_are_validated() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(MIN);
    let total = MarketKey::Total("2.5".parse().unwrap());
    assert_eq!(
        t.bet("s", total, SelectionKey::Over, 1, OddsPolicy::Any)
            .status,
        BetStatus::Rejected {
            code: RejectCode::StakeTooLow
        }
    );
    assert_eq!(
        t.bet("S", total, SelectionKey::Over, 10_000_000, OddsPolicy::Any)
            .status,
        BetStatus::Rejected {
            code: RejectCode::StakeTooHigh
        }
    );
    assert_eq!(
        t.bet(
            "x",
            MarketKey::Total("9.5".parse().unwrap()),
            SelectionKey::Over,
            100,
            OddsPolicy::Any
        )
        .status,
        BetStatus::Rejected {
            code: RejectCode::UnknownMarket
        }
    );
    assert_eq!(
        t.bet("y", total, SelectionKey::Home, 100, OddsPolicy::Any)
            .status,
        BetStatus::Rejected {
            code: RejectCode::UnknownSelection
        }
    );
    // A price the book no longer offers, under the exact policy.
    let mut req = BetRequest {
        bet_id: "p".into(),
        user_id: "u".into(),
        market: total,
        selection: SelectionKey::Over,
        stake: 100,
        price: price(50.0),
        seen_version: t.ev.version(),
        policy: OddsPolicy::Exact,
    };
    let out = t.apply(Input::Bet(req.clone()));
    assert_eq!(
        out.decisions[0].status,
        BetStatus::Rejected {
            code: RejectCode::PriceChanged
        }
    );
    req.bet_id = "p2".into();
    req.policy = OddsPolicy::Higher;
    req.price = price(1.01);
    assert_eq!(
        t.apply(Input::Bet(req.clone())).decisions[0].status,
        BetStatus::Pending
    );
    req.bet_id = "p3".into();
    req.seen_version = Version { epoch: 99, seq: 0 };
    assert_eq!(
        t.apply(Input::Bet(req)).decisions[0].status,
        BetStatus::Rejected {
            code: RejectCode::StaleVersion
        }
    );
}

#[test]
fn liability_limit_refuses_the_bet_that_would_exceed_it() {
    let mut t = Timeline::new();
    let terms = TradingTerms {
        max_selection_liability: 5_000,
        bet_delay_ms: 0,
        ..TradingTerms::default()
    };
    t.apply(Input::Trading(terms));
    t.heartbeat();
    let first = t.bet(
        "a",
        MarketKey::MatchResult,
        SelectionKey::Away,
        1_000,
        OddsPolicy::Any,
    );
    assert_eq!(
        first.status,
        BetStatus::Accepted,
        "pre-match bets have no delay"
    );
    let mut n = 1;
    loop {
        n += 1;
        let d = t.bet(
            &format!("a{n}"),
            MarketKey::MatchResult,
            SelectionKey::Away,
            1_000,
            OddsPolicy::Any,
        );
        if d.status != BetStatus::Accepted {
            assert_eq!(
                d.status,
                BetStatus::Rejected {
                    code: RejectCode::LiabilityExceeded
                }
            );
            break;
        }
        assert!(n < 10);
    }
}

#[test]
fn duplicates_and_out_of_order_messages() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(MIN);
    let s = t.seq[0];
    // A resend of an old seq is a duplicate.
    assert_eq!(
        t.feed_seq(Source::Primary, s, FeedKind::Heartbeat { score: None }),
        FeedOutcome::Duplicate
    );
    // s+2 arrives before s+1: held, then both applied in order.
    assert_eq!(
        t.feed_seq(
            Source::Primary,
            s + 2,
            FeedKind::RedCard { team: Team::Away }
        ),
        FeedOutcome::Held
    );
    assert_eq!(t.ev.image().football().unwrap().state.red_cards.away, 0);
    assert_eq!(
        t.feed_seq(Source::Primary, s + 1, FeedKind::Heartbeat { score: None }),
        FeedOutcome::Accepted
    );
    assert_eq!(t.ev.image().football().unwrap().state.red_cards.away, 1);
    // A gap that never fills stops waiting after the gap timeout.
    assert_eq!(
        t.feed_seq(Source::Primary, s + 5, FeedKind::VarCheckStart),
        FeedOutcome::Held
    );
    t.at(t.now + LiveConfig::default().gap_timeout_ms);
    assert_eq!(t.status(), suspended(SuspensionReason::Var));
    t.seq[0] = s + 5;
    // The backup's copy of the red card is the same fact, not a second card.
    t.seq[1] += 1;
    let b = t.seq[1];
    assert_eq!(
        t.feed_seq(Source::Backup, b, FeedKind::RedCard { team: Team::Away }),
        FeedOutcome::Duplicate
    );
    assert_eq!(t.ev.image().football().unwrap().state.red_cards.away, 1);
}

#[test]
fn impossible_transitions_and_bad_clocks_are_refused() {
    let mut t = Timeline::new();
    let rej = |r| FeedOutcome::Rejected { reason: r };
    assert_eq!(
        t.feed(
            Source::Primary,
            FeedKind::Goal {
                team: Team::Home,
                score: None
            }
        ),
        rej(FeedRejection::InvalidTransition)
    );
    t.kick_off();
    assert_eq!(
        t.feed(Source::Primary, FeedKind::Kickoff),
        rej(FeedRejection::InvalidTransition)
    );
    t.play_for(5 * MIN);
    assert_eq!(
        t.feed(
            Source::Primary,
            FeedKind::Goal {
                team: Team::Home,
                score: Some(Score::new(2, 0))
            }
        ),
        rej(FeedRejection::ScoreJump)
    );
    t.seq[0] += 1;
    let ev = FeedEvent {
        event_id: "m1".into(),
        source: Source::Primary,
        seq: t.seq[0],
        ts: t.now,
        clock_ms: Some(0),
        kind: FeedKind::Clock { running: true },
    };
    assert_eq!(
        t.apply(Input::Feed(ev.clone())).feed.unwrap().outcome,
        rej(FeedRejection::ClockBackwards)
    );
    let far = FeedEvent {
        seq: t.seq[0] + 1,
        ts: t.now + 10 * MIN,
        clock_ms: Some(t.clock()),
        ..ev.clone()
    };
    assert_eq!(
        t.apply(Input::Feed(far)).feed.unwrap().outcome,
        rej(FeedRejection::ClockDrift)
    );
    let other = FeedEvent {
        event_id: "m2".into(),
        seq: t.seq[0] + 1,
        ..ev
    };
    assert_eq!(
        t.apply(Input::Feed(other)).feed.unwrap().outcome,
        rej(FeedRejection::WrongEvent)
    );
    // Half-time after five minutes is refused on one source's word and taken when both say so.
    // (Messages refused for their timestamp or match id never used their seq.)
    assert_eq!(
        t.feed(Source::Primary, FeedKind::PeriodEnd { period: 1 }),
        rej(FeedRejection::InvalidTransition)
    );
    assert_eq!(
        t.ev.image().football().unwrap().state.period,
        Period::FirstHalf
    );
    assert_eq!(
        t.feed(Source::Backup, FeedKind::PeriodEnd { period: 1 }),
        FeedOutcome::Duplicate
    );
    assert_eq!(
        t.ev.image().football().unwrap().state.period,
        Period::HalfTime
    );
    // No goals at half-time.
    assert_eq!(
        t.feed(
            Source::Primary,
            FeedKind::Goal {
                team: Team::Away,
                score: None
            }
        ),
        rej(FeedRejection::InvalidTransition)
    );
}

#[test]
fn goal_from_one_source_is_held_then_discrepancy_until_sources_agree() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(15 * MIN);
    assert_eq!(
        t.feed(
            Source::Backup,
            FeedKind::Goal {
                team: Team::Away,
                score: None
            }
        ),
        FeedOutcome::Accepted
    );
    assert_eq!(t.status(), suspended(SuspensionReason::Goal));
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(0, 0),
        "unconfirmed goal must not count yet"
    );
    // Primary is alive but silent about it: past the window the sources disagree.
    t.play_for(LiveConfig::default().confirm_window_ms + 1_000);
    assert!(
        t.ev.image()
            .suspensions
            .iter()
            .any(|s| s.reason == SuspensionReason::SourceDiscrepancy)
    );
    assert_ne!(t.status(), MarketStatus::Open);
    // Primary finally reports it: confirmed, discrepancy lifted, cool-off, then open.
    assert_eq!(
        t.feed(
            Source::Primary,
            FeedKind::Goal {
                team: Team::Away,
                score: None
            }
        ),
        FeedOutcome::Duplicate
    );
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(0, 1)
    );
    assert!(
        !t.ev
            .image()
            .suspensions
            .iter()
            .any(|s| s.reason == SuspensionReason::SourceDiscrepancy)
    );
    t.play_for(LiveConfig::default().cool_off_ms + 1_000);
    assert_eq!(t.status(), MarketStatus::Open);
}

#[test]
fn backup_takes_over_when_primary_is_silent() {
    let mut t = Timeline::new();
    t.kick_off();
    // Only the backup keeps talking.
    for _ in 0..20 {
        t.at(t.now + 1_000);
        t.feed(
            Source::Backup,
            FeedKind::Heartbeat {
                score: Some(Score::new(0, 0)),
            },
        );
    }
    assert_eq!(t.status(), MarketStatus::Open, "one live source is enough");
    t.feed(
        Source::Backup,
        FeedKind::Goal {
            team: Team::Home,
            score: None,
        },
    );
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(1, 0),
        "nobody to wait for: confirmed at once"
    );
    assert_eq!(t.status(), suspended(SuspensionReason::Goal));
}

#[test]
fn score_disagreement_in_heartbeats_suspends_until_they_agree() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(MIN);
    for _ in 0..5 {
        t.at(t.now + 1_000);
        t.feed(
            Source::Primary,
            FeedKind::Heartbeat {
                score: Some(Score::new(0, 0)),
            },
        );
        t.feed(
            Source::Backup,
            FeedKind::Heartbeat {
                score: Some(Score::new(1, 0)),
            },
        );
    }
    assert_eq!(t.status(), suspended(SuspensionReason::SourceDiscrepancy));
    t.play_for(2_000);
    assert_eq!(t.status(), MarketStatus::Open);
}

#[test]
fn silence_suspends_with_feed_stale_and_a_fresh_message_reopens() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(MIN);
    let stale = LiveConfig::default().stale_after_ms;
    let wake = t.ev.next_wakeup().unwrap();
    assert!(wake <= t.now + stale + 1);
    t.at(t.now + stale + 1);
    assert_eq!(t.status(), suspended(SuspensionReason::FeedStale));
    let d = t.bet(
        "late",
        MarketKey::MatchResult,
        SelectionKey::Home,
        100,
        OddsPolicy::Any,
    );
    assert_eq!(
        d.status,
        BetStatus::Rejected {
            code: RejectCode::MarketSuspended
        }
    );
    t.heartbeat();
    assert_eq!(t.status(), MarketStatus::Open);
}

#[test]
fn var_cancellation_rolls_the_score_back() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(30 * MIN);
    t.both(FeedKind::Goal {
        team: Team::Home,
        score: None,
    });
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(1, 0)
    );
    t.both(FeedKind::VarCheckStart);
    assert_eq!(t.status(), suspended(SuspensionReason::Var));
    t.both(FeedKind::GoalCancelled { team: Team::Home });
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(0, 0)
    );
    assert!(t.ev.image().football().unwrap().goals.is_empty());
    t.both(FeedKind::VarCheckEnd);
    t.play_for(LiveConfig::default().cool_off_ms + 1_000);
    assert_eq!(t.status(), MarketStatus::Open);
}

#[test]
fn red_card_reprices_against_the_penalised_team() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(20 * MIN);
    let before = t.home_prob();
    t.both(FeedKind::RedCard { team: Team::Home });
    assert_eq!(t.status(), suspended(SuspensionReason::RedCard));
    t.play_for(LiveConfig::default().cool_off_ms + 1_000);
    assert_eq!(t.status(), MarketStatus::Open);
    assert!(
        t.home_prob() < before - 0.05,
        "{} vs {before}",
        t.home_prob()
    );
}

#[test]
fn full_match_settles_every_bet_and_replays_to_the_same_hash() {
    let mut t = Timeline::new();
    let terms = TradingTerms {
        bet_delay_ms: 0,
        ..TradingTerms::default()
    };
    t.apply(Input::Trading(terms));
    t.heartbeat();
    let q = |s: &str| MarketKey::Total(s.parse().unwrap());
    let ah = |s: &str| MarketKey::AsianHandicap(s.parse().unwrap());
    let bets = [
        ("over225", q("2.25"), SelectionKey::Over),
        ("over275", q("2.75"), SelectionKey::Over),
        ("under3", q("3"), SelectionKey::Under),
        ("ah-025", ah("-0.25"), SelectionKey::Home),
        ("ah+075away", ah("-0.75"), SelectionKey::Away),
        ("htdraw", MarketKey::HalfTimeResult, SelectionKey::Draw),
        ("cs21", MarketKey::CorrectScore, SelectionKey::Score(2, 1)),
        ("btts", MarketKey::BothTeamsToScore, SelectionKey::Yes),
        ("next", MarketKey::NextGoal, SelectionKey::Home),
    ];
    for (id, m, s) in bets {
        assert_eq!(
            t.bet(id, m, s, 1_000, OddsPolicy::Any).status,
            BetStatus::Accepted,
            "{id}"
        );
    }
    t.kick_off();
    t.play_for(20 * MIN);
    t.both(FeedKind::Goal {
        team: Team::Home,
        score: None,
    });
    t.play_for(25 * MIN);
    t.both(FeedKind::PeriodEnd { period: 1 });
    assert_eq!(
        t.ev.market_status(MarketKey::HalfTimeResult),
        MarketStatus::Settled
    );
    assert_eq!(
        t.ev.settlement("htdraw").unwrap().result,
        SettlementResult::Lost
    );
    assert!(
        t.ev.settlement("btts").is_none(),
        "full-time markets wait for full time"
    );
    t.play_for(15 * MIN);
    t.both(FeedKind::PeriodStart { period: 2 });
    t.play_for(20 * MIN);
    t.both(FeedKind::Goal {
        team: Team::Away,
        score: None,
    });
    t.play_for(10 * MIN);
    t.both(FeedKind::Goal {
        team: Team::Home,
        score: None,
    });
    t.play_for(16 * MIN);
    t.both(FeedKind::MatchEnd);
    assert_eq!(
        t.ev.image().football().unwrap().state.period,
        Period::FullTime
    );
    assert_eq!(t.status(), MarketStatus::Settled);
    // 2-1: total 3.
    let r = |id: &str| t.ev.settlement(id).unwrap().result;
    assert_eq!(r("over225"), SettlementResult::Won);
    assert_eq!(r("over275"), SettlementResult::HalfWon);
    assert_eq!(r("under3"), SettlementResult::Push);
    assert_eq!(r("ah-025"), SettlementResult::Won);
    // Home −0.75 = (−0.5, −1): a one-goal home win wins half and pushes half; the away side half-loses.
    assert_eq!(r("ah+075away"), SettlementResult::HalfLost);
    assert_eq!(r("cs21"), SettlementResult::Won);
    assert_eq!(r("btts"), SettlementResult::Won);
    assert_eq!(r("next"), SettlementResult::Won);
    let push = t.ev.settlement("under3").unwrap();
    assert_eq!(push.payout, 1_000);
    let half = t.ev.settlement("over275").unwrap();
    let price = t.ev.bet("over275").unwrap().price.unwrap();
    // Half won: half the stake at the price and half back, in exact integer hundredths.
    let h = u64::from(price.hundredths());
    assert_eq!(half.payout, (1_000 * h + 1_000 * 100) / 200);

    let replayed = LiveEvent::replay(&t.log).unwrap();
    assert_eq!(replayed.audit_head(), t.ev.audit_head());
    assert_eq!(replayed.snapshot().to_bytes(), t.ev.snapshot().to_bytes());
    // Tampering with any entry is detected.
    let mut forged = t.log.clone();
    let i = forged
        .iter()
        .position(|e| matches!(e.input, Input::Bet(_)))
        .unwrap();
    if let Input::Bet(b) = &mut forged[i].input {
        b.stake *= 10;
    }
    assert_eq!(
        LiveEvent::replay(&forged).unwrap_err(),
        LiveError::Diverged { index: i as u64 }
    );
    let mut forged = t.log.clone();
    forged[i + 1].decisions.clear();
    assert!(LiveEvent::replay(&forged).is_err());
}

#[test]
fn abandoned_match_voids_bets() {
    let mut t = Timeline::new();
    t.apply(Input::Trading(TradingTerms {
        bet_delay_ms: 0,
        ..TradingTerms::default()
    }));
    t.heartbeat();
    assert_eq!(
        t.bet(
            "v",
            MarketKey::MatchResult,
            SelectionKey::Home,
            700,
            OddsPolicy::Any
        )
        .status,
        BetStatus::Accepted
    );
    t.kick_off();
    t.play_for(10 * MIN);
    t.both(FeedKind::Abandoned);
    assert_eq!(t.status(), MarketStatus::Void);
    let s = t.ev.settlement("v").unwrap();
    assert_eq!((s.result, s.payout), (SettlementResult::Void, 700));
}

#[test]
fn manual_suspension_of_one_market_and_all() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(MIN);
    t.apply(Input::Suspend {
        market: Some(MarketKey::BothTeamsToScore),
    });
    assert_eq!(
        t.ev.market_status(MarketKey::BothTeamsToScore),
        suspended(SuspensionReason::Manual)
    );
    assert_eq!(t.status(), MarketStatus::Open);
    t.apply(Input::Suspend { market: None });
    assert_eq!(t.status(), suspended(SuspensionReason::Manual));
    t.apply(Input::Resume { market: None });
    t.apply(Input::Resume {
        market: Some(MarketKey::BothTeamsToScore),
    });
    assert_eq!(
        t.ev.market_status(MarketKey::BothTeamsToScore),
        MarketStatus::Open
    );
}

#[test]
fn feed_json_round_trip_and_refusals() {
    let json = br#"{"event_id":"m1","source":"primary","seq":42,"ts":1764240000123,"kind":"goal","team":"home","clock_ms":2712000}"#;
    let ev = FeedEvent::from_json(json).unwrap();
    assert_eq!(
        ev.kind,
        FeedKind::Goal {
            team: Team::Home,
            score: None
        }
    );
    assert_eq!(FeedEvent::from_json(ev.to_json().as_bytes()).unwrap(), ev);
    assert_eq!(FeedEvent::from_bytes(&ev.to_bytes()).unwrap(), ev);
    let unknown =
        br#"{"event_id":"m1","source":"primary","seq":1,"ts":1,"kind":"corner","clock_ms":1}"#;
    assert_eq!(
        FeedEvent::from_json(unknown).unwrap_err().code(),
        "unknown_event"
    );
    let no_team =
        br#"{"event_id":"m1","source":"primary","seq":1,"ts":1,"kind":"goal","clock_ms":1}"#;
    assert_eq!(
        FeedEvent::from_json(no_team).unwrap_err().code(),
        "missing_field"
    );
    assert_eq!(FeedEvent::from_json(b"{").unwrap_err().code(), "malformed");
}

#[test]
fn socket_frames_round_trip_and_preencoded_bytes_match() {
    let mut t = Timeline::new();
    t.kick_off();
    let snap = t.ev.snapshot();
    let f = Frame::Snapshot {
        region: "weur".into(),
        shard: 2,
        server_ms: T0,
        snapshot: Box::new(snap.clone()),
    };
    let bytes = f.encode();
    assert_eq!(Frame::decode(&bytes).unwrap(), f);
    assert_eq!(
        Frame::snapshot_bytes("weur", 2, T0, &snap.to_bytes()),
        bytes
    );
    let hb = Frame::Heartbeat {
        server_ms: T0 + 5,
        version: t.ev.version(),
    };
    assert_eq!(Frame::decode(&hb.encode()).unwrap(), hb);
    // The payload of a snapshot or delta frame is the snapshot's or delta's own encoding.
    assert_eq!(Frame::payload(&bytes), Some(snap.to_bytes().as_slice()));
    // A goal suspends the markets: a delta.
    let goal = FeedEvent {
        event_id: "m1".into(),
        source: Source::Primary,
        seq: t.seq[Source::Primary.index()] + 1,
        ts: t.now,
        clock_ms: Some(t.clock()),
        kind: FeedKind::Goal {
            team: Team::Home,
            score: Some(Score::new(1, 0)),
        },
    };
    let delta = t
        .apply(Input::Feed(goal))
        .delta
        .expect("a goal changes the image");
    let delta_frame = Frame::Delta(delta.relative()).encode();
    assert_eq!(
        Frame::payload(&delta_frame),
        Some(delta.to_bytes().as_slice())
    );
    // A delta frame decodes without a context to what its bytes carry; read against the version
    // it follows (the snapshot's), it is the delta the edge made.
    let Ok(Frame::Delta(relative)) = Frame::decode(&delta_frame) else {
        panic!("a delta frame decodes as a delta");
    };
    assert_eq!(relative, delta.relative());
    assert_eq!(relative.resolve(snap.stamp()), Ok(delta.clone()));
    assert_eq!(Frame::payload(&hb.encode()), None);
    assert_eq!(Frame::payload(&[1, 200]), None);
    assert_eq!(Frame::payload(&[]), None);
    assert!(Frame::decode(&[]).is_err());
    assert!(Frame::decode(&[9, 1, 2]).is_err());
    assert!(Frame::decode(&[1, 200]).is_err());
}

/// A host that only wakes the event at `next_wakeup` (as the Durable Object alarm does) must still
/// decide a delayed bet when a goal from one source turns into a discrepancy inside the delay.
#[test]
fn alarm_driven_host_decides_a_bet_through_a_one_source_goal() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(10 * MIN);
    let d = t.bet(
        "w",
        MarketKey::MatchResult,
        SelectionKey::Home,
        1_000,
        OddsPolicy::Any,
    );
    let release = d.release_at_ms.unwrap();
    t.feed(
        Source::Primary,
        FeedKind::Goal {
            team: Team::Home,
            score: None,
        },
    );
    // The backup stays alive (heartbeats) but never reports the goal; time moves only by alarms.
    let mut last_alarm = None;
    for _ in 0..50 {
        let Some(wake) = t.ev.next_wakeup() else {
            break;
        };
        assert!(
            wake >= t.now,
            "wake-up {wake} is in the past (now {})",
            t.now
        );
        if Some(wake) == last_alarm {
            break;
        }
        last_alarm = Some(wake);
        t.at(wake);
        t.feed(
            Source::Backup,
            FeedKind::Heartbeat {
                score: Some(Score::new(0, 0)),
            },
        );
        if t.ev.bet("w").unwrap().status != BetStatus::Pending {
            break;
        }
    }
    assert!(t.now >= release);
    assert_eq!(
        t.ev.bet("w").unwrap().status,
        BetStatus::Rejected {
            code: RejectCode::MarketSuspended
        }
    );
}

/// A feed whose clock is really far from the anchor (late bursts in an accelerated replay) is
/// refused a few times, then believed: one bogus sync cannot move the clock, but the match goes on.
#[test]
fn persistent_clock_syncs_beyond_the_drift_bound_re_anchor_the_clock() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(5 * MIN);
    let ahead = t.clock() + 20 * MIN;
    let sync = |t: &mut Timeline| t.clock_sync(ahead, true).feed.unwrap().outcome;
    let drift = FeedOutcome::Rejected {
        reason: FeedRejection::ClockDrift,
    };
    for _ in 0..3 {
        assert_eq!(sync(&mut t), drift);
    }
    assert!(
        t.clock() + 10 * MIN < ahead,
        "refused syncs must not move the clock"
    );
    assert_eq!(sync(&mut t), FeedOutcome::Accepted);
    assert_eq!(t.clock(), ahead);
    // Events at the new clock are accepted again.
    assert_eq!(
        t.feed(Source::Primary, FeedKind::RedCard { team: Team::Away }),
        FeedOutcome::Accepted
    );
}

/// A clock sync that agrees with the running clock is no update (no version to every client); one
/// that has drifted beyond `clock_resync_ms`, or stops the clock, re-anchors it.
#[test]
fn clock_syncs_that_agree_with_the_clock_make_no_update() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(5 * MIN);
    let sync = |t: &mut Timeline, clock_ms: u64, running: bool| {
        let out = t.clock_sync(clock_ms, running);
        assert_eq!(out.feed.unwrap().outcome, FeedOutcome::Accepted);
        out.delta.is_some()
    };
    let before = t.ev.version();
    let now = t.clock();
    assert!(!sync(&mut t, now + 900, true), "within 1 s: no update");
    assert!(
        !sync(&mut t, now - 1_000, true),
        "within 1 s behind: no update"
    );
    assert_eq!(t.ev.version(), before);
    assert!(sync(&mut t, now + 1_500, true), "1.5 s off: re-anchored");
    assert_eq!(t.clock(), now + 1_500);
    let now = t.clock();
    assert!(sync(&mut t, now, false), "the clock stopping is an update");
    t.now += 10_000;
    assert_eq!(t.clock(), now);
}

/// A match opened with a clock rate (an accelerated replay) runs its streamed clock at that rate,
/// on the hub and on a client mirror, so the feed's syncs agree with it.
#[test]
fn a_clock_rate_runs_the_streamed_clock_that_fast() {
    let mut t = Timeline::with_config(LiveConfig {
        clock_rate: 30,
        clock_resync_ms: 30_000,
        ..LiveConfig::default()
    });
    t.kick_off();
    let start = t.clock();
    t.at(t.now + 2_000);
    assert_eq!(t.clock(), start + 60_000, "2 wall seconds at 30x: a minute");
    assert_eq!(t.mirror.snapshot().image.clock.clock_at(t.now), t.clock());
    let before = t.ev.version();
    for _ in 0..5 {
        t.now += 1_000;
        let out = t.clock_sync(t.clock() + 200, true);
        assert_eq!(out.feed.unwrap().outcome, FeedOutcome::Accepted);
    }
    assert_eq!(
        t.ev.version(),
        before,
        "syncs at the feed's speed make no update"
    );
    assert_eq!(
        LiveEvent::replay(&t.log).unwrap().audit_head(),
        t.ev.audit_head()
    );
}

/// Plays to the second half at `clock_min` minutes with a 1-0 home lead and an accepted home bet.
fn second_half_with_a_bet(clock_min: u64) -> Timeline {
    let mut t = Timeline::new();
    t.apply(Input::Trading(TradingTerms {
        bet_delay_ms: 0,
        ..TradingTerms::default()
    }));
    t.heartbeat();
    let d = t.bet(
        "home",
        MarketKey::MatchResult,
        SelectionKey::Home,
        1_000,
        OddsPolicy::Any,
    );
    assert_eq!(d.status, BetStatus::Accepted);
    t.kick_off();
    t.play_for(10 * MIN);
    t.both(FeedKind::Goal {
        team: Team::Home,
        score: None,
    });
    t.play_for(35 * MIN);
    t.both(FeedKind::PeriodEnd { period: 1 });
    t.play_for(15 * MIN);
    t.both(FeedKind::PeriodStart { period: 2 });
    t.play_for((clock_min - 45) * MIN);
    t
}

#[test]
fn one_source_saying_full_time_at_70_minutes_settles_nothing() {
    let mut t = second_half_with_a_bet(70);
    assert_eq!(
        t.feed(Source::Primary, FeedKind::MatchEnd),
        FeedOutcome::Rejected {
            reason: FeedRejection::InvalidTransition
        }
    );
    assert_eq!(
        t.ev.image().football().unwrap().state.period,
        Period::SecondHalf
    );
    assert!(t.ev.settlement("home").is_none());
    assert_eq!(
        t.status(),
        MarketStatus::Open,
        "a refused claim suspends nothing"
    );
    // The window passes without the backup agreeing: the claim is forgotten.
    t.play_for(MIN);
    assert_eq!(
        t.feed(Source::Backup, FeedKind::MatchEnd),
        FeedOutcome::Rejected {
            reason: FeedRejection::InvalidTransition
        }
    );
    assert_eq!(
        t.ev.image().football().unwrap().state.period,
        Period::SecondHalf
    );
    assert!(t.ev.settlement("home").is_none());
    t.play_for(MIN);
    assert_eq!(t.status(), MarketStatus::Open);
}

#[test]
fn both_sources_agreeing_on_full_time_at_93_minutes_settle() {
    let mut t = second_half_with_a_bet(93);
    assert_eq!(
        t.feed(Source::Primary, FeedKind::MatchEnd),
        FeedOutcome::Accepted
    );
    // Waiting for the backup: suspended, not settled.
    assert_eq!(t.status(), suspended(SuspensionReason::PeriodEnd));
    assert!(t.ev.settlement("home").is_none());
    t.at(t.now + 800);
    assert_eq!(
        t.feed(Source::Backup, FeedKind::PeriodEnd { period: 2 }),
        FeedOutcome::Duplicate
    );
    assert_eq!(
        t.ev.image().football().unwrap().state.period,
        Period::FullTime
    );
    let s = t.ev.settlement("home").unwrap();
    assert_eq!(s.result, SettlementResult::Won);
    let price = t.ev.bet("home").unwrap().price.unwrap();
    assert_eq!(
        u128::from(s.payout),
        1_000 * u128::from(price.hundredths()) / 100
    );
}

#[test]
fn full_time_from_one_source_waits_then_stands_when_the_other_falls_silent() {
    let mut t = second_half_with_a_bet(92);
    assert_eq!(
        t.feed(Source::Primary, FeedKind::MatchEnd),
        FeedOutcome::Accepted
    );
    // The backup keeps talking without agreeing: past the window the sources disagree.
    for _ in 0..5 {
        t.at(t.now + 1_000);
        t.feed(
            Source::Backup,
            FeedKind::Heartbeat {
                score: Some(Score::new(1, 0)),
            },
        );
    }
    assert!(t.ev.settlement("home").is_none());
    assert_eq!(t.status(), suspended(SuspensionReason::SourceDiscrepancy));
    // The backup falls silent: the primary's word stands.
    let wake = t.ev.next_wakeup().unwrap();
    t.at(wake);
    assert_eq!(
        t.ev.image().football().unwrap().state.period,
        Period::FullTime
    );
    assert_eq!(
        t.ev.settlement("home").unwrap().result,
        SettlementResult::Won
    );
}

#[test]
fn the_backup_alone_saying_abandoned_voids_nothing() {
    let mut t = second_half_with_a_bet(60);
    assert_eq!(
        t.feed(Source::Backup, FeedKind::Abandoned),
        FeedOutcome::Accepted
    );
    assert!(!t.ev.image().abandoned);
    assert!(t.ev.settlement("home").is_none());
    assert_eq!(t.status(), suspended(SuspensionReason::SourceDiscrepancy));
    // Not even when the primary falls silent: an abandonment needs both sources or a trader.
    t.at(t.now + 30_000);
    t.feed(Source::Backup, FeedKind::Heartbeat { score: None });
    t.at(t.now + 30_000);
    assert!(!t.ev.image().abandoned);
    assert!(t.ev.settlement("home").is_none());
    // The primary agrees: void.
    assert_eq!(
        t.feed(Source::Primary, FeedKind::Abandoned),
        FeedOutcome::Duplicate
    );
    assert!(t.ev.image().abandoned);
    let s = t.ev.settlement("home").unwrap();
    assert_eq!((s.result, s.payout), (SettlementResult::Void, 1_000));
}

#[test]
fn a_trader_can_abandon_or_believe_one_source() {
    let mut t = second_half_with_a_bet(60);
    t.feed(Source::Backup, FeedKind::Abandoned);
    // The trader believes the primary: the claim is dropped and trading resumes.
    t.apply(Input::ConfirmSource {
        source: Source::Primary,
    });
    assert!(!t.ev.image().abandoned);
    assert_eq!(t.status(), MarketStatus::Open);
    // Later the trader abandons the match: everything is void.
    let out = t.apply(Input::Abandon);
    assert_eq!(out.settlements.len(), 1);
    assert!(t.ev.image().abandoned);
    assert_eq!(
        t.ev.settlement("home").unwrap().result,
        SettlementResult::Void
    );
    LiveEvent::replay(&t.log).expect("trader actions replay");
}

#[test]
fn believing_a_source_takes_its_score() {
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(MIN);
    // The backup saw a goal the primary missed, and says so in its heartbeats.
    for _ in 0..5 {
        t.at(t.now + 1_000);
        t.feed(
            Source::Primary,
            FeedKind::Heartbeat {
                score: Some(Score::new(0, 0)),
            },
        );
        t.feed(
            Source::Backup,
            FeedKind::Heartbeat {
                score: Some(Score::new(0, 1)),
            },
        );
    }
    assert_eq!(t.status(), suspended(SuspensionReason::SourceDiscrepancy));
    t.apply(Input::ConfirmSource {
        source: Source::Backup,
    });
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(0, 1)
    );
    assert_eq!(t.ev.image().football().unwrap().goals.len(), 1);
    assert_eq!(t.status(), suspended(SuspensionReason::Goal));
    LiveEvent::replay(&t.log).expect("replays");
}

#[test]
fn a_result_correction_settles_again_and_reports_the_difference() {
    let mut t = Timeline::new();
    t.apply(Input::Trading(TradingTerms {
        bet_delay_ms: 0,
        ..TradingTerms::default()
    }));
    t.heartbeat();
    for (id, market, sel) in [
        ("home", MarketKey::MatchResult, SelectionKey::Home),
        ("draw", MarketKey::MatchResult, SelectionKey::Draw),
        ("btts", MarketKey::BothTeamsToScore, SelectionKey::Yes),
        ("ht", MarketKey::HalfTimeResult, SelectionKey::Home),
    ] {
        assert_eq!(
            t.bet(id, market, sel, 1_000, OddsPolicy::Any).status,
            BetStatus::Accepted
        );
    }
    t.kick_off();
    t.play_for(30 * MIN);
    t.both(FeedKind::Goal {
        team: Team::Home,
        score: None,
    });
    t.play_for(15 * MIN);
    t.both(FeedKind::PeriodEnd { period: 1 });
    t.play_for(15 * MIN);
    t.both(FeedKind::PeriodStart { period: 2 });
    t.play_for(30 * MIN);
    let (next_id, next_goal) = ("next", MarketKey::NextGoal);
    assert_eq!(
        t.bet(next_id, next_goal, SelectionKey::Away, 500, OddsPolicy::Any)
            .status,
        BetStatus::Accepted
    );
    t.play_for(17 * MIN);
    t.both(FeedKind::MatchEnd);
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(1, 0)
    );
    let r = |t: &Timeline, id: &str| t.ev.settlement(id).unwrap().result;
    assert_eq!(r(&t, "home"), SettlementResult::Won);
    assert_eq!(r(&t, "next"), SettlementResult::Lost);
    let home_paid = t.ev.settlement("home").unwrap().payout;
    // Both feeds missed an away goal at 88:00: the trader enters the corrected goals.
    let correction = ResultCorrection {
        goals: vec![
            CorrectedGoal {
                team: Team::Home,
                half: 1,
                clock_ms: 30 * MIN,
            },
            CorrectedGoal {
                team: Team::Away,
                half: 2,
                clock_ms: 88 * MIN,
            },
        ],
    };
    let out = t.apply(Input::Resettle(correction.clone()));
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(1, 1)
    );
    let by_id = |id: &str| out.settlements.iter().find(|s| s.bet_id == id).cloned();
    let home = by_id("home").unwrap();
    assert_eq!(home.result, SettlementResult::Lost);
    let c = home.correction.unwrap();
    assert_eq!(c.previous_result, SettlementResult::Won);
    assert_eq!(c.previous_payout, home_paid);
    assert_eq!(c.difference, -(home_paid as i64));
    assert_eq!(by_id("draw").unwrap().result, SettlementResult::Won);
    assert_eq!(by_id("btts").unwrap().result, SettlementResult::Won);
    // The next goal after the 75:00 bet was the away goal at 88:00.
    assert_eq!(by_id("next").unwrap().result, SettlementResult::Won);
    // The half-time bet stands: the correction did not touch the first half.
    assert!(by_id("ht").is_none());
    assert_eq!(r(&t, "ht"), SettlementResult::Won);
    // In the audit log, and reproduced by replay.
    let entry = out.audit.unwrap();
    assert_eq!(entry.settlements, out.settlements);
    let replayed = LiveEvent::replay(&t.log).expect("replays");
    assert_eq!(replayed.settlement("home"), t.ev.settlement("home"));
    assert_eq!(replayed.audit_head(), t.ev.audit_head());
    // The same correction again changes nothing.
    assert!(t.apply(Input::Resettle(correction)).settlements.is_empty());
}

#[test]
fn a_correction_before_full_time_or_that_no_match_could_have_is_refused() {
    let mut t = second_half_with_a_bet(60);
    let goals = |half| ResultCorrection {
        goals: vec![CorrectedGoal {
            team: Team::Away,
            half,
            clock_ms: 50 * MIN,
        }],
    };
    assert!(t.apply(Input::Resettle(goals(2))).audit.is_none());
    t.play_for(33 * MIN);
    t.both(FeedKind::MatchEnd);
    assert!(t.apply(Input::Resettle(goals(3))).settlements.is_empty());
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(1, 0)
    );
}

/// A delta's binary form: seq, the wall time as an offset from the version it follows, the ops to
/// the end. Read against that version it is exactly the delta made; against any other, refused.
#[test]
fn a_delta_carries_its_seq_and_time_relative_to_the_version_it_follows() {
    let delta = |prev_at_ms, at_ms| Delta {
        version: Version { epoch: 7, seq: 2 },
        prev_at_ms,
        at_ms,
        ops: vec![DeltaOp::Abandoned(true)],
    };
    let after = |at_ms| Stamp {
        version: Version { epoch: 7, seq: 1 },
        at_ms,
    };
    // seq 2; 300 ms later (zigzag 600: d8 04); the op `abandoned` (variant 10) true. No epoch, no
    // absolute time, no op count.
    let d = delta(T0, T0 + 300);
    assert_eq!(d.to_bytes(), [0x02, 0xd8, 0x04, 0x0a, 0x01]);
    assert_eq!(Delta::decode(&d.to_bytes(), after(T0)), Ok(d.clone()));
    // Any two times round-trip: earlier than the version before (a host's clock stepped back),
    // and the widest gap there is.
    for (prev, at) in [(T0, T0 - 1_500), (0, u64::MAX), (u64::MAX, 0), (T0, T0)] {
        let d = delta(prev, at);
        assert_eq!(Delta::decode(&d.to_bytes(), after(prev)), Ok(d));
    }
    // Against another version (the one before, the same, a later one, or no context at all) it is
    // refused, never read with a wrong time.
    for seq in [0, 2, 3] {
        let have = Version { epoch: 7, seq };
        let refused = Delta::decode(
            &d.to_bytes(),
            Stamp {
                version: have,
                at_ms: T0,
            },
        );
        assert_eq!(
            refused,
            Err(StreamError::OutOfOrder {
                have,
                got: Version { epoch: 7, seq: 2 }
            })
        );
    }
    assert_eq!(
        Delta::decode(&d.to_bytes(), Stamp::default()).map_err(|e| e.code()),
        Err("out_of_order")
    );
    // Cut short or with a broken op: malformed. A header alone is a delta with no ops.
    for bad in [
        &[][..],
        &[0x02],
        &[0x02, 0xd8],
        &[0x02, 0xd8, 0x04, 0x0a],
        &[0x02, 0xd8, 0x04, 0xff],
    ] {
        assert_eq!(
            Delta::decode(bad, after(T0)).map_err(|e| e.code()),
            Err("malformed"),
            "{bad:02x?}"
        );
    }
    assert_eq!(
        Delta::decode(&[0x02, 0xd8, 0x04], after(T0)).map(|d| d.ops.len()),
        Ok(0)
    );
    // A snapshot carries its version's time, so a client reads the next delta with nothing else.
    let mut t = Timeline::new();
    t.kick_off();
    t.play_for(MIN);
    let snap = t.ev.snapshot();
    let mut mirror = Snapshot::from_bytes(&snap.to_bytes()).unwrap();
    assert_eq!(mirror.at_ms, snap.at_ms);
    let out = t.apply(Input::Suspend {
        market: Some(MarketKey::MatchResult),
    });
    let made = out.delta.expect("a suspension changes the image");
    assert_eq!(made.prev_at_ms, snap.at_ms);
    assert_eq!(mirror.apply_bytes(&made.to_bytes()), Ok(made.clone()));
    assert_eq!(mirror, t.ev.snapshot());
}

#[test]
fn a_checkpoint_resumes_where_the_log_left_off_and_refuses_what_does_not_chain() {
    let mut t = second_half_with_a_bet(70);
    let k = t.log.len() / 2;
    let head = LiveEvent::replay(&t.log[..k]).unwrap();
    let cp = head.checkpoint();
    assert_eq!(cp.index, k as u64);
    let resumed = LiveEvent::resume(&cp, &t.log[k..]).unwrap();
    assert_eq!(resumed.checkpoint(), t.ev.checkpoint());
    // A tail that skips an entry, or a damaged checkpoint, is refused.
    assert!(LiveEvent::resume(&cp, &t.log[k + 1..]).is_err());
    let mut damaged = cp.clone();
    damaged.state[10] ^= 1;
    assert_eq!(
        LiveEvent::from_checkpoint(&damaged).unwrap_err(),
        LiveError::BadCheckpoint
    );
    // The resumed event streams on where the other left off: same version, same time.
    assert_eq!(resumed.snapshot(), t.ev.snapshot());
    // A checkpoint written before the version's time was kept (its state ends early), even with a
    // hash that matches, is refused: the host replays the whole log instead.
    use sha2::Digest;
    let mut old = cp.clone();
    let time = postcard::to_allocvec(&head.snapshot().at_ms).unwrap();
    old.state.truncate(old.state.len() - time.len());
    old.hash = Hash(sha2::Sha256::digest(&old.state).into());
    assert_eq!(
        LiveEvent::from_checkpoint(&old).unwrap_err(),
        LiveError::BadCheckpoint
    );
    t.play_for(MIN);
}

#[test]
fn a_bet_checks_one_market_priced_exactly_as_the_book() {
    let mut t = second_half_with_a_bet(70);
    t.feed(Source::Primary, FeedKind::RedCard { team: Team::Away });
    t.play_for(10 * SEC_STEP);
    let book = t.ev.prices(t.now).unwrap();
    for m in &book.markets {
        let alone = t.ev.image().price_market(t.now, m.key).unwrap().unwrap();
        assert_eq!(&alone, m, "{}", m.key);
    }
    assert_eq!(
        t.ev.image()
            .price_market(t.now, MarketKey::HalfTimeResult)
            .unwrap(),
        None
    );
}

const SEC_STEP: u64 = 1_000;

#[test]
fn trader_inputs_cancel_a_goal_set_the_model_void_a_bet_and_end_the_match() {
    let mut t = second_half_with_a_bet(70);
    // The 1-0 goal is ruled out by the trader.
    t.apply(Input::CancelGoal { team: Team::Home });
    assert_eq!(
        t.ev.image().football().unwrap().state.score,
        Score::new(0, 0)
    );
    // New expected goals change the prices; invalid ones change nothing and log nothing.
    let before = t.home_prob();
    t.play_for(10 * SEC_STEP);
    t.apply(Input::SetParams(FootballParams::new(2.4, 0.8)));
    assert!(t.home_prob() > before);
    assert!(
        t.apply(Input::SetParams(FootballParams::new(-1.0, 0.8)))
            .audit
            .is_none()
    );
    // Voiding the accepted bet: stake back at once, liability released.
    let liability = t.ev.market_liability(MarketKey::MatchResult);
    assert!(liability > 0);
    let out = t.apply(Input::VoidBet {
        bet_id: "home".into(),
    });
    assert_eq!(out.settlements.len(), 1);
    assert_eq!(
        (out.settlements[0].result, out.settlements[0].payout),
        (SettlementResult::Void, 1_000)
    );
    assert_eq!(t.ev.market_liability(MarketKey::MatchResult), 0);
    // The trader ends the match: it settles, the voided bet stays void.
    t.play_for(21 * MIN);
    t.apply(Input::EndMatch);
    assert_eq!(
        t.ev.image().football().unwrap().state.period,
        Period::FullTime
    );
    assert_eq!(
        t.ev.settlement("home").unwrap().result,
        SettlementResult::Void
    );
    LiveEvent::replay(&t.log).expect("trader inputs replay");
}

#[test]
fn the_desk_reads_source_health_what_waits_and_the_books_exposure() {
    let mut t = second_half_with_a_bet(70);
    // Source health: both spoke, neither holds anything.
    let health = t.ev.source_health();
    assert!(
        health
            .iter()
            .all(|h| h.last_message_ms.is_some() && h.held == 0)
    );
    // One source's goal waits for the other.
    t.feed(
        Source::Primary,
        FeedKind::Goal {
            team: Team::Away,
            score: None,
        },
    );
    assert!(matches!(
        t.ev.awaiting().as_slice(),
        [Awaiting::Goal {
            team: Team::Away,
            source: Source::Primary
        }]
    ));
    t.feed(
        Source::Backup,
        FeedKind::Goal {
            team: Team::Away,
            score: None,
        },
    );
    assert!(t.ev.awaiting().is_empty());
    // The 1,000 home bet: its liability and stake, and the book loses only if home wins.
    let e = t.ev.exposure();
    let home = e
        .iter()
        .find(|x| x.market == MarketKey::MatchResult && x.selection == SelectionKey::Home)
        .unwrap();
    assert_eq!((home.stakes, home.bets), (1_000, 1));
    let price = t.ev.bet("home").unwrap().price.unwrap();
    assert_eq!(home.liability, net_win(1_000, price));
    let outcomes = t.ev.outcomes(2);
    assert_eq!(outcomes.len(), 9);
    for o in outcomes {
        let home_wins = o.score.home > o.score.away;
        let want = if home_wins {
            -(net_win(1_000, price) as i64)
        } else {
            1_000
        };
        assert_eq!(o.net, want, "{:?}", o.score);
    }
}
