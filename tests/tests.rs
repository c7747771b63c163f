//! The integration tests: one crate, one module per topic. Most run the built binary with
//! stand-in tools (`common`); the parser sweeps call the library's public face.
//!
//! Run one topic with a filter: `cargo test --test tests safety::`. The end-to-end tests under
//! Wine are ignored unless asked for: `cargo test --test tests -- --ignored wine::`.

mod common;
mod support;

mod admin;
mod check;
mod cli;
mod fixtures;
mod formats;
mod lost_output;
mod messages;
mod output;
mod real;
mod runner;
mod safety;
mod sweep;
mod tools;
mod wine;
mod workflows;
