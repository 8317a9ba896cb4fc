//! Desired rows that cannot be sent as they are: reported by id and name, and skipped.

use std::collections::BTreeMap;

use crate::catalog::{
    CREATABLE_TYPES, DesiredCatalog, KNOWN_TYPES, RemoteCatalog, RemoteId, SyncedCatalog,
};
use crate::plan::InvalidRow;

/// Checks every desired row against what the API accepts and what the account has.
pub fn validate(
    local: &[DesiredCatalog],
    base: &[SyncedCatalog],
    remote: &[RemoteCatalog],
) -> Vec<InvalidRow> {
    let remote_by_id: BTreeMap<RemoteId, &RemoteCatalog> =
        remote.iter().map(|r| (r.id, r)).collect();
    let in_base = |id: RemoteId| base.iter().any(|b| b.remote_id == id);
    local
        .iter()
        .filter_map(|row| {
            let remote_type = row
                .remote_id
                .and_then(|id| remote_by_id.get(&id))
                .and_then(|r| r.fields.kind.as_deref());
            let problem = problem(row, remote_type, |id| {
                remote_by_id.contains_key(&id) || in_base(id)
            })?;
            Some(InvalidRow {
                entity: "catalog",
                desired_id: row.id,
                remote_id: row.remote_id,
                name: row.fields.name.clone(),
                field: None,
                problem,
            })
        })
        .collect()
}

fn problem(
    row: &DesiredCatalog,
    remote_type: Option<&str>,
    known_id: impl Fn(RemoteId) -> bool,
) -> Option<String> {
    if row.fields.name.trim().is_empty() {
        return Some("name is empty; set a name".into());
    }
    let kind = row.fields.kind.as_deref().unwrap_or("regular");
    let known = KNOWN_TYPES.contains(&kind) || remote_type == Some(kind);
    if !known {
        return Some(format!(
            "unknown type {kind:?}; expected one of {}",
            KNOWN_TYPES.join(", ")
        ));
    }
    match row.remote_id {
        None if !CREATABLE_TYPES.contains(&kind) => Some(format!(
            "type {kind:?} cannot be created through the API; use {}",
            CREATABLE_TYPES.join(" or ")
        )),
        Some(id) if !known_id(id) => Some(format!(
            "remote_id {id} is not in the account; set remote_id to NULL to create it, \
             or delete the row"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Fields;

    fn row(id: i64, remote_id: Option<i64>, name: &str, kind: &str) -> DesiredCatalog {
        let mut fields = Fields::named(name);
        fields.kind = Some(kind.into());
        DesiredCatalog {
            id,
            remote_id,
            fields,
            revision: 0,
        }
    }

    fn remote(id: i64, kind: &str) -> RemoteCatalog {
        let mut fields = Fields::named("x");
        fields.kind = Some(kind.into());
        RemoteCatalog::new(id, fields)
    }

    fn problems(local: &[DesiredCatalog], remote: &[RemoteCatalog]) -> Vec<(i64, String)> {
        validate(local, &[], remote)
            .into_iter()
            .map(|i| (i.desired_id, i.problem))
            .collect()
    }

    #[test]
    fn a_valid_row_has_no_problem() {
        assert!(problems(&[row(1, None, "Goods", "regular")], &[]).is_empty());
    }

    #[test]
    fn an_empty_or_blank_name_is_reported() {
        let p = problems(
            &[row(1, None, "", "regular"), row(2, None, "  \t", "regular")],
            &[],
        );
        assert_eq!(p.len(), 2);
        assert!(p[0].1.contains("name is empty"));
    }

    #[test]
    fn an_unknown_type_is_reported_unless_the_account_uses_it() {
        let p = problems(&[row(1, None, "A", "gadgets")], &[]);
        assert!(p[0].1.contains("unknown type \"gadgets\""), "{p:?}");
        assert!(
            problems(
                &[row(1, Some(5), "A", "widget_list")],
                &[remote(5, "widget_list")]
            )
            .is_empty()
        );
    }

    #[test]
    fn a_type_the_api_cannot_create_is_reported_for_new_rows_only() {
        let p = problems(&[row(1, None, "P", "products")], &[]);
        assert!(p[0].1.contains("cannot be created"), "{p:?}");
        assert!(
            problems(
                &[row(1, Some(5), "P", "products")],
                &[remote(5, "products")]
            )
            .is_empty()
        );
    }

    #[test]
    fn a_remote_id_the_account_does_not_have_is_reported() {
        let p = problems(&[row(1, Some(99), "A", "regular")], &[]);
        assert!(
            p[0].1.contains("remote_id 99 is not in the account"),
            "{p:?}"
        );
    }

    #[test]
    fn the_message_names_the_row_by_id_and_name() {
        let invalid = validate(&[row(7, None, "", "regular")], &[], &[]);
        assert_eq!(
            invalid[0].to_string(),
            "desired_catalogs row id=7 name=\"\": name is empty; set a name"
        );
    }
}
