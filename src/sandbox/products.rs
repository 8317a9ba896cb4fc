//! The products of the example account: the products catalog "Товары" carries the fields of a
//! real products list (system fields SKU, PRICE, GROUP, DESCRIPTION, EXTERNAL_ID plus a few of
//! the shop's own) and a dozen products, typed in as a person would.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::elements::{Actor, Elements};
use super::fields::{Fields, NewField};
use super::seed::DAY;
use super::state::{Catalogs, SANDBOX_USER_ID};
use super::values::{self, Stored};

/// The fields of the products catalog, in the order the products list shows them.
fn product_fields() -> Vec<NewField> {
    let groups = [
        ("Электроника", None),
        ("Смартфоны", Some("Электроника")),
        ("Бытовая техника", None),
        ("Инструменты", None),
        ("Электротовары", None),
        ("Стройматериалы", None),
    ];
    let colours = ["Белый", "Чёрный", "Серый", "Красный", "Синий", "Зелёный"];
    vec![
        NewField::new("Артикул", "text").code("SKU"),
        NewField::new("Цена", "price").code("PRICE"),
        NewField::new("Группа", "category")
            .code("GROUP")
            .nested(&groups),
        NewField::new("Описание", "textarea").code("DESCRIPTION"),
        NewField::new("External ID", "text").code("EXTERNAL_ID"),
        NewField::new("Единица", "select").enums(&["шт", "кг", "м"]),
        NewField::new("Цвет", "multiselect").enums(&colours),
        NewField::new("В наличии", "checkbox"),
    ]
}

/// Name, SKU, price, group, unit, colours, in stock, description.
type Product = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    &'static str,
);

const PRODUCTS: [Product; 12] = [
    (
        "Чайник электрический Bosch TWK 3A011",
        "BSH-TWK3A011",
        "2490.00",
        "Бытовая техника",
        "шт",
        &["Белый"],
        true,
        "Объём 1,7 л, 2400 Вт",
    ),
    (
        "Смартфон Xiaomi Redmi Note 13 128 ГБ",
        "XMI-RN13-128",
        "18990.00",
        "Смартфоны",
        "шт",
        &["Чёрный", "Синий"],
        true,
        "",
    ),
    (
        "Кабель ВВГнг 3x2,5",
        "VVG-3X25",
        "89.90",
        "Электротовары",
        "м",
        &[],
        true,
        "Медный, цена за метр",
    ),
    (
        "Гвозди строительные 4x100",
        "NAIL-4100",
        "1290.50",
        "Инструменты",
        "кг",
        &[],
        true,
        "",
    ),
    (
        "Дрель ударная Makita HP1630",
        "MKT-HP1630",
        "5890.00",
        "Инструменты",
        "шт",
        &["Синий"],
        false,
        "710 Вт, патрон 13 мм",
    ),
    (
        "Пылесос Samsung VC18M21",
        "SMS-VC18M21",
        "7490.00",
        "Бытовая техника",
        "шт",
        &["Красный"],
        true,
        "",
    ),
    (
        "Наушники Sony WH-CH520",
        "SNY-WHCH520",
        "4290.00",
        "Электроника",
        "шт",
        &["Чёрный", "Белый"],
        true,
        "",
    ),
    (
        "Лампа светодиодная E27 10 Вт",
        "LED-E27-10",
        "149.00",
        "Электротовары",
        "шт",
        &["Белый"],
        true,
        "Тёплый свет, 2700 К",
    ),
    (
        "Краска фасадная белая 10 л",
        "PNT-FAS-10",
        "3150.75",
        "Стройматериалы",
        "шт",
        &["Белый"],
        false,
        "",
    ),
    (
        "Удлинитель 5 розеток 3 м",
        "EXT-5-3",
        "690.00",
        "Электротовары",
        "шт",
        &["Чёрный"],
        true,
        "",
    ),
    (
        "Саморезы по дереву 3,5x35",
        "SCR-3535",
        "420.30",
        "Инструменты",
        "кг",
        &[],
        true,
        "",
    ),
    (
        "Ноутбук Lenovo IdeaPad 3 15\"",
        "LNV-IP3-15",
        "45990.00",
        "Электроника",
        "шт",
        &["Серый"],
        true,
        "Core i5, 16 ГБ, SSD 512 ГБ",
    ),
];

/// Gives the products catalog "Товары" its fields (when it has none) and a dozen products (when
/// it has no elements), made by the sandbox user over the last days.
pub fn seed_products(catalogs: &Catalogs, fields: &mut Fields, elements: &mut Elements, now: i64) {
    let products = catalogs
        .iter()
        .find(|c| c.name == "Товары" && c.kind == "products");
    let Some(id) = products.map(|c| c.id) else {
        return;
    };
    if fields.of(id).is_empty() {
        for field in product_fields() {
            fields.add(id, field).expect("the product fields are valid");
        }
    }
    if elements.count(id) > 0 {
        return;
    }
    for (i, p) in PRODUCTS.iter().enumerate() {
        let (name, sku, price, group, unit, colours, in_stock, description) = *p;
        let typed: [(&str, Value); 8] = [
            ("Артикул", json!(sku)),
            ("Цена", json!(price)),
            ("Группа", json!(group)),
            (
                "Описание",
                if description.is_empty() {
                    Value::Null
                } else {
                    json!(description)
                },
            ),
            ("External ID", json!(format!("1C-{:05}", i + 1))),
            ("Единица", json!(unit)),
            ("Цвет", json!(colours)),
            ("В наличии", json!(in_stock)),
        ];
        let values = typed_values(fields, id, typed);
        let by = Actor {
            user: SANDBOX_USER_ID,
            now: now - (PRODUCTS.len() - i) as i64 * DAY / 4,
        };
        elements.add(id, name.to_string(), values, by);
    }
}

/// Values typed as a person would, by field name, read like any write.
fn typed_values<const N: usize>(
    fields: &Fields,
    catalog_id: i64,
    typed: [(&str, Value); N],
) -> BTreeMap<i64, Vec<Stored>> {
    let mut out = BTreeMap::new();
    for (name, value) in typed {
        let field = fields.of(catalog_id).iter().find(|f| f.name == name);
        let field = field.expect("every typed field exists");
        let stored = values::parse(field, &values::from_ui(value), name);
        if let Some(stored) = stored.expect("the example values are valid") {
            out.insert(field.id, stored);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::seed::seed;

    #[test]
    fn the_products_catalog_gets_its_fields_and_a_dozen_products_once() {
        let (mut c, mut f, mut e) = (Catalogs::new(10), Fields::default(), Elements::default());
        for _ in 0..2 {
            seed(&mut c, 1_700_000_000);
            seed_products(&c, &mut f, &mut e, 1_700_000_000);
        }
        let products = c.list()[0].id;
        let codes: Vec<Option<&str>> = f.of(products).iter().map(|f| f.code.as_deref()).collect();
        assert_eq!(
            codes,
            [
                Some("SKU"),
                Some("PRICE"),
                Some("GROUP"),
                Some("DESCRIPTION"),
                Some("EXTERNAL_ID"),
                None,
                None,
                None
            ]
        );
        assert_eq!(e.count(products), 12);
        let first = e.of(products).next().unwrap();
        assert_eq!(first.values.len(), 8);
        assert_eq!(first.created_by, SANDBOX_USER_ID);
        assert!(first.created_at < 1_700_000_000);
        assert!(
            e.of(products).any(|x| x.values.len() == 7),
            "a product without a description"
        );
        assert_eq!(e.count(c.list()[1].id), 0);
    }
}
