//! Elements: one catalog of 10,000 elements with 4 custom fields, synced by the release binary
//! against the sandbox (its 7 per second limit on, the client at the default 5 per second):
//! the first sync's requests, wall time, peak memory and CPU; a run with nothing to do; 1,000
//! local updates; and the pure merge + plan of 100,000 elements.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use catalog_sync::element::{
    DesiredElement, ElementFields, FieldDef, RemoteElement, SyncedElement,
};
use catalog_sync::reconcile::MergeInput;
use catalog_sync::reconcile::elements::merge_elements;
use catalog_sync::record::{ConflictPolicy, Mode};
use catalog_sync::sandbox::{Sandbox, SandboxOptions};
use serde_json::json;

use super::{Row, median, write_config};

const ELEMENTS: usize = 10_000;
const RATE: f64 = 5.0;

/// What one whole `--once` process took.
struct Measured {
    wall: Duration,
    peak_mb: f64,
    cpu_s: f64,
    requests: usize,
    patches: usize,
}

/// Peak resident memory (kB) and CPU ticks of a running process; `None` once it is gone.
fn peek(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((hwm, ticks))
}

async fn once(cfg: &Path, sb: &Sandbox) -> Measured {
    let before = sb.account().counters();
    let started = Instant::now();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .arg("-c")
        .arg(cfg)
        .arg("--once")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let (mut hwm, mut ticks) = (0, 0);
    let status = loop {
        if let Some((h, t)) = peek(pid) {
            (hwm, ticks) = (hwm.max(h), t);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let wall = started.elapsed();
    assert!(status.success(), "the run failed: {status}");
    let after = sb.account().counters();
    Measured {
        wall,
        peak_mb: hwm as f64 / 1024.0,
        cpu_s: ticks as f64 / 100.0,
        requests: after.total - before.total,
        patches: after.elements_patch - before.elements_patch,
    }
}

pub async fn first_and_no_op_sync() -> Vec<Row> {
    let sb = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let catalog = sb.account().add_catalog("Товары", "regular").unwrap();
    sb.account().seed_elements(catalog, ELEMENTS).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &sb.base_url(), "[sync]\nelements = true\n");
    let first = once(&cfg, &sb).await;
    let pages = ELEMENTS.div_ceil(250);
    let bound = 1 + 1 + pages;
    let wall_bound = 1.3 * bound as f64 / RATE;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let no_op = once(&cfg, &sb).await;
    let db = dir.path().join("bench.db");
    update_prices(&db, 1000).await;
    let updates = once(&cfg, &sb).await;
    vec![
        Row {
            what: format!("elements, first sync of {ELEMENTS} with 4 fields: requests"),
            measured: format!(
                "{} (1 catalog GET + 1 field list + {pages} pages)",
                first.requests
            ),
            target: format!("= bound {bound}"),
            met: first.requests == bound,
        },
        Row {
            what: "elements, first sync: wall time against the pace bound".into(),
            measured: format!("{:.2} s", first.wall.as_secs_f64()),
            target: format!("<= 1.3 x {bound} / {RATE} = {wall_bound:.2} s"),
            met: first.wall.as_secs_f64() <= wall_bound,
        },
        Row {
            what: "elements, first sync: peak resident memory and CPU".into(),
            measured: format!("{:.1} MB, {:.2} s CPU", first.peak_mb, first.cpu_s),
            target: "< 80 MB".into(),
            met: first.peak_mb < 80.0,
        },
        Row {
            what: format!("elements, run with nothing to do ({ELEMENTS} elements)"),
            measured: format!("{} requests, {:.2} s CPU", no_op.requests, no_op.cpu_s),
            target: format!("= {} requests, CPU < 0.5 s", 1 + pages),
            met: no_op.requests == 1 + pages && no_op.cpu_s < 0.5,
        },
        Row {
            what: "elements, 1,000 local updates".into(),
            measured: format!(
                "{} PATCHes ({} requests)",
                updates.patches, updates.requests
            ),
            target: "= ceil(1000 / 50) = 20 PATCHes".into(),
            met: updates.patches == 20,
        },
    ]
}

/// A person changes the price of `n` elements with SQL.
async fn update_prices(db: &Path, n: usize) {
    let store = catalog_sync::store::Store::open(db).await.unwrap();
    let field: (i64,) = sqlx::query_as("SELECT field_id FROM catalog_fields WHERE type = 'price'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let sql = format!(
        "UPDATE desired_elements SET fields = json_set(fields, '$.\"{}\"', 1.5 + id) \
         WHERE id IN (SELECT id FROM desired_elements ORDER BY id LIMIT {n})",
        field.0
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
}

fn def(id: i64, name: &str, kind: &str, options: &[&str]) -> FieldDef {
    let options: Vec<(i64, &str)> = (100..).zip(options.iter().copied()).collect();
    FieldDef::new(id, 1, name, kind)
        .with_sort(id)
        .with_options(&options)
}

/// The median time of `merge_elements` for 100,000 elements with 4 fields, 1% changed on each
/// side.
pub fn merge_time() -> Vec<Row> {
    let n = 100_000i64;
    let defs = [
        def(1, "Артикул", "text", &[]),
        def(2, "Цена", "price", &[]),
        def(3, "Единица", "select", &["шт", "кг"]),
        def(4, "В наличии", "checkbox", &[]),
    ];
    let fields = |i: i64, price: f64, unit: &str| ElementFields {
        name: format!("Товар {i}"),
        values: BTreeMap::from([
            (1, json!(format!("SKU-{i}"))),
            (2, json!(price)),
            (3, json!(unit)),
            (4, json!(i % 2 == 0)),
        ]),
    };
    let base: Vec<SyncedElement> = (0..n)
        .map(|i| SyncedElement {
            remote_id: i,
            fields: fields(i, 10.5, "шт"),
        })
        .collect();
    let local: Vec<DesiredElement> = (0..n)
        .map(|i| DesiredElement {
            id: i + 1,
            remote_id: Some(i),
            fields: fields(i, if i % 100 == 1 { 11.5 } else { 10.5 }, "шт"),
            revision: 0,
        })
        .collect();
    let remote: Vec<RemoteElement> = (0..n)
        .map(|i| RemoteElement::new(i, fields(i, 10.5, if i % 100 == 2 { "кг" } else { "шт" })))
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
    let median = median(7, || {
        let plan = std::hint::black_box(merge_elements(std::hint::black_box(&input), &defs));
        assert_eq!(plan.pushes().count(), 1000);
    });
    vec![Row {
        what: format!("elements, merge + plan of {n} with 4 fields"),
        measured: format!("{:.0} ms", median.as_secs_f64() * 1000.0),
        target: "< 500 ms".into(),
        met: median < Duration::from_millis(500),
    }]
}
