//! `sync_runs`, and the figures `status` reads.

use anyhow::Result;
use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Store, now};

/// What one run did to one kind of record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Records in the pull(s).
    pub pulled: i64,
    /// Created in the account.
    pub added: i64,
    pub updated: i64,
    pub deleted: i64,
    /// Remote changes applied to the desired rows.
    pub adopted: i64,
    pub conflicts: i64,
    /// Outbox rows the account refused (or that could not be sent).
    pub failed: i64,
    /// Desired rows skipped as invalid.
    pub invalid: i64,
}

/// The counters of one run, as stored in `sync_runs` (catalogs in the original columns,
/// elements in the `elements_*` ones).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunCounts {
    #[serde(flatten)]
    pub catalogs: Counts,
    pub elements: Counts,
    pub http_requests: i64,
}

impl RunCounts {
    /// The counters of `entity` (`catalog` or `element`).
    pub fn of(&mut self, entity: &str) -> &mut Counts {
        if entity == "element" {
            &mut self.elements
        } else {
            &mut self.catalogs
        }
    }

    /// One more `op` (add, update, delete) confirmed.
    pub fn count_done(&mut self, entity: &str, op: &str) {
        let c = self.of(entity);
        match op {
            "add" => c.added += 1,
            "update" => c.updated += 1,
            _ => c.deleted += 1,
        }
    }
}

fn counts(row: &SqliteRow, prefix: &str) -> sqlx::Result<Counts> {
    let get = |name: &str| row.try_get::<i64, _>(format!("{prefix}{name}").as_str());
    Ok(Counts {
        pulled: get("pulled")?,
        added: get("added")?,
        updated: get("updated")?,
        deleted: get("deleted")?,
        adopted: get("adopted")?,
        conflicts: get("conflicts")?,
        failed: get("failed")?,
        invalid: get("invalid")?,
    })
}

/// A row of `sync_runs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub trigger: String,
    pub outcome: Option<String>,
    #[serde(flatten)]
    pub counts: RunCounts,
    pub error: Option<String>,
}

/// What `catalog-sync status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub runs: Vec<RunRow>,
    /// Outbox rows per state.
    pub outbox: Vec<(String, i64)>,
    pub open_conflicts: i64,
    pub last_success: Option<String>,
    /// A 403 block still in force: nothing is sent until it ends.
    pub blocked: Option<super::Block>,
    /// Each catalog whose elements were pulled at least once.
    pub elements: Vec<ElementStatus>,
    /// The switch to API v4 that `amocrm.api = "auto"` made, if it did.
    pub api_switch: Option<super::ApiSwitch>,
}

/// What `status` shows for the elements of one catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElementStatus {
    pub catalog_remote_id: i64,
    /// The desired catalog's name (`None` once it is gone locally).
    pub catalog: Option<String>,
    /// Elements in the account at the last complete pull, and when that was.
    pub in_account: i64,
    pub pulled_at: Option<String>,
    /// Desired rows, and those still to be created.
    pub desired: i64,
    pub to_create: i64,
    /// Outbox rows not yet settled (pending, sending, in doubt).
    pub backlog: i64,
    pub open_conflicts: i64,
}

fn run_row(row: &SqliteRow) -> sqlx::Result<RunRow> {
    Ok(RunRow {
        id: row.try_get("id")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        trigger: row.try_get("trigger")?,
        outcome: row.try_get("outcome")?,
        counts: RunCounts {
            catalogs: counts(row, "")?,
            elements: counts(row, "elements_")?,
            http_requests: row.try_get("http_requests")?,
        },
        error: row.try_get("error")?,
    })
}

fn element_status(r: &SqliteRow) -> sqlx::Result<ElementStatus> {
    Ok(ElementStatus {
        catalog_remote_id: r.try_get("catalog_remote_id")?,
        catalog: r.try_get("catalog")?,
        in_account: r.try_get("in_account")?,
        pulled_at: r.try_get("pulled_at")?,
        desired: r.try_get("desired")?,
        to_create: r.try_get("to_create")?,
        backlog: r.try_get("backlog")?,
        open_conflicts: r.try_get("open_conflicts")?,
    })
}

