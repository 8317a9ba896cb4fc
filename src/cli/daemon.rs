//! The long-running service: reconcile on the cron schedule until SIGTERM or SIGINT.
//!
//! Runs never overlap (one loop), a run that overruns skips the ticks it missed (the next tick
//! is computed after it ends), and one failed run never ends the daemon.

use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use tokio::signal::unix::{SignalKind, signal};
use tracing::{error, info, warn};

use crate::config::Settings;

/// How long a run in progress may take to finish after SIGTERM before the daemon exits anyway.
/// The outbox makes an interrupted run safe; this only avoids leaving work in doubt.
const GRACE: Duration = Duration::from_secs(30);

pub async fn run(settings: &Settings, allow_deletes: bool) -> Result<i32> {
    let syncer = super::syncer(settings, allow_deletes).await?;
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let schedule = &settings.sync.schedule;
    info!(schedule = %schedule, database = %syncer.store().path().display(), "daemon started");
    let mut first = settings.sync.run_on_start;
    loop {
        if !first {
            let Some(next) = schedule.next_after(Utc::now()) else {
                anyhow::bail!("sync.schedule {schedule} never fires again");
            };
            info!(next = %next.to_rfc3339(), "next run");
            let wait = (next - Utc::now()).to_std().unwrap_or_default();
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = term.recv() => break,
                _ = int.recv() => break,
            }
        }
        let trigger = if first { "start" } else { "schedule" };
        first = false;
        let run = syncer.run_once(trigger);
        tokio::pin!(run);
        let finished = tokio::select! {
            r = &mut run => Some(r),
            _ = term.recv() => None,
            _ = int.recv() => None,
        };
        match finished {
            Some(Ok(_)) => {}
            Some(Err(e)) => error!(error = format!("{e:#}"), "run failed; the daemon goes on"),
            None => {
                info!(
                    "stopping: letting the run in progress finish (a second signal exits at once)"
                );
                tokio::select! {
                    _ = &mut run => {}
                    _ = tokio::time::sleep(GRACE) => warn!("the run did not finish in time; the next start settles it"),
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
                break;
            }
        }
    }
    info!("stopped");
    syncer.store().close().await;
    Ok(0)
}
