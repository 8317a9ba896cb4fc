//! `--once`, `plan`, `status` and `auth` over several accounts, `--account` and `--shard`.

use catalog_sync::config::{AccountName, Shard, stable_hash};
use catalog_sync::sandbox::{Fault, FaultAction, FaultOn, Sandbox, SandboxOptions};
use serde_json::json;

use crate::fleet::{Fleet, json, listed, stderr, stdout};

#[tokio::test]
async fn one_once_syncs_three_accounts_into_three_databases() {
    let fleet = Fleet::start(&["shop", "tea", "cars"]).await;
    fleet.write_all("");

    let out = fleet.cli(&["--once"]).await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for name in ["shop", "tea", "cars"] {
        assert_eq!(
            fleet.desired(name).await,
            [format!("{name} goods")],
            "{name}"
        );
        assert_eq!(fleet.runs(name).await.len(), 1);
        assert_eq!(fleet.account(name).count("GET"), 1, "{name}: one GET");
    }
    let text = stdout(&out);
    let headers: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("== account"))
        .collect();
    assert_eq!(headers.len(), 3, "{text}");
    assert!(
        headers[0].starts_with("== account shop (http://127.0.0.1:"),
        "{text}"
    );
    assert!(headers[2].starts_with("== account cars"), "{text}");
}

#[tokio::test]
async fn account_limits_every_command_and_an_unknown_name_is_an_error() {
    let fleet = Fleet::start(&["shop", "tea", "cars"]).await;
    fleet.write_all("");

    let once = fleet.cli(&["--once", "--account", "tea"]).await;
    assert_eq!(once.status.code(), Some(0), "{}", stderr(&once));
    assert!(
        !stdout(&once).contains("== account"),
        "one account: no header"
    );
    assert!(fleet.db("tea").exists());
    assert!(!fleet.db("shop").exists() && !fleet.db("cars").exists());

    let plan = json(
        &fleet
            .cli(&["plan", "--json", "--account", "cars", "--account", "tea"])
            .await,
    );
    assert_eq!(plan["format_version"], json!(1));
    assert_eq!(
        listed(&plan),
        ["tea", "cars"],
        "in the configuration's order"
    );
    assert_eq!(fleet.account("shop").count("GET"), 0);

    let status = json(&fleet.cli(&["status", "--json", "--account", "tea"]).await);
    assert_eq!(listed(&status), ["tea"]);
    assert_eq!(status["accounts"][0]["healthy"], json!(true));

    let auth = fleet.cli(&["auth", "status", "--account", "shop"]).await;
    assert_eq!(auth.status.code(), Some(0), "{}", stderr(&auth));
    assert!(stdout(&auth).contains("Method:        token"));
    let no_account = fleet.cli(&["auth", "status"]).await;
    assert_eq!(no_account.status.code(), Some(1));
    assert!(
        stderr(&no_account).contains("pass --account NAME"),
        "{}",
        stderr(&no_account)
    );

    let unknown = fleet.cli(&["status", "--account", "shoe"]).await;
    assert_eq!(unknown.status.code(), Some(1));
    let err = stderr(&unknown);
    assert!(
        err.contains("unknown account \"shoe\" (--account)"),
        "{err}"
    );
    assert!(err.contains("shop, tea, cars"), "{err}");
}

