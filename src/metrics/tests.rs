//! The exposition: names, labels, units and the gauges written from the board.

use std::time::{Duration, Instant};

use super::*;
use crate::schedule::Schedule;
use chrono::{DateTime, Utc};

fn snapshot() -> Snapshot {
    Snapshot {
        outbox: vec![("done".into(), 4), ("in_doubt".into(), 1)],
        open_conflicts: 2,
        last_success: Some("2030-01-01T00:00:00.500Z".into()),
        blocked: None,
        remote_catalogs: 3,
        remote_elements: 120,
        auth_ready: true,
        auth_summary: "long-lived token".into(),
    }
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('#')).collect()
}

#[test]
fn runs_and_requests_are_counted_per_account_in_base_units() {
    let m = Metrics::new();
    m.add_account("shop");
    m.observe_run("shop", "ok", Duration::from_millis(300));
    let observe = m.request_observer("shop").0;
    observe(&Method::GET, Some(StatusCode::OK));
    observe(&Method::GET, Some(StatusCode::OK));
    observe(&Method::POST, None);

    let text = m.encode();
    let samples = lines(&text);
    for expected in [
        r#"catalog_sync_runs_total{account="shop",outcome="ok"} 1"#,
        r#"catalog_sync_runs_total{account="shop",outcome="failed"} 0"#,
        r#"catalog_sync_run_duration_seconds_bucket{account="shop",le="0.5"} 1"#,
        r#"catalog_sync_run_duration_seconds_bucket{account="shop",le="0.25"} 0"#,
        r#"catalog_sync_run_duration_seconds_count{account="shop"} 1"#,
        r#"catalog_sync_api_requests_total{account="shop",method="GET",status="200"} 2"#,
        r#"catalog_sync_api_requests_total{account="shop",method="POST",status="error"} 1"#,
    ] {
        assert!(samples.contains(&expected), "{expected} not in:\n{text}");
    }
    assert!(text.contains("# TYPE catalog_sync_run_duration_seconds histogram"));
    assert!(text.contains("# TYPE catalog_sync_runs_total counter"));
}

#[test]
fn the_gauges_show_each_read_account_and_every_outbox_state() {
    let m = Metrics::new();
    let every_5_min = Schedule::parse("*/5 * * * *").unwrap();
    m.board().set_schedule("shop", &every_5_min);
    m.board().set_schedule("unread", &every_5_min);
    m.board().put("shop", Ok(snapshot()), Instant::now());

    let text = m.encode();
    let samples = lines(&text);
    for expected in [
        r#"catalog_sync_outbox_rows{account="shop",state="in_doubt"} 1"#,
        r#"catalog_sync_outbox_rows{account="shop",state="pending"} 0"#,
        r#"catalog_sync_outbox_rows{account="shop",state="done"} 4"#,
        r#"catalog_sync_conflicts_open{account="shop"} 2"#,
        r#"catalog_sync_last_success_timestamp_seconds{account="shop"} 1893456000.5"#,
        r#"catalog_sync_blocked{account="shop"} 0"#,
        r#"catalog_sync_remote_items{account="shop",entity="catalog"} 3"#,
        r#"catalog_sync_remote_items{account="shop",entity="element"} 120"#,
        r#"catalog_sync_schedule_interval_seconds{account="shop"} 300"#,
    ] {
        assert!(samples.contains(&expected), "{expected} not in:\n{text}");
    }
    assert!(
        !text.contains("unread"),
        "an account not read yet shows no gauge: {text}"
    );
}

#[test]
fn a_block_counts_until_it_runs_out_and_a_failed_read_keeps_the_last_figures() {
    let board = Board::default();
    board.set_schedule("shop", &Schedule::parse("* * * * *").unwrap());
    let mut blocked = snapshot();
    blocked.blocked = Some(crate::store::Block {
        blocked_at: "2030-01-01T10:00:00.000Z".into(),
        until: "2030-01-01T10:15:00.000Z".into(),
        detail: "403".into(),
    });
    let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
    assert!(blocked.blocked_at(at("2030-01-01T10:14:59Z")));
    assert!(!blocked.blocked_at(at("2030-01-01T10:15:01Z")));

    let first = Instant::now();
    board.put(
        "shop",
        Ok(blocked.clone()),
        first + Duration::from_millis(5),
    );
    board.put("shop", Ok(snapshot()), first);
    board.put(
        "shop",
        Err("cannot open".into()),
        first + Duration::from_millis(9),
    );

    let (_, entry) = board.entries().remove(0);
    assert_eq!(entry.snapshot, Some(blocked), "the older read does not win");
    assert_eq!(entry.error.as_deref(), Some("cannot open"));
}
