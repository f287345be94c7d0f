//! Scenario tests of a tennis match in the live engine, written as timelines: two sources report
//! points (each at its own pace), bets are placed, and the image, statuses, prices, decisions and
//! settlements are checked. Every delta is applied to a client mirror, which must stay
//! byte-identical to the edge's snapshot; the log must replay, and a checkpoint plus the rest of
//! the log must give the same state.

use inplay_engine::live::*;
use inplay_engine::market::{Line, MarketKey, SelectionKey};
use inplay_engine::tennis::{AfterPoint, FinalSet, Player, TennisParams, TennisState};

const T0: u64 = 1_764_240_000_000;
const SEC: u64 = 1_000;

fn params() -> TennisParams {
    TennisParams::new(0.64, 0.62, 3)
}

fn opening(p: TennisParams) -> Opening {
    Opening {
        event_id: "t1".into(),
        fixture: Fixture {
            home: "Sinner".into(),
            away: "Alcaraz".into(),
            kickoff_ms: T0,
        },
        params: p.into(),
        trading: TradingTerms::default(),
        config: LiveConfig::default(),
        epoch: 1,
    }
}

struct Match {
    ev: LiveEvent,
    now: u64,
    seq: [u64; 2],
    mirror: LiveView,
    log: Vec<AuditEntry>,
    params: TennisParams,
    /// What really happened: (winner, server) of every point played.
    truth: Vec<(Player, Player)>,
    state: TennisState,
    over: bool,
    /// Points of `truth` each source has reported.
    reported: [usize; 2],
}

impl Match {
    fn new(p: TennisParams) -> Match {
        let (ev, entry) = LiveEvent::new(opening(p), T0).unwrap();
        let mirror = LiveView::from_bytes(&ev.snapshot().to_bytes()).unwrap();
        Match {
            ev,
            now: T0,
            seq: [0, 0],
            mirror,
            log: vec![entry],
            params: p,
            truth: Vec::new(),
            state: TennisState::pre_match(Player::A),
            over: false,
            reported: [0, 0],
        }
    }

