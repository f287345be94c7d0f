//! Tennis's rules in a build without the engine's `tennis` feature: such a build refuses a tennis
//! opening and a tennis snapshot, so there is never a tennis event to apply them to. These stand in
//! for `live` with the same signatures and do nothing.

use serde::{Deserialize, Serialize};

use crate::live::desk::{Awaiting, SetsOutcome, TennisReport};
use crate::live::event::LiveEvent;
use crate::live::feed::{FeedEvent, Source};
use crate::live::outcome::{FeedOutcome, FeedRejection, Output};
use crate::tennis::{Player, TennisParams};

/// No points are ever kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TennisLive {}

impl TennisLive {
    pub(crate) fn points_played(&self) -> usize {
        0
    }
    pub(crate) fn awaiting(&self) -> bool {
        false
    }
}

impl LiveEvent {
    pub(in crate::live) fn tennis_transition(
        &mut self,
        _: &FeedEvent,
        _: u64,
        _: &mut Output,
    ) -> Result<FeedOutcome, FeedRejection> {
        Err(FeedRejection::InvalidTransition)
    }
    pub(in crate::live) fn judge_points(&mut self, _: u64, _: &mut Output) {}
    pub(in crate::live) fn retire(&mut self, _: Player, _: u64, _: &mut Output) {}
    pub(in crate::live) fn settle_tennis(&mut self, _: u64, _: &mut Output) {}
    pub(in crate::live) fn believe_points(&mut self, _: Source, _: u64, _: &mut Output) {}
    pub(in crate::live) fn set_tennis_params(&mut self, _: TennisParams) {}
    pub(in crate::live) fn points_wakeup(&self) -> Option<u64> {
        None
    }
    pub(in crate::live) fn awaiting_points(&self, _: &mut Vec<Awaiting>) {}
    pub(in crate::live) fn tennis_report(&self, _: Source) -> Option<TennisReport> {
        None
    }
    pub(in crate::live) fn tennis_outcomes(&self) -> Vec<SetsOutcome> {
        Vec::new()
    }
}
