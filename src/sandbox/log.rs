//! The record of requests the account received, for tests to inspect.
//!
//! The newest [`MAX_ENTRIES`] requests are kept in full (fewer per account when one listener
//! serves many accounts); the counters count every request since the last clear, so long
//! benchmarks neither grow memory without bound nor lose counts.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

/// How many requests the log keeps in full.
pub const MAX_ENTRIES: usize = 10_000;
const MAX_BODY_CHARS: usize = 64 * 1024;

/// The path every v2 catalog request goes to.
pub const CATALOGS_PATH: &str = "/api/v2/catalogs";
/// The v2 path element deletes go to.
pub const V2_ELEMENTS_PATH: &str = "/api/v2/catalog_elements";

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

/// Counts of requests since the log was last cleared (any status).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub total: usize,
    /// `GET /api/v2/catalogs`.
    pub catalogs_get: usize,
    /// `POST /api/v2/catalogs`.
    pub catalogs_post: usize,
    pub unauthorized: usize,
    pub rate_limited: usize,
    pub blocked: usize,
    pub dropped: usize,
    /// `GET /api/v4/catalogs` (the list or one catalog).
    pub v4_catalogs_get: usize,
    pub v4_catalogs_post: usize,
    pub v4_catalogs_patch: usize,
    /// `GET /api/v4/catalogs/{id}/elements` (pages or one element).
    pub elements_get: usize,
    pub elements_post: usize,
    pub elements_patch: usize,
    /// `GET /api/v4/catalogs/{id}/custom_fields`.
    pub custom_fields_get: usize,
    /// `POST /api/v2/catalog_elements` (requests, not elements).
    pub v2_element_deletes: usize,
}

/// The request log of one account.
#[derive(Debug, Clone)]
pub struct RequestLog {
    entries: VecDeque<LoggedRequest>,
    counters: Counters,
    /// Requests by method and path (without the query), for [`RequestLog::count_at`].
    by_path: BTreeMap<(String, String), usize>,
    max_entries: usize,
    max_body_chars: usize,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::with_limits(MAX_ENTRIES, MAX_BODY_CHARS)
    }
}

