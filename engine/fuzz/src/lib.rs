//! What the fuzz targets share: the matches they start from -- football twenty minutes in, with a
//! goal, a red card, bets taken and one still inside its delay; tennis in the second set, with bets
//! on the match, the set and the game in play -- each with a client mirror at the same version, and
//! the invariants checked after every input. Fuzzed inputs are applied to clones of the matches,
//! so they reach the in-play rules instead of stopping at "no kick-off yet".

use std::sync::OnceLock;

use inplay_engine::football::{FootballParams, Score};
use inplay_engine::live::*;
use inplay_engine::market::{MarketKey, SelectionKey, Team};
use inplay_engine::tennis::{AfterPoint, Player, TennisParams, TennisState};

/// Wall time the event opens at.
pub const T0: u64 = 1_764_240_000_000;
/// Wall time of the fixture's last input.
pub const NOW: u64 = T0 + 20 * 60_000;

/// The match, its mirror and what it streamed on the way.
pub struct InPlay {
    /// The edge's state at `NOW`.
    pub event: LiveEvent,
    /// A client's copy at the same version.
    pub view: LiveView,
    /// Every delta, in order (`deltas[k]` takes version k to k + 1).
    pub deltas: Vec<Delta>,
    /// Snapshots along the way, in order.
    pub snapshots: Vec<Snapshot>,
    /// The feed messages and bet requests that built it.
    pub inputs: Vec<Input>,
    /// The audit log.
    pub log: Vec<AuditEntry>,
}

struct Builder {
    fx: InPlay,
    now: u64,
    seq: [u64; 2],
}

impl Builder {
    fn apply(&mut self, input: Input) {
        self.fx.inputs.push(input.clone());
        let out = self.fx.event.apply(input, self.now);
        if let Some(d) = out.delta {
            self.fx.view.apply_delta(&d).expect("fixture deltas follow");
            self.fx.deltas.push(d);
            self.fx.snapshots.push(self.fx.event.snapshot());
        }
        self.fx.log.extend(out.audit);
    }

    fn feed(&mut self, source: Source, kind: FeedKind) {
        let i = source.index();
        self.seq[i] += 1;
        let clock_ms = Some(self.fx.event.image().clock.clock_at(self.now));
        self.apply(Input::Feed(FeedEvent {
            event_id: "m1".into(),
            source,
            seq: self.seq[i],
            ts: self.now,
            clock_ms,
            kind,
        }));
    }

    fn both(&mut self, kind: FeedKind) {
        self.feed(Source::Primary, kind.clone());
        self.feed(Source::Backup, kind);
    }

    fn bet(&mut self, id: &str, market: MarketKey, selection: SelectionKey) {
        let price = self
            .fx
            .event
            .prices(self.now)
            .and_then(|b| b.selection(market, selection).and_then(|s| s.odds))
            .and_then(Price::from_decimal)
            .unwrap_or(Price::from_hundredths(200).expect("2.0 is a price"));
        self.apply(Input::Bet(BetRequest {
            bet_id: id.into(),
            user_id: "u1".into(),
            market,
            selection,
            stake: 1_000,
            price,
            seen_version: self.fx.event.version(),
            policy: OddsPolicy::Higher,
        }));
    }

    /// Heartbeats from both sources every 5 s until `until`.
    fn play_to(&mut self, until: u64) {
        while self.now < until {
            self.now = (self.now + 5_000).min(until);
            self.apply(Input::Tick);
            let score = self.fx.event.image().football().map(|f| f.state.score);
            self.both(FeedKind::Heartbeat { score });
        }
    }
}

/// The shared match, built once per process.
pub fn in_play() -> &'static InPlay {
    static IN_PLAY: OnceLock<InPlay> = OnceLock::new();
    IN_PLAY.get_or_init(build)
}

/// The shared tennis match (same event id), built once per process.
pub fn in_play_tennis() -> &'static InPlay {
    static IN_PLAY: OnceLock<InPlay> = OnceLock::new();
    IN_PLAY.get_or_init(build_tennis)
}

