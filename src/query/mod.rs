//! Query: run the stock `query session` (optionally `/server:NAME`) and capture what it prints,
//! telling a failed query apart from a table.

use crate::host::runner::{Output, RunError};
use crate::host::{Call, Host, HostError};
use crate::vocab::one_line;
use crate::vocab::ServerName;
use regex::Regex;
use std::sync::OnceLock;
use std::time::Duration;

/// What `query session` printed when it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Standard output: the table.
    pub stdout: Vec<u8>,
    /// Standard error: normally empty.
    pub stderr: Vec<u8>,
}

/// The query failed as a whole; nobody is logged off on that server.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The program could not be found.
    #[error(transparent)]
    Tool(#[from] crate::host::tools::ToolError),
    /// The program could not be started, or printed more than any table.
    #[error("{0}")]
    Run(RunError),
    /// It ran past the timeout and was killed (a sick or unreachable host).
    #[error("{what} did not answer within {} s and was stopped; the server may be \
             unreachable or hung: check it, or raise --timeout", .timeout.as_secs_f64())]
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
}

/// Runs `query session` on `server` and returns its output, or why there is no table to read;
/// `text` decodes a message for display.
pub fn sessions(
    host: &dyn Host,
    server: Option<&ServerName>,
    timeout: Duration,
    text: &dyn Fn(&[u8]) -> String,
) -> Result<Captured, QueryError> {
    let what = "query session";
    classify(
        start(host, &Call::QuerySession, server, what, timeout)?,
        what,
        text,
    )
}

fn start(
    host: &dyn Host,
    call: &Call<'_>,
    server: Option<&ServerName>,
    what: &'static str,
    timeout: Duration,
) -> Result<Output, QueryError> {
    match host.run(call, server, timeout) {
        Ok(output) => Ok(output),
        Err(HostError::Tool(e)) => Err(QueryError::Tool(e)),
        Err(HostError::Run(RunError::TimedOut { .. })) => {
            Err(QueryError::TimedOut { what, timeout })
        }
        Err(HostError::Run(e)) => Err(QueryError::Run(e)),
    }
}

fn classify(
    output: Output,
    what: &'static str,
    text: &dyn Fn(&[u8]) -> String,
) -> Result<Captured, QueryError> {
    let message = || {
        let joined = [text(&output.stderr), text(&output.stdout)].join(" ");
        one_line(&joined)
    };
    if !output.success() {
        return Err(QueryError::Failed {
            what,
            code: output.code.unwrap_or(-1),
            message: message(),
        });
    }
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Err(if output.stderr.iter().all(u8::is_ascii_whitespace) {
            QueryError::Empty { what }
        } else {
            QueryError::ErrorText {
                what,
                message: message(),
            }
        });
    }
    Ok(Captured {
        stdout: output.stdout,
        stderr: output.stderr,
    })
}

/// Runs `query user`; `Ok(None)` when it says nobody is logged on ("No User exists for *" on
/// stderr with a non-zero exit code, and nothing on stdout), which is not an error.
pub fn users(
    host: &dyn Host,
    server: Option<&ServerName>,
    timeout: Duration,
    text: &dyn Fn(&[u8]) -> String,
) -> Result<Option<Captured>, QueryError> {
    let what = "query user";
    let output = start(host, &Call::QueryUser, server, what, timeout)?;
    let nobody = !output.success()
        && output.stdout.iter().all(u8::is_ascii_whitespace)
        && one_line(&text(&output.stderr))
            .to_ascii_lowercase()
            .starts_with("no user exists");
    if nobody {
        return Ok(None);
    }
    classify(output, what, text).map(Some)
}

/// Whether text that holds no table reads like one of the stock tools' error messages
/// ("No session exists for *", "Error 5 getting Session Names", RPC errors, access denied).
pub fn looks_like_error(text: &str) -> bool {
    static PATTERN: OnceLock<Option<Regex>> = OnceLock::new();
    PATTERN
        .get_or_init(|| {
            // A constant pattern, compiled in a test; were it ever refused, no text would read
            // as an error and the output would be reported as not understood: nobody is
            // logged off either way.
            Regex::new(
                r"(?i-u)no session exists|no user exists|error\s*\[?\d+\]?|getting session names|rpc server|access is denied|could not|is not recognized",
            )
            .ok()
        })
        .as_ref()
        .is_some_and(|p| p.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_error_texts_are_recognised() {
        assert!(looks_like_error("No session exists for *"));
        assert!(looks_like_error("Error 5 getting Session Names"));
        assert!(looks_like_error(
            "Error [1722]:The RPC server is unavailable."
        ));
        assert!(!looks_like_error("SESSIONNAME USERNAME ID STATE"));
    }
}