#[tokio::test]
async fn failing_accounts_leave_the_others_runs_ok_and_the_worst_code_wins() {
    let fleet = Fleet::start(&["ok", "wrong", "blocked"]).await;
    fleet.set_token("wrong", "not-the-token");
    fleet.set_token("stopped", "any");
    fleet.set_token("broken", "any");
    let forbidden = FaultAction::Status {
        code: 403,
        body: "<html>blocked</html>".into(),
        content_type: None,
    };
    fleet.account("blocked").push_fault(Fault {
        on: FaultOn::Any,
        action: forbidden,
        times: 0,
    });
    let gone = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let closed_port = gone.base_url();
    gone.shutdown().await;
    std::fs::write(fleet.dir.path().join("a-file"), "not a directory").unwrap();
    let broken_db = format!("database = \"{}/a-file/x.db\"", fleet.dir.path().display());
    fleet.write(
        "",
        &[
            fleet.entry("wrong", ""),
            fleet.entry("ok", ""),
            fleet.entry("blocked", ""),
            // No retries: a refused connection is retried with growing pauses otherwise.
            fleet.entry_at("stopped", &closed_port, "http = { max_retries = 0 }"),
            fleet.entry_at("broken", "http://127.0.0.1:9", &broken_db),
        ],
    );

    let out = fleet.cli(&["--once"]).await;

    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let ok = fleet.runs("ok").await;
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].outcome.as_deref(), Some("ok"));
    for (name, why) in [
        ("wrong", "401"),
        ("blocked", "403"),
        ("stopped", "could not reach"),
    ] {
        let runs = fleet.runs(name).await;
        assert_eq!(runs[0].outcome.as_deref(), Some("failed"), "{name}");
        let error = runs[0].error.as_deref().unwrap_or_default();
        assert!(error.contains(why), "{name}: {error}");
    }
    let err = stderr(&out);
    assert!(
        err.contains("account broken:") && err.contains("a-file"),
        "{err}"
    );

    let status = fleet.cli(&["status"]).await;
    assert_eq!(
        status.status.code(),
        Some(1),
        "one unhealthy account is enough"
    );
    let text = stdout(&status);
    assert!(text.starts_with("5 accounts, 4 unhealthy"), "{text}");
    let ok_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("ok "))
        .unwrap();
    assert!(
        ok_line.contains("1 ok") && ok_line.contains(" ok "),
        "{text}"
    );
    assert!(text.contains("broken: database.path ="), "{text}");
}

#[tokio::test]
async fn plan_exits_with_the_worst_code_of_its_accounts() {
    let fleet = Fleet::start(&["calm", "busy"]).await;
    fleet.write_all("");
    assert_eq!(fleet.cli(&["--once"]).await.status.code(), Some(0));
    fleet
        .sql("busy", "UPDATE desired_catalogs SET name = 'Renamed'")
        .await;

    let out = fleet.cli(&["plan", "--detailed-exitcode"]).await;

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("== account calm") && text.contains("== account busy"),
        "{text}"
    );
    assert!(
        text.contains("In sync") && text.contains("Renamed"),
        "{text}"
    );
    assert_eq!(fleet.account("busy").count("POST"), 0, "plan sends nothing");
}

#[test]
fn the_shard_hash_is_pinned_so_that_no_account_ever_moves_by_itself() {
    assert_eq!(stable_hash("default"), 0xebad_a516_8620_c5fe);
    assert_eq!(stable_hash("shop"), 0x46dc_5e18_e28e_2409);
    assert_eq!(stable_hash("tea"), 0x56e4_c919_4453_6249);
    let shard_of = |name: &str, n| Shard::of(&AccountName::parse(name).unwrap(), n).to_string();
    assert_eq!(shard_of("shop", 2), "2/2");
    assert_eq!(shard_of("shop", 3), "3/3");
    assert_eq!(shard_of("acc-1", 2), "1/2");
    assert_eq!(shard_of("acc-2", 2), "2/2");
}

#[tokio::test]
async fn shards_1_of_2_and_2_of_2_are_disjoint_and_complete() {
    let names = ["acc-1", "acc-2", "acc-3", "acc-4"];
    let fleet = Fleet::start(&names).await;
    fleet.write_all("");

    let first = fleet.cli(&["--once", "--shard", "1/2"]).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let in_first: Vec<&str> = names.into_iter().filter(|n| fleet.db(n).exists()).collect();
    let second = fleet.cli(&["--shard", "2/2", "run", "--once"]).await;
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));

    assert_eq!(in_first, ["acc-1", "acc-3"]);
    for name in names {
        assert_eq!(fleet.runs(name).await.len(), 1, "{name} ran exactly once");
    }
    let elsewhere = fleet
        .cli(&["status", "--shard", "1/2", "--account", "acc-2"])
        .await;
    assert_eq!(elsewhere.status.code(), Some(1));
    assert!(
        stderr(&elsewhere)
            .contains("account acc-2 belongs to shard 2/2, not to this replica's shard 1/2"),
        "{}",
        stderr(&elsewhere)
    );
}
