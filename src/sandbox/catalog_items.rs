//! The items of `POST`/`PATCH /api/v4/catalogs`: the same rules as the v2 `add`/`update`
//! (caps, single-instance types, API-creatable types), refused the v4 way.
//!
//! Pure. Items run in order against a trial copy of the catalogs, so the caps see the items
//! before them; the copy becomes the account's state only when [`Validation400`] says so.

use serde_json::{Map, Value};

use super::invalid::{FieldError, Rejected, Validation400, request_id, sent_request_id};
use super::state::{CatalogError, CatalogPatch, Catalogs, NewCatalog, Origin};

/// A catalog an item created or changed, and the `request_id` to echo (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub id: i64,
    pub request_id: Option<String>,
}

/// What a v4 catalog request did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct V4Outcome {
    pub done: Vec<Done>,
    pub rejected: Vec<Rejected>,
}

/// Adds; every item's `request_id` is echoed (its index when none was sent).
pub fn add(catalogs: &mut Catalogs, items: &[Value], mode: Validation400, now: i64) -> V4Outcome {
    run(catalogs, items, mode, true, |trial, item| {
        let new = new_catalog(item)?;
        trial.add(new, Origin::Api, now).map_err(refused)
    })
}

/// Updates; `request_id` is echoed when the item sent one.
pub fn update(
    catalogs: &mut Catalogs,
    items: &[Value],
    mode: Validation400,
    now: i64,
) -> V4Outcome {
    run(catalogs, items, mode, false, |trial, item| {
        let (id, patch) = patch(item)?;
        trial.update(id, patch, now).map(|()| id).map_err(refused)
    })
}

fn run(
    catalogs: &mut Catalogs,
    items: &[Value],
    mode: Validation400,
    always_echo: bool,
    step: impl Fn(&mut Catalogs, &Map<String, Value>) -> Result<i64, Vec<FieldError>>,
) -> V4Outcome {
    let mut trial = catalogs.clone();
    let mut out = V4Outcome::default();
    for (index, raw) in items.iter().enumerate() {
        let rid = request_id(raw, index);
        let result = match raw {
            Value::Object(item) => step(&mut trial, item),
            _ => Err(vec![FieldError::new(
                "InvalidType",
                "",
                "an item must be an object",
            )]),
        };
        match result {
            Ok(id) => {
                let echo = always_echo || sent_request_id(raw);
                out.done.push(Done {
                    id,
                    request_id: echo.then_some(rid),
                });
            }
            Err(errors) => out.rejected.push(Rejected {
                request_id: rid,
                errors,
            }),
        }
    }
    if mode.applies_valid_items(out.rejected.len()) {
        *catalogs = trial;
    } else {
        out.done.clear();
    }
    out
}

fn refused(e: CatalogError) -> Vec<FieldError> {
    vec![FieldError::new(e.code, e.path, e.message)]
}

fn new_catalog(item: &Map<String, Value>) -> Result<NewCatalog, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = text(item, "name", &mut errors);
    let new = NewCatalog {
        name: name.clone().unwrap_or_default(),
        kind: text(item, "type", &mut errors).unwrap_or_else(|| "regular".into()),
        sort: number(item, "sort", &mut errors),
        can_add_elements: flag(item, "can_add_elements", &mut errors),
        can_show_in_cards: flag(item, "can_show_in_cards", &mut errors),
        can_link_multiple: flag(item, "can_link_multiple", &mut errors),
    };
    if name.is_none() && errors.is_empty() {
        errors.push(FieldError::new(
            "NotBlank",
            "name",
            "This value should not be blank.",
        ));
    }
    if errors.is_empty() {
        Ok(new)
    } else {
        Err(errors)
    }
}

