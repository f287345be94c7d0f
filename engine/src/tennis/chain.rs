//! The lower levels of the hierarchical chain: points make games and tiebreaks, games make sets.
//!
//! Each level is solved exactly from any score: a game by backward induction over its 4×4 grid
//! with the deuce closed form `p²/(p² + q²)`; a tiebreak over its n×n grid with the serve order of
//! every point and, once it is level at n−1 all, the closed form for a pair of points (one served by
//! each player); a set by forward induction over its 7×7 grid of games, with the tiebreak's
//! probability at 6-6 or, in an advantage set, the geometric series of game pairs beyond 6-6.
//!
//! A set's outcome is kept as a [`SetDist`]: the probability of each final score, by winner and
//! loser's games, which is all the match level needs (who won, how many games, by how many).

use super::params::{FinalSet, Player, TennisParams};
use super::score::{SetRule, first_tiebreak_server, tiebreak_server_is_first};

/// Games in a set won 6-0, 6-1, 6-2, 6-3, 6-4, 7-5, 7-6: the loser's games `l` index the arrays.
pub(crate) const SET_LENGTH: [usize; 7] = [6, 7, 8, 9, 10, 12, 13];
/// The winner's margin in games for the same scores.
pub(crate) const SET_MARGIN: [usize; 7] = [6, 5, 4, 3, 2, 2, 1];
/// Index of 7-6, the only score decided by a tiebreak.
pub(crate) const TIEBREAK_SCORE: usize = 6;
/// An advantage set first reaches its geometric tail at 6-6; its first tail score is 8-6.
pub(crate) const TAIL_LENGTH: usize = 14;

/// P(the server wins the game) from the server's points `won` and the returner's points `lost`.
///
/// With advantage scoring, deuce (3-3, or any level score beyond) is won with `p²/(p² + q²)`:
/// the server must win two points in a row before losing two. With no-ad, one point decides it.
pub fn game(p: f64, won: u8, lost: u8, no_ad: bool) -> f64 {
    let q = 1.0 - p;
    let deuce = if no_ad { p } else { p * p / (p * p + q * q) };
    let (s, r) = (won as usize, lost as usize);
    if s >= 3 && r >= 3 && !(no_ad && s.max(r) > 3) {
        return match s as isize - r as isize {
            0 => deuce,
            1 => p + q * deuce,
            -1 => p * deuce,
            d => (d > 0) as u8 as f64,
        };
    }
    if s >= 4 || r >= 4 {
        return (s > r) as u8 as f64;
    }
    // v[i][j]: P(win from i-j); the server has won at i = 4 (j ≤ 2) and lost at j = 4.
    let mut v = [[0.0f64; 4]; 4];
    for i in (s..4).rev() {
        for j in (r..4).rev() {
            v[i][j] = if i == 3 && j == 3 {
                deuce
            } else {
                let win = if i == 3 { 1.0 } else { v[i + 1][j] };
                let lose = if j == 3 { 0.0 } else { v[i][j + 1] };
                p * win + q * lose
            };
        }
    }
    v[s][r]
}

/// P(A wins a tiebreak to `target` points) from points `a`-`b`, `server` serving the next point.
pub(crate) fn tiebreak(params: &TennisParams, target: u8, a: u8, b: u8, server: Player) -> f64 {
    let n = target as usize;
    let first = first_tiebreak_server(server, a as u16 + b as u16);
    let point = |k: usize| {
        let s = if tiebreak_server_is_first(k as u16) {
            first
        } else {
            first.other()
        };
        params.point_a(s)
    };
    // Level at n−1 all or beyond, every pair of points has one serve each: A wins both with
    // pa(1 − pb), loses both with (1 − pa)pb, and is level again otherwise.
    let (pa, pb) = (params.serve_a, params.serve_b);
    let (two, none) = (pa * (1.0 - pb), (1.0 - pa) * pb);
    let level = two / (two + none);
    let (a, b) = (a as usize, b as usize);
    if a + 1 >= n && b + 1 >= n {
        return match a as isize - b as isize {
            0 => level,
            1 => point(a + b) + (1.0 - point(a + b)) * level,
            -1 => point(a + b) * level,
            d => (d > 0) as u8 as f64,
        };
    }
    if a >= n || b >= n {
        return (a > b) as u8 as f64;
    }
    // v[i][j] for i, j < n: A has won at i = n (j ≤ n−2) and lost at j = n.
    let mut v = [[0.0f64; 10]; 10];
    for i in (a..n).rev() {
        for j in (b..n).rev() {
            v[i][j] = if i + 1 == n && j + 1 == n {
                level
            } else {
                let p = point(i + j);
                let win = if i + 1 == n { 1.0 } else { v[i + 1][j] };
                let lose = if j + 1 == n { 0.0 } else { v[i][j + 1] };
                p * win + (1.0 - p) * lose
            };
        }
    }
    v[a][b]
}

