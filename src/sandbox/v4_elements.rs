//! `/api/v4/catalogs/{id}/elements` (pages, one element, `POST`, `PATCH`) and
//! `/api/v4/catalogs/{id}/custom_fields`: the element endpoints catalog-sync uses.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::account::{Account, Shared, now_unix};
use super::element_items::{check_add, check_patch};
use super::elements::{API_USER, Actor, Element, Elements};
use super::invalid::{Checked, Settled, array_body, sent_request_id};
use super::paging::Paging;
use super::render::{V4_CATALOGS, with_request_id, written};
use super::respond::{body_refused, hal, http_problem, no_content, validation_failed};

pub fn routes() -> Router {
    Router::new()
        .route(
            "/api/v4/catalogs/{id}/elements",
            get(list).post(add).patch(update),
        )
        .route("/api/v4/catalogs/{id}/elements/{element_id}", get(one))
        .route("/api/v4/catalogs/{id}/custom_fields", get(fields))
}

type Params = Path<HashMap<String, String>>;
type Pairs = Query<Vec<(String, String)>>;

fn param(p: &HashMap<String, String>, key: &str) -> Option<i64> {
    p.get(key)?.parse().ok()
}

/// The catalog a request names, if the account has it.
fn catalog(s: &Shared, p: &HashMap<String, String>) -> Option<i64> {
    param(p, "id").filter(|id| s.catalogs.get(*id).is_some())
}

/// What a request naming an unknown catalog gets.
fn no_catalog() -> Response {
    http_problem(StatusCode::NOT_FOUND, "catalog not found")
}

fn bad_request(detail: &str) -> Response {
    http_problem(StatusCode::BAD_REQUEST, detail)
}

