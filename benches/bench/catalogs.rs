//! Catalogs: requests per run against the lower bound in both API modes, and merge time.

use std::collections::BTreeMap;

use catalog_sync::catalog::{
    ApiVersion, ConflictPolicy, DesiredCatalog, Fields, Mode, RemoteCatalog, SyncedCatalog,
};
use catalog_sync::reconcile::{MergeInput, merge};

use super::{Row, median, sandbox, syncer};

/// A name, the adds, updates and deletes it makes, `batch_size`, the SQL, the API mode.
type Scenario = (
    &'static str,
    [usize; 3],
    usize,
    &'static [&'static str],
    ApiVersion,
);

/// HTTP requests of one run after `edits`, against the bound: API v2 sends 1 GET +
/// ceil(changes / batch_size) POSTs; API v4 1 GET + ceil(n / batch_size) requests per kind of
/// change (adds POST, updates PATCH, deletes through the v2 POST).
pub async fn requests_per_run() -> Vec<Row> {
    let scenarios: [Scenario; 5] = [
        ("no change", [0, 0, 0], 50, &[], ApiVersion::V2),
        (
            "1 change",
            [0, 1, 0],
            50,
            &["UPDATE desired_catalogs SET name = name || ' renamed' WHERE id = 1"],
            ApiVersion::V2,
        ),
        ("10 mixed changes", [3, 4, 3], 50, MIXED, ApiVersion::V2),
        (
            "10 mixed changes, API v4",
            [3, 4, 3],
            50,
            MIXED,
            ApiVersion::V4,
        ),
        (
            "10 changes, batch_size 3",
            [3, 4, 3],
            3,
            MIXED,
            ApiVersion::V2,
        ),
    ];
    let mut rows = Vec::new();
    for (what, [adds, updates, deletes], batch, edits, api) in scenarios {
        let dir = tempfile::tempdir().unwrap();
        let sb = sandbox().await;
        for i in 0..10 {
            sb.account()
                .add_catalog(&format!("Catalog {i}"), "regular")
                .unwrap();
        }
        let s = syncer(&dir.path().join("b.db"), &sb.base_url(), batch, api).await;
        let store = s.store().clone();
        s.run_once("bench").await.unwrap();
        for sql in edits {
            sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
                .execute(store.pool())
                .await
                .unwrap();
        }
        let before = sb.account().counters();
        s.run_once("bench").await.unwrap();
        let after = sb.account().counters();
        let diff = |f: fn(&catalog_sync::sandbox::Counters) -> usize| f(&after) - f(&before);
        let gets = diff(|c| c.catalogs_get + c.v4_catalogs_get);
        let (posts, v4_posts, patches) = (
            diff(|c| c.catalogs_post),
            diff(|c| c.v4_catalogs_post),
            diff(|c| c.v4_catalogs_patch),
        );
        let bound = 1 + match api {
            ApiVersion::V4 => {
                adds.div_ceil(batch) + updates.div_ceil(batch) + deletes.div_ceil(batch)
            }
            _ => (adds + updates + deletes).div_ceil(batch),
        };
        let total = gets + posts + v4_posts + patches;
        let measured = match api {
            ApiVersion::V4 => format!(
                "{total} ({gets} GET + {v4_posts} POST + {patches} PATCH + {posts} v2 POST)"
            ),
            _ => format!("{total} ({gets} GET + {posts} POST)"),
        };
        rows.push(Row {
            what: format!("requests per run: {what}"),
            measured,
            target: format!("= bound {bound}"),
            met: total == bound,
        });
    }
    rows
}

/// 4 updates, 3 adds, 3 deletes.
const MIXED: &[&str] = &[
    "UPDATE desired_catalogs SET name = name || ' renamed' WHERE id <= 4",
    "INSERT INTO desired_catalogs (name) VALUES ('New 1'), ('New 2'), ('New 3')",
    "DELETE FROM desired_catalogs WHERE id IN (8, 9, 10)",
];

/// The median time of `merge` for `n` catalogs, 1% of them changed on each side.
pub fn merge_time() -> Vec<Row> {
    [(10, 1.0), (10_000, 50.0)]
        .into_iter()
        .map(|(n, target_ms)| {
            let fields = |name: String| Fields {
                name,
                kind: Some("regular".into()),
                can_add_elements: Some(true),
                can_show_in_cards: Some(false),
                can_link_multiple: Some(true),
                sort: Some(10),
            };
            let base: Vec<_> = (0..n)
                .map(|i| SyncedCatalog {
                    remote_id: i,
                    fields: fields(format!("c{i}")),
                })
                .collect();
            let local: Vec<_> = (0..n)
                .map(|i| DesiredCatalog {
                    id: i + 1,
                    remote_id: Some(i),
                    fields: fields(if i % 100 == 1 {
                        format!("local {i}")
                    } else {
                        format!("c{i}")
                    }),
                    revision: 0,
                })
                .collect();
            let remote: Vec<_> = (0..n)
                .map(|i| {
                    RemoteCatalog::new(
                        i,
                        fields(if i % 100 == 2 {
                            format!("remote {i}")
                        } else {
                            format!("c{i}")
                        }),
                    )
                })
                .collect();
            let settled = BTreeMap::new();
            let input = MergeInput {
                base: &base,
                local: &local,
                remote: &remote,
                mode: Mode::Both,
                policy: ConflictPolicy::LocalWins,
                settled: &settled,
            };
            let median = median(21, || {
                std::hint::black_box(merge(std::hint::black_box(&input)));
            });
            Row {
                what: format!("merge + plan, {n} catalogs"),
                measured: format!("{:.3} ms", median.as_secs_f64() * 1000.0),
                target: format!("< {target_ms} ms"),
                met: median.as_secs_f64() * 1000.0 < target_ms,
            }
        })
        .collect()
}
