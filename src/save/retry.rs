//! When to try a queued save again.
//!
//! Exponential backoff with full jitter (each wait is uniform in `[0, min(cap, base·2^n)]`), the
//! server's `Retry-After` honoured as a floor, and the interval capped. Jitter matters: after a long
//! outage every client has saves queued; without it they would all return in the same second and
//! knock the recovering backend over again. `examples/fleet.rs` measures exactly that.

/// The retry schedule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// The ceiling of the first wait.
    pub base_ms: f64,
    /// No wait is longer than this, so a citizen back online is never left waiting for long.
    pub cap_ms: f64,
    /// The most we honour of a server's `Retry-After` (a broken header must not park saves for days).
    pub max_retry_after_ms: f64,
    /// Automatic retries when the browser comes back online are spread over this window: a
    /// city's worth of phones regaining the network at once must not arrive in the same second
    /// (`examples/fleet.rs`: 5 s still meant 40× the backend's rate; 30 s about 7×, after which
    /// the server's `Retry-After` and the backoff take over). *Retry now* is always immediate.
    pub wake_spread_ms: f64,
    /// Retries when the citizen returns to the tab: people return at random moments, so a short
    /// spread is enough.
    pub return_spread_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_ms: 2_000.0,
            cap_ms: 5.0 * 60_000.0,
            max_retry_after_ms: 30.0 * 60_000.0,
            wake_spread_ms: 30_000.0,
            return_spread_ms: 2_000.0,
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `failed_attempts + 1`, given `random` uniform in `[0, 1)`.
    pub fn delay_ms(
        &self,
        failed_attempts: u32,
        retry_after_secs: Option<u32>,
        random: f64,
    ) -> f64 {
        let exponent = failed_attempts.saturating_sub(1).min(30);
        let ceiling = (self.base_ms * f64::from(1u32 << exponent.min(30))).min(self.cap_ms);
        let jittered = ceiling * random.clamp(0.0, 1.0);
        match retry_after_secs {
            // The server's wait is a floor, with the full backoff jitter on top: clients shed in
            // the same second must not all return in the same second again.
            Some(secs) => {
                let floor = (f64::from(secs) * 1_000.0).min(self.max_retry_after_ms);
                floor + jittered
            }
            None => jittered,
        }
    }
}

impl RetryPolicy {
    /// The wait before retrying after the browser's `online` event.
    pub fn wake_delay_ms(&self, random: f64) -> f64 {
        self.wake_spread_ms * random.clamp(0.0, 1.0)
    }

    /// The wait before retrying when the citizen returns to the tab.
    pub fn return_delay_ms(&self, random: f64) -> f64 {
        self.return_spread_ms * random.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay_ms(1, None, 0.999_999).round(), 2_000.0);
        assert_eq!(p.delay_ms(2, None, 0.999_999).round(), 4_000.0);
        assert_eq!(p.delay_ms(5, None, 0.999_999).round(), 32_000.0);
        assert_eq!(p.delay_ms(40, None, 0.999_999).round(), p.cap_ms);
        assert_eq!(p.delay_ms(u32::MAX, None, 1.0), p.cap_ms);
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay_ms(3, None, 0.0), 0.0);
        assert_eq!(p.delay_ms(3, None, 0.5), 4_000.0);
        assert_eq!(
            p.delay_ms(3, None, 7.0),
            8_000.0,
            "out-of-range randomness is clamped"
        );
    }

    #[test]
    fn retry_after_is_a_floor_and_bounded() {
        let p = RetryPolicy::default();
        let d = p.delay_ms(1, Some(120), 0.5);
        assert_eq!(d, 121_000.0, "the floor plus the backoff jitter");
        let late = p.delay_ms(12, Some(30), 0.5);
        assert_eq!(
            late,
            30_000.0 + p.cap_ms / 2.0,
            "spread, not a common return second"
        );
        assert_eq!(p.delay_ms(1, Some(u32::MAX), 0.0), p.max_retry_after_ms);
    }
}
