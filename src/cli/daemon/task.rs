//! One account's run inside the daemon: its database opened at the start and closed at the end
//! (an idle account holds no file), its own client and pace, a stop request passed on to the
//! run, and the whole run in a log span carrying the account's name.

use std::sync::Arc;

use anyhow::Result;
use tokio::sync::watch;
use tracing::{Instrument, info_span};

use super::roster::Trigger;
use crate::config::AccountSettings;
use crate::startup;
use crate::sync::RunReport;

/// Runs the account once. When `stop` turns true the run finishes the exchange in flight and its
/// database write, and sends nothing more ([`crate::sync::Syncer::request_stop`]).
pub(super) async fn run(
    account: Arc<AccountSettings>,
    trigger: Trigger,
    allow_deletes: bool,
    stop: watch::Receiver<bool>,
) -> Result<RunReport> {
    let span = info_span!("account", account = %account.name);
    run_in_span(&account, trigger, allow_deletes, stop)
        .instrument(span)
        .await
}

async fn run_in_span(
    account: &AccountSettings,
    trigger: Trigger,
    allow_deletes: bool,
    mut stop: watch::Receiver<bool>,
) -> Result<RunReport> {
    let syncer = startup::syncer(account, allow_deletes).await?;
    let result = {
        let run = syncer.run_once(trigger.as_str());
        tokio::pin!(run);
        tokio::select! {
            result = &mut run => result,
            () = stopped(&mut stop) => {
                syncer.request_stop();
                run.await
            }
        }
    };
    syncer.store().close().await;
    result
}

/// Resolves once the daemon is stopping (or gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns must not live across an await: drop it at once.
    let _ = stop.wait_for(|stopping| *stopping).await.map(drop);
}
