//! The daemon's Prometheus metrics (SPEC §8): the registry, the counters and the run-duration
//! histogram fed as runs and requests happen, and the per-account gauges read from each
//! account's database ([`board`]). [`serve`] answers `/metrics`, `/livez` and `/readyz`.
//!
//! Every series carries `account` (`default` in the single form). Counters and the histogram
//! live in memory and start at zero with the process; the gauges are refreshed at the end of
//! each run, from one short read of the account's database before the run closes it, so that a
//! daemon serving 1,000 accounts opens no database but for a run. An account not run since the
//! start has no gauges yet (absent, not 0: unknown is not healthy).

pub mod board;
pub mod serve;

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use reqwest::{Method, StatusCode};

use crate::amocrm::RequestObserver;
pub use board::{Board, Snapshot};

/// Upper bounds of the run-duration buckets, in seconds: from a no-op run (a few hundred
/// milliseconds) to a first pull of a catalog with many thousand elements.
const DURATION_BUCKETS: [f64; 13] = [
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];

/// How a run ended, as `outcome` labels: the values of `sync_runs.outcome`. A run that could
/// not start (its database unreadable, another process reconciling) counts as `failed`.
pub const OUTCOMES: [&str; 4] = ["ok", "partial", "failed", "aborted"];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AccountLabel {
    account: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    account: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    account: String,
    method: String,
    /// The HTTP code, or `error` when no answer came.
    status: String,
}

type Durations = Family<AccountLabel, Histogram, fn() -> Histogram>;

/// Every metric of the daemon. Shared (`Arc`) by the loop, the runs and the HTTP server.
pub struct Metrics {
    registry: Registry,
    runs: Family<RunLabels, Counter>,
    durations: Durations,
    requests: Family<RequestLabels, Counter>,
    board: Arc<Board>,
}

fn duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

impl Metrics {
    /// The registry with every family of SPEC §8 registered, and no account yet.
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::default();
        let runs = Family::<RunLabels, Counter>::default();
        registry.register(
            "catalog_sync_runs",
            "Reconcile runs, by how they ended",
            runs.clone(),
        );
        let durations: Durations = Family::new_with_constructor(duration_histogram);
        registry.register_with_unit(
            "catalog_sync_run_duration",
            "How long each run took",
            Unit::Seconds,
            durations.clone(),
        );
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "catalog_sync_api_requests",
            "HTTP requests sent to amoCRM (every attempt), by method and status (the HTTP code, \
             or error when no answer came)",
            requests.clone(),
        );
        let board = Arc::new(Board::default());
        registry.register_collector(Box::new(board.clone()));
        Arc::new(Metrics {
            registry,
            runs,
            durations,
            requests,
            board,
        })
    }

    /// Starts the series of an account at zero, so that `rate()` and `increase()` see its
    /// first run and its first failure.
    pub fn add_account(&self, account: &str) {
        for outcome in OUTCOMES {
            drop(self.runs.get_or_create(&run_labels(account, outcome)));
        }
        drop(self.durations.get_or_create(&account_label(account)));
    }

    /// Forgets an account removed from the configuration: its gauges, run counters and
    /// histogram go (its request counters stay until the restart).
    pub fn remove_account(&self, account: &str) {
        for outcome in OUTCOMES {
            self.runs.remove(&run_labels(account, outcome));
        }
        self.durations.remove(&account_label(account));
        self.board.remove(account);
    }

    /// One run of `account` ended with `outcome` after `took`.
    pub fn observe_run(&self, account: &str, outcome: &str, took: Duration) {
        self.runs.get_or_create(&run_labels(account, outcome)).inc();
        self.durations
            .get_or_create(&account_label(account))
            .observe(took.as_secs_f64());
    }

    /// The observer for the account's client: counts each request by method and status.
    pub fn request_observer(&self, account: &str) -> RequestObserver {
        let requests = self.requests.clone();
        let account = account.to_owned();
        RequestObserver(Arc::new(
            move |method: &Method, status: Option<StatusCode>| {
                let labels = RequestLabels {
                    account: account.clone(),
                    method: method.as_str().to_owned(),
                    status: status.map_or_else(|| "error".to_owned(), |s| s.as_u16().to_string()),
                };
                requests.get_or_create(&labels).inc();
            },
        ))
    }

    /// The per-account gauges and what `/readyz` judges.
    pub fn board(&self) -> &Board {
        &self.board
    }

    /// Everything, in the Prometheus text format (version 0.0.4).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

fn account_label(account: &str) -> AccountLabel {
    AccountLabel {
        account: account.to_owned(),
    }
}

fn run_labels(account: &str, outcome: &str) -> RunLabels {
    RunLabels {
        account: account.to_owned(),
        outcome: outcome.to_owned(),
    }
}

/// `Content-Type` of [`Metrics::encode`].
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[cfg(test)]
mod tests;
