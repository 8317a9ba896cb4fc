//! What the daemon says about its accounts' last runs: the `STATUS=` line systemd shows. One
//! account: today's line about its last run. Several: a sum-up such as
//! `42 accounts: 41 ok, 1 failing (shop: 401)`.

use chrono::Utc;

use crate::config::AccountName;
use crate::sync::{Outcome, RunReport};

use super::roster::Roster;
use super::stamp;

/// How many failing accounts the sum-up names before "...".
const NAMED: usize = 5;

/// The last run of one account, as far as the daemon saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LastRun {
    NotYet,
    /// The run ended (ok, partial, aborted or failed inside the run).
    Ended {
        outcome: Outcome,
        line: String,
    },
    /// The run could not start or the database failed (e.g. the file cannot be opened).
    Error {
        line: String,
        reason: String,
    },
}

impl LastRun {
    /// From a finished run's report.
    pub(super) fn report(r: &RunReport) -> LastRun {
        LastRun::Ended {
            outcome: r.outcome,
            line: format!(
                "last run {} {} at {} ({})",
                r.run_id,
                r.outcome.as_str(),
                stamp(Utc::now()),
                crate::cli::render::counts(&r.counts)
            ),
        }
        .with_reason(r.error.as_deref())
    }

    /// From a run that returned an error instead of a report.
    pub(super) fn error(e: &anyhow::Error) -> LastRun {
        let text = format!("{e:#}");
        LastRun::Error {
            line: format!("last run failed at {}: {text}", stamp(Utc::now())),
            reason: reason(&text),
        }
    }

    /// A failed run keeps its short reason for the sum-up.
    fn with_reason(self, error: Option<&str>) -> LastRun {
        match (self, error) {
            (
                LastRun::Ended {
                    outcome: Outcome::Failed,
                    line,
                },
                Some(e),
            ) => LastRun::Error {
                line,
                reason: reason(e),
            },
            (other, _) => other,
        }
    }

    /// The one-line description of the single-account form.
    pub(super) fn line(&self) -> &str {
        match self {
            LastRun::NotYet => "no run yet",
            LastRun::Ended { line, .. } | LastRun::Error { line, .. } => line,
        }
    }
}

/// `401`, `403`, `timeout`, `unreachable`, `locked`, `database` or `failed`: why a run failed, in
/// one word, from its message.
pub(super) fn reason(error: &str) -> String {
    for marker in ["answered ", "rejected the request with "] {
        if let Some(at) = error.find(marker) {
            let code: String = error[at + marker.len()..].chars().take(3).collect();
            if code.len() == 3 && code.chars().all(|c| c.is_ascii_digit()) {
                return code;
            }
        }
    }
    let words = [
        ("(403)", "403"),
        ("did not answer within", "timeout"),
        ("could not reach", "unreachable"),
        ("another catalog-sync is reconciling", "locked"),
        ("database", "database"),
    ];
    words
        .iter()
        .find(|(marker, _)| error.contains(marker))
        .map_or("failed", |(_, word)| word)
        .to_owned()
}

/// systemd's STATUS: one account as before (`last run 12 ok at ...; next run ...`), several
/// summed up (`42 accounts: 41 ok, 1 failing (shop: 401); next run ...`).
pub(super) fn status_line(roster: &Roster, running: usize) -> String {
    let one = roster.len() == 1;
    let head = match roster.last_runs().next() {
        Some((_, only)) if one => only.line().to_owned(),
        _ => sum_up(roster.last_runs()),
    };
    match (running, roster.next_due()) {
        (0, Some(next)) => format!("{head}; next run {}", stamp(next)),
        (0, None) => head,
        _ if one => format!("running; {head}"),
        (running, _) => format!("{head}; {running} running"),
    }
}

/// `3 accounts: 1 ok, 1 failing (shop: 401), 1 not run yet`.
pub(super) fn sum_up<'a>(accounts: impl Iterator<Item = (&'a AccountName, &'a LastRun)>) -> String {
    let (mut total, mut ok, mut partial, mut aborted, mut waiting) = (0, 0, 0, 0, 0);
    let mut failing: Vec<String> = vec![];
    for (name, last) in accounts {
        total += 1;
        match last {
            LastRun::NotYet => waiting += 1,
            LastRun::Ended { outcome, .. } => match outcome {
                Outcome::Ok => ok += 1,
                Outcome::Partial => partial += 1,
                Outcome::Aborted => aborted += 1,
                Outcome::Failed => failing.push(format!("{name}: failed")),
            },
            LastRun::Error { reason, .. } => failing.push(format!("{name}: {reason}")),
        }
    }
    let mut parts = vec![format!("{ok} ok")];
    if !failing.is_empty() {
        let mut named = failing
            .iter()
            .take(NAMED)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if failing.len() > NAMED {
            named += ", ...";
        }
        parts.push(format!("{} failing ({named})", failing.len()));
    }
    for (n, what) in [
        (partial, "partial"),
        (aborted, "aborted"),
        (waiting, "not run yet"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let noun = if total == 1 { "account" } else { "accounts" };
    format!("{total} {noun}: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> AccountName {
        AccountName::parse(s).unwrap()
    }

    fn ended(outcome: Outcome) -> LastRun {
        LastRun::Ended {
            outcome,
            line: String::new(),
        }
    }

    #[test]
    fn a_failed_run_is_summed_up_by_its_status_code_or_a_word() {
        let cases = [
            ("amoCRM answered 401 Unauthorized (x): the token", "401"),
            ("blocked: ...: amoCRM answered 403 Forbidden (x)", "403"),
            ("amoCRM blocked the account or IP (403) at 2030", "403"),
            ("amoCRM rejected the request with 400 Bad Request", "400"),
            (
                "amoCRM did not answer within http.timeout_seconds",
                "timeout",
            ),
            ("could not reach amoCRM (connection refused)", "unreachable"),
            (
                "database.path = /x/shop.db: cannot open the database",
                "database",
            ),
            ("something else", "failed"),
        ];
        for (error, word) in cases {
            assert_eq!(reason(error), word, "{error}");
        }
    }

    #[test]
    fn the_sum_up_counts_every_kind_and_names_the_failing_accounts() {
        let error = |reason: &str| LastRun::Error {
            line: String::new(),
            reason: reason.into(),
        };
        let accounts = [
            (name("a"), ended(Outcome::Ok)),
            (name("b"), ended(Outcome::Ok)),
            (name("shop"), error("401")),
            (name("tea"), ended(Outcome::Partial)),
            (name("new"), LastRun::NotYet),
        ];
        let line = sum_up(accounts.iter().map(|(n, l)| (n, l)));
        assert_eq!(
            line,
            "5 accounts: 2 ok, 1 failing (shop: 401), 1 partial, 1 not run yet"
        );
    }
}
