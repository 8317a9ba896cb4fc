//! `catalog-sync status`: the health of every account covered, from its database. One account:
//! the detailed view (health, auth, outbox, conflicts, last runs). Several: one line each, then
//! the problems. Exits 1 when any account is unhealthy or its database cannot be read.

use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use serde_json::{Value, json};

use super::health::{self, Health};
use super::json::{account_error, print_accounts};
use super::render::{ERROR_WIDTH, cut, table};
use super::{Context, UNHEALTHY};
use crate::auth::AuthStatus;
use crate::catalog::ApiVersion;
use crate::config::AccountSettings;
use crate::startup;
use crate::store::Status;

/// What `status` knows about one account.
pub struct AccountStatus {
    pub status: Status,
    pub health: Health,
    pub auth: AuthStatus,
}

/// Reads one account's database (opened for this and closed again) and judges its health.
pub async fn gather(account: &AccountSettings) -> Result<AccountStatus> {
    let store = startup::open_store(account).await?;
    let read = async {
        let status = store.status(10).await?;
        let auth = crate::auth::status(account, &store).await?;
        anyhow::Ok((status, auth))
    }
    .await;
    store.close().await;
    let (status, auth) = read?;
    let credential = (auth.ready, auth.summary.as_str());
    let health = health::judge(&status, &account.sync.schedule, credential, Utc::now());
    Ok(AccountStatus {
        status,
        health,
        auth,
    })
}

pub(super) async fn run(ctx: &Context, json: bool) -> Result<i32> {
    let mut rows: Vec<(AccountSettings, Result<AccountStatus>)> = vec![];
    let work = |account: AccountSettings| async move { gather(&account).await };
    super::each(&ctx.accounts, ctx.limit(), work, |account, result| {
        rows.push((account.clone(), result));
    })
    .await;
    let healthy = rows
        .iter()
        .all(|(_, r)| r.as_ref().is_ok_and(|s| s.health.healthy));
    let code = if healthy { 0 } else { UNHEALTHY };
    if rows.len() == 1 {
        let (account, result) = rows.remove(0);
        let one = match result {
            Ok(one) => one,
            // As in `plan --json`: even alone, an account that cannot be read is an object.
            Err(e) if json => {
                ctx.report(&account, &e);
                print_accounts(vec![with_unhealthy(account_error(&account, &e))])?;
                return Ok(UNHEALTHY);
            }
            Err(e) => return Err(e),
        };
        if json {
            print_accounts(vec![object(&account, &one)?])?;
        } else {
            detailed(&account, &one);
        }
        return Ok(code);
    }
    if json {
        let objects = rows
            .iter()
            .map(|(account, result)| match result {
                Ok(one) => object(account, one),
                Err(e) => Ok(with_unhealthy(account_error(account, e))),
            })
            .collect::<Result<Vec<_>>>()?;
        print_accounts(objects)?;
    } else {
        print!("{}", lines(&rows));
    }
    Ok(code)
}

fn with_unhealthy(mut object: Value) -> Value {
    object["healthy"] = json!(false);
    object
}

/// One account in `status --json`: its name, then the fields of the single-account view.
pub fn object(account: &AccountSettings, one: &AccountStatus) -> Result<Value> {
    let s = &one.status;
    let outbox: serde_json::Map<_, _> = s
        .outbox
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let mut runs = serde_json::to_value(&s.runs)?;
    for (run, row) in runs.as_array_mut().into_iter().flatten().zip(&s.runs) {
        let seconds = health::duration(row).map(|d| d.as_secs_f64());
        run["duration_seconds"] = json!(seconds);
    }
    Ok(json!({
        "account": account.name,
        "database": account.database.path,
        "healthy": one.health.healthy,
        "health": one.health,
        "last_success": s.last_success,
        "blocked": s.blocked,
        "api": api_json(account, s),
        "auth": one.auth,
        "open_conflicts": s.open_conflicts,
        "outbox": outbox,
        "elements": s.elements,
        "runs": runs,
    }))
}

/// The API version catalogs use: `amocrm.api` and, with `auto`, the switch it made.
fn api_version(account: &AccountSettings, s: &Status) -> &'static str {
    match (account.amocrm.api, &s.api_switch) {
        (ApiVersion::Auto, Some(_)) | (ApiVersion::V4, _) => "v4",
        _ => "v2",
    }
}

fn api_json(account: &AccountSettings, s: &Status) -> serde_json::Value {
    json!({
        "configured": account.amocrm.api.as_str(),
        "catalogs": api_version(account, s),
        "switch": s.api_switch,
    })
}

/// `v2`, `v4`, or `v4 (amocrm.api = auto: API v2 answered ... at T)`.
fn api_text(account: &AccountSettings, s: &Status) -> String {
    match (&s.api_switch, account.amocrm.api) {
        (Some(switch), ApiVersion::Auto) => format!(
            "v4 (amocrm.api = auto switched at {}: {}; DELETE FROM api_version goes back)",
            switch.switched_at,
            cut(&switch.reason, 120)
        ),
        (_, api) => format!(
            "{} (amocrm.api = {})",
            api_version(account, s),
            api.as_str()
        ),
    }
}

