//! The middleware in front of every account endpoint: block, rate limit, API v2 switched off,
//! authentication and faults, in that order, and the request log. Control endpoints
//! (`/_sandbox/...`) pass through untouched. Auth and faults cover every `/api/...` path; the
//! rate limit, the block and the log also cover the login endpoints.

use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::account::{Account, Shared};
use super::conn::ConnHandle;
use super::control::CONTROL_PREFIX;
use super::faults::FaultAction;
use super::limits::Verdict;
use super::log::LoggedRequest;
use super::respond::{
    forbidden_page, no_content, raw, too_many_page, unauthorized, unauthorized_v4, v2_gone,
};

const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// What the gate decided before the handler runs.
enum Admission {
    /// Answer this without running the handler.
    Answer(Response),
    /// Run the handler, with this fault (if any) around it.
    Proceed(Option<FaultAction>),
}

pub async fn gate(account: Account, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with(CONTROL_PREFIX) {
        return next.run(req).await;
    }
    let conn = req
        .extensions()
        .get::<ConnectInfo<ConnHandle>>()
        .map(|c| c.0.clone());
    let (parts, body) = req.into_parts();
    let mut entry = LoggedRequest {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_string(), |p| p.to_string()),
        body: String::new(),
        status: 0,
    };
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        let response = StatusCode::PAYLOAD_TOO_LARGE.into_response();
        entry.status = response.status().as_u16();
        account.lock().log.record(entry);
        return response;
    };
    entry.body = String::from_utf8_lossy(&bytes).into_owned();
    let admission = admit(&mut account.lock(), &parts);
    let response = match admission {
        Admission::Answer(response) => response,
        Admission::Proceed(fault) => {
            if let Some(FaultAction::Delay { ms }) = fault {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            match (fault, conn) {
                (Some(FaultAction::NoContent), _) => no_content(),
                (Some(FaultAction::ApplyThenDrop), Some(conn)) => {
                    conn.kill();
                    account.lock().log.record(entry);
                    return response;
                }
                _ => response,
            }
        }
    };
    entry.status = response.status().as_u16();
    account.lock().log.record(entry);
    response
}

fn admit(s: &mut Shared, parts: &Parts) -> Admission {
    let now = Instant::now();
    match s.limiter.check(now) {
        Verdict::Blocked => return Admission::Answer(forbidden_page()),
        Verdict::RateLimited => return Admission::Answer(too_many_page()),
        Verdict::Pass => {}
    }
    let path = parts.uri.path();
    if let Some(code) = s.v2_gone.filter(|_| path.starts_with("/api/v2/")) {
        return Admission::Answer(v2_gone(code));
    }
    if !path.starts_with("/api/") {
        return Admission::Proceed(None);
    }
    if !authorised(s, parts, now) {
        let v4 = path.starts_with("/api/v4/");
        return Admission::Answer(if v4 {
            unauthorized_v4()
        } else {
            unauthorized()
        });
    }
    match s.faults.take(parts.method.as_str(), path) {
        Some(FaultAction::Status {
            code,
            body,
            content_type,
        }) => Admission::Answer(raw(code, body, content_type)),
        other => Admission::Proceed(other),
    }
}

/// A valid Bearer token (long-lived or OAuth access token) or a live `session_id` cookie.
fn authorised(s: &Shared, parts: &Parts, now: Instant) -> bool {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    if bearer.is_some_and(|token| s.auth.bearer_ok(token, now)) {
        return true;
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == "session_id" && s.auth.session_ok(value, now))
}
