//! One account's run inside the daemon: its database opened at the start and closed at the end
//! (an idle account holds no file), its own client and pace, a stop request passed on to the
//! run, and the whole run in a log span carrying the account's name. With metrics on, the
//! client counts its requests and the account's figures are read onto the board before the
//! database is closed.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use tokio::sync::watch;
use tracing::{Instrument, info_span};

use super::roster::Trigger;
use crate::config::AccountSettings;
use crate::metrics::{Metrics, Snapshot};
use crate::startup;
use crate::sync::{RunReport, Syncer};

/// Runs the account once. When `stop` turns true the run finishes the exchange in flight and its
/// database write, and sends nothing more ([`crate::sync::Syncer::request_stop`]).
pub(super) async fn run(
    account: Arc<AccountSettings>,
    trigger: Trigger,
    allow_deletes: bool,
    stop: watch::Receiver<bool>,
    metrics: Option<Arc<Metrics>>,
) -> Result<RunReport> {
    let span = info_span!("account", account = %account.name);
    run_in_span(&account, trigger, allow_deletes, stop, metrics.as_deref())
        .instrument(span)
        .await
}

async fn run_in_span(
    account: &AccountSettings,
    trigger: Trigger,
    allow_deletes: bool,
    stop: watch::Receiver<bool>,
    metrics: Option<&Metrics>,
) -> Result<RunReport> {
    let name = account.name.as_str();
    let observer = metrics.map(|m| m.request_observer(name));
    let syncer = match startup::observed_syncer(account, allow_deletes, observer).await {
        Ok(syncer) => syncer,
        Err(e) => {
            if let Some(m) = metrics {
                m.board().put(name, Err(format!("{e:#}")), Instant::now());
            }
            return Err(e);
        }
    };
    let result = run_until_stopped(&syncer, trigger, stop).await;
    if let Some(m) = metrics {
        let began = Instant::now();
        let read = Snapshot::read(account, syncer.store()).await;
        m.board()
            .put(name, read.map_err(|e| format!("{e:#}")), began);
    }
    syncer.store().close().await;
    result
}

async fn run_until_stopped(
    syncer: &Syncer,
    trigger: Trigger,
    mut stop: watch::Receiver<bool>,
) -> Result<RunReport> {
    let run = syncer.run_once(trigger.as_str());
    tokio::pin!(run);
    tokio::select! {
        result = &mut run => result,
        () = stopped(&mut stop) => {
            syncer.request_stop();
            run.await
        }
    }
}

/// Resolves once the daemon is stopping (or gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns must not live across an await: drop it at once.
    let _ = stop.wait_for(|stopping| *stopping).await.map(drop);
}
