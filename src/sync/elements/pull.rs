//! A complete pull of one catalog's elements, and of its field list when that is needed: on the
//! catalog's first sync, when the elements name a field the mirror does not know (or knows under
//! another name or type), and at least hourly.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{DateTime, Utc};
use tracing::info;

use super::super::Syncer;
use crate::amocrm::{ApiError, Progress, SeenField, seen_fields};
use crate::element::{FieldDef, FieldId, RemoteElement, canon};
use crate::record::RemoteId;

/// The field list is pulled again at least this often.
const FIELDS_MAX_AGE: Duration = Duration::from_secs(3600);

/// A progress line is drawn for pulls of more than this many pages.
const PROGRESS_AFTER_PAGES: usize = 2;

/// What a pull of one catalog brought.
#[derive(Debug)]
pub(super) struct Pulled {
    pub elements: Vec<RemoteElement>,
    pub pages: usize,
    /// The catalog's fields: the mirror's, or a fresh list.
    pub fields: Vec<FieldDef>,
    /// Whether `fields` is a fresh list, to be saved (and the view re-created).
    pub fresh_fields: bool,
    /// Fields the mirror has and a fresh list has not: deleted in amoCRM.
    pub gone_fields: BTreeSet<FieldId>,
}

/// Why a catalog's pull stopped.
pub(super) enum PullError {
    /// The account refused it: the catalog is left alone this run, the others go on.
    Api(ApiError),
    /// The database failed: the run stops.
    Store(anyhow::Error),
}

impl Syncer {
    pub(super) async fn pull_elements(
        &self,
        catalog: RemoteId,
        name: &str,
    ) -> Result<Pulled, PullError> {
        let started = Instant::now();
        let mut line = ProgressLine::new(self.progress, catalog, name);
        let elements = self
            .client
            .list_elements(catalog, &mut |p| line.show(p))
            .await
            .map_err(PullError::Api)?;
        let pages = line.finish();
        info!(
            catalog,
            name,
            elements = elements.len(),
            pages,
            seconds = started.elapsed().as_secs_f64(),
            "pulled elements"
        );
        let mirror = self.store.fields(catalog).await.map_err(PullError::Store)?;
        let pulled_at = self
            .store
            .element_pull(catalog)
            .await
            .map_err(PullError::Store)?
            .fields_pulled_at;
        let seen = seen_fields(&elements);
        if !needs_fields(&mirror, pulled_at.as_deref(), &seen) {
            return Ok(Pulled {
                elements,
                pages,
                fields: mirror,
                fresh_fields: false,
                gone_fields: BTreeSet::new(),
            });
        }
        let fields = self
            .client
            .list_fields(catalog)
            .await
            .map_err(PullError::Api)?;
        info!(catalog, fields = fields.len(), "pulled the field list");
        // Deleted in amoCRM: absent from the fresh list and carried by no element of this
        // complete pull (amoCRM drops the values with the field). A list that lacks a field
        // the elements still carry is not taken as its deletion: nobody's values are dropped
        // on the word of a short or empty answer.
        let gone_fields = mirror
            .iter()
            .map(|f| f.id)
            .filter(|id| fields.iter().all(|f| f.id != *id) && !seen.contains_key(id))
            .collect();
        Ok(Pulled {
            elements,
            pages,
            fields,
            fresh_fields: true,
            gone_fields,
        })
    }
}

/// Whether the field list must be pulled: never pulled, over an hour old, or the elements
/// name a field the mirror does not know or knows under another name or type.
pub(super) fn needs_fields(
    mirror: &[FieldDef],
    pulled_at: Option<&str>,
    seen: &std::collections::BTreeMap<FieldId, SeenField>,
) -> bool {
    let age = pulled_at
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| {
            (Utc::now() - t.with_timezone(&Utc))
                .to_std()
                .unwrap_or_default()
        });
    let stale = age.is_none_or(|age| age > FIELDS_MAX_AGE);
    let differs = seen.iter().any(|(id, s)| {
        !mirror
            .iter()
            .any(|f| f.id == *id && f.name == s.name && f.kind.as_str() == s.kind)
    });
    stale || differs
}

