//! The schedule arithmetic of the loop, the roster's rules, and runs past the stuck limit.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::monitor::{Monitor, Ping};
use super::roster::{Roster, Trigger, next_tick};
use super::running::Running;
use super::summary::LastRun;
use super::{Daemon, DaemonOptions, Selection};
use crate::config::{AccountName, AccountSettings, Settings};
use crate::metrics::serve::Probes;
use crate::notify::Notifier;
use crate::schedule::Schedule;

fn at(stamp: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(stamp)
        .unwrap()
        .with_timezone(&Utc)
}

fn account(name: &str, schedule: &str, run_on_start: bool) -> AccountSettings {
    let settings = Settings::for_account("http://127.0.0.1:1", "t", "x.db".into()).unwrap();
    let mut account = settings.accounts[0].clone();
    account.name = AccountName::parse(name).unwrap();
    account.database.path = format!("{name}.db").into();
    account.sync.schedule = Schedule::parse(schedule).unwrap();
    account.sync.run_on_start = run_on_start;
    account
}

fn name(s: &str) -> AccountName {
    AccountName::parse(s).unwrap()
}

fn names(taken: &[(Arc<AccountSettings>, Trigger)]) -> Vec<(&str, Trigger)> {
    taken.iter().map(|(a, t)| (a.name.as_str(), *t)).collect()
}

fn take_all(roster: &mut Roster, now: DateTime<Utc>) -> Vec<(Arc<AccountSettings>, Trigger)> {
    std::iter::from_fn(|| roster.take_due(now)).collect()
}

#[test]
fn a_run_that_overran_skips_the_missed_ticks() {
    let every_10s = Schedule::parse("*/10 * * * * *").unwrap();
    let tick = at("2030-01-01T10:00:00Z");
    let run_ended = at("2030-01-01T10:00:35.5Z");
    assert_eq!(
        next_tick(&every_10s, tick, run_ended),
        Some(at("2030-01-01T10:00:40Z"))
    );
}

#[test]
fn a_tick_is_never_repeated_when_the_clock_reads_a_hair_early() {
    let every_10s = Schedule::parse("*/10 * * * * *").unwrap();
    let tick = at("2030-01-01T10:00:10Z");
    let early = at("2030-01-01T10:00:09.9995Z");
    assert_eq!(
        next_tick(&every_10s, tick, early),
        Some(at("2030-01-01T10:00:20Z"))
    );
}

#[test]
fn accounts_run_at_start_or_at_their_own_first_tick_earliest_first() {
    let now = at("2030-01-01T10:00:01Z");
    let mut roster = Roster::default();
    let planned = roster.set(
        vec![
            account("hourly", "0 * * * *", false),
            account("eager", "0 0 1 1 *", true),
            account("minutely", "* * * * *", false),
        ],
        now,
    );
    assert_eq!(planned.len(), 2, "the account due at start is not planned");

    assert_eq!(
        names(&take_all(&mut roster, now)),
        [("eager", Trigger::Start)]
    );
    assert_eq!(roster.next_due(), Some(at("2030-01-01T10:01:00Z")));
    let later = at("2030-01-01T11:00:00Z");
    let due = take_all(&mut roster, later);
    assert_eq!(
        names(&due),
        [
            ("minutely", Trigger::Schedule),
            ("hourly", Trigger::Schedule)
        ]
    );
    assert_eq!(roster.next_due(), None, "running accounts are not queued");
}

#[test]
fn an_account_is_queued_again_only_when_its_run_ends() {
    let now = at("2030-01-01T10:00:00Z");
    let mut roster = Roster::default();
    roster.set(vec![account("shop", "*/10 * * * * *", true)], now);
    assert_eq!(take_all(&mut roster, now).len(), 1);
    assert!(roster.take_due(at("2030-01-01T10:00:30Z")).is_none());

    let ended = at("2030-01-01T10:00:35Z");
    let planned = roster
        .finished(&name("shop"), LastRun::NotYet, ended)
        .unwrap();

    assert_eq!(planned.next, Some(at("2030-01-01T10:00:40Z")));
    assert_eq!(roster.next_due(), planned.next);
}

#[test]
fn a_reload_adds_re_configures_and_removes_accounts_and_a_running_one_ends_first() {
    let now = at("2030-01-01T10:00:00Z");
    let mut roster = Roster::default();
    roster.set(
        vec![
            account("kept", "0 * * * *", false),
            account("busy", "0 0 1 1 *", true),
            account("gone", "0 * * * *", false),
        ],
        now,
    );
    let busy = roster.take_due(now).unwrap();
    assert_eq!(busy.0.name.as_str(), "busy");

    let planned = roster.set(
        vec![
            account("kept", "*/5 * * * *", false),
            account("new", "0 0 1 1 *", true),
        ],
        now,
    );

    assert_eq!(planned.len(), 1);
    assert_eq!(
        planned[0].next,
        Some(at("2030-01-01T10:05:00Z")),
        "new schedule"
    );
    let due = take_all(&mut roster, at("2030-01-01T10:05:00Z"));
    assert_eq!(
        names(&due),
        [("new", Trigger::Start), ("kept", Trigger::Schedule)]
    );
    assert_eq!(roster.len(), 2, "busy is removed from the count at once");
    assert!(
        roster
            .finished(&name("busy"), LastRun::NotYet, now)
            .is_none()
    );
    assert_eq!(roster.len(), 2);
}

