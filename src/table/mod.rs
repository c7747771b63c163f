//! Tables: decoded lines of the stock tools' output into typed session records.

pub mod header;
pub mod idle;
pub mod parse;
pub(crate) mod row;
pub mod session;
pub(crate) mod summary;
pub(crate) mod text;
pub(crate) mod vocab;
