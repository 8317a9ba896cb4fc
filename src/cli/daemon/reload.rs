//! SIGHUP: the configuration read again, accounts added, removed and re-configured; a bad new
//! configuration is reported and the old one kept. A mis-configured account in a good one is
//! reported and served like the others: its runs fail with its problem until it is fixed (a
//! new one is tried at once, see `config::AccountSettings::problem`).

use anyhow::Result;
use chrono::Utc;
use tracing::{error, info, warn};

use super::roster::Planned;
use super::{Daemon, stamp, summary};
use crate::config::AccountSettings;
use crate::telemetry;

impl Daemon {
    /// SIGHUP: re-read the configuration; keep the old one when the new one is bad.
    pub(super) fn reload(&mut self) {
        self.notifier.reloading();
        match self.load() {
            Ok(planned) => {
                info!(
                    accounts = self.roster.len(),
                    "configuration reloaded; it applies from the next run"
                );
                log_planned(&planned);
            }
            Err(e) => {
                error!(
                    error = format!("{e:#}"),
                    "the new configuration is not valid; keeping the old one"
                );
                let planned = self.roster.set(self.current_accounts(), Utc::now());
                log_planned(&planned);
            }
        }
        self.notifier
            .ready(&summary::status_line(&self.roster, self.runs.len()));
    }

    fn load(&mut self) -> Result<Vec<Planned>> {
        let settings = crate::cli::load_settings_from(self.options.config.as_deref())?;
        let accounts = self.options.selection.apply(&settings)?;
        let log = &settings.log;
        let mut kept = telemetry::reload(log.format, &log.level, self.options.verbosity);
        if settings.metrics.listen != self.settings.metrics.listen {
            kept.push("metrics.listen: a new address applies after a restart".to_owned());
        }
        for kept in kept {
            warn!(setting = %kept, "not applied");
        }
        if let Some(monitor) = &self.monitor {
            monitor.serve_accounts(&accounts);
        }
        log_broken(&accounts);
        self.settings = settings;
        Ok(self.roster.set(accounts, Utc::now()))
    }

    /// The accounts served now, with the settings they run with.
    pub(super) fn current_accounts(&self) -> Vec<AccountSettings> {
        let served = self.options.selection.apply(&self.settings);
        served.unwrap_or_default()
    }
}

/// One line per mis-configured account: its runs fail until its entry is fixed.
fn log_broken(accounts: &[AccountSettings]) {
    for (account, problem) in accounts
        .iter()
        .filter_map(|a| a.problem.as_ref().map(|p| (a, p)))
    {
        let retried = if problem.rereads_secrets() {
            "its secret files are read again before each of its runs"
        } else {
            "it runs once its entry is fixed and the configuration reloaded"
        };
        error!(account = %account.name, problem = %problem.list(), retried,
            "the account is mis-configured; the others run");
    }
}

/// `next run` lines, one per account queued by its schedule.
pub(super) fn log_planned(planned: &[Planned]) {
    for p in planned {
        match p.next {
            Some(next) => {
                info!(account = %p.name, next = %stamp(next), schedule = %p.schedule, "next run")
            }
            None => error!(account = %p.name, schedule = %p.schedule,
                "sync.schedule never fires again; the account waits for a new configuration (SIGHUP)"),
        }
    }
}
