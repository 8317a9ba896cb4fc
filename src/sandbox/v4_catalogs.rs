//! `/api/v4/catalogs`: the paged list, one catalog, adds (`POST`) and updates (`PATCH`).
//! v4 documents no delete, so `DELETE` gets axum's 405 (with `Allow`), as a server without
//! that route would answer.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::account::{Account, Shared, now_unix};
use super::catalog_items::{self, V4Outcome};
use super::invalid::array_body;
use super::paging::Paging;
use super::render::{V4_CATALOGS, with_request_id, written};
use super::respond::{body_refused, hal, http_problem, no_content, validation_failed};

pub fn routes() -> Router {
    Router::new()
        .route(V4_CATALOGS, get(list).post(add).patch(update))
        .route("/api/v4/catalogs/{id}", get(one))
}

/// A page of catalogs in id order; 204 when the page is empty.
async fn list(account: Account, Query(q): Query<Vec<(String, String)>>) -> Response {
    let paging = match Paging::from_query(&q) {
        Ok(p) => p,
        Err(detail) => return http_problem(StatusCode::BAD_REQUEST, &detail),
    };
    let s = account.lock();
    let view = s.view();
    let total = s.catalogs.iter().count();
    let page: Vec<Value> = s
        .catalogs
        .iter()
        .skip(paging.offset())
        .take(paging.limit)
        .map(|c| view.catalog(c))
        .collect();
    if page.is_empty() {
        return no_content();
    }
    let body = json!({
        "_page": paging.page,
        "_links": paging.links(&view.href(V4_CATALOGS), "", total),
        "_embedded": {"catalogs": page},
    });
    hal(body, s.numbers_as_strings)
}

/// One catalog; 404 problem JSON when there is none.
async fn one(account: Account, Path(p): Path<HashMap<String, String>>) -> Response {
    let s = account.lock();
    let id = p.get("id").and_then(|raw| raw.parse::<i64>().ok());
    match id.and_then(|id| s.catalogs.get(id)) {
        Some(c) => hal(s.view().catalog(c), s.numbers_as_strings),
        None => http_problem(StatusCode::NOT_FOUND, "catalog not found"),
    }
}

async fn add(account: Account, body: Bytes) -> Response {
    write(account, body, catalog_items::add)
}

async fn update(account: Account, body: Bytes) -> Response {
    write(account, body, catalog_items::update)
}

type Apply =
    fn(&mut super::state::Catalogs, &[Value], super::invalid::Validation400, i64) -> V4Outcome;

/// Runs a v4 write; any refused item makes the answer a 400 (what was applied then depends on
/// the `validation_400` setting).
fn write(account: Account, body: Bytes, apply: Apply) -> Response {
    let items = match array_body(&body) {
        Ok(items) => items,
        Err(refused) => return body_refused(refused),
    };
    let mut s = account.lock();
    let mode = s.validation_400;
    let out = apply(&mut s.catalogs, &items, mode, now_unix());
    if !out.rejected.is_empty() {
        return validation_failed(&out.rejected);
    }
    answer(&s, &out)
}

fn answer(s: &Shared, out: &V4Outcome) -> Response {
    let view = s.view();
    let items = out
        .done
        .iter()
        .filter_map(|d| {
            let c = s.catalogs.get(d.id)?;
            let rid = d.request_id.clone().filter(|_| s.echo_request_id);
            Some(with_request_id(view.catalog(c), rid))
        })
        .collect();
    hal(
        written(&view, V4_CATALOGS, "catalogs", items),
        s.numbers_as_strings,
    )
}
