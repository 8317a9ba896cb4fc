//! A mis-configured account (its token file gone, a typo in its entry) among good ones: the
//! commands cover the others and report it with the configuration error's exit code; the daemon
//! starts, reports it, and runs it once it is fixed, at its next run or after SIGHUP.

#[path = "broken_entries.rs"]
mod entries;

use std::time::Duration;

use serde_json::json;

use crate::fleet::{Fleet, count_until, is, json, listed, stderr, stdout, token};
use crate::harness::PATIENCE;

const EVERY_SECOND: &str = "schedule = \"* * * * * *\"\nrun_on_start = true";

/// The exit code of a configuration error (SPEC §1: `1` error).
const CONFIG_ERROR: i32 = 1;

/// Three accounts whose middle one, `tea`, has no token file.
async fn tea_without_its_token() -> Fleet {
    let fleet = Fleet::start(&["shop", "tea", "cars"]).await;
    std::fs::remove_file(fleet.dir.path().join("tea.token")).unwrap();
    fleet.write_all("");
    fleet
}

#[tokio::test]
async fn once_syncs_the_others_when_one_token_file_is_missing_and_exits_with_the_config_error() {
    let fleet = tea_without_its_token().await;

    let out = fleet.cli(&["--once"]).await;

    assert_eq!(out.status.code(), Some(CONFIG_ERROR), "{}", stderr(&out));
    for name in ["shop", "cars"] {
        let runs = fleet.runs(name).await;
        assert_eq!(runs.len(), 1, "{name}");
        assert_eq!(runs[0].outcome.as_deref(), Some("ok"), "{name}");
        assert_eq!(fleet.desired(name).await, [format!("{name} goods")]);
    }
    assert!(!fleet.db("tea").exists(), "nothing of tea was opened");
    assert_eq!(fleet.account("tea").count("GET"), 0, "nothing sent for tea");
    let err = stderr(&out);
    assert!(
        err.contains("account tea: mis-configured: accounts[1].auth.token_file: cannot read")
            && err.contains("tea.token"),
        "{err}"
    );
    assert!(
        stdout(&out).contains("== account tea (mis-configured)"),
        "{}",
        stdout(&out)
    );

    let plan = fleet.cli(&["plan", "--json"]).await;
    assert_eq!(plan.status.code(), Some(CONFIG_ERROR), "{}", stderr(&plan));
    let plan = json(&plan);
    assert_eq!(listed(&plan), ["shop", "tea", "cars"]);
    let error = &plan["accounts"][1]["error"];
    assert_eq!(error["kind"], "configuration", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("accounts[1].auth.token_file"), "{message}");
}

#[tokio::test]
async fn status_shows_the_mis_configured_account_unhealthy_with_its_problem() {
    let fleet = tea_without_its_token().await;
    assert_eq!(
        fleet.cli(&["--once"]).await.status.code(),
        Some(CONFIG_ERROR)
    );

    let status = fleet.cli(&["status"]).await;

    assert_eq!(status.status.code(), Some(1), "{}", stderr(&status));
    let text = stdout(&status);
    assert!(text.starts_with("3 accounts, 1 unhealthy"), "{text}");
    let tea = text
        .lines()
        .find(|l| l.trim_start().starts_with("tea "))
        .unwrap();
    assert!(tea.contains("ERROR"), "{text}");
    assert!(
        text.contains("tea: mis-configured: accounts[1].auth.token_file: cannot read"),
        "{text}"
    );
    let objects = json(&fleet.cli(&["status", "--json"]).await);
    let tea = &objects["accounts"][1];
    assert_eq!(tea["account"], json!("tea"));
    assert_eq!(tea["healthy"], json!(false));
    assert!(
        tea["error"]["message"]
            .as_str()
            .unwrap()
            .contains("accounts[1].auth.token_file"),
        "{tea}"
    );
    assert_eq!(objects["accounts"][0]["healthy"], json!(true));
}

/// Receives systemd notifications until one contains `wanted`.
async fn notified(socket: &tokio::net::UnixDatagram, wanted: &str) -> String {
    let mut buf = vec![0u8; 4096];
    let mut seen = vec![];
    loop {
        let n = tokio::time::timeout(PATIENCE, socket.recv(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("no {wanted:?}; got {seen:?}"))
            .unwrap();
        let message = String::from_utf8_lossy(&buf[..n]).into_owned();
        if message.contains(wanted) {
            return message;
        }
        seen.push(message);
    }
}

#[tokio::test]
async fn the_daemon_runs_the_others_reports_the_broken_one_and_runs_it_once_its_file_is_back() {
    let fleet = Fleet::start(&["fine", "late"]).await;
    std::fs::remove_file(fleet.dir.path().join("late.token")).unwrap();
    fleet.write_all(EVERY_SECOND);
    let socket_path = fleet.dir.path().join("notify.sock");
    let socket = tokio::net::UnixDatagram::bind(&socket_path).unwrap();
    let notify = socket_path.display().to_string();
    let mut daemon = crate::harness::spawn(&fleet.config_path(), &[("NOTIFY_SOCKET", &notify)]);

    notified(&socket, "2 accounts: 1 ok, 1 failing (late: ").await;
    let failed = daemon
        .event("run failed; the daemon goes on", is("late"))
        .await;
    let why = failed["error"].as_str().unwrap();
    assert!(
        why.contains("mis-configured: accounts[1].auth.token_file: cannot read"),
        "{why}"
    );
    count_until(&mut daemon, "run finished", |c| {
        c.get("fine").copied().unwrap_or(0) >= 2
    })
    .await;

    // No reload: the file is read again before late's next run.
    fleet.set_token("late", &token("late"));
    daemon.event("run finished", is("late")).await;

    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(10)).await.code(), Some(0));
    let runs = fleet.runs("late").await;
    assert_eq!(runs[0].outcome.as_deref(), Some("ok"), "{runs:?}");
    assert_eq!(fleet.desired("late").await, ["late goods"]);
}

#[tokio::test]
async fn sighup_adds_a_mis_configured_account_without_refusing_the_others_and_its_fix_runs() {
    let fleet = Fleet::start(&["fine", "typo"]).await;
    fleet.write(EVERY_SECOND, &[fleet.entry("fine", "")]);
    let mut daemon = fleet.spawn();
    daemon.event("run finished", is("fine")).await;

    let typo = fleet.entry("typo", "max_deletes = 3");
    fleet.write(EVERY_SECOND, &[fleet.entry("fine", ""), typo]);
    daemon.signal("HUP");
    let reported = daemon
        .event("the account is mis-configured; the others run", is("typo"))
        .await;
    let problem = reported["problem"].as_str().unwrap();
    assert!(
        problem.contains("unknown key accounts[1].max_deletes (did you mean sync = {"),
        "{problem}"
    );
    let reloaded = daemon
        .event(
            "configuration reloaded; it applies from the next run",
            |_| true,
        )
        .await;
    assert_eq!(reloaded["accounts"], 2);
    let failed = daemon
        .event("run failed; the daemon goes on", is("typo"))
        .await;
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("unknown key accounts[1].max_deletes"),
        "{failed}"
    );
    daemon.event("run finished", is("fine")).await;

    let fixed = fleet.entry("typo", "sync = { max_deletes = 3 }");
    fleet.write(EVERY_SECOND, &[fleet.entry("fine", ""), fixed]);
    daemon.signal("HUP");
    daemon.event("run finished", is("typo")).await;

    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(10)).await.code(), Some(0));
    assert_eq!(fleet.desired("typo").await, ["typo goods"]);
}
