//! The daemon serving several accounts: side by side, a slow or broken one delaying nobody,
//! SIGHUP adding and removing accounts, SIGTERM stopping every run, no file of an idle account.

use std::time::Duration;

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn};

use crate::fleet::{Fleet, count_until, is, reload};

const EVERY_SECOND: &str = "schedule = \"* * * * * *\"\nrun_on_start = true";
const AT_START_ONLY: &str = "schedule = \"0 0 1 1 *\"\nrun_on_start = true";

#[tokio::test]
async fn a_slow_account_does_not_delay_the_others_runs() {
    let fleet = Fleet::start(&["slow", "a", "b"]).await;
    let delay = FaultAction::Delay { ms: 6000 };
    fleet
        .account("slow")
        .push_fault(Fault::once(FaultOn::Get, delay));
    fleet.write_all(EVERY_SECOND);
    let mut daemon = fleet.spawn();

    let counts = count_until(&mut daemon, "run finished", |c| {
        c.get("a").copied().unwrap_or(0) >= 3 && c.get("b").copied().unwrap_or(0) >= 3
    })
    .await;

    assert_eq!(
        counts.get("slow"),
        None,
        "the slow run is still waiting: {counts:?}"
    );
    daemon.event("run finished", is("slow")).await;
    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(10)).await.code(), Some(0));
    let runs = fleet.runs("a").await;
    assert!(
        runs.iter().all(|r| r.outcome.as_deref() == Some("ok")),
        "{runs:?}"
    );
}

#[tokio::test]
async fn a_broken_account_is_reported_and_retried_while_the_others_run() {
    let fleet = Fleet::start(&["fine"]).await;
    fleet.set_token("broken", "any");
    std::fs::write(fleet.dir.path().join("a-file"), "").unwrap();
    let broken = format!("database = \"{}/a-file/x.db\"", fleet.dir.path().display());
    fleet.write(
        EVERY_SECOND,
        &[
            fleet.entry_at("broken", "http://127.0.0.1:9", &broken),
            fleet.entry("fine", ""),
        ],
    );
    let mut daemon = fleet.spawn();

    for _ in 0..2 {
        let failed = daemon
            .event("run failed; the daemon goes on", is("broken"))
            .await;
        let why = failed["error"].as_str().unwrap();
        assert!(
            why.contains("database.path") && why.contains("a-file"),
            "{why}"
        );
    }
    daemon.event("run finished", is("fine")).await;

    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(10)).await.code(), Some(0));
    assert!(!fleet.runs("fine").await.is_empty());
}

#[tokio::test]
async fn sighup_adds_and_removes_accounts_without_a_restart() {
    let fleet = Fleet::start(&["old", "kept", "new"]).await;
    let entries =
        |names: &[&str]| -> Vec<String> { names.iter().map(|n| fleet.entry(n, "")).collect() };
    fleet.write(EVERY_SECOND, &entries(&["old", "kept"]));
    let mut daemon = fleet.spawn();
    count_until(&mut daemon, "run finished", |c| c.len() >= 2).await;

    fleet.write(EVERY_SECOND, &entries(&["kept", "new"]));
    let reloaded = reload(&mut daemon).await;
    assert_eq!(reloaded["accounts"], 2);
    let old_runs = fleet.runs("old").await.len();
    let after_reload = count_until(&mut daemon, "run finished", |c| {
        c.get("new").copied().unwrap_or(0) >= 2 && c.get("kept").copied().unwrap_or(0) >= 2
    })
    .await;

    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(10)).await.code(), Some(0));
    let after = fleet.runs("old").await.len();
    assert!(
        after <= old_runs + 1,
        "old ran on after its removal: {old_runs} -> {after}"
    );
    assert_eq!(fleet.runs("new").await[0].trigger, "start");
    assert!(
        after_reload.get("old").copied().unwrap_or(0) <= 1,
        "{after_reload:?}"
    );
}

#[tokio::test]
async fn sigterm_lets_every_running_account_finish_its_exchange_and_send_nothing_more() {
    let fleet = Fleet::start(&["quick", "slow1", "slow2"]).await;
    fleet.write_all(AT_START_ONLY);
    for name in ["slow1", "slow2"] {
        fleet
            .sql(
                name,
                "INSERT INTO desired_catalogs (name) VALUES ('Pending')",
            )
            .await;
        let delay = FaultAction::Delay { ms: 2000 };
        fleet
            .account(name)
            .push_fault(Fault::once(FaultOn::Get, delay));
    }
    let mut daemon = fleet.spawn();
    // Logged once quick's run has ended and it waits again.
    daemon.event("next run", is("quick")).await;

    daemon.signal("TERM");
    let stopping = daemon
        .event(
            "stopping: finishing the exchange in flight (a second signal exits at once)",
            |_| true,
        )
        .await;
    assert_eq!(stopping["runs"], 2);
    assert_eq!(daemon.exit(Duration::from_secs(15)).await.code(), Some(0));

    for name in ["slow1", "slow2"] {
        let runs = fleet.runs(name).await;
        let error = runs[0].error.as_deref().unwrap_or_default();
        assert!(error.contains("stopped by a signal"), "{name}: {runs:?}");
        assert_eq!(
            fleet.account(name).count("POST"),
            0,
            "{name} sent nothing more"
        );
    }
}

#[tokio::test]
async fn systemd_hears_a_sum_up_of_every_account() {
    let fleet = Fleet::start(&["fine", "wrong"]).await;
    fleet.set_token("wrong", "not-the-token");
    fleet.write_all(AT_START_ONLY);
    let socket_path = fleet.dir.path().join("notify.sock");
    let socket = tokio::net::UnixDatagram::bind(&socket_path).unwrap();
    let notify = socket_path.display().to_string();
    let mut daemon = crate::harness::spawn(&fleet.config_path(), &[("NOTIFY_SOCKET", &notify)]);

    let wanted = "STATUS=2 accounts: 1 ok, 1 failing (wrong: 401); next run ";
    let mut buf = vec![0u8; 4096];
    let mut seen = vec![];
    while !seen.iter().any(|m: &String| m.contains(wanted)) {
        let n = tokio::time::timeout(crate::harness::PATIENCE, socket.recv(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("no {wanted:?}; got {seen:?}"))
            .unwrap();
        seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }

    assert!(
        seen[0].contains("READY=1") && seen[0].contains("2 accounts"),
        "{seen:?}"
    );
    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(10)).await.code(), Some(0));
}

/// The targets of the process's open file descriptors.
fn open_files(pid: u32) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .map(|target| target.display().to_string())
        .collect()
}

#[tokio::test]
async fn no_file_of_an_idle_accounts_database_is_open_while_the_daemon_waits() {
    let fleet = Fleet::start(&["a", "b", "c"]).await;
    fleet.write_all(AT_START_ONLY);
    let mut daemon = fleet.spawn();
    count_until(&mut daemon, "next run", |c| c.len() >= 3).await;

    let pid = daemon.child.id().unwrap();
    let files = open_files(pid);
    let dbs = fleet.dir.path().join("dbs").display().to_string();

    assert!(
        files.iter().all(|f| !f.contains(&dbs)),
        "open while idle: {files:?}"
    );
    assert!(files.len() < 64, "{} descriptors: {files:?}", files.len());
    assert!(
        fleet.db("a").exists() && fleet.db("c").exists(),
        "the runs happened"
    );
    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(10)).await.code(), Some(0));
}
