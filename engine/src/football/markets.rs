//! Every football market, derived from the distribution of the goals still to come.
//!
//! All markets read one [`GoalGrid`] (plus a first-half grid while the first half runs), so they are
//! mutually consistent: quarter lines are exactly the average of their neighbours, double chance is
//! the sum of its results, and so on.

use super::grid::{GoalGrid, MAX_ADDED};
use super::params::Score;
use crate::market::{
    BookWriter, Line, LineOutcomes, MarketBook, MarketKey, Selection, SelectionKey, Team,
};

const PMF_LEN: usize = 2 * MAX_ADDED + 1;

/// `x`, or 0 for a negative rounding residue (or NaN). `f64::max` would do, but it is a libm call
/// in wasm (whose `f64.max` treats NaN differently), and this runs for every line of every reprice.
fn non_negative(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.0 }
}

/// The smaller of two probabilities (neither NaN), without `f64::min`'s libm call in wasm.
fn smaller(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// Distribution of an integer quantity `X = offset + index`, with tail sums for line settlement.
struct Pmf {
    offset: i32,
    /// `tail[i] = P(X ≥ offset + i)`; `tail[PMF_LEN] = 0`.
    tail: [f64; PMF_LEN + 1],
}

impl Pmf {
    fn new(offset: i32, pmf: &[f64; PMF_LEN]) -> Pmf {
        let mut tail = [0.0; PMF_LEN + 1];
        for i in (0..PMF_LEN).rev() {
            tail[i] = tail[i + 1] + pmf[i];
        }
        Pmf { offset, tail }
    }
    /// P(X ≥ x).
    fn at_least(&self, x: i32) -> f64 {
        let i = x - self.offset;
        if i <= 0 {
            self.tail[0]
        } else if i as usize >= PMF_LEN {
            0.0
        } else {
            self.tail[i as usize]
        }
    }
    fn exactly(&self, x: i32) -> f64 {
        non_negative(self.at_least(x) - self.at_least(x + 1))
    }

    /// Settles `4X + s > 0` (win), `= 0` (push), `< 0` (lose); an odd `s` is a quarter line, settled
    /// as half the stake on each neighbouring line.
    fn settle(&self, s: i32) -> LineOutcomes {
        if s % 2 == 0 {
            return self.settle_whole_or_half(s);
        }
        let (lo, hi) = (
            self.settle_whole_or_half(s - 1),
            self.settle_whole_or_half(s + 1),
        );
        // Exactly one neighbour is a whole line; where it pushes, the other half wins (if it is the
        // easier line, `s + 1`) or loses.
        let win = smaller(lo.win, hi.win);
        let lose = smaller(lo.lose, hi.lose);
        let pushed = lo.push + hi.push;
        let whole_is_lo = (s - 1).rem_euclid(4) == 0;
        let (half_win, half_lose) = if whole_is_lo {
            (pushed, 0.0)
        } else {
            (0.0, pushed)
        };
        LineOutcomes {
            win,
            half_win,
            push: 0.0,
            half_lose,
            lose,
        }
    }

    fn settle_whole_or_half(&self, s: i32) -> LineOutcomes {
        // 4X + s > 0  ⇔  X > −s/4.
        let total = self.tail[0];
        if s.rem_euclid(4) == 0 {
            let k = -s / 4;
            let win = self.at_least(k + 1);
            let push = self.exactly(k);
            LineOutcomes {
                win,
                push,
                lose: non_negative(total - win - push),
                ..Default::default()
            }
        } else {
            // Half line: X ≥ ceil(−s/4).
            let k = (-s).div_euclid(4) + 1;
            let win = self.at_least(k);
            LineOutcomes {
                win,
                lose: non_negative(total - win),
                ..Default::default()
            }
        }
    }
}

/// What the market builder needs besides the grids.
pub struct Inputs<'a> {
    /// Score now.
    pub score: Score,
    /// Further goals to full time.
    pub rest: &'a GoalGrid,
    /// Further goals to half-time, while the first half (or pre-match) runs.
    pub first_half: Option<&'a GoalGrid>,
    /// Next-goal probabilities (home, none, away).
    pub next_goal: [f64; 3],
}

