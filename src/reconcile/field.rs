//! The per-field rule of the three-way merge, the same for every kind of record.

use crate::record::{FieldKey, Mode};

/// What to do with one field of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldMerge {
    /// Nothing to send or adopt.
    Keep,
    /// Send the local value.
    Push,
    /// Write the remote value into the desired row.
    Adopt,
    /// Local edit that `mode = pull` will not send.
    LocalPending,
    /// Changed differently on both sides: the policy decides.
    Conflict,
}

/// The three values of a field. `local = None` means "not managed" (a NULL flag, an absent
/// key), `remote = None` "absent from the pull", `base = None` "never agreed" (no base row, or
/// unknown). `new_key`: the base row exists but has never known this field.
#[derive(Debug)]
pub(super) struct Triple<'a, V> {
    pub base: Option<&'a V>,
    pub local: Option<&'a V>,
    pub remote: Option<&'a V>,
    pub new_key: bool,
}

// Not derived: a derive would ask `V: Copy`, but only references are copied.
impl<V> Clone for Triple<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for Triple<'_, V> {}

/// Decides one field. A field the API cannot set (a catalog's `sort` through API v2) mirrors
/// the account's value.
pub(super) fn merge_field<K: FieldKey, V: PartialEq>(
    field: K,
    t: Triple<'_, V>,
    mode: Mode,
) -> FieldMerge {
    let Some(local) = t.local else {
        // Not managed, unless the field is new since the record was last synced and this kind
        // of record manages new fields from the account's value on.
        let adopt_new = t.new_key && field.adopted_when_new() && t.remote.is_some();
        return if adopt_new && mode != Mode::Push {
            FieldMerge::Adopt
        } else {
            FieldMerge::Keep
        };
    };
    if !field.is_pushable() {
        return match t.remote {
            Some(r) if r != local && mode != Mode::Push => FieldMerge::Adopt,
            _ => FieldMerge::Keep,
        };
    }
    let Some(remote) = t.remote else {
        // Absent from the pull: compare local against base only. An unknown base has never
        // seen this value, so it is sent once and the base learns it.
        return match t.base {
            Some(b) if b == local => FieldMerge::Keep,
            _ if mode == Mode::Pull => FieldMerge::LocalPending,
            _ => FieldMerge::Push,
        };
    };
    if local == remote {
        return FieldMerge::Keep;
    }
    match mode {
        Mode::Push => FieldMerge::Push,
        Mode::Both | Mode::Pull => three_way(t.base, local, remote, mode),
    }
}

