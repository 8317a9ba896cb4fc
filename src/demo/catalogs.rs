//! The catalogs' part of the demo: adoption, SQL edits in one POST, a UI rename, a conflict.

use anyhow::{Context, Result, ensure};

use super::Demo;

impl Demo {
    pub(super) fn remote_id(&self, name: &str) -> Result<i64> {
        self.account
            .catalogs()
            .into_iter()
            .find(|c| c.name == name)
            .map(|c| c.id)
            .context("catalog missing")
    }

    pub(super) async fn first_sync(&self) -> Result<()> {
        println!("\n== 1. The first sync adopts the account's catalogs into desired_catalogs");
        self.show_account();
        let report = self.reconcile().await?;
        ensure!(
            report.counts.catalogs.adopted == 3 && report.counts.http_requests == 1,
            "expected 3 adopted with one GET"
        );
        self.show_desired().await
    }

    pub(super) async fn local_edits(&self) -> Result<()> {
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

    pub(super) async fn remote_edits(&self) -> Result<()> {
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

    pub(super) async fn conflict(&self) -> Result<()> {
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

    pub(super) async fn in_sync(&self) -> Result<()> {
        println!(
            "\n== 7. In sync: the next run sends one GET for the catalogs, one for the products, and nothing else"
        );
        let report = self.reconcile().await?;
        ensure!(
            !report.plan.has_changes()
                && report.elements.iter().all(|e| !e.plan.has_changes())
                && report.counts.http_requests == 2,
            "expected nothing to do"
        );
        self.print_query("sync_runs", "SELECT id, outcome, pulled, added, updated, deleted, adopted, conflicts, elements_pulled, elements_updated, elements_adopted, http_requests FROM sync_runs ORDER BY id").await
    }
}
