//! `cargo bench`: requests per run against the lower bound (catalogs in both API modes,
//! elements), whole-process times, the shared pace, merge + plan time, a first sync of 10,000
//! elements, the idle daemon, and one daemon serving many accounts.
//! Prints one Markdown table (the README carries the figures measured on the project machine).
//!
//! `BENCH_IDLE_SECONDS` (default 60) sets how long the idle daemon is watched, `BENCH_ACCOUNTS`
//! (default 1000) how many accounts one daemon serves in the many-accounts measure.

#[path = "bench/accounts.rs"]
mod accounts;
#[path = "bench/catalogs.rs"]
mod catalogs;
#[path = "bench/elements.rs"]
mod elements;
#[path = "bench/process.rs"]
mod process;

use std::path::Path;
use std::time::Duration;

use catalog_sync::catalog::ApiVersion;
use catalog_sync::config::Settings;
use catalog_sync::sandbox::{Sandbox, SandboxOptions};
use catalog_sync::startup;
use catalog_sync::sync::Syncer;

pub struct Row {
    pub what: String,
    pub measured: String,
    pub target: String,
    pub met: bool,
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let mut rows = Vec::new();
    rows.extend(catalogs::requests_per_run().await);
    rows.extend(process::whole_process().await);
    rows.extend(process::shared_pace().await);
    rows.extend(catalogs::merge_time());
    rows.extend(elements::first_and_no_op_sync().await);
    rows.extend(elements::merge_time());
    rows.extend(process::idle_daemon().await);
    rows.extend(accounts::many_accounts().await);
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

pub async fn sandbox() -> Sandbox {
    let options = SandboxOptions {
        rate_limit_per_second: None,
        max_catalogs: 100,
        ..Default::default()
    };
    Sandbox::start(options).await.expect("sandbox")
}

/// The sandbox account, with its database at `database`, wired by `startup` like the binary.
pub async fn syncer(database: &Path, base_url: &str, batch_size: usize, api: ApiVersion) -> Syncer {
    let settings = Settings::for_account(base_url, "sandbox-token", database.to_owned()).unwrap();
    let mut account = settings.accounts[0].clone();
    account.amocrm.api = api;
    account.http.timeout = Duration::from_secs(10);
    account.http.requests_per_second = 7;
    account.http.max_retries = 0;
    account.sync.batch_size = batch_size;
    account.sync.max_deletes = 10;
    startup::syncer(&account, false).await.unwrap()
}

/// The median wall time of `runs` calls of `f`.
pub fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = std::time::Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn write_config(dir: &Path, base_url: &str, extra: &str) -> std::path::PathBuf {
    let cfg = dir.join("bench.toml");
    let body = format!(
        "[amocrm]\nbase_url = \"{base_url}\"\n[auth]\ntoken = \"sandbox-token\"\n[database]\npath = \"{}\"\n[log]\nlevel = \"warn\"\n{extra}",
        dir.join("bench.db").display()
    );
    std::fs::write(&cfg, body).unwrap();
    cfg
}

/// `http.requests_per_second` at its default (5), plus the 20 ms jitter margin.
pub const PACE_INTERVAL: Duration = Duration::from_millis(220);

/// Resident memory, CPU time and context switches of every thread, from /proc.
pub fn sample(pid: u32) -> (u64, u64, u64) {
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

/// `VmHWM` (peak) and `VmRSS` (now) of a process, in kB, and its open file descriptors.
pub fn memory_and_files(pid: u32) -> (u64, u64, usize) {
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
