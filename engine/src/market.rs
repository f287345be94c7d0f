//! Sport-agnostic market vocabulary: lines, market and selection keys, outcomes and prices.
//!
//! Keys are small enums rather than strings so that a full reprice allocates nothing per key; their
//! `Display`/`FromStr` forms (`total:2.5`, `ah:-0.25`, `team_total:home:1.5`, `1-0`, and for tennis
//! `match_winner`, `total_games:22.5`, `game_handicap:-3.5`, selections `a`/`b`) are the stable wire
//! and CLI names documented in the README and docs/tennis.md.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which side of a two-team fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Team {
    /// The home team (first named).
    Home,
    /// The away team.
    Away,
}

impl Team {
    /// The other team.
    pub fn opponent(self) -> Team {
        match self {
            Team::Home => Team::Away,
            Team::Away => Team::Home,
        }
    }
    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Team::Home => "home",
            Team::Away => "away",
        }
    }
}

/// A goal line or handicap in quarter steps (`2.25` is stored as `9`), so keys compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Line(i32);

impl Line {
    /// Largest |line| accepted, in goals; beyond it a line is not a football market.
    pub const MAX_ABS_GOALS: i32 = 50;

    /// A line from a number of quarter goals (`10` is 2.5).
    pub const fn from_quarters(q: i32) -> Line {
        Line(q)
    }
    /// The line in quarter goals.
    pub const fn quarters(self) -> i32 {
        self.0
    }
    /// The line as goals.
    pub fn goals(self) -> f64 {
        self.0 as f64 / 4.0
    }
    /// A line from goals; `None` unless it is a finite multiple of 0.25 within ±50.
    pub fn from_goals(goals: f64) -> Option<Line> {
        if !goals.is_finite() || goals.abs() > Self::MAX_ABS_GOALS as f64 {
            return None;
        }
        let q = goals * 4.0;
        let r = libm::round(q);
        ((q - r).abs() < 1e-9).then_some(Line(r as i32))
    }
    /// A quarter line (x.25 / x.75) splits the stake over the two neighbouring lines.
    pub fn split(self) -> Option<(Line, Line)> {
        match self.0.rem_euclid(2) {
            1 => Some((Line(self.0 - 1), Line(self.0 + 1))),
            _ => None,
        }
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Quarter lines print with the precision they need: 2.5, 2.25, 3, -0.75.
        let q = self.0;
        let sign = if q < 0 { "-" } else { "" };
        let a = q.unsigned_abs();
        let whole = a / 4;
        match a % 4 {
            0 => write!(f, "{sign}{whole}.0"),
            1 => write!(f, "{sign}{whole}.25"),
            2 => write!(f, "{sign}{whole}.5"),
            _ => write!(f, "{sign}{whole}.75"),
        }
    }
}

impl FromStr for Line {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::decimal::parse(s)
            .and_then(Line::from_goals)
            .ok_or_else(|| KeyError::BadLine(s.to_string()))
    }
}

/// A market, identified the same way in every host and on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MarketKey {
    /// Full-time result: home / draw / away (`1x2`).
    MatchResult,
    /// Two of the three results (`double_chance`).
    DoubleChance,
    /// Home or away, stakes returned on a draw (`draw_no_bet`).
    DrawNoBet,
    /// Total goals over/under a line (`total:2.5`).
    Total(Line),
    /// Asian handicap on the home team (`ah:-0.25`).
    AsianHandicap(Line),
    /// Both teams to score (`btts`).
    BothTeamsToScore,
    /// Exact final score, 0-0 … 5-5 and `other` (`correct_score`).
    CorrectScore,
    /// One team's goals over/under a line (`team_total:home:1.5`).
    TeamTotal(Team, Line),
    /// Who scores the next goal, or none (`next_goal`).
    NextGoal,
    /// Half-time result (`ht_1x2`).
    HalfTimeResult,
    /// First-half total goals (`ht_total:0.5`).
    HalfTimeTotal(Line),
    /// Result of the goals still to come, as if the match restarted 0-0 now (`rest_of_match`).
    RestOfMatch,
    /// Tennis: who wins the match, `a` or `b` (`match_winner`).
    MatchWinner,
    /// Tennis: the final score in sets, A's sets first (`set_betting`).
    SetBetting,
    /// Tennis: who wins the set in play, or the next one to start between sets (`set_winner`).
    SetWinner,
    /// Tennis: who wins the set after the one in play; void if it is not played (`next_set_winner`).
    NextSetWinner,
    /// Tennis: who wins the game in play, a tiebreak included (`game_winner`).
    GameWinner,
    /// Tennis: games in the match over/under a line, a tiebreak counting one (`total_games:22.5`).
    TotalGames(Line),
    /// Tennis: games won by A minus B, with the line added to A (`game_handicap:-3.5`).
    GameHandicap(Line),
    /// Tennis: sets played over/under a line (`total_sets:2.5`).
    TotalSets(Line),
    /// Tennis: whether the match has a tiebreak (`tiebreak`).
    Tiebreak,
}

