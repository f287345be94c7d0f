//! The top level of the chain: from the set in play to the end of the match.
//!
//! Sets are chained by forward induction over the sets score. The only thing a set passes to the
//! next besides its winner is who serves first, and that is the parity of the games played since
//! the set in play began: serve alternates game by game through the whole match (a tiebreak counts
//! as one game). Both the distribution of those games (`T`) and of A's games minus B's (`D`, which
//! has the parity of `T`) therefore carry the server with them, and one array per sets score
//! suffices for each. The advantage final set's unbounded tail is a geometric series, added to the
//! games distribution by a first-order recursion; games beyond [`GAMES_LEN`] − 1 are lumped into
//! the last slot, which line markets never need to tell apart.

use super::chain::{self, Chain, SET_LENGTH, SET_MARGIN, SetDist, TAIL_LENGTH, tiebreak};
use super::params::{Player, TennisParams};
use super::score::{SetRule, TennisState, first_tiebreak_server, set_rule};

/// Slots of the games distribution: games from the start of the set in play, the last slot
/// holding every count from `GAMES_LEN − 1` up. Whole-match lines stop well below it, and paths
/// still open (at most four tiebreak sets, 52 games) plus one more set (13) never reach it.
pub(crate) const GAMES_LEN: usize = 72;
/// Offset and length of the games-difference distribution (A − B from the start of the set in
/// play, at most 3 × 6 = 18 either way). The offset is even, so a slot's parity is its value's.
pub(crate) const DIFF_OFFSET: usize = 20;
pub(crate) const DIFF_LEN: usize = 2 * DIFF_OFFSET + 1;

/// Sets scores are indexed `[A's sets][B's sets]`, up to 3 each.
const SETS: usize = 4;

/// Everything the markets read, from one state.
#[derive(Debug, Clone)]
pub(crate) struct Outlook {
    /// P(A wins the game in play).
    pub game_a: f64,
    /// P(A wins the set in play).
    pub set_a: f64,
    /// P(the match ends `[a][b]` in sets), at final scores only.
    pub sets: [[f64; SETS]; SETS],
    /// P(A wins the set after the one in play) given that it is played; `None` when it cannot be.
    pub next_set: Option<f64>,
    /// P(no tiebreak in the rest of the match).
    pub no_tiebreak: f64,
    /// With `games`: the distribution of games from the start of the set in play to the end.
    pub games: [f64; GAMES_LEN],
    /// With `games`: the distribution of A's games minus B's over the same span, at `DIFF_OFFSET`.
    pub diff: [f64; DIFF_LEN],
}

/// Per sets score: probability by the parity of the games so far, with and without a tiebreak.
#[derive(Clone, Copy, Default)]
struct Mass {
    all: [f64; 2],
    clean: [f64; 2],
}

/// Games and games-difference distributions of the paths through one sets score, and the spans
/// holding mass (so that convolutions skip the empty slots).
#[derive(Clone, Copy)]
struct Spread {
    games: [f64; GAMES_LEN],
    diff: [f64; DIFF_LEN],
    /// Slots `lo..=hi` of `games` and `dlo..=dhi` of `diff` hold all the mass.
    lo: usize,
    hi: usize,
    dlo: usize,
    dhi: usize,
}

impl Spread {
    const EMPTY: Spread = Spread {
        games: [0.0; GAMES_LEN],
        diff: [0.0; DIFF_LEN],
        lo: GAMES_LEN,
        hi: 0,
        dlo: DIFF_LEN,
        dhi: 0,
    };

    /// Adds `p` at `t` games (lumped at the last slot) and at difference slot `d`.
    fn add(&mut self, t: usize, d: usize, p: f64) {
        let t = t.min(GAMES_LEN - 1);
        self.games[t] += p;
        self.lo = self.lo.min(t);
        self.hi = self.hi.max(t);
        let d = d.min(DIFF_LEN - 1);
        self.diff[d] += p;
        self.dlo = self.dlo.min(d);
        self.dhi = self.dhi.max(d);
    }

