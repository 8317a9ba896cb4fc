//! `GET` and `POST /api/v2/catalogs`: the part of the API catalog-sync talks to.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::account::{Account, now_unix};
use super::batch::{self, ItemErrors, Outcome};
use super::log::CATALOGS_PATH;
use super::respond::{hal, links, no_content, v2_error};
use super::state::SandboxCatalog;

pub fn routes() -> Router {
    Router::new()
        .route(CATALOGS_PATH, get(list).post(change))
        .fallback(not_found)
}

/// The whole list, or one catalog with `?id=N`; 204 with an empty body when nothing matches.
/// `limit_rows`/`limit_offset` are accepted and ignored (an account has at most a few catalogs).
async fn list(account: Account, Query(q): Query<HashMap<String, String>>) -> Response {
    let s = account.lock();
    let (href, items): (String, Vec<&SandboxCatalog>) = match q.get("id") {
        Some(raw) => {
            let found = raw.trim().parse().ok().and_then(|id| s.catalogs.get(id));
            (
                format!("{CATALOGS_PATH}?id={raw}"),
                found.into_iter().collect(),
            )
        }
        None => (CATALOGS_PATH.to_string(), s.catalogs.iter().collect()),
    };
    if items.is_empty() {
        return no_content();
    }
    let items: Vec<Value> = items.into_iter().map(render_catalog).collect();
    let body = json!({"_links": links(&href, "get"), "_embedded": {"items": items}});
    hal(body, s.numbers_as_strings)
}

fn render_catalog(c: &SandboxCatalog) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "created_by": c.created_by,
        "created_at": c.created_at,
        "sort": c.sort,
        "type": c.kind,
        "can_add_elements": c.can_add_elements,
        "can_show_in_cards": c.can_show_in_cards,
        "can_link_multiple": c.can_link_multiple,
        "sdk_widget_code": null,
        "widgets": [],
        "_links": item_links(c.id),
    })
}

fn item_links(id: i64) -> Value {
    links(&format!("{CATALOGS_PATH}?id={id}"), "get")
}

/// Adds, updates and deletes; per-item failures come back inside a 200.
async fn change(account: Account, body: Bytes) -> Response {
    let batch = match batch::parse(&body) {
        Ok(batch) => batch,
        Err(message) => return v2_error(StatusCode::BAD_REQUEST, "400", &message),
    };
    let now = now_unix();
    let mut s = account.lock();
    let outcome = batch::apply(&mut s.catalogs, batch, now);
    for id in &outcome.deleted {
        s.forget_catalog(*id);
    }
    let body = render_outcome(&outcome, s.echo_request_id, now);
    hal(body, s.numbers_as_strings)
}

/// Items in processing order (updates, then adds); deletes produce no item.
fn render_outcome(out: &Outcome, echo_request_id: bool, now: i64) -> Value {
    let updated = out
        .updated
        .iter()
        .map(|id| json!({"id": id, "updated_at": now, "_links": item_links(*id)}));
    let added = out.added.iter().map(|a| {
        let mut item = Map::new();
        item.insert("id".into(), json!(a.id));
        if let Some(request_id) = a.request_id.as_ref().filter(|_| echo_request_id) {
            item.insert("request_id".into(), request_id.clone());
        }
        item.insert("_links".into(), item_links(a.id));
        Value::Object(item)
    });
    let mut embedded = Map::new();
    embedded.insert("items".into(), updated.chain(added).collect());
    if !out.errors.is_empty() {
        embedded.insert("errors".into(), render_errors(&out.errors));
    }
    json!({"_links": links(CATALOGS_PATH, "post"), "_embedded": embedded})
}

fn render_errors(errors: &ItemErrors) -> Value {
    let mut map = Map::new();
    for (key, list) in [
        ("add", &errors.add),
        ("update", &errors.update),
        ("delete", &errors.delete),
    ] {
        if !list.is_empty() {
            let entries = list
                .iter()
                .map(|(k, m)| (k.clone(), Value::String(m.clone())));
            map.insert(key.into(), Value::Object(entries.collect()));
        }
    }
    Value::Object(map)
}

async fn not_found(uri: Uri) -> Response {
    let message = format!("{} is not part of the sandbox account", uri.path());
    v2_error(StatusCode::NOT_FOUND, "404", &message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::batch::Added;

    #[test]
    fn an_outcome_renders_updates_then_adds_and_errors_only_when_present() {
        let out = Outcome {
            added: vec![Added {
                id: 7002,
                request_id: Some(json!(3)),
            }],
            updated: vec![7001],
            ..Outcome::default()
        };
        let v = render_outcome(&out, true, 42);
        let items = &v["_embedded"]["items"];
        assert_eq!(items[0]["updated_at"], json!(42));
        assert_eq!(items[1]["request_id"], json!(3));
        assert!(v["_embedded"].get("errors").is_none());
        let v = render_outcome(&out, false, 42);
        assert!(v["_embedded"]["items"][1].get("request_id").is_none());
    }
}
