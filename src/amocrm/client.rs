//! The client for one account: builds requests, paces them, retries where that is safe, and reads
//! answers with a size limit before handing bodies to [`wire`](super::wire). Every endpoint goes
//! through one [`Client::exchange`]; this file also holds the API v2 catalog calls (the v4 ones
//! are in `v4`, elements in `elements`).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use super::answer::{Failure, Reply, read_failure, read_refusal, read_success};
use super::batch::Batch;
use super::credentials::{Credential, CredentialSource, Credentials};
use super::endpoint::{account_root, endpoint, http_client};
use super::error::ApiError;
use super::outcome::BatchOutcome;
use super::pace::Pace;
use super::retry::{self, Backoff};
use super::wire;
use crate::catalog::RemoteCatalog;

/// Everything a [`Client`] needs, already parsed from the settings.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The account root, e.g. `https://x.amocrm.ru`; `http` only on loopback.
    pub base_url: Url,
    pub credentials: Credentials,
    /// For one request, from connecting to the end of the body.
    pub timeout: Duration,
    /// Client-side pace, 1..=7 (amoCRM allows 7 per second per account).
    pub requests_per_second: u32,
    /// The account's pace file ([`pace_path`](super::pace_path) of its database), shared with
    /// every other process using that database; `None` paces this client alone (tests).
    pub shared_pace: Option<PathBuf>,
    /// Extra attempts after a failure that may be retried.
    pub max_retries: u32,
    /// The first retry waits this long, each next one twice as long (1 s in production).
    pub backoff_base: Duration,
    /// Told of every request sent (each attempt): its method and status, `None` when no answer
    /// came. The daemon counts them for its metrics; `None` here tells no one.
    pub observer: Option<RequestObserver>,
}

/// Hears of each request's method and status (`None`: no answer came).
#[derive(Clone)]
pub struct RequestObserver(pub Arc<Observe>);

/// What a [`RequestObserver`] calls.
pub type Observe = dyn Fn(&Method, Option<StatusCode>) + Send + Sync;

impl fmt::Debug for RequestObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestObserver")
    }
}

/// The API v2 catalogs endpoint, relative to the account root.
const V2_CATALOGS: &str = "api/v2/catalogs";

/// A client for one account's catalogs and their elements. Cheap to clone; clones share the
/// pace and the counter.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// The account root, ending in `/`.
    root: Url,
    /// Sent in a header marked sensitive, and scrubbed from error details (see
    /// [`ApiError::redact`]).
    auth: Auth,
    pacer: Pace,
    backoff: Backoff,
    sent: AtomicU64,
    observer: Option<RequestObserver>,
}