/// How a set ends: P(winner, loser's games) for the seven scores of [`SET_LENGTH`], and for an
/// advantage set the geometric tail beyond 6-6.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SetDist {
    /// `score[w][l]`: P(player `w` wins the set with the loser on `l` games; l = 5 is 7-5, l = 6 is
    /// 7-6). Lengths are [`SET_LENGTH`] plus `offset`.
    pub score: [[f64; 7]; 2],
    /// Advantage sets: P(w wins at 8-6 + k) is `tail[w] · ratioᵏ` (the chain's `ratio`), at
    /// [`TAIL_LENGTH`] + 2k + `offset` games with a margin of two.
    pub tail: [f64; 2],
    /// `tail[w]` summed over k.
    pub tail_total: [f64; 2],
    /// Games already played beyond 5-5 in an advantage set (its score is solved as from 5-5 or 6-5).
    pub offset: usize,
}

impl SetDist {
    /// P(player `w` wins the set).
    pub fn win(&self, w: Player) -> f64 {
        let i = w.index();
        self.score[i].iter().sum::<f64>() + self.tail_total[i]
    }

    /// P(`w` wins the set with an even / odd number of games in it), and the same without a
    /// tiebreak: the parity of a set's games says who serves first in the next set.
    pub fn by_parity(&self, w: Player) -> ([f64; 2], [f64; 2]) {
        let i = w.index();
        let mut all = [0.0; 2];
        let mut clean = [0.0; 2];
        for (l, &p) in self.score[i].iter().enumerate() {
            let parity = (SET_LENGTH[l] + self.offset) % 2;
            all[parity] += p;
            if l != TIEBREAK_SCORE {
                clean[parity] += p;
            }
        }
        // Tail scores have an even number of games (offset is even too).
        all[0] += self.tail_total[i];
        clean[0] += self.tail_total[i];
        (all, clean)
    }
}

/// Everything the set level needs from one (serve_a, serve_b, format).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chain {
    pub params: TennisParams,
    /// P(A wins a game from 0-0) when A serves, when B serves.
    pub game_a: [f64; 2],
    /// P(A wins both games of a pair, one served by each) and P(B does).
    pub pair: [f64; 2],
    /// P(a pair of games is split): the ratio of an advantage set's geometric tail.
    pub ratio: f64,
    /// 1 / (1 − ratio), computed from the pair probabilities so it never divides by a rounding residue.
    pub tail_scale: f64,
    /// P(A wins a tiebreak to 7 from 0-0) with A, B serving first; and to 10 when the format has one.
    tiebreak_7: [f64; 2],
    tiebreak_10: [f64; 2],
}

impl Chain {
    /// The game level for valid parameters.
    pub fn new(params: &TennisParams) -> Chain {
        let hold_a = game(params.serve_a, 0, 0, params.no_ad);
        let hold_b = game(params.serve_b, 0, 0, params.no_ad);
        let (x, y) = (hold_a, 1.0 - hold_b);
        let pair = [x * y, (1.0 - x) * (1.0 - y)];
        // Each fresh set reaching 6-6 needs these; solve them once.
        let from_scratch = |n| {
            [
                tiebreak(params, n, 0, 0, Player::A),
                tiebreak(params, n, 0, 0, Player::B),
            ]
        };
        Chain {
            params: *params,
            game_a: [x, y],
            pair,
            ratio: x * (1.0 - y) + (1.0 - x) * y,
            tail_scale: 1.0 / (pair[0] + pair[1]),
            tiebreak_7: from_scratch(7),
            tiebreak_10: if params.final_set == FinalSet::Tiebreak10 {
                from_scratch(10)
            } else {
                [0.0; 2]
            },
        }
    }

    /// P(A wins a tiebreak to `target` (7 or 10) from 0-0, `first` serving first).
    pub fn tiebreak(&self, target: u8, first: Player) -> f64 {
        match target {
            7 => self.tiebreak_7[first.index()],
            10 if self.params.final_set == FinalSet::Tiebreak10 => self.tiebreak_10[first.index()],
            n => tiebreak(&self.params, n, 0, 0, first),
        }
    }

