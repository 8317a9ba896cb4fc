//! A plan for machines (SPEC §8): each decision as the changes it makes, in the keys scripts
//! rely on, rather than the merge's internal structures. One function per list of `plan
//! --json` (`changes`, `conflicts`, `invalid`, `notices`), for catalogs and elements alike.
//!
//! A change is `{"entity","action","account","catalog_remote_id","remote_id","desired_id",
//! "name","before","after"}`: `action` is `add`/`update`/`delete` for what goes to the account,
//! `adopt_add`/`adopt_update`/`adopt_delete` for what comes into the database (a row kept while
//! its record is gone from the account is an `adopt_update` of `remote_id` to null).
//! `before`/`after` hold the changed fields only (`null` for the side that has none; an update
//! names `name` only when it changes), keyed as the database names them: a catalog's columns,
//! an element's `name` and custom field ids as decimal strings.

use serde_json::{Map, Value, json};

use crate::reconcile::{Adopt, Conflict, Decision, InvalidRow, Notice, Plan, Push};
use crate::record::{FieldKey, Record, RemoteId};

/// Whose records a plan holds: the account, and for elements their catalog.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub account: &'a str,
    /// The elements' catalog; `None` for catalogs (and for a catalog still to be created).
    pub catalog_remote_id: Option<RemoteId>,
}

/// Every change of `plan`, in the plan's order: for one record, what goes to the account first.
pub fn changes<R: Record>(plan: &Plan<R>, scope: Scope) -> Vec<Value> {
    let mut out = vec![];
    for d in &plan.decisions {
        out.extend(d.push.as_ref().map(|p| push(d, p, scope)));
        out.extend(d.adopt.as_ref().map(|a| adopt(d, a, scope)));
    }
    out
}

/// `{"entity","account","catalog_remote_id","remote_id","desired_id","name","field","base",
/// "local","remote","resolution"}` per conflict; `field` null is the whole record (a delete
/// against an edit), `resolution` null is held for a person.
pub fn conflicts<K: FieldKey>(entity: &str, list: &[Conflict<K>], scope: Scope) -> Vec<Value> {
    let one = |c: &Conflict<K>| {
        json!({
            "entity": entity,
            "account": scope.account,
            "catalog_remote_id": scope.catalog_remote_id,
            "remote_id": c.remote_id,
            "desired_id": c.desired_id,
            "name": c.name,
            "field": c.field.map(|f| f.to_string()),
            "base": c.base,
            "local": c.local,
            "remote": c.remote,
            "resolution": c.resolution.map(|s| s.as_str()),
        })
    };
    list.iter().map(one).collect()
}

/// `{"entity","account","catalog_remote_id","desired_id","remote_id","name","field","problem"}`
/// per desired row skipped until a person fixes it.
pub fn invalid(list: &[InvalidRow], scope: Scope) -> Vec<Value> {
    let one = |i: &InvalidRow| {
        json!({
            "entity": i.entity,
            "account": scope.account,
            "catalog_remote_id": scope.catalog_remote_id,
            "desired_id": i.desired_id,
            "remote_id": i.remote_id,
            "name": i.name,
            "field": i.field,
            "problem": i.problem,
        })
    };
    list.iter().map(one).collect()
}

/// `{"entity","account","catalog_remote_id","remote_id","desired_id","message"}` per thing the
/// plan deliberately does not do.
pub fn notices(entity: &str, list: &[Notice], scope: Scope) -> Vec<Value> {
    let one = |n: &Notice| {
        json!({
            "entity": entity,
            "account": scope.account,
            "catalog_remote_id": scope.catalog_remote_id,
            "remote_id": n.remote_id,
            "desired_id": n.desired_id,
            "message": n.message,
        })
    };
    list.iter().map(one).collect()
}

/// One change of `d`, with its own remote id (an add has none yet).
fn change<R: Record>(
    d: &Decision<R>,
    scope: Scope,
    action: &str,
    remote_id: Option<RemoteId>,
    sides: (Value, Value),
) -> Value {
    let (before, after) = sides;
    json!({
        "entity": R::ENTITY,
        "action": action,
        "account": scope.account,
        "catalog_remote_id": scope.catalog_remote_id,
        "remote_id": remote_id,
        "desired_id": d.desired_id,
        "name": d.name,
        "before": before,
        "after": after,
    })
}

fn push<R: Record>(d: &Decision<R>, p: &Push<R>, scope: Scope) -> Value {
    match p {
        Push::Add { fields, .. } => change(d, scope, "add", None, (Value::Null, every(fields))),
        Push::Update { id, fields } => {
            let keys = changed(set_keys(fields), fields, d.before.as_ref());
            let sides = (only(d.before.as_ref(), &keys), only(Some(fields), &keys));
            change(d, scope, "update", Some(*id), sides)
        }
        Push::Delete { id } => {
            let before = d.before.as_ref().map_or(Value::Null, every);
            change(d, scope, "delete", Some(*id), (before, Value::Null))
        }
    }
}

fn adopt<R: Record>(d: &Decision<R>, a: &Adopt<R>, scope: Scope) -> Value {
    match a {
        Adopt::Insert { remote_id, fields } => {
            let sides = (Value::Null, every(fields));
            change(d, scope, "adopt_add", Some(*remote_id), sides)
        }
        Adopt::Update { changes, .. } => {
            let mut after = d.before.clone().unwrap_or_else(|| R::named(d.name.clone()));
            for (key, value) in changes {
                after.set(*key, value.clone());
            }
            let keys = changes.iter().map(|(k, _)| *k).collect();
            let keys = changed(keys, &after, d.before.as_ref());
            let mut new = Map::new();
            for (key, value) in changes.iter().filter(|(k, _)| keys.contains(k)) {
                new.insert(key.to_string(), json!(value));
            }
            let sides = (only(d.before.as_ref(), &keys), Value::Object(new));
            change(d, scope, "adopt_update", d.remote_id, sides)
        }
        Adopt::Delete { .. } => {
            let before = d.before.as_ref().map_or(Value::Null, every);
            change(d, scope, "adopt_delete", d.remote_id, (before, Value::Null))
        }
        Adopt::Unlink { .. } => {
            let sides = (
                json!({"remote_id": d.remote_id}),
                json!({"remote_id": null}),
            );
            change(d, scope, "adopt_update", d.remote_id, sides)
        }
    }
}

/// The keys with a value in `r` (the name included).
fn set_keys<R: Record>(r: &R) -> Vec<R::Key> {
    r.keys()
        .into_iter()
        .filter(|k| r.get(*k).is_some())
        .collect()
}

/// `keys` without the name when `after` keeps the name it had `before`.
fn changed<R: Record>(keys: Vec<R::Key>, after: &R, before: Option<&R>) -> Vec<R::Key> {
    let same_name = before.is_some_and(|b| b.name() == after.name());
    let name = <R::Key as FieldKey>::NAME;
    keys.into_iter()
        .filter(|k| !(same_name && *k == name))
        .collect()
}

/// Every field with a value in `r`, by key.
fn every<R: Record>(r: &R) -> Value {
    only(Some(r), &set_keys(r))
}

/// `keys` of `r`, each `null` where `r` has no value (or there is no `r`).
fn only<R: Record>(r: Option<&R>, keys: &[R::Key]) -> Value {
    let mut map = Map::new();
    for key in keys {
        let value = r.and_then(|r| r.get(*key));
        map.insert(key.to_string(), json!(value));
    }
    Value::Object(map)
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