/// Marginals of a grid, shifted by the current score.
struct Sums {
    /// P(result) home, draw, away of the final score.
    result: [f64; 3],
    /// Final total goals.
    total: Pmf,
    /// Final goal difference (home − away).
    diff: Pmf,
    home: Pmf,
    away: Pmf,
    /// P(home scores no more), P(away scores no more), P(neither).
    none_home: f64,
    none_away: f64,
    none_both: f64,
    /// Result of the further goals alone.
    rest_result: [f64; 3],
}

fn sums(g: &GoalGrid, score: Score) -> Sums {
    let mut total = [0.0; PMF_LEN];
    let mut diff = [0.0; PMF_LEN];
    let mut home = [0.0; PMF_LEN];
    let mut away = [0.0; PMF_LEN];
    let mut rest = [0.0; 3];
    let n = g.len();
    // Row by row with local accumulators: no loop-carried store → load chains, no per-cell branch.
    for i in 0..n {
        let row = g.row(i);
        let mut row_sum = 0.0;
        let (mut below, mut above) = (0.0, 0.0);
        for (j, &p) in row[..n].iter().enumerate() {
            row_sum += p;
            total[i + j] += p;
            diff[i + MAX_ADDED - j] += p;
            away[j] += p;
            if j < i {
                below += p
            } else if j > i {
                above += p
            }
        }
        home[i] = row_sum;
        rest[0] += below;
        rest[1] += row[i];
        rest[2] += above;
    }
    let d0 = score.diff();
    let diff = Pmf::new(d0 - MAX_ADDED as i32, &diff);
    let result = [diff.at_least(1), diff.exactly(0), 1.0 - diff.at_least(0)];
    let none_home = home[0];
    let none_away = away[0];
    Sums {
        result: [result[0], result[1], non_negative(result[2])],
        total: Pmf::new(score.home as i32 + score.away as i32, &total),
        diff,
        home: Pmf::new(score.home as i32, &home),
        away: Pmf::new(score.away as i32, &away),
        none_home,
        none_away,
        none_both: g.get(0, 0),
        rest_result: rest,
    }
}

/// An over/under market on `line` of a goal distribution.
fn over_under(w: &mut BookWriter<'_>, key: MarketKey, pmf: &Pmf, line: Line) {
    let over = pmf.settle(-line.quarters());
    w.two_sided(key, [SelectionKey::Over, SelectionKey::Under], over);
}

const RESULT_KEYS: [SelectionKey; 3] = [SelectionKey::Home, SelectionKey::Draw, SelectionKey::Away];

/// Lines of the full-time total and Asian handicap markets: every quarter from 0.5 to 6.5, −3 to +3.
pub fn total_lines() -> impl Iterator<Item = Line> {
    (2..=26).map(Line::from_quarters)
}
/// Asian handicap lines on the home team.
pub fn handicap_lines() -> impl Iterator<Item = Line> {
    (-12..=12).map(Line::from_quarters)
}
/// Team-total lines.
pub fn team_total_lines() -> impl Iterator<Item = Line> {
    [2, 6, 10, 14].into_iter().map(Line::from_quarters)
}
/// First-half total lines.
pub fn half_time_total_lines() -> impl Iterator<Item = Line> {
    [2, 6, 10].into_iter().map(Line::from_quarters)
}

/// Largest score listed in the correct-score market.
pub const CORRECT_SCORE_MAX: u8 = 5;

