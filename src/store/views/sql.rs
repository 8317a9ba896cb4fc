//! The SQL of a catalog's view and of its INSTEAD OF triggers, built only from quoted pieces:
//! identifiers through [`ident`], text through [`literal`], and integers (field and catalog ids).
//!
//! The statements only use functions that every `sqlite3` with JSON support knows (`json_extract`,
//! `json_set`, `json_quote`, ...), because a person's `sqlite3` may be older than the SQLite
//! built into the daemon, and it is that `sqlite3` which runs the triggers.

use std::collections::HashSet;

use crate::element::{FieldDef, FieldId, Shape};
use crate::record::RemoteId;

/// The columns every view starts with; a field named like one of them gets its id appended.
const FIXED: [&str; 3] = ["id", "remote_id", "name"];

/// A key that no stored `fields` can hold (keys must be decimal): a value that must not be
/// written goes there and is removed again, so that one `json_set` serves every column.
const SKIP: &str = "'$.\" skip\"'";

/// At most this many path/value pairs per `json_set`: an SQLite before 3.48 takes at most 127
/// arguments, a person's `sqlite3` may be that old, and a trigger it cannot parse makes it refuse
/// the whole database ("malformed database schema").
const PAIRS_PER_CALL: usize = 40;

/// One created schema object: its name in `sqlite_master` and its exact `CREATE` statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Statement {
    pub name: String,
    pub sql: String,
}

/// A custom field as a column of the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub field: FieldId,
    pub name: String,
    pub shape: Shape,
}

pub(crate) fn view_name(catalog: RemoteId) -> String {
    format!("catalog_{catalog}")
}

/// `name` as an SQLite identifier: in double quotes, each `"` doubled. SQL text cannot carry NUL,
/// so a NUL (which no one types on purpose) becomes U+FFFD.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", clean(name).replace('"', "\"\""))
}

/// `text` as an SQL string literal: in single quotes, each `'` doubled.
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", clean(text).replace('\'', "''"))
}

