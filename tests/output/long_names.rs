//! Text output cuts over-long values: a 20,000-character name must not flood a terminal.

use std::process::Output;

use crate::helpers::{catalog_sync, item, spawn_app};

/// The longest line on stdout, in characters.
fn widest(out: &Output) -> usize {
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[tokio::test]
async fn plan_and_once_cut_20000_character_names_in_their_tables_and_lines() {
    let app = spawn_app().await;
    let cfg = app.token_config("[sync]\nmode = \"pull\"\n");
    let long = "Я".repeat(20_000);
    app.account_has(&[item(1, &long)], 2).await;
    let bad = format!(
        "INSERT INTO desired_catalogs (name, type) VALUES ('{long}', 'odd'), ('{long}x', 'regular')"
    );
    app.sql(&bad).await;

    let plan = catalog_sync(&cfg, &["plan"]).await;
    let once = catalog_sync(&cfg, &["--once"]).await;

    let text = String::from_utf8_lossy(&plan.stdout);
    assert_eq!(plan.status.code(), Some(0), "{plan:?}");
    assert!(
        text.contains("mode pull, conflict_policy local_wins"),
        "the configuration's spellings: {}",
        &text[..200.min(text.len())]
    );
    assert!(
        text.contains("Invalid, skipped") && text.contains('…'),
        "cut, and marked"
    );
    assert!(
        widest(&plan) < 400,
        "a line of {} characters",
        widest(&plan)
    );
    let summary = String::from_utf8_lossy(&once.stdout);
    assert!(
        summary.contains("invalid, skipped"),
        "{}",
        &summary[..200.min(summary.len())]
    );
    assert!(
        widest(&once) < 400,
        "a line of {} characters",
        widest(&once)
    );
}
