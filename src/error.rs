//! Errors that end a run (or one server's part of it) before anyone is logged off, each mapped
//! to its exit code here and nowhere else.

use crate::decode::DecodeError;
use crate::exit_code::ExitCode;
use crate::query::QueryError;
use crate::table::idle::NoUserHeader;
use crate::table::parse::ParseError;
use std::path::PathBuf;

/// Why nothing was done.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--input` could not be read.
    #[error("cannot read --input {}: {source}; give the path of a captured `query session` output, or - for standard input", path.display())]
    Input {
        /// The path given.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// `query session` failed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The bytes could not be decoded at all.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The output is not a session table.
    #[error("output not understood, nobody was logged off: {0}")]
    Parse(#[from] ParseError),
    /// `query user` output (for `--idle-over`) is not a user table.
    #[error("query user output not understood, nobody was logged off: {0}")]
    Users(#[from] NoUserHeader),
    /// The re-check before a logoff failed; no further session on that server is logged off.
    #[error("re-check before logoff failed; no further session on this server was logged off (the report shows any logged off before): {0}")]
    Recheck(Box<Error>),
    /// The confirmation prompt was declined.
    #[error("cancelled; nobody was logged off")]
    Cancelled,
}

impl Error {
    /// The exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Input { .. } => ExitCode::Usage,
            Error::Query(_) => ExitCode::QueryFailed,
            Error::Decode(_) | Error::Parse(_) | Error::Users(_) => ExitCode::NotUnderstood,
            Error::Cancelled => ExitCode::Cancelled,
            Error::Recheck(inner) => inner.exit_code(),
        }
    }

    /// A stable short code for the JSON report.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Input { .. } => "input_unreadable",
            Error::Query(_) => "query_failed",
            Error::Decode(_) | Error::Parse(_) | Error::Users(_) => "not_understood",
            Error::Cancelled => "cancelled",
            Error::Recheck(inner) => inner.kind(),
        }
    }
}
