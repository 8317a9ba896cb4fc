//! `catalog-sync demo`: the daemon's reconcile against the built-in sandbox account, telling a
//! short story with example edits on both sides. Works offline; needs no configuration.
//!
//! The story checks itself: if a step does not end the way it says, the demo says so and exits 1.
//! `catalogs` tells the catalogs' part, `elements` the part about the products inside a list.

mod catalogs;
mod elements;

use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use sqlx::{Connection, Row, SqliteConnection};

use crate::config::Settings;
use crate::sandbox::{Account, Sandbox, SandboxOptions};
use crate::store::Store;
use crate::sync::{Outcome, RunReport, Syncer};
use crate::text::table;

const TRIGGER: &str = "demo";

pub async fn run(database: &Path) -> Result<i32> {
    prepare(database).await?;
    let sandbox = Sandbox::start(SandboxOptions::default()).await?;
    let account = sandbox.account();
    account.seed_example_account();
    let settings = Settings::for_account(&sandbox.base_url(), "sandbox-token", database.into())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let syncer = crate::startup::syncer(&settings.accounts[0], false).await?;
    let demo = Demo { syncer, account };
    println!(
        "catalog-sync demo: a sandbox amoCRM account is running at {}",
        sandbox.base_url()
    );
    demo.story().await?;
    epilogue(database);
    demo.syncer.store().close().await;
    sandbox.shutdown().await;
    Ok(0)
}

/// Refuses to touch a database that is not a previous demo's; removes a previous demo's.
async fn prepare(database: &Path) -> Result<()> {
    if !database.exists() {
        return Ok(());
    }
    let url = format!("sqlite://{}?mode=ro", database.display());
    let foreign = || {
        format!(
            "{} exists and is not a previous demo's database; move it away or pass --database OTHER.db",
            database.display()
        )
    };
    let mut conn = SqliteConnection::connect(&url)
        .await
        .with_context(foreign)?;
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM sync_runs WHERE trigger != 'demo') AS other, \
         (SELECT COUNT(*) FROM sync_runs) AS runs, (SELECT COUNT(*) FROM desired_catalogs) AS rows",
    )
    .fetch_one(&mut conn)
    .await
    .with_context(foreign)?;
    let (other, runs, rows): (i64, i64, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    conn.close().await?;
    if other > 0 || (runs == 0 && rows > 0) {
        bail!(foreign());
    }
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", database.display());
        if Path::new(&path).exists() {
            std::fs::remove_file(&path).with_context(|| format!("cannot remove {path}"))?;
        }
    }
    Ok(())
}

struct Demo {
    syncer: Syncer,
    account: Account,
}

/// Requests that change the account (POST, PATCH, deletes), over every endpoint.
fn writes(c: &crate::sandbox::Counters) -> usize {
    c.catalogs_post
        + c.v4_catalogs_post
        + c.v4_catalogs_patch
        + c.elements_post
        + c.elements_patch
        + c.v2_element_deletes
}

impl Demo {
    async fn story(&self) -> Result<()> {
        self.first_sync().await?;
        self.local_edits().await?;
        self.remote_edits().await?;
        self.conflict().await?;
        self.elements_on().await?;
        self.element_edits().await?;
        self.in_sync().await
    }

    fn store(&self) -> &Store {
        self.syncer.store()
    }

    /// One reconcile, with the requests it made, printed.
    async fn reconcile(&self) -> Result<RunReport> {
        let before = writes(&self.account.counters());
        let report = self.syncer.run_once(TRIGGER).await?;
        let written = writes(&self.account.counters()) - before;
        let (c, e) = (&report.counts.catalogs, &report.counts.elements);
        let mut line = format!(
            "added {}, updated {}, deleted {}, adopted {}, conflicts {}",
            c.added, c.updated, c.deleted, c.adopted, c.conflicts
        );
        if *e != crate::store::Counts::default() {
            line += &format!(
                "; elements: pulled {}, added {}, updated {}, deleted {}, adopted {}, conflicts {}",
                e.pulled, e.added, e.updated, e.deleted, e.adopted, e.conflicts
            );
        }
        println!(
            "\n  run {}: {} - {} HTTP requests ({written} writing); {line}",
            report.run_id,
            report.outcome.as_str(),
            report.counts.http_requests,
        );
        ensure!(
            report.outcome == Outcome::Ok,
            "the demo run ended {}: {:?}",
            report.outcome.as_str(),
            report.error
        );
        Ok(report)
    }

    async fn sql(&self, statements: &[&str]) -> Result<()> {
        for s in statements {
            println!("  sqlite> {s}");
            sqlx::raw_sql(sqlx::AssertSqlSafe(*s))
                .execute(self.store().pool())
                .await?;
        }
        Ok(())
    }

    async fn print_query(&self, title: &str, sql: &str) -> Result<()> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.store().pool())
            .await?;
        let Some(first) = rows.first() else {
            println!("\n  {title}: (none)");
            return Ok(());
        };
        let head: Vec<String> = first
            .columns()
            .iter()
            .map(|c| sqlx::Column::name(c).to_owned())
            .collect();
        let mut out = vec![head];
        for row in &rows {
            out.push((0..row.len()).map(|i| cell(row, i)).collect());
        }
        println!("\n  {title}:\n{}", table(&out).trim_end());
        Ok(())
    }

    async fn show_desired(&self) -> Result<()> {
        self.print_query(
            "desired_catalogs",
            "SELECT id, remote_id, name, type, can_add_elements AS add_el, sort FROM desired_catalogs ORDER BY id",
        )
        .await
    }

    fn show_account(&self) {
        let mut rows = vec![["id", "name", "type"].map(String::from).to_vec()];
        rows.extend(
            self.account
                .catalogs()
                .into_iter()
                .map(|c| vec![c.id.to_string(), c.name, c.kind]),
        );
        println!("\n  the account:\n{}", table(&rows).trim_end());
    }
}

/// One cell of a result row, whatever its type, for printing.
fn cell(row: &sqlx::sqlite::SqliteRow, i: usize) -> String {
    if let Ok(Some(v)) = row.try_get::<Option<i64>, _>(i) {
        return v.to_string();
    }
    match row.try_get::<Option<String>, _>(i) {
        Ok(Some(s)) => s,
        _ => "NULL".into(),
    }
}

fn epilogue(database: &Path) {
    let path = std::fs::canonicalize(database).unwrap_or_else(|_| database.to_path_buf());
    let db = path.display();
    println!(
        "\nDone: the account, desired_catalogs and desired_elements agree. The database is {db}"
    );
    println!("Look inside:");
    println!("  sqlite3 {db} 'SELECT id, remote_id, name, type FROM desired_catalogs'");
    println!("  sqlite3 {db} 'SELECT run_id, op, state, payload FROM outbox'");
    println!("  sqlite3 {db} 'SELECT * FROM conflicts'");
    println!("  sqlite3 {db} 'SELECT * FROM change_log'");
    println!(
        "  sqlite3 -header {db} 'SELECT * FROM catalog_7001'   # the products, one column per field"
    );
    println!(
        "Try it by hand: `catalog-sync sandbox` in one terminal, `catalog-sync -c config/sandbox.toml` in another."
    );
}