    /// A fresh set under `rule`, `first` serving its first game.
    pub fn fresh_set(&self, rule: SetRule, first: Player) -> SetDist {
        self.set_from(rule, [0, 0], first, self.game_a[first.index()])
    }

    /// How the set in play ends from `games`, `server` serving the game in play (the first server
    /// of a tiebreak at 6-6), which A wins with probability `first`.
    pub fn set_from(&self, rule: SetRule, games: [u8; 2], server: Player, first: f64) -> SetDist {
        let mut d = SetDist::default();
        let (mut i, mut j) = (games[0] as usize, games[1] as usize);
        if rule == SetRule::Advantage {
            // 8-7 is 6-5 two games on: same chances, two more games.
            let k = i.min(j).saturating_sub(5);
            i -= k;
            j -= k;
            d.offset = 2 * k;
        }
        if i > 6 || j > 6 {
            // Not an open set: the caller validated the state, so this is unreachable.
            return d;
        }
        // m[a][b]: P(the set passes through a-b); row by row, every cell follows its predecessors.
        let mut m = [[0.0f64; 8]; 8];
        m[i][j] = 1.0;
        for a in i..8 {
            for b in j..8 {
                let mass = m[a][b];
                if mass == 0.0 {
                    continue;
                }
                match (a, b) {
                    (6, l) if l <= 4 => d.score[0][l] += mass,
                    (l, 6) if l <= 4 => d.score[1][l] += mass,
                    (7, 5) => d.score[0][5] += mass,
                    (5, 7) => d.score[1][5] += mass,
                    (6, 6) => match rule {
                        SetRule::Tiebreak(n) => {
                            let t = if (a, b) == (i, j) {
                                first
                            } else {
                                // Game 13's server is the set's first: 12 games alternate evenly.
                                let s = if (a + b - i - j) % 2 == 0 {
                                    server
                                } else {
                                    server.other()
                                };
                                self.tiebreak(n, s)
                            };
                            d.score[0][6] += mass * t;
                            d.score[1][6] += mass * (1.0 - t);
                        }
                        SetRule::Advantage => {
                            d.tail[0] += mass * self.pair[0];
                            d.tail[1] += mass * self.pair[1];
                        }
                    },
                    (a, b) if a < 7 && b < 7 => {
                        let g = if (a, b) == (i, j) {
                            first
                        } else if (a + b - i - j) % 2 == 0 {
                            self.game_a[server.index()]
                        } else {
                            self.game_a[server.other().index()]
                        };
                        m[a + 1][b] += mass * g;
                        m[a][b + 1] += mass * (1.0 - g);
                    }
                    _ => {}
                }
            }
        }
        d.tail_total = [d.tail[0] * self.tail_scale, d.tail[1] * self.tail_scale];
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn game_from_any_score_is_one_step_of_the_chain() {
        for &p in &[0.3, 0.5, 0.62, 0.8] {
            for no_ad in [false, true] {
                for s in 0..4u8 {
                    for r in 0..4u8 {
                        if no_ad && s == 3 && r == 3 {
                            assert_eq!(game(p, s, r, no_ad), p);
                            continue;
                        }
                        let v = game(p, s, r, no_ad);
                        let step =
                            p * game(p, s + 1, r, no_ad) + (1.0 - p) * game(p, s, r + 1, no_ad);
                        assert!((v - step).abs() < 1e-15, "{p} {s}-{r} {no_ad}");
                    }
                }
            }
        }
    }

    #[test]
    fn tiebreak_is_one_step_of_the_chain() {
        let params = TennisParams::new(0.67, 0.58, 3);
        for target in [7u8, 10] {
            for a in 0..target + 3 {
                for b in 0..target + 3 {
                    if a.max(b) >= target && a.abs_diff(b) >= 2 {
                        continue;
                    }
                    for server in [Player::A, Player::B] {
                        let v = tiebreak(&params, target, a, b, server);
                        let k = a as u16 + b as u16;
                        let next = if (k + 1) % 2 == 1 {
                            server.other()
                        } else {
                            server
                        };
                        let p = params.point_a(server);
                        let step = p * tiebreak(&params, target, a + 1, b, next)
                            + (1.0 - p) * tiebreak(&params, target, a, b + 1, next);
                        assert!((v - step).abs() < 1e-14, "{target}: {a}-{b} {server:?}");
                    }
                }
            }
        }
    }
}
