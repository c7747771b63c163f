//! Config: the plain settings one run works from, made once from the command line. Nothing
//! after this module knows about clap.

use crate::plan::filter::Filters;
use regex::Regex;
use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// A server name checked to be safe to pass to `query` and `logoff` as `/server:NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerName(String);

impl ServerName {
    /// Accepts a NetBIOS or DNS name or an IPv4 address: letters, digits, `-`, `.`, `_`,
    /// starting with a letter, digit or `_`, at most 253 characters; a leading `\\` is dropped.
    pub fn parse(text: &str) -> Result<Self, String> {
        static PATTERN: OnceLock<Regex> = OnceLock::new();
        let pattern = PATTERN.get_or_init(|| {
            Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}$").expect("valid pattern")
        });
        let name = text.strip_prefix(r"\\").unwrap_or(text);
        if pattern.is_match(name) {
            Ok(ServerName(name.to_string()))
        } else {
            Err(format!(
                "invalid server name {text:?}: use a computer name, DNS name or IPv4 address \
                 (letters, digits, '-', '.', '_')"
            ))
        }
    }

    /// The name as given (without a leading `\\`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the session tables come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Run `query session` on each of these servers; an empty list means this computer.
    Query(Vec<ServerName>),
    /// Read a captured output from a file, or from standard input for `-`; always a dry run.
    Input {
        /// The file, or `-`.
        path: PathBuf,
        /// The server it was captured on, for the report only; `None` means the local host.
        server: Option<ServerName>,
    },
}

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns and a summary line, for people.
    Table,
    /// One JSON object, for other programs.
    Json,
    /// Comma-separated values with the table's columns, for spreadsheets.
    Csv,
}

/// `--warn`: the message sent before logging off, and how long to wait after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The text, checked to be one line without control characters.
    pub message: String,
    /// `--grace`: the wait between the message and the logoff (default 5 minutes).
    pub grace: Duration,
}

/// Everything one run needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the sessions come from.
    pub source: Source,
    /// `--codepage`: the code page to decode with; `None` means the system's OEM code page.
    pub code_page: Option<u16>,
    /// `--include-console`: log off the console session too.
    pub include_console: bool,
    /// `--include-self`: log off the caller's own session too, always last.
    pub include_self: bool,
    /// `--state`, `--user`, `--exclude-user`, `--exclude-file`, `--idle-over`.
    pub filters: Filters,
    /// `--warn` and `--grace`; `None` means no message and no wait.
    pub warning: Option<Warning>,
    /// Print the plan and log off nobody (`--dry-run`, or implied by `--input`).
    pub dry_run: bool,
    /// `--yes`: do not ask on a terminal before logging anyone off.
    pub yes: bool,
    /// Time each child program (query, logoff, msg) may take before it is killed.
    pub timeout: Duration,
    /// `--jobs`: servers processed at once (at least 1).
    pub jobs: usize,
    /// Report format.
    pub format: Format,
    /// `--log`: append one JSON line per decision and outcome to this file; `None`: no log.
    pub log: Option<PathBuf>,
    /// `--event-log`: write one summary event per server to the Application event log.
    pub event_log: bool,
    /// Folder to take the tools from instead of the system folder; `None` means the system's.
    pub tools_dir: Option<PathBuf>,
    /// `--verify-wait`: how long to keep reading the table after a server's logoffs until
    /// every logged-off session is gone (default 30 s); zero turns verification off.
    pub verify_wait: Duration,
    /// `--reset-stuck`: end a session still listed after its logoff with `reset session`.
    pub reset_stuck: bool,
}

impl Config {
    /// The servers to work on: `None` stands for this computer.
    pub fn targets(&self) -> Vec<Option<ServerName>> {
        match &self.source {
            Source::Query(list) if list.is_empty() => vec![None],
            Source::Query(list) => list.iter().cloned().map(Some).collect(),
            Source::Input { server, .. } => vec![server.clone()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_are_validated() {
        for ok in [
            "TS01",
            "ts-01.corp.example.com",
            "10.0.0.5",
            r"\\TS01",
            "_srv",
        ] {
            assert!(ServerName::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-x",
            "/x",
            "ts 01",
            "ts01&calc",
            "ts01\"",
            "a;b",
            "ts01\n",
            "..",
            "ünï",
        ] {
            assert!(ServerName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(ServerName::parse(r"\\TS01").unwrap().as_str(), "TS01");
    }
}
