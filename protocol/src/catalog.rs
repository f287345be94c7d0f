//! The catalog of matches: which exist (for `GET /v1/events`), and the counters each hub last
//! reported (for `GET /metrics`, which then wakes no hub).

use serde::{Deserialize, Serialize};

use crate::metrics::Metrics;

/// One match in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// The match.
    pub event_id: String,
    /// Home team.
    pub home: String,
    /// Away team.
    pub away: String,
    /// Scheduled kick-off, ms since the Unix epoch.
    pub kickoff_ms: u64,
    /// When it was created here.
    pub created_ms: u64,
}

/// Every call the catalog answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CatalogCall {
    /// A match was created: answered with `()`.
    Register(CatalogEntry),
    /// The list: answered with `Vec<CatalogEntry>`.
    List,
    /// A hub's counters, replacing what it reported before: answered with `()`.
    Report {
        /// The match.
        event_id: String,
        /// Its hub's counters now.
        metrics: Metrics,
    },
    /// Every hub's last counters, merged: answered with [`Metrics`].
    Metrics,
}
