//! The record of requests the account received, for tests to inspect.
//!
//! The newest [`MAX_ENTRIES`] requests are kept in full; the counters count every request since
//! the last clear, so long benchmarks neither grow memory without bound nor lose counts.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// How many requests the log keeps in full.
pub const MAX_ENTRIES: usize = 10_000;
const MAX_BODY_CHARS: usize = 64 * 1024;

/// The path every catalog request goes to.
pub const CATALOGS_PATH: &str = "/api/v2/catalogs";

/// One request as the account saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    /// Path and query, e.g. `/api/v2/catalogs?id=7001`.
    pub path: String,
    /// The body as text (lossy UTF-8, cut at 64 KiB).
    pub body: String,
    /// The status answered; 0 when the connection was dropped without an answer.
    pub status: u16,
}

/// Counts of requests since the log was last cleared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub total: usize,
    pub catalogs_get: usize,
    pub catalogs_post: usize,
    pub unauthorized: usize,
    pub rate_limited: usize,
    pub blocked: usize,
    pub dropped: usize,
}

#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    entries: VecDeque<LoggedRequest>,
    counters: Counters,
}

impl RequestLog {
    pub fn record(&mut self, mut entry: LoggedRequest) {
        let c = &mut self.counters;
        c.total += 1;
        if path_only(&entry.path) == CATALOGS_PATH {
            match entry.method.as_str() {
                "GET" => c.catalogs_get += 1,
                "POST" => c.catalogs_post += 1,
                _ => {}
            }
        }
        match entry.status {
            0 => c.dropped += 1,
            401 => c.unauthorized += 1,
            403 => c.blocked += 1,
            429 => c.rate_limited += 1,
            _ => {}
        }
        if entry.body.len() > MAX_BODY_CHARS {
            let mut cut = MAX_BODY_CHARS;
            while !entry.body.is_char_boundary(cut) {
                cut -= 1;
            }
            entry.body.truncate(cut);
        }
        if self.entries.len() == MAX_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Requests to `/api/v2/catalogs` with this method since the last clear.
    pub fn count(&self, method: &str) -> usize {
        match method.to_ascii_uppercase().as_str() {
            "GET" => self.counters.catalogs_get,
            "POST" => self.counters.catalogs_post,
            _ => 0,
        }
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

fn path_only(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(method: &str, path: &str, status: u16) -> LoggedRequest {
        LoggedRequest {
            method: method.into(),
            path: path.into(),
            body: String::new(),
            status,
        }
    }

    #[test]
    fn counts_are_per_method_on_the_catalogs_path_only() {
        let mut log = RequestLog::default();
        log.record(entry("GET", "/api/v2/catalogs?id=1", 200));
        log.record(entry("GET", "/api/v2/account", 200));
        log.record(entry("POST", "/api/v2/catalogs", 429));
        assert_eq!((log.count("get"), log.count("POST")), (1, 1));
        assert_eq!(log.counters().rate_limited, 1);
        assert_eq!(log.counters().total, 3);
        log.clear();
        assert_eq!(log.count("GET"), 0);
        assert!(log.entries().is_empty());
    }

    #[test]
    fn the_log_keeps_only_the_newest_entries_but_counts_them_all() {
        let mut log = RequestLog::default();
        for _ in 0..MAX_ENTRIES + 5 {
            log.record(entry("GET", CATALOGS_PATH, 200));
        }
        assert_eq!(log.entries().len(), MAX_ENTRIES);
        assert_eq!(log.count("GET"), MAX_ENTRIES + 5);
    }
}