    /// Adds the next set to every path in `from`: `by_parity[q]` is the set as played when the
    /// games so far have parity `q` (which fixes its first server), and `sign` is +1 when this
    /// spread's paths are those that A wins it, −1 for B.
    fn convolve(&mut self, from: &Spread, by_parity: [&[f64; 7]; 2], sign: isize) {
        // Open paths have at most 4 × 13 games and a difference within ±18 (see `GAMES_LEN`,
        // `DIFF_OFFSET`), so the clamps below never cut mass from a valid state.
        let hi = from.hi.min(GAMES_LEN - 1 - SET_LENGTH[6]);
        if from.lo <= hi {
            for l in 0..7 {
                let k = [by_parity[0][l], by_parity[1][l]];
                let len = SET_LENGTH[l];
                scaled_add(
                    &mut self.games[from.lo + len..=hi + len],
                    &from.games[from.lo..=hi],
                    [k[from.lo & 1], k[!from.lo & 1]],
                );
            }
            self.lo = self.lo.min(from.lo + SET_LENGTH[0]);
            self.hi = self.hi.max(hi + SET_LENGTH[6]);
        }
        let dlo = from.dlo.max(SET_MARGIN[0]);
        let dhi = from.dhi.min(DIFF_LEN - 1 - SET_MARGIN[0]);
        if dlo <= dhi {
            for l in 0..7 {
                // DIFF_OFFSET is even, so a slot's parity is its difference's, and so its games'.
                let k = [by_parity[0][l], by_parity[1][l]];
                let m = SET_MARGIN[l];
                let to = if sign > 0 {
                    &mut self.diff[dlo + m..=dhi + m]
                } else {
                    &mut self.diff[dlo - m..=dhi - m]
                };
                scaled_add(to, &from.diff[dlo..=dhi], [k[dlo & 1], k[!dlo & 1]]);
            }
        }
        if dlo <= dhi {
            // A set moves the difference by 1 to 6 games toward its winner.
            let (most, least) = (SET_MARGIN[0], SET_MARGIN[6]);
            let (a, b) = if sign > 0 {
                (dlo + least, dhi + most)
            } else {
                (dlo - most, dhi - least)
            };
            self.dlo = self.dlo.min(a);
            self.dhi = self.dhi.max(b);
        }
    }
}

