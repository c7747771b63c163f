//! Shared by the parser sweeps: the documented rules as data, and the safety invariant.

pub mod doc;
pub mod invariant;
