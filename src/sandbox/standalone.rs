//! `catalog-sync sandbox [--port N] [--accounts N]`: the sandbox on its own, for trying the
//! daemon by hand.

use super::{Sandbox, SandboxOptions};

/// Accounts listed one by one; beyond this the first few and the pattern are printed.
const LISTED: usize = 5;

/// Starts the sandbox on `127.0.0.1:port` (0: any free port) with `accounts` accounts, seeds
/// every one with the example account, prints how to use it and serves until Ctrl-C or SIGTERM.
pub async fn run_standalone(port: u16, accounts: usize) -> anyhow::Result<()> {
    let options = SandboxOptions {
        port,
        ..SandboxOptions::default()
    };
    let sandbox = Sandbox::start_accounts(options.clone(), accounts).await?;
    for i in 1..=sandbox.account_count() {
        sandbox.account_at(i).seed_example_account();
    }
    if sandbox.account_count() > 1 {
        println!("{}", accounts_banner(&sandbox));
    }
    println!("{}", cheat_sheet(&sandbox.base_url(), &options));
    wait_for_signal().await;
    println!("sandbox: stopping");
    sandbox.shutdown().await;
    Ok(())
}

/// One line per account (the first few and the pattern when there are many); the cheat sheet
/// that follows uses account 1.
fn accounts_banner(sandbox: &Sandbox) -> String {
    let n = sandbox.account_count();
    let mut lines = vec![format!(
        "sandbox: {n} independent amoCRM accounts on one listener (each with its own state, limits, faults and log)"
    )];
    let shown = if n > LISTED { 3 } else { n };
    lines.extend((1..=shown).map(|i| format!("  account {i}: {}", sandbox.base_url_of(i))));
    if n > LISTED {
        let last = sandbox.base_url_of(n);
        let pattern = format!(
            "{}{{i}}",
            last.strip_suffix(&n.to_string()).unwrap_or(&last)
        );
        lines.push(format!("  ...\n  account i: {pattern}   (i = 1..{n})"));
    }
    lines.push(
        "The cheat sheet below is for account 1; put another account's base URL in its place."
            .into(),
    );
    lines.join("\n")
}

fn cheat_sheet(base: &str, o: &SandboxOptions) -> String {
    let json = "-H 'content-type: application/json'";
    format!(
        "\
sandbox amoCRM account listening on {base}
  base_url = \"{base}\"   token = \"{token}\"
  oauth: client_id = \"{cid}\", client_secret = \"{secret}\", redirect_uri = \"{uri}\"
  legacy auth.php: USER_LOGIN = \"{login}\", USER_HASH = \"{key}\"
  limits: {rate} requests/s, blocked (403) after {overruns} 429s within a minute

The account (as amoCRM serves it):
  curl -H 'Authorization: Bearer {token}' {base}/api/v2/catalogs
  curl -H 'Authorization: Bearer {token}' {json} -d '{{\"add\":[{{\"name\":\"New\",\"request_id\":1}}]}}' {base}/api/v2/catalogs
  curl -H 'Authorization: Bearer {token}' '{base}/api/v4/catalogs/7001/elements?limit=250'
  curl -H 'Authorization: Bearer {token}' {base}/api/v4/catalogs/7001/custom_fields

Control (no auth, no limits):
  curl {base}/_sandbox/catalogs                      # list, as a person sees it
  curl {json} -d '{{\"name\":\"Склады 2\",\"type\":\"regular\"}}' {base}/_sandbox/catalogs
  curl -X PATCH {json} -d '{{\"name\":\"Renamed\",\"can_show_in_cards\":true}}' {base}/_sandbox/catalogs/7002
  curl -X DELETE {base}/_sandbox/catalogs/7002
  curl {base}/_sandbox/catalogs/7001/elements        # the products, as the API renders them
  curl {json} -d '{{\"name\":\"Новый товар\"}}' {base}/_sandbox/catalogs/7001/elements
  curl -X PUT {json} -d '\"1290.50\"' {base}/_sandbox/elements/500001/values/270002   # set the price
  curl {json} -d '{{\"n\":10000}}' {base}/_sandbox/catalogs/7001/elements/bulk
  curl {json} -d '{{\"on\":\"post\",\"action\":{{\"kind\":\"status\",\"code\":502}},\"times\":1}}' {base}/_sandbox/faults
      # other actions: {{\"kind\":\"delay\",\"ms\":2000}}, {{\"kind\":\"apply_then_drop\"}}, {{\"kind\":\"no_content\"}}
  curl -X DELETE {base}/_sandbox/faults
  curl {base}/_sandbox/requests                      # the request log; also /_sandbox/counters
  curl {json} -d '{{\"echo_request_id\":false,\"numbers_as_strings\":true,\"rate_limit_per_second\":null}}' {base}/_sandbox/settings
  curl {json} -d '{{\"validation_400\":\"applies_valid\",\"v2_gone\":410}}' {base}/_sandbox/settings
  curl -X POST {base}/_sandbox/oauth/code            # an authorization code for `auth login --code`
  curl -X POST {base}/_sandbox/oauth/expire          # expire OAuth access tokens now
  curl -X POST {base}/_sandbox/unblock               # lift a 403 block
  curl {base}/_sandbox/status

Ctrl-C stops it.",
        token = o.token,
        cid = o.oauth_client_id,
        secret = o.oauth_client_secret,
        uri = o.oauth_redirect_uri,
        login = o.api_login,
        key = o.api_key,
        rate = o
            .rate_limit_per_second
            .map_or_else(|| "unlimited".to_string(), |r| r.to_string()),
        overruns = o.block_after_overruns,
    )
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cheat_sheet_names_the_base_url_and_the_token() {
        let sheet = cheat_sheet("http://127.0.0.1:1234", &SandboxOptions::default());
        assert!(sheet.contains("http://127.0.0.1:1234/_sandbox/faults"));
        assert!(sheet.contains("Bearer sandbox-token"));
    }

    #[tokio::test]
    async fn many_accounts_are_listed_by_their_first_few_and_the_pattern() {
        let sandbox = Sandbox::start_accounts(SandboxOptions::default(), 12)
            .await
            .unwrap();
        let banner = accounts_banner(&sandbox);
        let base = format!("http://127.0.0.1:{}/accounts", sandbox.port());
        assert!(banner.contains(&format!("account 3: {base}/3")), "{banner}");
        assert!(!banner.contains(&format!("{base}/4")), "{banner}");
        assert!(
            banner.contains(&format!("{base}/{{i}}   (i = 1..12)")),
            "{banner}"
        );
        let few = Sandbox::start_accounts(SandboxOptions::default(), 5)
            .await
            .unwrap();
        assert!(accounts_banner(&few).contains("/accounts/5"));
    }

    #[test]
    fn the_ids_in_the_cheat_sheet_are_those_of_a_freshly_seeded_account() {
        let account = super::super::accounts::create(&SandboxOptions::default(), 1, 1).remove(0);
        account.seed_example_account();
        let products = &account.catalogs()[0];
        assert_eq!((products.id, products.kind.as_str()), (7001, "products"));
        let price = &account.fields(7001)[1];
        assert_eq!((price.id, price.name.as_str()), (270_002, "Цена"));
        assert_eq!(account.elements(7001)[0]["id"], 500_001);
    }
}
