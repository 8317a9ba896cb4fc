//! Reading amoCRM's answers: whole 2xx bodies under a size limit, the start of error bodies,
//! and the headers that matter for a retry.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderValue, LOCATION, RETRY_AFTER};
use reqwest::{Response, StatusCode};

use super::error::ApiError;
use super::retry;

/// Successful answers larger than this are refused: a list of at most 10 catalogs is a few KiB
/// and a page of 250 elements a few hundred, so anything this big is not what we asked for.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Of an error body only this much is read: enough for its message.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// A 2xx answer and its whole body.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: String,
}

/// A failed attempt: the error, the status if there was one, and how long amoCRM asked to wait.
pub(crate) struct Failure {
    pub error: ApiError,
    pub status: Option<StatusCode>,
    pub retry_after: Option<Duration>,
}

impl Failure {
    pub(crate) fn transport(error: reqwest::Error) -> Failure {
        Failure {
            error: ApiError::from_transport(&error),
            status: None,
            retry_after: None,
        }
    }
}

/// Reads a 2xx body whole, refusing more than [`MAX_BODY_BYTES`] (announced or counted) and
/// text that is not UTF-8.
pub(crate) async fn read_success(response: Response) -> Result<Reply, Failure> {
    let status = response.status();
    let bad = |detail: String| Failure {
        error: ApiError::BadResponse { detail },
        status: Some(status),
        retry_after: None,
    };
    if let Some(length) = response
        .content_length()
        .filter(|&n| n > MAX_BODY_BYTES as u64)
    {
        return Err(bad(format!(
            "the body announces {length} bytes, more than the {MAX_BODY_BYTES} accepted"
        )));
    }
    let (bytes, complete) = read_up_to(response, MAX_BODY_BYTES)
        .await
        .map_err(Failure::transport)?;
    if !complete {
        return Err(bad(format!(
            "the body is longer than the {MAX_BODY_BYTES} bytes accepted"
        )));
    }
    let body =
        String::from_utf8(bytes).map_err(|e| bad(format!("the body is not UTF-8 text ({e})")))?;
    Ok(Reply { status, body })
}

/// Reads a 400 answer that the caller interprets itself (API v4 `validation-errors`), up to
/// [`MAX_BODY_BYTES`], as lossy text. A longer one is described by its start, as any error.
pub(crate) async fn read_refusal(response: Response) -> Result<Reply, Failure> {
    let status = response.status();
    let (bytes, complete) = read_up_to(response, MAX_BODY_BYTES)
        .await
        .map_err(Failure::transport)?;
    if !complete {
        return Err(Failure {
            error: ApiError::from_status(status, &bytes, None, None),
            status: Some(status),
            retry_after: None,
        });
    }
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Ok(Reply { status, body })
}

/// Turns a non-2xx answer into its error, reading only the start of the body.
pub(crate) async fn read_failure(response: Response) -> Failure {
    let status = response.status();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let retry_after =
        header(RETRY_AFTER).and_then(|v| retry::parse_retry_after(v, SystemTime::now()));
    let location = header(LOCATION).map(str::to_owned);
    // An unreadable error body only costs the detail; the status says enough.
    let (body, _) = read_up_to(response, MAX_ERROR_BODY_BYTES)
        .await
        .unwrap_or_default();
    let error = ApiError::from_status(status, &body, location.as_deref(), retry_after);
    Failure {
        error,
        status: Some(status),
        retry_after,
    }
}

/// Reads chunks until the end or `limit` bytes; `false` when there was more than `limit`.
async fn read_up_to(
    mut response: Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}
