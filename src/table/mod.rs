//! Tables: decoded lines of the stock tools' output into typed session records.

pub mod header;
pub mod idle;
pub mod parse;
pub mod row;
pub mod session;
pub mod summary;
pub mod text;
pub mod vocab;