fn patch(item: &Map<String, Value>) -> Result<(i64, CatalogPatch), Vec<FieldError>> {
    let mut errors = Vec::new();
    let id = match item.get("id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    if id.is_none() {
        errors.push(FieldError::new("NotBlank", "id", "id must be an integer"));
    }
    let patch = CatalogPatch {
        name: text(item, "name", &mut errors),
        kind: text(item, "type", &mut errors),
        sort: number(item, "sort", &mut errors),
        can_add_elements: flag(item, "can_add_elements", &mut errors),
        can_show_in_cards: flag(item, "can_show_in_cards", &mut errors),
        can_link_multiple: flag(item, "can_link_multiple", &mut errors),
    };
    match id {
        Some(id) if errors.is_empty() => Ok((id, patch)),
        _ => Err(errors),
    }
}

fn text(
    item: &Map<String, Value>,
    key: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match item.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(FieldError::new(
                "InvalidType",
                key,
                format!("{key} must be a string"),
            ));
            None
        }
    }
}

fn number(
    item: &Map<String, Value>,
    key: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    match item.get(key) {
        None | Some(Value::Null) => None,
        Some(v) if v.as_i64().is_some() => v.as_i64(),
        Some(_) => {
            errors.push(FieldError::new(
                "InvalidType",
                key,
                format!("{key} must be an integer"),
            ));
            None
        }
    }
}

fn flag(
    item: &Map<String, Value>,
    key: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<bool> {
    match item.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.push(FieldError::new(
                "InvalidType",
                key,
                format!("{key} must be a boolean"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn items(v: Value) -> Vec<Value> {
        v.as_array().unwrap().clone()
    }

    #[test]
    fn adds_echo_request_ids_as_text_and_take_sort() {
        let mut c = Catalogs::new(10);
        let body = items(json!([{"name": "A", "request_id": 5, "sort": 30}, {"name": "B"}]));
        let out = add(&mut c, &body, Validation400::RejectsAll, 1);
        let ids: Vec<Option<&str>> = out.done.iter().map(|d| d.request_id.as_deref()).collect();
        assert_eq!(ids, [Some("5"), Some("1")]);
        assert_eq!(c.list()[0].sort, 30);
    }

    #[test]
    fn a_refused_item_keeps_the_batch_out_unless_valid_items_apply() {
        let body =
            items(json!([{"name": "A"}, {"name": "P", "type": "products", "request_id": "p"}]));
        let mut c = Catalogs::new(10);
        let out = add(&mut c, &body, Validation400::RejectsAll, 1);
        assert!(out.done.is_empty() && c.list().is_empty());
        assert_eq!(out.rejected[0].request_id, "p");
        assert_eq!(out.rejected[0].errors[0].path, "type");
        let out = add(&mut c, &body, Validation400::AppliesValid, 1);
        assert_eq!(out.done.len(), 1);
        assert_eq!(c.list().len(), 1);
    }

    #[test]
    fn the_cap_sees_the_items_before_it_in_the_same_batch() {
        let mut c = Catalogs::new(1);
        let body = items(json!([{"name": "A"}, {"name": "B"}]));
        let out = add(&mut c, &body, Validation400::AppliesValid, 1);
        assert_eq!(out.rejected[0].request_id, "1");
        assert_eq!(out.rejected[0].errors[0].code, "LimitReached");
    }

    #[test]
    fn an_update_needs_a_known_id_and_echoes_only_a_sent_request_id() {
        let mut c = Catalogs::new(10);
        add(
            &mut c,
            &items(json!([{"name": "A"}])),
            Validation400::RejectsAll,
            1,
        );
        let id = c.list()[0].id;
        let body = items(json!([{"id": id, "sort": 7}, {"id": 1, "name": "x", "request_id": "r"}]));
        let out = update(&mut c, &body, Validation400::AppliesValid, 2);
        assert_eq!(
            out.done,
            [Done {
                id,
                request_id: None
            }]
        );
        assert_eq!(out.rejected[0].errors[0].path, "id");
        assert_eq!(c.get(id).unwrap().sort, 7);
        let bad = items(json!([{"name": "no id"}, {"id": id, "can_add_elements": "yes"}, 3]));
        let out = update(&mut c, &bad, Validation400::AppliesValid, 2);
        let paths: Vec<&str> = out
            .rejected
            .iter()
            .map(|r| r.errors[0].path.as_str())
            .collect();
        assert_eq!(paths, ["id", "can_add_elements", ""]);
    }
}