impl MarketKey {
    /// Markets that are decided at half-time.
    pub fn is_first_half(self) -> bool {
        matches!(
            self,
            MarketKey::HalfTimeResult | MarketKey::HalfTimeTotal(_)
        )
    }
    /// Line markets have push / half outcomes and carry [`LineOutcomes`].
    pub fn line(self) -> Option<Line> {
        match self {
            MarketKey::Total(l)
            | MarketKey::AsianHandicap(l)
            | MarketKey::TeamTotal(_, l)
            | MarketKey::HalfTimeTotal(l)
            | MarketKey::TotalGames(l)
            | MarketKey::GameHandicap(l)
            | MarketKey::TotalSets(l) => Some(l),
            _ => None,
        }
    }
}

impl fmt::Display for MarketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarketKey::MatchResult => f.write_str("1x2"),
            MarketKey::DoubleChance => f.write_str("double_chance"),
            MarketKey::DrawNoBet => f.write_str("draw_no_bet"),
            MarketKey::Total(l) => write!(f, "total:{}", LineName(*l)),
            MarketKey::AsianHandicap(l) => write!(f, "ah:{}", LineName(*l)),
            MarketKey::BothTeamsToScore => f.write_str("btts"),
            MarketKey::CorrectScore => f.write_str("correct_score"),
            MarketKey::TeamTotal(t, l) => write!(f, "team_total:{}:{}", t.as_str(), LineName(*l)),
            MarketKey::NextGoal => f.write_str("next_goal"),
            MarketKey::HalfTimeResult => f.write_str("ht_1x2"),
            MarketKey::HalfTimeTotal(l) => write!(f, "ht_total:{}", LineName(*l)),
            MarketKey::RestOfMatch => f.write_str("rest_of_match"),
            MarketKey::MatchWinner => f.write_str("match_winner"),
            MarketKey::SetBetting => f.write_str("set_betting"),
            MarketKey::SetWinner => f.write_str("set_winner"),
            MarketKey::NextSetWinner => f.write_str("next_set_winner"),
            MarketKey::GameWinner => f.write_str("game_winner"),
            MarketKey::TotalGames(l) => write!(f, "total_games:{}", LineName(*l)),
            MarketKey::GameHandicap(l) => write!(f, "game_handicap:{}", LineName(*l)),
            MarketKey::TotalSets(l) => write!(f, "total_sets:{}", LineName(*l)),
            MarketKey::Tiebreak => f.write_str("tiebreak"),
        }
    }
}

/// Key form of a line: `2.5`, `2.25`, `3` (no trailing `.0`), `-0.25`, `0`.
struct LineName(Line);

