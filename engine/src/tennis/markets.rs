//! Every tennis market, read off one [`Outlook`] so that they agree with each other: the match
//! winner is the sum of the set-betting scores it wins, total sets are set betting grouped, and
//! the whole-match lines come from one games distribution.

use super::remaining::{DIFF_LEN, DIFF_OFFSET, GAMES_LEN, Outlook};
use super::score::{EarlierSets, TennisState};
use crate::market::{BookWriter, Line, LineOutcomes, MarketBook, MarketKey, SelectionKey};

const PLAYERS: [SelectionKey; 2] = [SelectionKey::A, SelectionKey::B];

/// `x`, or 0 for a negative rounding residue (or NaN).
fn non_negative(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.0 }
}

/// Total-games lines (X.5 only, so no pushes): around the usual ranges of each format.
pub fn total_games_lines(best_of: u8) -> impl Iterator<Item = Line> {
    // In quarter units: 16.5 ..= 30.5 games best of 3, 28.5 ..= 46.5 best of 5.
    let (lo, hi) = if best_of == 5 { (114, 186) } else { (66, 122) };
    (lo..=hi).step_by(4).map(Line::from_quarters)
}

/// Game-handicap lines on A (X.5 only): −7.5 ..= 7.5 best of 3, −11.5 ..= 11.5 best of 5.
pub fn game_handicap_lines(best_of: u8) -> impl Iterator<Item = Line> {
    let q = if best_of == 5 { 46 } else { 30 };
    (-q..=q).step_by(4).map(Line::from_quarters)
}

/// Total-sets lines: 2.5 best of 3; 3.5 and 4.5 best of 5.
pub fn total_sets_lines(best_of: u8) -> impl Iterator<Item = Line> {
    let lines: &[i32] = if best_of == 5 { &[14, 18] } else { &[10] };
    lines.iter().map(|&q| Line::from_quarters(q))
}

/// `P(X ≥ k)` and `P(X < k)` for a distribution over slots, each summed directly (not as a
/// complement) so that a near-certain side keeps its small opposite exact.
struct Tails<const N: usize> {
    at_least: [f64; N],
    below: [f64; N],
}

impl<const N: usize> Tails<N> {
    fn new(p: &[f64; N]) -> Tails<N> {
        let mut at_least = [0.0; N];
        let mut below = [0.0; N];
        let mut s = 0.0;
        for i in (0..N).rev() {
            s += p[i];
            at_least[i] = s;
        }
        s = 0.0;
        for i in 0..N {
            below[i] = s;
            s += p[i];
        }
        Tails { at_least, below }
    }

    /// Over/under at slot `k`: win if the slot is `k` or more.
    fn split(&self, k: isize) -> LineOutcomes {
        let (win, lose) = if k <= 0 {
            (self.at_least[0], 0.0)
        } else if k as usize >= N {
            (0.0, self.below[N - 1] + self.at_least[N - 1])
        } else {
            (self.at_least[k as usize], self.below[k as usize])
        };
        LineOutcomes {
            win,
            lose,
            ..Default::default()
        }
    }
}

/// The smallest whole number above a half line (`22.5` → 23), from its quarter units.
fn above(line: Line) -> isize {
    (line.quarters() as isize + 2).div_euclid(4)
}

/// Writes every market (or `only` that one) into `book`, reusing its vectors.
pub(crate) fn build_into(
    best_of: u8,
    state: &TennisState,
    earlier: Option<EarlierSets>,
    o: &Outlook,
    book: &mut MarketBook,
    only: Option<MarketKey>,
) {
    let need = (best_of / 2 + 1) as usize;
    let mut w = BookWriter::new(book, only);
    let (mut a, mut b) = (0.0, 0.0);
    for k in 0..need {
        a += o.sets[need][k];
        b += o.sets[k][need];
    }
    w.plain(MarketKey::MatchWinner, PLAYERS, [a, b]);
    // Set betting: the scores still possible, A's wins first, each from the most one-sided.
    let [sa, sb] = [state.sets[0] as usize, state.sets[1] as usize];
    let scores = w.market(MarketKey::SetBetting, 2 * need);
    for k in sb..need {
        scores.push(crate::market::Selection::plain(
            SelectionKey::Score(need as u8, k as u8),
            o.sets[need][k],
        ));
    }
    for k in (sa..need).rev() {
        scores.push(crate::market::Selection::plain(
            SelectionKey::Score(k as u8, need as u8),
            o.sets[k][need],
        ));
    }
    w.plain(
        MarketKey::SetWinner,
        PLAYERS,
        [o.set_a, non_negative(1.0 - o.set_a)],
    );
    if let Some(next_a) = o.next_set {
        w.plain(
            MarketKey::NextSetWinner,
            PLAYERS,
            [next_a, non_negative(1.0 - next_a)],
        );
    }
    w.plain(
        MarketKey::GameWinner,
        PLAYERS,
        [o.game_a, non_negative(1.0 - o.game_a)],
    );
    // Sets played, from the final scores.
    let mut played = [0.0; 6];
    for (x, row) in o.sets.iter().enumerate() {
        for (y, &p) in row.iter().enumerate() {
            if x + y < played.len() {
                played[x + y] += p;
            }
        }
    }
    let sets = Tails::new(&played);
    for line in total_sets_lines(best_of) {
        w.two_sided(
            MarketKey::TotalSets(line),
            [SelectionKey::Over, SelectionKey::Under],
            sets.split(above(line)),
        );
    }
    let Some(e) = earlier else {
        w.finish();
        return;
    };
    let yes = if e.tiebreaks > 0 {
        1.0
    } else {
        non_negative(1.0 - o.no_tiebreak)
    };
    let no = if e.tiebreaks > 0 { 0.0 } else { o.no_tiebreak };
    w.plain(
        MarketKey::Tiebreak,
        [SelectionKey::Yes, SelectionKey::No],
        [yes, no],
    );
    let before = e.games[0] as isize + e.games[1] as isize;
    let games: Tails<GAMES_LEN> = Tails::new(&o.games);
    for line in total_games_lines(best_of) {
        w.two_sided(
            MarketKey::TotalGames(line),
            [SelectionKey::Over, SelectionKey::Under],
            games.split(above(line) - before),
        );
    }
    // A wins the handicap if (earlier + rest) difference + line > 0, i.e. rest ≥ above(−line − earlier).
    let lead = e.games[0] as isize - e.games[1] as isize;
    let diff: Tails<DIFF_LEN> = Tails::new(&o.diff);
    for line in game_handicap_lines(best_of) {
        let needed = above(Line::from_quarters(-line.quarters())) - lead;
        w.two_sided(
            MarketKey::GameHandicap(line),
            PLAYERS,
            diff.split(needed + DIFF_OFFSET as isize),
        );
    }
    w.finish();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_lines_round_up() {
        assert_eq!(above(Line::from_quarters(90)), 23); // 22.5
        assert_eq!(above(Line::from_quarters(-14)), -3); // -3.5
        assert_eq!(above(Line::from_quarters(2)), 1); // 0.5
        assert_eq!(total_games_lines(3).count(), 15);
        assert_eq!(game_handicap_lines(5).count(), 24);
        assert_eq!(
            game_handicap_lines(3).next().map(|l| l.to_string()),
            Some("-7.5".into())
        );
    }
}
