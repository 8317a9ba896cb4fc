//! An `[[accounts]]` entry that cannot run as written (SPEC §7: a mis-configured account never
//! delays or stops another). Its problems travel with the account instead of refusing the whole
//! configuration: every command reports them for that account, the daemon reports them as a
//! failed run and tries again on the account's schedule.
//!
//! When only the account's secrets failed (a `*_file` that is missing or empty), they are read
//! again each time the account is about to run ([`AccountSettings::ready`]), so a file put in
//! place later takes effect at the next run without a reload.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::error::{ConfigError, Problems};
use super::raw::RawAuth;
use super::{AccountName, AccountSettings, auth};

/// What is wrong with one account's own settings, each problem named by its key
/// (`accounts[2].auth.token_file: cannot read ...`). `Display` puts the account's name first.
#[derive(Clone)]
pub struct AccountProblem {
    account: AccountName,
    problems: Arc<Vec<ConfigError>>,
    /// Set when the account's secrets are all that failed: how to read them again.
    reread: Option<Arc<Reread>>,
}

/// The account's `auth` as written, and where relative `*_file` paths are looked up.
pub(crate) struct Reread {
    pub raw: RawAuth,
    pub credentials_dir: Option<PathBuf>,
    /// `accounts[2].auth`, for messages.
    pub prefix: String,
}

impl AccountProblem {
    pub(crate) fn new(
        account: AccountName,
        problems: Vec<ConfigError>,
        reread: Option<Reread>,
    ) -> AccountProblem {
        AccountProblem {
            account,
            problems: Arc::new(problems),
            reread: reread.map(Arc::new),
        }
    }

    /// Every problem, in the order found, keyed by the entry (`accounts[2]...`).
    pub fn problems(&self) -> &[ConfigError] {
        &self.problems
    }

    /// The account whose entry this is.
    pub fn account(&self) -> &AccountName {
        &self.account
    }

    /// The problems on one line, without the account's name:
    /// `accounts[2].auth.token_file: cannot read ...; accounts[2].base_url: ...`.
    pub fn list(&self) -> String {
        let all: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        all.join("; ")
    }

    /// Whether the secrets, the only part that failed, are read again before each run.
    pub fn rereads_secrets(&self) -> bool {
        self.reread.is_some()
    }

    /// The secrets read again: the account's settings when they now are good, the new problems
    /// otherwise.
    fn retry(&self, account: &AccountSettings) -> Result<AccountSettings, AccountProblem> {
        let Some(reread) = &self.reread else {
            return Err(self.clone());
        };
        let mut p = Problems::default();
        let dir = reread.credentials_dir.as_deref();
        let auth = auth::auth(&reread.raw, dir, &reread.prefix, &mut p);
        match (auth, p.into_vec()) {
            (Some(auth), problems) if problems.is_empty() => Ok(AccountSettings {
                auth,
                problem: None,
                ..account.clone()
            }),
            (_, problems) => Err(AccountProblem {
                problems: Arc::new(problems),
                ..self.clone()
            }),
        }
    }
}

impl AccountSettings {
    /// The settings to run the account with: these, when the entry is good; for an entry whose
    /// only problem is its secrets, the same settings with the secrets read again; otherwise
    /// what is wrong. Called before each run, so that nothing of a broken entry is ever used.
    pub fn ready(&self) -> Result<Cow<'_, AccountSettings>, AccountProblem> {
        match &self.problem {
            None => Ok(Cow::Borrowed(self)),
            Some(problem) => problem.retry(self).map(Cow::Owned),
        }
    }
}

/// `account shop: accounts[2].auth.token_file: cannot read ...; accounts[2].base_url: ...`.
impl fmt::Display for AccountProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "account {}: {}", self.account, self.list())
    }
}

/// The messages only: they never hold a secret, and the raw `auth` is not shown.
impl fmt::Debug for AccountProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountProblem")
            .field("message", &self.to_string())
            .field("rereads_secrets", &self.rereads_secrets())
            .finish()
    }
}

impl std::error::Error for AccountProblem {}

impl PartialEq for AccountProblem {
    fn eq(&self, other: &AccountProblem) -> bool {
        self.to_string() == other.to_string() && self.rereads_secrets() == other.rereads_secrets()
    }
}

impl Eq for AccountProblem {}
