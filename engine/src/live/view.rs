//! [`LiveView`]: a client's copy of one event, built from a snapshot and kept current by deltas.
//!
//! It prices from its image with the same code as the edge, so between server updates a browser
//! shows the prices the edge would quote at the same instant, and checks a bet slip exactly as the
//! edge's first validation step does.

use super::bet::{BetRequest, RejectCode, check_bet};
use super::image::{Delta, MarketStatus, Snapshot, Stamp, StreamError, Version};
use crate::football::PricingError;
use crate::market::{MarketBook, MarketKey};
use crate::money::Price;

/// A client-side mirror of a live event.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveView {
    snapshot: Snapshot,
}

impl LiveView {
    /// From a decoded snapshot.
    pub fn new(snapshot: Snapshot) -> LiveView {
        LiveView { snapshot }
    }
    /// From a snapshot's binary form.
    pub fn from_bytes(bytes: &[u8]) -> Result<LiveView, StreamError> {
        Snapshot::from_bytes(bytes).map(LiveView::new)
    }
    /// Applies the next delta (binary form, read against the version held); refuses one that does
    /// not follow.
    pub fn apply_delta_bytes(&mut self, bytes: &[u8]) -> Result<Version, StreamError> {
        self.snapshot.apply_bytes(bytes)?;
        Ok(self.snapshot.version)
    }
    /// Applies the next delta.
    pub fn apply_delta(&mut self, delta: &Delta) -> Result<Version, StreamError> {
        self.snapshot.apply(delta)?;
        Ok(self.snapshot.version)
    }
    /// The current snapshot.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }
    /// Version held.
    pub fn version(&self) -> Version {
        self.snapshot.version
    }
    /// Version held and the wall time it was made: what the next delta is read against.
    pub fn stamp(&self) -> Stamp {
        self.snapshot.stamp()
    }
    /// Every price at wall time `now_ms`, as the edge computes it.
    pub fn prices(&self, now_ms: u64) -> Result<MarketBook, PricingError> {
        self.snapshot.image.prices(now_ms)
    }
    /// [`LiveView::prices`] into an existing book, reusing its vectors: the cheap way to reprice
    /// several times a second.
    pub fn prices_into(&self, now_ms: u64, book: &mut MarketBook) -> Result<(), PricingError> {
        self.snapshot.image.prices_into(now_ms, book)
    }
    /// Status of every market the book has, in book order.
    pub fn market_statuses(
        &self,
        now_ms: u64,
    ) -> Result<Vec<(MarketKey, MarketStatus)>, PricingError> {
        let book = self.prices(now_ms)?;
        Ok(book
            .markets
            .iter()
            .map(|m| (m.key, self.snapshot.image.market_status(m.key)))
            .collect())
    }
    /// The edge's image-level checks on a bet at `now_ms`; returns the price it would be offered.
    pub fn check_bet(&self, req: &BetRequest, now_ms: u64) -> Result<Price, RejectCode> {
        let image = &self.snapshot.image;
        let market = image
            .price_market(now_ms, req.market)
            .map_err(|_| RejectCode::MarketClosed)?;
        check_bet(image, market.as_ref(), self.snapshot.version, req)
    }
}
