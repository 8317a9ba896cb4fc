//! `cargo bench`: requests per run against the lower bound, the wall time of a whole no-op
//! `catalog-sync --once`, merge + plan time, and the idle daemon's memory and wake-ups.
//! Prints one Markdown table (the README carries the figures measured on the project machine).
//!
//! `BENCH_IDLE_SECONDS` (default 60) sets how long the idle daemon is watched, `BENCH_ACCOUNTS`
//! (default 1000) how many accounts one daemon serves in the many-accounts measure.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use catalog_sync::catalog::{
    ConflictPolicy, DesiredCatalog, Fields, Mode, RemoteCatalog, SyncedCatalog,
};
use catalog_sync::config::Settings;
use catalog_sync::reconcile::{MergeInput, merge};
use catalog_sync::sandbox::{Sandbox, SandboxOptions};
use catalog_sync::startup;
use catalog_sync::store::Store;
use catalog_sync::sync::Syncer;

struct Row {
    what: String,
    measured: String,
    target: String,
    met: bool,
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let mut rows = Vec::new();
    rows.extend(requests_per_run().await);
    rows.extend(whole_process().await);
    rows.extend(shared_pace().await);
    rows.extend(merge_time());
    rows.extend(idle_daemon().await);
    rows.extend(many_accounts().await);
    println!("\n| measure | result | target | met |\n| --- | --- | --- | --- |");
    for r in rows {
        println!(
            "| {} | {} | {} | {} |",
            r.what,
            r.measured,
            r.target,
            if r.met { "yes" } else { "**no**" }
        );
    }
}

async fn sandbox() -> Sandbox {
    let options = SandboxOptions {
        rate_limit_per_second: None,
        max_catalogs: 100,
        ..Default::default()
    };
    Sandbox::start(options).await.expect("sandbox")
}

/// The sandbox account, with its database at `database`, wired by `startup` like the binary.
async fn syncer(database: &Path, base_url: &str, batch_size: usize) -> Syncer {
    let settings = Settings::for_account(base_url, "sandbox-token", database.to_owned()).unwrap();
    let mut account = settings.accounts[0].clone();
    account.http.timeout = Duration::from_secs(10);
    account.http.requests_per_second = 7;
    account.http.max_retries = 0;
    account.sync.batch_size = batch_size;
    account.sync.max_deletes = 10;
    startup::syncer(&account, false).await.unwrap()
}

