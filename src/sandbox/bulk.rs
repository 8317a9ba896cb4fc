//! A fast bulk seed for benchmarks: thousands of elements with values in four fields (text,
//! price, select, checkbox), written straight into the store.
//!
//! Pure (the caller passes `now`).

use std::collections::BTreeMap;

use super::elements::{Actor, Elements};
use super::fields::{Fields, NewField};
use super::state::SANDBOX_USER_ID;
use super::values::Stored;

/// Adds `n` elements to the catalog; their fields are the catalog's first text, price, select
/// (with options) and checkbox fields, added when missing. Returns the new ids in order.
pub fn bulk(
    fields: &mut Fields,
    elements: &mut Elements,
    catalog_id: i64,
    n: usize,
    now: i64,
) -> Result<Vec<i64>, String> {
    let text = field_of(fields, catalog_id, "text", NewField::new("Артикул", "text"))?;
    let price = field_of(fields, catalog_id, "price", NewField::new("Цена", "price"))?;
    let unit = NewField::new("Единица", "select").enums(&["шт", "кг", "м"]);
    let select = field_of(fields, catalog_id, "select", unit)?;
    let flag = NewField::new("В наличии", "checkbox");
    let flag = field_of(fields, catalog_id, "checkbox", flag)?;
    let options: Vec<i64> = fields
        .of(catalog_id)
        .iter()
        .find(|f| f.id == select)
        .and_then(|f| f.enums.as_ref())
        .map(|enums| enums.iter().map(|e| e.id).collect())
        .unwrap_or_default();
    let by = Actor {
        user: SANDBOX_USER_ID,
        now,
    };
    let start = elements.count(catalog_id);
    let ids = (start + 1..=start + n).map(|k| {
        let mut values = BTreeMap::new();
        values.insert(text, vec![Stored::Text(format!("SKU-{k:06}"))]);
        let cents = (k * 7919) % 10_000_000 + 100;
        let price_text = format!("{}.{:02}", cents / 100, cents % 100);
        values.insert(price, vec![Stored::Number(price_text)]);
        if !options.is_empty() {
            values.insert(select, vec![Stored::Choice(options[k % options.len()])]);
        }
        values.insert(flag, vec![Stored::Flag(k % 3 != 0)]);
        elements.add(catalog_id, format!("Товар {k}"), values, by)
    });
    Ok(ids.collect())
}

/// The catalog's first field of this type (a select needs options), or `new` added.
fn field_of(
    fields: &mut Fields,
    catalog_id: i64,
    kind: &str,
    new: NewField,
) -> Result<i64, String> {
    let found = fields.of(catalog_id).iter().find(|f| {
        f.kind == kind && (kind != "select" || f.enums.as_ref().is_some_and(|e| !e.is_empty()))
    });
    match found {
        Some(f) => Ok(f.id),
        None => fields.add(catalog_id, new),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[test]
    fn ten_thousand_elements_with_four_values_take_well_under_a_second() {
        let (mut f, mut e) = (Fields::default(), Elements::default());
        let started = Instant::now();
        let ids = bulk(&mut f, &mut e, 7001, 10_000, 1_700_000_000).unwrap();
        assert!(
            started.elapsed().as_millis() < 1000,
            "{:?}",
            started.elapsed()
        );
        assert_eq!(ids.len(), 10_000);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(f.of(7001).len(), 4);
        assert!(e.of(7001).all(|x| x.values.len() == 4));
    }

    #[test]
    fn existing_fields_of_the_four_types_are_reused_and_names_go_on_counting() {
        let (mut f, mut e) = (Fields::default(), Elements::default());
        let sku = f.add(1, NewField::new("SKU", "text").code("SKU")).unwrap();
        bulk(&mut f, &mut e, 1, 2, 1).unwrap();
        bulk(&mut f, &mut e, 1, 1, 1).unwrap();
        assert_eq!(f.of(1).len(), 4);
        let last = e.of(1).last().unwrap();
        assert_eq!(last.name, "Товар 3");
        assert_eq!(last.values[&sku], [Stored::Text("SKU-000003".into())]);
    }
}
