//! The amoCRM HTTP client: `GET` and `POST /api/v2/catalogs`, paced, retried where that is
//! safe, with tolerant reading of what the servers actually send.
//!
//! Layout: `client` sends requests (with `pace` and `retry`), `endpoint` checks where they go,
//! `answer` reads answers under a size limit, `wire` parses the bodies, `detail` says what an
//! error body means, `error` is the error type the caller branches on, `batch` is what is sent
//! and `outcome` how each item fared. `credentials` is what proves who sends a request, `login`
//! obtains OAuth tokens and legacy sessions.

mod answer;
mod batch;
mod client;
mod credentials;
mod detail;
mod endpoint;
mod error;
mod login;
mod outcome;
mod pace;
mod retry;
mod wire;

pub use batch::{AddItem, Batch, UpdateItem};
pub use client::{Client, ClientOptions};
pub use credentials::{BoxFuture, Credential, CredentialSource, Credentials};
pub use error::ApiError;
pub use login::{AuthClient, Grant, OAuthApp, TokenError, TokenGrant};
pub use outcome::{BatchOutcome, ItemResult};
pub use pace::{Pace, pace_path};