/// Gives an element the canonical empty value of every field it has none for (the account
/// leaves empty fields out), except a field its answer names but whose value could not be
/// read: that one stays unknown, so that it never looks like a value cleared in amoCRM.
pub(super) fn fill(element: &mut RemoteElement, defs: &[FieldDef]) {
    let named = element.raw_json.matches("\"field_id\"").count();
    if named <= element.fields.values.len() {
        return canon::fill_known(&mut element.fields, defs);
    }
    let unreadable: Vec<FieldId> = seen_fields(std::slice::from_ref(element))
        .into_keys()
        .filter(|id| !element.fields.values.contains_key(id))
        .collect();
    let known: Vec<FieldDef> = defs
        .iter()
        .filter(|d| !unreadable.contains(&d.id))
        .cloned()
        .collect();
    canon::fill_known(&mut element.fields, &known);
}

/// The progress of a long pull on a terminal: one line on stderr, redrawn after every page.
struct ProgressLine {
    on: bool,
    drawn: bool,
    catalog: RemoteId,
    name: String,
    pages: usize,
}

impl ProgressLine {
    fn new(wanted: bool, catalog: RemoteId, name: &str) -> ProgressLine {
        ProgressLine {
            on: wanted && std::io::stderr().is_terminal(),
            drawn: false,
            catalog,
            name: name.to_owned(),
            pages: 0,
        }
    }

    fn show(&mut self, p: Progress) {
        self.pages = p.pages;
        if !self.on || (p.pages <= PROGRESS_AFTER_PAGES && !self.drawn) {
            return;
        }
        let bar = "#".repeat(p.pages.min(40)) + if p.more { ">" } else { "" };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r  catalog {} {:?}: [{bar:<41}] {} pages, {} elements{}",
            self.catalog,
            self.name,
            p.pages,
            p.elements,
            if p.more { "..." } else { "   " }
        );
        let _ = err.flush();
        self.drawn = true;
    }

    /// Ends the line; returns the pages read.
    fn finish(self) -> usize {
        if self.drawn {
            let _ = writeln!(std::io::stderr());
        }
        self.pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(id: FieldId, name: &str, kind: &str) -> FieldDef {
        FieldDef::new(id, 1, name, kind)
    }

    fn seen(id: FieldId, name: &str, kind: &str) -> std::collections::BTreeMap<FieldId, SeenField> {
        [(
            id,
            SeenField {
                name: name.into(),
                kind: kind.into(),
            },
        )]
        .into()
    }

    #[test]
    fn a_value_that_could_not_be_read_stays_unknown_instead_of_empty() {
        let raw = r#"{"custom_fields_values":[{"field_id":7,"field_name":"Цена","field_type":"price","values":[{"value":"n/a"}]}]}"#;
        let mut e = RemoteElement {
            raw_json: raw.into(),
            ..RemoteElement::new(1, crate::element::ElementFields::default())
        };
        fill(&mut e, &[def(7, "Цена", "price"), def(8, "Вес", "numeric")]);
        assert_eq!(e.fields.values.get(&7), None, "unknown, not cleared");
        assert_eq!(e.fields.values.get(&8), Some(&serde_json::Value::Null));
    }

    #[test]
    fn the_field_list_is_pulled_first_then_when_stale_or_when_elements_disagree() {
        let now = Utc::now().to_rfc3339();
        let old = (Utc::now() - chrono::Duration::minutes(61)).to_rfc3339();
        let mirror = [def(7, "Цена", "price")];
        assert!(needs_fields(&[], None, &seen(7, "Цена", "price")));
        assert!(!needs_fields(
            &mirror,
            Some(&now),
            &seen(7, "Цена", "price")
        ));
        assert!(needs_fields(&mirror, Some(&old), &seen(7, "Цена", "price")));
        assert!(needs_fields(
            &mirror,
            Some(&now),
            &seen(8, "Вес", "numeric")
        ));
        assert!(needs_fields(
            &mirror,
            Some(&now),
            &seen(7, "Стоимость", "price")
        ));
        assert!(needs_fields(
            &mirror,
            Some(&now),
            &seen(7, "Цена", "numeric")
        ));
        assert!(!needs_fields(&mirror, Some(&now), &Default::default()));
    }
}
