//! What `/metrics` promises beyond its values: valid Prometheus text (format 0.0.4) by a
//! strict reading of its grammar, and every metric the README's alert rules name exposed with
//! the labels they use. (promtool is not run here: these checks stand in for it.)

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use catalog_sync::metrics::{Metrics, Snapshot};
use catalog_sync::schedule::Schedule;
use reqwest::{Method, StatusCode};

/// One sample line: its metric name, its labels in order, its value.
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

fn is_name(s: &str, colons: bool) -> bool {
    let mut chars = s.chars();
    let head = |c: char| c.is_ascii_alphabetic() || c == '_' || (colons && c == ':');
    chars.next().is_some_and(head) && chars.all(|c| head(c) || c.is_ascii_digit())
}

/// `a="x",b="y"`: label names and quoted values (escapes `\\`, `\"`, `\n` only).
fn labels(mut rest: &str, line: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once("=\"")
            .unwrap_or_else(|| panic!("label: {line}"));
        assert!(is_name(name, false), "label name {name:?}: {line}");
        let (mut value, mut chars) = (String::new(), after.char_indices());
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    Some((_, 'n')) => value.push('\n'),
                    _ => panic!("bad escape: {line}"),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => panic!("unterminated label value: {line}"),
            }
        };
        out.push((name.to_owned(), value));
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    out
}

fn sample(line: &str) -> Sample {
    let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().unwrap_or_else(|_| panic!("value {v:?}: {line}")),
    };
    let (name, labels) = match series.split_once('{') {
        Some((name, rest)) => {
            let inner = rest.strip_suffix('}').unwrap_or_else(|| panic!("{line}"));
            (name, labels(inner, line))
        }
        None => (series, vec![]),
    };
    assert!(is_name(name, true), "metric name {name:?}: {line}");
    Sample {
        name: name.to_owned(),
        labels,
        value,
    }
}

/// The family a sample belongs to, given the families declared so far.
fn family_of<'a>(name: &str, types: &'a BTreeMap<String, String>) -> Option<(&'a str, &'a str)> {
    let histogram = ["_bucket", "_sum", "_count"]
        .iter()
        .find_map(|s| name.strip_suffix(s));
    let (family, kind) = match histogram.and_then(|f| types.get_key_value(f)) {
        Some((f, kind)) if kind == "histogram" => (f, kind),
        _ => types.get_key_value(name)?,
    };
    Some((family.as_str(), kind.as_str()))
}

/// Panics unless `text` is valid Prometheus text: `# HELP`/`# TYPE` once per family and before
/// its samples, samples of one family together, no series twice, histogram buckets cumulative
/// and ending in `+Inf` equal to `_count`. Returns the metric names seen per family.
pub fn assert_valid(text: &str) -> BTreeMap<String, Vec<Vec<(String, String)>>> {
    assert!(text.ends_with('\n'), "the exposition ends with a newline");
    let (mut types, mut done) = (BTreeMap::new(), BTreeSet::new());
    let (mut series, mut current, mut out) = (BTreeSet::new(), None::<String>, BTreeMap::new());
    let mut buckets: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
    let mut counts: BTreeMap<(String, String), f64> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{line}"));
            assert!(is_name(name, true), "{line}");
            let kinds = ["counter", "gauge", "histogram", "summary", "untyped"];
            assert!(kinds.contains(&kind), "{line}");
            assert!(
                types.insert(name.to_owned(), kind.to_owned()).is_none(),
                "twice: {line}"
            );
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let s = sample(line);
        let (family, kind) =
            family_of(&s.name, &types).unwrap_or_else(|| panic!("no TYPE: {line}"));
        if current.as_deref() != Some(family) {
            assert!(
                done.insert(family.to_owned()),
                "{family} split apart: {line}"
            );
            current = Some(family.to_owned());
        }
        assert!(
            series.insert(line.rsplit_once(' ').unwrap().0.to_owned()),
            "twice: {line}"
        );
        if kind == "counter" {
            assert!(s.value >= 0.0, "a negative counter: {line}");
        }
        let others: Vec<_> = s
            .labels
            .iter()
            .filter(|(k, _)| k != "le")
            .cloned()
            .collect();
        let key = (s.name.clone(), format!("{others:?}"));
        if s.name.ends_with("_bucket") && kind == "histogram" {
            let le = s
                .labels
                .iter()
                .find(|(k, _)| k == "le")
                .expect("le on a bucket");
            let bound = if le.1 == "+Inf" {
                f64::INFINITY
            } else {
                le.1.parse().unwrap()
            };
            buckets
                .entry((family.to_owned(), key.1.clone()))
                .or_default()
                .push((bound, s.value));
        } else if s.name.ends_with("_count") && kind == "histogram" {
            counts.insert((family.to_owned(), key.1.clone()), s.value);
        }
        out.entry(s.name).or_insert_with(Vec::new).push(s.labels);
    }
    for (key, list) in &buckets {
        assert!(
            list.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
            "{key:?}: {list:?}"
        );
        let last = list.last().unwrap();
        assert_eq!(last.0, f64::INFINITY, "{key:?} ends in +Inf");
        assert_eq!(Some(&last.1), counts.get(key), "{key:?}: +Inf is the count");
    }
    out
}

