//! The sandbox: a stateful fake of one amoCRM account, served on loopback.
//!
//! It is an independent reading of the API notes (`AMOCRM_API.md`): it shares no types with the
//! client or the merge, so a misunderstanding of the API shows up as a failing test instead of
//! being mirrored on both sides. Tests and the `demo` command start it in-process with
//! [`Sandbox::start`]; `catalog-sync sandbox` runs it alone ([`run_standalone`]).
//!
//! Served: `GET`/`POST /api/v2/catalogs`, `POST /oauth2/access_token`,
//! `POST /private/api/auth.php`, and the control API under `/_sandbox/`, which mirrors
//! [`Account`] (JSON in and out, no auth, no limits, no faults):
//!
//! | request | does |
//! | --- | --- |
//! | `GET /_sandbox/catalogs` | every catalog ([`SandboxCatalog`]) |
//! | `POST /_sandbox/catalogs {"name","type"}` | add as a person in the UI → `{"id"}` |
//! | `PATCH /_sandbox/catalogs/{id} {"name"?, "can_*"?}` | rename / change flags |
//! | `DELETE /_sandbox/catalogs/{id}` | delete (422 `{"error"}` when refused) |
//! | `POST /_sandbox/seed` | the example account |
//! | `GET`/`POST`/`DELETE /_sandbox/faults` | pending faults / queue one ([`Fault`] JSON) / clear |
//! | `GET`/`DELETE /_sandbox/requests`, `GET /_sandbox/counters` | the request log |
//! | `GET`/`POST /_sandbox/settings` | [`Settings`]; every field optional when posting |
//! | `POST /_sandbox/oauth/code`, `/_sandbox/oauth/expire`, `/_sandbox/sessions/expire` | auth |
//! | `POST /_sandbox/unblock`, `GET /_sandbox/status` | lift a block / overview |

mod account;
mod api;
mod auth;
mod batch;
mod conn;
mod control;
mod faults;
mod gate;
mod limits;
mod log;
mod login;
mod respond;
mod seed;
mod standalone;
mod state;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use account::{Account, Settings};
pub use faults::{Fault, FaultAction, FaultOn};
pub use log::{Counters, LoggedRequest};
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
    account: Account,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds `127.0.0.1:port` and serves in a background task.
    pub async fn start(options: SandboxOptions) -> anyhow::Result<Sandbox> {
        let listener = TcpListener::bind(("127.0.0.1", options.port))
            .await
            .with_context(|| {
                format!(
                    "could not bind the sandbox to 127.0.0.1:{}; pick another port",
                    options.port
                )
            })?;
        let port = listener.local_addr()?.port();
        let account = Account::new(&options);
        let app = router(account.clone()).into_make_service_with_connect_info::<ConnHandle>();
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
        tracing::debug!(port, "sandbox listening");
        Ok(Sandbox {
            port,
            account,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`, the account's base URL.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to the account's state, to act as "a person in the UI" or inspect requests.
    pub fn account(&self) -> Account {
        self.account.clone()
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

/// Every route, with the gate (block, rate limit, auth, faults, log) in front of the account
/// endpoints.
fn router(account: Account) -> Router {
    let account_routes = api::routes()
        .merge(login::routes())
        .merge(control::routes())
        .layer(axum::middleware::from_fn_with_state(
            account.clone(),
            gate::gate,
        ));
    account_routes.with_state(account)
}
