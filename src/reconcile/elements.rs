//! The elements of one catalog through the merge core.
