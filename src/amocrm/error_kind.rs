//! What kind of failure an [`ApiError`] is, as a stable word for machines (`plan --json`'s
//! `error.kind`), and the HTTP status it carries, if any.

use super::error::ApiError;

impl ApiError {
    /// One word per variant, stable across releases (the README lists them).
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::ListsUnavailable { .. } => "lists_unavailable",
            ApiError::Blocked { .. } => "blocked",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Server { .. } => "server_error",
            ApiError::Rejected { .. } => "rejected",
            ApiError::Timeout => "timeout",
            ApiError::Network { .. } => "unreachable",
            ApiError::BadResponse { .. } => "bad_response",
            ApiError::Credentials { .. } => "credentials",
            ApiError::Config { .. } => "client_settings",
        }
    }

    /// The HTTP status amoCRM answered, when the failure is an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized { .. } => Some(401),
            ApiError::Blocked { .. } => Some(403),
            ApiError::RateLimited { .. } => Some(429),
            ApiError::ListsUnavailable { status, .. }
            | ApiError::Server { status, .. }
            | ApiError::Rejected { status, .. } => Some(*status),
            ApiError::Timeout
            | ApiError::Network { .. }
            | ApiError::BadResponse { .. }
            | ApiError::Credentials { .. }
            | ApiError::Config { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_keeps_its_status_and_no_answer_has_one() {
        let rejected = ApiError::Rejected {
            status: 404,
            detail: String::new(),
        };
        assert_eq!(
            (rejected.kind(), rejected.status()),
            ("rejected", Some(404))
        );
        let refused = ApiError::Unauthorized {
            detail: String::new(),
        };
        assert_eq!(
            (refused.kind(), refused.status()),
            ("unauthorized", Some(401))
        );
        let network = ApiError::Network {
            detail: String::new(),
        };
        assert_eq!((network.kind(), network.status()), ("unreachable", None));
        assert_eq!(ApiError::Timeout.status(), None);
    }
}
