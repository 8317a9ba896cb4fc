//! Text output cuts over-long values: a 20,000-character name (of a catalog, an element or a
//! field) must not flood a terminal.

use std::process::Output;

use catalog_sync::sandbox::{NewField, Sandbox, SandboxOptions};
use serde_json::json;

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

/// The sandbox's example shop, its products catalog renamed to `long`, with a text field and
/// an element both named `long`; a text-log configuration syncing its elements.
async fn long_shop(long: &str) -> (Sandbox, tempfile::TempDir, std::path::PathBuf) {
    let sandbox = Sandbox::start(SandboxOptions {
        rate_limit_per_second: None,
        ..SandboxOptions::default()
    })
    .await
    .unwrap();
    let account = sandbox.account();
    account.seed_example_account();
    account.rename_catalog(PRODUCTS, long).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    let text = format!(
        "[amocrm]\nbase_url = \"{}\"\n[auth]\ntoken = \"{}\"\n[database]\npath = \"{}\"\n\
         [sync]\nelements = true\n",
        sandbox.base_url(),
        SandboxOptions::default().token,
        dir.path().join("shop.db").display()
    );
    std::fs::write(&cfg, text).unwrap();
    (sandbox, dir, cfg)
}

const PRODUCTS: i64 = 7001;

#[tokio::test]
async fn plan_and_status_cut_20000_character_element_and_field_names() {
    let long = "Ж".repeat(20_000);
    let (sandbox, _dir, cfg) = long_shop(&long).await;
    let account = sandbox.account();
    let field = account
        .add_field(PRODUCTS, NewField::new(&long, "text"))
        .unwrap();
    let first = catalog_sync(&cfg, &["--once"]).await;
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    // The account gains an element named `long` with a value in the field named `long`.
    let element = account.add_element(PRODUCTS, &long).unwrap();
    account
        .set_element_value(element, field, json!("x"))
        .unwrap();

    let plan = catalog_sync(&cfg, &["plan"]).await;
    let status = catalog_sync(&cfg, &["status"]).await;

    let text = String::from_utf8_lossy(&plan.stdout);
    assert_eq!(plan.status.code(), Some(0), "{plan:?}");
    assert!(
        text.contains("to database") && text.contains('…'),
        "the adopted element, cut: {}",
        &text[..2000.min(text.len())]
    );
    assert!(
        widest(&plan) < 400,
        "a line of {} characters",
        widest(&plan)
    );
    let shown = String::from_utf8_lossy(&status.stdout);
    assert!(
        shown.contains(&format!("#{PRODUCTS}")) && shown.contains('…'),
        "the elements table, the catalog's name cut: {}",
        &shown[..2000.min(shown.len())]
    );
    assert!(
        widest(&status) < 400,
        "a line of {} characters",
        widest(&status)
    );
}
