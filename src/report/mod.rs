//! Report: every decision and outcome as a table for people, JSON or CSV for programs, the
//! audit log, and the progress lines for farms; all built from the same typed records.

pub mod audit;
pub mod csv;
pub mod json;
pub mod list;
pub mod record;
pub mod summary;
pub mod table;

use crate::act::outcome::Outcome;
use crate::act::outcome::OutcomeCode;
use crate::act::warn::Warned;
use crate::config::{Format, Mode};
use crate::error::Error;
use crate::exit_code::{self, Cause, ExitCode};
use crate::plan::Plan;
use crate::plan::ReasonCode;
use crate::table::idle::IdleTable;
use crate::vocab::Verb;
use std::io::{self, Write};
use std::time::{Duration, Instant, SystemTime};

/// What happened on one server.
#[derive(Debug)]
pub struct ServerResult {
    /// The server's name as shown ("localhost" for this computer).
    pub server: String,
    /// The plan and what came of it, once the table was read.
    pub done: Option<Done>,
    /// Why the server (or the rest of its run) was left alone, if it was.
    pub error: Option<Error>,
    /// Things worth knowing that did not stop the run (stderr text, counter lines, a failed
    /// event-log write).
    pub warnings: Vec<String>,
    /// Time spent on this server so far (survey, then the logoffs).
    pub elapsed: Duration,
}

impl ServerResult {
    /// A server not yet surveyed.
    pub fn new(server: String) -> ServerResult {
        ServerResult {
            server,
            done: None,
            error: None,
            warnings: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }
}

/// A server whose table was read.
#[derive(Debug)]
pub struct Done {
    /// The decisions.
    pub plan: Plan,
    /// One outcome per entry once executed (`None` for skipped rows); `None` for a dry run or a
    /// plan that was not executed.
    pub outcomes: Option<Vec<Option<Outcome>>>,
    /// What became of the `--warn` message, one slot per entry; `None` without `--warn`.
    pub warned: Option<Vec<Option<Warned>>>,
    /// How the output was decoded, e.g. "code page 850".
    pub encoding: String,
    /// When the table was read, to tell whether it must be read again before logging off.
    pub read_at: Instant,
    /// The `query user` table, when it was read (`--idle-over`): the idle times reported.
    pub idle: Option<IdleTable>,
    /// What is done to the planned sessions (`--disconnect`: tsdiscon).
    pub verb: Verb,
}

impl Done {
    /// The outcome of entry `index`, once executed.
    pub fn outcome(&self, index: usize) -> Option<&Outcome> {
        self.outcomes
            .as_ref()
            .and_then(|o| o.get(index))
            .and_then(Option::as_ref)
    }

    /// What became of the message to entry `index`.
    pub fn warned(&self, index: usize) -> Option<&Warned> {
        self.warned
            .as_ref()
            .and_then(|w| w.get(index))
            .and_then(Option::as_ref)
    }
}

/// The exit code for one server's result: its error's bit, bit 1 for a failed logoff, bit 4
/// for rows not understood and for sessions whose idle time `--idle-over` could not read.
pub fn exit_code(result: &ServerResult) -> ExitCode {
    let mut codes = vec![result
        .error
        .as_ref()
        .map_or(ExitCode::SUCCESS, Error::exit_code)];
    if let Some(done) = &result.done {
        let failed = done
            .outcomes
            .iter()
            .flatten()
            .flatten()
            .any(|o| OutcomeCode::from(o).is_failure());
        if failed {
            codes.push(Cause::LogoffFailed.into());
        }
        let unreadable = done
            .plan
            .entries
            .iter()
            .any(|e| ReasonCode::from(&e.reason).is_not_understood());
        if unreadable || done.plan.unreadable_idle() > 0 {
            codes.push(Cause::NotUnderstood.into());
        }
    }
    exit_code::fold(codes)
}

/// What the report says about the run as a whole.
#[derive(Debug, Clone, Copy)]
pub struct RunInfo {
    /// When the run started.
    pub started: SystemTime,
    /// When the run finished (the report was written).
    pub finished: SystemTime,
    /// Dry run or act.
    pub mode: Mode,
    /// The exit code.
    pub code: ExitCode,
}

/// Writes the report in `format`. `bom`: put a UTF-8 byte order mark before a CSV report (for
/// a file that Excel and Windows PowerShell's `Import-Csv` must read as UTF-8).
pub fn write(
    out: &mut dyn Write,
    format: Format,
    results: &[ServerResult],
    info: &RunInfo,
    bom: bool,
) -> io::Result<()> {
    match format {
        Format::Table => table::write(out, results, info.mode),
        Format::Json => json::write(out, results, info),
        Format::Csv => {
            if bom {
                out.write_all(csv::BOM)?;
            }
            csv::write(out, results)
        }
    }
}

/// One line saying what happened on a server, as in the table report and the event log.
pub fn summary_line(result: &ServerResult, mode: Mode) -> String {
    let mut parts: Vec<String> = done_line(result, mode).into_iter().collect();
    if let Some(e) = &result.error {
        parts.push(format!("{}: error: {e}", result.server));
    }
    parts.join("; ")
}

/// The summary of a server whose table was read: `TS01: 3 logged off, 1 failed, 4 skipped`.
fn done_line(result: &ServerResult, mode: Mode) -> Option<String> {
    let done = result.done.as_ref()?;
    let counts = summary::Counts::of(result);
    let mut line = format!(
        "{}: {}",
        result.server,
        counts.words(mode, done.outcomes.is_some())
    );
    let unreadable = done
        .plan
        .entries
        .iter()
        .filter(|e| matches!(e.subject, crate::plan::Subject::Line(_)))
        .count();
    if unreadable > 0 {
        line.push_str(&format!(", {unreadable} line(s) not understood"));
    }
    if counts.unreadable_idle > 0 {
        line.push_str(&format!(
            ", {} with unreadable idle time",
            counts.unreadable_idle
        ));
    }
    if mode.is_dry_run() {
        line.push_str(&format!(" (dry run: nobody was {})", done.verb.past()));
    }
    Some(line)
}
