//! `catalog-sync auth login --code CODE` and `catalog-sync auth status`.

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::auth::AuthStatus;
use crate::config::AccountSettings;
use crate::secret::Secret;
use crate::startup;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// OAuth: exchange an authorization code for tokens and store them in the database.
    Login {
        /// The code from the integration's redirect (`?code=...`); it lives 20 minutes.
        #[arg(long, value_name = "CODE")]
        code: String,
    },
    /// The auth method, token expiry or session age, last refresh. Prints no secret.
    Status {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an auth command for one account (`--account` picks it when there are several). With
/// `json_logs` the answers are JSON objects, one line each.
pub async fn run(command: AuthCommand, account: &AccountSettings, json_logs: bool) -> Result<i32> {
    let store = startup::open_store(account).await?;
    let result = command_with(command, account, &store, json_logs).await;
    store.close().await;
    result
}

async fn command_with(
    command: AuthCommand,
    account: &AccountSettings,
    store: &Store,
    json_logs: bool,
) -> Result<i32> {
    match command {
        AuthCommand::Login { code } => {
            let app = crate::auth::oauth_app(account).context("auth login")?;
            let endpoint = crate::auth::endpoint(account)?;
            let code = Secret::new(code.trim());
            let tokens = crate::auth::login_with_code(store, &endpoint, &app, &code).await?;
            let until = tokens
                .expires_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let database = account.database.path.display();
            if json_logs {
                let answer = serde_json::json!({"logged_in": true, "expires_at": until,
                    "database": account.database.path});
                super::json::print(&answer)?;
            } else {
                println!(
                    "Logged in. The access token is valid until {until}; both tokens are stored \
                     in {database} and refreshed automatically."
                );
            }
        }
        AuthCommand::Status { json } => {
            let status = crate::auth::status(account, store).await?;
            print_status(&status, json || json_logs)?;
        }
    }
    Ok(0)
}

fn print_status(s: &AuthStatus, json: bool) -> Result<()> {
    if json {
        super::json::print(&serde_json::to_value(s)?)?;
        return Ok(());
    }
    println!("Method:        {}", s.method);
    println!("State:         {}", s.summary);
    let lines = [
        ("Expires at:", &s.access_token_expires_at),
        ("Obtained at:", &s.obtained_at),
        ("Last refresh:", &s.last_refresh_at),
        ("Login:", &s.login),
        ("Session from:", &s.session_started_at),
    ];
    for (label, value) in lines {
        if let Some(value) = value {
            println!("{label:<14} {value}");
        }
    }
    if let Some(n) = s.refreshes {
        println!("{:<14} {n}", "Refreshes:");
    }
    Ok(())
}
