//! Tables: decoded lines of the stock tools' output into typed session records.

pub mod columns;
pub mod idle;
pub mod parse;
pub mod session;
