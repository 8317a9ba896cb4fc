//! [`Account`]: the shared state of the fake account and what a person (or a test) can do to it.
//!
//! Everything lives behind one `std::sync::Mutex`, taken briefly and never held across an
//! `.await`. What a person does to fields and elements is in `lists.rs`.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::SandboxOptions;
use super::auth::{AuthState, Credentials};
use super::elements::Elements;
use super::faults::{FaultQueue, FaultRule};
use super::fields::Fields;
use super::invalid::Validation400;
use super::limits::Limiter;
use super::log::{Counters, LoggedRequest, RequestLog};
use super::render::View;
use super::settings::V2_GONE_CODES;
use super::state::{CatalogPatch, Catalogs, NewCatalog, Origin, SandboxCatalog};

/// Where an account is served and what it is called.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    /// `http://127.0.0.1:PORT`, plus `/accounts/N` when the listener serves several accounts.
    pub base: String,
    pub account_id: i64,
    pub log: RequestLog,
}

/// Everything the account holds.
#[derive(Debug)]
pub(crate) struct Shared {
    pub catalogs: Catalogs,
    pub fields: Fields,
    pub elements: Elements,
    pub echo_request_id: bool,
    pub numbers_as_strings: bool,
    pub validation_400: Validation400,
    pub v2_gone: Option<u16>,
    pub base: String,
    pub account_id: i64,
    pub auth: AuthState,
    pub limiter: Limiter,
    pub faults: FaultQueue,
    pub log: RequestLog,
}

impl Shared {
    /// What renderings need: the base URL and the account id.
    pub fn view(&self) -> View<'_> {
        View {
            base: &self.base,
            account_id: self.account_id,
        }
    }

    /// Drops the fields and elements of a catalog that was deleted.
    pub fn forget_catalog(&mut self, id: i64) {
        self.fields.forget(id);
        self.elements.forget(id);
    }
}

/// A cheap, cloneable handle to the account's state.
#[derive(Debug, Clone)]
pub struct Account {
    inner: Arc<Mutex<Shared>>,
}

impl Account {
    pub(crate) fn new(o: &SandboxOptions, place: Place) -> Self {
        let shared = Shared {
            catalogs: Catalogs::new(o.max_catalogs),
            fields: Fields::default(),
            elements: Elements::default(),
            echo_request_id: o.echo_request_id,
            numbers_as_strings: o.numbers_as_strings,
            validation_400: o.validation_400,
            v2_gone: o.v2_gone.filter(|c| V2_GONE_CODES.contains(c)),
            base: place.base,
            account_id: place.account_id,
            auth: AuthState::new(Credentials {
                token: o.token.clone(),
                client_id: o.oauth_client_id.clone(),
                client_secret: o.oauth_client_secret.clone(),
                redirect_uri: o.oauth_redirect_uri.clone(),
                api_login: o.api_login.clone(),
                api_key: o.api_key.clone(),
            }),
            limiter: Limiter::new(
                o.rate_limit_per_second,
                o.block_after_overruns,
                o.block_seconds,
            ),
            faults: FaultQueue::default(),
            log: place.log,
        };
        Self {
            inner: Arc::new(Mutex::new(shared)),
        }
    }

    /// The state, locked. A panic elsewhere must not make the sandbox unusable, so poisoning is
    /// ignored.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Shared> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a catalog as a person in the UI would: any type (also `products`/`suppliers`, or a
    /// type amoCRM might invent later), subject to the caps.
    pub fn add_catalog(&self, name: &str, kind: &str) -> Result<i64, String> {
        let new = NewCatalog {
            name: name.to_string(),
            kind: kind.to_string(),
            ..NewCatalog::default()
        };
        self.lock()
            .catalogs
            .add(new, Origin::Ui, now_unix())
            .map_err(|e| e.message)
    }

    /// `http://127.0.0.1:PORT` (plus `/accounts/N` when the sandbox serves several accounts).
    pub fn base_url(&self) -> String {
        self.lock().base.clone()
    }

