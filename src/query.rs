//! Query: run the stock `query session` (optionally `/server:NAME`) and capture what it prints,
//! telling a failed query apart from a table.

use crate::config::ServerName;
use crate::runner::{RunError, Runner};
use regex::Regex;
use std::path::Path;
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

/// The query failed as a whole; nobody is logged off.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The program could not be found.
    #[error(transparent)]
    Tool(#[from] crate::tools::ToolError),
    /// The program could not be started.
    #[error("{0}")]
    Start(RunError),
    /// It ran past the timeout and was killed (a sick or unreachable host).
    #[error("query session did not answer within {} s and was stopped; the server may be \
             unreachable or hung: check it, or raise --timeout", .0.as_secs_f64())]
    TimedOut(Duration),
    /// It exited with a non-zero code.
    #[error("query session failed with exit code {code}: {message}")]
    Failed {
        /// The exit code (-1 when ended by a signal).
        code: i32,
        /// What it printed, decoded.
        message: String,
    },
    /// It printed an error message instead of a table.
    #[error("query session printed an error instead of a session table: {0}")]
    ErrorText(String),
    /// It printed nothing at all.
    #[error("query session printed nothing; nobody was logged off")]
    Empty,
}

/// The arguments for `query session`: only `session` and a validated `/server:NAME`.
pub fn args(server: Option<&ServerName>) -> Vec<String> {
    let mut args = vec!["session".to_string()];
    if let Some(server) = server {
        args.push(format!("/server:{server}"));
    }
    args
}

/// Runs `query session` and returns its output, or why there is no table to read.
/// `text` decodes a message for display.
pub fn run(
    runner: &dyn Runner,
    program: &Path,
    server: Option<&ServerName>,
    timeout: Duration,
    text: impl Fn(&[u8]) -> String,
) -> Result<Captured, QueryError> {
    let output = match runner.run(program, &args(server), timeout) {
        Ok(output) => output,
        Err(RunError::TimedOut { .. }) => return Err(QueryError::TimedOut(timeout)),
        Err(e) => return Err(QueryError::Start(e)),
    };
    let message = || {
        let joined = [text(&output.stderr), text(&output.stdout)].join(" ");
        one_line(&joined)
    };
    if !output.success() {
        return Err(QueryError::Failed {
            code: output.code.unwrap_or(-1),
            message: message(),
        });
    }
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Err(if output.stderr.iter().all(u8::is_ascii_whitespace) {
            QueryError::Empty
        } else {
            QueryError::ErrorText(message())
        });
    }
    Ok(Captured {
        stdout: output.stdout,
        stderr: output.stderr,
    })
}

/// Whether text that holds no table reads like one of the stock tools' error messages
/// ("No session exists for *", "Error 5 getting Session Names", RPC errors, access denied).
pub fn looks_like_error(text: &str) -> bool {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN
        .get_or_init(|| {
            Regex::new(
                r"(?i-u)no session exists|no user exists|error\s*\[?\d+\]?|getting session names|rpc server|access is denied|could not|is not recognized",
            )
            .expect("valid pattern")
        })
        .is_match(text)
}

/// Collapses a message to one trimmed line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_hold_only_session_and_a_validated_server() {
        assert_eq!(args(None), ["session"]);
        let server = ServerName::parse("TS01").unwrap();
        assert_eq!(args(Some(&server)), ["session", "/server:TS01"]);
    }

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
