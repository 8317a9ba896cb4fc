//! A 429 across processes, against wiremock: the `Retry-After` one `--once` process meets holds
//! back the next process on the same database, and only the shared pace file carries it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use catalog_sync::amocrm::pace_path;
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::helpers::{TestApp, catalog_sync, item, list, spawn_app};

/// What the first answer asks for.
const RETRY_AFTER: Duration = Duration::from_secs(3);

/// Answers the first request 429 with `Retry-After`, the rest with one catalog; notes when each
/// request arrived.
#[derive(Clone, Default)]
struct FirstRefused {
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for FirstRefused {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut arrivals = self.arrivals.lock().unwrap();
        arrivals.push(Instant::now());
        if arrivals.len() == 1 {
            ResponseTemplate::new(429)
                .insert_header("Retry-After", RETRY_AFTER.as_secs().to_string().as_str())
        } else {
            ResponseTemplate::new(200).set_body_json(list(&[item(1, "Goods")]))
        }
    }
}

/// Process A meets the 429 (no retries: it fails at once), then process B runs `--once` on the
/// same database. Returns how long after A's request B's arrived.
async fn a_then_b(app: &TestApp) -> Duration {
    let answers = FirstRefused::default();
    Mock::given(method("GET"))
        .and(path("/api/v2/catalogs"))
        .respond_with(answers.clone())
        .expect(2)
        .mount(&app.server)
        .await;
    let config = app.token_config("[http]\nmax_retries = 0\n");

    let a = catalog_sync(&config, &["--once"]).await;
    let a_err = String::from_utf8_lossy(&a.stderr);
    assert_eq!(a.status.code(), Some(1), "{a_err}");
    assert!(a_err.contains("429"), "{a_err}");
    let b = catalog_sync(&config, &["--once"]).await;
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));

    let arrivals = answers.arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 2, "one request each");
    arrivals[1] - arrivals[0]
}

#[tokio::test]
async fn a_429_met_by_one_process_holds_back_the_next_process_on_the_account() {
    let app = spawn_app().await;

    let gap = a_then_b(&app).await;

    // Less a little for the two clocks (the file holds wall-clock time).
    assert!(
        gap >= RETRY_AFTER - Duration::from_millis(100),
        "B's request came {gap:?} after A's 429 (Retry-After: {RETRY_AFTER:?})"
    );
    assert!(pace_path(&app.dir.path().join("catalog-sync.db")).exists());
}

#[tokio::test]
async fn without_the_shared_pace_file_the_next_process_does_not_wait() {
    let app = spawn_app().await;
    // A directory where the pace file should be: each process paces only itself.
    std::fs::create_dir(pace_path(&app.dir.path().join("catalog-sync.db"))).unwrap();

    let gap = a_then_b(&app).await;

    assert!(
        gap < RETRY_AFTER - Duration::from_millis(500),
        "{gap:?}: what held B back was not the shared file"
    );
}
