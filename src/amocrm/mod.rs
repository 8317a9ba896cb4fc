//! The amoCRM HTTP client: `GET` and `POST /api/v2/catalogs`, paced, retried where that is
//! safe, with tolerant reading of what the servers actually send.

mod batch;
mod detail;
mod error;
mod outcome;
mod wire;

pub use batch::{AddItem, Batch, UpdateItem};
pub use error::ApiError;
pub use outcome::{BatchOutcome, ItemResult};
