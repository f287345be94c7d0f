//! Prometheus text exposition, from counters each Durable Object keeps in memory.
//!
//! Every hub keeps a [`Metrics`] (its relays report theirs with each acknowledgement) and hands it
//! over on request; `GET /metrics` merges them by summing samples with equal labels and renders the
//! text format. Counters restart from zero when an object restarts, as Prometheus expects of counters.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Metric type, as in `# TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Only goes up.
    Counter,
    /// Goes up and down.
    Gauge,
    /// Buckets, sum and count.
    Histogram,
}

/// One metric family: help, type and samples keyed by their rendered label set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Family {
    /// `# HELP` text.
    pub help: String,
    /// `# TYPE`.
    pub kind: Kind,
    /// `suffix{labels}` → value, e.g. `{result="accepted"}` or `_bucket{le="5"}`.
    pub samples: BTreeMap<String, f64>,
}

/// A set of metric families.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Family name → family.
    pub families: BTreeMap<String, Family>,
}

/// Bucket bounds (ms) for latencies: feed lag and bet decision latency.
pub const LATENCY_BUCKETS_MS: &[f64] = &[
    1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0,
];

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn label_set(labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

impl Metrics {
    fn family(&mut self, name: &str, help: &str, kind: Kind) -> &mut Family {
        self.families
            .entry(name.to_string())
            .or_insert_with(|| Family {
                help: help.to_string(),
                kind,
                samples: BTreeMap::new(),
            })
    }

    /// Add `by` to a counter.
    pub fn inc(&mut self, name: &str, help: &str, labels: &[(&str, &str)], by: f64) {
        *self
            .family(name, help, Kind::Counter)
            .samples
            .entry(label_set(labels))
            .or_insert(0.0) += by;
    }

    /// Set a counter to a total kept elsewhere (e.g. a count a hub holds per relay).
    pub fn set_counter(&mut self, name: &str, help: &str, labels: &[(&str, &str)], total: f64) {
        self.family(name, help, Kind::Counter)
            .samples
            .insert(label_set(labels), total);
    }

    /// Set a gauge.
    pub fn set(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        self.family(name, help, Kind::Gauge)
            .samples
            .insert(label_set(labels), value);
    }

    /// Record one observation in a histogram with `buckets` (upper bounds, ascending).
    pub fn observe(
        &mut self,
        name: &str,
        help: &str,
        labels: &[(&str, &str)],
        buckets: &[f64],
        value: f64,
    ) {
        let fam = self.family(name, help, Kind::Histogram);
        for &le in buckets.iter().chain(core::iter::once(&f64::INFINITY)) {
            let le_s = if le.is_infinite() {
                "+Inf".to_string()
            } else {
                format!("{le}")
            };
            let mut l: Vec<(&str, &str)> = labels.to_vec();
            l.push(("le", &le_s));
            // Every bucket is present from the first observation on, as the format requires.
            *fam.samples
                .entry(format!("_bucket{}", label_set(&l)))
                .or_insert(0.0) += if value <= le { 1.0 } else { 0.0 };
        }
        *fam.samples
            .entry(format!("_sum{}", label_set(labels)))
            .or_insert(0.0) += value;
        *fam.samples
            .entry(format!("_count{}", label_set(labels)))
            .or_insert(0.0) += 1.0;
    }

    /// A sample's value (0 when absent), for tests and assertions: `get("x", "{a=\"b\"}")`.
    pub fn get(&self, name: &str, sample: &str) -> f64 {
        self.families
            .get(name)
            .and_then(|f| f.samples.get(sample))
            .copied()
            .unwrap_or(0.0)
    }

    /// Sum `other` into `self`.
    pub fn merge(&mut self, other: &Metrics) {
        for (name, fam) in &other.families {
            let mine = self.family(name, &fam.help, fam.kind);
            for (k, v) in &fam.samples {
                *mine.samples.entry(k.clone()).or_insert(0.0) += v;
            }
        }
    }

    /// Prometheus text format 0.0.4.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, fam) in &self.families {
            let kind = match fam.kind {
                Kind::Counter => "counter",
                Kind::Gauge => "gauge",
                Kind::Histogram => "histogram",
            };
            out.push_str(&format!(
                "# HELP {name} {}\n# TYPE {name} {kind}\n",
                fam.help
            ));
            for (sample, value) in &fam.samples {
                out.push_str(&format!("{name}{sample} {value}\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_histograms() {
        let mut m = Metrics::default();
        m.inc(
            "inplay_feed_events_total",
            "Feed events by result.",
            &[("result", "accepted")],
            2.0,
        );
        m.set(
            "inplay_relay_sockets",
            "Open sockets per relay.",
            &[("relay", "m1/weur/0")],
            3.0,
        );
        m.observe("inplay_feed_lag_ms", "Feed lag.", &[], &[10.0, 100.0], 42.0);
        let mut other = Metrics::default();
        other.inc(
            "inplay_feed_events_total",
            "Feed events by result.",
            &[("result", "accepted")],
            1.0,
        );
        m.merge(&other);
        let text = m.render();
        assert!(text.contains("# TYPE inplay_feed_events_total counter\n"));
        assert!(text.contains("inplay_feed_events_total{result=\"accepted\"} 3\n"));
        assert!(text.contains("inplay_relay_sockets{relay=\"m1/weur/0\"} 3\n"));
        assert!(text.contains("inplay_feed_lag_ms_bucket{le=\"10\"} 0\n"));
        assert!(text.contains("inplay_feed_lag_ms_bucket{le=\"100\"} 1\n"));
        assert!(text.contains("inplay_feed_lag_ms_bucket{le=\"+Inf\"} 1\n"));
        assert!(text.contains("inplay_feed_lag_ms_sum 42\n"));
        assert_eq!(
            m.get("inplay_feed_events_total", "{result=\"accepted\"}"),
            3.0
        );
        let back: Metrics = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
