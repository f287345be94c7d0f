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
    /// `suffix{labels}` → value, e.g. `{result="accepted"}`.
    pub samples: BTreeMap<String, f64>,
    /// Histograms by their rendered label set (rendered as `_bucket`, `_sum`, `_count` samples).
    #[serde(default)]
    pub histograms: BTreeMap<String, Histogram>,
}

/// One histogram's counts: cheap to observe (no text formatting per observation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// The labels as pairs, for rendering the `le` label beside them.
    pub labels: Vec<(String, String)>,
    /// Upper bounds, ascending (`+Inf` implied after the last).
    pub bounds: Vec<f64>,
    /// Observations at or below each bound, and the `+Inf` bucket last (cumulative when rendered).
    pub counts: Vec<f64>,
    /// Sum of observations.
    pub sum: f64,
    /// Observations.
    pub count: f64,
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
                histograms: BTreeMap::new(),
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
        let h = fam
            .histograms
            .entry(label_set(labels))
            .or_insert_with(|| Histogram {
                labels: labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                bounds: buckets.to_vec(),
                counts: vec![0.0; buckets.len() + 1],
                sum: 0.0,
                count: 0.0,
            });
        // The first bucket that holds it; +Inf when none.
        let i = h
            .bounds
            .iter()
            .position(|&le| value <= le)
            .unwrap_or(h.bounds.len());
        if let Some(c) = h.counts.get_mut(i) {
            *c += 1.0;
        }
        h.sum += value;
        h.count += 1.0;
    }

    /// A sample's value (0 when absent), for tests and assertions: `get("x", "{a=\"b\"}")`
    /// (histograms by their rendered samples, e.g. `_count{…}`).
    pub fn get(&self, name: &str, sample: &str) -> f64 {
        let Some(f) = self.families.get(name) else {
            return 0.0;
        };
        if let Some(v) = f.samples.get(sample) {
            return *v;
        }
        f.histograms
            .values()
            .flat_map(Histogram::samples)
            .find(|(k, _)| k == sample)
            .map_or(0.0, |(_, v)| v)
    }

    /// Sum `other` into `self`.
    pub fn merge(&mut self, other: &Metrics) {
        for (name, fam) in &other.families {
            let mine = self.family(name, &fam.help, fam.kind);
            for (k, v) in &fam.samples {
                *mine.samples.entry(k.clone()).or_insert(0.0) += v;
            }
            for (k, h) in &fam.histograms {
                match mine.histograms.get_mut(k) {
                    Some(m) if m.bounds == h.bounds => {
                        for (a, b) in m.counts.iter_mut().zip(&h.counts) {
                            *a += b;
                        }
                        m.sum += h.sum;
                        m.count += h.count;
                    }
                    Some(_) => {}
                    None => {
                        mine.histograms.insert(k.clone(), h.clone());
                    }
                }
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
            for h in fam.histograms.values() {
                for (sample, value) in h.samples() {
                    out.push_str(&format!("{name}{sample} {value}\n"));
                }
            }
        }
        out
    }
}

impl Histogram {
    /// The rendered samples: cumulative `_bucket{…,le}` (every bucket, as the format requires),
    /// `_sum{…}`, `_count{…}`.
    pub fn samples(&self) -> Vec<(String, f64)> {
        let labels: Vec<(&str, &str)> = self
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut out = Vec::with_capacity(self.counts.len() + 2);
        let mut cumulative = 0.0;
        for (i, c) in self.counts.iter().enumerate() {
            cumulative += c;
            let le = match self.bounds.get(i) {
                Some(b) => format!("{b}"),
                None => "+Inf".to_string(),
            };
            let mut l = labels.clone();
            l.push(("le", &le));
            out.push((format!("_bucket{}", label_set(&l)), cumulative));
        }
        out.push((format!("_sum{}", label_set(&labels)), self.sum));
        out.push((format!("_count{}", label_set(&labels)), self.count));
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