/// The distribution of the rest of the match from a valid state; `games` also spreads the games
/// and games difference (the most work, only needed for the whole-match line markets).
pub(crate) fn outlook(params: &TennisParams, state: &TennisState, games: bool) -> Outlook {
    let chain = Chain::new(params);
    let need = params.sets_to_win() as usize;
    let rule = state.set_rule(params);
    // The game in play, and who serves it (a tiebreak's first server).
    let (game_server, game_a) = match rule {
        SetRule::Tiebreak(n) if state.games == [6, 6] => {
            let [a, b] = state.points;
            let first = first_tiebreak_server(state.server, a as u16 + b as u16);
            (first, tiebreak(params, n, a, b, state.server))
        }
        _ => {
            let [a, b] = state.points;
            let s = state.server;
            let p = match s {
                Player::A => chain::game(params.serve_a, a, b, params.no_ad),
                Player::B => 1.0 - chain::game(params.serve_b, b, a, params.no_ad),
            };
            (s, p)
        }
    };
    let in_set = state.games[0] as usize + state.games[1] as usize;
    // Who opened the set in play: every later set's first server follows from it and the parity.
    let opener = if in_set.is_multiple_of(2) {
        game_server
    } else {
        game_server.other()
    };
    let current = chain.set_from(rule, state.games, game_server, game_a);
    let [sa, sb] = [state.sets[0] as usize, state.sets[1] as usize];
    // Fresh sets, by who serves first: only those the match can still reach.
    let last = need - 1;
    let future_normal = sa + sb + 1 < 2 * last;
    let future_final = !state.is_final_set(params);
    let normal = if future_normal {
        let r = SetRule::Tiebreak(7);
        [chain.fresh_set(r, Player::A), chain.fresh_set(r, Player::B)]
    } else {
        [SetDist::default(); 2]
    };
    let deciding = if future_final {
        let r = set_rule(params, true);
        [chain.fresh_set(r, Player::A), chain.fresh_set(r, Player::B)]
    } else {
        [SetDist::default(); 2]
    };
    // The server of a set starting after `parity` games (mod 2) since the set in play began.
    let server_at = |parity: usize| if parity == 0 { opener } else { opener.other() };

    let mut mass = [[Mass::default(); SETS]; SETS];
    for w in [Player::A, Player::B] {
        let (all, clean) = current.by_parity(w);
        let (x, y) = won(sa, sb, w);
        mass[x][y].all = all;
        mass[x][y].clean = clean;
    }
    let mut played = 0.0;
    let mut next_a = 0.0;
    for x in sa..=need {
        for y in sb..=need {
            if x + y <= sa + sb || x >= need || y >= need {
                continue;
            }
            let kernel = if x == last && y == last {
                &deciding
            } else {
                &normal
            };
            let here = mass[x][y];
            let first_after_current = x + y == sa + sb + 1;
            for parity in 0..2 {
                let set = &kernel[server_at(parity).index()];
                if first_after_current {
                    played += here.all[parity];
                    next_a += here.all[parity] * set.win(Player::A);
                }
                for w in [Player::A, Player::B] {
                    let (all, clean) = set.by_parity(w);
                    let (tx, ty) = won(x, y, w);
                    for q in 0..2 {
                        mass[tx][ty].all[parity ^ q] += here.all[parity] * all[q];
                        mass[tx][ty].clean[parity ^ q] += here.clean[parity] * clean[q];
                    }
                }
            }
        }
    }
    let next_set = (played > 0.0).then(|| next_a / played);
    let mut sets = [[0.0; SETS]; SETS];
    let mut no_tiebreak = 0.0;
    for (x, row) in mass.iter().enumerate() {
        for (y, m) in row.iter().enumerate() {
            if x == need || y == need {
                sets[x][y] = m.all[0] + m.all[1];
                no_tiebreak += m.clean[0] + m.clean[1];
            }
        }
    }
    let mut out = Outlook {
        game_a,
        set_a: current.win(Player::A),
        sets,
        next_set,
        no_tiebreak,
        games: [0.0; GAMES_LEN],
        diff: [0.0; DIFF_LEN],
    };
    if games {
        spread(
            &chain,
            &mut out,
            &current,
            [sa, sb],
            need,
            &normal,
            &deciding,
            opener,
        );
    }
    out
}

/// The sets score after `w` wins a set at `x`-`y`.
fn won(x: usize, y: usize, w: Player) -> (usize, usize) {
    match w {
        Player::A => (x + 1, y),
        Player::B => (x, y + 1),
    }
}

