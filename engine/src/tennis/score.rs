//! The score of a tennis match and the rules that move it on, one point at a time.
//!
//! Points are counted, not called: `[2, 3]` in a game is 30-40, `[4, 3]` is advantage A, and inside
//! a tiebreak the counts are the tiebreak's points. The server of every point follows from the
//! server of the next point and the score: games alternate serve, a tiebreak counts as one game for
//! that purpose, and inside a tiebreak the serve changes after the first point and then every two.

use serde::{Deserialize, Serialize};

use super::params::{FinalSet, Player, PricingError, TennisParams};

fn state(name: &'static str, reason: &'static str) -> PricingError {
    PricingError::InvalidState { name, reason }
}

/// Games and tiebreaks of the sets already completed: what the whole-match markets (total games,
/// game handicap, tiebreak in the match) need besides the score of the set in play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlierSets {
    /// Games won by A and by B in the completed sets (a tiebreak counts as one game).
    pub games: [u16; 2],
    /// How many of the completed sets were decided by a tiebreak.
    pub tiebreaks: u8,
}

/// Where a match stands: everything the in-play price depends on besides the parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TennisState {
    /// Sets won by A and B.
    #[serde(default)]
    pub sets: [u8; 2],
    /// Games won by A and B in the set in play.
    #[serde(default)]
    pub games: [u8; 2],
    /// Points won by A and B in the game in play (tiebreak points inside a tiebreak).
    #[serde(default)]
    pub points: [u8; 2],
    /// Who serves the next point.
    pub server: Player,
    /// The completed sets, when known. Without them the whole-match markets are not priced once a
    /// set is complete (before that they are known to be empty).
    #[serde(default)]
    pub earlier: Option<EarlierSets>,
}

/// What a point did to the match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPoint {
    /// The match goes on from this state.
    InPlay(TennisState),
    /// The point won the match.
    MatchOver {
        /// Who won it.
        winner: Player,
        /// The final score in sets.
        sets: [u8; 2],
        /// Games and tiebreaks over every set, the last included (when the earlier ones were known).
        all_sets: Option<EarlierSets>,
    },
}

/// The rule of the set in play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetRule {
    /// A tiebreak to this many points at 6-6.
    Tiebreak(u8),
    /// Play on from 5-5 until a two-game lead.
    Advantage,
}

impl TennisState {
    /// Before the first point, with `server` to serve.
    pub fn pre_match(server: Player) -> TennisState {
        TennisState {
            sets: [0, 0],
            games: [0, 0],
            points: [0, 0],
            server,
            earlier: None,
        }
    }

    /// The completed sets: as given, or empty while none is complete.
    pub fn earlier_sets(&self) -> Option<EarlierSets> {
        match self.earlier {
            Some(e) => Some(e),
            None if self.sets == [0, 0] => Some(EarlierSets::default()),
            None => None,
        }
    }

    /// Whether the set in play is the deciding set.
    pub fn is_final_set(&self, params: &TennisParams) -> bool {
        let last = params.sets_to_win() - 1;
        self.sets == [last, last]
    }

    pub(crate) fn set_rule(&self, params: &TennisParams) -> SetRule {
        set_rule(params, self.is_final_set(params))
    }

    /// Whether a tiebreak is in play (or about to start).
    pub fn in_tiebreak(&self, params: &TennisParams) -> bool {
        self.games == [6, 6] && matches!(self.set_rule(params), SetRule::Tiebreak(_))
    }

    /// Checks the state against the format; pricing calls this after [`TennisParams::validate`].
    pub fn validate(&self, params: &TennisParams) -> Result<(), PricingError> {
        let need = params.sets_to_win();
        if self.sets[0] >= need || self.sets[1] >= need {
            return Err(state("sets", "the match is over"));
        }
        let [a, b] = self.games;
        match self.set_rule(params) {
            SetRule::Tiebreak(_) => {
                let open = (a <= 5 && b <= 5) || matches!((a, b), (6, 5) | (5, 6) | (6, 6));
                if !open {
                    return Err(state("games", "the set is over or impossible"));
                }
            }
            SetRule::Advantage => {
                if a.max(b) >= 6 && a.abs_diff(b) >= 2 {
                    return Err(state("games", "the set is over"));
                }
            }
        }
        let [x, y] = self.points;
        let over = match self.set_rule(params) {
            SetRule::Tiebreak(n) if self.games == [6, 6] => x.max(y) >= n && x.abs_diff(y) >= 2,
            _ if params.no_ad => x.max(y) >= 4,
            _ => x.max(y) >= 4 && x.abs_diff(y) >= 2,
        };
        if over {
            return Err(state("points", "the game is over"));
        }
        if let Some(e) = self.earlier {
            let n = (self.sets[0] + self.sets[1]) as u16;
            // A completed set has 6 to 13 games, 6 or 7 of them for its winner.
            let [ga, gb] = e.games;
            let plausible = ga >= 6 * self.sets[0] as u16
                && gb >= 6 * self.sets[1] as u16
                && ga + gb <= 13 * n
                && e.tiebreaks as u16 <= n;
            if !plausible {
                return Err(state(
                    "earlier",
                    "games or tiebreaks impossible for the completed sets",
                ));
            }
        }
        Ok(())
    }

