//! assets/contract.md §8: network errors, timeouts, 429 and 5xx are retried with exponential backoff and
//! full jitter (base 250 ms, cap 5 s, 3 attempts in all); 4xx never.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(5),
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Done,
    /// Try again; `committed` says whether the failed attempt may have been stored anyway.
    Retry {
        committed: bool,
    },
}

/// The verdict for an answer's status.
pub fn for_status(status: u16, stored_nothing: bool) -> Verdict {
    match status {
        429 => Verdict::Retry { committed: false },
        500..=599 => Verdict::Retry {
            committed: !stored_nothing,
        },
        _ => Verdict::Done,
    }
}

impl RetryPolicy {
    /// Full jitter: a random wait between 0 and min(cap, base·2^(n-1)) after the n-th attempt.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.cap);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// `Retry-After` as seconds or an HTTP date, capped so a server cannot park the client for long.
pub fn retry_after(value: &str, cap: Duration) -> Option<Duration> {
    let value = value.trim();
    let wait = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
    };
    Some(wait.min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_by_the_exponential_ceiling() {
        let p = RetryPolicy::default();
        for _ in 0..200 {
            assert!(p.backoff(1) <= Duration::from_millis(250));
            assert!(p.backoff(2) <= Duration::from_millis(500));
            assert!(p.backoff(10) <= Duration::from_secs(5));
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(for_status(200, false), Verdict::Done);
        assert_eq!(for_status(400, false), Verdict::Done);
        assert_eq!(for_status(404, false), Verdict::Done);
        assert_eq!(for_status(429, false), Verdict::Retry { committed: false });
        assert_eq!(for_status(503, false), Verdict::Retry { committed: true });
        assert_eq!(for_status(500, true), Verdict::Retry { committed: false });
    }

    #[test]
    fn retry_after_in_seconds_or_dates() {
        let cap = Duration::from_secs(30);
        assert_eq!(retry_after("2", cap), Some(Duration::from_secs(2)));
        assert_eq!(retry_after("3600", cap), Some(cap));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT", cap),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", cap), None);
    }
}
