//! Whether the service looks healthy, for `catalog-sync status` used as a health check.
//!
//! Unhealthy means a person should look: no run has succeeded yet, or the last success is older
//! than three schedule intervals (one failed run in between is tolerated). Further checks (the
//! account block, token expiry) add their own [`Health::problems`].

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::schedule::Schedule;
use crate::store::{RunRow, Status};

/// How many schedule intervals may pass without a successful run.
pub const STALE_AFTER_INTERVALS: u32 = 3;

/// The verdict, with the figures behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub healthy: bool,
    /// Seconds since the last successful run finished; `None` when none did.
    pub last_success_age_seconds: Option<u64>,
    /// Seconds between the next two firings of `sync.schedule`; `None` when it fires at most
    /// once more.
    pub schedule_interval_seconds: Option<u64>,
    /// What is wrong, one sentence each; empty when healthy.
    pub problems: Vec<String>,
}

/// Judges `status` against `schedule` at `now`.
pub fn check(status: &Status, schedule: &Schedule, now: DateTime<Utc>) -> Health {
    let interval = schedule.typical_interval();
    let limit = interval.saturating_mul(STALE_AFTER_INTERVALS);
    let age = status
        .last_success
        .as_deref()
        .and_then(parse_time)
        .map(|t| (now - t).to_std().unwrap_or_default());
    let mut problems = vec![];
    match age {
        None => problems.push("no run has succeeded yet".to_owned()),
        Some(age) if age > limit => problems.push(format!(
            "the last successful run was {} ago, more than {STALE_AFTER_INTERVALS} schedule \
             intervals ({}) of \"{schedule}\"",
            human(age),
            human(limit)
        )),
        Some(_) => {}
    }
    if let Some(block) = &status.blocked {
        problems.push(format!(
            "amoCRM blocked the account or IP (403) at {}; sending nothing until {}",
            block.blocked_at, block.until
        ));
    }
    Health {
        healthy: problems.is_empty(),
        last_success_age_seconds: age.map(|a| a.as_secs()),
        schedule_interval_seconds: (interval != Duration::MAX).then_some(interval.as_secs()),
        problems,
    }
}

/// The verdict of `status` (and of the daemon's `/readyz`): [`check`], and the credential,
/// `auth = (ready, summary)`, which must let the next run log in without a person.
pub fn judge(
    status: &Status,
    schedule: &Schedule,
    auth: (bool, &str),
    now: DateTime<Utc>,
) -> Health {
    let mut health = check(status, schedule, now);
    let (ready, summary) = auth;
    if !ready {
        health.healthy = false;
        health.problems.push(format!("authentication: {summary}"));
    }
    health
}

/// How long a run took; `None` while it runs (or if a time is unreadable).
pub fn duration(run: &RunRow) -> Option<Duration> {
    let started = parse_time(&run.started_at)?;
    let finished = parse_time(run.finished_at.as_deref()?)?;
    (finished - started).to_std().ok()
}

fn parse_time(stamp: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(stamp)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `0.42s`, `12s`, `3m 12s`, `2h 5m`, `3d 4h`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..10 => format!("{:.2}s", d.as_secs_f64()),
        10..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        3600..86400 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ if d == Duration::MAX => "forever".to_owned(),
        _ => format!("{}d {}h", s / 86400, s % 86400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(last_success: Option<&str>) -> Status {
        Status {
            runs: vec![],
            outbox: vec![],
            open_conflicts: 0,
            last_success: last_success.map(str::to_owned),
            blocked: None,
            elements: vec![],
            api_switch: None,
        }
    }

    fn at(stamp: &str) -> DateTime<Utc> {
        parse_time(stamp).unwrap()
    }

    #[test]
    fn a_success_within_three_intervals_is_healthy_and_older_is_not() {
        let every_5_min = Schedule::parse("*/5 * * * *").unwrap();
        let last = Some("2030-01-01T10:00:00.000Z");
        let fine = check(&status(last), &every_5_min, at("2030-01-01T10:14:59Z"));
        assert!(fine.healthy, "{fine:?}");
        assert_eq!(fine.last_success_age_seconds, Some(899));
        assert_eq!(fine.schedule_interval_seconds, Some(300));

        let stale = check(&status(last), &every_5_min, at("2030-01-01T10:15:01Z"));
        assert!(!stale.healthy);
        assert!(stale.problems[0].contains("15m 1s ago"), "{stale:?}");
        assert!(stale.problems[0].contains("*/5 * * * *"), "{stale:?}");
    }

    #[test]
    fn an_account_block_in_force_is_unhealthy_even_after_a_recent_success() {
        let mut s = status(Some("2030-01-01T10:00:00.000Z"));
        s.blocked = Some(crate::store::Block {
            blocked_at: "2030-01-01T10:01:00.000Z".into(),
            until: "2030-01-01T10:16:00.000Z".into(),
            detail: "403 Forbidden".into(),
        });
        let h = check(
            &s,
            &Schedule::parse("*/5 * * * *").unwrap(),
            at("2030-01-01T10:02:00Z"),
        );
        assert!(!h.healthy);
        assert!(
            h.problems[0].contains("sending nothing until 2030-01-01T10:16:00.000Z"),
            "{h:?}"
        );
    }

    #[test]
    fn no_success_at_all_is_unhealthy() {
        let h = check(
            &status(None),
            &Schedule::parse("* * * * *").unwrap(),
            Utc::now(),
        );
        assert!(!h.healthy);
        assert_eq!(h.problems, ["no run has succeeded yet"]);
    }

    #[test]
    fn a_schedule_that_fires_at_most_once_more_never_goes_stale() {
        let once = Schedule::parse("0 0 0 1 1 * 2099").unwrap();
        let h = check(
            &status(Some("2000-01-01T00:00:00Z")),
            &once,
            at("2030-01-01T00:00:00Z"),
        );
        assert!(h.healthy, "{h:?}");
        assert_eq!(h.schedule_interval_seconds, None);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_millis(420)), "0.42s");
        assert_eq!(human(Duration::from_secs(192)), "3m 12s");
        assert_eq!(human(Duration::from_secs(7500)), "2h 5m");
        assert_eq!(human(Duration::MAX), "forever");
        let run = RunRow {
            id: 1,
            started_at: "2030-01-01T10:00:00.000Z".into(),
            finished_at: Some("2030-01-01T10:00:01.250Z".into()),
            trigger: "schedule".into(),
            outcome: Some("ok".into()),
            counts: Default::default(),
            error: None,
        };
        assert_eq!(duration(&run), Some(Duration::from_millis(1250)));
    }
}
