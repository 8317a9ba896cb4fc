//! When a failed request is sent again, and after how long.
//!
//! A GET may be repeated freely. A write (POST, PATCH) may have created or changed records, so it
//! is repeated only after a 429, which amoCRM sends before processing anything; every other
//! write failure goes back to the caller, who verifies from the next pull instead of resending
//! blind.

use std::time::{Duration, SystemTime};

use reqwest::Method;

use super::error::ApiError;

/// No single wait between attempts is longer than this, whatever the exponent says.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// A `Retry-After` longer than this is not waited out inside one call: the error goes back to
/// the caller (with the wait in [`ApiError::RateLimited`]) and the next run tries again.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// Exponential backoff: `base * 2^retry` plus up to 25 % jitter, never shorter than the
/// server's `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub max_retries: u32,
    pub base: Duration,
}

impl Backoff {
    /// The wait before retry number `retry` (0 for the first), or `None` to give up.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if retry >= self.max_retries || retry_after.is_some_and(|wait| wait > MAX_RETRY_AFTER) {
            return None;
        }
        let exponential = self
            .base
            .saturating_mul(2u32.saturating_pow(retry))
            .min(MAX_BACKOFF);
        let jitter = exponential.mul_f64(fastrand::f64() * 0.25);
        Some((exponential + jitter).max(retry_after.unwrap_or_default()))
    }
}

/// Whether a request that failed this way may be sent again.
pub(crate) fn may_retry(method: &Method, error: &ApiError) -> bool {
    match error {
        ApiError::RateLimited { .. } => true,
        ApiError::Server { .. } | ApiError::Timeout | ApiError::Network { .. } => {
            method == Method::GET
        }
        _ => false,
    }
}

/// Reads a `Retry-After` header: seconds (fractions tolerated) or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(at);
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn backoff(max_retries: u32) -> Backoff {
        Backoff {
            max_retries,
            base: SECOND,
        }
    }

    #[test]
    fn the_wait_doubles_with_each_retry_plus_at_most_a_quarter_of_jitter() {
        for (retry, expected) in [(0, 1), (1, 2), (2, 4), (3, 8)] {
            let wait = backoff(5).delay(retry, None).unwrap();
            let expected = Duration::from_secs(expected);
            assert!(
                wait >= expected && wait <= expected.mul_f64(1.25),
                "retry {retry}: {wait:?}"
            );
        }
    }

    #[test]
    fn the_wait_is_capped_even_for_huge_exponents() {
        let wait = backoff(u32::MAX).delay(1000, None).unwrap();
        assert!(wait <= MAX_BACKOFF.mul_f64(1.25), "{wait:?}");
    }

    #[test]
    fn retries_stop_after_max_retries() {
        assert!(backoff(2).delay(1, None).is_some());
        assert_eq!(backoff(2).delay(2, None), None);
        assert_eq!(backoff(0).delay(0, None), None);
    }

    #[test]
    fn retry_after_is_a_lower_bound_unless_it_is_too_long_to_wait() {
        let wait = backoff(3).delay(0, Some(Duration::from_secs(30))).unwrap();
        assert_eq!(wait, Duration::from_secs(30));
        assert_eq!(backoff(3).delay(0, Some(Duration::from_secs(3600))), None);
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 07:28:00 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after(" 0.25 ", now),
            Some(Duration::from_millis(250))
        );
        let date = "Wed, 21 Oct 2015 07:28:30 GMT";
        assert_eq!(parse_retry_after(date, now), Some(Duration::from_secs(30)));
        let past = "Wed, 21 Oct 2015 07:00:00 GMT";
        assert_eq!(parse_retry_after(past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn a_patch_is_a_write_like_a_post() {
        let server = ApiError::Server {
            status: 502,
            detail: String::new(),
        };
        assert!(!may_retry(&Method::PATCH, &server));
        assert!(!may_retry(&Method::PATCH, &ApiError::Timeout));
        let limited = ApiError::RateLimited { retry_after: None };
        assert!(may_retry(&Method::PATCH, &limited));
    }

    #[test]
    fn a_post_is_retried_only_after_429() {
        let server = ApiError::Server {
            status: 500,
            detail: String::new(),
        };
        let network = ApiError::Network {
            detail: String::new(),
        };
        assert!(may_retry(
            &Method::POST,
            &ApiError::RateLimited { retry_after: None }
        ));
        for error in [&server, &network, &ApiError::Timeout] {
            assert!(!may_retry(&Method::POST, error), "{error:?}");
            assert!(may_retry(&Method::GET, error), "{error:?}");
        }
        let refused = [
            ApiError::Unauthorized {
                detail: String::new(),
            },
            ApiError::Blocked {
                detail: String::new(),
            },
            ApiError::ListsUnavailable {
                status: 402,
                detail: String::new(),
            },
            ApiError::Rejected {
                status: 400,
                detail: String::new(),
            },
            ApiError::BadResponse {
                detail: String::new(),
            },
        ];
        for error in &refused {
            assert!(!may_retry(&Method::GET, error), "{error:?}");
        }
    }
}