/// A daemon's metrics with every family filled for one account.
fn every_series() -> String {
    let m = Metrics::new();
    m.add_account("shop");
    m.observe_run("shop", "ok", Duration::from_millis(300));
    m.observe_run("shop", "failed", Duration::from_secs(4));
    let observe = m.request_observer("shop").0;
    observe(&Method::GET, Some(StatusCode::OK));
    observe(&Method::POST, None);
    m.board()
        .set_schedule("shop", &Schedule::parse("*/5 * * * *").unwrap());
    let snapshot = Snapshot {
        outbox: vec![("in_doubt".into(), 1)],
        open_conflicts: 2,
        last_success: Some("2030-01-01T00:00:00.500Z".into()),
        blocked: None,
        remote_catalogs: 3,
        remote_elements: 120,
        auth_ready: true,
        auth_summary: "long-lived token".into(),
    };
    m.board().put("shop", Ok(snapshot), Instant::now());
    m.encode()
}

#[test]
fn the_exposition_is_valid_prometheus_text() {
    let seen = assert_valid(&every_series());

    for name in [
        "catalog_sync_runs_total",
        "catalog_sync_run_duration_seconds_bucket",
        "catalog_sync_api_requests_total",
        "catalog_sync_outbox_rows",
        "catalog_sync_blocked",
    ] {
        assert!(seen.contains_key(name), "no {name}: {seen:?}");
    }
}

#[test]
fn the_checker_refuses_what_prometheus_would() {
    assert_valid("# TYPE a counter\na{x=\"1\"} 1\n");
    for bad in [
        "a{x=\"1\"} 1\n",                                 // no TYPE
        "# TYPE a counter\na{x=1} 1\n",                   // unquoted
        "# TYPE a counter\na{x=\"1\"} one\n",             // not a number
        "# TYPE a counter\na{x=\"1\"} 1\na{x=\"1\"} 2\n", // twice
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
    ] {
        let refused = std::panic::catch_unwind(|| assert_valid(bad));
        assert!(refused.is_err(), "accepted: {bad:?}");
    }
}

/// The README's alert rules: the `expr` lines of the `groups:` block.
fn alert_exprs() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let block = readme
        .split("```yaml")
        .find(|b| b.trim_start().starts_with("groups:"))
        .expect("the alert rules in the README");
    let block = block.split("```").next().unwrap();
    let mut exprs = vec![];
    let mut lines = block.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.trim().strip_prefix("expr:") else {
            continue;
        };
        let mut expr = rest.trim().trim_start_matches('>').to_owned();
        while lines.peek().is_some_and(|l| l.starts_with("            ")) {
            expr.push(' ');
            expr.push_str(lines.next().unwrap().trim());
        }
        exprs.push(expr);
    }
    exprs
}

#[test]
fn every_metric_and_label_the_readme_alerts_use_is_exposed() {
    let seen = assert_valid(&every_series());
    let exprs = alert_exprs();
    assert_eq!(exprs.len(), 3, "{exprs:?}");

    for expr in &exprs {
        let words = expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        for name in words.filter(|w| w.starts_with("catalog_sync_")) {
            let series = seen
                .get(name)
                .unwrap_or_else(|| panic!("{expr}: no {name}"));
            let with_account = series.iter().all(|l| l.iter().any(|(k, _)| k == "account"));
            assert!(with_account, "{name} without account");
        }
        if let Some((_, rest)) = expr.split_once("{state=\"") {
            let state = rest.split('"').next().unwrap();
            let rows = &seen["catalog_sync_outbox_rows"];
            assert!(
                rows.iter()
                    .any(|l| l.contains(&("state".into(), state.into()))),
                "{expr}: no state {state}"
            );
        }
    }
}
