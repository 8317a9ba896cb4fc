use super::*;
use chrono::{Datelike, Timelike, Weekday};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("a valid RFC 3339 time")
}

/// The first `n` firings after `from`.
fn firings(expression: &str, from: &str, n: usize) -> Vec<DateTime<Utc>> {
    let schedule = Schedule::parse(expression).expect("a valid schedule");
    let mut t = at(from);
    let mut out = Vec::new();
    for _ in 0..n {
        t = schedule.next_after(t).expect("a next firing");
        out.push(t);
    }
    out
}

/// The distinct weekdays of the firings in the four weeks from Monday 2025-01-06.
fn weekdays_of(expression: &str) -> BTreeSet<u32> {
    let schedule = Schedule::parse(expression).expect("a valid schedule");
    let end = at("2025-02-03T00:00:00Z");
    let mut t = at("2025-01-06T00:00:00Z");
    let mut days = BTreeSet::new();
    while let Some(next) = schedule.next_after(t).filter(|n| *n < end) {
        days.insert(next.weekday().num_days_from_sunday());
        t = next;
    }
    days
}

fn days(list: &[Weekday]) -> BTreeSet<u32> {
    list.iter().map(|d| d.num_days_from_sunday()).collect()
}

use Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};

#[test]
fn a_five_field_crontab_fires_on_the_minute() {
    let got = firings("*/5 * * * *", "2025-01-06T10:02:30Z", 2);
    assert_eq!(
        got,
        vec![at("2025-01-06T10:05:00Z"), at("2025-01-06T10:10:00Z")]
    );
}

#[test]
fn a_six_field_expression_keeps_its_seconds() {
    let schedule = Schedule::parse("*/10 * * * * *").unwrap();
    assert_eq!(schedule.as_str(), "*/10 * * * * *");
    let got = firings("*/10 * * * * *", "2025-01-06T10:00:03Z", 2);
    assert_eq!(
        got,
        vec![at("2025-01-06T10:00:10Z"), at("2025-01-06T10:00:20Z")]
    );
}

#[test]
fn a_seven_field_expression_with_a_year_is_accepted() {
    let got = firings("0 30 3 * * * 2099", "2025-01-06T00:00:00Z", 1);
    assert_eq!(got, vec![at("2099-01-01T03:30:00Z")]);
}

#[test]
fn next_after_is_strictly_after_the_given_time() {
    let got = firings("0 * * * *", "2025-01-06T10:00:00Z", 1);
    assert_eq!(got, vec![at("2025-01-06T11:00:00Z")]);
}

#[test]
fn one_to_five_is_monday_to_friday_and_never_fires_on_a_weekend() {
    assert_eq!(weekdays_of("0 9 * * 1-5"), days(&[Mon, Tue, Wed, Thu, Fri]));
    let all = firings("0 9 * * 1-5", "2025-01-06T00:00:00Z", 40);
    assert!(all.iter().all(|t| !matches!(t.weekday(), Sat | Sun)));
    assert!(all.iter().all(|t| t.hour() == 9 && t.minute() == 0));
}

#[test]
fn zero_and_seven_are_both_sunday() {
    assert_eq!(weekdays_of("0 9 * * 0"), days(&[Sun]));
    assert_eq!(weekdays_of("0 9 * * 7"), days(&[Sun]));
    assert_eq!(weekdays_of("0 9 * * sun"), days(&[Sun]));
}

#[test]
fn every_single_weekday_number_means_its_crontab_day() {
    let expected = [Sun, Mon, Tue, Wed, Thu, Fri, Sat, Sun];
    for (n, day) in expected.iter().enumerate() {
        assert_eq!(weekdays_of(&format!("0 9 * * {n}")), days(&[*day]), "{n}");
    }
}

#[test]
fn lists_and_steps_are_translated_day_by_day() {
    assert_eq!(weekdays_of("0 9 * * 1,3,5"), days(&[Mon, Wed, Fri]));
    assert_eq!(weekdays_of("0 9 * * 1-5/2"), days(&[Mon, Wed, Fri]));
    assert_eq!(weekdays_of("0 9 * * */2"), days(&[Sun, Tue, Thu, Sat]));
    assert_eq!(weekdays_of("0 9 * * 1/2"), days(&[Mon, Wed, Fri, Sun]));
    assert_eq!(weekdays_of("0 9 * * 0,6"), days(&[Sun, Sat]));
}

