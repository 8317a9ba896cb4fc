#![forbid(unsafe_code)]
//! catalog-sync: two-way sync of amoCRM catalogs with a SQLite database.
//!
//! The data path reads top to bottom: [`amocrm`] pulls, [`reconcile`] merges into a [`plan`],
//! [`store`] records the outbox, [`sync`] sends and records one run, [`startup`] wires one
//! account together, [`cli`] runs the commands over the configured accounts; the daemon's
//! [`metrics`] are served on `metrics.listen`.

pub mod amocrm;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod demo;
pub mod element;
pub mod hash;
pub mod metrics;
pub mod notify;
pub mod plan;
pub mod reconcile;
pub mod record;
pub mod sandbox;
pub mod schedule;
pub mod secret;
pub mod startup;
pub mod store;
pub mod sync;
pub mod telemetry;
pub mod text;
