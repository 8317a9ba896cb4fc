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
mod tests {
    use super::*;
    use crate::reconcile::{BaseAfter, Conflict, InvalidRow, Plan};

    fn fields(name: &str, values: &[(i64, Value)]) -> ElementFields {
        ElementFields {
            name: name.into(),
            values: values.iter().cloned().collect(),
        }
    }

    fn decision(
        name: &str,
        push: Push<ElementFields>,
        before: Option<ElementFields>,
    ) -> Decision<ElementFields> {
        Decision {
            remote_id: Some(5),
            desired_id: Some(9),
            name: name.into(),
            push: Some(push),
            adopt: None,
            base_after: BaseAfter::Keep,
            settled_by: None,
            before,
        }
    }

    #[test]
    fn the_text_plan_names_fields_and_shows_values_before_and_after() {
        let long = "Ы".repeat(20_000);
        let plan = Plan {
            decisions: vec![
                decision(
                    "Чайник",
                    Push::Update {
                        id: 5,
                        fields: fields("Чайник", &[(7, serde_json::json!(2590.5))]),
                    },
                    Some(fields("Чайник", &[(7, serde_json::json!(2490))])),
                ),
                decision(&long, Push::Delete { id: 6 }, None),
            ],
            conflicts: vec![Conflict {
                remote_id: 8,
                desired_id: Some(3),
                name: "Лампа".into(),
                field: Some(ElementKey::Field(7)),
                base: Some(serde_json::json!(1)),
                local: Some(serde_json::json!(2)),
                remote: Some(serde_json::json!(3)),
                resolution: None,
                desired_revision: Some(1),
            }],
            invalid: vec![InvalidRow {
                entity: "element",
                desired_id: 4,
                remote_id: None,
                name: "Гвозди".into(),
                field: Some("7 \"Цена\"".into()),
                problem: "\"дорого\" is not a number".into(),
            }],
            notices: vec![],
        };
        let report = ElementReport {
            catalog_remote_id: Some(7001),
            desired_catalog_id: 1,
            catalog: "Товары".into(),
            field_names: [(7, "Цена".to_owned())].into(),
            plan,
            pulled: 12,
            pages: 1,
            error: None,
        };
        let text = text(&[report]);
        assert!(
            text.contains("Elements of catalog #7001 \"Товары\" (12 in the account)"),
            "{text}"
        );
        assert!(
            text.contains("update") && text.contains("Цена: 2490 -> 2590.5"),
            "{text}"
        );
        assert!(
            text.contains("conflict #8") && text.contains("held for a person"),
            "{text}"
        );
        assert!(
            text.contains("invalid, skipped: desired_elements row id=4"),
            "{text}"
        );
        assert!(
            text.len() < 2_000,
            "a 20,000-character name is cut: {} bytes",
            text.len()
        );
    }

    #[test]
    fn a_20000_character_field_name_is_cut_wherever_it_labels_a_value() {
        let long = "Ц".repeat(20_000);
        let many: Vec<(i64, Value)> = (0..500).map(|f| (f, serde_json::json!(f))).collect();
        let plan = Plan {
            decisions: vec![decision(
                &long,
                Push::Update {
                    id: 5,
                    fields: fields(&long, &many),
                },
                Some(fields(&long, &[])),
            )],
            conflicts: vec![Conflict {
                remote_id: 8,
                desired_id: Some(3),
                name: long.clone(),
                field: Some(ElementKey::Field(7)),
                base: Some(serde_json::json!(long)),
                local: Some(serde_json::json!(2)),
                remote: Some(serde_json::json!(3)),
                resolution: None,
                desired_revision: Some(1),
            }],
            ..Plan::default()
        };
        let report = ElementReport {
            catalog_remote_id: Some(7001),
            desired_catalog_id: 1,
            catalog: long.clone(),
            field_names: (0..500).map(|f| (f, long.clone())).collect(),
            plan,
            pulled: 1,
            pages: 1,
            error: None,
        };

        let text = text(&[report]);

        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest < 600, "a line of {widest} characters");
        let label = format!("{}…", "Ц".repeat(40));
        assert!(
            text.contains(&format!(
                "conflict #8 \"{}…\" {label}: base",
                "Ц".repeat(60)
            )),
            "the conflict's field, cut: {}",
            &text[..text.len().min(3000)]
        );
    }
}