impl fmt::Display for LineName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = self.0.quarters();
        if q % 4 == 0 {
            write!(f, "{}", q / 4)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// Markets named by their key alone, for [`MarketKey::from_str`]: a table searched in a loop is a
/// fraction of the code a `match` on string patterns compiles to (the wasm's size is a budget).
const UNIT_MARKETS: [(&str, MarketKey); 14] = [
    ("1x2", MarketKey::MatchResult),
    ("double_chance", MarketKey::DoubleChance),
    ("draw_no_bet", MarketKey::DrawNoBet),
    ("btts", MarketKey::BothTeamsToScore),
    ("correct_score", MarketKey::CorrectScore),
    ("next_goal", MarketKey::NextGoal),
    ("ht_1x2", MarketKey::HalfTimeResult),
    ("rest_of_match", MarketKey::RestOfMatch),
    ("match_winner", MarketKey::MatchWinner),
    ("set_betting", MarketKey::SetBetting),
    ("set_winner", MarketKey::SetWinner),
    ("next_set_winner", MarketKey::NextSetWinner),
    ("game_winner", MarketKey::GameWinner),
    ("tiebreak", MarketKey::Tiebreak),
];

/// A market on one line, from its line.
type LineMarket = fn(Line) -> MarketKey;

/// Markets on one line (`total:2.5`), for [`MarketKey::from_str`].
const LINE_MARKETS: [(&str, LineMarket); 6] = [
    ("total_games", MarketKey::TotalGames),
    ("game_handicap", MarketKey::GameHandicap),
    ("total_sets", MarketKey::TotalSets),
    ("total", MarketKey::Total),
    ("ah", MarketKey::AsianHandicap),
    ("ht_total", MarketKey::HalfTimeTotal),
];

impl FromStr for MarketKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || KeyError::UnknownMarket(s.to_string());
        let mut parts = s.split(':');
        let head = parts.next().ok_or_else(unknown)?;
        let a = parts.next();
        let b = parts.next();
        if parts.next().is_some() {
            return Err(unknown());
        }
        match (a, b) {
            (None, _) => UNIT_MARKETS
                .iter()
                .find(|(name, _)| *name == head)
                .map(|&(_, key)| key)
                .ok_or_else(unknown),
            (Some(l), None) => {
                let (_, market) = LINE_MARKETS
                    .iter()
                    .find(|(name, _)| *name == head)
                    .ok_or_else(unknown)?;
                Ok(market(l.parse()?))
            }
            (Some(t), Some(l)) if head == "team_total" => {
                let team = match t {
                    "home" => Team::Home,
                    "away" => Team::Away,
                    _ => return Err(unknown()),
                };
                Ok(MarketKey::TeamTotal(team, l.parse()?))
            }
            _ => Err(unknown()),
        }
    }
}

/// A selection within a market.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SelectionKey {
    /// Home team (result, handicap, next goal).
    Home,
    /// Draw.
    Draw,
    /// Away team.
    Away,
    /// Double chance: home or draw.
    HomeDraw,
    /// Double chance: home or away.
    HomeAway,
    /// Double chance: draw or away.
    DrawAway,
    /// Over the line.
    Over,
    /// Under the line.
    Under,
    /// Yes (both teams to score).
    Yes,
    /// No.
    No,
    /// No further goal (next goal market).
    None,
    /// An exact score, home goals then away goals.
    Score(u8, u8),
    /// Any score not listed in the correct-score market.
    Other,
    /// Tennis: player A (the first named).
    A,
    /// Tennis: player B.
    B,
}

impl fmt::Display for SelectionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            SelectionKey::Home => "home",
            SelectionKey::Draw => "draw",
            SelectionKey::Away => "away",
            SelectionKey::HomeDraw => "home_draw",
            SelectionKey::HomeAway => "home_away",
            SelectionKey::DrawAway => "draw_away",
            SelectionKey::Over => "over",
            SelectionKey::Under => "under",
            SelectionKey::Yes => "yes",
            SelectionKey::No => "no",
            SelectionKey::None => "none",
            SelectionKey::Other => "other",
            SelectionKey::A => "a",
            SelectionKey::B => "b",
            SelectionKey::Score(h, a) => return write!(f, "{h}-{a}"),
        };
        f.write_str(s)
    }
}

/// Selections named by their key alone, for [`SelectionKey::from_str`] (a table, as
/// [`UNIT_MARKETS`]).
const NAMED_SELECTIONS: [(&str, SelectionKey); 14] = [
    ("home", SelectionKey::Home),
    ("draw", SelectionKey::Draw),
    ("away", SelectionKey::Away),
    ("home_draw", SelectionKey::HomeDraw),
    ("home_away", SelectionKey::HomeAway),
    ("draw_away", SelectionKey::DrawAway),
    ("over", SelectionKey::Over),
    ("under", SelectionKey::Under),
    ("yes", SelectionKey::Yes),
    ("no", SelectionKey::No),
    ("none", SelectionKey::None),
    ("other", SelectionKey::Other),
    ("a", SelectionKey::A),
    ("b", SelectionKey::B),
];

impl FromStr for SelectionKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(&(_, key)) = NAMED_SELECTIONS.iter().find(|(name, _)| *name == s) {
            return Ok(key);
        }
        let unknown = || KeyError::UnknownSelection(s.to_string());
        let (h, a) = s.split_once('-').ok_or_else(unknown)?;
        let h = h.parse().map_err(|_| unknown())?;
        let a = a.parse().map_err(|_| unknown())?;
        Ok(SelectionKey::Score(h, a))
    }
}

