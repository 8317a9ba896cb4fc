//! The sandbox: a stateful fake of amoCRM accounts, served on loopback.
//!
//! It is an independent reading of the API notes (`AMOCRM_API.md`): it shares no types with the
//! client or the merge, so a misunderstanding of the API shows up as a failing test instead of
//! being mirrored on both sides. Tests and the `demo` command start it in-process with
//! [`Sandbox::start`] (or [`Sandbox::start_accounts`] for several accounts on one listener);
//! `catalog-sync sandbox` runs it alone ([`run_standalone`]).
//!
//! Served: `GET`/`POST /api/v2/catalogs`, `POST /api/v2/catalog_elements` (deletes),
//! `GET`/`POST`/`PATCH /api/v4/catalogs` (and `GET /api/v4/catalogs/{id}`),
//! `GET`/`POST`/`PATCH /api/v4/catalogs/{id}/elements` (and `GET .../elements/{id}`),
//! `GET /api/v4/catalogs/{id}/custom_fields`, `POST /oauth2/access_token`,
//! `POST /private/api/auth.php`, and the control API under `/_sandbox/`, which mirrors
//! [`Account`] (JSON in and out, no auth, no limits, no faults):
//!
//! | request | does |
//! | --- | --- |
//! | `GET /_sandbox/catalogs` | every catalog ([`SandboxCatalog`]) |
//! | `POST /_sandbox/catalogs {"name","type"}` | add as a person in the UI → `{"id"}` |
//! | `PATCH /_sandbox/catalogs/{id} {"name"?, "can_*"?}` | rename / change flags |
//! | `DELETE /_sandbox/catalogs/{id}` | delete with its fields and elements (422 `{"error"}` when refused) |
//! | `GET`/`POST /_sandbox/catalogs/{id}/fields` | its custom fields ([`SandboxField`]) / add one ([`NewField`] JSON) → `{"id"}` |
//! | `GET /_sandbox/catalogs/{id}/elements` | its elements, as the API renders them |
//! | `POST /_sandbox/catalogs/{id}/elements {"name"}` | add an element in the UI → `{"id"}` |
//! | `POST /_sandbox/catalogs/{id}/elements/bulk {"n"}` | [`Account::seed_elements`] → `{"count","first_id","last_id"}` |
//! | `GET`/`PATCH {"name"}`/`DELETE /_sandbox/elements/{id}` | one element / rename / delete |
//! | `PUT`/`DELETE /_sandbox/elements/{id}/values/{field_id}` | set one value as typed (`"1290.50"`, `["Белый"]`, `null`) / clear it → the element |
//! | `POST /_sandbox/seed` | the example account |
//! | `GET`/`POST`/`DELETE /_sandbox/faults` | pending faults / queue one ([`FaultRule`] JSON: a [`Fault`] plus an optional `"path"` prefix) / clear |
//! | `GET`/`DELETE /_sandbox/requests`, `GET /_sandbox/counters` | the request log |
//! | `GET`/`POST /_sandbox/settings` | [`Settings`] (also `validation_400`: `rejects_all` \| `applies_valid`, `v2_gone`: `null` \| 404 \| 410); every field optional when posting |
//! | `POST /_sandbox/oauth/code`, `/_sandbox/oauth/expire`, `/_sandbox/sessions/expire` | auth |
//! | `POST /_sandbox/unblock`, `GET /_sandbox/status` | lift a block / overview |
//!
//! With several accounts, every path above is prefixed by `/accounts/{i}` (see `accounts.rs`).

mod account;
mod accounts;
mod api;
mod auth;
mod batch;
mod bulk;
mod catalog_items;
mod conn;
mod control;
mod control_lists;
mod element_items;
mod elements;
mod faults;
mod fields;
mod gate;
mod invalid;
mod limits;
mod lists;
mod log;
mod login;
mod new_field;
mod paging;
mod products;
mod render;
mod respond;
mod seed;
mod settings;
mod standalone;
mod state;
mod v2_elements;
mod v4_catalogs;
mod v4_elements;
mod values;

use anyhow::{Context, bail};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use account::Account;
pub use faults::{Fault, FaultAction, FaultOn, FaultRule};
pub use fields::{FIELD_TYPES, FieldEnum, FieldNested, NewField, NewOption, SandboxField};
pub use invalid::Validation400;
pub use log::{Counters, LoggedRequest};
pub use settings::Settings;
pub use standalone::run_standalone;
pub use state::SandboxCatalog;

use conn::{ConnHandle, KillableListener};

