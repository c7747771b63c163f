//! The JSON report: one object with the version, start and finish times, the mode, every
//! session record, the server errors and warnings, a summary per server and in total, and the
//! exit code with its bits named. Sessions are written one per line as they are made, so memory
//! stays flat however many there are.

use crate::act::ServerResult;
use crate::exit_code::ExitCode;
use crate::report::record::{self, ErrorRecord};
use crate::report::summary::{ServerSummary, Total};
use crate::report::RunInfo;
use serde::Serialize;
use std::io::{self, Write};
use std::time::SystemTime;

/// The exit code as the JSON report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ExitCodeJson {
    code: u8,
    bits: Vec<&'static str>,
}

impl From<ExitCode> for ExitCodeJson {
    fn from(c: ExitCode) -> ExitCodeJson {
        ExitCodeJson {
            code: c.code(),
            bits: c.names(),
        }
    }
}

/// A warning that did not stop the run.
#[derive(Debug, Serialize)]
struct WarningJson<'a> {
    server: &'a str,
    message: &'a str,
}

/// The summary object.
#[derive(Debug, Serialize)]
struct SummaryJson {
    servers: Vec<ServerSummary>,
    total: Total,
}

/// Formats a time as RFC 3339 in UTC, to the second: `2026-11-24T02:00:00Z`.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// Writes the JSON report.
pub(crate) fn write(
    out: &mut dyn Write,
    results: &[ServerResult],
    info: &RunInfo,
) -> io::Result<()> {
    writeln!(out, "{{")?;
    field(out, "version", &env!("CARGO_PKG_VERSION"))?;
    field(out, "started", &rfc3339(info.started))?;
    field(out, "finished", &rfc3339(info.finished))?;
    field(out, "mode", &info.mode.name())?;
    list(out, "sessions", record::sessions(results))?;
    list(out, "errors", results.iter().filter_map(ErrorRecord::of))?;
    let warnings = results.iter().flat_map(|r| {
        r.warnings.iter().map(move |w| WarningJson {
            server: &r.server,
            message: w,
        })
    });
    list(out, "warnings", warnings)?;
    let summary = SummaryJson {
        servers: results.iter().map(ServerSummary::of).collect(),
        total: Total::of(results),
    };
    field(out, "summary", &summary)?;
    write!(out, "  \"exit_code\": ")?;
    serde_json::to_writer(&mut *out, &ExitCodeJson::from(info.code))?;
    writeln!(out, "\n}}")
}

fn field(out: &mut dyn Write, name: &str, value: &impl Serialize) -> io::Result<()> {
    write!(out, "  \"{name}\": ")?;
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out, ",")
}

fn list<T: Serialize>(
    out: &mut dyn Write,
    name: &str,
    items: impl Iterator<Item = T>,
) -> io::Result<()> {
    write!(out, "  \"{name}\": [")?;
    let mut first = true;
    for item in items {
        out.write_all(if first { b"\n    " } else { b",\n    " })?;
        serde_json::to_writer(&mut *out, &item)?;
        first = false;
    }
    writeln!(out, "{},", if first { "]" } else { "\n  ]" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn rfc3339_dates_are_right() {
        let at = |s| rfc3339(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_795_485_600), "2026-11-24T02:00:00Z");
        assert_eq!(at(4_107_542_399), "2100-02-28T23:59:59Z");
    }
}