/// A key that does not name a market, selection or line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not a market key.
    #[error("unknown market `{0}`")]
    UnknownMarket(String),
    /// Not a selection key.
    #[error("unknown selection `{0}`")]
    UnknownSelection(String),
    /// Not a quarter-goal line.
    #[error("`{0}` is not a line in quarter goals")]
    BadLine(String),
}

impl KeyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::UnknownMarket(_) => "unknown_market",
            KeyError::UnknownSelection(_) => "unknown_selection",
            KeyError::BadLine(_) => "unknown_line",
        }
    }
}

/// Serialises a type through its `Display`/`FromStr` form, identically in JSON and binary.
macro_rules! string_serde {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_serde;
string_serde!(MarketKey);
string_serde!(SelectionKey);
string_serde!(Line);

/// How a stake on a line selection resolves: probabilities of each settlement outcome.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LineOutcomes {
    /// Whole stake wins.
    pub win: f64,
    /// Half the stake wins, half is returned (quarter lines).
    pub half_win: f64,
    /// Stake returned.
    pub push: f64,
    /// Half the stake is lost, half returned (quarter lines).
    pub half_lose: f64,
    /// Whole stake lost.
    pub lose: f64,
}

impl LineOutcomes {
    /// Decimal odds at which a bet breaks even in expectation:
    /// `win·o + half_win·(o+1)/2 + push + half_lose/2 = 1`; infinite when nothing can pay.
    pub fn fair_odds(&self) -> f64 {
        let paying = self.win + 0.5 * self.half_win;
        // Mass not returned, summed directly: `1 − push − …` would round a near-certain push below 1.
        let at_risk = self.win + self.lose + 0.5 * (self.half_win + self.half_lose);
        if paying <= 0.0 {
            f64::INFINITY
        } else {
            at_risk / paying
        }
    }
    /// The same bet seen from the other side.
    pub fn mirrored(&self) -> LineOutcomes {
        LineOutcomes {
            win: self.lose,
            half_win: self.half_lose,
            push: self.push,
            half_lose: self.half_win,
            lose: self.win,
        }
    }
}

/// One priced selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// Which selection.
    pub key: SelectionKey,
    /// Probability that it wins (plain markets).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prob: Option<f64>,
    /// Settlement outcome probabilities (line markets).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub outcomes: Option<LineOutcomes>,
    /// Decimal odds with no margin, counting pushes and half outcomes.
    pub fair_odds: f64,
    /// Offered decimal odds after margin and ladder rounding, when a margin was applied.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub odds: Option<f64>,
}

impl Selection {
    /// A plain selection with probability `p`.
    pub fn plain(key: SelectionKey, p: f64) -> Selection {
        Selection {
            key,
            prob: Some(p),
            outcomes: None,
            fair_odds: if p > 0.0 { 1.0 / p } else { f64::INFINITY },
            odds: None,
        }
    }
    /// A line selection.
    pub fn line(key: SelectionKey, o: LineOutcomes) -> Selection {
        Selection {
            key,
            prob: None,
            outcomes: Some(o),
            fair_odds: o.fair_odds(),
            odds: None,
        }
    }
    /// Break-even probability `1 / fair_odds`: the probability for plain selections.
    pub fn implied(&self) -> f64 {
        if self.fair_odds.is_finite() && self.fair_odds > 0.0 {
            1.0 / self.fair_odds
        } else {
            0.0
        }
    }
}

/// A priced market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Market {
    /// Which market.
    pub key: MarketKey,
    /// Its selections, in a fixed order.
    pub selections: Vec<Selection>,
}

impl Market {
    /// The selection with this key.
    pub fn selection(&self, key: SelectionKey) -> Option<&Selection> {
        self.selections.iter().find(|s| s.key == key)
    }
}

/// Every market a model prices for one state, in a fixed order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MarketBook {
    /// The markets.
    pub markets: Vec<Market>,
}

impl MarketBook {
    /// The market with this key.
    pub fn market(&self, key: MarketKey) -> Option<&Market> {
        self.markets.iter().find(|m| m.key == key)
    }
    /// The selection `selection` of market `market`.
    pub fn selection(&self, market: MarketKey, selection: SelectionKey) -> Option<&Selection> {
        self.market(market)?.selection(selection)
    }
    /// Number of selections over all markets.
    pub fn selection_count(&self) -> usize {
        self.markets.iter().map(|m| m.selections.len()).sum()
    }
}

