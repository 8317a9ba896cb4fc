//! SIGHUP: the configuration read again, accounts added, removed and re-configured; a bad new
//! configuration is reported and the old one kept.

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
        self.settings = settings;
        Ok(self.roster.set(accounts, Utc::now()))
    }

    /// The accounts served now, with the settings they run with.
    pub(super) fn current_accounts(&self) -> Vec<AccountSettings> {
        let served = self.options.selection.apply(&self.settings);
        served.unwrap_or_default()
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
