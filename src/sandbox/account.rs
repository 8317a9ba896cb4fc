//! [`Account`]: the shared state of the fake account and what a person (or a test) can do to it.
//!
//! Everything lives behind one `std::sync::Mutex`, taken briefly and never held across an
//! `.await`.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::SandboxOptions;
use super::auth::{AuthState, Credentials};
use super::faults::{Fault, FaultQueue};
use super::limits::Limiter;
use super::log::{Counters, LoggedRequest, RequestLog};
use super::state::{CatalogPatch, Catalogs, NewCatalog, Origin, SandboxCatalog};

/// Switches that change how the account answers, changeable while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub echo_request_id: bool,
    pub numbers_as_strings: bool,
    pub max_catalogs: usize,
    pub rate_limit_per_second: Option<u32>,
    pub block_after_overruns: u32,
    pub block_seconds: u64,
}

/// Everything the account holds.
#[derive(Debug)]
pub(crate) struct Shared {
    pub catalogs: Catalogs,
    pub echo_request_id: bool,
    pub numbers_as_strings: bool,
    pub auth: AuthState,
    pub limiter: Limiter,
    pub faults: FaultQueue,
    pub log: RequestLog,
}

/// A cheap, cloneable handle to the account's state.
#[derive(Debug, Clone)]
pub struct Account {
    inner: Arc<Mutex<Shared>>,
}

impl Account {
    pub(crate) fn new(o: &SandboxOptions) -> Self {
        let shared = Shared {
            catalogs: Catalogs::new(o.max_catalogs),
            echo_request_id: o.echo_request_id,
            numbers_as_strings: o.numbers_as_strings,
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
            log: RequestLog::default(),
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
        self.lock().catalogs.add(new, Origin::Ui, now_unix())
    }

    pub fn rename_catalog(&self, id: i64, name: &str) -> Result<(), String> {
        let patch = CatalogPatch {
            name: Some(name.to_string()),
            ..CatalogPatch::default()
        };
        self.lock().catalogs.update(id, patch)
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
        self.lock().catalogs.update(id, patch)
    }

    pub fn delete_catalog(&self, id: i64) -> Result<(), String> {
        self.lock().catalogs.delete(id)
    }

    /// Every catalog, sorted by id.
    pub fn catalogs(&self) -> Vec<SandboxCatalog> {
        self.lock().catalogs.list()
    }

    /// Fills the account like a real one: the products catalog "Товары" plus two regular lists.
    /// Catalogs whose name already exists are not added again.
    pub fn seed_example_account(&self) {
        super::seed::seed(&mut self.lock().catalogs, now_unix());
    }

    pub fn push_fault(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Faults still waiting to fire, oldest first.
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.lock().faults.pending()
    }

    pub fn set_echo_request_id(&self, on: bool) {
        self.lock().echo_request_id = on;
    }

    pub fn set_numbers_as_strings(&self, on: bool) {
        self.lock().numbers_as_strings = on;
    }

    pub fn set_max_catalogs(&self, n: usize) {
        self.lock().catalogs.max_catalogs = n;
    }

    /// `None` turns the rate limit off.
    pub fn set_rate_limit(&self, per_second: Option<u32>) {
        self.lock().limiter.set_per_second(per_second);
    }

    /// How many 429s within a minute block the account (0: never), and for how long.
    pub fn set_block_policy(&self, after_overruns: u32, seconds: u64) {
        let mut s = self.lock();
        s.limiter.block_after_overruns = after_overruns;
        s.limiter.block_seconds = seconds;
    }

    pub fn settings(&self) -> Settings {
        let s = self.lock();
        Settings {
            echo_request_id: s.echo_request_id,
            numbers_as_strings: s.numbers_as_strings,
            max_catalogs: s.catalogs.max_catalogs,
            rate_limit_per_second: s.limiter.per_second(),
            block_after_overruns: s.limiter.block_after_overruns,
            block_seconds: s.limiter.block_seconds,
        }
    }

    /// Requests to `/api/v2` and the auth endpoints, oldest first (the newest 10 000).
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

/// Now as unix seconds.
pub(crate) fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}