/// Prices every market into `book`, reusing its vectors; with `only`, just that market (the book
/// then holds it alone, or nothing when it is not offered at this state).
pub fn build_into(inputs: &Inputs<'_>, book: &mut MarketBook, only: Option<MarketKey>) {
    let g = inputs.rest;
    let score = inputs.score;
    let s = sums(g, score);
    let mut w = BookWriter::new(book, only);

    w.plain(MarketKey::MatchResult, RESULT_KEYS, s.result);
    let [h, d, a] = s.result;
    w.plain(
        MarketKey::DoubleChance,
        [
            SelectionKey::HomeDraw,
            SelectionKey::HomeAway,
            SelectionKey::DrawAway,
        ],
        [h + d, h + a, d + a],
    );
    let dnb = LineOutcomes {
        win: h,
        push: d,
        lose: a,
        ..Default::default()
    };
    w.two_sided(
        MarketKey::DrawNoBet,
        [SelectionKey::Home, SelectionKey::Away],
        dnb,
    );
    for line in total_lines() {
        over_under(&mut w, MarketKey::Total(line), &s.total, line);
    }
    for line in handicap_lines() {
        let home = s.diff.settle(line.quarters());
        w.two_sided(
            MarketKey::AsianHandicap(line),
            [SelectionKey::Home, SelectionKey::Away],
            home,
        );
    }
    // Both score: each team has scored already or scores again.
    let home_blank = if score.home > 0 { 0.0 } else { s.none_home };
    let away_blank = if score.away > 0 { 0.0 } else { s.none_away };
    let both_blank = if score.home == 0 && score.away == 0 {
        s.none_both
    } else {
        0.0
    };
    let btts_no = (home_blank + away_blank - both_blank).clamp(0.0, 1.0);
    let btts = w.market(MarketKey::BothTeamsToScore, 2);
    btts.push(Selection::plain(SelectionKey::Yes, 1.0 - btts_no));
    btts.push(Selection::plain(SelectionKey::No, btts_no));
    let listed = (CORRECT_SCORE_MAX as usize + 1).pow(2) + 1;
    correct_score(w.market(MarketKey::CorrectScore, listed), g, score);
    for team in [Team::Home, Team::Away] {
        let pmf = if team == Team::Home { &s.home } else { &s.away };
        for line in team_total_lines() {
            over_under(&mut w, MarketKey::TeamTotal(team, line), pmf, line);
        }
    }
    w.plain(
        MarketKey::NextGoal,
        [SelectionKey::Home, SelectionKey::None, SelectionKey::Away],
        inputs.next_goal,
    );
    if let Some(first) = inputs.first_half
        && only.is_none_or(|k| k.is_first_half())
    {
        let fh = sums(first, score);
        w.plain(MarketKey::HalfTimeResult, RESULT_KEYS, fh.result);
        for line in half_time_total_lines() {
            over_under(&mut w, MarketKey::HalfTimeTotal(line), &fh.total, line);
        }
    }
    w.plain(MarketKey::RestOfMatch, RESULT_KEYS, s.rest_result);
    w.finish();
}

fn correct_score(selections: &mut Vec<Selection>, g: &GoalGrid, score: Score) {
    let mut listed = 0.0;
    for fh in score.home..=CORRECT_SCORE_MAX {
        for fa in score.away..=CORRECT_SCORE_MAX {
            let p = g.get((fh - score.home) as usize, (fa - score.away) as usize);
            listed += p;
            selections.push(Selection::plain(SelectionKey::Score(fh, fa), p));
        }
    }
    selections.push(Selection::plain(
        SelectionKey::Other,
        non_negative(1.0 - listed),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64, f64), b: (f64, f64, f64)) {
        assert!(
            (a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12 && (a.2 - b.2).abs() < 1e-12,
            "{a:?} != {b:?}"
        );
    }

    fn pmf(values: &[(i32, f64)], offset: i32) -> Pmf {
        let mut p = [0.0; PMF_LEN];
        for &(x, v) in values {
            p[(x - offset) as usize] = v;
        }
        Pmf::new(offset, &p)
    }

    #[test]
    fn quarter_lines_settle_half_outcomes() {
        // Total goals: 1 w.p. .2, 2 w.p. .3, 3 w.p. .5.
        let t = pmf(&[(1, 0.2), (2, 0.3), (3, 0.5)], 0);
        let over_2 = t.settle(-8);
        close((over_2.win, over_2.push, over_2.lose), (0.5, 0.3, 0.2));
        let over_2_25 = t.settle(-9);
        close(
            (over_2_25.win, over_2_25.half_lose, over_2_25.lose),
            (0.5, 0.3, 0.2),
        );
        let over_1_75 = t.settle(-7);
        close(
            (over_1_75.win, over_1_75.half_win, over_1_75.lose),
            (0.5, 0.3, 0.2),
        );
        let over_2_5 = t.settle(-10);
        close(
            (over_2_5.win, over_2_5.push, over_2_5.lose),
            (0.5, 0.0, 0.5),
        );
        // Handicap −0.25 on home with diff 0 w.p. .3: draw is a half loss.
        let d = pmf(&[(-1, 0.2), (0, 0.3), (1, 0.5)], -5);
        let ah = d.settle(-1);
        close((ah.win, ah.half_lose, ah.lose), (0.5, 0.3, 0.2));
        let ah = d.settle(1);
        close((ah.win, ah.half_win, ah.lose), (0.5, 0.3, 0.2));
    }
}
