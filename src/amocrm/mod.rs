//! The amoCRM HTTP client: catalogs through API v2 (`GET`/`POST /api/v2/catalogs`) or v4, and
//! the elements of catalogs with their custom fields; paced, retried where that is safe, with
//! tolerant reading of what the servers actually send.
//!
//! Layout: `client` sends every request (with `pace` and `retry`) and holds the v2 catalog
//! calls, `endpoint` checks where requests go, `answer` reads answers under a size limit,
//! `paging` reads v4 lists page by page, `v4` has the v4 catalog calls and the one way v4
//! writes are sent, `elements` the element and custom field calls, `seen` which fields a pull's elements name. `wire` parses catalog bodies,
//! `element_wire` and `fields` element and custom field bodies, `detail` says what an error
//! body means, `refusal` reads v4 item errors, `error` is the error type the caller branches on
//! (`error_kind` names its kinds for machines).
//! `batch` is what a v2 POST sends and `outcome` how each item fared; `items` builds v4 items
//! and `written` says how each fared. `credentials` is what proves who sends a request, `login`
//! obtains OAuth tokens and legacy sessions.

mod answer;
mod batch;
mod client;
mod credentials;
mod detail;
mod element_wire;
mod elements;
mod endpoint;
mod error;
mod error_kind;
mod fields;
mod items;
mod login;
mod outcome;
mod pace;
mod paging;
mod refusal;
mod retry;
mod seen;
mod v4;
mod wire;
mod written;

pub use batch::{AddItem, Batch, UpdateItem};
pub use client::{Client, ClientOptions, RequestObserver};
pub use credentials::{BoxFuture, Credential, CredentialSource, Credentials};
pub use elements::Progress;
pub use error::ApiError;
pub use items::{
    REQUEST_ID_PLACEHOLDER, catalog_add_item_v4, catalog_update_item_v4, element_add_item,
    element_update_item,
};
pub use login::{AuthClient, Grant, OAuthApp, TokenError, TokenGrant};
pub use outcome::{BatchOutcome, ItemResult};
pub use pace::{Pace, pace_path};
pub use seen::{SeenField, seen_fields};
pub use written::Written;
