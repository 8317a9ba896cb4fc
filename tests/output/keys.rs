//! The key sets of `plan --json` and `status --json` (format_version 1), pinned: a renamed,
//! added or dropped key fails here, and must be changed in the README too.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use catalog_sync::auth::AuthStatus;
use catalog_sync::catalog::{ApiVersion, Field, Fields};
use catalog_sync::cli::health::Health;
use catalog_sync::cli::json;
use catalog_sync::cli::status::{AccountStatus, object};
use catalog_sync::config::{AccountSettings, Settings};
use catalog_sync::element::ElementFields;
use catalog_sync::reconcile::{
    Adopt, BaseAfter, Conflict, Decision, InvalidRow, Notice, Plan, Push, Side,
};
use catalog_sync::record::Record;
use catalog_sync::store::{ApiSwitch, Block, Counts, ElementStatus, RunCounts, RunRow, Status};
use catalog_sync::sync::{ElementReport, Plans};

/// Every path of `v`: `a.b` for keys, `a[]` for array items. Values under `opaque` paths (maps
/// keyed by data, such as field ids or outbox states) are not looked into.
fn paths(v: &Value, at: &str, opaque: &[&str], out: &mut BTreeSet<String>) {
    if !at.is_empty() {
        out.insert(at.to_owned());
    }
    if opaque.contains(&at) {
        return;
    }
    match v {
        Value::Object(map) => {
            for (key, value) in map {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                paths(value, &path, opaque, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{at}[]"), opaque, out);
            }
        }
        _ => {}
    }
}

/// The paths under `accounts[]`, without that prefix.
pub(crate) fn account_keys(document: &Value, opaque: &[&str]) -> BTreeSet<String> {
    let opaque: Vec<String> = opaque.iter().map(|o| format!("accounts[].{o}")).collect();
    let opaque: Vec<&str> = opaque.iter().map(String::as_str).collect();
    let mut all = BTreeSet::new();
    paths(document, "", &opaque, &mut all);
    assert!(
        all.contains("format_version") && all.contains("accounts[]"),
        "{all:?}"
    );
    all.iter()
        .filter_map(|p| p.strip_prefix("accounts[].").map(str::to_owned))
        .collect()
}

pub(crate) fn expected(lists: &[(&str, &[&str])]) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for (parent, keys) in lists {
        if !parent.is_empty() {
            all.insert((*parent).to_owned());
        }
        for key in *keys {
            let path = if parent.is_empty() {
                (*key).to_owned()
            } else {
                format!("{parent}.{key}")
            };
            all.insert(path);
        }
    }
    all
}

pub(crate) fn account() -> AccountSettings {
    let settings = Settings::for_account("http://127.0.0.1:1", "t", "x.db".into()).unwrap();
    settings.accounts[0].clone()
}

fn decision<R: Record>(name: &str) -> Decision<R> {
    Decision {
        remote_id: Some(7),
        desired_id: Some(1),
        name: name.into(),
        push: None,
        adopt: None,
        base_after: BaseAfter::Keep,
        settled_by: None,
        before: None,
    }
}

/// A plan with something in every list, for catalogs and for one element catalog.
fn full_plans() -> Plans {
    let mut rename = decision::<Fields>("Wares");
    rename.push = Some(Push::Update {
        id: 7,
        fields: Fields::named("Wares"),
    });
    rename.before = Some(Fields::named("Goods"));
    let conflict = Conflict {
        remote_id: 7,
        desired_id: Some(1),
        name: "Goods".into(),
        field: Some(Field::Name),
        base: Some(json!("Goods")),
        local: Some(json!("Wares")),
        remote: Some(json!("Stock")),
        resolution: Some(Side::Local),
        desired_revision: Some(3),
    };
    let catalogs = Plan {
        decisions: vec![rename],
        conflicts: vec![conflict],
        invalid: vec![InvalidRow {
            entity: "catalog",
            desired_id: 2,
            remote_id: None,
            name: "Odd".into(),
            field: Some("type".into()),
            problem: "unknown type \"odd\"".into(),
        }],
        notices: vec![Notice {
            remote_id: Some(8),
            desired_id: None,
            message: "sort is read-only".into(),
        }],
    };
    let mut added = decision::<ElementFields>("Kettle");
    let mut fields = ElementFields::named("Kettle".into());
    fields.values.insert(270002, json!(1290.5));
    added.adopt = Some(Adopt::Insert {
        remote_id: 55,
        fields,
    });
    let element = ElementReport {
        catalog_remote_id: Some(7001),
        desired_catalog_id: 1,
        catalog: "Goods".into(),
        field_names: [(270002, "Price".to_owned())].into(),
        plan: Plan {
            decisions: vec![added],
            ..Plan::default()
        },
        pulled: 3,
        pages: 1,
        error: None,
    };
    Plans {
        catalogs,
        elements: vec![element],
    }
}

