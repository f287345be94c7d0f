//! Tennis results: what each market pays once the points played decide it.
//!
//! A result is settled as soon as no later point can change it: the game and the set a bet was
//! struck on when they end, a total line when it is passed, `tiebreak` at the first tiebreak, the
//! rest at the end of the match. When a match ends without a winner (a retirement, or an
//! abandonment that a trader or both sources confirm), the usual rule applies: what was already
//! decided stands, everything else is void.

use super::image::SetScore;
use crate::live::SettlementResult;
use crate::market::{Line, MarketKey, SelectionKey};
use crate::tennis::Player;

/// How the match stands for settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Still to be played.
    Playing,
    /// Won by this player on the court.
    Won(Player),
    /// Ended without a result (retirement, abandonment): what is undecided is void.
    Unfinished,
}

/// What has been played: the points, where games and sets ended, the completed sets.
pub(crate) struct Record<'a> {
    /// Winner of every point, in order.
    pub history: &'a [Player],
    /// The point count at the end of each completed game (tiebreaks included), in order.
    pub game_ends: &'a [u32],
    /// The completed-game count at the end of each completed set.
    pub set_ends: &'a [u32],
    /// The completed sets.
    pub sets: &'a [SetScore],
    /// Games of the set in play.
    pub games: [u8; 2],
    /// Whether and how it ended.
    pub ending: Ending,
}

/// The set and game (0-based, games counted over the match) in play after `points` points.
pub(crate) fn position(game_ends: &[u32], set_ends: &[u32], points: usize) -> (usize, usize) {
    let points = u32::try_from(points).unwrap_or(u32::MAX);
    let game = game_ends.partition_point(|&e| e <= points);
    let games = u32::try_from(game).unwrap_or(u32::MAX);
    (set_ends.partition_point(|&e| e <= games), game)
}

fn won(b: bool) -> SettlementResult {
    if b {
        SettlementResult::Won
    } else {
        SettlementResult::Lost
    }
}

impl Record<'_> {
    fn game_winner(&self, game: usize) -> Option<Player> {
        let end = *self.game_ends.get(game)? as usize;
        self.history.get(end.checked_sub(1)?).copied()
    }

    /// `sel` on a player who won (`Some`) or a contest still open (`None`): void once it never will be.
    fn player(&self, winner: Option<Player>, sel: SelectionKey) -> Option<SettlementResult> {
        match (winner, sel) {
            (Some(w), SelectionKey::A) => Some(won(w == Player::A)),
            (Some(w), SelectionKey::B) => Some(won(w == Player::B)),
            (Some(_), _) => Some(SettlementResult::Void),
            (None, _) => self.undecided(),
        }
    }

    /// What an undecided result is now: nothing yet in play, void once the match has ended.
    fn undecided(&self) -> Option<SettlementResult> {
        match self.ending {
            Ending::Playing => None,
            _ => Some(SettlementResult::Void),
        }
    }

    /// An over/under on a count that only grows: decided when passed, or at the end of a won match.
    fn over_under(&self, count: u32, line: Line, sel: SelectionKey) -> Option<SettlementResult> {
        let over = i64::from(count) * 4 > i64::from(line.quarters());
        let result = if over {
            SettlementResult::Won
        } else if self.ending == Ending::Playing || self.ending == Ending::Unfinished {
            return self.undecided();
        } else {
            SettlementResult::Lost
        };
        match sel {
            SelectionKey::Over => Some(result),
            SelectionKey::Under => Some(mirror(result)),
            _ => Some(SettlementResult::Void),
        }
    }

    /// The result of `sel` in `market` for a bet struck after `struck` points; `None` while the
    /// points to come can still change it.
    pub(crate) fn result(
        &self,
        market: MarketKey,
        sel: SelectionKey,
        struck: usize,
    ) -> Option<SettlementResult> {
        let (set, game) = position(self.game_ends, self.set_ends, struck);
        let winner = match self.ending {
            Ending::Won(w) => Some(w),
            _ => None,
        };
        let sets_won = |p: Player| self.sets.iter().filter(|s| s.winner() == p).count();
        let games = |p: Player| {
            let i = p.index();
            self.sets.iter().map(|s| u32::from(s.games[i])).sum::<u32>() + u32::from(self.games[i])
        };
        match market {
            MarketKey::MatchWinner => self.player(winner, sel),
            MarketKey::SetBetting => match (sel, winner) {
                (SelectionKey::Score(a, b), Some(_)) => Some(won(usize::from(a)
                    == sets_won(Player::A)
                    && usize::from(b) == sets_won(Player::B))),
                (SelectionKey::Score(..), None) => self.undecided(),
                _ => Some(SettlementResult::Void),
            },
            MarketKey::SetWinner => self.player(self.sets.get(set).map(SetScore::winner), sel),
            MarketKey::NextSetWinner => {
                self.player(self.sets.get(set + 1).map(SetScore::winner), sel)
            }
            MarketKey::GameWinner => self.player(self.game_winner(game), sel),
            MarketKey::TotalSets(l) => {
                self.over_under(u32::try_from(self.sets.len()).unwrap_or(u32::MAX), l, sel)
            }
            MarketKey::TotalGames(l) => {
                self.over_under(games(Player::A) + games(Player::B), l, sel)
            }
            MarketKey::Tiebreak => {
                let any = self.sets.iter().any(|s| s.tiebreak.is_some());
                let yes = if any {
                    SettlementResult::Won
                } else if winner.is_some() {
                    SettlementResult::Lost
                } else {
                    return self.undecided();
                };
                match sel {
                    SelectionKey::Yes => Some(yes),
                    SelectionKey::No => Some(mirror(yes)),
                    _ => Some(SettlementResult::Void),
                }
            }
            MarketKey::GameHandicap(l) => {
                if winner.is_none() {
                    return self.undecided();
                }
                let diff = i64::from(games(Player::A)) - i64::from(games(Player::B));
                let a_wins = diff * 4 + i64::from(l.quarters()) > 0;
                match sel {
                    SelectionKey::A => Some(won(a_wins)),
                    SelectionKey::B => Some(won(!a_wins)),
                    _ => Some(SettlementResult::Void),
                }
            }
            // Football markets are not settled from a tennis score.
            _ => Some(SettlementResult::Void),
        }
    }
}

fn mirror(r: SettlementResult) -> SettlementResult {
    match r {
        SettlementResult::Won => SettlementResult::Lost,
        SettlementResult::Lost => SettlementResult::Won,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_games_and_sets_over_the_match() {
        // Games end after 4, 8 and 14 points; the first set after 2 games.
        let (g, s) = (&[4, 8, 14][..], &[2][..]);
        assert_eq!(position(g, s, 0), (0, 0));
        assert_eq!(position(g, s, 3), (0, 0));
        assert_eq!(position(g, s, 4), (0, 1));
        assert_eq!(position(g, s, 8), (1, 2));
        assert_eq!(position(g, s, 14), (1, 3));
        assert_eq!(position(g, s, usize::MAX), (1, 3));
    }
}
