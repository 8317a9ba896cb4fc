#![forbid(unsafe_code)]
//! catalog-sync: two-way sync of amoCRM catalogs with a SQLite database.

pub mod catalog;
pub mod sandbox;
pub mod secret;
