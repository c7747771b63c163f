//! Audit: the `--log` trail (one JSON object per line for every decision, message and outcome,
//! appended, never truncated) and the `--event-log` summary event per server (stock
//! `eventcreate`). A line is the report's session record with the time, the event and the mode
//! in front, so it has the same shape as in the JSON report.

use crate::act::outcome::Outcome;
use crate::act::outcome::Warned;
use crate::act::ServerResult;
use crate::config::Mode;
use crate::exit_code::ExitCode;
use crate::plan::Entry;
use crate::report::json::rfc3339;
use crate::report::json::ExitCodeJson;
use crate::report::record::{ErrorRecord, SessionRecord};
use crate::report::summary::Total;
use crate::vocab::Verb;
use serde::Serialize;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

/// What a line of the log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Event {
    /// The plan's decision for a row.
    Decision,
    /// What became of the `--warn` message to a session.
    Warn,
    /// What became of the final reminder (`--warn`, grace of 3 minutes or more).
    Reminded,
    /// A logoff (or disconnect) is under way; its `outcome` line follows. A run ended from
    /// outside (Task Scheduler's stop, `taskkill /f`) leaves this line for a call it started.
    Started,
    /// What came of a logoff.
    Outcome,
    /// A server was not done.
    Error,
    /// A `--drain` step: the logon mode recorded, set or restored.
    LogonMode,
    /// The run itself: the first line of a run (`step: start`) and its last (`step: end`,
    /// with the exit code and the totals).
    Run,
}

/// The body of a line: a session record or an error record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum Body {
    /// About one row.
    Session(Box<SessionRecord>),
    /// About a server.
    Error(ErrorRecord),
    /// About the logon mode (`--drain`).
    LogonMode(LogonModeRecord),
    /// About the run.
    Run(Box<RunRecord>),
}

/// The run's first and last line: who ran what, where, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RunRecord {
    /// `start` or `end`.
    pub(crate) step: &'static str,
    /// The program's version.
    pub(crate) version: &'static str,
    /// The command line, each argument quoted where it needs it (as `cmd.exe` reads it).
    pub(crate) command_line: String,
    /// The account the process runs as; null when the system does not tell.
    pub(crate) account: Option<String>,
    /// This computer's name; null when the system does not tell.
    pub(crate) computer: Option<String>,
    /// The exit code with its bits named (`end` only).
    pub(crate) exit_code: Option<ExitCodeJson>,
    /// The totals over every server, as in the JSON report's `summary.total` (`end` only).
    pub(crate) total: Option<Total>,
}

/// Who ran what, where: the part of the run line known at the start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Who {
    /// The arguments, program name first.
    pub(crate) args: Vec<String>,
    /// The account the process runs as.
    pub(crate) account: Option<String>,
    /// This computer's name.
    pub(crate) computer: Option<String>,
}

/// The command line of `args`: each argument as is, or in double quotes (a quote inside as
/// `\"`) when it is empty or holds a blank or a quote.
pub(crate) fn command_line(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains([' ', '\t', '"']) {
                format!("\"{}\"", a.replace('"', "\\\""))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The run's first line.
pub(crate) fn run_start(who: &Who, mode: Mode) -> Line {
    line(
        Event::Run,
        mode,
        Body::Run(Box::new(run_record("start", who))),
    )
}

/// The run's last line: its exit code and the totals over `results`.
pub(crate) fn run_end(who: &Who, mode: Mode, code: ExitCode, results: &[ServerResult]) -> Line {
    let mut record = run_record("end", who);
    record.exit_code = Some(ExitCodeJson::from(code));
    record.total = Some(Total::of(results));
    line(Event::Run, mode, Body::Run(Box::new(record)))
}

fn run_record(step: &'static str, who: &Who) -> RunRecord {
    RunRecord {
        step,
        version: env!("CARGO_PKG_VERSION"),
        command_line: command_line(&who.args),
        account: who.account.clone(),
        computer: who.computer.clone(),
        exit_code: None,
        total: None,
    }
}

/// A `--drain` step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct LogonModeRecord {
    /// `recorded`, `drain set`, `restored`, ...
    pub(crate) step: String,
    /// The logon mode, in words.
    pub(crate) logon_mode: String,
}

/// One line of the log.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Line {
    /// UTC, RFC 3339, to the second.
    pub(crate) time: String,
    /// What it records.
    pub(crate) event: Event,
    /// `dry_run` or `act`.
    pub(crate) mode: &'static str,
    /// The record.
    #[serde(flatten)]
    pub(crate) body: Body,
}