impl Client {
    /// Checks the options and builds the HTTP client (installing rustls' ring provider first).
    pub fn new(options: ClientOptions) -> Result<Client, ApiError> {
        let root = account_root(&options.base_url)?;
        if !(1..=7).contains(&options.requests_per_second) {
            return Err(ApiError::config(format!(
                "http.requests_per_second is {}; it must be 1 to 7 (amoCRM allows 7 per second)",
                options.requests_per_second
            )));
        }
        if options.timeout.is_zero() {
            return Err(ApiError::config("http.timeout_seconds must be more than 0"));
        }
        let auth = match options.credentials {
            Credentials::Token(token) => {
                let fixed = Credential::Bearer(token);
                fixed.header()?;
                Auth::Fixed(fixed)
            }
            Credentials::Source(source) => Auth::Source(source),
        };
        let http = http_client(&root, options.timeout)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                root,
                auth,
                pacer: Pace::new(options.requests_per_second, options.shared_pace.as_deref()),
                backoff: Backoff {
                    max_retries: options.max_retries,
                    base: options.backoff_base,
                },
                sent: AtomicU64::new(0),
                observer: options.observer,
            }),
        })
    }

    /// GET /api/v2/catalogs. 204 (empty body) => Ok(vec![]).
    pub async fn list_catalogs(&self) -> Result<Vec<RemoteCatalog>, ApiError> {
        let (reply, used) = self.exchange(&Call::get(V2_CATALOGS, vec![])).await?;
        if reply.status == StatusCode::NO_CONTENT {
            return Ok(Vec::new());
        }
        wire::parse_catalog_list(reply.status, &reply.body).map_err(|e| redact(e, &used))
    }

    /// POST /api/v2/catalogs with {"add":[..],"update":[..],"delete":[..]} (omit empty keys).
    ///
    /// Retried only after 429. An empty batch sends nothing. An error for which
    /// [`ApiError::may_have_been_applied`] holds leaves every item in doubt.
    pub async fn post_catalogs(&self, batch: &Batch) -> Result<BatchOutcome, ApiError> {
        if batch.is_empty() {
            return Ok(BatchOutcome::default());
        }
        let body = batch.to_json();
        let call = Call::write(Method::POST, V2_CATALOGS, &body);
        let (reply, used) = self.exchange(&call).await?;
        if reply.body.trim().is_empty() {
            return Ok(BatchOutcome::without_body(batch, reply.body));
        }
        let parsed =
            wire::parse_post_reply(reply.status, &reply.body).map_err(|e| redact(e, &used))?;
        Ok(BatchOutcome::from_reply(batch, &parsed, reply.body))
    }

    /// HTTP requests actually sent so far (every attempt, retries included).
    pub fn requests_sent(&self) -> u64 {
        self.inner.sent.load(Ordering::Relaxed)
    }

    /// Sends until an answer, an error that must not be retried, or the retries run out. A 401
    /// renews a renewable credential once and sends again. Returns the credential that worked
    /// (to scrub it from errors made of the answer, see [`redact`]).
    pub(super) async fn exchange(&self, call: &Call<'_>) -> Result<(Reply, Credential), ApiError> {
        let method = &call.method;
        let path = call.path.as_str();
        let mut retry = 0;
        let mut renewed = false;
        let mut credential = self.credential().await?;
        loop {
            let mut failure = match self.attempt(call, &credential).await {
                Ok(reply) => return Ok((reply, credential)),
                Err(failure) => failure,
            };
            failure.error = redact(failure.error, &credential);
            if let (ApiError::Unauthorized { detail }, Auth::Source(source)) =
                (&failure.error, &self.inner.auth)
            {
                if renewed {
                    return Err(rejected_after_renewal(source.as_ref(), detail));
                }
                renewed = true;
                tracing::info!(%method, path, "amocrm refused the credential; renewing it once");
                credential = source.renew(&credential).await?;
                continue;
            }
            let delay = retry::may_retry(method, &failure.error)
                .then(|| self.inner.backoff.delay(retry, failure.retry_after))
                .flatten();
            if let ApiError::RateLimited { retry_after } = &failure.error {
                // Every process on this account waits too, not only this request.
                let wait = delay.or(*retry_after).unwrap_or(self.inner.backoff.base);
                self.inner.pacer.penalize(wait).await;
            }
            let Some(delay) = delay else {
                return Err(failure.error);
            };
            retry += 1;
            let status = failure
                .status
                .map_or_else(|| "no answer".into(), |s| s.to_string());
            tracing::warn!(
                %method,
                path,
                %status,
                attempt = retry,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = %failure.error,
                "retrying amocrm request"
            );
            tokio::time::sleep(delay).await;
            credential = self.credential().await?;
        }
    }

    /// The credential for the next attempt.
    async fn credential(&self) -> Result<Credential, ApiError> {
        match &self.inner.auth {
            Auth::Fixed(credential) => Ok(credential.clone()),
            Auth::Source(source) => source.current().await,
        }
    }

    /// One paced request and its answer.
    async fn attempt(&self, call: &Call<'_>, credential: &Credential) -> Result<Reply, Failure> {
        let inner = &self.inner;
        let method = &call.method;
        let (name, value) = credential.header().map_err(|error| Failure {
            error,
            status: None,
            retry_after: None,
        })?;
        inner.pacer.wait().await;
        let mut request = inner
            .http
            .request(
                method.clone(),
                endpoint(&inner.root, &call.path, &call.query),
            )
            .header(name, value);
        if let Some(body) = call.body {
            request = request.json(body);
        }
        inner.sent.fetch_add(1, Ordering::Relaxed);
        let sent = request.send().await;
        if let Some(RequestObserver(observe)) = &inner.observer {
            observe(method, sent.as_ref().ok().map(reqwest::Response::status));
        }
        let response = sent.map_err(Failure::transport)?;
        let status = response.status();
        tracing::debug!(%method, path = call.path, status = status.as_u16(), "amocrm answered");
        if status.is_success() {
            read_success(response).await
        } else if call.read_400 && status == StatusCode::BAD_REQUEST {
            read_refusal(response).await
        } else {
            Err(read_failure(response).await)
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("account", &self.inner.root.as_str())
            .field("requests_sent", &self.requests_sent())
            .finish_non_exhaustive()
    }
}

/// One request: what to send where, and which answers the caller reads itself.
pub(super) struct Call<'a> {
    pub method: Method,
    /// Relative to the account root, e.g. `api/v4/catalogs/7/elements`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<&'a Value>,
    /// Hand a 400 answer back as a reply: an API v4 write names its refused items in the body.
    pub read_400: bool,
}

impl<'a> Call<'a> {
    pub(super) fn get(path: impl Into<String>, query: Vec<(&'static str, String)>) -> Self {
        Call {
            method: Method::GET,
            path: path.into(),
            query,
            body: None,
            read_400: false,
        }
    }

    pub(super) fn write(method: Method, path: impl Into<String>, body: &'a Value) -> Self {
        Call {
            method,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
            read_400: false,
        }
    }
}

/// Where the credential of each request comes from.
enum Auth {
    Fixed(Credential),
    Source(Arc<dyn CredentialSource>),
}

/// `error` with the secret that travelled with the request scrubbed from its detail.
pub(super) fn redact(error: ApiError, used: &Credential) -> ApiError {
    error.redact(used.secret().expose())
}

/// Even a renewed credential got 401: the integration was revoked or the login disabled.
fn rejected_after_renewal(source: &dyn CredentialSource, detail: &str) -> ApiError {
    ApiError::Credentials {
        detail: format!(
            "amoCRM answered 401 Unauthorized ({detail}) even to renewed credentials: {}",
            source.rejected_hint()
        ),
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
