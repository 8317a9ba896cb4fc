//! [`Settings`]: the switches that change how an account answers, and the [`Account`] methods
//! that flip them while it runs.

use serde::{Deserialize, Serialize};

use super::account::Account;
use super::invalid::Validation400;

/// Switches that change how the account answers, changeable while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub echo_request_id: bool,
    pub numbers_as_strings: bool,
    pub max_catalogs: usize,
    pub rate_limit_per_second: Option<u32>,
    pub block_after_overruns: u32,
    pub block_seconds: u64,
    /// What a v4 400 does to the valid items of its batch.
    pub validation_400: Validation400,
    /// `Some(404 | 410)`: every `/api/v2/...` request answers that and applies nothing.
    pub v2_gone: Option<u16>,
}

/// The codes `v2_gone` may take.
pub(crate) const V2_GONE_CODES: [u16; 2] = [404, 410];

impl Account {
    pub fn set_echo_request_id(&self, on: bool) {
        self.lock().echo_request_id = on;
    }

    pub fn set_numbers_as_strings(&self, on: bool) {
        self.lock().numbers_as_strings = on;
    }

    pub fn set_validation_400(&self, mode: Validation400) {
        self.lock().validation_400 = mode;
    }

    /// Switches API v2 off (`Some(404)` or `Some(410)`) or back on (`None`).
    pub fn set_v2_gone(&self, code: Option<u16>) -> Result<(), String> {
        if code.is_some_and(|c| !V2_GONE_CODES.contains(&c)) {
            return Err(format!("v2_gone takes 404, 410 or null, not {code:?}"));
        }
        self.lock().v2_gone = code;
        Ok(())
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
            validation_400: s.validation_400,
            v2_gone: s.v2_gone,
        }
    }
}
