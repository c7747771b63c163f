//! Events: the narrow way the act stage tells the world what it does. It says lines (standard
//! error) and records events (the audit log); the app decides where they go and how they are
//! written, so acting never formats a report.

use crate::act::outcome::Outcome;
use crate::act::outcome::Warned;
use crate::act::results::ServerResult;
use crate::host::LogonMode;
use crate::plan::Entry;
use std::io::Write;

/// One thing worth an audit line.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Record<'a> {
    /// A decision changed while acting (the row no longer matches at its re-check).
    Decision {
        /// The server as shown.
        server: &'a str,
        /// The row, as now decided.
        entry: &'a Entry,
    },
    /// The call for a row is under way; its outcome follows in an `Outcome` record.
    Started {
        /// The server as shown.
        server: &'a str,
        /// The row.
        entry: &'a Entry,
    },
    /// What came of the call for a row.
    Outcome {
        /// The server as shown.
        server: &'a str,
        /// The row.
        entry: &'a Entry,
        /// What came of it.
        outcome: &'a Outcome,
    },
    /// What became of the `--warn` message (`reminder`: of the final reminder).
    Warned {
        /// The server as shown.
        server: &'a str,
        /// The row.
        entry: &'a Entry,
        /// What became of it.
        warned: &'a Warned,
        /// Whether this is the final reminder.
        reminder: bool,
    },
    /// A `--drain` step: the logon mode recorded, drained or restored.
    LogonMode {
        /// `recorded`, `drained`, `restored`.
        step: &'a str,
        /// The mode.
        mode: LogonMode,
    },
}

/// Where the act stage's lines and events go.
pub(crate) trait Events: Sync {
    /// Says one line on standard error (the `logoff-all: ` prefix is added).
    fn say(&self, line: &str);

    /// Records one event in the audit log (nothing without `--log`).
    fn record(&self, record: Record<'_>);

    /// Lends standard error for the grace period's countdown.
    fn console(&self, write: &mut dyn FnMut(&mut dyn Write));

    /// A server's acting is over: what the world should hear of it besides the report (the
    /// `--event-log` event; a failure to write it is added to the result's warnings).
    fn server_acted(&self, result: &mut ServerResult);

    /// A server is finished: its error said once, and its progress line.
    fn server_finished(&self, result: &ServerResult);
}
