//! The cron schedule of reconciles (`sync.schedule`), parsed once into something that answers
//! "when is the next run".
//!
//! Operators write classic crontab; the `cron` crate speaks Quartz (seconds first, Sunday = 1).
//! This module owns the translation so that nobody else has to know.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// When reconciles run. Times are UTC.
///
/// Accepted forms:
/// - 5 fields, classic crontab: `minute hour day-of-month month day-of-week` (`*/5 * * * *`);
///   the seconds field is taken as `0`.
/// - 6 fields, the same with seconds first: `*/10 * * * * *`.
/// - 7 fields, with a year last: `0 0 3 * * * 2030`.
///
/// Day-of-week uses **crontab numbering in every form**: `0` and `7` are Sunday, `1` is Monday,
/// so `1-5` is Monday to Friday whether or not a seconds field is present. Names (`mon-fri`,
/// `Sun`) work too. A range may end on Sunday (`5-7`, `fri-sun`).
///
/// When both day-of-month and day-of-week are restricted (neither is `*` or `?`), the schedule
/// fires on days matching **either**, as classic cron does (`0 0 1 * 1` = the 1st of the month
/// and every Monday). The `cron` crate alone would require both; this type keeps one schedule
/// per field and takes the earlier firing.
#[derive(Clone)]
pub struct Schedule {
    expression: String,
    /// Fires on the days of the month (or every day when only the weekday is restricted).
    primary: cron::Schedule,
    /// Set only when both day fields are restricted: fires on the weekdays.
    by_weekday: Option<cron::Schedule>,
}

/// Field names in the 7-field order, for messages.
const FIELD_NAMES: [&str; 7] = [
    "second",
    "minute",
    "hour",
    "day-of-month",
    "month",
    "day-of-week",
    "year",
];

/// What each field accepts, for messages.
const FIELD_VALUES: [&str; 7] = [
    "0-59",
    "0-59",
    "0-23",
    "1-31",
    "1-12 or jan-dec",
    "0-7 (0 and 7 are Sunday) or sun-sat",
    "1970-2099",
];

const DAY_OF_MONTH: usize = 3;
const DAY_OF_WEEK: usize = 5;

impl Schedule {
    /// Parses a crontab-style expression; the error says what is wrong in plain words and
    /// quotes the expression.
    pub fn parse(expression: &str) -> Result<Schedule, String> {
        let expression = expression.trim();
        let complain = |problem: String| format!("cron expression \"{expression}\": {problem}");
        let mut fields: Vec<String> = expression.split_whitespace().map(str::to_owned).collect();
        match fields.len() {
            5 => fields.insert(0, "0".to_owned()),
            6 | 7 => {}
            0 => {
                return Err(
                    "schedule is empty: write a cron expression such as \"*/5 * * * *\"".into(),
                );
            }
            n => {
                return Err(complain(format!(
                    "has {n} fields; expected 5 (minute hour day-of-month month day-of-week) \
                     or 6 with seconds first"
                )));
            }
        }
        let weekdays = weekdays(&fields[DAY_OF_WEEK]).map_err(|e| {
            complain(format!(
                "day-of-week field \"{}\": {e}",
                fields[DAY_OF_WEEK]
            ))
        })?;
        let dow_restricted = weekdays.is_some();
        fields[DAY_OF_WEEK] = weekdays.unwrap_or_else(|| "*".into());
        let dom_restricted = !matches!(fields[DAY_OF_MONTH].as_str(), "*" | "?");
        let schedule = if dom_restricted && dow_restricted {
            let mut by_day = fields.clone();
            by_day[DAY_OF_WEEK] = "*".into();
            let mut by_weekday = fields.clone();
            by_weekday[DAY_OF_MONTH] = "*".into();
            Schedule {
                expression: expression.to_owned(),
                primary: build(&by_day).map_err(complain)?,
                by_weekday: Some(build(&by_weekday).map_err(complain)?),
            }
        } else {
            Schedule {
                expression: expression.to_owned(),
                primary: build(&fields).map_err(complain)?,
                by_weekday: None,
            }
        };
        if schedule.next_after(Utc::now()).is_none() {
            return Err(complain(
                "never fires (no such date, or it lies in the past)".into(),
            ));
        }
        Ok(schedule)
    }

    /// The first firing strictly after `t`, or `None` when the schedule never fires again.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let primary = self.primary.after(&t).next();
        let by_weekday = self.by_weekday.as_ref().and_then(|s| s.after(&t).next());
        match (primary, by_weekday) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The expression as the operator wrote it.
    pub fn as_str(&self) -> &str {
        &self.expression
    }

