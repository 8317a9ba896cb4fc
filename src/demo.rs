//! `catalog-sync demo`: the daemon's reconcile against the built-in sandbox account, telling a
//! short story with example edits on both sides. Works offline; needs no configuration.
//!
//! The story checks itself: if a step does not end the way it says, the demo says so and exits 1.

use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use sqlx::{Connection, Row, SqliteConnection};

use crate::cli::render::table;
use crate::config::Settings;
use crate::sandbox::{Account, Sandbox, SandboxOptions};
use crate::store::Store;
use crate::sync::{Outcome, RunReport, Syncer};

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

impl Demo {
    async fn story(&self) -> Result<()> {
        self.first_sync().await?;
        self.local_edits().await?;
        self.remote_edits().await?;
        self.conflict().await?;
        self.in_sync().await
    }

    fn store(&self) -> &Store {
        self.syncer.store()
    }

    /// One reconcile, with the requests it made, printed.
    async fn reconcile(&self) -> Result<RunReport> {
        let posts_before = self.account.count("POST");
        let report = self.syncer.run_once(TRIGGER).await?;
        let posts = self.account.count("POST") - posts_before;
        let c = &report.counts.catalogs;
        println!(
            "\n  run {}: {} - {} HTTP requests ({} POST); added {}, updated {}, deleted {}, adopted {}, conflicts {}",
            report.run_id,
            report.outcome.as_str(),
            report.counts.http_requests,
            posts,
            c.added,
            c.updated,
            c.deleted,
            c.adopted,
            c.conflicts
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

    async fn print_query(&self, title: &str, sql: &'static str) -> Result<()> {
        let rows = sqlx::query(sql).fetch_all(self.store().pool()).await?;
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

    fn remote_id(&self, name: &str) -> Result<i64> {
        self.account
            .catalogs()
            .into_iter()
            .find(|c| c.name == name)
            .map(|c| c.id)
            .context("catalog missing")
    }

    async fn first_sync(&self) -> Result<()> {
        println!("\n== 1. The first sync adopts the account's catalogs into desired_catalogs");
        self.show_account();
        let report = self.reconcile().await?;
        ensure!(
            report.counts.catalogs.adopted == 3 && report.counts.http_requests == 1,
            "expected 3 adopted with one GET"
        );
        self.show_desired().await
    }

    async fn local_edits(&self) -> Result<()> {
        println!("\n== 2. Edits made with SQL go out as one POST (add + update + delete together)");
        self.sql(&[
            "INSERT INTO desired_catalogs (name, can_add_elements) VALUES ('Поставщики', 1);",
            "UPDATE desired_catalogs SET name = 'Услуги и работы' WHERE name = 'Услуги';",
            "DELETE FROM desired_catalogs WHERE name = 'Склады';",
        ])
        .await?;
        let report = self.reconcile().await?;
        ensure!(
            (
                report.counts.catalogs.added,
                report.counts.catalogs.updated,
                report.counts.catalogs.deleted
            ) == (1, 1, 1),
            "expected 1 add, 1 update, 1 delete"
        );
        let post = self
            .account
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.method == "POST")
            .context("no POST logged")?;
        println!("\n  the POST body:\n    {}", post.body);
        self.print_query(
            "outbox",
            "SELECT id, op, remote_id, request_id, state FROM outbox ORDER BY id",
        )
        .await?;
        self.show_desired().await
    }

    async fn remote_edits(&self) -> Result<()> {
        println!("\n== 3. A rename made \"in the amoCRM UI\" comes back (no POST)");
        let id = self.remote_id("Товары")?;
        println!("  UI: rename #{id} 'Товары' -> 'Товары и материалы'");
        self.account
            .rename_catalog(id, "Товары и материалы")
            .map_err(anyhow::Error::msg)?;
        let report = self.reconcile().await?;
        ensure!(
            report.counts.catalogs.adopted == 1 && report.counts.http_requests == 1,
            "expected one adoption, one GET"
        );
        self.print_query("change_log (latest)", "SELECT run_id, action, remote_id, before_json ->> '$.name' AS name_before, after_json ->> '$.name' AS name_after FROM change_log ORDER BY id DESC LIMIT 1").await
    }

    async fn conflict(&self) -> Result<()> {
        println!(
            "\n== 4. Both sides rename the same catalog: a conflict, settled by conflict_policy = local_wins"
        );
        let id = self.remote_id("Поставщики")?;
        self.sql(&[
            "UPDATE desired_catalogs SET name = 'Поставщики (локально)' WHERE name = 'Поставщики';",
        ])
        .await?;
        println!("  UI: rename #{id} 'Поставщики' -> 'Поставщики (в amoCRM)'");
        self.account
            .rename_catalog(id, "Поставщики (в amoCRM)")
            .map_err(anyhow::Error::msg)?;
        let report = self.reconcile().await?;
        ensure!(
            report.counts.catalogs.conflicts == 1 && report.counts.catalogs.updated == 1,
            "expected one conflict pushed"
        );
        self.print_query("conflicts", "SELECT remote_id, field, base_value, local_value, remote_value, resolution FROM conflicts").await?;
        self.show_account();
        Ok(())
    }

    async fn in_sync(&self) -> Result<()> {
        println!("\n== 5. In sync: the next run sends one GET and nothing else");
        let report = self.reconcile().await?;
        ensure!(
            !report.plan.has_changes() && report.counts.http_requests == 1,
            "expected nothing to do"
        );
        self.print_query("sync_runs", "SELECT id, outcome, pulled, added, updated, deleted, adopted, conflicts, http_requests FROM sync_runs ORDER BY id").await
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
    println!("\nDone: the account and desired_catalogs agree. The database is {db}");
    println!("Look inside:");
    println!("  sqlite3 {db} 'SELECT id, remote_id, name, type FROM desired_catalogs'");
    println!("  sqlite3 {db} 'SELECT run_id, op, state, payload FROM outbox'");
    println!("  sqlite3 {db} 'SELECT * FROM conflicts'");
    println!("  sqlite3 {db} 'SELECT * FROM change_log'");
    println!(
        "Try it by hand: `catalog-sync sandbox` in one terminal, `catalog-sync -c config/sandbox.toml` in another."
    );
}
