//! Tests of classifying whole-request errors.

use super::*;

const V2_401: &str =
    include_str!("../../tests/fixtures/amocrm/v2-error-401-auth-code-110-captured.json");
const PROBLEM_401: &str =
    include_str!("../../tests/fixtures/amocrm/v4-problem-json-401-captured.json");
const PROBLEM_244: &str =
    include_str!("../../tests/fixtures/amocrm/v4-problem-json-400-code-244-captured.json");

fn from(status: u16, body: &str) -> ApiError {
    ApiError::from_status(
        StatusCode::from_u16(status).unwrap(),
        body.as_bytes(),
        None,
        None,
    )
}

#[test]
fn a_401_in_either_envelope_is_unauthorized_and_says_to_check_the_token() {
    for body in [V2_401, PROBLEM_401] {
        let err = from(401, body);
        assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("401 Unauthorized") && text.contains("check auth.token"),
            "{text}"
        );
        assert!(text.contains("Неверный логин или пароль"), "{text}");
    }
}

#[test]
fn a_402_or_code_244_means_lists_are_unavailable() {
    assert!(matches!(
        from(402, ""),
        ApiError::ListsUnavailable { status: 402, .. }
    ));
    let err = from(400, PROBLEM_244);
    assert!(
        matches!(err, ApiError::ListsUnavailable { status: 400, .. }),
        "{err:?}"
    );
    let v2 = from(
        403,
        r#"{"response":{"error":"Нет прав","error_code":"244"}}"#,
    );
    assert!(
        matches!(v2, ApiError::ListsUnavailable { status: 403, .. }),
        "{v2:?}"
    );
    assert!(
        err.to_string()
            .contains("lists are not available on this account or to this user")
    );
}

#[test]
fn a_403_html_page_is_a_block() {
    let err = from(
        403,
        "<html><head><title>403 Forbidden</title></head></html>",
    );
    assert_eq!(
        err,
        ApiError::Blocked {
            detail: "an HTML page titled \"403 Forbidden\"".into()
        }
    );
    assert!(err.to_string().contains("http.blocked_cooldown_seconds"));
}

#[test]
fn statuses_map_to_their_variants() {
    assert_eq!(from(429, ""), ApiError::RateLimited { retry_after: None });
    assert!(matches!(
        from(502, "Bad Gateway"),
        ApiError::Server { status: 502, .. }
    ));
    assert!(matches!(
        from(404, ""),
        ApiError::Rejected { status: 404, .. }
    ));
    let moved = ApiError::from_status(
        StatusCode::MOVED_PERMANENTLY,
        b"",
        Some("https://b.kommo.com/"),
        None,
    );
    assert_eq!(
        moved,
        ApiError::Rejected {
            status: 301,
            detail: "a redirect to https://b.kommo.com/".into()
        }
    );
}

#[test]
fn only_transient_errors_are_retryable() {
    assert!(from(429, "").is_retryable());
    assert!(from(503, "").is_retryable());
    assert!(ApiError::Timeout.is_retryable());
    for err in [from(401, ""), from(402, ""), from(403, ""), from(400, "")] {
        assert!(!err.is_retryable(), "{err:?}");
    }
}

#[test]
fn errors_after_the_request_reached_amocrm_may_have_been_applied() {
    assert!(from(500, "").may_have_been_applied());
    assert!(ApiError::Timeout.may_have_been_applied());
    assert!(
        ApiError::BadResponse {
            detail: String::new()
        }
        .may_have_been_applied()
    );
    assert!(!from(429, "").may_have_been_applied());
    assert!(!from(401, "").may_have_been_applied());
    assert!(!from(403, "").may_have_been_applied());
    assert!(!from(404, "").may_have_been_applied());
}

#[test]
fn a_400_to_a_write_may_have_applied_its_valid_items_but_no_list_rights_did_not() {
    let plain = r#"{"title":"Bad Request","status":400,"detail":"Request validation failed"}"#;
    for body in ["", plain] {
        let err = from(400, body);
        assert!(matches!(err, ApiError::Rejected { status: 400, .. }));
        assert!(err.may_have_been_applied(), "{err:?}");
    }
    for err in [from(400, PROBLEM_244), from(402, "")] {
        assert!(matches!(err, ApiError::ListsUnavailable { .. }), "{err:?}");
        assert!(!err.may_have_been_applied(), "{err:?}");
    }
}

#[test]
fn an_error_envelope_in_a_2xx_answer_is_not_taken_for_data() {
    let envelope = detail::describe(br#"{"response":{"error":"oops","error_code":"999"}}"#);
    let err = ApiError::from_envelope(StatusCode::OK, envelope);
    assert!(matches!(err, ApiError::BadResponse { .. }), "{err:?}");
    let no_rights = detail::describe(br#"{"response":{"error":"x","error_code":"244"}}"#);
    let err = ApiError::from_envelope(StatusCode::OK, no_rights);
    assert!(
        matches!(err, ApiError::ListsUnavailable { status: 200, .. }),
        "{err:?}"
    );
}

#[test]
fn redacting_removes_the_secret_from_every_detail() {
    let errors = [
        from(401, "Bearer tok123 is wrong"),
        from(500, "tok123"),
        ApiError::BadResponse {
            detail: "x tok123 y".into(),
        },
        ApiError::Network {
            detail: "tok123".into(),
        },
    ];
    for err in errors {
        let clean = err.redact("tok123");
        assert!(
            !format!("{clean} {clean:?}").contains("tok123"),
            "{clean:?}"
        );
        assert!(clean.to_string().contains("[redacted]"), "{clean}");
    }
    assert_eq!(ApiError::Timeout.redact("tok123"), ApiError::Timeout);
}

#[test]
fn a_rate_limit_says_how_long_amocrm_asked_to_wait() {
    let err = ApiError::RateLimited {
        retry_after: Some(Duration::from_secs(30)),
    };
    assert!(err.to_string().contains("(it asked to wait 30 s)"), "{err}");
}

#[test]
fn a_404_or_410_is_gone_whatever_its_body() {
    let bodies = [
        "",
        "<html><head><title>404 Not Found</title></head><body>nginx</body></html>",
        r#"{"title":"Not Found","type":"https://httpstatus.es/404","status":404,"detail":"x"}"#,
        r#"{"response":{"error":"Not found","error_code":"404"}}"#,
    ];
    for status in [404, 410] {
        for body in bodies {
            let err = from(status, body);
            assert!(err.is_gone(), "{status} {body}: {err:?}");
            assert!(err.to_string().contains("API v2 is switched off"), "{err}");
        }
    }
    for err in [from(400, ""), from(403, ""), from(500, ""), from(301, "")] {
        assert!(!err.is_gone(), "{err:?}");
    }
}

#[test]
fn a_refused_write_points_at_the_data_not_at_the_address_or_catalogs() {
    let text = from(
        400,
        r#"{"title":"Bad Request","detail":"Request validation failed"}"#,
    )
    .to_string();
    assert!(text.contains("refused what was sent"), "{text}");
    assert!(
        !text.contains("base_url") && !text.contains("catalog"),
        "{text}"
    );
    assert!(from(302, "").to_string().contains("amocrm.base_url"));
}
