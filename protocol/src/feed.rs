//! Feed batches: what the Worker forwards to a match's hub after checking the signature, and what
//! comes back, per event, for the provider.

use inplay_engine::live::{FeedOutcome, FeedResult, Source};
use serde::{Deserialize, Serialize};

/// A signed post's events for one match, decoded and checked against the signed source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedBatch {
    /// The request's signature: the hub remembers it until `remember_until_ms` and refuses a second
    /// use (replay).
    pub signature: Vec<u8>,
    /// Until when the signature is remembered.
    pub remember_until_ms: u64,
    /// The events, in the order posted.
    pub events: Vec<inplay_engine::live::FeedEvent>,
}

/// The hub's answer: one result per event of the batch, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedAnswer {
    /// What became of each event.
    pub results: Vec<FeedResult>,
}

/// What became of one posted event, as the provider reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    /// Applied (or held as one source's claim waiting for the other).
    Accepted,
    /// Already known.
    Duplicate,
    /// Ahead of a missing seq; applied when the gap fills.
    Held,
    /// Refused; see the reason.
    Rejected,
}

/// Why a posted event was refused, when it never reached the engine or the engine refused it: the
/// engine's reasons (`clock_drift`, ...), its decode codes (`malformed`, `unknown_event`,
/// `missing_field`), and the edge's (`source_mismatch`, `event_not_found`, `hub_unavailable`).
pub type Reason = String;

/// One line of the answer to `POST /v1/feed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedItem {
    /// Position in the posted batch.
    pub index: usize,
    /// The match, when the event named a valid one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The source, when the event decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The seq, when the event decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// What became of it.
    pub result: ItemResult,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// For people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl FeedItem {
    /// The line for an event the engine judged.
    pub fn judged(index: usize, event_id: &str, r: &FeedResult) -> FeedItem {
        let (result, reason) = match r.outcome {
            FeedOutcome::Accepted => (ItemResult::Accepted, None),
            FeedOutcome::Duplicate => (ItemResult::Duplicate, None),
            FeedOutcome::Held => (ItemResult::Held, None),
            FeedOutcome::Rejected { reason } => {
                (ItemResult::Rejected, Some(reason.as_str().to_string()))
            }
        };
        FeedItem {
            index,
            event_id: Some(event_id.to_string()),
            source: Some(r.source),
            seq: Some(r.seq),
            result,
            reason,
            message: None,
        }
    }

    /// The line for an event refused before the engine.
    pub fn refused(
        index: usize,
        event_id: Option<&str>,
        reason: &str,
        message: Option<String>,
    ) -> FeedItem {
        FeedItem {
            index,
            event_id: event_id.map(String::from),
            source: None,
            seq: None,
            result: ItemResult::Rejected,
            reason: Some(reason.to_string()),
            message,
        }
    }
}

/// Counts over the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeedSummary {
    /// Accepted or held.
    pub accepted: usize,
    /// Already known.
    pub duplicate: usize,
    /// Refused.
    pub rejected: usize,
}

/// The answer to `POST /v1/feed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedReport {
    /// One line per posted event, in order.
    pub results: Vec<FeedItem>,
    /// Counts.
    pub summary: FeedSummary,
}

impl FeedReport {
    /// The report over these lines.
    pub fn new(results: Vec<FeedItem>) -> FeedReport {
        let mut summary = FeedSummary::default();
        for r in &results {
            match r.result {
                ItemResult::Accepted | ItemResult::Held => summary.accepted += 1,
                ItemResult::Duplicate => summary.duplicate += 1,
                ItemResult::Rejected => summary.rejected += 1,
            }
        }
        FeedReport { results, summary }
    }
}