fn clean(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

/// How SQLite compares identifiers: ASCII letters without case, everything else exactly
/// (`Цена` and `цена` are two columns, `Name` and `name` one).
fn folded(name: &str) -> String {
    clean(name).to_ascii_lowercase()
}

/// The custom columns, by `sort` then field id. A name shared by several fields, or taken by a
/// fixed column, gets ` #<field id>` on every field that has it: then no column silently changes
/// meaning when the account reorders its fields. Repeats until no two columns clash, since
/// `Цена #7` may be the plain name of a third field.
pub(crate) fn columns(fields: &[FieldDef]) -> Vec<Column> {
    let mut seen = HashSet::new();
    let mut fields: Vec<&FieldDef> = fields.iter().filter(|f| seen.insert(f.id)).collect();
    fields.sort_by_key(|f| (f.sort, f.id));
    let mut suffixed = vec![false; fields.len()];
    loop {
        let names: Vec<String> = (0..fields.len())
            .map(|i| label(fields[i], suffixed[i]))
            .collect();
        let folded: Vec<String> = names.iter().map(|n| folded(n)).collect();
        let taken = |i: usize| {
            let me = &folded[i];
            me.is_empty()
                || FIXED.contains(&me.as_str())
                || folded.iter().enumerate().any(|(j, n)| j != i && n == me)
        };
        let clashing: Vec<usize> = (0..names.len())
            .filter(|&i| !suffixed[i] && taken(i))
            .collect();
        if clashing.is_empty() {
            let columns = fields.iter().zip(names).map(|(f, name)| Column {
                field: f.id,
                name,
                shape: f.kind.shape(),
            });
            return columns.collect();
        }
        clashing.into_iter().for_each(|i| suffixed[i] = true);
    }
}

fn label(field: &FieldDef, suffixed: bool) -> String {
    match (suffixed, field.name.is_empty()) {
        (false, _) => field.name.clone(),
        (true, true) => format!("#{}", field.id),
        (true, false) => format!("{} #{}", field.name, field.id),
    }
}

/// The view and its three triggers, ordered by name as [`Statement`] sorts.
pub(crate) fn statements(catalog: RemoteId, columns: &[Column]) -> Vec<Statement> {
    let view = view_name(catalog);
    let mut all = vec![
        Statement {
            sql: select(&view, catalog, columns),
            name: view.clone(),
        },
        trigger(&view, "insert", &on_insert(&view, catalog, columns)),
        trigger(&view, "update", &on_update(&view, columns)),
        trigger(
            &view,
            "delete",
            "    DELETE FROM desired_elements WHERE id = OLD.id;",
        ),
    ];
    all.sort();
    all
}

fn path(field: FieldId) -> String {
    format!("'$.\"{field}\"'")
}

/// Every value reads as `fields` holds it: JSON strings as TEXT, numbers as numbers, true/false
/// as 1/0, arrays and objects as JSON text, null or an absent key as NULL.
fn select(view: &str, catalog: RemoteId, columns: &[Column]) -> String {
    let mut list = vec![
        "e.id AS \"id\"".to_owned(),
        "e.remote_id AS \"remote_id\"".to_owned(),
        "e.name AS \"name\"".to_owned(),
    ];
    list.extend(columns.iter().map(|c| {
        format!(
            "json_extract(e.fields, {}) AS {}",
            path(c.field),
            ident(&c.name)
        )
    }));
    format!(
        "CREATE VIEW {} AS\nSELECT {}\n  FROM desired_elements AS e\n  \
         JOIN desired_catalogs AS c ON c.id = e.desired_catalog_id\n \
         WHERE c.remote_id = {catalog}\n ORDER BY e.id",
        ident(view),
        list.join(",\n       ")
    )
}

fn trigger(view: &str, event: &str, body: &str) -> Statement {
    let name = format!("{view}_{event}");
    let sql = format!(
        "CREATE TRIGGER {} INSTEAD OF {} ON {}\nBEGIN\n{body}\nEND",
        ident(&name),
        event.to_ascii_uppercase(),
        ident(view)
    );
    Statement { name, sql }
}

/// `SELECT RAISE(ABORT, '<view>: <message>') WHERE <when>;`
fn refuse(view: &str, when: &str, message: &str) -> String {
    let message = literal(&format!("{view}: {message}"));
    format!("    SELECT RAISE(ABORT, {message}) WHERE {when};")
}

fn name_required(view: &str) -> String {
    refuse(
        view,
        "NEW.name IS NULL",
        "name must not be NULL: every element needs a name",
    )
}

fn on_insert(view: &str, catalog: RemoteId, columns: &[Column]) -> String {
    let pairs = columns.iter().map(|c| {
        let new = format!("NEW.{}", ident(&c.name));
        let path = format!(
            "CASE WHEN {new} IS NULL THEN {SKIP} ELSE {} END",
            path(c.field)
        );
        (path, json_of(&new, c.shape))
    });
    let fields = set_fields("'{}'", pairs.collect());
    let assigned = "id and remote_id are assigned, leave them out of an INSERT: the row gets \
                    its id here and its remote_id once the element exists in the account";
    let missing = format!(
        "desired_catalogs has no row with remote_id {catalog} (the catalog was deleted here, or \
         is not synced yet); elements can only be added to a catalog that is wanted"
    );
    let wanted = format!("SELECT 1 FROM desired_catalogs WHERE remote_id = {catalog}");
    [
        refuse(
            view,
            "NEW.id IS NOT NULL OR NEW.remote_id IS NOT NULL",
            assigned,
        ),
        refuse(view, &format!("NOT EXISTS ({wanted})"), &missing),
        name_required(view),
        format!(
            "    INSERT INTO desired_elements (desired_catalog_id, name, fields)\n    \
             SELECT id, NEW.name, {fields}\n      FROM desired_catalogs WHERE remote_id = {catalog};"
        ),
    ]
    .join("\n")
}

/// Writes the name and the keys of the columns whose value changed, and nothing when nothing
/// did: a plain `UPDATE desired_elements`, so its revision trigger counts the edit.
fn on_update(view: &str, columns: &[Column]) -> String {
    let mut changed = vec!["NEW.name IS NOT OLD.name".to_owned()];
    let mut pairs = Vec::new();
    for c in columns {
        let (new, old) = (
            format!("NEW.{}", ident(&c.name)),
            format!("OLD.{}", ident(&c.name)),
        );
        let differs = format!("{new} IS NOT {old}");
        let path = format!("CASE WHEN {differs} THEN {} ELSE {SKIP} END", path(c.field));
        pairs.push((path, json_of(&new, c.shape)));
        changed.push(differs);
    }
    let fields = match pairs.is_empty() {
        true => String::new(),
        false => format!(",\n           fields = {}", set_fields("fields", pairs)),
    };
    let read_only = "id and remote_id are read-only (id is the row in desired_elements, \
                     remote_id the element in the account); change name or the field columns";
    [
        refuse(
            view,
            "NEW.id IS NOT OLD.id OR NEW.remote_id IS NOT OLD.remote_id",
            read_only,
        ),
        name_required(view),
        format!(
            "    UPDATE desired_elements\n       SET name = NEW.name{fields}\n     \
             WHERE id = OLD.id\n       AND ({});",
            changed.join("\n            OR ")
        ),
    ]
    .join("\n")
}

/// `base` with each (path, JSON value) pair set, then the [`SKIP`] key removed.
fn set_fields(base: &str, pairs: Vec<(String, String)>) -> String {
    let set = pairs
        .chunks(PAIRS_PER_CALL)
        .fold(base.to_owned(), |acc, chunk| {
            let args: Vec<String> = chunk.iter().map(|(p, v)| format!("{p}, {v}")).collect();
            format!(
                "json_set({acc},\n             {})",
                args.join(",\n             ")
            )
        });
    format!("json_remove({set}, {SKIP})")
}

/// The JSON a value written into a column stands for, as given (checking it is the daemon's
/// job): NULL → null, a number → that number, text → a string; except that a checkbox's 0/1
/// are false/true, and a multiselect or complex column takes JSON array or object text as JSON.
fn json_of(value: &str, shape: Shape) -> String {
    let text = match shape {
        Shape::Flag => format!(
            "CASE {value} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE json_quote({value}) END"
        ),
        Shape::Choices | Shape::Raw => format!(
            "CASE WHEN typeof({value}) = 'text' AND json_valid({value}) THEN CASE WHEN \
             json_type({value}) IN ('array', 'object') THEN {value} ELSE json_quote({value}) END \
             ELSE json_quote({value}) END"
        ),
        Shape::Text | Shape::Number | Shape::Date | Shape::DateTime | Shape::Choice => {
            format!("json_quote({value})")
        }
    };
    format!("json({text})")
}
