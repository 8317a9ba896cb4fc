//! What the commands print for machines: `plan --json` and `status --json` (also printed by
//! `plan` and `status` with `log.format = json`) and the run summary of `--once` with JSON
//! logs. Each is one JSON object on one line of stdout; the README describes every key.

use anyhow::Result;
use serde_json::{Value, json};

use super::changes::{self, Scope};
use super::render::Requests;
use crate::amocrm::ApiError;
use crate::catalog::ApiVersion;
use crate::config::AccountSettings;
use crate::reconcile::Plan;
use crate::record::Record;
use crate::startup::Misconfigured;
use crate::sync::{Plans, RunReport};

/// The version of the `--json` objects; raised when a key changes meaning or goes away.
pub const FORMAT_VERSION: u32 = 1;

/// Prints `value` as one line on stdout.
pub fn print(value: &Value) -> Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}

/// `{"format_version": 1, "accounts": [...]}`: the shape of `plan --json` and `status --json`.
pub fn accounts(accounts: Vec<Value>) -> Value {
    json!({"format_version": FORMAT_VERSION, "accounts": accounts})
}

/// Prints [`accounts`].
pub fn print_accounts(list: Vec<Value>) -> Result<()> {
    print(&accounts(list))
}

/// The object of an account that failed, in a `--json` list: `error.message` is the whole
/// message (as the logs have it), `error.kind` one word a script can branch on
/// ([`ApiError::kind`] when amoCRM or the network failed, else `configuration`, `database` or
/// `other`), `error.status` the HTTP status amoCRM answered (null when none came).
pub fn account_error(account: &AccountSettings, e: &anyhow::Error) -> Value {
    let api = e.chain().find_map(|c| c.downcast_ref::<ApiError>());
    let kind = match api {
        Some(api) => api.kind(),
        None if e.chain().any(|c| c.is::<Misconfigured>()) => "configuration",
        None if e.chain().any(|c| c.is::<sqlx::Error>()) => "database",
        None => "other",
    };
    json!({"account": account.name, "error": {
        "message": format!("{e:#}"),
        "kind": kind,
        "status": api.and_then(ApiError::status),
    }})
}

/// The four lists of a plan (or of a run's plan) over catalogs and every element catalog.
#[derive(Default)]
struct Lists {
    changes: Vec<Value>,
    conflicts: Vec<Value>,
    invalid: Vec<Value>,
    notices: Vec<Value>,
}

impl Lists {
    fn add<R: Record>(&mut self, plan: &Plan<R>, scope: Scope) {
        self.changes.extend(changes::changes(plan, scope));
        let conflicts = changes::conflicts(R::ENTITY, &plan.conflicts, scope);
        self.conflicts.extend(conflicts);
        self.invalid.extend(changes::invalid(&plan.invalid, scope));
        let notices = changes::notices(R::ENTITY, &plan.notices, scope);
        self.notices.extend(notices);
    }

    /// The catalogs' plan, then each element catalog's.
    fn of(account: &str, catalogs: &Plan, elements: &[crate::sync::ElementReport]) -> Lists {
        let mut lists = Lists::default();
        let scope = |catalog_remote_id| Scope {
            account,
            catalog_remote_id,
        };
        lists.add(catalogs, scope(None));
        for r in elements {
            lists.add(&r.plan, scope(r.catalog_remote_id));
        }
        lists
    }
}

/// One account's plan in `plan --json`; `api` is the API its catalogs went through.
pub fn plan(plans: &Plans, account: &AccountSettings, api: ApiVersion) -> Value {
    let name = account.name.as_str();
    let requests = Requests::of(plans, account, api);
    let lists = Lists::of(name, &plans.catalogs, &plans.elements);
    let element_catalogs: Vec<Value> = plans
        .elements
        .iter()
        .map(|r| {
            let fields: serde_json::Map<String, Value> = r
                .field_names
                .iter()
                .map(|(id, name)| (id.to_string(), json!(name)))
                .collect();
            json!({
                "catalog_remote_id": r.catalog_remote_id,
                "desired_catalog_id": r.desired_catalog_id,
                "name": r.catalog,
                "pulled": r.pulled,
                "pages": r.pages,
                "error": r.error,
                "fields": fields,
            })
        })
        .collect();
    json!({
        "account": name,
        "mode": account.sync.mode.as_str(),
        "conflict_policy": account.sync.conflict_policy.as_str(),
        "api": api.as_str(),
        "has_changes": plans.has_changes(),
        "requests": {"get": requests.get, "post": requests.catalog_writes},
        "element_requests": requests.element_writes,
        "changes": lists.changes,
        "conflicts": lists.conflicts,
        "invalid": lists.invalid,
        "notices": lists.notices,
        "element_catalogs": element_catalogs,
    })
}

/// The summary of one account's run, for `--once` with JSON logs.
pub fn run(report: &RunReport, account: &AccountSettings) -> Value {
    let lists = Lists::of(account.name.as_str(), &report.plan, &report.elements);
    json!({
        "format_version": FORMAT_VERSION,
        "account": account.name,
        "run_id": report.run_id,
        "outcome": report.outcome.as_str(),
        "exit_code": report.outcome.exit_code(),
        "counts": report.counts,
        "error": report.error,
        "conflicts": lists.conflicts,
        "invalid": lists.invalid,
    })
}