/// A daemon serving `accounts`, its monitor without the HTTP side, and the loop's pings.
fn daemon_with_monitor(
    accounts: Vec<AccountSettings>,
    stuck_after: Duration,
) -> (Daemon, Arc<Monitor>, mpsc::Receiver<Ping>) {
    let settings = Settings::for_account("http://127.0.0.1:1", "t", "x.db".into()).unwrap();
    let options = DaemonOptions {
        config: None,
        allow_deletes: false,
        verbosity: 0,
        selection: Selection::default(),
    };
    let (monitor, pings) = Monitor::new();
    monitor.serve_accounts(&accounts);
    let notifier = Notifier::disabled();
    let mut daemon = Daemon::new(
        settings,
        options,
        notifier,
        Some(monitor.clone()),
        None,
        stuck_after,
    );
    daemon.roster.set(accounts, Utc::now());
    (daemon, monitor, pings)
}

/// A run in progress that only ends when aborted.
fn endless(daemon: &mut Daemon, account: &str, began: Instant) -> tokio::task::AbortHandle {
    let handle = daemon.runs.spawn(std::future::pending());
    daemon.running.start(handle.id(), name(account), began);
    handle
}

#[tokio::test]
async fn a_run_past_the_stuck_limit_is_reported_for_its_account_and_the_loop_stays_alive() {
    let limit = Duration::from_secs(15 * 60);
    let accounts = vec![
        account("slow", "0 * * * *", false),
        account("quick", "0 * * * *", false),
    ];
    let (mut daemon, monitor, mut pings) = daemon_with_monitor(accounts, limit);
    let t0 = Instant::now();
    let slow = endless(&mut daemon, "slow", t0);
    endless(&mut daemon, "quick", t0 + Duration::from_secs(10 * 60));
    assert_eq!(daemon.running.next_check(), Some(t0 + limit));

    daemon.report_stuck(t0 + limit - Duration::from_secs(1));
    assert!(monitor.unready().is_empty(), "not yet past the limit");
    daemon.report_stuck(t0 + limit + Duration::from_secs(60));

    let unready = monitor.unready();
    assert_eq!(unready.len(), 1, "{unready:?}");
    assert!(
        unready[0].starts_with("slow: its run started at ")
            && unready[0].ends_with("past the stuck limit (15 min); it may be stuck"),
        "{unready:?}"
    );
    assert!(
        daemon.status_line().ends_with("; 1 run over 15 min: slow"),
        "{}",
        daemon.status_line()
    );
    let later = t0 + limit + Duration::from_secs(120);
    assert!(
        daemon.running.newly_stuck(later).is_empty(),
        "reported once"
    );
    assert_eq!(
        daemon.running.next_check(),
        Some(t0 + Duration::from_secs(10 * 60) + limit),
        "only quick's run is still to check"
    );

    let answered = async {
        let ping = pings.recv().await.expect("the monitor asks");
        daemon.answer(ping);
    };
    let (live, ()) = tokio::join!(monitor.live(), answered);
    assert_eq!(live, Ok(()), "the loop answers: it is alive");

    slow.abort();
    let joined = daemon.runs.join_next_with_id().await.unwrap();
    daemon.finished(joined);
    assert!(monitor.unready().is_empty(), "{:?}", monitor.unready());
    assert!(!daemon.status_line().contains("over 15 min"));
    daemon.runs.abort_all();
}

#[test]
fn the_stuck_note_names_five_accounts_then_dots() {
    let mut running = Running::new(Duration::from_secs(90));
    let mut ids = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            let mut set = tokio::task::JoinSet::new();
            let ids: Vec<_> = (0..7).map(|_| set.spawn(async {}).id()).collect();
            set.abort_all();
            ids
        });
    let t0 = Instant::now();
    for (i, id) in ids.drain(..).enumerate() {
        running.start(id, name(&format!("acc-{i}")), t0);
    }
    assert_eq!(running.note(), None);
    assert_eq!(running.newly_stuck(t0 + Duration::from_secs(89)).len(), 0);
    assert_eq!(running.newly_stuck(t0 + Duration::from_secs(90)).len(), 7);
    assert_eq!(
        running.note().as_deref(),
        Some("7 runs over 1 min: acc-0, acc-1, acc-2, acc-3, acc-4, ...")
    );
    assert_eq!(running.next_check(), None, "every run is reported");
}
