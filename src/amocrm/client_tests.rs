use super::*;
use crate::secret::Secret;

fn options(token: &str, requests_per_second: u32) -> ClientOptions {
    ClientOptions {
        base_url: "https://x.amocrm.ru".parse().unwrap(),
        credentials: Credentials::Token(Secret::new(token)),
        timeout: Duration::from_secs(1),
        requests_per_second,
        max_retries: 0,
        backoff_base: Duration::from_millis(1),
        shared_pace: None,
        observer: None,
    }
}

#[test]
fn bad_options_are_config_errors_that_name_the_setting() {
    let cases = [
        (options("t", 0), "http.requests_per_second"),
        (options("t", 8), "http.requests_per_second"),
    ];
    let more = [
        (options("", 1), "auth.token"),
        (options("bad\ntoken", 1), "auth.token"),
    ];
    for (options, key) in cases.into_iter().chain(more) {
        let err = Client::new(options).unwrap_err();
        assert!(
            matches!(&err, ApiError::Config { detail } if detail.contains(key)),
            "{err:?}"
        );
        assert!(!err.to_string().contains("bad\ntoken"));
    }
    let mut zero = options("t", 1);
    zero.timeout = Duration::ZERO;
    assert!(matches!(Client::new(zero), Err(ApiError::Config { .. })));
}

#[test]
fn a_client_and_its_options_never_print_the_token() {
    let options = options("s3cr3t-token", 5);
    assert!(!format!("{options:?}").contains("s3cr3t-token"));
    let client = Client::new(options).unwrap();
    let printed = format!("{client:?}");
    assert!(
        !printed.contains("s3cr3t-token") && printed.contains("x.amocrm.ru"),
        "{printed}"
    );
}