/// Spreads the games and games difference over the rest of the match into `out`.
///
/// The games and the difference are spread separately (their joint distribution is never needed):
/// a set's games go to `games` by length and to `diff` by margin, each with the set's kernel for
/// the server that the slot's parity implies.
#[allow(clippy::too_many_arguments)]
fn spread(
    chain: &Chain,
    out: &mut Outlook,
    current: &SetDist,
    [sa, sb]: [usize; 2],
    need: usize,
    normal: &[SetDist; 2],
    deciding: &[SetDist; 2],
    opener: Player,
) {
    let last = need - 1;
    // One spread per open sets score (`x * SETS + y`), and the finished matches by winner.
    let mut at = [None::<Spread>; SETS * SETS];
    let mut won_by = [Spread::EMPTY, Spread::EMPTY];
    // Advantage-set tails (only ever the deciding set), by the games at which each starts.
    let mut tails = [0.0; GAMES_LEN];
    for w in [Player::A, Player::B] {
        let (tx, ty) = won(sa, sb, w);
        let to = if tx == need || ty == need {
            &mut won_by[w.index()]
        } else {
            at[tx * SETS + ty].get_or_insert(Spread::EMPTY)
        };
        let i = w.index();
        for (l, &p) in current.score[i].iter().enumerate() {
            if p > 0.0 {
                to.add(
                    SET_LENGTH[l] + current.offset,
                    margin(DIFF_OFFSET, w, SET_MARGIN[l]),
                    p,
                );
            }
        }
        if current.tail[i] > 0.0 {
            tails[(TAIL_LENGTH + current.offset).min(GAMES_LEN - 1)] += current.tail[i];
            to.diff[margin(DIFF_OFFSET, w, 2)] += current.tail_total[i];
        }
    }
    // Later sets, in order of sets played.
    for n in sa + sb + 1..2 * need - 1 {
        for x in sa..need {
            let Some(y) = n.checked_sub(x).filter(|&y| y >= sb && y < need) else {
                continue;
            };
            let kernel = if x == last && y == last {
                deciding
            } else {
                normal
            };
            // The set as played after an even / odd number of games.
            let sets = [&kernel[opener.index()], &kernel[opener.other().index()]];
            // From cell c, A's win goes to c + SETS and B's to c + 1 (or to the finished spreads).
            let c = x * SETS + y;
            let (before, after) = at.split_at_mut(c + 1);
            let Some(from) = before[c].as_ref() else {
                continue;
            };
            let (next_b, rest) = after.split_at_mut(1);
            let [won_a, won_b] = &mut won_by;
            let to_a = if x + 1 == need {
                won_a
            } else {
                rest[SETS - 2].get_or_insert(Spread::EMPTY)
            };
            let to_b = if y + 1 == need {
                won_b
            } else {
                next_b[0].get_or_insert(Spread::EMPTY)
            };
            to_a.convolve(from, [&sets[0].score[0], &sets[1].score[0]], 1);
            to_b.convolve(from, [&sets[0].score[1], &sets[1].score[1]], -1);
            if sets[0].tail != [0.0; 2] || sets[1].tail != [0.0; 2] {
                for t in from.lo..=from.hi {
                    let set = sets[t & 1];
                    tails[(t + TAIL_LENGTH).min(GAMES_LEN - 1)] +=
                        from.games[t] * (set.tail[0] + set.tail[1]);
                }
                for d in from.dlo..=from.dhi {
                    let set = sets[d & 1];
                    to_a.diff[margin(d, Player::A, 2)] += from.diff[d] * set.tail_total[0];
                    to_b.diff[margin(d, Player::B, 2)] += from.diff[d] * set.tail_total[1];
                }
            }
        }
    }
    for (o, (a, b)) in out
        .games
        .iter_mut()
        .zip(won_by[0].games.iter().zip(&won_by[1].games))
    {
        *o = a + b;
    }
    for (o, (a, b)) in out
        .diff
        .iter_mut()
        .zip(won_by[0].diff.iter().zip(&won_by[1].diff))
    {
        *o = a + b;
    }
    // A tail starting at t puts weight·ratioᵏ at t + 2k, so all of them together are the one
    // recursion u[t] = tails[t] + ratio·u[t − 2]; what runs past the last slot is lumped there.
    let r = chain.ratio;
    let n = GAMES_LEN - 1;
    let mut u = [0.0; GAMES_LEN];
    for t in 0..n {
        u[t] = tails[t] + if t >= 2 { r * u[t - 2] } else { 0.0 };
        out.games[t] += u[t];
    }
    out.games[n] += (tails[n] + r * (u[n - 1] + u[n - 2])) * chain.tail_scale;
}

/// `to[i] += from[i] · k[i mod 2]`, two slots at a time so that the pair is one vector operation.
fn scaled_add(to: &mut [f64], from: &[f64], k: [f64; 2]) {
    let mut to_pairs = to.chunks_exact_mut(2);
    let mut from_pairs = from.chunks_exact(2);
    for (t, f) in (&mut to_pairs).zip(&mut from_pairs) {
        t[0] += f[0] * k[0];
        t[1] += f[1] * k[1];
    }
    for (t, f) in to_pairs
        .into_remainder()
        .iter_mut()
        .zip(from_pairs.remainder())
    {
        *t += f * k[0];
    }
}

/// The difference slot `d` moved by a set that `w` won by `by` games (clamped into the array,
/// which a valid state never needs).
fn margin(d: usize, w: Player, by: usize) -> usize {
    let moved = match w {
        Player::A => d + by,
        Player::B => d.saturating_sub(by),
    };
    moved.min(DIFF_LEN - 1)
}
