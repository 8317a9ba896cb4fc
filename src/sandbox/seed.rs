//! The example account: what a small shop's amoCRM lists look like (its products are in
//! `products.rs`).

use super::state::{Catalogs, NewCatalog, Origin};

/// Name and type of each example catalog, in creation order.
const EXAMPLE: [(&str, &str); 3] = [
    ("Товары", "products"),
    ("Услуги", "regular"),
    ("Склады", "regular"),
];

/// Seconds between the example catalogs' creation times (a day), so they look made over time.
pub const DAY: i64 = 86_400;

/// Adds the example catalogs that are not there yet (by name). Caps still apply; a catalog the
/// account has no room for is skipped.
pub fn seed(catalogs: &mut Catalogs, now: i64) {
    let existing: Vec<String> = catalogs.list().into_iter().map(|c| c.name).collect();
    let age = EXAMPLE.len() as i64;
    for (i, (name, kind)) in EXAMPLE.iter().enumerate() {
        if existing.iter().any(|n| n == name) {
            continue;
        }
        let new = NewCatalog {
            name: (*name).to_string(),
            kind: (*kind).to_string(),
            ..NewCatalog::default()
        };
        let created_at = now - (age - i as i64) * DAY;
        let _ = catalogs.add(new, Origin::Ui, created_at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_twice_gives_the_same_three_catalogs() {
        let mut c = Catalogs::new(10);
        seed(&mut c, 1_700_000_000);
        seed(&mut c, 1_700_000_000);
        let got: Vec<_> = c.list().into_iter().map(|c| (c.name, c.kind)).collect();
        let want: Vec<_> = EXAMPLE
            .iter()
            .map(|(n, k)| (n.to_string(), k.to_string()))
            .collect();
        assert_eq!(got, want);
        assert!(c.list().iter().all(|c| c.created_at < 1_700_000_000));
    }
}
