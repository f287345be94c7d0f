//! Tennis in the live engine: the points, who is believed about them, and what they settle.
//!
//! **Points are the facts.** A `point` message names the point's number in the match, who won it
//! and who served. Like a football goal, a point one source reports waits for the other: it stands
//! when both report the same winner, or when the other source is silent; if the other is alive
//! but has not confirmed it within `confirm_window_ms`, or names the other winner, the markets are
//! suspended (`source_discrepancy`) until the sources agree or a trader believes one of them. A
//! source may run ahead of the other: its points queue in order. Games, sets and the match end by
//! the rules ([`crate::tennis::TennisState::after_point`]) as confirmed points are applied, so the
//! result of every game, set and match is decided by points two sources (or a silent one's
//! partner) agree on. A provider's `game_end`, `set_end` and `match_end` are cross-checks: each must
//! agree with what the last point that source reported ended, or it is refused.
//!
//! **What suspends.** A point does not: points are the ordinary flow of a match (one every half a
//! minute), the next price is a function of the new score, and a bet placed just before one is
//! still decided on the price after it (the in-play delay re-checks the price at release, so a
//! bettor who saw a point coming gains nothing). A confirmed point is material: a bet priced on
//! the version before it is stale. What suspends is what makes the next price unknown: a line
//! challenge (the point may change), a medical time-out, a retirement one source reports, sources
//! that disagree, a silent feed, a trader.
//!
//! **Settlement** ([`settle`]): as each game ends, every bet whose result can no longer change is
//! settled (the game and the set it was struck on, passed total lines, a tiebreak); the rest at
//! the end. A bet records the points played when it was struck, from which the game and set it
//! was on follow. A retirement (both sources, or one and a trader) ends the match: what was
//! decided stands, the rest is void; an abandonment does the same.

//!
//! Without the engine's `tennis` feature (the npm package's football-only `live` entry) the image
//! types stay, but there are no tennis images, no tennis ops on the stream, and `off` stands in for
//! the rules: a tennis opening or snapshot is refused, so none of this is ever asked for.

#[cfg(feature = "tennis")]
mod desk;
mod image;
#[cfg(feature = "tennis")]
mod live;
#[cfg(not(feature = "tennis"))]
mod off;
#[cfg(feature = "tennis")]
mod settle;

pub use image::{SetScore, TennisImage, TennisPhase};
#[cfg(feature = "tennis")]
pub(crate) use live::TennisLive;
#[cfg(not(feature = "tennis"))]
pub(crate) use off::TennisLive;

use crate::market::Team;
use crate::tennis::Player;

/// A tennis player shown where the shared image names a side (`home` is A).
pub(crate) fn side(player: Player) -> Team {
    match player {
        Player::A => Team::Home,
        Player::B => Team::Away,
    }
}
