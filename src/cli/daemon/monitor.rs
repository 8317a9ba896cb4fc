//! The daemon's side of `metrics.listen`: it serves the [`Metrics`] and answers the health
//! endpoints for the loop.
//!
//! - `/livez` asks the loop itself (a ping it answers between two events): 200 while it
//!   answers within [`LIVENESS_WAIT`] and no run has gone on for the stuck-run limit (the rule
//!   of the systemd watchdog), 503 otherwise.
//! - `/readyz` judges every account from the board with the verdict of `status`
//!   ([`health::judge`]), at the time of the request: 503 with one line per unhealthy account.
//! - The board is filled at start (each account's existing database opened, read and closed, a
//!   few at a time, in the background) and after each run; accounts added by SIGHUP are read at
//!   once, removed ones forgotten.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

use crate::cli::health;
use crate::config::AccountSettings;
use crate::metrics::board::Entry;
use crate::metrics::serve::{self, Probes};
use crate::metrics::{Metrics, Snapshot};
use crate::startup;

/// How long `/livez` waits for the loop's answer.
pub(super) const LIVENESS_WAIT: Duration = Duration::from_secs(5);

/// Databases read at once when the board is filled.
const READS_AT_ONCE: usize = 4;

/// A liveness question to the loop; it answers `Err(why)` when a run seems stuck.
pub(super) type Ping = oneshot::Sender<Result<(), String>>;

pub(super) struct Monitor {
    metrics: Arc<Metrics>,
    pings: mpsc::Sender<Ping>,
}

impl Monitor {
    /// Binds `listen` (an error names `metrics.listen`) and serves there from now on. The loop
    /// answers the pings of the receiver.
    pub(super) async fn start(listen: SocketAddr) -> Result<(Arc<Monitor>, mpsc::Receiver<Ping>)> {
        let listener = serve::bind(listen).await?;
        let (pings, asked) = mpsc::channel(16);
        let monitor = Arc::new(Monitor {
            metrics: Metrics::new(),
            pings,
        });
        serve::spawn(listener, monitor.metrics.clone(), monitor.clone());
        Ok((monitor, asked))
    }

    pub(super) fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The accounts served from now on: new ones are read in the background, removed ones
    /// forgotten, schedules updated.
    pub(super) fn serve_accounts(&self, accounts: &[AccountSettings]) {
        let board = self.metrics.board();
        let known: Vec<String> = board.entries().into_iter().map(|(n, _)| n).collect();
        for gone in known
            .iter()
            .filter(|n| !accounts.iter().any(|a| a.name.as_str() == n.as_str()))
        {
            self.metrics.remove_account(gone);
        }
        let added: Vec<AccountSettings> = accounts
            .iter()
            .filter(|a| !known.iter().any(|n| a.name.as_str() == n))
            .cloned()
            .collect();
        for account in accounts {
            board.set_schedule(account.name.as_str(), &account.sync.schedule);
            self.metrics.add_account(account.name.as_str());
        }
        tokio::spawn(read_all(self.metrics.clone(), added));
    }
}

/// Reads the accounts onto the board, [`READS_AT_ONCE`] at a time. A read is started only when
/// a slot is free: a thousand reads waiting at once would each hold their state in memory.
async fn read_all(metrics: Arc<Metrics>, accounts: Vec<AccountSettings>) {
    let mut reads = JoinSet::new();
    for account in accounts {
        if reads.len() >= READS_AT_ONCE {
            reads.join_next().await;
        }
        reads.spawn(read(metrics.clone(), account));
    }
    while reads.join_next().await.is_some() {}
}

/// Opens the account's database, reads its figures onto the board, closes it. A database that
/// does not exist yet is left for the account's first run to create.
async fn read(metrics: Arc<Metrics>, account: AccountSettings) {
    let began = Instant::now();
    let path = &account.database.path;
    if !path.exists() {
        let why = format!("no run yet: its database {} does not exist", path.display());
        metrics.board().put(account.name.as_str(), Err(why), began);
        return;
    }
    let read = async {
        let store = startup::open_store(&account).await?;
        let snapshot = Snapshot::read(&account, &store).await;
        store.close().await;
        snapshot
    };
    let result = read.await.map_err(|e| format!("{e:#}"));
    metrics.board().put(account.name.as_str(), result, began);
}

/// The next liveness ping, or never without metrics.
pub(super) async fn next_ping(pings: &mut Option<mpsc::Receiver<Ping>>) -> Option<Ping> {
    match pings {
        Some(pings) => pings.recv().await,
        None => std::future::pending().await,
    }
}

impl Probes for Monitor {
    async fn live(&self) -> Result<(), String> {
        let ask = async {
            let (ping, answer) = oneshot::channel();
            let ended = || "the daemon's loop has ended".to_owned();
            self.pings.send(ping).await.map_err(|_| ended())?;
            answer.await.map_err(|_| ended())?
        };
        let late = || {
            let wait = LIVENESS_WAIT.as_secs();
            Err(format!("the daemon's loop did not answer within {wait} s"))
        };
        tokio::time::timeout(LIVENESS_WAIT, ask)
            .await
            .unwrap_or_else(|_| late())
    }

    fn unready(&self) -> Vec<String> {
        let now = Utc::now();
        let entries = self.metrics.board().entries();
        entries
            .into_iter()
            .filter_map(|(name, entry)| {
                let problems = problems(&entry, now);
                (!problems.is_empty()).then(|| format!("{name}: {}", problems.join("; ")))
            })
            .collect()
    }
}

/// What is wrong with one account, by the verdict of `status`.
fn problems(entry: &Entry, now: DateTime<Utc>) -> Vec<String> {
    let mut problems: Vec<String> = entry.error.iter().cloned().collect();
    match &entry.snapshot {
        Some(s) => {
            let auth = (s.auth_ready, s.auth_summary.as_str());
            let verdict = health::judge(&s.status(), &entry.schedule, auth, now);
            problems.extend(verdict.problems);
        }
        None if problems.is_empty() => problems.push("its database was not read yet".into()),
        None => {}
    }
    problems
}
