//! The daemon's side of `metrics.listen`: it serves the [`Metrics`] and answers the health
//! endpoints for the loop.
//!
//! - `/livez` asks the loop itself (a ping it answers between two events): 200 while it
//!   answers within [`LIVENESS_WAIT`], 503 otherwise. How long one account's run takes does not
//!   enter into it (the rule of the systemd watchdog too).
//! - `/readyz` judges every account from the board with the verdict of `status`
//!   ([`health::judge`]), at the time of the request, and names the accounts whose run has gone
//!   on past the stuck limit: 503 with one line per unhealthy account. An account with no run
//!   since the daemon started is not judged yet (the daemon has not read its database).
//! - The board is filled by the runs themselves: each run reads its account's figures before it
//!   closes the database ([`super::task`]). Nothing opens a database at start or on SIGHUP, so
//!   a database is open only while its account runs; accounts added by SIGHUP join the board
//!   without figures, removed ones are forgotten.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::running::minutes;
use super::stamp;
use crate::cli::health;
use crate::config::AccountSettings;
use crate::metrics::Metrics;
use crate::metrics::board::Entry;
use crate::metrics::serve::{self, Probes};

/// How long `/livez` waits for the loop's answer.
pub(super) const LIVENESS_WAIT: Duration = Duration::from_secs(5);

/// A liveness question to the loop; its answer is the proof that the loop turns.
pub(super) type Ping = oneshot::Sender<()>;

/// A run past the stuck limit: when it began, and the limit.
type Stuck = (DateTime<Utc>, Duration);

pub(super) struct Monitor {
    metrics: Arc<Metrics>,
    pings: mpsc::Sender<Ping>,
    /// The accounts whose run in progress has gone on past the stuck limit.
    stuck: Mutex<BTreeMap<String, Stuck>>,
}

impl Monitor {
    /// Binds `listen` (an error names `metrics.listen`) and serves there from now on. The loop
    /// answers the pings of the receiver.
    pub(super) async fn start(listen: SocketAddr) -> Result<(Arc<Monitor>, mpsc::Receiver<Ping>)> {
        let listener = serve::bind(listen).await?;
        let (monitor, asked) = Monitor::new();
        serve::spawn(listener, monitor.metrics.clone(), monitor.clone());
        Ok((monitor, asked))
    }

    /// The monitor without its HTTP side: the loop answers the pings of the receiver.
    pub(super) fn new() -> (Arc<Monitor>, mpsc::Receiver<Ping>) {
        let (pings, asked) = mpsc::channel(16);
        let monitor = Arc::new(Monitor {
            metrics: Metrics::new(),
            pings,
            stuck: Mutex::default(),
        });
        (monitor, asked)
    }

    pub(super) fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The accounts served from now on: new ones join the board without figures (their first
    /// run reads them), removed ones are forgotten, schedules updated. No database is opened.
    pub(super) fn serve_accounts(&self, accounts: &[AccountSettings]) {
        let board = self.metrics.board();
        let known: Vec<String> = board.entries().into_iter().map(|(n, _)| n).collect();
        for gone in known
            .iter()
            .filter(|n| !accounts.iter().any(|a| a.name.as_str() == n.as_str()))
        {
            self.metrics.remove_account(gone);
            self.stuck().remove(gone);
        }
        for account in accounts {
            board.set_schedule(account.name.as_str(), &account.sync.schedule);
            self.metrics.add_account(account.name.as_str());
        }
    }

    /// The account's run, begun at `began`, has gone on past `limit`: `/readyz` says so until
    /// it ends.
    pub(super) fn run_stuck(&self, account: &str, began: DateTime<Utc>, limit: Duration) {
        self.stuck().insert(account.to_owned(), (began, limit));
    }

    /// The account's run has ended.
    pub(super) fn run_ended(&self, account: &str) {
        self.stuck().remove(account);
    }

    fn stuck(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Stuck>> {
        self.stuck.lock().expect("stuck-run lock")
    }
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
            answer.await.map_err(|_| ended())
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
        let stuck = self.stuck();
        entries
            .into_iter()
            .filter_map(|(name, entry)| {
                let mut problems = problems(&entry, now);
                if let Some((began, limit)) = stuck.get(&name) {
                    problems.push(stuck_problem(*began, *limit));
                }
                (!problems.is_empty()).then(|| format!("{name}: {}", problems.join("; ")))
            })
            .collect()
    }
}

/// `its run started at ... and has gone on past the stuck limit (15 min); it may be stuck`.
fn stuck_problem(began: DateTime<Utc>, limit: Duration) -> String {
    format!(
        "its run started at {} and has gone on past the stuck limit ({}); it may be stuck",
        stamp(began),
        minutes(limit)
    )
}

/// What is wrong with one account, by the verdict of `status`. An account not run since the
/// start has no figures and is not judged yet.
fn problems(entry: &Entry, now: DateTime<Utc>) -> Vec<String> {
    let mut problems: Vec<String> = entry.error.iter().cloned().collect();
    if let Some(s) = &entry.snapshot {
        let auth = (s.auth_ready, s.auth_summary.as_str());
        let verdict = health::judge(&s.status(), &entry.schedule, auth, now);
        problems.extend(verdict.problems);
    }
    problems
}
