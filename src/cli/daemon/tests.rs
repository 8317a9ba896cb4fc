//! The schedule arithmetic of the loop.

use super::*;

fn at(stamp: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(stamp)
        .unwrap()
        .with_timezone(&Utc)
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
