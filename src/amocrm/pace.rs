//! The client-side pace: one token bucket per client, holding a single token that refills every
//! `1 / requests_per_second`. So requests are spaced evenly and never burst: amoCRM counts
//! requests per second and answers a burst with 429, then with a 403 block.
//!
//! Each interval carries a small margin ([`JITTER_MARGIN`]): requests spaced exactly `1/7 s`
//! apart leave no room for network jitter, and a sandbox counting 7 per sliding second did
//! answer 429 to such a run (3 of 31 requests, every time). With the margin, eight consecutive
//! requests span at least 7 × 20 ms more than a second on the account's side.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// Added to every interval so that jitter between here and the account never crowds more than
/// `requests_per_second` requests into one of the account's seconds.
const JITTER_MARGIN: Duration = Duration::from_millis(20);

/// Spaces requests at most `requests_per_second` apart, across every task sharing it.
#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    /// When the next request may go out.
    next: Mutex<Instant>,
}

impl Pacer {
    /// `requests_per_second` must be at least 1 (checked by the client's options).
    pub(crate) fn new(requests_per_second: u32) -> Pacer {
        Pacer {
            interval: Duration::from_secs(1) / requests_per_second.max(1) + JITTER_MARGIN,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this request's turn. Turns are handed out in call order; a turn whose waiter
    /// is cancelled is simply lost, which only slows things down.
    pub(crate) async fn wait(&self) {
        let turn = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let turn = (*next).max(Instant::now());
            *next = turn + self.interval;
            turn
        };
        tokio::time::sleep_until(turn).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // tokio's paused clock needs the `test-util` feature, which the crate does not enable, so
    // these use real time with a short interval and assert only lower bounds (never bursting).
    fn pacer(interval_ms: u64) -> Pacer {
        Pacer {
            interval: Duration::from_millis(interval_ms),
            next: Mutex::new(Instant::now()),
        }
    }

    #[test]
    fn the_interval_is_a_second_divided_by_the_rate_plus_the_jitter_margin() {
        assert_eq!(Pacer::new(4).interval, Duration::from_millis(270));
        assert_eq!(Pacer::new(7).interval, Duration::from_nanos(162_857_142));
    }

    #[tokio::test]
    async fn requests_are_spaced_by_the_interval_and_never_burst() {
        let pacer = pacer(20);
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait().await;
        }
        assert!(
            start.elapsed() >= Duration::from_millis(80),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn the_first_request_goes_at_once() {
        let pacer = pacer(10_000);
        let start = Instant::now();
        pacer.wait().await;
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn concurrent_tasks_share_one_pace() {
        let pacer = std::sync::Arc::new(pacer(20));
        let start = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move { pacer.wait().await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert!(
            start.elapsed() >= Duration::from_millis(60),
            "{:?}",
            start.elapsed()
        );
    }
}
