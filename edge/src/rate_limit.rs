//! Per-user bet rate limit: a token bucket per user per match, kept in the hub's memory.
//!
//! Memory only, on purpose: a limit that resets when the hub restarts costs nothing, and keeping it out
//! of storage keeps the bet path to one SQLite write.

use std::collections::HashMap;

/// Token buckets keyed by user.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    burst: f64,
    per_ms: f64,
    buckets: HashMap<String, (f64, u64)>,
}

impl RateLimiter {
    /// `burst` bets at once, refilling `per_sec` a second.
    pub fn new(burst: u32, per_sec: f64) -> Self {
        RateLimiter {
            burst: burst.max(1) as f64,
            per_ms: per_sec.max(0.0) / 1000.0,
            buckets: HashMap::new(),
        }
    }

    /// Take one token for `user` at `now_ms`; `Err(retry_after_ms)` when empty.
    pub fn take(&mut self, user: &str, now_ms: u64) -> Result<(), u64> {
        if self.buckets.len() > 100_000 {
            // Bound memory under a flood of distinct users: full buckets carry no information.
            let (burst, per_ms) = (self.burst, self.per_ms);
            self.buckets
                .retain(|_, (t, at)| *t + now_ms.saturating_sub(*at) as f64 * per_ms < burst);
        }
        let (tokens, at) = self
            .buckets
            .entry(user.to_string())
            .or_insert((self.burst, now_ms));
        *tokens = (*tokens + now_ms.saturating_sub(*at) as f64 * self.per_ms).min(self.burst);
        *at = now_ms;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else if self.per_ms > 0.0 {
            Err(((1.0 - *tokens) / self.per_ms).ceil() as u64)
        } else {
            Err(u64::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills() {
        let mut rl = RateLimiter::new(2, 1.0);
        assert!(rl.take("u", 0).is_ok());
        assert!(rl.take("u", 0).is_ok());
        assert_eq!(rl.take("u", 0), Err(1000));
        assert!(rl.take("v", 0).is_ok(), "buckets are per user");
        assert!(rl.take("u", 1000).is_ok());
        assert!(rl.take("u", 1000).is_err());
    }
}