    fn apply(&mut self, input: Input) -> Output {
        let before = self.ev.version();
        let out = self.ev.apply(input, self.now);
        if let Some(d) = &out.delta {
            assert_eq!(d.version.seq, before.seq + 1);
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

    fn wait(&mut self, ms: u64) -> Output {
        self.now += ms;
        self.apply(Input::Tick)
    }

    /// Time passes with both sources' heartbeats every second; what settled meanwhile.
    fn pass(&mut self, ms: u64) -> Output {
        let end = self.now + ms;
        let mut all = Output::default();
        while self.now < end {
            let out = self.wait((end - self.now).min(SEC));
            all.decisions.extend(out.decisions);
            all.settlements.extend(out.settlements);
            self.heartbeats();
        }
        all
    }

    fn feed(&mut self, source: Source, kind: FeedKind) -> FeedOutcome {
        self.feed_out(source, kind).feed.unwrap().outcome
    }

    fn feed_out(&mut self, source: Source, kind: FeedKind) -> Output {
        let i = source.index();
        self.seq[i] += 1;
        let ev = FeedEvent {
            event_id: "t1".into(),
            source,
            seq: self.seq[i],
            ts: self.now,
            clock_ms: None,
            kind,
        };
        self.apply(Input::Feed(ev))
    }

    /// A point is played (nobody has reported it yet).
    fn play(&mut self, winner: Player) {
        assert!(!self.over, "the match is over");
        self.truth.push((winner, self.state.server));
        match self.state.after_point(&self.params, winner).unwrap() {
            AfterPoint::InPlay(s) => self.state = s,
            AfterPoint::MatchOver { .. } => self.over = true,
        }
    }

    /// `source` reports the next point it has not reported.
    fn report(&mut self, source: Source) -> Output {
        let n = self.reported[source.index()];
        let (winner, server) = self.truth[n];
        self.reported[source.index()] += 1;
        self.feed_out(
            source,
            FeedKind::Point {
                point: n as u32 + 1,
                winner,
                server,
            },
        )
    }

    /// A point both sources report, a fifth of a second apart, then a few seconds pass.
    fn point(&mut self, winner: Player) -> Vec<Settlement> {
        self.play(winner);
        let mut settled = self.report(Source::Primary).settlements;
        self.now += 200;
        settled.extend(self.report(Source::Backup).settlements);
        settled.extend(self.pass(5 * SEC).settlements);
        settled
    }

    /// Points from a pattern: `S` the server wins it, `R` the returner.
    fn points(&mut self, pattern: &str) -> Vec<Settlement> {
        let mut settled = Vec::new();
        for c in pattern.chars() {
            let server = self.state.server;
            let winner = if c == 'S' { server } else { server.other() };
            settled.extend(self.point(winner));
        }
        settled
    }

    /// Every point won by `p` until the game ends.
    fn game_to(&mut self, p: Player) -> Vec<Settlement> {
        let (sets, games) = (self.state.sets, self.state.games);
        let mut settled = Vec::new();
        while !self.over && self.state.sets == sets && self.state.games == games {
            settled.extend(self.point(p));
        }
        settled
    }

    fn heartbeats(&mut self) {
        self.feed(Source::Primary, FeedKind::Heartbeat { score: None });
        self.feed(Source::Backup, FeedKind::Heartbeat { score: None });
    }

    fn start(&mut self, server: Player) {
        assert_eq!(
            self.feed(Source::Primary, FeedKind::MatchStart { server }),
            FeedOutcome::Accepted
        );
        assert_eq!(
            self.feed(Source::Backup, FeedKind::MatchStart { server }),
            FeedOutcome::Duplicate
        );
        self.state.server = server;
    }

    fn image(&self) -> &TennisImage {
        self.ev.image().tennis().unwrap()
    }

    fn status(&self) -> MarketStatus {
        self.ev.market_status(MarketKey::MatchWinner)
    }

    fn bet(&mut self, id: &str, market: MarketKey, sel: SelectionKey) -> BetDecision {
        let book = self.ev.prices(self.now).unwrap();
        let price = book
            .selection(market, sel)
            .and_then(|s| s.odds)
            .and_then(Price::from_decimal)
            .unwrap();
        let req = BetRequest {
            bet_id: id.into(),
            user_id: "u1".into(),
            market,
            selection: sel,
            stake: 1_000,
            price,
            seen_version: self.ev.version(),
            policy: OddsPolicy::Any,
        };
        let out = self.apply(Input::Bet(req));
        out.decisions.into_iter().find(|d| d.bet_id == id).unwrap()
    }

    /// A bet placed and waited out (in play: accepted after the delay).
    fn accepted_bet(&mut self, id: &str, market: MarketKey, sel: SelectionKey) {
        let d = self.bet(id, market, sel);
        if d.status == BetStatus::Pending {
            let out = self.pass(5 * SEC);
            let d = out.decisions.iter().find(|d| d.bet_id == id).unwrap();
            assert_eq!(d.status, BetStatus::Accepted, "{id}");
        } else {
            assert_eq!(d.status, BetStatus::Accepted, "{id}");
        }
    }

    fn result(&self, id: &str) -> Option<SettlementResult> {
        self.ev.settlement(id).map(|s| s.result)
    }

    /// The log replays, and a checkpoint anywhere plus the rest equals the whole.
    fn check_log(&self) {
        let replayed = LiveEvent::replay(&self.log).expect("log replays");
        assert_eq!(replayed.audit_head(), self.ev.audit_head());
        assert_eq!(replayed.checkpoint(), self.ev.checkpoint());
        let stored: Vec<AuditEntry> = self
            .log
            .iter()
            .map(|e| AuditEntry::from_bytes(&e.to_bytes()).unwrap())
            .collect();
        let n = stored.len();
        for k in [1, n / 4, n / 2, n - 1, n] {
            let head = LiveEvent::replay(&stored[..k]).unwrap();
            let saved = Checkpoint::from_bytes(&head.checkpoint().to_bytes()).unwrap();
            let resumed = LiveEvent::resume(&saved, &stored[k..]).unwrap();
            assert_eq!(
                resumed.checkpoint(),
                self.ev.checkpoint(),
                "checkpoint at {k}"
            );
        }
    }
}

fn suspended(reason: SuspensionReason) -> MarketStatus {
    MarketStatus::Suspended { reason }
}

fn a_prob(m: &Match) -> f64 {
    m.ev.prices(m.now)
        .unwrap()
        .selection(MarketKey::MatchWinner, SelectionKey::A)
        .unwrap()
        .prob
        .unwrap()
}

#[test]
fn a_tennis_opening_says_its_sport_in_json_and_binary_and_football_does_not() {
    let o = opening(params());
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["sport"], "tennis");
    assert_eq!(json["params"]["serve_a"], 0.64);
    let back: Opening = serde_json::from_value(json).unwrap();
    assert_eq!(back, o);
    let bin = postcard::to_allocvec(&o).unwrap();
    assert_eq!(bin[0], 0, "an empty event id marks another sport");
    assert_eq!(postcard::from_bytes::<Opening>(&bin).unwrap(), o);

    // Football's binary form is marked only for clock rules newer than its layout (its golden
    // test in golden.rs has the rest).
    let football = Opening {
        params: inplay_engine::football::FootballParams::new(1.5, 1.1).into(),
        config: LiveConfig::EARLIER_CLOCK,
        ..o.clone()
    };
    let json = serde_json::to_value(&football).unwrap();
    assert!(json.get("sport").is_none());
    let bin = postcard::to_allocvec(&football).unwrap();
    assert_eq!(bin[0] as usize, "t1".len());
    assert_eq!(postcard::from_bytes::<Opening>(&bin).unwrap(), football);

    // What a client sends to create a match.
    let sent = r#"{"event_id":"t1","sport":"tennis","fixture":{"home":"A","away":"B","kickoff_ms":1},
        "params":{"serve_a":0.66,"serve_b":0.6,"best_of":5,"final_set":"tiebreak10"}}"#;
    let o: Opening = serde_json::from_str(sent).unwrap();
    let SportParams::Tennis(p) = o.params else {
        panic!("tennis")
    };
    assert_eq!((p.best_of, p.final_set), (5, FinalSet::Tiebreak10));
    // Tennis parameters without the sport, or football's with it, are refused.
    let wrong = sent.replace(r#""sport":"tennis","#, "");
    assert!(serde_json::from_str::<Opening>(&wrong).is_err());
    let wrong = r#"{"event_id":"t1","sport":"tennis","fixture":{"home":"A","away":"B","kickoff_ms":1},"params":{"home_xg":1.2,"away_xg":1.0}}"#;
    assert!(serde_json::from_str::<Opening>(wrong).is_err());
    let wrong = sent.replace("tennis", "cricket");
    assert!(serde_json::from_str::<Opening>(&wrong).is_err());
}

#[test]
fn an_image_round_trips_in_both_forms_and_names_its_sport_in_json() {
    let mut m = Match::new(params());
    m.start(Player::B);
    m.points("SSSS");
    let image = m.ev.image().clone();
    let json = serde_json::to_value(&image).unwrap();
    assert_eq!(json["sport"], "tennis");
    assert_eq!(json["games"], serde_json::json!([0, 1]));
    assert_eq!(json["server"], "a");
    assert_eq!(serde_json::from_value::<MatchImage>(json).unwrap(), image);
    let snap = m.ev.snapshot();
    assert_eq!(Snapshot::from_bytes(&snap.to_bytes()).unwrap(), snap);
}

#[test]
fn two_sources_agreeing_play_a_match_through_games_sets_and_the_end() {
    let mut m = Match::new(params());
    assert_eq!(m.status(), MarketStatus::Open);
    m.start(Player::A);
    assert_eq!(m.image().phase, TennisPhase::InPlay);
    // A holds to 15: the first report waits for the second, which confirms it.
    m.play(Player::A);
    let first = m.report(Source::Primary);
    assert_eq!(first.feed.unwrap().outcome, FeedOutcome::Accepted);
    assert!(first.delta.is_none(), "a point waits for the other source");
    assert_eq!(m.image().points, [0, 0]);
    assert_eq!(m.status(), MarketStatus::Open, "a point does not suspend");
    let second = m.report(Source::Backup);
    assert_eq!(second.feed.unwrap().outcome, FeedOutcome::Accepted);
    assert_eq!(
        second.delta.unwrap().ops,
        vec![DeltaOp::Point(Player::A)],
        "a point is streamed as who won it"
    );
    m.points("SRSS");
    assert_eq!((m.image().games, m.image().server), ([1, 0], Player::B));
    // Sets: A wins every point from here.
    while m.image().sets.is_empty() {
        m.point(Player::A);
    }
    assert_eq!(m.image().sets[0].games, [6, 0]);
    assert_eq!(m.image().games, [0, 0]);
    // Set two to a tiebreak, B winning it 7-5.
    for _ in 0..12 {
        let server = m.state.server;
        m.game_to(server);
    }
    assert_eq!(m.image().games, [6, 6]);
    for w in "ABABABABABBB".chars() {
        m.point(if w == 'A' { Player::A } else { Player::B });
    }
    let set2 = m.image().sets[1];
    assert_eq!(set2.winner(), Player::B);
    assert_eq!(set2.tiebreak.map(|t| t[0].max(t[1])), Some(7));
    // The third set, to A: the match ends on its last point.
    while !m.over {
        m.point(Player::A);
    }
    assert_eq!(m.image().phase, TennisPhase::Finished { winner: Player::A });
    assert_eq!(m.image().sets.len(), 3);
    assert_eq!(m.status(), MarketStatus::Settled);
    assert!(m.ev.prices(m.now).unwrap().markets.is_empty());
    assert!(!m.ev.image().clock.running);
    // The providers' word that it is over: a cross-check, already known.
    assert_eq!(
        m.feed(
            Source::Primary,
            FeedKind::TennisMatchEnd { winner: Player::A }
        ),
        FeedOutcome::Duplicate
    );
    assert_eq!(
        m.feed(
            Source::Backup,
            FeedKind::TennisMatchEnd { winner: Player::B }
        ),
        FeedOutcome::Rejected {
            reason: FeedRejection::InvalidTransition
        }
    );
    m.check_log();
}

#[test]
fn a_point_stands_on_one_source_when_the_other_is_silent_and_waits_when_it_is_not() {
    let mut m = Match::new(params());
    m.start(Player::A);
    // The backup falls silent (stale after 10 s); the primary's points stand alone.
    for _ in 0..11 {
        m.wait(SEC);
        m.feed(Source::Primary, FeedKind::Heartbeat { score: None });
    }
    m.play(Player::A);
    m.report(Source::Primary);
    assert_eq!(m.image().points, [1, 0]);
    // The backup comes back and catches up: its report of the point is a duplicate.
    assert_eq!(
        m.report(Source::Backup).feed.unwrap().outcome,
        FeedOutcome::Duplicate
    );
    // Both alive: a point the backup does not confirm within the window suspends.
    m.play(Player::B);
    m.report(Source::Primary);
    assert_eq!(m.image().points, [1, 0]);
    assert_eq!(m.ev.next_wakeup(), Some(m.now + 3 * SEC));
    m.now += 3 * SEC;
    m.apply(Input::Tick);
    assert_eq!(m.status(), suspended(SuspensionReason::SourceDiscrepancy));
    // Its late confirmation applies the point and reopens.
    let out = m.report(Source::Backup);
    assert_eq!(out.feed.unwrap().outcome, FeedOutcome::Accepted);
    assert_eq!(m.image().points, [1, 1]);
    assert_eq!(m.status(), MarketStatus::Open);
    m.check_log();
}

#[test]
fn a_source_ahead_queues_its_points_and_the_other_confirms_them_in_order() {
    let mut m = Match::new(params());
    m.start(Player::A);
    for w in [Player::A, Player::A, Player::B] {
        m.play(w);
        m.report(Source::Primary);
        m.now += 300;
    }
    assert_eq!(m.image().points, [0, 0]);
    m.report(Source::Backup);
    m.report(Source::Backup);
    assert_eq!(m.image().points, [2, 0]);
    m.report(Source::Backup);
    assert_eq!(m.image().points, [2, 1]);
    // A report further ahead than a source may run is refused.
    let skip = m.feed(
        Source::Backup,
        FeedKind::Point {
            point: 3 + 64 + 1,
            winner: Player::A,
            server: Player::A,
        },
    );
    assert_eq!(
        skip,
        FeedOutcome::Rejected {
            reason: FeedRejection::SeqGap
        }
    );
    m.check_log();
}

#[test]
fn a_source_that_lost_a_report_does_not_stop_the_match() {
    let mut m = Match::new(params());
    m.start(Player::A);
    m.points("SS");
    // The primary's report of point 3 is lost; it goes on with 4 and 5.
    for w in [Player::A, Player::B, Player::B] {
        m.play(w);
    }
    m.reported[0] += 1;
    m.report(Source::Primary);
    m.report(Source::Primary);
    assert_eq!(m.image().points, [2, 0], "points 4 and 5 wait for point 3");
    // The backup reports all three: point 3 on its word alone (the primary, reporting later
    // points, passed it without dispute), then 4 and 5 agreed.
    for _ in 0..3 {
        m.report(Source::Backup);
    }
    assert_eq!(m.image().points, [3, 2]);
    assert_eq!(m.status(), MarketStatus::Open);
    m.pass(10 * SEC);
    assert_eq!(m.status(), MarketStatus::Open);
    m.check_log();
}

#[test]
fn sources_naming_different_winners_suspend_until_a_trader_believes_one() {
    let mut m = Match::new(params());
    m.start(Player::A);
    m.points("SS");
    m.play(Player::A);
    m.report(Source::Primary);
    // The backup says B won point 3.
    let said = m.feed(
        Source::Backup,
        FeedKind::Point {
            point: 3,
            winner: Player::B,
            server: Player::A,
        },
    );
    assert_eq!(said, FeedOutcome::Accepted);
    assert_eq!(m.status(), suspended(SuspensionReason::SourceDiscrepancy));
    assert_eq!(m.image().points, [2, 0]);
    m.pass(30 * SEC);
    assert_eq!(m.status(), suspended(SuspensionReason::SourceDiscrepancy));
    m.apply(Input::ConfirmSource {
        source: Source::Primary,
    });
    assert_eq!(m.image().points, [3, 0]);
    assert_eq!(m.status(), MarketStatus::Open);
    m.check_log();
}

#[test]
fn the_server_must_follow_the_rules_except_for_the_first_point() {
    let mut m = Match::new(params());
    // No match_start: the first point starts the match, and its server won the toss.
    m.state.server = Player::B;
    m.play(Player::B);
    let out = m.report(Source::Primary);
    assert_eq!(out.feed.unwrap().outcome, FeedOutcome::Accepted);
    assert_eq!(m.image().phase, TennisPhase::InPlay);
    assert_eq!(m.image().server, Player::B);
    m.report(Source::Backup);
    m.play(Player::B);
    let wrong = m.feed(
        Source::Primary,
        FeedKind::Point {
            point: 2,
            winner: Player::B,
            server: Player::A,
        },
    );
    assert_eq!(
        wrong,
        FeedOutcome::Rejected {
            reason: FeedRejection::InvalidTransition
        }
    );
}

#[test]
fn game_set_and_match_ends_are_checked_against_the_points() {
    let mut m = Match::new(params());
    m.start(Player::A);
    m.points("SSS");
    assert_eq!(
        m.feed(Source::Primary, FeedKind::GameEnd { winner: Player::A }),
        FeedOutcome::Rejected {
            reason: FeedRejection::InvalidTransition
        }
    );
    m.points("S");
    // Each source's cross-check follows its own last point, also before the other confirms it.
    assert_eq!(
        m.feed(Source::Primary, FeedKind::GameEnd { winner: Player::A }),
        FeedOutcome::Accepted
    );
    assert_eq!(
        m.feed(Source::Backup, FeedKind::GameEnd { winner: Player::B }),
        FeedOutcome::Rejected {
            reason: FeedRejection::InvalidTransition
        }
    );
    for _ in 0..4 {
        m.game_to(Player::A);
    }
    m.play(Player::A);
    m.play(Player::A);
    m.play(Player::A);
    m.play(Player::A);
    for _ in 0..4 {
        m.report(Source::Primary);
    }
    assert_eq!(m.image().sets.len(), 0, "not confirmed yet");
    let set_end = FeedKind::SetEnd {
        winner: Player::A,
        games: [6, 0],
    };
    assert_eq!(
        m.feed(Source::Primary, set_end.clone()),
        FeedOutcome::Accepted
    );
    let wrong = FeedKind::SetEnd {
        winner: Player::A,
        games: [6, 1],
    };
    assert!(matches!(
        m.feed(Source::Primary, wrong),
        FeedOutcome::Rejected { .. }
    ));
}

#[test]
fn game_and_set_bets_settle_when_their_game_and_set_end() {
    let mut m = Match::new(params());
    m.accepted_bet("pre-match", MarketKey::MatchWinner, SelectionKey::A);
    m.start(Player::A);
    m.accepted_bet("game1-a", MarketKey::GameWinner, SelectionKey::A);
    m.accepted_bet("game1-b", MarketKey::GameWinner, SelectionKey::B);
    m.accepted_bet("set1-b", MarketKey::SetWinner, SelectionKey::B);
    m.accepted_bet("set2-a", MarketKey::NextSetWinner, SelectionKey::A);
    m.accepted_bet(
        "over",
        MarketKey::TotalGames(Line::from_quarters(82)),
        SelectionKey::Over,
    );
    m.accepted_bet("tb-yes", MarketKey::Tiebreak, SelectionKey::Yes);
    m.points("SSS");
    assert_eq!(m.result("game1-a"), None);
    let settled = m.points("S");
    let ids: Vec<&str> = settled.iter().map(|s| s.bet_id.as_str()).collect();
    assert_eq!(ids, ["game1-a", "game1-b"]);
    assert_eq!(m.result("game1-a"), Some(SettlementResult::Won));
    assert_eq!(m.ev.settlement("game1-a").unwrap().payout, {
        let price = m.ev.bet("game1-a").unwrap().price.unwrap();
        SettlementResult::Won.payout(1_000, price)
    });
    assert_eq!(m.result("game1-b"), Some(SettlementResult::Lost));
    // Game 2 bet struck now is on game 2: B serves it and A breaks.
    m.accepted_bet("game2-b", MarketKey::GameWinner, SelectionKey::B);
    m.game_to(Player::A);
    assert_eq!(m.result("game2-b"), Some(SettlementResult::Lost));
    // A takes the first set 6-0: the set bet settles, the next-set bet is now on the set in play.
    while m.image().sets.is_empty() {
        m.point(Player::A);
    }
    assert_eq!(m.result("set1-b"), Some(SettlementResult::Lost));
    assert_eq!(m.result("set2-a"), None);
    assert_eq!(m.result("over"), None);
    // Set two to B, 6-0: the next-set bet (on set two) loses.
    while m.image().sets.len() < 2 {
        m.point(Player::B);
    }
    assert_eq!(m.result("set2-a"), Some(SettlementResult::Lost));
    assert_eq!(m.result("pre-match"), None);
    assert_eq!(m.result("over"), None, "12 games so far");
    // Set three: holds to 5-4 make 21 games, so over 20.5 is decided before the end.
    for _ in 0..9 {
        let server = m.state.server;
        m.game_to(server);
    }
    assert_eq!(m.image().games, [5, 4]);
    assert_eq!(
        m.result("over"),
        Some(SettlementResult::Won),
        "passed at game 21"
    );
    while !m.over {
        m.point(Player::A);
    }
    assert_eq!(m.result("pre-match"), Some(SettlementResult::Won));
    assert_eq!(m.result("tb-yes"), Some(SettlementResult::Lost));
    m.check_log();
}

#[test]
fn a_pending_bet_on_a_game_that_ends_within_its_delay_is_refused() {
    let mut m = Match::new(params());
    m.start(Player::A);
    m.points("S");
    let d = m.bet("late", MarketKey::GameWinner, SelectionKey::B);
    assert_eq!(d.status, BetStatus::Pending);
    let d = m.bet("late-match", MarketKey::MatchWinner, SelectionKey::B);
    assert_eq!(d.status, BetStatus::Pending);
    // A wins the game within the bets' delay.
    let mut decided = Vec::new();
    for _ in 0..3 {
        m.play(Player::A);
        m.report(Source::Primary);
        m.now += 200;
        decided.extend(m.report(Source::Backup).decisions);
    }
    assert_eq!(m.image().games, [1, 0]);
    let late = decided.iter().find(|d| d.bet_id == "late").unwrap();
    assert_eq!(
        late.status,
        BetStatus::Rejected {
            code: RejectCode::MarketClosed
        }
    );
    // The match bet is decided at the end of its delay, at the price after the points.
    let out = m.pass(5 * SEC);
    let d = out
        .decisions
        .iter()
        .find(|d| d.bet_id == "late-match")
        .unwrap();
    assert_eq!(d.status, BetStatus::Accepted);
    let now = m.ev.prices(m.now).unwrap();
    let offered = now
        .selection(MarketKey::MatchWinner, SelectionKey::B)
        .unwrap()
        .odds;
    assert_eq!(d.price.map(Price::to_f64), offered);
}

#[test]
fn a_retirement_needs_both_sources_and_voids_what_was_not_decided() {
    let mut m = Match::new(params());
    m.start(Player::A);
    m.accepted_bet("match", MarketKey::MatchWinner, SelectionKey::A);
    m.accepted_bet("game1", MarketKey::GameWinner, SelectionKey::A);
    m.accepted_bet("set1", MarketKey::SetWinner, SelectionKey::A);
    m.accepted_bet("set2", MarketKey::NextSetWinner, SelectionKey::A);
    m.accepted_bet(
        "over",
        MarketKey::TotalGames(Line::from_quarters(82)),
        SelectionKey::Over,
    );
    m.accepted_bet("sets", MarketKey::SetBetting, SelectionKey::Score(2, 0));
    while m.image().sets.is_empty() {
        m.point(Player::A);
    }
    m.game_to(Player::B);
    assert_eq!(m.result("game1"), Some(SettlementResult::Won));
    assert_eq!(m.result("set1"), Some(SettlementResult::Won));
    // One source says B retires: markets suspend, nothing settles.
    let retire = FeedKind::Retirement { player: Player::B };
    let out = m.feed_out(Source::Primary, retire.clone());
    assert_eq!(out.feed.unwrap().outcome, FeedOutcome::Accepted);
    assert!(out.settlements.is_empty());
    assert_eq!(m.status(), suspended(SuspensionReason::Retirement));
    // Even after its window, with the other source silent, it does not stand alone.
    for _ in 0..15 {
        m.wait(SEC);
        m.feed(Source::Primary, FeedKind::Heartbeat { score: None });
    }
    assert_eq!(m.image().phase, TennisPhase::InPlay);
    // The other source confirms it.
    let out = m.feed_out(Source::Backup, retire);
    assert_eq!(out.feed.unwrap().outcome, FeedOutcome::Duplicate);
    assert_eq!(m.image().phase, TennisPhase::Retired { player: Player::B });
    assert_eq!(m.result("match"), Some(SettlementResult::Void));
    assert_eq!(m.result("sets"), Some(SettlementResult::Void));
    assert_eq!(m.result("set2"), Some(SettlementResult::Void));
    // 7 games played: over 20.5 was not decided.
    assert_eq!(m.result("over"), Some(SettlementResult::Void));
    assert_eq!(m.status(), MarketStatus::Settled);
    // Stakes back on the void ones.
    assert_eq!(m.ev.settlement("match").unwrap().payout, 1_000);
    m.check_log();
}

#[test]
fn a_challenge_and_a_medical_time_out_suspend_and_reopen_after_the_cool_off() {
    let mut m = Match::new(params());
    m.start(Player::A);
    m.points("SS");
    let before = a_prob(&m);
    assert_eq!(
        m.feed(
            Source::Primary,
            FeedKind::ChallengeStart {
                player: Some(Player::B)
            }
        ),
        FeedOutcome::Accepted
    );
    assert_eq!(m.status(), suspended(SuspensionReason::Challenge));
    assert_eq!(
        m.ev.image().suspensions[0].team,
        Some(inplay_engine::market::Team::Away)
    );
    let d = m.bet("during", MarketKey::MatchWinner, SelectionKey::A);
    assert_eq!(
        d.status,
        BetStatus::Rejected {
            code: RejectCode::MarketSuspended
        }
    );
    assert_eq!(
        m.feed(
            Source::Backup,
            FeedKind::ChallengeStart {
                player: Some(Player::B)
            }
        ),
        FeedOutcome::Duplicate
    );
    m.feed(Source::Primary, FeedKind::ChallengeEnd);
    assert_eq!(m.status(), suspended(SuspensionReason::Challenge));
    m.wait(5 * SEC);
    assert_eq!(m.status(), MarketStatus::Open);
    assert_eq!(a_prob(&m), before);
    assert_eq!(
        m.feed(Source::Primary, FeedKind::MedicalTimeoutEnd),
        FeedOutcome::Rejected {
            reason: FeedRejection::InvalidTransition
        }
    );
    m.feed(
        Source::Primary,
        FeedKind::MedicalTimeoutStart { player: None },
    );
    assert_eq!(m.status(), suspended(SuspensionReason::MedicalTimeout));
    m.feed(Source::Primary, FeedKind::MedicalTimeoutEnd);
    m.wait(5 * SEC);
    assert_eq!(m.status(), MarketStatus::Open);
}

#[test]
fn football_messages_are_refused_in_a_tennis_match_and_tennis_ones_in_football() {
    let mut m = Match::new(params());
    m.start(Player::A);
    for kind in [
        FeedKind::Kickoff,
        FeedKind::Goal {
            team: inplay_engine::market::Team::Home,
            score: None,
        },
        FeedKind::PeriodEnd { period: 1 },
    ] {
        assert_eq!(
            m.feed(Source::Primary, kind),
            FeedOutcome::Rejected {
                reason: FeedRejection::InvalidTransition
            }
        );
    }
    let football = Opening {
        params: inplay_engine::football::FootballParams::new(1.5, 1.1).into(),
        ..opening(params())
    };
    let (mut ev, _) = LiveEvent::new(football, T0).unwrap();
    let point = FeedEvent {
        event_id: "t1".into(),
        source: Source::Primary,
        seq: 1,
        ts: T0,
        clock_ms: None,
        kind: FeedKind::Point {
            point: 1,
            winner: Player::A,
            server: Player::A,
        },
    };
    let out = ev.apply(Input::Feed(point), T0);
    assert_eq!(
        out.feed.unwrap().outcome,
        FeedOutcome::Rejected {
            reason: FeedRejection::InvalidTransition
        }
    );
}

#[test]
fn tennis_feed_events_round_trip_through_json_and_binary() {
    for kind in [
        FeedKind::MatchStart { server: Player::B },
        FeedKind::Point {
            point: 57,
            winner: Player::A,
            server: Player::B,
        },
        FeedKind::GameEnd { winner: Player::B },
        FeedKind::SetEnd {
            winner: Player::A,
            games: [7, 6],
        },
        FeedKind::TennisMatchEnd { winner: Player::A },
        FeedKind::Retirement { player: Player::B },
        FeedKind::ChallengeStart {
            player: Some(Player::A),
        },
        FeedKind::ChallengeEnd,
        FeedKind::MedicalTimeoutStart { player: None },
        FeedKind::MedicalTimeoutEnd,
    ] {
        let ev = FeedEvent {
            event_id: "t1".into(),
            source: Source::Backup,
            seq: 3,
            ts: T0,
            clock_ms: None,
            kind,
        };
        assert_eq!(
            FeedEvent::from_json(ev.to_json().as_bytes()),
            Ok(ev.clone())
        );
        assert_eq!(FeedEvent::from_bytes(&ev.to_bytes()), Ok(ev));
    }
    let json = r#"{"event_id":"t1","source":"primary","seq":1,"ts":1,"kind":"point","point":1,"winner":"a","server":"a"}"#;
    assert!(FeedEvent::from_json(json.as_bytes()).is_ok());
    for (missing, field) in [
        (json.replace(r#","winner":"a""#, ""), "winner"),
        (json.replace(r#""point":1,"#, ""), "point"),
        (json.replace(r#""point":1,"#, r#""point":0,"#), "point"),
    ] {
        assert_eq!(
            FeedEvent::from_json(missing.as_bytes()),
            Err(DecodeError::MissingField {
                kind: "point",
                field
            })
        );
    }
}

#[test]
fn an_abandoned_tennis_match_keeps_what_was_decided() {
    let mut m = Match::new(params());
    m.start(Player::A);
    m.accepted_bet("game1", MarketKey::GameWinner, SelectionKey::A);
    m.accepted_bet("match", MarketKey::MatchWinner, SelectionKey::B);
    m.game_to(Player::A);
    m.accepted_bet("game2", MarketKey::GameWinner, SelectionKey::B);
    let out = m.apply(Input::Abandon);
    assert!(m.ev.image().abandoned);
    let ids: Vec<_> = out.settlements.iter().map(|s| s.bet_id.clone()).collect();
    assert_eq!(ids, ["game2", "match"]);
    assert_eq!(m.result("game1"), Some(SettlementResult::Won));
    assert_eq!(m.result("game2"), Some(SettlementResult::Void));
    assert_eq!(m.result("match"), Some(SettlementResult::Void));
    m.check_log();
}

#[test]
fn a_point_numbered_far_ahead_is_refused_whatever_the_reorder_capacity() {
    let mut o = opening(params());
    o.config.reorder_capacity = usize::MAX;
    let (mut ev, _) = LiveEvent::new(o, T0).unwrap();
    let far = FeedEvent {
        event_id: "t1".into(),
        source: Source::Primary,
        seq: 1,
        ts: T0,
        clock_ms: None,
        kind: FeedKind::Point {
            point: u32::MAX,
            winner: Player::A,
            server: Player::A,
        },
    };
    let out = ev.apply(Input::Feed(far), T0);
    assert_eq!(
        out.feed.unwrap().outcome,
        FeedOutcome::Rejected {
            reason: FeedRejection::SeqGap
        }
    );
    // Within reach, a skipped point waits as a hole; nothing stands yet.
    let near = FeedEvent {
        event_id: "t1".into(),
        source: Source::Primary,
        seq: 2,
        ts: T0,
        clock_ms: None,
        kind: FeedKind::Point {
            point: 200,
            winner: Player::A,
            server: Player::A,
        },
    };
    let out = ev.apply(Input::Feed(near), T0);
    assert_eq!(out.feed.unwrap().outcome, FeedOutcome::Accepted);
    assert_eq!(ev.image().tennis().unwrap().points, [0, 0]);
}

#[test]
fn the_desk_reads_points_waiting_each_sources_score_and_the_book_per_result_in_sets() {
    let mut m = Match::new(params());
    m.start(Player::A);
    m.accepted_bet("mw-a", MarketKey::MatchWinner, SelectionKey::A);
    m.accepted_bet("sb-2-1", MarketKey::SetBetting, SelectionKey::Score(2, 1));
    m.accepted_bet("set1-b", MarketKey::SetWinner, SelectionKey::B);
    m.accepted_bet("game1-a", MarketKey::GameWinner, SelectionKey::A);
    let gross = |m: &Match, id: &str| -> i64 {
        let price = m.ev.bet(id).unwrap().price.unwrap();
        SettlementResult::Won.payout(1_000, price) as i64
    };
    let (mw, sb, s1, g1) = (
        gross(&m, "mw-a"),
        gross(&m, "sb-2-1"),
        gross(&m, "set1-b"),
        gross(&m, "game1-a"),
    );
    // Every score in sets a best of 3 can end on, A's wins first. The game bet is not decided
    // by the sets: at its worst (won) in every row. A 2-1 is A-B-A (set one to A: the set bet
    // loses) or B-A-A (it wins): the worse of the two for the book.
    let rows: Vec<([u8; 2], i64)> =
        m.ev.set_outcomes()
            .iter()
            .map(|o| (o.sets, o.net))
            .collect();
    let game = 1_000 - g1;
    assert_eq!(
        rows,
        vec![
            ([2, 0], game + (1_000 - mw) + 1_000 + 1_000),
            ([2, 1], game + (1_000 - mw) + (1_000 - sb) + (1_000 - s1)),
            ([1, 2], game + 1_000 + 1_000 + (1_000 - s1)),
            ([0, 2], game + 1_000 + 1_000 + (1_000 - s1)),
        ]
    );

    // A point the primary reported waits for the backup; each source's score says so.
    m.play(Player::A);
    m.report(Source::Primary);
    assert_eq!(
        m.ev.awaiting(),
        vec![Awaiting::Point {
            point: 1,
            winner: Player::A,
            source: Source::Primary
        }]
    );
    let reports = m.ev.tennis_reports();
    assert_eq!(
        reports
            .iter()
            .map(|r| (r.source, r.ahead, r.score.points))
            .collect::<Vec<_>>(),
        vec![(Source::Primary, 1, [1, 0]), (Source::Backup, 0, [0, 0])]
    );
    m.report(Source::Backup);
    assert!(m.ev.awaiting().is_empty());
    assert_eq!(m.ev.points_played(), 1);
    // Point 2: the sources name different winners, each report is listed.
    m.play(Player::A);
    m.report(Source::Primary);
    m.feed(
        Source::Backup,
        FeedKind::Point {
            point: 2,
            winner: Player::B,
            server: Player::A,
        },
    );
    m.reported[Source::Backup.index()] = 2;
    assert_eq!(m.ev.awaiting().len(), 2);
    let reports = m.ev.tennis_reports();
    assert_eq!(reports[0].score.points, [2, 0]);
    assert_eq!(reports[1].score.points, [1, 1]);
    m.apply(Input::ConfirmSource {
        source: Source::Primary,
    });
    assert!(m.ev.awaiting().is_empty());
    assert_eq!(m.image().points, [2, 0]);

    // A holds: the game bet settles and leaves the book per result. A then wins 2-0 (one order
    // of the sets from here): the book ends exactly on that row.
    m.game_to(Player::A);
    assert_eq!(m.result("game1-a"), Some(SettlementResult::Won));
    let row =
        m.ev.set_outcomes()
            .into_iter()
            .find(|o| o.sets == [2, 0])
            .unwrap();
    assert_eq!(row.net, (1_000 - mw) + 1_000 + 1_000);
    while !m.over {
        m.point(Player::A);
    }
    let realized: i64 = ["mw-a", "sb-2-1", "set1-b"]
        .iter()
        .map(|id| 1_000 - m.ev.settlement(id).unwrap().payout as i64)
        .sum();
    assert_eq!(realized, row.net);
    // Nothing is left to happen: no result to show; each source's score is the final one.
    assert!(m.ev.set_outcomes().is_empty());
    let reports = m.ev.tennis_reports();
    assert!(
        reports
            .iter()
            .all(|r| r.ahead == 0 && r.score.sets.len() == 2)
    );
    // Football's views stay football's.
    assert!(m.ev.outcomes(3).is_empty());
    m.check_log();
}

#[test]
fn a_retirement_one_source_reported_waits_on_the_desk_with_its_player() {
    let mut m = Match::new(params());
    m.start(Player::A);
    m.points("SSSS");
    m.feed(Source::Primary, FeedKind::Retirement { player: Player::B });
    assert_eq!(
        m.ev.awaiting(),
        vec![Awaiting::Claim {
            fact: "retirement".into(),
            source: Source::Primary,
            player: Some(Player::B),
        }]
    );
    let json = serde_json::to_value(&m.ev.awaiting()[0]).unwrap();
    assert_eq!(json["player"], "b");
    // The desk can still read the book: the match is not over until the backup (or a trader) says so.
    assert_eq!(m.ev.set_outcomes().len(), 4);
}

#[test]
fn two_points_in_one_delta_stream_as_a_point_then_the_fields() {
    let mut m = Match::new(params());
    m.start(Player::A);
    // 40-0 to A, then A wins the game and the first point of B's: both sources' reports of
    // the last two points come in one input (the backup's second report arrives first and is held
    // until its first fills the gap), so one delta carries two points and a game's end.
    m.points("SSS");
    m.play(Player::A);
    m.play(Player::A);
    m.report(Source::Primary);
    m.report(Source::Primary);
    let n = m.reported[Source::Backup.index()];
    let report = |m: &mut Match, k: usize, seq: u64| {
        let (winner, server) = m.truth[k];
        FeedEvent {
            event_id: "t1".into(),
            source: Source::Backup,
            seq,
            ts: m.now,
            clock_ms: None,
            kind: FeedKind::Point {
                point: k as u32 + 1,
                winner,
                server,
            },
        }
    };
    let seq = m.seq[Source::Backup.index()];
    let second = report(&mut m, n + 1, seq + 2);
    let held = m.apply(Input::Feed(second));
    assert_eq!(held.feed.unwrap().outcome, FeedOutcome::Held);
    let first = report(&mut m, n, seq + 1);
    let both = m.apply(Input::Feed(first));
    m.seq[Source::Backup.index()] = seq + 2;
    m.reported[Source::Backup.index()] = n + 2;
    let ops = both.delta.expect("the two points make a delta").ops;
    // The first point (the game, the server's change) as who won it; the second, A's return
    // point in B's first service game, as the field it changed.
    assert_eq!(ops, [DeltaOp::Point(Player::A), DeltaOp::Points([1, 0])]);
    // The mirror (checked in `apply`) scored the same.
    let t = m.image();
    assert_eq!((t.games, t.points, t.server), ([1, 0], [1, 0], Player::B));
    m.check_log();
}