/// `pending 2, failed 1`, or `empty`.
fn backlog(s: &Status) -> String {
    if s.outbox.is_empty() {
        return "empty".into();
    }
    let parts: Vec<String> = s.outbox.iter().map(|(k, v)| format!("{k} {v}")).collect();
    parts.join(", ")
}

/// `2030-01-01T10:00:00.000Z (3m 12s ago)`, or `never`.
fn last_success(one: &AccountStatus) -> String {
    let ago = one
        .health
        .last_success_age_seconds
        .map_or(String::new(), |a| {
            format!(" ({} ago)", health::human(Duration::from_secs(a)))
        });
    match &one.status.last_success {
        Some(at) => format!("{at}{ago}"),
        None => "never".into(),
    }
}

/// Several accounts: a table, one line each, then what is wrong with which.
fn lines(rows: &[(AccountSettings, Result<AccountStatus>)]) -> String {
    let head = [
        "account",
        "health",
        "last run",
        "last success",
        "outbox",
        "conflicts",
    ];
    let mut table_rows = vec![head.map(String::from).to_vec()];
    let mut problems = vec![];
    for (account, result) in rows {
        let name = account.name.to_string();
        match result {
            Ok(one) => {
                let last_run = one.status.runs.first().map_or("-".into(), |r| {
                    let outcome = r.outcome.clone().unwrap_or_else(|| "running".into());
                    format!("{} {outcome}", r.id)
                });
                let verdict = if one.health.healthy {
                    "ok"
                } else {
                    "UNHEALTHY"
                };
                problems.extend(one.health.problems.iter().map(|p| format!("{name}: {p}")));
                table_rows.push(vec![
                    name,
                    verdict.into(),
                    last_run,
                    last_success(one),
                    backlog(&one.status),
                    one.status.open_conflicts.to_string(),
                ]);
            }
            Err(e) => {
                problems.push(format!("{name}: {e:#}"));
                let dash = || "-".to_owned();
                table_rows.push(vec![name, "ERROR".into(), dash(), dash(), dash(), dash()]);
            }
        }
    }
    let unhealthy = rows
        .iter()
        .filter(|(_, r)| !r.as_ref().is_ok_and(|s| s.health.healthy))
        .count();
    let mut out = format!("{} accounts, {unhealthy} unhealthy\n", rows.len());
    out += &table(&table_rows);
    if !problems.is_empty() {
        out += "\nProblems:\n";
        for p in problems {
            out += &format!("  {p}\n");
        }
    }
    out
}

/// One account: the health verdict first, then the figures behind it.
fn detailed(account: &AccountSettings, one: &AccountStatus) {
    let (s, health, auth) = (&one.status, &one.health, &one.auth);
    println!("Database:       {}", account.database.path.display());
    println!("Account:        {}", account.amocrm.base_url);
    println!("Auth:           {} ({})", auth.method, auth.summary);
    println!("API:            {}", api_text(account, s));
    let verdict = if health.healthy {
        "ok".to_owned()
    } else {
        format!("UNHEALTHY: {}", health.problems.join("; "))
    };
    println!("Health:         {verdict}");
    println!("Last success:   {}", last_success(one));
    println!("Outbox:         {}", backlog(s));
    println!("Open conflicts: {}", s.open_conflicts);
    if let Some(b) = &s.blocked {
        println!(
            "Blocked:       amoCRM answered 403 at {}; sending nothing until {}",
            b.blocked_at, b.until
        );
    }
    if !s.elements.is_empty() {
        println!(
            "\nElements:\n{}",
            super::elements::status_table(&s.elements).trim_end()
        );
    }
    if s.runs.is_empty() {
        println!("\nNo runs yet.");
        return;
    }
    println!("\nLast runs:\n{}", table(&runs(s)));
    if let Some(e) = s.runs.first().and_then(|r| r.error.as_ref()) {
        println!("Last error: {}", cut(e, ERROR_WIDTH));
    }
}

/// The last runs as table rows, header first.
fn runs(s: &Status) -> Vec<Vec<String>> {
    let head = [
        "run",
        "started",
        "duration",
        "trigger",
        "outcome",
        "pulled",
        "added",
        "updated",
        "deleted",
        "adopted",
        "conflicts",
        "failed",
        "http",
    ];
    let mut rows = vec![head.map(String::from).to_vec()];
    for r in &s.runs {
        // Catalogs, then "/elements" when the run touched any element.
        let (c, e) = (&r.counts.catalogs, &r.counts.elements);
        let pair = |c: i64, e: i64| {
            if e == 0 {
                c.to_string()
            } else {
                format!("{c}/{e}")
            }
        };
        let counts = [
            pair(c.pulled, e.pulled),
            pair(c.added, e.added),
            pair(c.updated, e.updated),
            pair(c.deleted, e.deleted),
            pair(c.adopted, e.adopted),
            pair(c.conflicts, e.conflicts),
            pair(c.failed, e.failed),
            r.counts.http_requests.to_string(),
        ];
        let mut row = vec![
            r.id.to_string(),
            r.started_at.clone(),
            health::duration(r).map_or("-".into(), health::human),
            r.trigger.clone(),
            r.outcome.clone().unwrap_or_else(|| "running".into()),
        ];
        row.extend(counts);
        rows.push(row);
    }
    rows
}