    /// The `account_id` every v4 answer carries.
    pub fn account_id(&self) -> i64 {
        self.lock().account_id
    }

    pub fn rename_catalog(&self, id: i64, name: &str) -> Result<(), String> {
        let patch = CatalogPatch {
            name: Some(name.to_string()),
            ..CatalogPatch::default()
        };
        self.lock()
            .catalogs
            .update(id, patch, now_unix())
            .map_err(|e| e.message)
    }

    pub fn set_flags(
        &self,
        id: i64,
        can_add_elements: Option<bool>,
        can_show_in_cards: Option<bool>,
        can_link_multiple: Option<bool>,
    ) -> Result<(), String> {
        let patch = CatalogPatch {
            can_add_elements,
            can_show_in_cards,
            can_link_multiple,
            ..CatalogPatch::default()
        };
        self.lock()
            .catalogs
            .update(id, patch, now_unix())
            .map_err(|e| e.message)
    }

    /// Deletes a catalog with its fields and elements.
    pub fn delete_catalog(&self, id: i64) -> Result<(), String> {
        let mut s = self.lock();
        s.catalogs.delete(id).map_err(|e| e.message)?;
        s.forget_catalog(id);
        Ok(())
    }

    /// Every catalog, sorted by id.
    pub fn catalogs(&self) -> Vec<SandboxCatalog> {
        self.lock().catalogs.list()
    }

    /// Fills the account like a real one: the products catalog "Товары" (with the fields of a
    /// real products list and a dozen products) plus two regular lists. What already exists
    /// (catalogs by name, the products' fields and elements) is not added again.
    pub fn seed_example_account(&self) {
        let mut s = self.lock();
        let s = &mut *s;
        super::seed::seed(&mut s.catalogs, now_unix());
        super::products::seed_products(&s.catalogs, &mut s.fields, &mut s.elements, now_unix());
    }

    /// Queues a fault: a [`Fault`](super::Fault) for every `/api/` endpoint, or a
    /// [`FaultRule`] narrowed to a path prefix.
    pub fn push_fault(&self, fault: impl Into<FaultRule>) {
        self.lock().faults.push(fault.into());
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Faults still waiting to fire, oldest first.
    pub fn pending_faults(&self) -> Vec<FaultRule> {
        self.lock().faults.pending()
    }

    /// Requests to `/api/` and the auth endpoints, oldest first (the newest 10 000; fewer per
    /// account when the sandbox serves many accounts).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().log.entries()
    }

    /// Forgets logged requests and resets the counters.
    pub fn clear_requests(&self) {
        self.lock().log.clear();
    }

    /// Requests to `/api/v2/catalogs` with this method (any status) since the last clear.
    pub fn count(&self, method: &str) -> usize {
        self.lock().log.count(method)
    }

    /// Requests with this method whose path (without the query) starts with `prefix`, e.g.
    /// `count_at("PATCH", "/api/v4/catalogs/7001/elements")`, since the last clear.
    pub fn count_at(&self, method: &str, prefix: &str) -> usize {
        self.lock().log.count_at(method, prefix)
    }

    pub fn counters(&self) -> Counters {
        self.lock().log.counters()
    }

    /// A fresh OAuth authorization code (single use, 20 minutes), as if a person had approved
    /// the integration.
    pub fn issue_authorization_code(&self) -> String {
        self.lock().auth.issue_code(Instant::now())
    }

    pub fn expire_access_tokens(&self) {
        self.lock().auth.expire_access_tokens();
    }

    pub fn expire_sessions(&self) {
        self.lock().auth.expire_sessions();
    }

    /// Lifts a 403 block and forgets past overruns.
    pub fn unblock(&self) {
        self.lock().limiter.unblock();
    }

    pub fn is_blocked(&self) -> bool {
        self.lock().limiter.is_blocked(Instant::now())
    }
}

/// Handlers take the account their request was routed to (put there by the router).
impl<S: Send + Sync> FromRequestParts<S> for Account {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let account = parts.extensions.get::<Account>().cloned();
        account.ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Now as unix seconds.
pub(crate) fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}
