//! The knobs of a run.

use crate::catalog::{ApiVersion, ConflictPolicy, Mode};

/// The knobs of a run (from `[sync]`, `amocrm.api` and the command line).
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub mode: Mode,
    pub policy: ConflictPolicy,
    pub batch_size: usize,
    pub max_deletes: usize,
    /// `--allow-deletes`: lift the delete guards (catalogs and elements) for this run.
    pub allow_deletes: bool,
    /// `sync.elements`: sync the elements of catalogs whose `sync_elements` is NULL.
    pub elements: bool,
    /// `sync.element_batch_size`: elements per element request (1-250).
    pub element_batch_size: usize,
    /// `sync.max_element_deletes`: more element deletions than this in one run abort it.
    pub max_element_deletes: usize,
    /// `amocrm.api`: how catalogs are read and written.
    pub api: ApiVersion,
}

impl Default for SyncOptions {
    /// The defaults of `config/default.toml`.
    fn default() -> Self {
        SyncOptions {
            mode: Mode::Both,
            policy: ConflictPolicy::LocalWins,
            batch_size: 50,
            max_deletes: 3,
            allow_deletes: false,
            elements: false,
            element_batch_size: 50,
            max_element_deletes: 20,
            api: ApiVersion::V2,
        }
    }
}
