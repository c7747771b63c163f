//! Errors that end a run (or one server's part of it) before anyone is logged off, each mapped
//! to its exit code here and nowhere else.

use crate::decode::DecodeError;
use crate::exit_code::{Cause, ExitCode};
use crate::host::runner::RunError;
use crate::table::idle::NoUserHeader;
use crate::table::parse::ParseError;
use crate::vocab::duration::Secs;
use std::path::PathBuf;
use std::time::Duration;

/// The line after an error about the command line: where the flags and examples are.
pub(crate) const HELP_HINT: &str = "Run `logoff-all /?` (or --help) for the flags and examples.";

/// Why nothing (or nothing more) was done.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The command line cannot be run; the message says what to change.
    #[error("{0}")]
    Usage(String),
    /// The command-line parser's answer, as text: a parse error (`error: true`), or the help or
    /// version text asked for (`error: false`, printed on stdout, exit code 0).
    #[error("{}", text.trim_end())]
    CommandLine {
        /// The text to print, as the parser wrote it.
        text: String,
        /// Whether it is an error.
        error: bool,
    },
    /// A file the run needs (`--log`, `--output`) cannot be opened.
    #[error("cannot open {flag} {}: {source}; nobody was logged off", path.display())]
    Setup {
        /// The flag that named it.
        flag: &'static str,
        /// The path given.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// `--input` could not be read.
    #[error("cannot read --input {}: {source}; give the path of a captured `query session` output, or - for standard input", path.display())]
    Input {
        /// The path given.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// `--input-user` could not be read.
    #[error("cannot read --input-user {}: {source}; give the path of a captured `query user` output", path.display())]
    InputUser {
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
    /// A table read again lacks rows the first one had that never go away (services, the
    /// console, a listener, the own session), or has a line cut off: it is cut short, and
    /// proves nothing about the sessions it does not list.
    #[error("the table read again is incomplete ({0}): it proves nothing about the sessions it does not list")]
    Incomplete(String),
    /// The re-check before a logoff failed; no further session on that server is logged off.
    #[error("re-check before logoff failed; no further session on this server was logged off (the report shows any logged off before): {}", recheck_cause(.0))]
    Recheck(Box<Error>),
}

/// Why a re-check failed, without the "nobody was logged off" of a first read: sessions may
/// have been logged off before it.
fn recheck_cause(inner: &Error) -> String {
    match inner {
        Error::Parse(e) => format!("output not understood: {e}"),
        Error::Users(e) => format!("query user output not understood: {e}"),
        other => other.to_string(),
    }
}

impl Error {
    /// The exit code for this error (help and version, which clap reports as errors, are 0).
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Error::CommandLine { error: false, .. } => ExitCode::SUCCESS,
            Error::Usage(_)
            | Error::CommandLine { .. }
            | Error::Setup { .. }
            | Error::Input { .. }
            | Error::InputUser { .. } => Cause::Usage.into(),
            Error::Query(QueryError::Stopped { .. }) => Cause::Cancelled.into(),
            Error::Query(_) => Cause::QueryFailed.into(),
            Error::Decode(_) | Error::Parse(_) | Error::Users(_) | Error::Incomplete(_) => {
                Cause::NotUnderstood.into()
            }
            Error::Recheck(inner) => inner.exit_code(),
        }
    }

    /// A stable short code for the reports.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Error::Usage(_) | Error::CommandLine { .. } => "usage",
            Error::Setup { .. } => "setup",
            Error::Input { .. } | Error::InputUser { .. } => "input_unreadable",
            Error::Query(QueryError::Stopped { .. }) => "stopped",
            Error::Query(_) => "query_failed",
            Error::Decode(_) | Error::Parse(_) | Error::Users(_) | Error::Incomplete(_) => {
                "not_understood"
            }
            Error::Recheck(inner) => inner.kind(),
        }
    }

    /// Whether the error is about the whole run (command line, files), not one server.
    pub(crate) fn is_setup(&self) -> bool {
        matches!(
            self,
            Error::Usage(_)
                | Error::CommandLine { .. }
                | Error::Setup { .. }
                | Error::Input { .. }
                | Error::InputUser { .. }
        )
    }

    /// Prints the error the one way errors that end the run are printed, and returns its exit
    /// code: the parser's own text for its answers (help and version on stdout), else
    /// `logoff-all: error: ...` on stderr, followed for an error about the command line or the
    /// files it names by [`HELP_HINT`].
    pub(crate) fn report(&self, err: &mut dyn std::io::Write) -> ExitCode {
        match self {
            Error::CommandLine { text, error: false } => {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            }
            // The command line or the files it names: say what is wrong and where the flags are.
            _ if self.is_setup() => {
                let _ = writeln!(err, "logoff-all: error: {self}");
                let _ = writeln!(err, "{HELP_HINT}");
            }
            _ => {
                let _ = writeln!(err, "logoff-all: error: {self}");
            }
        }
        self.exit_code()
    }
}

/// The query failed as a whole; nobody is logged off on that server.
#[derive(Debug, thiserror::Error)]
pub(crate) enum QueryError {
    /// The program could not be found.
    #[error(transparent)]
    Tool(#[from] crate::host::tools::ToolError),
    /// The program could not be started, or printed more than any table.
    #[error("{0}")]
    Run(RunError),
    /// It ran past the timeout and was killed (a sick or unreachable host).
    #[error("{what} did not answer within {} s and was stopped; the server may be \
             unreachable or hung: check it, or raise --timeout", Secs(*.timeout))]
    TimedOut {
        /// "query session" or "query user".
        what: &'static str,
        /// The time it had.
        timeout: Duration,
    },
    /// It exited with a non-zero code.
    #[error("{what} failed with exit code {code}: {message}")]
    Failed {
        /// "query session" or "query user".
        what: &'static str,
        /// The exit code (-1 when ended by a signal).
        code: i32,
        /// What it printed, decoded.
        message: String,
    },
    /// It printed an error message instead of a table.
    #[error("{what} printed an error instead of a table: {message}")]
    ErrorText {
        /// "query session" or "query user".
        what: &'static str,
        /// What it printed.
        message: String,
    },
    /// It printed nothing at all.
    #[error("{what} printed nothing")]
    Empty {
        /// "query session" or "query user".
        what: &'static str,
    },
    /// A second Ctrl-C stopped it (or it was not started after one): nothing failed.
    #[error("{what} was stopped by Ctrl-C before it answered")]
    Stopped {
        /// "query session" or "query user".
        what: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_and_usage_errors_are_16_and_server_errors_their_bit() {
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(Error::Usage("x".into()).exit_code().code(), 16);
        let input = Error::Input {
            path: "x".into(),
            source: io(),
        };
        assert_eq!(input.exit_code().code(), 16);
        assert!(input.is_setup());
        let setup = Error::Setup {
            flag: "--log",
            path: "x".into(),
            source: io(),
        };
        assert_eq!(setup.exit_code().code(), 16);
        let parse = Error::Parse(ParseError::NoHeader {
            lines: 1,
            first: "x".into(),
            hint: String::new(),
        });
        assert_eq!(parse.exit_code().code(), 4);
        assert_eq!(Error::Recheck(Box::new(parse)).exit_code().code(), 4);
    }
}
