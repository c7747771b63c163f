//! Config: the plain settings one run works from, made once from the command line. Nothing
//! after this module knows about clap.

mod build;
mod paths;

#[cfg(test)]
use build::DEFAULT_GRACE;

use crate::error::Error;
use crate::plan::filter::Filters;
pub(crate) use crate::vocab::format::Format;
use crate::vocab::ServerName;
use crate::vocab::Verb;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// Makes the run's config from the command line (program name first): every check from the
/// parsed flags to the plain settings is in [`build`].
pub(crate) fn from_args(args: impl IntoIterator<Item = OsString>) -> Result<Config, Error> {
    build::build(crate::cli::parse(args)?)
}

/// Where the session tables come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// Run `query session` on each of these servers; an empty list means this computer.
    Query(Vec<ServerName>),
    /// Read a captured output from a file, or from standard input for `-`; always a dry run.
    Input {
        /// The file, or `-`.
        path: PathBuf,
    },
}

/// `--warn`: the message sent before logging off, and how long to wait after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Warning {
    /// The text, checked to be one line without control characters.
    pub(crate) message: String,
    /// `--grace`: the wait between the message and the logoff (default 5 minutes).
    pub(crate) grace: Duration,
}

/// What the run does: decided once, from `--list`, `--dry-run` and `--input`, and dispatched
/// once, by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Print the plan and log off nobody (`--dry-run`, or implied by `--input`).
    DryRun,
    /// Carry out the plan (after the confirmation prompt on a terminal).
    Act,
    /// `--list`: a read-only inventory of every session; nothing is planned or done.
    List,
}

impl Mode {
    /// A stable name for the reports: `dry_run` or `act`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::DryRun => "dry_run",
            Mode::Act => "act",
            Mode::List => "list",
        }
    }

    /// Whether this is a dry run.
    pub(crate) fn is_dry_run(self) -> bool {
        self == Mode::DryRun
    }
}

/// Everything one run needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Config {
    /// Where the sessions come from.
    pub(crate) source: Source,
    /// `--codepage`: the code page to decode with; `None` means the system's OEM code page.
    pub(crate) code_page: Option<u16>,
    /// `--include-console`: log off the console session too.
    pub(crate) include_console: bool,
    /// `--include-self`: log off the caller's own session too, always last.
    pub(crate) include_self: bool,
    /// `--state`, `--user`, `--exclude-user`, `--exclude-file`, `--idle-over`.
    pub(crate) filters: Filters,
    /// `--warn` and `--grace`; `None` means no message and no wait.
    pub(crate) warning: Option<Warning>,
    /// Dry run or act.
    pub(crate) mode: Mode,
    /// `--yes`: do not ask on a terminal before logging anyone off.
    pub(crate) yes: bool,
    /// Time each child program (query, logoff, msg) may take before it is killed.
    pub(crate) timeout: Duration,
    /// `--jobs`: servers processed at once (at least 1).
    pub(crate) jobs: usize,
    /// `--parallel`: logoffs at once on each server (at least 1).
    pub(crate) parallel: usize,
    /// Report format.
    pub(crate) format: Format,
    /// `--output`: write the report to this file (CSV with a UTF-8 byte order mark) instead of
    /// standard output; `None`: standard output.
    pub(crate) output: Option<PathBuf>,
    /// `--log`: append one JSON line per decision and outcome to this file; `None`: no log.
    pub(crate) log: Option<PathBuf>,
    /// `--event-log`: write one summary event per server to the Application event log.
    pub(crate) event_log: bool,
    /// Folder to take the tools from instead of the system folder; `None` means the system's.
    pub(crate) tools_dir: Option<PathBuf>,
    /// `--verify-wait`: how long to keep reading the table after a server's logoffs until
    /// every logged-off session is gone (default 30 s); zero turns verification off.
    pub(crate) verify_wait: Duration,
    /// `--reset-stuck`: end a session still listed after its logoff with `reset session`.
    pub(crate) reset_stuck: bool,
    // Admin workflows.
    /// `--disconnect`: `tsdiscon` instead of `logoff`.
    pub(crate) verb: Verb,
    /// `--drain`: block new logons (`change logon /drain`) for the run, then restore the mode.
    pub(crate) drain: bool,
    /// `--drain-until-restart`: with `drain`, set `/drainuntilrestart` and keep it after the run.
    pub(crate) drain_until_restart: bool,
    /// `--restore-logons`: only put back a mode left drained by a run that is gone.
    pub(crate) restore_logons: bool,
    /// `--input-user`: a captured `query user` output read with `--input`; `None`: none.
    pub(crate) input_user: Option<PathBuf>,
    /// `--warn-exact`: send the `--warn` text as given, without the grace appended.
    pub(crate) warn_exact: bool,
    /// `--even-if-unwarned`: act on an active session whose `--warn` message failed.
    pub(crate) even_if_unwarned: bool,
    /// `--check`: say, reading only, whether a run with these flags would work here.
    pub(crate) check: bool,
    /// `--save-capture`: the folder to save a new numbered capture folder in.
    pub(crate) save_capture: Option<PathBuf>,
}

impl Config {
    /// The servers to work on: `None` stands for this computer.
    pub(crate) fn targets(&self) -> Vec<Option<ServerName>> {
        match &self.source {
            Source::Query(list) if list.is_empty() => vec![None],
            Source::Query(list) => list.iter().cloned().map(Some).collect(),
            Source::Input { .. } => vec![None],
        }
    }
}

#[cfg(test)]
mod tests;
