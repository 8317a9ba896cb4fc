//! Reading an API v4 list page by page: `?page=1,2,..&limit=250`, until a page has no
//! `_links.next`, comes back empty, or the account answers 204.
//!
//! Page numbers are counted here; `_links.next` only says whether to go on, and its address is
//! never followed (it names a host, and a token must not go anywhere but the account). The
//! number of pages is bounded, so a server that always says "next" cannot keep a run forever.

use reqwest::StatusCode;
use serde_json::Value;

use super::client::{Call, Client, redact};
use super::error::ApiError;
use super::wire::{bad, elements, json_root};

/// Items asked for per page: the most API v4 gives.
pub(crate) const PAGE_LIMIT: usize = 250;

/// More pages than this is a server that never stops: 2.5 million items.
const MAX_PAGES: usize = 10_000;

/// One page of a list.
pub(crate) struct Page {
    /// 1 for the first.
    pub number: usize,
    pub items: Vec<Value>,
    /// Whether another page follows.
    pub more: bool,
}

/// Reads one list page by page; see the module doc.
pub(crate) struct Pager<'c> {
    client: &'c Client,
    path: String,
    /// The key under `_embedded` (`elements`, `catalogs`, `custom_fields`).
    key: &'static str,
    next: usize,
    done: bool,
}

impl<'c> Pager<'c> {
    pub(crate) fn new(client: &'c Client, path: String, key: &'static str) -> Pager<'c> {
        Pager {
            client,
            path,
            key,
            next: 1,
            done: false,
        }
    }

    /// The next page, or `None` after the last one.
    pub(crate) async fn next(&mut self) -> Result<Option<Page>, ApiError> {
        if self.done {
            return Ok(None);
        }
        if self.next > MAX_PAGES {
            return Err(bad(format!(
                "{} has more than {MAX_PAGES} pages; the server keeps announcing a next page",
                self.path
            )));
        }
        let number = self.next;
        let query = vec![
            ("page", number.to_string()),
            ("limit", PAGE_LIMIT.to_string()),
        ];
        let (reply, used) = self.client.exchange(&Call::get(&self.path, query)).await?;
        if reply.status == StatusCode::NO_CONTENT {
            self.done = true;
            return Ok(None);
        }
        let page =
            read_page(reply.status, &reply.body, self.key, number).map_err(|e| redact(e, &used))?;
        self.next += 1;
        self.done = !page.more;
        Ok(Some(page))
    }
}

/// Reads a 2xx page. An empty page ends the list even if it announces a next one: page numbers
/// past an empty page are empty too.
fn read_page(status: StatusCode, body: &str, key: &str, number: usize) -> Result<Page, ApiError> {
    let what = format!("page {number} of the {key}");
    if body.trim().is_empty() {
        return Err(bad(format!(
            "an empty body with status {status} where {what} was expected"
        )));
    }
    let root = json_root(status, body, &what)?;
    let items: Vec<Value> = root
        .get("_embedded")
        .and_then(|e| e.get(key))
        .and_then(elements)
        .ok_or_else(|| bad(format!("no _embedded.{key} in {what}: {body}")))?
        .into_iter()
        .cloned()
        .collect();
    if items.len() > PAGE_LIMIT {
        return Err(bad(format!(
            "{what} has {} items, more than the {PAGE_LIMIT} asked for",
            items.len()
        )));
    }
    let next = root.pointer("/_links/next").is_some_and(|n| !n.is_null());
    let more = next && !items.is_empty();
    Ok(Page {
        number,
        items,
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Result<Page, ApiError> {
        read_page(StatusCode::OK, body, "elements", 3)
    }

    #[test]
    fn next_says_whether_another_page_follows() {
        let with = r#"{"_links":{"next":{"href":"https://elsewhere.example/x?page=9"}},
                       "_embedded":{"elements":[{"id":1}]}}"#;
        assert!(page(with).unwrap().more);
        let without = r#"{"_links":{"self":{}},"_embedded":{"elements":[{"id":1}]}}"#;
        assert!(!page(without).unwrap().more);
        let empty = r#"{"_links":{"next":{}},"_embedded":{"elements":[]}}"#;
        assert!(!page(empty).unwrap().more);
    }

    #[test]
    fn a_page_without_its_list_or_with_too_many_items_is_a_bad_response() {
        for body in ["", r#"{"_embedded":{"catalogs":[]}}"#, "[]"] {
            assert!(
                matches!(page(body), Err(ApiError::BadResponse { .. })),
                "{body}"
            );
        }
        let items: Vec<String> = (0..=PAGE_LIMIT)
            .map(|i| format!(r#"{{"id":{i}}}"#))
            .collect();
        let big = format!(r#"{{"_embedded":{{"elements":[{}]}}}}"#, items.join(","));
        let Err(ApiError::BadResponse { detail }) = page(&big) else {
            panic!("251 items accepted");
        };
        assert!(detail.contains("251 items"), "{detail}");
    }
}
