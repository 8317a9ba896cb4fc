//! The per-field rule of the three-way merge.

use crate::catalog::{Field, Mode, Value};

/// What to do with one field of one catalog.
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

/// The three values of a field. `local = None` means "not managed" (a NULL flag), `remote =
/// None` "absent from the pull", `base = None` "never agreed" (no base row, or unknown).
#[derive(Debug, Clone, Copy)]
pub(super) struct Triple<'a> {
    pub base: Option<&'a Value>,
    pub local: Option<&'a Value>,
    pub remote: Option<&'a Value>,
}

/// Decides one field. `sort` cannot be sent through API v2, so the desired row mirrors the
/// account's value for it.
pub(super) fn merge_field(field: Field, t: Triple<'_>, mode: Mode) -> FieldMerge {
    let Some(local) = t.local else {
        return FieldMerge::Keep;
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

fn three_way(base: Option<&Value>, local: &Value, remote: &Value, mode: Mode) -> FieldMerge {
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
        };
        assert_eq!(merge_field(Field::Sort, triple, Mode::Both), Adopt);
        let local_edit = Triple {
            base: Some(&one),
            local: Some(&two),
            remote: Some(&one),
        };
        assert_eq!(merge_field(Field::Sort, local_edit, Mode::Both), Adopt);
        assert_eq!(merge_field(Field::Sort, local_edit, Mode::Push), Keep);
    }
}
