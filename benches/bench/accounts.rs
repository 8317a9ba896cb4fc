//! Many accounts in one daemon.

use std::time::{Duration, Instant};

use super::{Row, memory_and_files, sample, sandbox};

/// One daemon (the release binary) serving `BENCH_ACCOUNTS` accounts, each its own sandbox on
/// loopback (rate limits off): the time until every account has one successful run, memory at
/// the peak and once idle, open descriptors while idle, and CPU per account run.
pub async fn many_accounts() -> Vec<Row> {
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
