//! The daemon binary against the sandbox account: start it, read its JSON log lines as they
//! come, send it signals, await its exit.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use catalog_sync::sandbox::{Sandbox, SandboxOptions};
use catalog_sync::store::{RunRow, Store};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// The account's token: unusual enough that finding it in a log line is certainly a leak.
pub const TOKEN: &str = "tok-d43m0n-never-logged-7Qx";

/// Bounds every wait, so that a broken daemon fails the test instead of hanging it.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct Setup {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub async fn start() -> Setup {
        let sandbox = Sandbox::start(SandboxOptions {
            token: TOKEN.into(),
            rate_limit_per_second: None,
            ..SandboxOptions::default()
        })
        .await
        .expect("the sandbox starts");
        Setup {
            sandbox,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("catalog-sync.db")
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    /// Writes the configuration file: the sandbox, the token in a file, JSON logs, and `sync`
    /// keys (`schedule = "..."` and so on, one per line).
    pub fn write_config(&self, sync: &str) {
        let token_file = self.dir.path().join("token");
        std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
        let text = format!(
            "[amocrm]\nbase_url = \"{}\"\n[auth]\ntoken_file = \"{}\"\n[database]\npath = \"{}\"\n\
             [log]\nformat = \"json\"\nlevel = \"debug\"\n[sync]\n{sync}\n",
            self.sandbox.base_url(),
            token_file.display(),
            self.db().display()
        );
        std::fs::write(self.config_path(), text).unwrap();
    }

    /// Starts `catalog-sync run` with this configuration and `env`.
    pub fn spawn(&self, env: &[(&str, &str)]) -> Daemon {
        spawn(&self.config_path(), env)
    }

    /// Every `sync_runs` row, oldest first.
    pub async fn runs(&self) -> Vec<RunRow> {
        runs(&self.db()).await
    }
}

/// Every `sync_runs` row of the database at `path`, oldest first.
pub async fn runs(path: &Path) -> Vec<RunRow> {
    let store = Store::open(path).await.unwrap();
    let mut runs = store.status(1000).await.unwrap().runs;
    store.close().await;
    runs.reverse();
    runs
}

/// Starts `catalog-sync --config config run` with `env`, its stderr read line by line.
pub fn spawn(config: &Path, env: &[(&str, &str)]) -> Daemon {
    spawn_with(config, &[], env)
}

/// The same, with `args` after `run` (global options such as `--account NAME`).
pub fn spawn_with(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Daemon {
    let mut child = Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .arg("--config")
        .arg(config)
        .arg("run")
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .env_remove("WATCHDOG_PID")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let (tx, lines) = mpsc::unbounded_channel();
    let stderr = child.stderr.take().unwrap();
    tokio::spawn(async move {
        let mut reader = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Daemon {
        child,
        lines,
        seen: vec![],
    }
}

pub struct Daemon {
    pub child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    /// Every stderr line read so far.
    pub seen: Vec<String>,
}

impl Daemon {
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().expect("still running").to_string();
        let status = std::process::Command::new("kill")
            .args(["-s", name, &pid])
            .status()
            .unwrap();
        assert!(status.success(), "kill -s {name} {pid}");
    }

    /// Reads log lines until one is an event whose message is `message` and which passes
    /// `also`; every line must be a JSON object. Panics after [`PATIENCE`].
    pub async fn event(&mut self, message: &str, also: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "no {message:?} event in time; seen:\n{}",
                        self.seen.join("\n")
                    )
                })
                .unwrap_or_else(|| {
                    panic!(
                        "stderr closed before {message:?}; seen:\n{}",
                        self.seen.join("\n")
                    )
                });
            self.seen.push(line.clone());
            let event = parse(&line);
            if event["message"] == message && also(&event) {
                return event;
            }
        }
    }

    /// Awaits the exit (at most `within`), then reads the rest of stderr.
    pub async fn exit(&mut self, within: Duration) -> ExitStatus {
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("still running after {within:?}"))
            .unwrap();
        while let Some(line) = self.lines.recv().await {
            self.seen.push(line);
        }
        status
    }

    /// stdout, after the exit: the daemon prints nothing there.
    pub async fn stdout(&mut self) -> String {
        use tokio::io::AsyncReadExt;
        let mut out = String::new();
        if let Some(mut stdout) = self.child.stdout.take() {
            stdout.read_to_string(&mut out).await.unwrap();
        }
        out
    }
}

/// One log line: must be a JSON object.
pub fn parse(line: &str) -> Value {
    let event: Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
    assert!(event.is_object(), "not an object: {line}");
    event
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}
