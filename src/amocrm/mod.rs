//! The amoCRM HTTP client: `GET` and `POST /api/v2/catalogs`, paced, retried where that is
//! safe, with tolerant reading of what the servers actually send.

mod detail;
mod error;
mod wire;

pub use error::ApiError;