    /// The state after `winner` wins the next point.
    pub fn after_point(
        &self,
        params: &TennisParams,
        winner: Player,
    ) -> Result<AfterPoint, PricingError> {
        params.validate()?;
        self.validate(params)?;
        let mut s = *self;
        let w = winner.index();
        let o = 1 - w;
        s.points[w] = s.points[w].saturating_add(1);
        match s.set_rule(params) {
            SetRule::Tiebreak(n) if s.games == [6, 6] => {
                if s.points[w] >= n && s.points[w] - s.points[o] >= 2 {
                    // The tiebreak is the set's 13th game: the next set opens with the player who
                    // received first in it, as if serve had alternated game by game.
                    let played = s.points[0] as u16 + s.points[1] as u16 - 1;
                    let first = first_tiebreak_server(self.server, played);
                    s.games[w] += 1;
                    s.server = first.other();
                    return Ok(s.set_won(params, winner, true));
                }
                if (s.points[0] as u16 + s.points[1] as u16) % 2 == 1 {
                    s.server = s.server.other();
                }
                Ok(AfterPoint::InPlay(s))
            }
            rule => {
                let (pw, po) = (s.points[w], s.points[o]);
                let game = if params.no_ad {
                    pw >= 4
                } else {
                    pw >= 4 && pw - po >= 2
                };
                if !game {
                    // Deuce stays deuce: 4-4 is 3-3, so the counts stay small in endless games.
                    if pw >= 4 && po >= 4 {
                        s.points = [s.points[0] - 1, s.points[1] - 1];
                    }
                    return Ok(AfterPoint::InPlay(s));
                }
                s.points = [0, 0];
                s.server = s.server.other();
                s.games[w] = s.games[w].saturating_add(1);
                let (gw, go) = (s.games[w], s.games[o]);
                let set = match rule {
                    SetRule::Tiebreak(_) => (gw == 6 && go <= 4) || gw == 7,
                    SetRule::Advantage => gw >= 6 && gw - go >= 2,
                };
                if !set {
                    // An advantage set at 5-5 is the same as at 6-6 or 7-7 apart from the count
                    // of games; keep the count (total-games markets need it) unless it would wrap.
                    if s.games[0].min(s.games[1]) >= 250 {
                        s.games = [s.games[0] - 1, s.games[1] - 1];
                    }
                    return Ok(AfterPoint::InPlay(s));
                }
                Ok(s.set_won(params, winner, false))
            }
        }
    }

    /// Closes the set in play (its final games already counted) for `winner`.
    fn set_won(mut self, params: &TennisParams, winner: Player, tiebreak: bool) -> AfterPoint {
        self.earlier = self.earlier_sets().map(|e| EarlierSets {
            games: [
                e.games[0].saturating_add(self.games[0] as u16),
                e.games[1].saturating_add(self.games[1] as u16),
            ],
            tiebreaks: e.tiebreaks.saturating_add(tiebreak as u8),
        });
        self.sets[winner.index()] += 1;
        if self.sets[winner.index()] == params.sets_to_win() {
            return AfterPoint::MatchOver {
                winner,
                sets: self.sets,
                all_sets: self.earlier,
            };
        }
        self.games = [0, 0];
        self.points = [0, 0];
        AfterPoint::InPlay(self)
    }
}

pub(crate) fn set_rule(params: &TennisParams, final_set: bool) -> SetRule {
    match (final_set, params.final_set) {
        (true, FinalSet::Advantage) => SetRule::Advantage,
        (true, FinalSet::Tiebreak10) => SetRule::Tiebreak(10),
        _ => SetRule::Tiebreak(7),
    }
}

/// Who served the first point of a tiebreak, from the server of point `k` (0-based).
pub(crate) fn first_tiebreak_server(server_of_k: Player, k: u16) -> Player {
    if tiebreak_server_is_first(k) {
        server_of_k
    } else {
        server_of_k.other()
    }
}