impl Builder {
    fn open(params: SportParams) -> Builder {
        let opening = Opening {
            event_id: "m1".into(),
            fixture: Fixture {
                home: "Home".into(),
                away: "Away".into(),
                kickoff_ms: T0,
            },
            params,
            trading: TradingTerms::default(),
            config: LiveConfig::default(),
            epoch: 1,
        };
        let (event, entry) = LiveEvent::new(opening, T0).expect("valid opening");
        let view = LiveView::new(event.snapshot());
        let snapshots = vec![event.snapshot()];
        Builder {
            fx: InPlay {
                event,
                view,
                deltas: Vec::new(),
                snapshots,
                inputs: Vec::new(),
                log: vec![entry],
            },
            now: T0,
            seq: [0, 0],
        }
    }
}

fn build_tennis() -> InPlay {
    let params = TennisParams::new(0.64, 0.62, 3);
    let mut b = Builder::open(params.into());
    b.bet("b1", MarketKey::MatchWinner, SelectionKey::A);
    b.both(FeedKind::MatchStart { server: Player::A });
    let mut state = TennisState::pre_match(Player::A);
    // A point every 20 s, both sources reporting it: A wins three in four of the first 36 (and
    // the first set), then the server two in three. Bets on the set and the game in play, the
    // last one still inside its delay at `NOW`.
    for point in 1..=(NOW - T0) / 20_000 {
        let server = state.server;
        let winner = match point {
            ..=36 if point % 4 == 0 => Player::B,
            ..=36 => Player::A,
            _ if point % 3 == 0 => server.other(),
            _ => server,
        };
        b.both(FeedKind::Point {
            point: point as u32,
            winner,
            server,
        });
        state = match state.after_point(&params, winner) {
            Ok(AfterPoint::InPlay(s)) => s,
            _ => break,
        };
        if point == 40 {
            // Released 5 s later, before the next point can move its price.
            b.bet("b2", MarketKey::SetWinner, SelectionKey::B);
        }
        b.play_to(T0 + point * 20_000);
    }
    b.bet("b3", MarketKey::GameWinner, SelectionKey::A);
    let image = b.fx.event.image().tennis().expect("a tennis match");
    assert_eq!(image.sets.len(), 1, "the fixture plays into the second set");
    let status = |id: &str| b.fx.event.bet(id).map(|d| d.status);
    assert_eq!(status("b1"), Some(BetStatus::Accepted));
    assert_eq!(status("b2"), Some(BetStatus::Accepted));
    assert_eq!(
        status("b3"),
        Some(BetStatus::Pending),
        "one bet inside its delay"
    );
    b.fx
}

fn build() -> InPlay {
    let mut b = Builder::open(FootballParams::new(1.6, 1.1).into());
    b.both(FeedKind::Kickoff);
    b.bet("b1", MarketKey::MatchResult, SelectionKey::Home);
    b.play_to(T0 + 8 * 60_000);
    b.both(FeedKind::Goal {
        team: Team::Home,
        score: Some(Score::new(1, 0)),
    });
    b.play_to(T0 + 13 * 60_000);
    b.both(FeedKind::RedCard { team: Team::Away });
    b.play_to(T0 + 15 * 60_000);
    b.bet(
        "b2",
        MarketKey::Total("2.5".parse().expect("line")),
        SelectionKey::Over,
    );
    b.play_to(NOW - 2_000);
    b.bet("b3", MarketKey::NextGoal, SelectionKey::Away);
    b.play_to(NOW);
    b.fx
}

/// Applies `input` at `now_ms` and checks what must hold after any input: one version per delta,
/// and a mirror fed the delta through its wire form stays byte-identical to the edge.
pub fn apply_checked(event: &mut LiveEvent, view: &mut LiveView, input: Input, now_ms: u64) {
    let before = event.version();
    let out = event.apply(input, now_ms);
    match &out.delta {
        Some(d) => {
            assert_eq!(event.version().seq, before.seq + 1, "one version per delta");
            let v = view.apply_delta_bytes(&d.to_bytes());
            assert_eq!(v, Ok(event.version()), "mirror refused the delta");
        }
        None => assert_eq!(event.version(), before, "version moved without a delta"),
    }
    assert_eq!(
        view.snapshot().to_bytes(),
        event.snapshot().to_bytes(),
        "mirror diverged"
    );
    let _ = event.next_wakeup();
}
