//! The account's rate limit and the block that repeated overruns earn.
//!
//! Pure: the caller passes `now`. More than `per_second` requests served in any sliding one-second
//! window gives 429; `block_after_overruns` 429s within a minute block the account (403) for
//! `block_seconds`, or until someone lifts it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);
const OVERRUN_WINDOW: Duration = Duration::from_secs(60);

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    RateLimited,
    Blocked,
}

/// Limiter state for one account.
#[derive(Debug, Clone)]
pub struct Limiter {
    /// `None` turns the rate limit off (a block in force still holds).
    per_second: Option<u32>,
    /// 0 means overruns never block.
    pub block_after_overruns: u32,
    pub block_seconds: u64,
    served: VecDeque<Instant>,
    overruns: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

impl Limiter {
    pub fn new(per_second: Option<u32>, block_after_overruns: u32, block_seconds: u64) -> Self {
        Self {
            per_second,
            block_after_overruns,
            block_seconds,
            served: VecDeque::new(),
            overruns: VecDeque::new(),
            blocked_until: None,
        }
    }

    pub fn per_second(&self) -> Option<u32> {
        self.per_second
    }

    /// Changes the rate; the current window starts afresh.
    pub fn set_per_second(&mut self, per_second: Option<u32>) {
        self.per_second = per_second;
        self.served.clear();
    }

    /// Judges one request arriving at `now` and records it.
    pub fn check(&mut self, now: Instant) -> Verdict {
        if self.is_blocked(now) {
            return Verdict::Blocked;
        }
        self.blocked_until = None;
        let Some(limit) = self.per_second else {
            return Verdict::Pass;
        };
        drop_older_than(&mut self.served, now, WINDOW);
        if self.served.len() < limit as usize {
            self.served.push_back(now);
            return Verdict::Pass;
        }
        drop_older_than(&mut self.overruns, now, OVERRUN_WINDOW);
        self.overruns.push_back(now);
        if self.block_after_overruns > 0
            && self.overruns.len() >= self.block_after_overruns as usize
        {
            self.blocked_until = Some(now + Duration::from_secs(self.block_seconds));
            self.overruns.clear();
        }
        Verdict::RateLimited
    }

    pub fn is_blocked(&self, now: Instant) -> bool {
        self.blocked_until.is_some_and(|until| now < until)
    }

    /// Lifts a block and forgets past overruns, as support would.
    pub fn unblock(&mut self) {
        self.blocked_until = None;
        self.overruns.clear();
        self.served.clear();
    }
}

fn drop_older_than(times: &mut VecDeque<Instant>, now: Instant, age: Duration) {
    while times.front().is_some_and(|t| now.duration_since(*t) >= age) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    #[test]
    fn the_eighth_request_within_a_second_is_rate_limited() {
        let mut l = Limiter::new(Some(7), 5, 300);
        let t = Instant::now();
        let verdicts: Vec<_> = (0..8).map(|i| l.check(ms(t, i * 10))).collect();
        assert!(verdicts[..7].iter().all(|v| *v == Verdict::Pass));
        assert_eq!(verdicts[7], Verdict::RateLimited);
    }

    #[test]
    fn the_window_slides_so_a_request_a_second_later_passes() {
        let mut l = Limiter::new(Some(2), 5, 300);
        let t = Instant::now();
        assert_eq!(l.check(ms(t, 0)), Verdict::Pass);
        assert_eq!(l.check(ms(t, 500)), Verdict::Pass);
        assert_eq!(l.check(ms(t, 900)), Verdict::RateLimited);
        assert_eq!(l.check(ms(t, 1000)), Verdict::Pass);
        assert_eq!(l.check(ms(t, 1200)), Verdict::RateLimited);
        assert_eq!(l.check(ms(t, 1500)), Verdict::Pass);
    }

    #[test]
    fn repeated_overruns_block_until_the_block_ends_or_is_lifted() {
        let mut l = Limiter::new(Some(1), 3, 300);
        let t = Instant::now();
        l.check(t);
        for _ in 0..3 {
            assert_eq!(l.check(ms(t, 1)), Verdict::RateLimited);
        }
        assert_eq!(l.check(ms(t, 5_000)), Verdict::Blocked);
        assert!(l.is_blocked(ms(t, 299_000)));
        assert_eq!(l.check(ms(t, 301_000)), Verdict::Pass);
        for _ in 0..3 {
            l.check(ms(t, 301_001));
        }
        assert!(l.is_blocked(ms(t, 301_002)));
        l.unblock();
        assert_eq!(l.check(ms(t, 301_003)), Verdict::Pass);
    }

    #[test]
    fn overruns_spread_over_more_than_a_minute_do_not_block() {
        let mut l = Limiter::new(Some(1), 2, 300);
        let t = Instant::now();
        l.check(t);
        assert_eq!(l.check(ms(t, 1)), Verdict::RateLimited);
        l.check(ms(t, 61_000));
        assert_eq!(l.check(ms(t, 61_001)), Verdict::RateLimited);
        assert_eq!(l.check(ms(t, 62_500)), Verdict::Pass);
    }

    #[test]
    fn no_rate_means_no_limit() {
        let mut l = Limiter::new(None, 1, 300);
        let t = Instant::now();
        assert!((0..100).all(|_| l.check(t) == Verdict::Pass));
    }
}
