//! The observer: one extra socket that follows the match with the engine's own `LiveView`, so the
//! bettors price their bets as a page would, and records every suspension and the reopen after
//! each goal (which starts a bet burst).

use std::sync::{Arc, Mutex};

use inplay_engine::football::Period;
use inplay_engine::live::{Frame, LiveView, SuspensionReason, Version};
use inplay_engine::market::{MarketKey, SelectionKey};
use inplay_engine::odds::ladder;
use tokio::sync::mpsc;

use crate::feed_client::now_ms;

/// A suspension as the observer saw it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SuspensionSeen {
    /// `goal`, `feed_stale`, ...
    pub reason: &'static str,
    /// When it started (receipt, unix ms).
    pub from_ms: u64,
    /// When it was lifted, if it was.
    pub to_ms: Option<u64>,
}

/// The match as the observer knows it.
#[derive(Default)]
pub struct ObserverState {
    /// The engine's view of the stream.
    pub view: Option<LiveView>,
    /// Every suspension seen, in order.
    pub suspensions: Vec<SuspensionSeen>,
    /// Goals so far.
    pub goals: u32,
}

impl ObserverState {
    /// The match's in-play bet delay (5 s until the first snapshot says otherwise).
    pub fn bet_delay_ms(&self) -> u64 {
        self.view
            .as_ref()
            .map(|v| v.snapshot().image.trading.bet_delay_ms)
            .unwrap_or(5_000)
    }
}

/// Follows the match on one socket's frames: keeps a LiveView for pricing bets, records suspensions,
/// and says (on `reopened`, with the receipt time) when the markets reopen after a goal.
pub async fn observer_task(
    mut rx: mpsc::UnboundedReceiver<(u64, Frame)>,
    state: Arc<Mutex<ObserverState>>,
    reopened: mpsc::UnboundedSender<u64>,
) {
    let mut goal_pending = false;
    while let Some((recv, frame)) = rx.recv().await {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        match frame {
            Frame::Snapshot { snapshot, .. } => st.view = Some(LiveView::new(*snapshot)),
            Frame::Delta(d) => {
                if let Some(v) = st.view.as_mut()
                    && d.resolve(v.stamp())
                        .and_then(|d| v.apply_delta(&d))
                        .is_err()
                {
                    continue;
                }
            }
            _ => continue,
        }
        let Some(view) = st.view.as_ref() else {
            continue;
        };
        let image = &view.snapshot().image;
        let Some(football) = image.football() else {
            continue;
        };
        let goals = football.state.score.home as u32 + football.state.score.away as u32;
        let active: Vec<SuspensionReason> = image.suspensions.iter().map(|s| s.reason).collect();
        // Open again means still in play: at full time nothing is suspended either, but nothing
        // is open (a fast match can end inside a goal's cool-off).
        let in_play = matches!(
            football.state.period,
            Period::FirstHalf | Period::SecondHalf
        ) && !image.abandoned;
        if goals > st.goals {
            goal_pending = true;
        }
        st.goals = goals;
        for open in st.suspensions.iter_mut().filter(|s| s.to_ms.is_none()) {
            if !active.iter().any(|r| r.as_str() == open.reason) {
                open.to_ms = Some(recv);
            }
        }
        for r in &active {
            if !st
                .suspensions
                .iter()
                .any(|s| s.to_ms.is_none() && s.reason == r.as_str())
            {
                st.suspensions.push(SuspensionSeen {
                    reason: r.as_str(),
                    from_ms: recv,
                    to_ms: None,
                });
            }
        }
        if goal_pending && active.is_empty() && in_play {
            goal_pending = false;
            let _ = reopened.send(recv);
        }
    }
}

/// The home win's offered price now, and the version it was seen at.
pub fn quote(observer: &Mutex<ObserverState>) -> (f64, Version) {
    let st = observer.lock().unwrap_or_else(|e| e.into_inner());
    let view = st.view.as_ref();
    let price = view
        .and_then(|v| v.prices(now_ms()).ok())
        .and_then(|b| {
            b.selection(MarketKey::MatchResult, SelectionKey::Home)
                // A suspended market has no offered odds: any ladder price will do under `any`.
                .and_then(|s| s.odds.or_else(|| ladder::round_down(s.fair_odds).ok()))
        })
        .unwrap_or(2.0);
    (price, view.map(|v| v.version()).unwrap_or_default())
}