/// HTTP requests of one run after `edits`, against 1 GET + ceil(changes / batch_size) POSTs.
async fn requests_per_run() -> Vec<Row> {
    let scenarios: [(&str, usize, usize, &[&str]); 4] = [
        ("no change", 0, 50, &[]),
        (
            "1 change",
            1,
            50,
            &["UPDATE desired_catalogs SET name = name || ' renamed' WHERE id = 1"],
        ),
        ("10 mixed changes", 10, 50, MIXED),
        ("10 changes, batch_size 3", 10, 3, MIXED),
    ];
    let mut rows = Vec::new();
    for (what, changes, batch, edits) in scenarios {
        let dir = tempfile::tempdir().unwrap();
        let sb = sandbox().await;
        for i in 0..10 {
            sb.account()
                .add_catalog(&format!("Catalog {i}"), "regular")
                .unwrap();
        }
        let s = syncer(&dir.path().join("b.db"), &sb.base_url(), batch).await;
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
        let (gets, posts) = (
            after.catalogs_get - before.catalogs_get,
            after.catalogs_post - before.catalogs_post,
        );
        let bound = 1 + changes.div_ceil(batch);
        rows.push(Row {
            what: format!("requests per run: {what}"),
            measured: format!("{} ({gets} GET + {posts} POST)", gets + posts),
            target: format!("= bound {bound}"),
            met: gets + posts == bound,
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn write_config(dir: &Path, base_url: &str, extra: &str) -> std::path::PathBuf {
    let cfg = dir.join("bench.toml");
    let body = format!(
        "[amocrm]\nbase_url = \"{base_url}\"\n[auth]\ntoken = \"sandbox-token\"\n[database]\npath = \"{}\"\n[log]\nlevel = \"warn\"\n{extra}",
        dir.join("bench.db").display()
    );
    std::fs::write(&cfg, body).unwrap();
    cfg
}

/// p50/p95 of 30 whole `catalog-sync --once` processes doing nothing, next to one bare GET.
async fn whole_process() -> Vec<Row> {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox().await;
    sb.account().seed_example_account();
    let cfg = write_config(dir.path(), &sb.base_url(), "");
    let once = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
            .arg("-c")
            .arg(&cfg)
            .arg("--once")
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
    };
    assert!(once().success(), "first sync");
    let mut runs = Vec::new();
    for _ in 0..30 {
        // Past the previous run's turn: this times the process, not the shared pace's wait.
        std::thread::sleep(PACE_INTERVAL);
        let t = Instant::now();
        // Blocking here is fine: the sandbox is served by the runtime's worker threads.
        let ok = once().success();
        runs.push(t.elapsed());
        assert!(ok);
    }
    runs.sort();
    let mut gets = Vec::new();
    let url = format!("{}/api/v2/catalogs", sb.base_url());
    for _ in 0..30 {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let t = Instant::now();
        let client = reqwest::Client::new();
        let r = client
            .get(&url)
            .bearer_auth("sandbox-token")
            .send()
            .await
            .unwrap();
        r.bytes().await.unwrap();
        gets.push(t.elapsed());
    }
    gets.sort();
    let p50 = percentile(&runs, 0.5);
    vec![Row {
        what: "no-op `catalog-sync --once`, whole process (30 runs)".into(),
        measured: format!(
            "p50 {}, p95 {} (one bare GET: p50 {})",
            ms(p50),
            ms(percentile(&runs, 0.95)),
            ms(percentile(&gets, 0.5))
        ),
        target: "p50 < 25 ms".into(),
        met: p50 < Duration::from_millis(25),
    }]
}

/// `http.requests_per_second` at its default (5), plus the 20 ms jitter margin.
const PACE_INTERVAL: Duration = Duration::from_millis(220);

/// The shared pace (`<database>.pace`): what it costs a lone no-op `--once`, next to the same
/// run with the file unusable (a directory in its place), and thirty back-to-back runs against
/// a sandbox limited to 7 per second, against the bound of 29 intervals.
async fn shared_pace() -> Vec<Row> {
    let sb = sandbox().await;
    sb.account().seed_example_account();
    let (shared, alone) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let shared_cfg = write_config(shared.path(), &sb.base_url(), "");
    let alone_cfg = write_config(alone.path(), &sb.base_url(), "");
    std::fs::create_dir(alone.path().join("bench.db.pace")).unwrap();
    let once = |cfg: &Path| {
        let t = Instant::now();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
            .arg("-c")
            .arg(cfg)
            .arg("--once")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        t.elapsed()
    };
    once(&shared_cfg);
    once(&alone_cfg);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..30 {
        // Each past its own previous turn, so that neither waits for a slot, after the same
        // idle pause, and in alternating order: a run right after another is warmer.
        for shared_first in [i % 2 == 0, i % 2 != 0] {
            std::thread::sleep(PACE_INTERVAL);
            if shared_first {
                with.push(once(&shared_cfg));
            } else {
                without.push(once(&alone_cfg));
            }
        }
    }
    with.sort();
    without.sort();
    let (p50, p50_alone) = (percentile(&with, 0.5), percentile(&without, 0.5));

    sb.account().set_rate_limit(Some(7));
    let before = sb.account().counters();
    std::thread::sleep(PACE_INTERVAL);
    let t = Instant::now();
    for _ in 0..30 {
        once(&shared_cfg);
    }
    let wall = t.elapsed();
    let after = sb.account().counters();
    let (requests, refused) = (
        after.total - before.total,
        after.rate_limited - before.rate_limited,
    );
    let bound = PACE_INTERVAL * (requests as u32).saturating_sub(1);
    vec![
        Row {
            what: "no-op `--once`, whole process, shared pace vs no pace file (30 runs each)"
                .into(),
            measured: format!(
                "p50 {}, p95 {} vs p50 {}, p95 {}",
                ms(p50),
                ms(percentile(&with, 0.95)),
                ms(p50_alone),
                ms(percentile(&without, 0.95))
            ),
            target: "p50 within 10 %".into(),
            met: p50.as_secs_f64() <= p50_alone.as_secs_f64() * 1.1,
        },
        Row {
            what: "30 back-to-back `--once`, account limited to 7/s".into(),
            measured: format!(
                "{:.2} s for {requests} requests (bound {:.2} s), {refused} × 429",
                wall.as_secs_f64(),
                bound.as_secs_f64()
            ),
            target: "0 × 429, within 10 % of the bound".into(),
            met: refused == 0 && wall.as_secs_f64() <= bound.as_secs_f64() * 1.1,
        },
    ]
}

/// The median time of `merge` for `n` catalogs, 1% of them changed on each side.
fn merge_time() -> Vec<Row> {
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
                .map(|i| RemoteCatalog {
                    id: i,
                    fields: fields(if i % 100 == 2 {
                        format!("remote {i}")
                    } else {
                        format!("c{i}")
                    }),
                    created_by: None,
                    created_at: None,
                    updated_at: None,
                    raw_json: String::new(),
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
            let mut times: Vec<Duration> = (0..21)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(merge(std::hint::black_box(&input)));
                    t.elapsed()
                })
                .collect();
            times.sort();
            let median = times[times.len() / 2];
            Row {
                what: format!("merge + plan, {n} catalogs"),
                measured: format!("{:.3} ms", median.as_secs_f64() * 1000.0),
                target: format!("< {target_ms} ms"),
                met: median.as_secs_f64() * 1000.0 < target_ms,
            }
        })
        .collect()
}

/// Resident memory, CPU time and context switches of every thread, from /proc.
fn sample(pid: u32) -> (u64, u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss_kb = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let mut switches = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
    {
        let s = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        switches += s
            .lines()
            .filter(|l| l.contains("ctxt_switches"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum::<u64>();
    }
    (rss_kb, ticks, switches)
}

/// The daemon between runs: a schedule that does not fire during the window.
async fn idle_daemon() -> Vec<Row> {
    let seconds: u64 = std::env::var("BENCH_IDLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox().await;
    sb.account().seed_example_account();
    let cfg = write_config(
        dir.path(),
        &sb.base_url(),
        "[sync]\nschedule = \"0 0 1 1 *\"\n",
    );
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .arg("-c")
        .arg(&cfg)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    // Wait for the start-up run to be recorded, then let the process settle.
    let store = Store::open(&dir.path().join("bench.db")).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while store
        .status(1)
        .await
        .unwrap()
        .runs
        .first()
        .and_then(|r| r.outcome.clone())
        .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "the daemon never finished its first run"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (_, ticks0, switches0) = sample(pid);
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let (rss_kb, ticks1, switches1) = sample(pid);
    child.kill().await.unwrap();
    let cpu_ms = (ticks1 - ticks0) * 10;
    let wakeups = switches1 - switches0;
    vec![
        Row {
            what: format!("idle daemon: resident memory after {seconds} s"),
            measured: format!("{:.1} MB", rss_kb as f64 / 1024.0),
            target: "< 20 MB".into(),
            met: rss_kb < 20 * 1024,
        },
        Row {
            what: format!("idle daemon: CPU time and context switches over {seconds} s"),
            measured: format!("{cpu_ms} ms CPU, {wakeups} context switches"),
            target: "no wake-ups but the schedule".into(),
            met: wakeups <= 2,
        },
    ]
}

/// `VmHWM` (peak) and `VmRSS` (now) of a process, in kB, and its open file descriptors.
fn memory_and_files(pid: u32) -> (u64, u64, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb = |key: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    (kb("VmHWM:"), kb("VmRSS:"), fds)
}

/// One daemon (the release binary) serving `BENCH_ACCOUNTS` accounts, each its own sandbox on
/// loopback (rate limits off): the time until every account has one successful run, memory at
/// the peak and once idle, open descriptors while idle, and CPU per account run.
async fn many_accounts() -> Vec<Row> {
    use tokio::io::AsyncBufReadExt;
    let n: usize = std::env::var("BENCH_ACCOUNTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let mut sandboxes = Vec::with_capacity(n);
    let mut entries = String::new();
    for i in 0..n {
        let sb = sandbox().await;
        sb.account().add_catalog("Goods", "regular").unwrap();
        entries += &format!(
            "[[accounts]]\nname = \"acc-{i}\"\nbase_url = \"{}\"\nauth = {{ token = \"sandbox-token\" }}\n",
            sb.base_url()
        );
        sandboxes.push(sb);
    }
    let cfg = dir.path().join("many.toml");
    let text = format!(
        "[database]\ndir = \"{}\"\n[sync]\nschedule = \"0 0 1 1 *\"\n[log]\nformat = \"json\"\n\n{entries}",
        dir.path().join("dbs").display()
    );
    std::fs::write(&cfg, text).unwrap();
    let started = Instant::now();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .arg("-c")
        .arg(&cfg)
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut ok = 0;
    while ok < n {
        let line = tokio::time::timeout(Duration::from_secs(300), lines.next_line())
            .await
            .expect("the runs go on")
            .unwrap()
            .expect("the daemon is running");
        if line.contains("\"run finished\"") && line.contains("\"outcome\":\"ok\"") {
            ok += 1;
        }
    }
    let all_ran = started.elapsed();
    let (_, ticks, _) = sample(pid);
    // Keep reading (the "next run" lines) so that the daemon never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (peak_kb, idle_kb, fds) = memory_and_files(pid);
    child.kill().await.unwrap();
    let cpu_ms = ticks as f64 * 10.0 / n as f64;
    let mb = |kb: u64| kb as f64 / 1024.0;
    vec![
        Row {
            what: format!("{n} accounts: until every account has one successful run"),
            measured: format!("{:.1} s", all_ran.as_secs_f64()),
            target: "<= 60 s".into(),
            met: all_ran <= Duration::from_secs(60),
        },
        Row {
            what: format!("{n} accounts: daemon peak / idle resident memory"),
            measured: format!("{:.1} MB / {:.1} MB", mb(peak_kb), mb(idle_kb)),
            target: "< 150 MB / < 100 MB".into(),
            met: peak_kb < 150 * 1024 && idle_kb < 100 * 1024,
        },
        Row {
            what: format!("{n} accounts: open file descriptors while idle"),
            measured: fds.to_string(),
            target: "< 64".into(),
            met: fds < 64,
        },
        Row {
            what: format!("{n} accounts: CPU per account run (user + system)"),
            measured: format!("{cpu_ms:.2} ms"),
            target: "(reported)".into(),
            met: true,
        },
    ]
}
