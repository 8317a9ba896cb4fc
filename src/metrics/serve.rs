//! The HTTP side on `metrics.listen`: `/metrics` (Prometheus text format), `/livez` (200 while
//! the daemon's loop answers) and `/readyz` (200 when every account is healthy, 503 with one
//! line per unhealthy account otherwise), served with axum. What "alive" and "healthy" mean is
//! the daemon's to say ([`Probes`]); this module only answers.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;

use super::{CONTENT_TYPE, Metrics};

/// What the daemon tells the health endpoints.
pub trait Probes: Send + Sync + 'static {
    /// `Ok` while the daemon's loop is alive and answers; `Err` says why not.
    fn live(&self) -> impl Future<Output = Result<(), String>> + Send;
    /// One line per account that is not healthy (`name: problem; problem`); empty when all are.
    fn unready(&self) -> Vec<String>;
}

/// Takes the address of `metrics.listen`. A refusal (port taken, address not on this machine)
/// is an error naming the key, so that the start stops with it.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| {
        format!(
            "metrics.listen = {addr}: cannot listen there; free the port, choose another \
             address, or leave metrics.listen empty to turn the metrics off"
        )
    })
}

struct Shared<P> {
    metrics: Arc<Metrics>,
    probes: Arc<P>,
}

/// The three endpoints; anything else is 404.
pub fn router<P: Probes>(metrics: Arc<Metrics>, probes: Arc<P>) -> Router {
    Router::new()
        .route("/metrics", get(scrape::<P>))
        .route("/livez", get(livez::<P>))
        .route("/readyz", get(readyz::<P>))
        .with_state(Arc::new(Shared { metrics, probes }))
}

/// Serves `router` on `listener` in its own task, until the process ends. A failure of the
/// server is logged; it never stops a sync.
pub fn spawn<P: Probes>(listener: TcpListener, metrics: Arc<Metrics>, probes: Arc<P>) {
    let app = router(metrics, probes);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics server stopped");
        }
    });
}

async fn scrape<P: Probes>(State(s): State<Arc<Shared<P>>>) -> Response {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], s.metrics.encode()).into_response()
}

async fn livez<P: Probes>(State(s): State<Arc<Shared<P>>>) -> Response {
    match s.probes.live().await {
        Ok(()) => (StatusCode::OK, "alive\n").into_response(),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response(),
    }
}

async fn readyz<P: Probes>(State(s): State<Arc<Shared<P>>>) -> Response {
    let unready = s.probes.unready();
    if unready.is_empty() {
        return (StatusCode::OK, "ready\n").into_response();
    }
    let mut body = unready.join("\n");
    body.push('\n');
    (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
}
