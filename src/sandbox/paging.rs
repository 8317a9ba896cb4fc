//! Paging of the v4 lists (catalogs, custom fields, elements): `page` and `limit` from the query,
//! which slice of a list a page is, and its `_links`.
//!
//! Pure. `limit` defaults to 50 and may not exceed 250 (amoCRM's documented maximum); `page`
//! counts from 1. A page past the end is empty, which the handlers answer with 204.

use serde_json::{Map, Value, json};

/// The most items one page holds.
pub const MAX_LIMIT: usize = 250;
/// Items per page when the request names no `limit`.
pub const DEFAULT_LIMIT: usize = 50;

/// One page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: usize,
    pub limit: usize,
}

impl Paging {
    /// Reads `page` and `limit` from a query; `Err` is the detail of a 400.
    pub fn from_query(query: &[(String, String)]) -> Result<Self, String> {
        let page = number(query, "page", 1)?;
        let limit = number(query, "limit", DEFAULT_LIMIT)?;
        if page == 0 {
            return Err("page counts from 1".into());
        }
        if limit == 0 || limit > MAX_LIMIT {
            return Err(format!("limit must be between 1 and {MAX_LIMIT}"));
        }
        Ok(Self { page, limit })
    }

    /// How many items come before this page.
    pub fn offset(&self) -> usize {
        (self.page - 1).saturating_mul(self.limit)
    }

    /// Whether a list of `total` items goes on after this page.
    pub fn has_next(&self, total: usize) -> bool {
        self.page.saturating_mul(self.limit) < total
    }

    /// Pages a list of `total` items fills.
    pub fn page_count(&self, total: usize) -> usize {
        total.div_ceil(self.limit)
    }

    /// `page=N&limit=M`, as the links carry it.
    pub fn query(&self) -> String {
        format!("page={}&limit={}", self.page, self.limit)
    }

    /// `_links` of this page of the list at `href`: `self`, and `next` only when there is one.
    /// `extra` is appended to both queries (e.g. a filter: `&filter[id][]=5`).
    pub fn links(&self, href: &str, extra: &str, total: usize) -> Value {
        let mut links = Map::new();
        let at = |p: Paging| json!({"href": format!("{href}?{}{extra}", p.query())});
        links.insert("self".into(), at(*self));
        if self.has_next(total) {
            let next = Paging {
                page: self.page + 1,
                ..*self
            };
            links.insert("next".into(), at(next));
        }
        Value::Object(links)
    }
}

fn number(query: &[(String, String)], key: &str, default: usize) -> Result<usize, String> {
    match first(query, key) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| format!("{key} must be a whole number, not \"{raw}\"")),
    }
}

/// The first value of `key` in a query.
pub fn first<'q>(query: &'q [(String, String)], key: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_defaults_are_page_1_of_50() {
        let p = Paging::from_query(&[]).unwrap();
        assert_eq!((p.page, p.limit, p.offset()), (1, 50, 0));
    }

    #[test]
    fn a_limit_over_250_or_a_page_0_is_refused() {
        assert!(Paging::from_query(&q(&[("limit", "251")])).is_err());
        assert!(Paging::from_query(&q(&[("limit", "0")])).is_err());
        assert!(Paging::from_query(&q(&[("page", "0")])).is_err());
        assert!(Paging::from_query(&q(&[("page", "two")])).is_err());
        assert_eq!(
            Paging::from_query(&q(&[("limit", "250")])).unwrap().limit,
            250
        );
    }

    #[test]
    fn next_exists_only_while_items_remain() {
        let p = Paging::from_query(&q(&[("page", "2"), ("limit", "250")])).unwrap();
        assert_eq!(p.offset(), 250);
        assert!(p.has_next(501));
        assert!(!p.has_next(500));
        assert_eq!(p.page_count(501), 3);
        let links = p.links("http://x/api/v4/catalogs", "", 500);
        assert_eq!(
            links["self"]["href"],
            "http://x/api/v4/catalogs?page=2&limit=250"
        );
        assert!(links.get("next").is_none());
        let links = p.links("http://x/e", "&filter[id][]=5", 501);
        assert_eq!(
            links["next"]["href"],
            "http://x/e?page=3&limit=250&filter[id][]=5"
        );
    }

    #[test]
    fn a_huge_page_number_does_not_overflow() {
        let p = Paging {
            page: usize::MAX,
            limit: 250,
        };
        assert!(!p.has_next(10));
        assert!(p.offset() > 10);
    }
}