/// Writes markets into a book in order, reusing the selection vectors of the book's previous
/// contents: a live book reprices several times a second, and allocation is a large share of the
/// cost in wasm. Every sport writes its book through it.
pub(crate) struct BookWriter<'a> {
    book: &'a mut MarketBook,
    next: usize,
    /// Write only this market (a bet checks one); the others go to `discard`.
    only: Option<MarketKey>,
    discard: Vec<Selection>,
}

impl<'a> BookWriter<'a> {
    /// A writer that overwrites `book` from its first market, keeping only `only` if given.
    pub(crate) fn new(book: &'a mut MarketBook, only: Option<MarketKey>) -> BookWriter<'a> {
        BookWriter {
            book,
            next: 0,
            only,
            discard: Vec::new(),
        }
    }

    /// The (cleared) selections of the next market, now keyed `key`, with room for `n`.
    pub(crate) fn market(&mut self, key: MarketKey, n: usize) -> &mut Vec<Selection> {
        if self.only.is_some_and(|k| k != key) {
            self.discard.clear();
            return &mut self.discard;
        }
        if self.next == self.book.markets.len() {
            self.book.markets.push(Market {
                key,
                selections: Vec::with_capacity(n),
            });
        }
        let i = self.next;
        self.next += 1;
        let m = &mut self.book.markets[i];
        m.key = key;
        m.selections.clear();
        &mut m.selections
    }

    /// A market of plain selections with these probabilities.
    pub(crate) fn plain<const N: usize>(
        &mut self,
        key: MarketKey,
        keys: [SelectionKey; N],
        p: [f64; N],
    ) {
        let out = self.market(key, N);
        for (k, p) in keys.into_iter().zip(p) {
            out.push(Selection::plain(k, p));
        }
    }

    /// A two-sided line market: the first selection's outcomes, the second's mirrored.
    pub(crate) fn two_sided(
        &mut self,
        key: MarketKey,
        keys: [SelectionKey; 2],
        first: LineOutcomes,
    ) {
        let out = self.market(key, 2);
        out.push(Selection::line(keys[0], first));
        out.push(Selection::line(keys[1], first.mirrored()));
    }

    /// Drops whatever the book held beyond the markets written.
    pub(crate) fn finish(self) {
        self.book.markets.truncate(self.next);
    }
}

/// A sport's pricing model: parameters and a state in, every market out.
///
/// Football and tennis implement it.
pub trait SportModel {
    /// Pre-match model parameters (e.g. expected goals).
    type Params;
    /// In-play state (score, clock, ...).
    type State;
    /// Why pricing failed.
    type Error;
    /// Price every market at `state`.
    fn price(&self, params: &Self::Params, state: &Self::State) -> Result<MarketBook, Self::Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for s in [
            "1x2",
            "double_chance",
            "total:2.5",
            "total:2.25",
            "total:3",
            "ah:-0.25",
            "ah:0",
            "ah:1.75",
            "team_total:home:1.5",
            "ht_total:0.5",
            "rest_of_match",
            "match_winner",
            "set_betting",
            "set_winner",
            "next_set_winner",
            "game_winner",
            "total_games:22.5",
            "game_handicap:-3.5",
            "total_sets:2.5",
            "tiebreak",
        ] {
            let k: MarketKey = s.parse().unwrap();
            assert_eq!(k.to_string(), s);
        }
        for s in ["home", "home_draw", "none", "3-2", "other", "a", "b"] {
            let k: SelectionKey = s.parse().unwrap();
            assert_eq!(k.to_string(), s);
        }
        assert!("total:2.3".parse::<MarketKey>().is_err());
        assert!("total".parse::<MarketKey>().is_err());
        assert!("total:nan".parse::<MarketKey>().is_err());
        assert!("ah:1e300".parse::<MarketKey>().is_err());
    }

    #[test]
    fn fair_odds_counts_pushes_and_halves() {
        let whole = LineOutcomes {
            win: 0.4,
            push: 0.2,
            lose: 0.4,
            ..Default::default()
        };
        assert!((whole.fair_odds() - 2.0).abs() < 1e-12);
        // Half win at 50%, lose 50%: EV = 0.5*(o+1)/2 = 1 => o = 3.
        let half = LineOutcomes {
            half_win: 0.5,
            lose: 0.5,
            ..Default::default()
        };
        assert!((half.fair_odds() - 3.0).abs() < 1e-12);
    }
}
