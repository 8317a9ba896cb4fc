//! What one run knows about the account's catalog APIs: the version in use, whether API v2
//! answered 404/410, and whether a switch `auto` made is still to be remembered.

use std::sync::{Mutex, PoisonError};

use crate::amocrm::ApiError;
use crate::catalog::ApiVersion;

#[derive(Debug)]
struct Known {
    api: ApiVersion,
    /// API v2 answered 404/410 in this run: a delete (v2 only) is not sent again.
    v2_gone: Option<ApiError>,
    /// `auto` moved to v4 in this run and has not remembered it yet: why it moved.
    unremembered: Option<String>,
    /// API v4 has answered a request of this run.
    v4_answered: bool,
}

/// The run's knowledge; reset by [`CatalogApi::start`] at the start of every run or plan.
#[derive(Debug)]
pub(in crate::sync) struct CatalogApi(Mutex<Known>);

impl CatalogApi {
    pub fn new() -> CatalogApi {
        CatalogApi(Mutex::new(Known {
            api: ApiVersion::V2,
            v2_gone: None,
            unremembered: None,
            v4_answered: false,
        }))
    }

    fn with<T>(&self, f: impl FnOnce(&mut Known) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A run (or a plan) starts on `api` knowing nothing else.
    pub fn start(&self, api: ApiVersion) {
        self.with(|k| {
            *k = Known {
                api,
                v2_gone: None,
                unremembered: None,
                v4_answered: false,
            }
        });
    }

    /// The version catalogs go through now (`v2` or `v4`).
    pub fn get(&self) -> ApiVersion {
        self.with(|k| k.api)
    }

    /// Moves from v2 to v4 because v2 answered `e` (404/410). `false` when already on v4.
    pub fn switch(&self, e: &ApiError) -> bool {
        self.with(|k| {
            if k.api == ApiVersion::V4 {
                return false;
            }
            k.api = ApiVersion::V4;
            k.v2_gone = Some(e.clone());
            k.unremembered = Some(e.to_string());
            true
        })
    }

    /// API v2 answered `e` (404/410) to a delete.
    pub fn v2_answered_gone(&self, e: &ApiError) {
        self.with(|k| k.v2_gone = Some(e.clone()));
    }

    /// What API v2 answered when it was found gone in this run.
    pub fn v2_gone(&self) -> Option<ApiError> {
        self.with(|k| k.v2_gone.clone())
    }

    pub fn v4_answered(&self) {
        self.with(|k| k.v4_answered = true);
    }

    /// Why the run switched, once v4 has answered and until the switch is remembered.
    pub fn to_remember(&self) -> Option<String> {
        self.with(|k| k.unremembered.clone().filter(|_| k.v4_answered))
    }

    pub fn remembered(&self) {
        self.with(|k| k.unremembered = None);
    }
}
