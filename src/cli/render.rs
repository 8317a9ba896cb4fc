//! What the commands print: aligned plain-text tables for people, JSON for machines.

use std::time::Duration;

use anyhow::Result;
use serde_json::json;

use super::health::{self, Health};

use crate::auth::AuthStatus;
use crate::catalog::{Field, Fields};
use crate::config::Settings;
use crate::reconcile::{Adopt, Conflict, Plan, Push};
use crate::store::{Counts, RunCounts, Status};
use crate::sync::{Plans, RunReport};

/// Left-aligned columns separated by two spaces; the first row is the header.
pub fn table(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s:<w$}"))
            .collect();
        out.push_str("  ");
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// `text` cut to `max` characters, marked with `…` when cut: over-long values must not flood a
/// terminal table.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// `name="Goods" type=regular can_add_elements=false`: the fields that are set.
pub fn describe(fields: &Fields) -> String {
    Field::ALL
        .into_iter()
        .filter_map(|f| fields.get(f).map(|v| format!("{f}={v}")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn push_row(p: &Push, desired: Option<i64>) -> Vec<String> {
    let desired = desired.map_or(String::new(), |d| d.to_string());
    match p {
        Push::Add { fields, replaces } => {
            let note = replaces.map_or(String::new(), |r| format!(" (re-creates #{r})"));
            vec![
                "add".into(),
                "new".into(),
                desired,
                format!("{}{note}", describe(fields)),
            ]
        }
        Push::Update { id, fields } => {
            vec!["update".into(), format!("#{id}"), desired, describe(fields)]
        }
        Push::Delete { id } => vec!["delete".into(), format!("#{id}"), desired, String::new()],
    }
}

fn adopt_row(a: &Adopt, remote_id: Option<i64>) -> Vec<String> {
    let remote = remote_id.map_or(String::new(), |r| format!("#{r}"));
    match a {
        Adopt::Insert { fields, .. } => {
            vec!["insert".into(), remote, "new".into(), describe(fields)]
        }
        Adopt::Update {
            desired_id,
            changes,
            ..
        } => {
            let what = changes
                .iter()
                .map(|(f, v)| {
                    format!(
                        "{f}={}",
                        v.as_ref().map_or("NULL".into(), ToString::to_string)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            vec!["update".into(), remote, desired_id.to_string(), what]
        }
        Adopt::Delete { desired_id, .. } => {
            vec![
                "delete".into(),
                remote,
                desired_id.to_string(),
                "gone from the account".into(),
            ]
        }
        Adopt::Unlink { desired_id, .. } => {
            vec![
                "unlink".into(),
                remote,
                desired_id.to_string(),
                "gone from the account; row kept".into(),
            ]
        }
    }
}

fn conflict_row(c: &Conflict) -> Vec<String> {
    let show = |v: &Option<serde_json::Value>| v.as_ref().map_or("?".into(), ToString::to_string);
    let settled = c.resolution.map_or("held for a person".into(), |s| {
        format!("{} wins", s.as_str())
    });
    vec![
        format!("#{}", c.remote_id),
        c.field.map_or("catalog".into(), |f| f.to_string()),
        show(&c.base),
        show(&c.local),
        show(&c.remote),
        settled,
    ]
}

/// The plan, both directions, as tables (text) or one JSON object.
pub fn plan(plans: &Plans, settings: &Settings, as_json: bool) -> Result<()> {
    let plan = &plans.catalogs;
    let pushes: Vec<_> = plan
        .decisions
        .iter()
        .filter_map(|d| Some(push_row(d.push.as_ref()?, d.desired_id)))
        .collect();
    let posts = pushes.len().div_ceil(settings.sync.batch_size.max(1));
    let element_requests = super::elements::requests(
        &plans.elements,
        crate::sync::SyncOptions::default().element_batch_size,
    );
    if as_json {
        let out = json!({
            "has_changes": plans.has_changes(),
            "requests": {"get": 1, "post": posts},
            "element_requests": element_requests,
            "plan": plan,
            "elements": plans.elements,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "Plan for {} (mode {:?}, conflicts {:?})",
        settings.amocrm.base_url, settings.sync.mode, settings.sync.conflict_policy
    );
    print!("{}", text(plan, posts));
    if !plans.elements.is_empty() {
        println!("{}", super::elements::text(&plans.elements).trim_end());
        println!("\nElement requests to send: {element_requests}");
    }
    Ok(())
}

/// The plan as text: one section per direction, then conflicts, invalid rows and notices.
pub fn text(plan: &Plan, posts: usize) -> String {
    let mut out = String::new();
    let pushes: Vec<_> = plan
        .decisions
        .iter()
        .filter_map(|d| Some(push_row(d.push.as_ref()?, d.desired_id)))
        .collect();
    let adopts: Vec<_> = plan
        .decisions
        .iter()
        .filter_map(|d| Some(adopt_row(d.adopt.as_ref()?, d.remote_id)))
        .collect();
    if !pushes.is_empty() {
        out += &format!("\nTo send to the account ({posts} POST):\n");
        out += &table(
            &[vec![
                "op".into(),
                "catalog".into(),
                "desired".into(),
                "fields".into(),
            ]]
            .into_iter()
            .chain(pushes)
            .collect::<Vec<_>>(),
        );
    }
    if !adopts.is_empty() {
        out += "\nTo adopt into desired_catalogs:\n";
        out += &table(
            &[vec![
                "op".into(),
                "catalog".into(),
                "desired".into(),
                "change".into(),
            ]]
            .into_iter()
            .chain(adopts)
            .collect::<Vec<_>>(),
        );
    }
    if !plan.conflicts.is_empty() {
        out += "\nConflicts:\n";
        let head = ["catalog", "field", "base", "local", "remote", "settled"]
            .map(String::from)
            .to_vec();
        out += &table(
            &std::iter::once(head)
                .chain(plan.conflicts.iter().map(conflict_row))
                .collect::<Vec<_>>(),
        );
    }
    for i in &plan.invalid {
        out += &format!("\nInvalid, skipped: {i}");
    }
    for n in &plan.notices {
        let at = n.remote_id.map_or(String::new(), |r| format!("#{r} "));
        out += &format!("\nNote: {at}{}", n.message);
    }
    if !plan.has_changes() && plan.conflicts.is_empty() {
        out += "\nIn sync: nothing to send, nothing to adopt.\n";
    } else {
        out.push('\n');
    }
    out
}

/// `pulled 3, added 1, ..., 2 HTTP requests`: a run's counters, for one-line summaries. The
/// elements' counters follow the catalogs' when the run touched any element.
pub fn counts(r: &RunCounts) -> String {
    let line = |c: &Counts| {
        format!(
            "pulled {}, added {}, updated {}, deleted {}, adopted {}, conflicts {}, failed {}, \
             invalid {}",
            c.pulled, c.added, c.updated, c.deleted, c.adopted, c.conflicts, c.failed, c.invalid
        )
    };
    let elements = if r.elements == Counts::default() {
        String::new()
    } else {
        format!("; elements: {}", line(&r.elements))
    };
    format!(
        "{}{elements}, {} HTTP requests",
        line(&r.catalogs),
        r.http_requests
    )
}

/// The one-line summary of a run, on stdout.
pub fn report(r: &RunReport) {
    println!(
        "run {}: {} ({})",
        r.run_id,
        r.outcome.as_str(),
        counts(&r.counts)
    );
    if let Some(e) = &r.error {
        println!("  {e}");
    }
    for i in &r.plan.invalid {
        println!("  invalid, skipped: {i}");
    }
    for c in r.plan.held() {
        println!(
            "  conflict held for a person: #{} {:?} field {}",
            c.remote_id,
            c.name,
            c.field.map_or("catalog".into(), |f| f.to_string())
        );
    }
}

/// `catalog-sync status`: the health verdict first, then the figures behind it.
pub fn status(
    s: &Status,
    health: &Health,
    auth: &AuthStatus,
    settings: &Settings,
    as_json: bool,
) -> Result<()> {
    if as_json {
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
        let out = json!({
            "database": settings.database.path,
            "healthy": health.healthy,
            "health": health,
            "last_success": s.last_success,
            "blocked": s.blocked,
            "auth": auth,
            "open_conflicts": s.open_conflicts,
            "outbox": outbox,
            "elements": s.elements,
            "runs": runs,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("Database:       {}", settings.database.path.display());
    println!("Account:        {}", settings.amocrm.base_url);
    println!("Auth:           {} ({})", auth.method, auth.summary);
    println!(
        "Health:         {}",
        if health.healthy {
            "ok".to_owned()
        } else {
            format!("UNHEALTHY: {}", health.problems.join("; "))
        }
    );
    let ago = health.last_success_age_seconds.map_or(String::new(), |a| {
        format!(" ({} ago)", health::human(Duration::from_secs(a)))
    });
    println!(
        "Last success:   {}{ago}",
        s.last_success.as_deref().unwrap_or("never")
    );
    let backlog: Vec<String> = s.outbox.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!(
        "Outbox:         {}",
        if backlog.is_empty() {
            "empty".into()
        } else {
            backlog.join(", ")
        }
    );
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
        return Ok(());
    }
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
        let c = &r.counts.catalogs;
        rows.push(vec![
            r.id.to_string(),
            r.started_at.clone(),
            health::duration(r).map_or("-".into(), health::human),
            r.trigger.clone(),
            r.outcome.clone().unwrap_or_else(|| "running".into()),
            c.pulled.to_string(),
            c.added.to_string(),
            c.updated.to_string(),
            c.deleted.to_string(),
            c.adopted.to_string(),
            c.conflicts.to_string(),
            c.failed.to_string(),
            r.counts.http_requests.to_string(),
        ]);
    }
    println!("\nLast runs:\n{}", table(&rows));
    if let Some(e) = s.runs.first().and_then(|r| r.error.as_ref()) {
        println!("Last error: {e}");
    }
    Ok(())
}
