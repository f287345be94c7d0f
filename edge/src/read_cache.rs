//! Public reads of a match (`GET /v1/events/{id}`) without loading its single writer.
//!
//! A Worker isolate keeps each match's last view from the hub for `ttl_ms` and the JSON it
//! rendered from it per clock bucket of `bucket_ms` (prices move with the clock, so a page is
//! repriced at most once a bucket): a thousand readers a second cost the hub a few calls and the
//! isolate a few reprices. Readers see the match at most `ttl_ms` late; live clients use sockets.

use std::collections::HashMap;

use inplay_protocol::hub::EventView;

/// One match's cached view.
#[derive(Debug, Clone)]
struct Entry {
    fetched_ms: u64,
    view: EventView,
    /// The clock bucket and the JSON rendered for it.
    rendered: Option<(u64, String)>,
}

/// The cache of an isolate.
#[derive(Debug, Clone)]
pub struct ReadCache {
    ttl_ms: u64,
    bucket_ms: u64,
    max_entries: usize,
    entries: HashMap<String, Entry>,
}

impl ReadCache {
    /// A cache keeping views `ttl_ms` and rendering at most once per `bucket_ms`; `ttl_ms = 0`
    /// turns it off (every read asks the hub).
    pub fn new(ttl_ms: u64, bucket_ms: u64) -> ReadCache {
        ReadCache {
            ttl_ms,
            bucket_ms: bucket_ms.max(1),
            max_entries: 1_024,
            entries: HashMap::new(),
        }
    }

    /// The JSON for `event_id` at `now_ms` if the cache can answer (fresh view), rendering it with
    /// `render(view, server_ms)` when its bucket has none yet.
    pub fn page(
        &mut self,
        event_id: &str,
        now_ms: u64,
        render: impl FnOnce(&EventView, u64) -> String,
    ) -> Option<String> {
        let (ttl, bucket_ms) = (self.ttl_ms, self.bucket_ms);
        let e = self.entries.get_mut(event_id)?;
        if ttl == 0 || now_ms.saturating_sub(e.fetched_ms) >= ttl || now_ms < e.fetched_ms {
            return None;
        }
        let bucket = now_ms / bucket_ms;
        match &e.rendered {
            Some((b, json)) if *b == bucket => Some(json.clone()),
            _ => {
                let json = render(&e.view, bucket * bucket_ms);
                e.rendered = Some((bucket, json.clone()));
                Some(json)
            }
        }
    }

    /// Keeps a view fetched from the hub at `now_ms`.
    pub fn store(&mut self, view: EventView, now_ms: u64) {
        if self.ttl_ms == 0 {
            return;
        }
        if self.entries.len() >= self.max_entries && !self.entries.contains_key(&view.event_id) {
            let ttl = self.ttl_ms;
            self.entries
                .retain(|_, e| now_ms.saturating_sub(e.fetched_ms) < ttl);
            if self.entries.len() >= self.max_entries {
                self.entries.clear();
            }
        }
        self.entries.insert(
            view.event_id.clone(),
            Entry {
                fetched_ms: now_ms,
                view,
                rendered: None,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inplay_engine::football::FootballParams;
    use inplay_engine::live::{Fixture, LiveConfig, LiveEvent, Opening, TradingTerms};

    fn view(event_id: &str) -> EventView {
        let opening = Opening {
            event_id: event_id.into(),
            fixture: Fixture::default(),
            params: FootballParams::new(1.5, 1.1).into(),
            trading: TradingTerms::default(),
            config: LiveConfig::default(),
            epoch: 1,
        };
        let (live, _) = LiveEvent::new(opening, 0).unwrap();
        EventView {
            event_id: event_id.into(),
            server_ms: 0,
            version: live.version(),
            snapshot: live.snapshot(),
            bets: 0,
            pending_bets: 0,
        }
    }

    #[test]
    fn a_fresh_view_is_rendered_once_per_bucket_and_expires() {
        let mut c = ReadCache::new(1_000, 250);
        assert_eq!(c.page("m1", 0, |_, _| unreachable!()), None);
        c.store(view("m1"), 1_000);
        let renders = std::cell::Cell::new(0);
        let render = |_: &EventView, at: u64| {
            renders.set(renders.get() + 1);
            format!("{at}")
        };
        assert_eq!(c.page("m1", 1_010, render).as_deref(), Some("1000"));
        assert_eq!(c.page("m1", 1_200, render).as_deref(), Some("1000"));
        assert_eq!(c.page("m1", 1_260, render).as_deref(), Some("1250"));
        assert_eq!(renders.get(), 2);
        assert_eq!(c.page("m1", 2_000, render), None, "past its ttl");
        assert_eq!(c.page("m2", 1_010, render), None);
    }

    #[test]
    fn a_zero_ttl_turns_it_off_and_the_size_is_bounded() {
        let mut off = ReadCache::new(0, 250);
        off.store(view("m1"), 0);
        assert_eq!(off.page("m1", 0, |_, _| String::new()), None);
        let mut c = ReadCache::new(1_000, 250);
        for i in 0..3_000 {
            c.store(view(&format!("m{i}")), 0);
        }
        assert!(c.entries.len() <= 1_024);
    }
}