fn three_way<V: PartialEq>(base: Option<&V>, local: &V, remote: &V, mode: Mode) -> FieldMerge {
    let Some(base) = base else {
        // Never agreed (a row linked by hand): the desired state is the intent.
        return if mode == Mode::Pull {
            FieldMerge::Adopt
        } else {
            FieldMerge::Push
        };
    };
    match (local != base, remote != base) {
        (false, false) => FieldMerge::Keep,
        (true, false) if mode == Mode::Pull => FieldMerge::LocalPending,
        (true, false) => FieldMerge::Push,
        (false, true) => FieldMerge::Adopt,
        // local != remote here, so both changed to different values.
        (true, true) => FieldMerge::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Field, Value};
    use crate::element::ElementKey;
    use FieldMerge::*;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn run(
        base: Option<&str>,
        local: Option<&str>,
        remote: Option<&str>,
        mode: Mode,
    ) -> FieldMerge {
        let (b, l, r) = (base.map(t), local.map(t), remote.map(t));
        let triple = Triple {
            base: b.as_ref(),
            local: l.as_ref(),
            remote: r.as_ref(),
            new_key: false,
        };
        merge_field(Field::Name, triple, mode)
    }

    #[test]
    fn one_sided_changes_win_in_two_way_mode() {
        assert_eq!(run(Some("a"), Some("a"), Some("a"), Mode::Both), Keep);
        assert_eq!(run(Some("a"), Some("b"), Some("a"), Mode::Both), Push);
        assert_eq!(run(Some("a"), Some("a"), Some("b"), Mode::Both), Adopt);
    }

    #[test]
    fn equal_changes_are_agreement_and_different_ones_conflict() {
        assert_eq!(run(Some("a"), Some("b"), Some("b"), Mode::Both), Keep);
        assert_eq!(run(Some("a"), Some("b"), Some("c"), Mode::Both), Conflict);
    }

    #[test]
    fn a_field_missing_from_the_pull_is_compared_with_the_base_only() {
        assert_eq!(run(Some("a"), Some("b"), None, Mode::Both), Push);
        assert_eq!(run(Some("a"), Some("a"), None, Mode::Both), Keep);
        assert_eq!(run(None, Some("a"), None, Mode::Both), Push);
        assert_eq!(run(Some("a"), Some("b"), None, Mode::Pull), LocalPending);
    }

    #[test]
    fn an_unmanaged_field_is_never_sent_or_adopted() {
        for mode in [Mode::Both, Mode::Push, Mode::Pull] {
            assert_eq!(run(Some("a"), None, Some("b"), mode), Keep);
        }
    }

    #[test]
    fn push_mode_reverts_every_remote_difference() {
        assert_eq!(run(Some("a"), Some("a"), Some("b"), Mode::Push), Push);
        assert_eq!(run(Some("a"), Some("b"), Some("c"), Mode::Push), Push);
        assert_eq!(run(None, Some("a"), Some("b"), Mode::Push), Push);
    }

    #[test]
    fn pull_mode_adopts_and_never_pushes() {
        assert_eq!(run(Some("a"), Some("a"), Some("b"), Mode::Pull), Adopt);
        assert_eq!(
            run(Some("a"), Some("b"), Some("a"), Mode::Pull),
            LocalPending
        );
        assert_eq!(run(Some("a"), Some("b"), Some("c"), Mode::Pull), Conflict);
        assert_eq!(run(None, Some("a"), Some("b"), Mode::Pull), Adopt);
    }

    #[test]
    fn without_a_base_the_desired_value_is_the_intent() {
        assert_eq!(run(None, Some("a"), Some("b"), Mode::Both), Push);
        assert_eq!(run(None, Some("a"), Some("a"), Mode::Both), Keep);
    }

    #[test]
    fn sort_mirrors_the_account_because_api_v2_cannot_set_it() {
        let (one, two) = (Value::Int(1), Value::Int(2));
        let triple = Triple {
            base: Some(&one),
            local: Some(&one),
            remote: Some(&two),
            new_key: false,
        };
        assert_eq!(merge_field(Field::Sort, triple, Mode::Both), Adopt);
        let local_edit = Triple {
            base: Some(&one),
            local: Some(&two),
            remote: Some(&one),
            new_key: false,
        };
        assert_eq!(merge_field(Field::Sort, local_edit, Mode::Both), Adopt);
        assert_eq!(merge_field(Field::Sort, local_edit, Mode::Push), Keep);
    }

    #[test]
    fn a_custom_field_new_since_the_last_sync_is_adopted_but_a_catalog_flag_is_not() {
        let v = serde_json::json!(12);
        let new = Triple {
            base: None,
            local: None,
            remote: Some(&v),
            new_key: true,
        };
        assert_eq!(merge_field(ElementKey::Field(7), new, Mode::Both), Adopt);
        assert_eq!(merge_field(ElementKey::Field(7), new, Mode::Pull), Adopt);
        assert_eq!(merge_field(ElementKey::Field(7), new, Mode::Push), Keep);
        let known = Triple {
            new_key: false,
            ..new
        };
        assert_eq!(merge_field(ElementKey::Field(7), known, Mode::Both), Keep);
        let flag = Value::Bool(true);
        let catalog = Triple {
            base: None,
            local: None,
            remote: Some(&flag),
            new_key: true,
        };
        assert_eq!(
            merge_field(Field::CanAddElements, catalog, Mode::Both),
            Keep
        );
    }
}
