//! What `plan` prints about elements: per element-synced catalog, what goes to the account
//! (adds, updates with each field's value before and after, deletes), what comes into the
//! database, the conflicts, the invalid rows, and catalogs left alone. Every value a person
//! wrote (names, field names, values, the joined changes of a row) is cut.

use serde_json::Value;

use super::render::{LINE_WIDTH, VALUE_WIDTH, cut, table};
use crate::element::{ElementFields, ElementKey};
use crate::reconcile::{Adopt, Decision, Push};
use crate::record::Record;
use crate::store::ElementStatus;
use crate::sync::ElementReport;

/// How much of a name (an element's, a catalog's, a field's) a table shows.
const NAME_WIDTH: usize = 40;

/// `status`: one line per element-synced catalog.
pub fn status_table(elements: &[ElementStatus]) -> String {
    let head = [
        "catalog",
        "name",
        "in account",
        "desired",
        "to create",
        "backlog",
        "conflicts",
        "pulled",
    ];
    let rows = elements.iter().map(|e| {
        vec![
            format!("#{}", e.catalog_remote_id),
            cut(e.catalog.as_deref().unwrap_or("(gone)"), NAME_WIDTH),
            e.in_account.to_string(),
            e.desired.to_string(),
            e.to_create.to_string(),
            e.backlog.to_string(),
            e.open_conflicts.to_string(),
            e.pulled_at.clone().unwrap_or_default(),
        ]
    });
    table(
        &std::iter::once(head.map(String::from).to_vec())
            .chain(rows)
            .collect::<Vec<_>>(),
    )
}

/// The element sections of the text plan.
pub fn text(reports: &[ElementReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let id = r
            .catalog_remote_id
            .map_or("(to be created)".into(), |id| format!("#{id}"));
        out += &format!(
            "\nElements of catalog {id} {:?}",
            cut(&r.catalog, VALUE_WIDTH)
        );
        if let Some(e) = &r.error {
            out += &format!(": left alone this run ({})\n", cut(e, LINE_WIDTH));
            continue;
        }
        out += &format!(" ({} in the account):\n", r.pulled);
        let label = |k: ElementKey| match k {
            ElementKey::Name => "name".to_owned(),
            ElementKey::Field(f) => r
                .field_names
                .get(&f)
                .map_or_else(|| f.to_string(), |name| cut(name, NAME_WIDTH)),
        };
        let rows: Vec<Vec<String>> = r
            .plan
            .decisions
            .iter()
            .flat_map(|d| rows(d, &label))
            .collect();
        if rows.is_empty() && r.plan.conflicts.is_empty() && r.plan.invalid.is_empty() {
            out += "  in sync\n";
            continue;
        }
        if !rows.is_empty() {
            let head = ["direction", "op", "element", "desired", "changes"].map(String::from);
            out += &table(
                &std::iter::once(head.to_vec())
                    .chain(rows)
                    .collect::<Vec<_>>(),
            );
        }
        for c in &r.plan.conflicts {
            let field = c.field.map_or("element".into(), label);
            let show = |v: &Option<Value>| {
                v.as_ref()
                    .map_or("?".into(), |v| cut(&v.to_string(), VALUE_WIDTH))
            };
            let settled = c.resolution.map_or("held for a person".into(), |s| {
                format!("{} wins", s.as_str())
            });
            out += &format!(
                "  conflict #{} {:?} {field}: base {} local {} remote {}: {settled}\n",
                c.remote_id,
                cut(&c.name, VALUE_WIDTH),
                show(&c.base),
                show(&c.local),
                show(&c.remote)
            );
        }
        for i in &r.plan.invalid {
            out += &format!("  invalid, skipped: {}\n", cut(&i.to_string(), LINE_WIDTH));
        }
    }
    out
}

/// `field: before -> after` for each changed key of `after`, cut as a whole too (a row may
/// change many fields).
fn changes(
    before: Option<&ElementFields>,
    after: &ElementFields,
    label: &dyn Fn(ElementKey) -> String,
) -> String {
    let joined = after
        .keys()
        .into_iter()
        .filter(|k| *k != ElementKey::Name || before.is_some_and(|b| b.name != after.name))
        .map(|k| {
            let show = |v: Option<Value>| v.map_or("-".into(), |v| cut(&v.to_string(), 40));
            let was = before.map(|b| show(b.get(k)));
            match was {
                Some(was) => format!("{}: {was} -> {}", label(k), show(after.get(k))),
                None => format!("{}={}", label(k), show(after.get(k))),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    cut(&joined, LINE_WIDTH)
}

fn rows(d: &Decision<ElementFields>, label: &dyn Fn(ElementKey) -> String) -> Vec<Vec<String>> {
    let element = d.remote_id.map_or("new".into(), |id| format!("#{id}"));
    let desired = d.desired_id.map_or(String::new(), |id| id.to_string());
    let name = cut(&d.name, NAME_WIDTH);
    let mut out = Vec::new();
    let row = |dir: &str, op: &str, what: String| {
        vec![
            dir.into(),
            op.into(),
            element.clone(),
            desired.clone(),
            what,
        ]
    };
    match &d.push {
        Some(Push::Add { fields, .. }) => out.push(row(
            "to account",
            "add",
            format!("{name:?} {}", changes(None, fields, label)),
        )),
        Some(Push::Update { fields, .. }) => out.push(row(
            "to account",
            "update",
            format!("{name:?} {}", changes(d.before.as_ref(), fields, label)),
        )),
        Some(Push::Delete { .. }) => out.push(row("to account", "delete", format!("{name:?}"))),
        None => {}
    }
    match &d.adopt {
        Some(Adopt::Insert { fields, .. }) => out.push(row(
            "to database",
            "insert",
            format!("{name:?} {}", changes(None, fields, label)),
        )),
        Some(Adopt::Update { changes: c, .. }) => {
            let mut after = ElementFields::named(d.name.clone());
            for (k, v) in c {
                after.set(*k, v.clone());
            }
            out.push(row(
                "to database",
                "update",
                format!("{name:?} {}", changes(d.before.as_ref(), &after, label)),
            ))
        }
        Some(Adopt::Delete { .. }) => out.push(row("to database", "delete", format!("{name:?}"))),
        Some(Adopt::Unlink { .. }) => out.push(row(
            "to database",
            "unlink",
            format!("{name:?} gone from the account; row kept"),
        )),
        None => {}
    }
    out
}

#[cfg(test)]
#[path = "elements_tests.rs"]
mod tests;
