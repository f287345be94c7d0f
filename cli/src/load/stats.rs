//! Order statistics of a sample: what every figure of the harness is reported as.

/// p50 / p99 / max of a sample (in the unit of the sample: ms unless a field says otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Quantiles {
    /// Samples.
    pub n: usize,
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

impl Quantiles {
    /// Of a sample (sorted in place).
    pub fn of(v: &mut [f64]) -> Quantiles {
        if v.is_empty() {
            return Quantiles::default();
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| v[((p * v.len() as f64) as usize).min(v.len() - 1)];
        Quantiles {
            n: v.len(),
            p50: q(0.5),
            p99: q(0.99),
            max: v[v.len() - 1],
        }
    }

    /// `p50 1.2 µs, p99 …` in another unit than ms.
    pub fn with_unit(&self, unit: &str) -> String {
        format!(
            "p50 {:.1} {unit}, p99 {:.1} {unit}, max {:.1} {unit} (n={})",
            self.p50, self.p99, self.max, self.n
        )
    }
}

impl std::fmt::Display for Quantiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.with_unit("ms"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_sample() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        let q = Quantiles::of(&mut v);
        assert_eq!((q.n, q.p50, q.p99, q.max), (100, 51.0, 100.0, 100.0));
        assert_eq!(Quantiles::of(&mut []).n, 0);
    }

    #[test]
    fn quantiles_print_in_their_unit() {
        let q = Quantiles::of(&mut [1.0, 2.0, 3.0]);
        assert_eq!(q.to_string(), "p50 2.0 ms, p99 3.0 ms, max 3.0 ms (n=3)");
        assert!(q.with_unit("µs").starts_with("p50 2.0 µs"));
    }
}
