//! `catalog-sync sandbox [--port N]`: the sandbox on its own, for trying the daemon by hand.

use super::{Sandbox, SandboxOptions};

/// Starts the sandbox on `127.0.0.1:port` (0: any free port), seeds the example account, prints
/// how to use it and serves until Ctrl-C or SIGTERM.
pub async fn run_standalone(port: u16) -> anyhow::Result<()> {
    let options = SandboxOptions {
        port,
        ..SandboxOptions::default()
    };
    let sandbox = Sandbox::start(options.clone()).await?;
    sandbox.account().seed_example_account();
    println!("{}", cheat_sheet(&sandbox.base_url(), &options));
    wait_for_signal().await;
    println!("sandbox: stopping");
    sandbox.shutdown().await;
    Ok(())
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

Control (no auth, no limits):
  curl {base}/_sandbox/catalogs                      # list, as a person sees it
  curl {json} -d '{{\"name\":\"Склады 2\",\"type\":\"regular\"}}' {base}/_sandbox/catalogs
  curl -X PATCH {json} -d '{{\"name\":\"Renamed\",\"can_show_in_cards\":true}}' {base}/_sandbox/catalogs/7002
  curl -X DELETE {base}/_sandbox/catalogs/7002
  curl {json} -d '{{\"on\":\"post\",\"action\":{{\"kind\":\"status\",\"code\":502}},\"times\":1}}' {base}/_sandbox/faults
      # other actions: {{\"kind\":\"delay\",\"ms\":2000}}, {{\"kind\":\"apply_then_drop\"}}, {{\"kind\":\"no_content\"}}
  curl -X DELETE {base}/_sandbox/faults
  curl {base}/_sandbox/requests                      # the request log; also /_sandbox/counters
  curl {json} -d '{{\"echo_request_id\":false,\"numbers_as_strings\":true,\"rate_limit_per_second\":null}}' {base}/_sandbox/settings
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
}
