//! Date and date-time values: `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SSZ`, both in UTC.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::Value;

/// Above this a timestamp is in milliseconds: 10^11 seconds is the year 5138.
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

const DATE: &str = "%Y-%m-%d";

/// A date from the API: unix seconds (or milliseconds), as a number or text, or date text.
pub(super) fn date_from_api(value: &Value) -> Result<Value, String> {
    Ok(date_text(instant(value, true)?))
}

/// A date-time from the API: the same spellings as [`date_from_api`].
pub(super) fn date_time_from_api(value: &Value) -> Result<Value, String> {
    Ok(date_time_text(instant(value, true)?))
}

/// A person's date: `YYYY-MM-DD` as it is, or an RFC 3339 time (its date in UTC).
pub(super) fn date_from_person(value: &Value) -> Result<Value, String> {
    let text = person_text(value).ok_or_else(|| date_refused(value))?;
    if text.is_empty() {
        return Ok(Value::Null);
    }
    instant(&Value::String(text.into()), false)
        .map(date_text)
        .map_err(|_| date_refused(value))
}

/// A person's date-time: an RFC 3339 time (converted to UTC), or a date (its midnight, UTC).
pub(super) fn date_time_from_person(value: &Value) -> Result<Value, String> {
    let text = person_text(value).ok_or_else(|| date_time_refused(value))?;
    if text.is_empty() {
        return Ok(Value::Null);
    }
    instant(&Value::String(text.into()), false)
        .map(date_time_text)
        .map_err(|_| date_time_refused(value))
}

/// Unix seconds of the UTC midnight of a canonical date.
pub(super) fn date_seconds(canonical: &Value) -> Result<i64, String> {
    let text = canonical.as_str().unwrap_or_default();
    let date = NaiveDate::parse_from_str(text, DATE).map_err(|_| date_refused(canonical))?;
    Ok(date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp())
}

/// Unix seconds of a canonical date-time.
pub(super) fn date_time_seconds(canonical: &Value) -> Result<i64, String> {
    let text = canonical.as_str().unwrap_or_default();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp())
        .map_err(|_| date_time_refused(canonical))
}

fn person_text(value: &Value) -> Option<&str> {
    value.as_str().map(str::trim)
}

/// The instant a value names. `from_api` also takes unix seconds and times without an offset
/// (read as UTC); a person must say which zone a time is in.
fn instant(value: &Value, from_api: bool) -> Result<DateTime<Utc>, String> {
    let unreadable = || format!("{value} is not a date");
    let seconds = match value {
        Value::Number(n) if from_api => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.abs() < 9e15)
                .map(|f| f.floor() as i64)
        }),
        Value::String(s) if from_api => s.trim().parse::<i64>().ok(),
        Value::String(_) => None,
        _ => return Err(unreadable()),
    };
    let at = match seconds {
        Some(s) if s.abs() > MILLIS_THRESHOLD => DateTime::from_timestamp(s / 1000, 0),
        Some(s) => DateTime::from_timestamp(s, 0),
        None => parse_text(value.as_str().unwrap_or_default().trim(), from_api),
    };
    at.filter(|t| (1..=9999).contains(&t.year()))
        .ok_or_else(unreadable)
}

fn parse_text(text: &str, naive_is_utc: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if text.len() == 10
        && let Ok(date) = NaiveDate::parse_from_str(text, DATE)
    {
        return Some(date.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    if !naive_is_utc {
        return None;
    }
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc())
}

fn date_text(at: DateTime<Utc>) -> Value {
    Value::String(at.date_naive().format(DATE).to_string())
}

fn date_time_text(at: DateTime<Utc>) -> Value {
    let whole = DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at);
    Value::String(whole.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn date_refused(value: &Value) -> String {
    format!(
        "{value} is not a date: write YYYY-MM-DD (e.g. \"2026-12-02\") or an RFC 3339 time \
         (e.g. \"2026-12-02T10:00:00+03:00\")"
    )
}

fn date_time_refused(value: &Value) -> String {
    format!(
        "{value} is not a date and time: write an RFC 3339 time with its zone (e.g. \
         \"2026-12-02T10:00:00Z\" or \"2026-12-02T13:00:00+03:00\") or a date YYYY-MM-DD"
    )
}