/// How the fake account is set up. Everything but the credentials can be changed while it runs
/// (see [`Account`]).
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// 0 picks any free port.
    pub port: u16,
    /// The long-lived token `Authorization: Bearer` must carry (OAuth access tokens work too).
    pub token: String,
    /// Echo `request_id` in add results; when off, clients must match results by position.
    pub echo_request_id: bool,
    /// Send every number in catalog responses as a string (`"id":"7001"`), as some accounts do.
    pub numbers_as_strings: bool,
    pub max_catalogs: usize,
    /// Requests allowed in any one-second window; `None` turns the limit off.
    pub rate_limit_per_second: Option<u32>,
    /// How many 429s within a minute block the account with 403 (0: never).
    pub block_after_overruns: u32,
    pub block_seconds: u64,
    /// What a v4 400 does to the valid items of its batch.
    pub validation_400: Validation400,
    /// `Some(404 | 410)`: API v2 is switched off and answers that (other values are ignored).
    pub v2_gone: Option<u16>,
    pub oauth_client_id: String,
    pub oauth_client_secret: String,
    pub oauth_redirect_uri: String,
    /// `USER_LOGIN` for the legacy `auth.php`.
    pub api_login: String,
    /// `USER_HASH` for the legacy `auth.php`; empty means the account has no API key.
    pub api_key: String,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            port: 0,
            token: "sandbox-token".into(),
            echo_request_id: true,
            numbers_as_strings: false,
            max_catalogs: 10,
            rate_limit_per_second: Some(7),
            block_after_overruns: 5,
            block_seconds: 300,
            validation_400: Validation400::RejectsAll,
            v2_gone: None,
            oauth_client_id: "sandbox-client-id".into(),
            oauth_client_secret: "sandbox-client-secret".into(),
            oauth_redirect_uri: "https://example.com/oauth/callback".into(),
            api_login: "admin@example.com".into(),
            api_key: "sandbox-api-key".into(),
        }
    }
}

/// A running sandbox. Dropping it stops the server too; [`Sandbox::shutdown`] also waits for it.
#[derive(Debug)]
pub struct Sandbox {
    port: u16,
    accounts: Vec<Account>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds `127.0.0.1:port` and serves one account at the root in a background task.
    pub async fn start(options: SandboxOptions) -> anyhow::Result<Sandbox> {
        Self::start_accounts(options, 1).await
    }

    /// Binds `127.0.0.1:port` and serves `n` independent accounts (same options, each its own
    /// state, limiter, block, faults and log): one at the root when `n` is 1, otherwise account
    /// i under `/accounts/{i}`.
    pub async fn start_accounts(options: SandboxOptions, n: usize) -> anyhow::Result<Sandbox> {
        if n == 0 {
            bail!("the sandbox needs at least one account");
        }
        let listener = TcpListener::bind(("127.0.0.1", options.port))
            .await
            .with_context(|| {
                format!(
                    "could not bind the sandbox to 127.0.0.1:{}; pick another port",
                    options.port
                )
            })?;
        let port = listener.local_addr()?.port();
        let accounts = accounts::create(&options, port, n);
        let app =
            accounts::router(accounts.clone()).into_make_service_with_connect_info::<ConnHandle>();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(KillableListener(listener), app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "sandbox server failed");
            }
        });
        tracing::debug!(port, accounts = n, "sandbox listening");
        Ok(Sandbox {
            port,
            accounts,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The (first) account's base URL: `http://127.0.0.1:PORT` when it is the only one.
    pub fn base_url(&self) -> String {
        self.base_url_of(1)
    }

    /// Account `i`'s base URL (1-based): `http://127.0.0.1:PORT/accounts/{i}` when there are
    /// several. Panics when there is no account `i`.
    pub fn base_url_of(&self, i: usize) -> String {
        self.account_at(i).base_url()
    }

    /// How many accounts this listener serves.
    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to the (first) account's state, to act as "a person in the UI" or inspect
    /// requests.
    pub fn account(&self) -> Account {
        self.account_at(1)
    }

    /// Account `i` (1-based). Panics when there is no account `i`.
    pub fn account_at(&self, i: usize) -> Account {
        let n = self.accounts.len();
        match i.checked_sub(1).and_then(|k| self.accounts.get(k)) {
            Some(account) => account.clone(),
            None => panic!("the sandbox serves accounts 1 to {n}, not {i}"),
        }
    }

    /// Stops accepting connections, lets requests in flight finish and waits for the server.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
