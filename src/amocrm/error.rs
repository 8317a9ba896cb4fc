//! Errors of a whole request: what amoCRM (or the network) did, and what to do about it.
//!
//! No variant ever holds the token: details come from response bodies, status lines and
//! transport errors, and requests carry the token only in a header marked sensitive.

use std::time::Duration;

use reqwest::StatusCode;

use super::detail;

/// amoCRM's error code for "no rights to lists" (lists disabled on the plan or for the user).
const NO_LIST_RIGHTS: i64 = 244;

/// Why a request to amoCRM failed as a whole. Per-item failures of a POST are not errors: they
/// are in [`BatchOutcome`](super::BatchOutcome).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 401: the token is wrong, expired or revoked. Needs a person.
    #[error(
        "amoCRM answered 401 Unauthorized ({detail}): the long-lived token (auth.method = \
         token) was rejected: it is wrong, expired or revoked, or the integration is disabled; \
         generate a new token in the integration's settings and check auth.token"
    )]
    Unauthorized { detail: String },

    /// 402, or error code 244 in any envelope: lists are off for the account or the user.
    #[error(
        "amoCRM answered {} ({detail}): lists are not available on this account or to this \
         user; lists need a paid plan and the user needs rights to them",
        status_line(*.status)
    )]
    ListsUnavailable { status: u16, detail: String },

    /// 403: blocked (too many requests, or the IP is not allowed). Stop all traffic for a while.
    #[error(
        "amoCRM answered 403 Forbidden ({detail}): the account or IP may be blocked for too \
         many requests; sending nothing for http.blocked_cooldown_seconds"
    )]
    Blocked { detail: String },

    /// 429 after the retries, or with a `Retry-After` too long to wait out in one call.
    #[error(
        "amoCRM answered 429 Too Many Requests{}: the account's rate limit was hit; if this \
         persists, lower http.requests_per_second (the next run tries again)",
        wait_hint(.retry_after)
    )]
    RateLimited { retry_after: Option<Duration> },

    /// 5xx. A POST may have been applied all the same.
    #[error(
        "amoCRM answered {} ({detail}): a server error, usually temporary; the next run will \
         try again",
        status_line(*.status)
    )]
    Server { status: u16, detail: String },

    /// Any other non-2xx status (400, 404, a redirect, ...). The message's advice follows the
    /// status: an address problem for a redirect, 404 or 410, the data sent otherwise.
    #[error(
        "amoCRM rejected the request with {} ({detail}): {}",
        status_line(*.status),
        rejected_hint(*.status)
    )]
    Rejected { status: u16, detail: String },

    /// No complete answer within `ClientOptions::timeout`. A POST may have been applied.
    #[error(
        "amoCRM did not answer within http.timeout_seconds: the network or amoCRM is slow; the \
         next run will try again"
    )]
    Timeout,

    /// The connection failed or broke. A POST may have been applied.
    #[error("could not reach amoCRM ({detail}): check the network, DNS and amocrm.base_url")]
    Network { detail: String },

    /// A 2xx answer that cannot be read: malformed, truncated, not UTF-8, over 4 MiB, an error
    /// envelope, or a catalog without id or name. A POST may have been applied.
    #[error(
        "amoCRM sent a response catalog-sync cannot read ({detail}); if it persists, report it \
         with this message"
    )]
    BadResponse { detail: String },

    /// Credentials could not be obtained or renewed (an OAuth refresh, a legacy login, or
    /// storing their result), or were refused even after renewal. `detail` says what to do.
    #[error("{detail}")]
    Credentials { detail: String },

    /// A [`ClientOptions`](super::ClientOptions) value that cannot work; nothing was sent.
    #[error("invalid amoCRM client settings: {detail}")]
    Config { detail: String },
}

