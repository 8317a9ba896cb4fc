//! The elements of one catalog through the merge core. The account's elements come as a pull
//! fills them (the canonical empty value for every field they have none for, since the API
//! leaves empty fields out; a value that could not be read stays unknown): see the sync layer's
//! `pull::fill`. Each desired row's values are checked against the catalog's fields and put in
//! canonical form: a row with a value its field cannot hold is reported (by id, name and field)
//! and skipped, the rest goes on. An add's base names every field of the catalog (those it
//! leaves out as empty), so that they stay unmanaged after it.

use std::collections::{BTreeSet, HashMap};

use super::{BaseAfter, InvalidRow, MergeInput, Plan, Push, merge_records};
use crate::element::canon;
use crate::element::{DesiredElement, ElementFields, FieldDef, FieldId};
use crate::record::{Record, RemoteId};

/// Merges a catalog's desired elements with the account's (filled, as a pull gives them), given
/// the catalog's fields.
pub fn merge_elements(
    input: &MergeInput<'_, ElementFields>,
    fields: &[FieldDef],
) -> Plan<ElementFields> {
    let remote = input.remote;
    let known: BTreeSet<RemoteId> = input
        .base
        .iter()
        .map(|b| b.remote_id)
        .chain(remote.iter().map(|r| r.id))
        .collect();
    let (local, invalid) = check(input.local, fields, &known);
    let input = MergeInput {
        local: &local,
        remote,
        ..input.clone()
    };
    let mut plan = merge_records(&input, invalid);
    for d in &mut plan.decisions {
        if let (Some(Push::Add { .. }), BaseAfter::Set(base)) = (&d.push, &mut d.base_after) {
            // The account creates the element with every field left out empty: so the base
            // records them, and the next run sees no field it has never known (which it would
            // adopt into the desired row, managing what the person left unmanaged).
            canon::fill_known(base, fields);
        }
    }
    plan
}

/// The desired rows in canonical form, and the ones that cannot be sent as they are.
pub fn check(
    local: &[DesiredElement],
    fields: &[FieldDef],
    known: &BTreeSet<RemoteId>,
) -> (Vec<DesiredElement>, Vec<InvalidRow>) {
    let defs: HashMap<FieldId, &FieldDef> = fields.iter().map(|f| (f.id, f)).collect();
    let mut valid = Vec::with_capacity(local.len());
    let mut invalid = Vec::new();
    for row in local {
        match canonical(row, &defs, known) {
            Ok(fields) => valid.push(DesiredElement {
                fields,
                ..row.clone()
            }),
            Err((field, problem)) => invalid.push(InvalidRow {
                entity: ElementFields::ENTITY,
                desired_id: row.id,
                remote_id: row.remote_id,
                name: row.fields.name.clone(),
                field,
                problem,
            }),
        }
    }
    (valid, invalid)
}

/// A row's values in canonical form, or the field (if any) and what is wrong.
fn canonical(
    row: &DesiredElement,
    defs: &HashMap<FieldId, &FieldDef>,
    known: &BTreeSet<RemoteId>,
) -> Result<ElementFields, (Option<String>, String)> {
    if row.fields.name.trim().is_empty() {
        return Err((None, "name is empty; set a name".into()));
    }
    if let Some(id) = row.remote_id.filter(|id| !known.contains(id)) {
        return Err((
            None,
            format!(
                "remote_id {id} is not an element of this catalog in the account; set remote_id \
                 to NULL to create it, or delete the row"
            ),
        ));
    }
    let mut out = ElementFields::named(row.fields.name.clone());
    for (id, value) in &row.fields.values {
        let Some(def) = defs.get(id) else {
            return Err((
                Some(id.to_string()),
                "the catalog has no such field (see catalog_fields); remove the key".into(),
            ));
        };
        let value = canon::from_person(def, value)
            .map_err(|problem| (Some(format!("{id} {:?}", def.name)), problem))?;
        out.values.insert(*id, value);
    }
    Ok(out)
}
