//! Report: every decision and outcome as a table for people, JSON or CSV for programs, the
//! audit log, and the progress lines for farms; all built from the same typed records.

pub(crate) mod audit;
pub(crate) mod columns;
pub(crate) mod csv;
pub(crate) mod json;
pub(crate) mod list;
pub(crate) mod logon;
pub(crate) mod record;
pub(crate) mod summary;
pub(crate) mod table;

use crate::act::ServerResult;
use crate::config::{Format, Mode};
use crate::exit_code::ExitCode;
use std::io::{self, Write};
use std::time::SystemTime;

/// What the report says about the run as a whole.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunInfo {
    /// When the run started.
    pub(crate) started: SystemTime,
    /// When the run finished (the report was written).
    pub(crate) finished: SystemTime,
    /// Dry run or act.
    pub(crate) mode: Mode,
    /// The exit code.
    pub(crate) code: ExitCode,
}

/// What a report shows: a run's decisions and outcomes, or the `--list` inventory.
pub(crate) enum Report<'a> {
    /// The run's servers, and what the report says of the run as a whole.
    Run(&'a [ServerResult], &'a RunInfo),
    /// `--list`: every server's rows, and the exit code.
    List(&'a [list::ServerList], ExitCode),
}

/// Writes `report` in `format`: the one place a format is chosen. `bom`: put a UTF-8 byte order
/// mark before a CSV report (for a file that Excel and Windows PowerShell's `Import-Csv` must
/// read as UTF-8).
pub(crate) fn write(
    out: &mut dyn Write,
    format: Format,
    report: &Report<'_>,
    bom: bool,
) -> io::Result<()> {
    if bom && format == Format::Csv {
        out.write_all(csv::BOM)?;
    }
    match (report, format) {
        (Report::Run(results, info), Format::Table) => {
            let elapsed = info.finished.duration_since(info.started).ok();
            table::write(out, results, info.mode, elapsed)
        }
        (Report::Run(results, info), Format::Json) => json::write(out, results, info),
        (Report::Run(results, _), Format::Csv) => csv::write(out, results),
        (Report::List(lists, _), Format::Table) => list::table(out, lists),
        (Report::List(lists, code), Format::Json) => list::json(out, lists, *code),
        (Report::List(lists, _), Format::Csv) => list::csv(out, lists),
    }
}

/// One line saying what happened on a server, as in the table report and the event log.
pub(crate) fn summary_line(result: &ServerResult, mode: Mode) -> String {
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