impl Store {
    pub async fn start_run(&self, trigger: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO sync_runs (started_at, trigger) VALUES (?, ?) RETURNING id",
        )
        .bind(now())
        .bind(trigger)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Closes runs that never finished (the process died): only called with the run lock held,
    /// so no other run can be in progress. Returns how many.
    pub async fn close_abandoned_runs(&self) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE sync_runs SET finished_at = ?, outcome = 'failed', error = \
             'the run stopped before it finished (killed or crashed); the next run settles its outbox' \
             WHERE finished_at IS NULL",
        )
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn finish_run(
        &self,
        id: i64,
        outcome: &str,
        c: &RunCounts,
        error: Option<&str>,
    ) -> Result<()> {
        let mut q = sqlx::query(
            "UPDATE sync_runs SET finished_at = ?, outcome = ?, pulled = ?, added = ?, updated = ?, \
             deleted = ?, adopted = ?, conflicts = ?, failed = ?, invalid = ?, \
             elements_pulled = ?, elements_added = ?, elements_updated = ?, elements_deleted = ?, \
             elements_adopted = ?, elements_conflicts = ?, elements_failed = ?, \
             elements_invalid = ?, http_requests = ?, error = ? WHERE id = ?",
        )
        .bind(now())
        .bind(outcome);
        for k in [&c.catalogs, &c.elements] {
            q = q
                .bind(k.pulled)
                .bind(k.added)
                .bind(k.updated)
                .bind(k.deleted)
                .bind(k.adopted)
                .bind(k.conflicts)
                .bind(k.failed)
                .bind(k.invalid);
        }
        q.bind(c.http_requests)
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn run(&self, id: i64) -> Result<RunRow> {
        let row = sqlx::query("SELECT * FROM sync_runs WHERE id = ?")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(run_row(&row)?)
    }

    pub async fn status(&self, last: i64) -> Result<Status> {
        let rows = sqlx::query("SELECT * FROM sync_runs ORDER BY id DESC LIMIT ?")
            .bind(last)
            .fetch_all(&self.pool)
            .await?;
        let runs = rows.iter().map(run_row).collect::<sqlx::Result<_>>()?;
        let outbox =
            sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
                .fetch_all(&self.pool)
                .await?;
        let (open_conflicts,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM conflicts WHERE resolved_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        let last_success: Option<(String,)> = sqlx::query_as(
            "SELECT finished_at FROM sync_runs WHERE outcome = 'ok' ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let elements = sqlx::query(
            "SELECT p.catalog_remote_id, c.name AS catalog, p.elements AS in_account, \
             p.elements_pulled_at AS pulled_at, \
             (SELECT COUNT(*) FROM desired_elements d WHERE d.desired_catalog_id = c.id) AS desired, \
             (SELECT COUNT(*) FROM desired_elements d WHERE d.desired_catalog_id = c.id \
                AND d.remote_id IS NULL) AS to_create, \
             (SELECT COUNT(*) FROM outbox o WHERE o.entity = 'element' \
                AND o.catalog_remote_id = p.catalog_remote_id \
                AND o.state IN ('pending', 'sending', 'in_doubt')) AS backlog, \
             (SELECT COUNT(*) FROM conflicts k WHERE k.entity = 'element' \
                AND k.catalog_remote_id = p.catalog_remote_id AND k.resolved_at IS NULL) \
                AS open_conflicts \
             FROM element_pulls p LEFT JOIN desired_catalogs c ON c.remote_id = p.catalog_remote_id \
             WHERE p.elements_pulled_at IS NOT NULL ORDER BY p.catalog_remote_id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(element_status)
        .collect::<sqlx::Result<_>>()?;
        Ok(Status {
            api_switch: self.api_switch().await?,
            elements,
            runs,
            outbox,
            open_conflicts,
            last_success: last_success.map(|r| r.0),
            blocked: self.active_block(chrono::Utc::now()).await?,
        })
    }
}