/// Ids from `filter[id]=5`, `filter[id][]=5&filter[id][]=6` (or `5,6`), sorted; `None`: no filter.
fn filter_ids(q: &[(String, String)]) -> Result<Option<Vec<i64>>, String> {
    let mut ids = Vec::new();
    let mut any = false;
    for (key, value) in q.iter().filter(|(k, _)| k.starts_with("filter[id]")) {
        any = true;
        for raw in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
            let id = raw
                .parse()
                .map_err(|_| format!("{key} takes element ids, not \"{raw}\""))?;
            ids.push(id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(any.then_some(ids))
}

/// A page of elements in id order; 204 with an empty body when the page or filter has none.
async fn list(account: Account, Path(p): Params, Query(q): Pairs) -> Response {
    let (paging, ids) = match (Paging::from_query(&q), filter_ids(&q)) {
        (Ok(paging), Ok(ids)) => (paging, ids),
        (Err(detail), _) | (_, Err(detail)) => return bad_request(&detail),
    };
    let s = account.lock();
    let Some(cid) = catalog(&s, &p) else {
        return no_catalog();
    };
    let (total, page) = page_of(&s.elements, cid, ids.as_deref(), paging);
    if page.is_empty() {
        return no_content();
    }
    let view = s.view();
    let fields = s.fields.of(cid);
    let extra: String = ids
        .iter()
        .flatten()
        .map(|id| format!("&filter[id][]={id}"))
        .collect();
    let href = view.href(&format!("{V4_CATALOGS}/{cid}/elements"));
    let elements: Vec<Value> = page.iter().map(|e| view.element(e, fields)).collect();
    let body = json!({
        "_page": paging.page,
        "_links": paging.links(&href, &extra, total),
        "_embedded": {"elements": elements},
    });
    hal(body, s.numbers_as_strings)
}

/// The matching elements' count and this page of them.
fn page_of<'e>(
    elements: &'e Elements,
    cid: i64,
    ids: Option<&[i64]>,
    paging: Paging,
) -> (usize, Vec<&'e Element>) {
    let Some(ids) = ids else {
        let page = elements.of(cid).skip(paging.offset()).take(paging.limit);
        return (elements.count(cid), page.collect());
    };
    let found: Vec<&Element> = ids.iter().filter_map(|id| elements.get(cid, *id)).collect();
    let page = found
        .iter()
        .skip(paging.offset())
        .take(paging.limit)
        .copied();
    (found.len(), page.collect())
}

/// One element; 204 when the catalog has no such element.
async fn one(account: Account, Path(p): Params) -> Response {
    let s = account.lock();
    let Some(cid) = catalog(&s, &p) else {
        return no_catalog();
    };
    match param(&p, "element_id").and_then(|id| s.elements.get(cid, id)) {
        Some(e) => hal(s.view().element(e, s.fields.of(cid)), s.numbers_as_strings),
        None => no_content(),
    }
}

async fn add(account: Account, Path(p): Params, body: Bytes) -> Response {
    let items = match array_body(&body) {
        Ok(items) => items,
        Err(refused) => return body_refused(refused),
    };
    let by = Actor {
        user: API_USER,
        now: now_unix(),
    };
    let mut guard = account.lock();
    let s = &mut *guard;
    let Some(cid) = catalog(s, &p) else {
        return no_catalog();
    };
    let fields = s.fields.of(cid);
    let checked = items
        .iter()
        .enumerate()
        .map(|(i, raw)| check_add(i, raw, fields));
    let Settled { apply, rejected } = s.validation_400.settle(checked.collect());
    let added: Vec<(String, i64)> = apply
        .into_iter()
        .map(|(rid, new)| (rid, s.elements.add(cid, new.name, new.values, by)))
        .collect();
    if !rejected.is_empty() {
        return validation_failed(&rejected);
    }
    answer(s, cid, added.into_iter().map(|(rid, id)| (Some(rid), id)))
}

async fn update(account: Account, Path(p): Params, body: Bytes) -> Response {
    let items = match array_body(&body) {
        Ok(items) => items,
        Err(refused) => return body_refused(refused),
    };
    let by = Actor {
        user: API_USER,
        now: now_unix(),
    };
    let mut guard = account.lock();
    let s = &mut *guard;
    let Some(cid) = catalog(s, &p) else {
        return no_catalog();
    };
    let (fields, elements) = (s.fields.of(cid), &s.elements);
    let exists = |id: i64| elements.get(cid, id).is_some();
    let checked = items.iter().enumerate().map(|(i, raw)| {
        let checked = check_patch(i, raw, fields, exists);
        let sent = sent_request_id(raw);
        Checked {
            request_id: checked.request_id,
            result: checked.result.map(|patch| (sent, patch)),
        }
    });
    let Settled { apply, rejected } = s.validation_400.settle(checked.collect());
    let mut changed = Vec::with_capacity(apply.len());
    for (rid, (sent, patch)) in apply {
        s.elements.change(patch.id, patch.change, by);
        changed.push((sent.then_some(rid), patch.id));
    }
    if !rejected.is_empty() {
        return validation_failed(&rejected);
    }
    answer(s, cid, changed.into_iter())
}

/// The 200 of a write: the elements as they now are, each with its `request_id` (if any and
/// while the echo is on).
fn answer(s: &Shared, cid: i64, done: impl Iterator<Item = (Option<String>, i64)>) -> Response {
    let view = s.view();
    let fields = s.fields.of(cid);
    let items = done
        .filter_map(|(rid, id)| {
            let e = s.elements.get(cid, id)?;
            Some(with_request_id(
                view.element(e, fields),
                rid.filter(|_| s.echo_request_id),
            ))
        })
        .collect();
    let path = format!("{V4_CATALOGS}/{cid}/elements");
    hal(
        written(&view, &path, "elements", items),
        s.numbers_as_strings,
    )
}

/// A page of the catalog's custom fields; 204 when it has none.
async fn fields(account: Account, Path(p): Params, Query(q): Pairs) -> Response {
    let paging = match Paging::from_query(&q) {
        Ok(paging) => paging,
        Err(detail) => return bad_request(&detail),
    };
    let s = account.lock();
    let Some(cid) = catalog(&s, &p) else {
        return no_catalog();
    };
    let view = s.view();
    let all = s.fields.of(cid);
    let page: Vec<Value> = all
        .iter()
        .skip(paging.offset())
        .take(paging.limit)
        .map(|f| view.field(f))
        .collect();
    if page.is_empty() {
        return no_content();
    }
    let href = view.href(&format!("{V4_CATALOGS}/{cid}/custom_fields"));
    let body = json!({
        "_total_items": all.len(),
        "_page": paging.page,
        "_page_count": paging.page_count(all.len()),
        "_links": paging.links(&href, "", all.len()),
        "_embedded": {"custom_fields": page},
    });
    hal(body, s.numbers_as_strings)
}