impl ApiError {
    /// Whether the same request may succeed later without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Server { .. }
                | ApiError::Timeout
                | ApiError::Network { .. }
        )
    }

    /// Whether a write that ended with this error may still have changed the account: the
    /// caller then treats its items as in doubt and settles them by reading the account back
    /// before anything is sent again (SPEC §6). Asked only after writes.
    ///
    /// A 400 is among them: amoCRM does not say whether the valid items of a refused batch were
    /// applied, and a 400 that names none of the items sent (plain problem JSON, or
    /// `validation-errors` whose `request_id`s match nothing) cannot be pinned on any item, so
    /// failing them all would create the applied ones again next run. "Lists unavailable"
    /// (402 or code 244), 401, 403 and 429 mean nothing was done.
    pub fn may_have_been_applied(&self) -> bool {
        matches!(
            self,
            ApiError::Server { .. }
                | ApiError::Rejected { status: 400, .. }
                | ApiError::Timeout
                | ApiError::Network { .. }
                | ApiError::BadResponse { .. }
        )
    }

    /// Whether the account answered 404 or 410, whatever the body (problem JSON, an HTML page,
    /// nothing). From an `/api/v2` endpoint this means API v2 is switched off for the account:
    /// `amocrm.api = "auto"` then goes on through v4.
    pub fn is_gone(&self) -> bool {
        matches!(
            self,
            ApiError::Rejected {
                status: 404 | 410,
                ..
            }
        )
    }

    /// A bad client option; `detail` names the setting.
    pub(crate) fn config(detail: impl Into<String>) -> ApiError {
        ApiError::Config {
            detail: detail.into(),
        }
    }

    /// The same error with every occurrence of `secret` in its detail replaced: a server that
    /// echoes the request (headers included) into an error body must not leak the token.
    pub(crate) fn redact(self, secret: &str) -> ApiError {
        use ApiError::*;
        let clean = |detail: String| {
            if secret.is_empty() {
                detail
            } else {
                detail.replace(secret, "[redacted]")
            }
        };
        match self {
            Unauthorized { detail } => Unauthorized {
                detail: clean(detail),
            },
            ListsUnavailable { status, detail } => ListsUnavailable {
                status,
                detail: clean(detail),
            },
            Blocked { detail } => Blocked {
                detail: clean(detail),
            },
            Server { status, detail } => Server {
                status,
                detail: clean(detail),
            },
            Rejected { status, detail } => Rejected {
                status,
                detail: clean(detail),
            },
            Network { detail } => Network {
                detail: clean(detail),
            },
            BadResponse { detail } => BadResponse {
                detail: clean(detail),
            },
            Config { detail } => Config {
                detail: clean(detail),
            },
            Credentials { detail } => Credentials {
                detail: clean(detail),
            },
            RateLimited { .. } | Timeout => self,
        }
    }

    /// The error for a non-2xx answer, from its status and whatever body came with it.
    pub(crate) fn from_status(
        status: StatusCode,
        body: &[u8],
        location: Option<&str>,
        retry_after: Option<Duration>,
    ) -> ApiError {
        let described = detail::describe(body);
        let detail = match location {
            Some(to) if status.is_redirection() => detail::truncate(&format!("a redirect to {to}")),
            _ => described.detail,
        };
        let status_code = status.as_u16();
        if described.code == Some(NO_LIST_RIGHTS) && status != StatusCode::UNAUTHORIZED {
            return ApiError::ListsUnavailable {
                status: status_code,
                detail,
            };
        }
        match status_code {
            401 => ApiError::Unauthorized { detail },
            402 => ApiError::ListsUnavailable {
                status: status_code,
                detail,
            },
            403 => ApiError::Blocked { detail },
            429 => ApiError::RateLimited { retry_after },
            500..=599 => ApiError::Server {
                status: status_code,
                detail,
            },
            _ => ApiError::Rejected {
                status: status_code,
                detail,
            },
        }
    }

    /// The error for a 2xx answer whose body is an error envelope instead of data.
    pub(crate) fn from_envelope(status: StatusCode, envelope: detail::ErrorBody) -> ApiError {
        if envelope.code == Some(NO_LIST_RIGHTS) {
            return ApiError::ListsUnavailable {
                status: status.as_u16(),
                detail: envelope.detail,
            };
        }
        let detail = format!(
            "status {} with an error: {}",
            status.as_u16(),
            envelope.detail
        );
        ApiError::BadResponse {
            detail: detail::truncate(&detail),
        }
    }

    /// The error for a request that got no (complete) answer.
    pub(crate) fn from_transport(error: &reqwest::Error) -> ApiError {
        if error.is_timeout() {
            return ApiError::Timeout;
        }
        let mut detail = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            detail.push_str(": ");
            detail.push_str(&cause.to_string());
            source = cause.source();
        }
        ApiError::Network {
            detail: detail::truncate(&detail),
        }
    }
}

fn status_line(status: u16) -> String {
    match StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn rejected_hint(status: u16) -> &'static str {
    match status {
        300..=399 => {
            "amoCRM sent the request elsewhere, which is never followed; check that \
             amocrm.base_url is the account's own address"
        }
        404 | 410 => {
            "the address does not exist on this account: amocrm.base_url is wrong, what the \
             request names (a catalog) is gone, or, for /api/v2, API v2 is switched off (set \
             amocrm.api = \"v4\" or \"auto\")"
        }
        _ => "amoCRM refused what was sent; the detail says why",
    }
}

fn wait_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(" (it asked to wait {} s)", wait.as_secs_f64()),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
