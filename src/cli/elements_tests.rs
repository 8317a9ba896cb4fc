//! The element tables of `plan` and `status`: what they show, and long names cut.

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