#[test]
fn names_mean_the_same_days_as_numbers() {
    assert_eq!(weekdays_of("0 9 * * Mon-Fri"), weekdays_of("0 9 * * 1-5"));
    assert_eq!(
        weekdays_of("0 9 * * mon,WED,friday"),
        days(&[Mon, Wed, Fri])
    );
}

#[test]
fn a_range_may_end_on_sunday() {
    assert_eq!(weekdays_of("0 9 * * 5-7"), days(&[Fri, Sat, Sun]));
    assert_eq!(weekdays_of("0 9 * * fri-sun"), days(&[Fri, Sat, Sun]));
}

#[test]
fn a_six_field_expression_uses_crontab_weekday_numbers_too() {
    assert_eq!(weekdays_of("0 0 9 * * 1"), days(&[Mon]));
    assert_eq!(weekdays_of("0 0 9 * * 0"), days(&[Sun]));
}

#[test]
fn day_of_month_and_day_of_week_together_fire_on_either_as_in_classic_cron() {
    // The 13th of January 2025 is a Monday; Fridays are the 10th, 17th, 24th and 31st.
    let got: Vec<u32> = firings("0 0 13 * 5", "2025-01-06T00:00:00Z", 5)
        .iter()
        .map(|t| t.day())
        .collect();
    assert_eq!(got, vec![10, 13, 17, 24, 31]);
}

#[test]
fn a_day_of_month_alone_is_not_widened_to_every_day() {
    let got: Vec<u32> = firings("0 0 13 * *", "2025-01-06T00:00:00Z", 2)
        .iter()
        .map(|t| t.month())
        .collect();
    assert_eq!(got, vec![1, 2]);
}

#[test]
fn bad_expressions_are_rejected_with_the_expression_and_the_problem() {
    let cases = [
        ("*/5 * * *", "has 4 fields"),
        ("61 * * * *", "minute field \"61\""),
        ("* 24 * * *", "hour field \"24\""),
        ("* * * 13 *", "month field \"13\""),
        ("* * * * 8", "\"8\" is out of range"),
        ("* * * * 5-1", "runs backwards"),
        ("* * * * mon/0", "step \"0\""),
        ("* * * * funday", "\"funday\" is not a day"),
        ("0 0 30 2 *", "never fires"),
        ("0 0 0 1 1 * 2001", "never fires"),
        ("every five minutes", "has 3 fields"),
    ];
    for (expression, problem) in cases {
        let err = Schedule::parse(expression).expect_err(expression);
        assert!(err.contains(&format!("\"{expression}\"")), "{err}");
        assert!(err.contains(problem), "{expression}: {err}");
        assert!(!err.contains('^'), "cron's caret message leaked: {err}");
    }
    assert!(Schedule::parse("  ").unwrap_err().contains("empty"));
}

#[test]
fn the_typical_interval_is_the_gap_between_the_next_two_firings() {
    let every_five = Schedule::parse("*/5 * * * *").unwrap();
    assert_eq!(every_five.typical_interval(), Duration::from_secs(300));
    let sundays = Schedule::parse("0 3 * * 0").unwrap();
    assert_eq!(
        sundays.interval_after(at("2025-01-06T00:00:00Z")),
        Duration::from_secs(7 * 24 * 3600)
    );
    let last_year = Schedule::parse("0 0 0 1 1 * 2099").unwrap();
    assert_eq!(last_year.typical_interval(), Duration::MAX);
}

#[test]
fn display_and_debug_show_the_expression_as_written() {
    let schedule = Schedule::parse(" 0 9 * * 1-5 ").unwrap();
    assert_eq!(schedule.to_string(), "0 9 * * 1-5");
    assert_eq!(format!("{schedule:?}"), "Schedule(\"0 9 * * 1-5\")");
    assert_eq!("0 9 * * 1-5".parse::<Schedule>().unwrap(), schedule);
}