    /// The gap between the next two firings from now: how often runs are expected, for a health
    /// check. `Duration::MAX` when fewer than two firings remain (use `saturating_mul`).
    pub fn typical_interval(&self) -> Duration {
        self.interval_after(Utc::now())
    }

    fn interval_after(&self, t: DateTime<Utc>) -> Duration {
        let Some(first) = self.next_after(t) else {
            return Duration::MAX;
        };
        match self.next_after(first) {
            Some(second) => (second - first).to_std().unwrap_or(Duration::MAX),
            None => Duration::MAX,
        }
    }
}

/// Parses a Quartz-style field list into a `cron::Schedule`. On failure, finds the offending
/// field by trying each one alone, so the message can name it.
fn build(fields: &[String]) -> Result<cron::Schedule, String> {
    if let Ok(schedule) = cron::Schedule::from_str(&fields.join(" ")) {
        return Ok(schedule);
    }
    for (i, field) in fields.iter().enumerate() {
        let mut probe = vec!["*"; fields.len()];
        probe[0] = "0";
        probe[i] = field;
        if cron::Schedule::from_str(&probe.join(" ")).is_err() {
            return Err(format!(
                "{} field \"{field}\" is not valid: use {}, *, ranges (a-b), lists (a,b) or steps (*/n)",
                FIELD_NAMES[i], FIELD_VALUES[i]
            ));
        }
    }
    Err("is not a valid cron expression".into())
}

/// Translates a crontab day-of-week field into an explicit Quartz list (Sunday = 1).
/// `None` means unrestricted (`*`, `?` or a list that covers every day).
fn weekdays(field: &str) -> Result<Option<String>, String> {
    if field == "*" || field == "?" {
        return Ok(None);
    }
    let mut days = BTreeSet::new();
    for item in field.split(',') {
        days.extend(weekday_item(item)?);
    }
    if days.len() == 7 {
        return Ok(None);
    }
    let quartz: Vec<String> = days.iter().map(|d| (d + 1).to_string()).collect();
    Ok(Some(quartz.join(",")))
}

/// One item of a day-of-week list: `d`, `a-b`, `*/n`, `a-b/n` or `a/n`; days in crontab
/// numbering, returned as 0 (Sunday) to 6 (Saturday).
fn weekday_item(item: &str) -> Result<Vec<u8>, String> {
    let (base, step) = match item.split_once('/') {
        Some((base, step)) => match step.parse::<u8>() {
            Ok(step) if step > 0 => (base, Some(step)),
            _ => {
                return Err(format!(
                    "step \"{step}\" must be a whole number of 1 or more"
                ));
            }
        },
        None => (item, None),
    };
    let (first, last) = if base == "*" {
        (0, 7)
    } else if let Some((a, b)) = base.split_once('-') {
        let (a, mut b) = (weekday(a)?, weekday(b)?);
        if b == 0 && a > 0 {
            b = 7; // `5-0`, `fri-sun`: up to Sunday
        }
        if a > b {
            return Err(format!("range \"{base}\" runs backwards"));
        }
        (a, b)
    } else {
        let day = weekday(base)?;
        (day, if step.is_some() { 7 } else { day })
    };
    let step = usize::from(step.unwrap_or(1));
    Ok((first..=last).step_by(step).map(|d| d % 7).collect())
}

/// A single day: 0-7 (0 and 7 = Sunday) or an English name or abbreviation.
fn weekday(token: &str) -> Result<u8, String> {
    const NAMES: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    const FULL: [&str; 7] = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    if let Ok(n) = token.parse::<u8>() {
        return if n <= 7 {
            Ok(n)
        } else {
            Err(format!(
                "\"{token}\" is out of range: use 0-7 (0 and 7 are Sunday) or sun-sat"
            ))
        };
    }
    let lower = token.to_ascii_lowercase();
    let found = NAMES.iter().position(|n| *n == lower).or_else(|| {
        FULL.iter()
            .position(|n| *n == lower)
            .or(match lower.as_str() {
                "tues" => Some(2),
                "thurs" => Some(4),
                _ => None,
            })
    });
    match found {
        Some(i) => Ok(i as u8),
        None if token.is_empty() => Err("a day is missing".into()),
        None => Err(format!(
            "\"{token}\" is not a day: use 0-7 (0 and 7 are Sunday) or sun-sat"
        )),
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expression)
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Schedule").field(&self.expression).finish()
    }
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Schedule) -> bool {
        self.expression == other.expression
    }
}

impl Eq for Schedule {}

impl FromStr for Schedule {
    type Err = String;

    fn from_str(s: &str) -> Result<Schedule, String> {
        Schedule::parse(s)
    }
}

#[cfg(test)]
mod tests;
