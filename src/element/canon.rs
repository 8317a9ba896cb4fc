//! Canonical values (SPEC §6): the one form each custom field value is compared and stored in.
