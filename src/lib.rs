#![forbid(unsafe_code)]
//! catalog-sync: two-way sync of amoCRM catalogs with a SQLite database.

pub mod catalog;
pub mod reconcile;
pub mod secret;
pub mod store;
pub mod cli;
pub mod sync;
