//! Tennis's part of the streamed image: the model, the score and the sets played.
//!
//! The score is kept as the fields that change at different rates (points every point, games a
//! few times a set, the set list a few times a match), each replaced by its own [`DeltaOp`], so
//! the delta of an ordinary point carries only the two point counts.

use serde::{Deserialize, Serialize};

#[cfg(feature = "tennis")]
use crate::live::DeltaOp;
#[cfg(feature = "tennis")]
use crate::tennis::AfterPoint;
use crate::tennis::{EarlierSets, Player, TennisParams, TennisState};

/// Where a tennis match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TennisPhase {
    /// Not started.
    #[default]
    PreMatch,
    /// Points are being played.
    InPlay,
    /// The last point won the match.
    Finished {
        /// Who won it.
        winner: Player,
    },
    /// A player retired (or was defaulted, or gave a walkover): the other goes through, and what
    /// was not yet decided is void.
    Retired {
        /// Who retired.
        player: Player,
    },
}

impl TennisPhase {
    /// The match has ended (won or retired).
    pub fn is_over(self) -> bool {
        matches!(
            self,
            TennisPhase::Finished { .. } | TennisPhase::Retired { .. }
        )
    }
}

/// A completed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetScore {
    /// Games won by A and B (a tiebreak counts as the set's last game).
    pub games: [u8; 2],
    /// The tiebreak's points, A's first, when a tiebreak decided the set.
    pub tiebreak: Option<[u8; 2]>,
}

impl SetScore {
    /// Who won the set.
    pub fn winner(&self) -> Player {
        if self.games[0] > self.games[1] {
            Player::A
        } else {
            Player::B
        }
    }
}

/// Tennis's part of an image.
#[derive(Debug, Clone, PartialEq)]
pub struct TennisImage {
    /// Serve-point probabilities and the format.
    pub params: TennisParams,
    /// Not started, in play, won or retired.
    pub phase: TennisPhase,
    /// Who serves the next point (before the first: who is expected to).
    pub server: Player,
    /// Points of the game in play (tiebreak points inside a tiebreak), A's first.
    pub points: [u8; 2],
    /// Games of the set in play.
    pub games: [u8; 2],
    /// The completed sets, in order.
    pub sets: Vec<SetScore>,
}

impl TennisImage {
    /// Before the first point.
    pub fn pre_match(params: TennisParams) -> TennisImage {
        TennisImage {
            params,
            phase: TennisPhase::PreMatch,
            server: Player::A,
            points: [0, 0],
            games: [0, 0],
            sets: Vec::new(),
        }
    }

    /// Applies one op (ops for another sport's fields change nothing).
    #[cfg(feature = "tennis")]
    pub fn apply(&mut self, op: &DeltaOp) {
        match op {
            DeltaOp::Points(p) => self.points = *p,
            DeltaOp::Games(g) => self.games = *g,
            DeltaOp::Server(s) => self.server = *s,
            DeltaOp::Sets(v) => self.sets.clone_from(v),
            DeltaOp::Phase(p) => self.phase = *p,
            DeltaOp::TennisParams(p) => self.params = *p,
            DeltaOp::Point(winner) => self.score_point(*winner),
            _ => {}
        }
    }

    /// The next point goes to `winner`: the score moves on by the format's rules, a set that it
    /// ends joins the list (with its tiebreak's points), and after the match's last point the game
    /// and point counts are zero and the server stays. Nothing changes when the score cannot take
    /// a point. What a [`DeltaOp::Point`] does.
    #[cfg(feature = "tennis")]
    pub fn score_point(&mut self, winner: Player) {
        let before = self.state();
        let Ok(after) = before.after_point(&self.params, winner) else {
            return;
        };
        let mut set_games = before.games;
        set_games[winner.index()] = set_games[winner.index()].saturating_add(1);
        let set_ended = match &after {
            AfterPoint::InPlay(next) => next.sets != before.sets,
            AfterPoint::MatchOver { .. } => true,
        };
        if set_ended {
            let tiebreak = before.in_tiebreak(&self.params).then(|| {
                let mut p = before.points;
                p[winner.index()] = p[winner.index()].saturating_add(1);
                p
            });
            self.sets.push(SetScore {
                games: set_games,
                tiebreak,
            });
        }
        match after {
            AfterPoint::InPlay(next) => {
                self.points = next.points;
                self.games = next.games;
                self.server = next.server;
            }
            AfterPoint::MatchOver { .. } => {
                self.points = [0, 0];
                self.games = [0, 0];
            }
        }
    }

    /// Sets won by A and B.
    pub fn sets_won(&self) -> [u8; 2] {
        let mut won = [0u8; 2];
        for s in &self.sets {
            let w = &mut won[s.winner().index()];
            *w = w.saturating_add(1);
        }
        won
    }

    /// Games and tiebreaks of the completed sets.
    pub fn earlier(&self) -> EarlierSets {
        let mut e = EarlierSets::default();
        for s in &self.sets {
            e.games[0] = e.games[0].saturating_add(u16::from(s.games[0]));
            e.games[1] = e.games[1].saturating_add(u16::from(s.games[1]));
            e.tiebreaks = e.tiebreaks.saturating_add(u8::from(s.tiebreak.is_some()));
        }
        e
    }

    /// The state the model prices from (the completed sets always known live).
    pub fn state(&self) -> TennisState {
        TennisState {
            sets: self.sets_won(),
            games: self.games,
            points: self.points,
            server: self.server,
            earlier: Some(self.earlier()),
        }
    }

    /// Games played so far in the match (a tiebreak counting one), A's and B's.
    pub fn games_played(&self) -> [u16; 2] {
        let e = self.earlier();
        [
            e.games[0].saturating_add(u16::from(self.games[0])),
            e.games[1].saturating_add(u16::from(self.games[1])),
        ]
    }
}
