//! The wiring of one account, in one place: from its [`AccountSettings`] to an opened
//! [`Store`], its [`Client`] and a [`Syncer`]. The commands, the daemon, the demo and the
//! benchmark all build accounts here, so that a setting reaches a run the same way everywhere.
//!
//! Dependencies point down: `cli` and `demo` -> `startup` -> {`sync`, `store`, `amocrm`, `auth`}.

use std::borrow::Cow;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::amocrm::{Client, ClientOptions, RequestObserver};
use crate::config::AccountSettings;
use crate::store::Store;
use crate::sync::{SyncOptions, Syncer};

/// The first retry's pause; each next one doubles.
const BACKOFF_BASE: Duration = Duration::from_secs(1);

/// The settings to run the account with ([`AccountSettings::ready`]). A mis-configured
/// `[[accounts]]` entry is refused here, before its database is opened or anything is sent, so
/// that every command and the daemon report it as that account's failure and the other accounts
/// go on. The message names the keys (`accounts[2].auth.token_file: ...`) and what happens next;
/// the callers put the account's name in front.
pub fn ready(account: &AccountSettings) -> Result<Cow<'_, AccountSettings>> {
    account.ready().map_err(|problem| {
        let next = if problem.rereads_secrets() {
            "the file is read again before each run of the account"
        } else {
            "fix the configuration; the daemon reads it again on SIGHUP"
        };
        anyhow::Error::new(Misconfigured(format!("{} ({next})", problem.list())))
    })
}

/// The error of a mis-configured account ([`ready`]): its problems and what happens next.
#[derive(Debug, thiserror::Error)]
#[error("mis-configured: {0}")]
pub struct Misconfigured(String);

/// Opens (creating and migrating if needed) the account's database. The error names the
/// account's database key and path, so that a person knows which file of which account. A
/// mis-configured account is refused (see [`ready`]).
pub async fn open_store(account: &AccountSettings) -> Result<Store> {
    ready(account)?;
    let path = &account.database.path;
    Store::open(path)
        .await
        .with_context(|| format!("database.path = {}", path.display()))
}

/// The account's amoCRM client, with its own pace; OAuth tokens and sessions live in `store`.
pub fn client(account: &AccountSettings, store: &Store) -> Result<Client> {
    observed_client(account, store, None)
}

/// The same client, telling `observer` of every request it sends (the daemon's metrics).
pub fn observed_client(
    account: &AccountSettings,
    store: &Store,
    observer: Option<RequestObserver>,
) -> Result<Client> {
    let account = &*ready(account)?;
    // The login endpoints count in the metrics like the rest (their pace is the same file).
    let credentials = crate::auth::credentials(account, store, observer.clone())?;
    Ok(Client::new(ClientOptions {
        base_url: account.amocrm.base_url.as_url().clone(),
        credentials,
        timeout: account.http.timeout,
        requests_per_second: account.http.requests_per_second,
        max_retries: account.http.max_retries,
        backoff_base: BACKOFF_BASE,
        // Every process on this database (daemon, --once, plan, auth) shares one pace.
        shared_pace: Some(crate::amocrm::pace_path(&account.database.path)),
        observer,
    })?)
}

/// The knobs of the account's runs, from its `[sync]` and `amocrm.api` and `--allow-deletes`.
pub fn sync_options(account: &AccountSettings, allow_deletes: bool) -> SyncOptions {
    let sync = &account.sync;
    SyncOptions {
        mode: sync.mode,
        policy: sync.conflict_policy,
        batch_size: sync.batch_size,
        max_deletes: sync.max_deletes,
        allow_deletes,
        elements: sync.elements,
        element_batch_size: sync.element_batch_size,
        max_element_deletes: sync.max_element_deletes,
        api: account.amocrm.api,
    }
}

/// A syncer for the account: its database opened and migrated, its client built. Close the
/// store (`syncer.store().close()`) when done: the daemon keeps no file of an idle account open.
pub async fn syncer(account: &AccountSettings, allow_deletes: bool) -> Result<Syncer> {
    observed_syncer(account, allow_deletes, None).await
}

/// The same syncer, its client telling `observer` of every request (the daemon's metrics).
pub async fn observed_syncer(
    account: &AccountSettings,
    allow_deletes: bool,
    observer: Option<RequestObserver>,
) -> Result<Syncer> {
    let account = &*ready(account)?;
    let store = open_store(account).await?;
    let built = observed_client(account, &store, observer);
    let client = match built {
        Ok(client) => client,
        Err(e) => {
            store.close().await;
            return Err(e);
        }
    };
    let options = sync_options(account, allow_deletes);
    Ok(Syncer::new(store, client, options).with_blocked_cooldown(account.http.blocked_cooldown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ApiVersion;
    use crate::config::Settings;

    #[test]
    fn every_sync_setting_reaches_the_run_options() {
        let settings = Settings::for_account("http://127.0.0.1:1", "t", "x.db".into()).unwrap();
        let mut account = settings.accounts[0].clone();
        account.sync.batch_size = 7;
        account.sync.max_deletes = 9;
        account.sync.elements = true;
        account.sync.element_batch_size = 11;
        account.sync.max_element_deletes = 13;
        account.amocrm.api = ApiVersion::Auto;

        let options = sync_options(&account, true);

        assert_eq!((options.batch_size, options.max_deletes), (7, 9));
        assert!(options.elements && options.allow_deletes);
        assert_eq!(
            (options.element_batch_size, options.max_element_deletes),
            (11, 13)
        );
        assert_eq!(options.api, ApiVersion::Auto);
        assert_eq!(options.mode, account.sync.mode);
        assert_eq!(options.policy, account.sync.conflict_policy);
    }
}
