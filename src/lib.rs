#![forbid(unsafe_code)]
//! catalog-sync: two-way sync of amoCRM catalogs with a SQLite database.

pub mod amocrm;
pub mod catalog;
pub mod secret;
