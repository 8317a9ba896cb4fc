//! Unit tests of [`super`]: the rules on catalogs.

use super::*;

fn new(name: &str, kind: &str) -> NewCatalog {
    NewCatalog {
        name: name.into(),
        kind: kind.into(),
        ..NewCatalog::default()
    }
}

#[test]
fn ids_start_at_the_first_id_and_only_grow() {
    let mut c = Catalogs::new(10);
    let a = c.add(new("A", "regular"), Origin::Api, 1).unwrap();
    c.delete(a).unwrap();
    let b = c.add(new("B", "regular"), Origin::Api, 1).unwrap();
    assert_eq!((a, b), (FIRST_CATALOG_ID, FIRST_CATALOG_ID + 1));
}

#[test]
fn a_blank_name_is_refused_on_add_and_update() {
    let mut c = Catalogs::new(10);
    assert!(c.add(new("  ", "regular"), Origin::Api, 1).is_err());
    let id = c.add(new("A", "regular"), Origin::Api, 1).unwrap();
    let patch = CatalogPatch {
        name: Some("\t".into()),
        ..CatalogPatch::default()
    };
    assert!(c.update(id, patch, 2).is_err());
    assert_eq!(c.get(id).unwrap().name, "A");
}

#[test]
fn the_api_creates_only_regular_and_invoices_but_the_ui_creates_any_type() {
    let mut c = Catalogs::new(10);
    assert!(c.add(new("P", "products"), Origin::Api, 1).is_err());
    assert!(c.add(new("P", "products"), Origin::Ui, 1).is_ok());
    assert!(c.add(new("I", "invoices"), Origin::Api, 1).is_ok());
}

#[test]
fn the_catalog_cap_refuses_the_eleventh_catalog() {
    let mut c = Catalogs::new(10);
    for i in 0..10 {
        c.add(new(&format!("C{i}"), "regular"), Origin::Api, 1)
            .unwrap();
    }
    let err = c.add(new("C10", "regular"), Origin::Api, 1).unwrap_err();
    assert!(err.message.contains("maximum of 10"), "{err}");
}

#[test]
fn a_second_invoices_or_products_catalog_is_refused() {
    let mut c = Catalogs::new(10);
    c.add(new("I", "invoices"), Origin::Api, 1).unwrap();
    c.add(new("P", "products"), Origin::Ui, 1).unwrap();
    assert!(c.add(new("I2", "invoices"), Origin::Api, 1).is_err());
    assert!(c.add(new("P2", "products"), Origin::Ui, 1).is_err());
    let r = c.add(new("R", "regular"), Origin::Api, 1).unwrap();
    let to_invoices = CatalogPatch {
        kind: Some("invoices".into()),
        ..CatalogPatch::default()
    };
    assert!(c.update(r, to_invoices, 2).is_err());
    assert_eq!(c.get(r).unwrap().kind, "regular");
}

#[test]
fn the_products_catalog_can_be_neither_deleted_nor_retyped() {
    let mut c = Catalogs::new(10);
    let p = c.add(new("Товары", "products"), Origin::Ui, 1).unwrap();
    assert!(c.delete(p).is_err());
    let retype = CatalogPatch {
        kind: Some("regular".into()),
        ..CatalogPatch::default()
    };
    assert!(c.update(p, retype, 2).is_err());
    let same = CatalogPatch {
        kind: Some("products".into()),
        ..CatalogPatch::default()
    };
    assert!(c.update(p, same, 2).is_ok());
}

#[test]
fn update_and_delete_of_an_unknown_id_fail() {
    let mut c = Catalogs::new(10);
    assert!(c.update(1, CatalogPatch::default(), 2).is_err());
    assert!(c.delete(1).is_err());
}

#[test]
fn an_update_changes_name_type_and_flags_and_keeps_the_rest() {
    let mut c = Catalogs::new(10);
    let id = c.add(new("A", "regular"), Origin::Api, 5).unwrap();
    let patch = CatalogPatch {
        name: Some("B".into()),
        kind: Some("invoices".into()),
        can_show_in_cards: Some(true),
        ..CatalogPatch::default()
    };
    c.update(id, patch, 5).unwrap();
    let got = c.get(id).unwrap();
    assert_eq!((got.name.as_str(), got.kind.as_str()), ("B", "invoices"));
    assert!(got.can_show_in_cards && got.can_add_elements);
    assert_eq!(got.created_at, 5);
}

#[test]
fn sort_is_settable_and_updated_at_moves_on_every_update() {
    let mut c = Catalogs::new(10);
    let with_sort = NewCatalog {
        sort: Some(3),
        ..new("A", "regular")
    };
    let id = c.add(with_sort, Origin::Api, 50).unwrap();
    let got = c.get(id).unwrap();
    assert_eq!((got.sort, got.updated_at), (3, 50));
    let resort = CatalogPatch {
        sort: Some(40),
        ..CatalogPatch::default()
    };
    c.update(id, resort, 50).unwrap();
    c.update(id, CatalogPatch::default(), 10).unwrap();
    let got = c.get(id).unwrap();
    assert_eq!((got.sort, got.updated_at, got.created_at), (40, 52, 50));
}

#[test]
fn refusals_name_the_code_and_path_a_v4_answer_reports() {
    let mut c = Catalogs::new(1);
    assert_eq!(
        c.add(new(" ", "regular"), Origin::Api, 1).unwrap_err().path,
        "name"
    );
    assert_eq!(
        c.add(new("P", "products"), Origin::Api, 1)
            .unwrap_err()
            .path,
        "type"
    );
    c.add(new("A", "regular"), Origin::Api, 1).unwrap();
    assert_eq!(
        c.add(new("B", "regular"), Origin::Api, 1).unwrap_err().code,
        "LimitReached"
    );
    assert_eq!(
        c.update(9, CatalogPatch::default(), 1).unwrap_err().code,
        "NotFound"
    );
}
