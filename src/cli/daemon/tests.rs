//! The schedule arithmetic of the loop and the roster's rules.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::roster::{Roster, Trigger, next_tick};
use super::summary::LastRun;
use crate::config::{AccountName, AccountSettings, Settings};
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