/// A decision line.
pub(crate) fn decision(server: &str, entry: &Entry, mode: Mode, verb: Verb) -> Line {
    line(
        Event::Decision,
        mode,
        Body::Session(Box::new(SessionRecord::new(
            server, entry, None, None, verb,
        ))),
    )
}

/// A line for a call under way.
pub(crate) fn started(server: &str, entry: &Entry, verb: Verb) -> Line {
    line(
        Event::Started,
        Mode::Act,
        Body::Session(Box::new(SessionRecord::new(
            server, entry, None, None, verb,
        ))),
    )
}

/// An outcome line.
pub(crate) fn outcome(server: &str, entry: &Entry, outcome: &Outcome, verb: Verb) -> Line {
    line(
        Event::Outcome,
        Mode::Act,
        Body::Session(Box::new(SessionRecord::new(
            server,
            entry,
            Some(outcome),
            None,
            verb,
        ))),
    )
}

/// A warning-message line.
pub(crate) fn warned(server: &str, entry: &Entry, warned: &Warned, verb: Verb) -> Line {
    line(
        Event::Warn,
        Mode::Act,
        Body::Session(Box::new(SessionRecord::new(
            server,
            entry,
            None,
            Some(warned),
            verb,
        ))),
    )
}

/// A final-reminder line.
pub(crate) fn reminded(server: &str, entry: &Entry, warned: &Warned, verb: Verb) -> Line {
    let record = SessionRecord::new(server, entry, None, Some(warned), verb);
    line(Event::Reminded, Mode::Act, Body::Session(Box::new(record)))
}

/// A `--drain` line: the logon mode at one step.
pub(crate) fn logon_mode(step: &str, logon_mode: &str) -> Line {
    let record = LogonModeRecord {
        step: step.to_string(),
        logon_mode: logon_mode.to_string(),
    };
    line(Event::LogonMode, Mode::Act, Body::LogonMode(record))
}

/// A whole-server error line.
pub(crate) fn error(record: ErrorRecord, mode: Mode) -> Line {
    line(Event::Error, mode, Body::Error(record))
}

fn line(event: Event, mode: Mode, body: Body) -> Line {
    Line {
        time: rfc3339(SystemTime::now()),
        event,
        mode: mode.name(),
        body,
    }
}

/// An open `--log` file.
#[derive(Debug)]
pub(crate) struct AuditLog {
    file: Mutex<File>,
    path: PathBuf,
    failed: AtomicBool,
}

impl AuditLog {
    /// Opens (or creates) the file for appending; a run that cannot do this logs nobody off.
    pub(crate) fn open(path: &Path) -> std::io::Result<AuditLog> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(AuditLog {
            file: Mutex::new(file),
            path: path.to_path_buf(),
            failed: AtomicBool::new(false),
        })
    }

    /// Whether any write has failed.
    pub(crate) fn has_failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    /// Appends one line and flushes it. Returns an error message the first time a write fails
    /// (later failures are silent; the run goes on).
    pub(crate) fn record(&self, line: &Line) -> Option<String> {
        let result = serde_json::to_vec(line)
            .map_err(std::io::Error::from)
            .and_then(|mut text| {
                text.push(b'\n');
                let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
                file.write_all(&text).and_then(|()| file.flush())
            });
        match result {
            Ok(()) => None,
            Err(e) if !self.failed.swap(true, Ordering::SeqCst) => Some(format!(
                "cannot write --log {}: {e}; the run goes on without it",
                self.path.display()
            )),
            Err(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_quotes_what_needs_it() {
        let args = [
            r"C:\Program Files\logoff-all.exe",
            "--warn",
            "say \"bye\"",
            "",
            "-n",
        ]
        .map(String::from);
        assert_eq!(
            command_line(&args),
            r#""C:\Program Files\logoff-all.exe" --warn "say \"bye\"" "" -n"#
        );
    }

    #[test]
    fn an_error_line_has_time_event_mode_then_the_record() {
        let l = error(
            ErrorRecord {
                server: "TS02".into(),
                kind: "query_failed".into(),
                message: "RPC".into(),
            },
            Mode::Act,
        );
        let v = serde_json::to_value(&l).unwrap();
        assert_eq!(v["event"], "error");
        assert_eq!(v["mode"], "act");
        assert_eq!(v["server"], "TS02");
        assert_eq!(v["kind"], "query_failed");
    }
}
