//! Whole processes: a no-op `--once`, the shared pace, the idle daemon.

use std::path::Path;
use std::time::{Duration, Instant};

use catalog_sync::store::Store;

use super::{PACE_INTERVAL, Row, ms, percentile, sample, sandbox, write_config};

/// p50/p95 of 30 whole `catalog-sync --once` processes doing nothing, next to one bare GET.
pub async fn whole_process() -> Vec<Row> {
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

/// The shared pace (`<database>.pace`): what it costs a lone no-op `--once`, next to the same
/// run with the file unusable (a directory in its place), and thirty back-to-back runs against
/// a sandbox limited to 7 per second, against the bound of 29 intervals.
pub async fn shared_pace() -> Vec<Row> {
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

/// The daemon between runs: a schedule that does not fire during the window.
pub async fn idle_daemon() -> Vec<Row> {
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