#[test]
fn the_plan_json_keys_are_exactly_the_documented_ones() {
    let document = json::accounts(vec![json::plan(&full_plans(), &account(), ApiVersion::V2)]);

    let keys = account_keys(
        &document,
        &[
            "changes[].before",
            "changes[].after",
            "element_catalogs[].fields",
            "conflicts[].base",
            "conflicts[].local",
            "conflicts[].remote",
        ],
    );

    let change = [
        "entity",
        "action",
        "account",
        "catalog_remote_id",
        "remote_id",
        "desired_id",
        "name",
        "before",
        "after",
    ];
    let conflict = [
        "entity",
        "account",
        "catalog_remote_id",
        "remote_id",
        "desired_id",
        "name",
        "field",
        "base",
        "local",
        "remote",
        "resolution",
    ];
    let invalid = [
        "entity",
        "account",
        "catalog_remote_id",
        "desired_id",
        "remote_id",
        "name",
        "field",
        "problem",
    ];
    let notice = [
        "entity",
        "account",
        "catalog_remote_id",
        "remote_id",
        "desired_id",
        "message",
    ];
    let catalog = [
        "catalog_remote_id",
        "desired_catalog_id",
        "name",
        "pulled",
        "pages",
        "error",
        "fields",
    ];
    let top = [
        "account",
        "mode",
        "conflict_policy",
        "api",
        "has_changes",
        "requests",
        "element_requests",
        "changes",
        "conflicts",
        "invalid",
        "notices",
        "element_catalogs",
    ];
    let want = expected(&[
        ("", &top),
        ("requests", &["get", "post"]),
        ("changes[]", &change),
        ("conflicts[]", &conflict),
        ("invalid[]", &invalid),
        ("notices[]", &notice),
        ("element_catalogs[]", &catalog),
    ]);
    assert_eq!(keys, want);
    let plan = &document["accounts"][0];
    assert_eq!(plan["changes"][1]["action"], "adopt_add");
    assert_eq!(
        plan["changes"][1]["after"],
        json!({"name": "Kettle", "270002": 1290.5})
    );
    assert_eq!(
        plan["element_catalogs"][0]["fields"],
        json!({"270002": "Price"})
    );
}

/// A status with every optional part filled: a block, an element catalog, one run, every
/// credential detail.
fn full_status() -> AccountStatus {
    let counts = Counts {
        pulled: 3,
        ..Counts::default()
    };
    let status = Status {
        runs: vec![RunRow {
            id: 1,
            started_at: "2030-01-01T10:00:00.000Z".into(),
            finished_at: Some("2030-01-01T10:00:01.000Z".into()),
            trigger: "schedule".into(),
            outcome: Some("ok".into()),
            counts: RunCounts {
                catalogs: counts,
                elements: counts,
                http_requests: 2,
            },
            error: None,
        }],
        outbox: vec![("done".into(), 2)],
        open_conflicts: 0,
        last_success: Some("2030-01-01T10:00:01.000Z".into()),
        blocked: Some(Block {
            blocked_at: "2030-01-01T10:00:00.000Z".into(),
            until: "2030-01-01T10:15:00.000Z".into(),
            detail: "403 Forbidden".into(),
        }),
        elements: vec![ElementStatus {
            catalog_remote_id: 7001,
            catalog: Some("Goods".into()),
            in_account: 3,
            pulled_at: Some("2030-01-01T10:00:01.000Z".into()),
            desired: 3,
            to_create: 0,
            backlog: 0,
            open_conflicts: 0,
        }],
        api_switch: Some(ApiSwitch {
            api: "v4".into(),
            switched_at: "2030-01-01T09:00:00.000Z".into(),
            run_id: Some(1),
            reason: "amoCRM rejected the request with 404 Not Found".into(),
        }),
    };
    let text = || Some("2030-01-01T10:00:00Z".to_owned());
    let auth = AuthStatus {
        method: "oauth",
        ready: true,
        summary: "tokens valid".into(),
        access_token_expires_at: text(),
        access_token_expires_in_seconds: Some(60),
        obtained_at: text(),
        last_refresh_at: text(),
        refreshes: Some(1),
        login: Some("me@example.com".into()),
        session_started_at: text(),
        session_age_seconds: Some(5),
    };
    let health = Health {
        healthy: false,
        last_success_age_seconds: Some(1),
        schedule_interval_seconds: Some(300),
        problems: vec!["blocked".into()],
    };
    AccountStatus {
        status,
        health,
        auth,
    }
}

#[test]
fn the_status_json_keys_are_exactly_the_documented_ones() {
    let one = object(&account(), &full_status()).unwrap();
    let document = json::accounts(vec![one]);

    let keys = account_keys(&document, &["outbox"]);

    let top = [
        "account",
        "database",
        "healthy",
        "health",
        "last_success",
        "blocked",
        "api",
        "auth",
        "open_conflicts",
        "outbox",
        "elements",
        "runs",
    ];
    let health = [
        "healthy",
        "last_success_age_seconds",
        "schedule_interval_seconds",
        "problems",
    ];
    let auth = [
        "method",
        "ready",
        "summary",
        "access_token_expires_at",
        "access_token_expires_in_seconds",
        "obtained_at",
        "last_refresh_at",
        "refreshes",
        "login",
        "session_started_at",
        "session_age_seconds",
    ];
    let element = [
        "catalog_remote_id",
        "catalog",
        "in_account",
        "pulled_at",
        "desired",
        "to_create",
        "backlog",
        "open_conflicts",
    ];
    let counts = [
        "pulled",
        "added",
        "updated",
        "deleted",
        "adopted",
        "conflicts",
        "failed",
        "invalid",
    ];
    let run = [
        "id",
        "started_at",
        "finished_at",
        "trigger",
        "outcome",
        "elements",
        "http_requests",
        "error",
        "duration_seconds",
    ];
    let want = expected(&[
        ("", &top),
        ("health", &health),
        ("health.problems[]", &[]),
        ("blocked", &["blocked_at", "until", "detail"]),
        ("api", &["configured", "catalogs", "switch"]),
        ("api.switch", &["api", "switched_at", "run_id", "reason"]),
        ("auth", &auth),
        ("elements[]", &element),
        ("runs[]", &run),
        ("runs[]", &counts),
        ("runs[].elements", &counts),
    ]);
    assert_eq!(keys, want);
    assert_eq!(document["accounts"][0]["outbox"], json!({"done": 2}));
}
