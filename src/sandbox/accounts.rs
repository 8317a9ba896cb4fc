//! One listener serving one or many independent accounts.
//!
//! A single account is served at the root, as always. With N > 1, account i (1-based) lives under
//! `/accounts/{i}`: its base URL is `http://127.0.0.1:PORT/accounts/{i}` and every route (API,
//! login, control) sits below it. There is one router for all accounts; a middleware picks the
//! account by index (O(1)) and hands it to the gate and the handlers as a request extension, so
//! an account costs its state and nothing more.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};

use super::account::{Account, Place};
use super::log::RequestLog;
use super::{
    SandboxOptions, api, control, control_lists, gate, login, v2_elements, v4_catalogs, v4_elements,
};

/// Where the accounts of a multi-account listener live.
pub const ACCOUNTS_PREFIX: &str = "/accounts";

/// `account_id` of account i is this plus i.
const FIRST_ACCOUNT_ID: i64 = 31_000_000;

/// The base URL of account `i` (1-based) of `n` on `port`.
pub fn base_of(port: u16, n: usize, i: usize) -> String {
    if n == 1 {
        format!("http://127.0.0.1:{port}")
    } else {
        format!("http://127.0.0.1:{port}{ACCOUNTS_PREFIX}/{i}")
    }
}

/// `n` fresh accounts, each with its own state, limiter, faults and log.
pub fn create(options: &SandboxOptions, port: u16, n: usize) -> Vec<Account> {
    (1..=n)
        .map(|i| {
            let place = Place {
                base: base_of(port, n, i),
                account_id: FIRST_ACCOUNT_ID + i as i64,
                log: if n == 1 {
                    RequestLog::default()
                } else {
                    RequestLog::for_one_of(n)
                },
            };
            Account::new(options, place)
        })
        .collect()
}

/// Every route of one account, with the gate in front.
fn account_routes() -> Router {
    api::routes()
        .merge(v4_catalogs::routes())
        .merge(v4_elements::routes())
        .merge(v2_elements::routes())
        .merge(login::routes())
        .merge(control::routes())
        .merge(control_lists::routes())
        .layer(from_fn(gate::gate))
}

/// The whole app: at the root for one account, under `/accounts/{i}` for several.
pub fn router(accounts: Vec<Account>) -> Router {
    if let [one] = accounts.as_slice() {
        return account_routes().layer(Extension(one.clone()));
    }
    let accounts: Arc<[Account]> = accounts.into();
    let routes = account_routes().layer(from_fn_with_state(accounts.clone(), pick));
    Router::new()
        .nest(&format!("{ACCOUNTS_PREFIX}/{{account}}"), routes)
        .fallback(move || async move { unknown(accounts.len()) })
}

/// Finds the account named by the `{account}` capture and hands it on.
async fn pick(State(accounts): State<Arc<[Account]>>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let params = RawPathParams::from_request_parts(&mut parts, &())
        .await
        .ok();
    let raw = params
        .as_ref()
        .and_then(|p| p.iter().find(|(k, _)| *k == "account"));
    let index = raw.and_then(|(_, v)| index_of(v));
    let Some(account) = index.and_then(|i| accounts.get(i - 1)) else {
        return unknown(accounts.len());
    };
    parts.extensions.insert(account.clone());
    next.run(Request::from_parts(parts, body)).await
}

/// The 1-based index of an `{account}` capture.
fn index_of(raw: &str) -> Option<usize> {
    raw.parse().ok().filter(|i| *i >= 1)
}

fn unknown(n: usize) -> Response {
    let message = format!(
        "no such sandbox account; this listener serves {ACCOUNTS_PREFIX}/1 to {ACCOUNTS_PREFIX}/{n}\n"
    );
    (StatusCode::NOT_FOUND, message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_account_lives_at_the_root_and_many_under_their_index() {
        assert_eq!(base_of(80, 1, 1), "http://127.0.0.1:80");
        assert_eq!(base_of(80, 3, 2), "http://127.0.0.1:80/accounts/2");
    }

    #[test]
    fn the_index_counts_from_one() {
        assert_eq!(index_of("12"), Some(12));
        assert_eq!(index_of("0"), None);
        assert_eq!(index_of("x"), None);
        assert_eq!(index_of("-1"), None);
    }

    #[test]
    fn every_account_gets_its_own_id_and_base() {
        let accounts = create(&SandboxOptions::default(), 9, 3);
        let ids: Vec<i64> = accounts.iter().map(Account::account_id).collect();
        assert_eq!(ids, [31_000_001, 31_000_002, 31_000_003]);
        assert_eq!(accounts[2].base_url(), "http://127.0.0.1:9/accounts/3");
        accounts[0].add_catalog("A", "regular").unwrap();
        assert!(accounts[1].catalogs().is_empty());
    }
}
