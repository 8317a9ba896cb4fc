//! Database failures in words an operator can act on, naming the file.

use std::path::Path;

/// Adds what to do to SQLite errors a person can fix: a lock held too long, a read-only file,
/// a file that is not a database. Other errors pass through unchanged.
pub fn explain(error: anyhow::Error, path: &Path) -> anyhow::Error {
    let text = format!("{error:#}");
    let path = path.display();
    let advice = if text.contains("database is locked") || text.contains("database is busy") {
        format!(
            "another writer has held the database {path} for more than 10 s (a sqlite3 session \
             with an open transaction?); commit or close it, the next run goes ahead"
        )
    } else if text.contains("readonly database") || text.contains("read-only") {
        format!(
            "the database {path} is read-only for this process: check the permissions of the \
             file, its -wal and -shm files and its directory (the service user must own them)"
        )
    } else if text.contains("not a database") {
        format!("{path} is not a SQLite database: check database.path")
    } else {
        return error;
    };
    error.context(advice)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{Connection, SqliteConnection};

    use super::*;
    use crate::store::Store;

    async fn connect(path: &Path, read_only: bool) -> SqliteConnection {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(read_only)
            .busy_timeout(Duration::ZERO);
        SqliteConnection::connect_with(&options).await.unwrap()
    }

    const WRITE: &str = "INSERT INTO sync_runs (started_at, trigger) VALUES ('now', 'test')";

    #[tokio::test]
    async fn a_write_lock_held_by_someone_else_is_explained_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.db");
        Store::open(&path).await.unwrap().close().await;
        let mut person = connect(&path, false).await;
        let mut daemon = connect(&path, false).await;
        sqlx::raw_sql("BEGIN IMMEDIATE")
            .execute(&mut person)
            .await
            .unwrap();

        let err = sqlx::query(WRITE).execute(&mut daemon).await.unwrap_err();

        let text = format!("{:#}", explain(err.into(), &path));
        assert!(
            text.contains("another writer has held the database"),
            "{text}"
        );
        assert!(text.contains(&path.display().to_string()), "{text}");
    }

    #[tokio::test]
    async fn a_read_only_database_is_explained_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.db");
        Store::open(&path).await.unwrap().close().await;
        let mut read_only = connect(&path, true).await;

        let err = sqlx::query(WRITE)
            .execute(&mut read_only)
            .await
            .unwrap_err();

        let text = format!("{:#}", explain(err.into(), &path));
        assert!(text.contains("is read-only for this process"), "{text}");
        assert!(text.contains(&path.display().to_string()), "{text}");
    }

    #[test]
    fn other_errors_pass_through_unchanged() {
        let text = format!("{:#}", explain(anyhow::anyhow!("boom"), Path::new("x.db")));
        assert_eq!(text, "boom");
    }
}