impl RequestLog {
    /// A log keeping the newest `max_entries` requests, bodies cut at `max_body_chars`.
    pub fn with_limits(max_entries: usize, max_body_chars: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            counters: Counters::default(),
            by_path: BTreeMap::new(),
            max_entries: max_entries.max(1),
            max_body_chars,
        }
    }

    /// The log of one of `n` accounts on one listener: together they keep about what one
    /// account alone would (at least 20 entries each, bodies cut at 4 KiB from 16 accounts on).
    pub fn for_one_of(n: usize) -> Self {
        let n = n.max(1);
        Self::with_limits((MAX_ENTRIES / n).max(20), MAX_BODY_CHARS / n.min(16))
    }

    pub fn record(&mut self, mut entry: LoggedRequest) {
        let c = &mut self.counters;
        c.total += 1;
        let path = path_only(&entry.path);
        if let Some(counter) = endpoint_counter(c, &entry.method, path) {
            *counter += 1;
        }
        *self
            .by_path
            .entry((entry.method.clone(), path.to_string()))
            .or_default() += 1;
        match entry.status {
            0 => c.dropped += 1,
            401 => c.unauthorized += 1,
            403 => c.blocked += 1,
            429 => c.rate_limited += 1,
            _ => {}
        }
        if entry.body.len() > self.max_body_chars {
            let mut cut = self.max_body_chars;
            while !entry.body.is_char_boundary(cut) {
                cut -= 1;
            }
            entry.body.truncate(cut);
        }
        if self.entries.len() >= self.max_entries {
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

    /// Requests with this method whose path starts with `prefix`, since the last clear.
    pub fn count_at(&self, method: &str, prefix: &str) -> usize {
        self.by_path
            .iter()
            .filter(|((m, p), _)| m.eq_ignore_ascii_case(method) && p.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }

    pub fn clear(&mut self) {
        *self = Self::with_limits(self.max_entries, self.max_body_chars);
    }
}

fn path_only(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// The counter of the endpoint a request went to, if it has one.
fn endpoint_counter<'c>(c: &'c mut Counters, method: &str, path: &str) -> Option<&'c mut usize> {
    let v4 = path.strip_prefix("/api/v4/catalogs");
    let catalog_rest = v4
        .and_then(|rest| rest.strip_prefix('/'))
        .map(|rest| rest.split_once('/').map_or("", |(_, tail)| tail));
    let counter = match (method, path, v4, catalog_rest) {
        ("GET", CATALOGS_PATH, ..) => &mut c.catalogs_get,
        ("POST", CATALOGS_PATH, ..) => &mut c.catalogs_post,
        ("POST", V2_ELEMENTS_PATH, ..) => &mut c.v2_element_deletes,
        ("GET", _, Some(""), _) | ("GET", _, _, Some("")) => &mut c.v4_catalogs_get,
        ("POST", _, Some(""), _) => &mut c.v4_catalogs_post,
        ("PATCH", _, Some(""), _) => &mut c.v4_catalogs_patch,
        ("GET", _, _, Some("custom_fields")) => &mut c.custom_fields_get,
        ("GET", _, _, Some(rest)) if rest == "elements" || rest.starts_with("elements/") => {
            &mut c.elements_get
        }
        ("POST", _, _, Some("elements")) => &mut c.elements_post,
        ("PATCH", _, _, Some("elements")) => &mut c.elements_patch,
        _ => return None,
    };
    Some(counter)
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

    #[test]
    fn every_endpoint_has_its_counter_and_paths_count_by_prefix() {
        let mut log = RequestLog::default();
        for (method, path) in [
            ("GET", "/api/v4/catalogs?page=2"),
            ("GET", "/api/v4/catalogs/7001"),
            ("POST", "/api/v4/catalogs"),
            ("PATCH", "/api/v4/catalogs"),
            ("GET", "/api/v4/catalogs/7001/elements?page=1"),
            ("GET", "/api/v4/catalogs/7001/elements/500001"),
            ("POST", "/api/v4/catalogs/7001/elements"),
            ("PATCH", "/api/v4/catalogs/7002/elements"),
            ("GET", "/api/v4/catalogs/7001/custom_fields"),
            ("POST", "/api/v2/catalog_elements"),
        ] {
            log.record(entry(method, path, 200));
        }
        let c = log.counters();
        assert_eq!(
            (c.v4_catalogs_get, c.v4_catalogs_post, c.v4_catalogs_patch),
            (2, 1, 1)
        );
        assert_eq!(
            (c.elements_get, c.elements_post, c.elements_patch),
            (2, 1, 1)
        );
        assert_eq!((c.custom_fields_get, c.v2_element_deletes), (1, 1));
        assert_eq!((c.catalogs_get, c.catalogs_post), (0, 0));
        assert_eq!(log.count_at("get", "/api/v4/catalogs/7001/elements"), 2);
        assert_eq!(log.count_at("PATCH", "/api/v4/catalogs/7001/elements"), 0);
        assert_eq!(log.count_at("GET", "/api/v4/catalogs"), 5);
    }

    #[test]
    fn many_accounts_share_the_log_budget_but_keep_counting() {
        let mut log = RequestLog::for_one_of(1000);
        for _ in 0..50 {
            let mut e = entry("POST", CATALOGS_PATH, 200);
            e.body = "x".repeat(10_000);
            log.record(e);
        }
        assert_eq!(log.entries().len(), 20);
        assert_eq!(log.entries()[0].body.len(), 4096);
        assert_eq!(log.count("POST"), 50);
        log.clear();
        assert_eq!(log.count_at("POST", "/"), 0);
    }
}