/// Whether the first server of a tiebreak serves its point `k` (0-based): points 0, 3, 4, 7, 8, …
pub(crate) fn tiebreak_server_is_first(k: u16) -> bool {
    k.div_ceil(2).is_multiple_of(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn play(params: &TennisParams, mut s: TennisState, points: &str) -> AfterPoint {
        for c in points.chars() {
            let w = if c == 'a' { Player::A } else { Player::B };
            match s.after_point(params, w).unwrap() {
                AfterPoint::InPlay(next) => s = next,
                over => return over,
            }
        }
        AfterPoint::InPlay(s)
    }

    fn in_play(a: AfterPoint) -> TennisState {
        match a {
            AfterPoint::InPlay(s) => s,
            over => panic!("{over:?}"),
        }
    }

    #[test]
    fn tiebreak_serve_order() {
        let first: Vec<bool> = (0..9).map(tiebreak_server_is_first).collect();
        assert_eq!(
            first,
            [true, false, false, true, true, false, false, true, true]
        );
    }

    #[test]
    fn games_sets_and_serve_move_on() {
        let p = TennisParams::new(0.65, 0.6, 3);
        let s = TennisState::pre_match(Player::A);
        // A holds to love: 1-0, B serves.
        let s = in_play(play(&p, s, "aaaa"));
        assert_eq!((s.games, s.points, s.server), ([1, 0], [0, 0], Player::B));
        // Deuce, advantage B, deuce, advantage B, advantage A: the counts stay small.
        let s = in_play(play(&p, s, "aaabbbbabaa"));
        assert_eq!(s.points, [4, 3]);
        // A breaks, then games to 6-6.
        let s = in_play(play(&p, s, "a"));
        assert_eq!(s.games, [2, 0]);
        let mut s = s;
        for w in "bbabababab".chars() {
            s = in_play(play(&p, s, &w.to_string().repeat(4)));
        }
        assert_eq!(s.games, [6, 6]);
        assert!(s.in_tiebreak(&p));
        let tb_first = s.server;
        // One point: serve changes; two more: changes again.
        let t = in_play(play(&p, s, "a"));
        assert_eq!(t.server, tb_first.other());
        let t = in_play(play(&p, t, "bb"));
        assert_eq!((t.points, t.server), ([1, 2], tb_first));
        // A takes it 7-4: set 7-6 to A, and the player who received first opens set two.
        let t = in_play(play(&p, t, "bbaaaaaa"));
        assert_eq!(t.sets, [1, 0]);
        assert_eq!(t.games, [0, 0]);
        assert_eq!(t.server, tb_first.other());
        assert_eq!(
            t.earlier,
            Some(EarlierSets {
                games: [7, 6],
                tiebreaks: 1
            })
        );
        // B wins the second set 6-0, A the third 6-0 and the match.
        let u = in_play(play(&p, t, &"bbbb".repeat(6)));
        assert_eq!((u.sets, u.earlier.unwrap().games), ([1, 1], [7, 12]));
        assert_eq!(
            play(&p, u, &"aaaa".repeat(6)),
            AfterPoint::MatchOver {
                winner: Player::A,
                sets: [2, 1],
                all_sets: Some(EarlierSets {
                    games: [13, 12],
                    tiebreaks: 1
                })
            }
        );
    }

    #[test]
    fn advantage_final_set_plays_on() {
        let p = TennisParams {
            final_set: FinalSet::Advantage,
            ..TennisParams::new(0.65, 0.6, 3)
        };
        let s = TennisState {
            sets: [1, 1],
            games: [6, 6],
            points: [0, 0],
            server: Player::A,
            earlier: None,
        };
        assert!(!s.in_tiebreak(&p));
        let s = in_play(play(&p, s, "aaaa"));
        assert_eq!(s.games, [7, 6]);
        let s = in_play(play(&p, s, "aaab"));
        assert_eq!(s.games, [7, 6]);
        let AfterPoint::MatchOver {
            winner,
            sets,
            all_sets,
        } = play(&p, s, "a")
        else {
            panic!("the match goes on");
        };
        // The earlier sets were not given, so the games are unknown.
        assert_eq!((winner, sets, all_sets), (Player::A, [2, 1], None));
    }

    #[test]
    fn no_ad_deciding_point() {
        let p = TennisParams {
            no_ad: true,
            ..TennisParams::new(0.65, 0.6, 3)
        };
        let s = in_play(play(&p, TennisState::pre_match(Player::A), "aaabbb"));
        assert_eq!(s.points, [3, 3]);
        let s = in_play(play(&p, s, "b"));
        assert_eq!((s.games, s.server), ([0, 1], Player::B));
    }

    #[test]
    fn impossible_states_are_refused() {
        let p = TennisParams::new(0.65, 0.6, 3);
        let ok = TennisState::pre_match(Player::A);
        for bad in [
            TennisState { sets: [2, 0], ..ok },
            TennisState {
                games: [6, 4],
                ..ok
            },
            TennisState {
                games: [7, 5],
                ..ok
            },
            TennisState {
                games: [7, 3],
                ..ok
            },
            TennisState {
                points: [4, 2],
                ..ok
            },
            TennisState {
                games: [6, 6],
                points: [7, 5],
                ..ok
            },
            TennisState {
                sets: [1, 0],
                earlier: Some(EarlierSets {
                    games: [5, 3],
                    tiebreaks: 0,
                }),
                ..ok
            },
        ] {
            let e = bad.validate(&p).unwrap_err();
            assert_eq!(e.code(), "invalid_state", "{bad:?}");
        }
        for good in [
            TennisState {
                games: [6, 5],
                points: [5, 4],
                ..ok
            },
            TennisState {
                games: [6, 6],
                points: [12, 11],
                ..ok
            },
            TennisState {
                sets: [1, 1],
                games: [5, 6],
                ..ok
            },
        ] {
            good.validate(&p).unwrap();
        }
    }
}
