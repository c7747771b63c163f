//! Report: print every decision and outcome as a table for people or as JSON for programs.

pub mod audit;
pub mod escape;

use crate::act::execute::Outcome;
use crate::act::warn::Warned;
use crate::error::Error;
use crate::exit_code::{self, ExitCode};
use crate::plan::{Action, Entry, Plan, Subject};
use serde_json::{json, Value};
use std::io::{self, Write};

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
}

impl ServerResult {
    /// A server not yet surveyed.
    pub fn new(server: String) -> ServerResult {
        ServerResult {
            server,
            done: None,
            error: None,
            warnings: Vec::new(),
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
    pub read_at: std::time::Instant,
}

impl Done {
    fn outcome(&self, index: usize) -> Option<&Outcome> {
        self.outcomes.as_ref().and_then(|o| o[index].as_ref())
    }

    fn warned(&self, index: usize) -> Option<&Warned> {
        self.warned.as_ref().and_then(|w| w[index].as_ref())
    }
}

/// The exit code for one server's result: its error, else a failed logoff, else success.
pub fn exit_code(result: &ServerResult) -> ExitCode {
    let failed = result
        .done
        .iter()
        .flat_map(|d| d.outcomes.iter().flatten().flatten())
        .any(|o| !o.is_success() && *o != Outcome::NotRun);
    exit_code::fold([
        result
            .error
            .as_ref()
            .map_or(ExitCode::Success, Error::exit_code),
        if failed {
            ExitCode::LogoffFailed
        } else {
            ExitCode::Success
        },
    ])
}

/// Writes the JSON report: one object `{"sessions": [...], "errors": [...], "warnings": [...],
/// "dry_run": ..., "exit_code": ...}`, one session per line, written as it goes so that memory
/// stays flat however many sessions there are.
pub fn json(
    out: &mut dyn Write,
    results: &[ServerResult],
    dry_run: bool,
    code: ExitCode,
) -> io::Result<()> {
    let list = |out: &mut dyn Write,
                name: &str,
                items: &mut dyn Iterator<Item = Value>,
                last: bool|
     -> io::Result<()> {
        write!(out, "  \"{name}\": [")?;
        let mut first = true;
        for item in items {
            out.write_all(if first { b"\n    " } else { b",\n    " })?;
            serde_json::to_writer(&mut *out, &item)?;
            first = false;
        }
        let close = if first { "]" } else { "\n  ]" };
        writeln!(out, "{close}{}", if last { "" } else { "," })
    };
    writeln!(out, "{{")?;
    let mut sessions = results.iter().flat_map(|r| {
        r.done.iter().flat_map(move |done| {
            done.plan.entries.iter().enumerate().map(move |(i, entry)| {
                let mut v = session_json(&r.server, entry, done.outcome(i));
                if let Some(w) = done.warned(i) {
                    let obj = v.as_object_mut().expect("built as an object");
                    obj.insert("warning".into(), w.code().into());
                    if let Some(m) = w.message() {
                        obj.insert("warning_message".into(), m.into());
                    }
                }
                v
            })
        })
    });
    list(out, "sessions", &mut sessions, false)?;
    let mut errors = results.iter().filter_map(|r| {
        r.error.as_ref().map(|e| {
            json!({
                "server": r.server,
                "kind": e.kind(),
                "message": e.to_string(),
            })
        })
    });
    list(out, "errors", &mut errors, false)?;
    let mut warnings = results.iter().flat_map(|r| {
        r.warnings
            .iter()
            .map(move |w| json!({ "server": r.server, "message": w }))
    });
    list(out, "warnings", &mut warnings, false)?;
    writeln!(out, "  \"dry_run\": {dry_run},")?;
    writeln!(out, "  \"exit_code\": {}", code.code())?;
    writeln!(out, "}}")
}

fn session_json(server: &str, entry: &Entry, outcome: Option<&Outcome>) -> Value {
    let action = match entry.action {
        Action::Logoff => "logoff",
        Action::Skip => "skip",
    };
    let mut v = match &entry.subject {
        Subject::Session(s) => json!({
            "server": server,
            "id": s.id.get(),
            "user": s.user,
            "session_name": s.name,
            "state": s.state_word,
            "state_canonical": s.state.canonical(),
            "type": s.kind,
            "device": s.device,
            "line": s.line,
        }),
        Subject::Line(line) => json!({
            "server": server,
            "id": null,
            "user": null,
            "session_name": null,
            "state": null,
            "raw": line.raw,
            "line": line.line,
        }),
    };
    let obj = v.as_object_mut().expect("built as an object");
    obj.insert("current".into(), entry.current.into());
    obj.insert("action".into(), action.into());
    obj.insert("reason".into(), entry.reason.text().into());
    obj.insert("reason_code".into(), entry.reason.code().into());
    if let Some(outcome) = outcome {
        obj.insert("outcome".into(), outcome.code().into());
        if let Some(m) = outcome.message() {
            obj.insert("message".into(), m.into());
        }
    }
    v
}

/// Writes the table report and a summary line per server. Column widths come from a first
/// pass; rows are made again and written in the second, so nothing is held for the whole table.
pub fn table(out: &mut dyn Write, results: &[ServerResult], dry_run: bool) -> io::Result<()> {
    let header: [String; 7] = [
        "SERVER", "ID", "USER", "SESSION", "STATE", "ACTION", "REASON",
    ]
    .map(String::from);
    let rows =
        || {
            results.iter().flat_map(move |r| {
                r.done.iter().flat_map(move |done| {
                    done.plan.entries.iter().enumerate().map(move |(i, entry)| {
                        table_row(&r.server, entry, done.outcome(i), dry_run)
                    })
                })
            })
        };
    let mut widths = [0usize; 6];
    let mut count = 0;
    for row in std::iter::once(header.clone()).chain(rows()) {
        count += 1;
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    if count > 1 {
        for row in std::iter::once(header).chain(rows()) {
            let mut line = String::new();
            for (cell, w) in row.iter().zip(widths) {
                line.push_str(cell);
                line.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
            line.push_str(&row[6]);
            writeln!(out, "{}", line.trim_end())?;
        }
        writeln!(out)?;
    }
    for r in results {
        if let Some(done) = &r.done {
            writeln!(out, "{}", summary(&r.server, done, dry_run))?;
        }
        if let Some(e) = &r.error {
            writeln!(out, "{}: error: {e}", r.server)?;
        }
        for w in &r.warnings {
            writeln!(out, "{}: note: {w}", r.server)?;
        }
    }
    Ok(())
}

/// Writes the report as CSV (RFC 4180), the table's columns; a server error is a row with
/// ACTION `error`.
pub fn csv(out: &mut dyn Write, results: &[ServerResult], dry_run: bool) -> io::Result<()> {
    out.write_all(b"SERVER,ID,USER,SESSION,STATE,ACTION,REASON\r\n")?;
    let mut push = |cells: &[String]| -> io::Result<()> {
        let quoted: Vec<String> = cells
            .iter()
            .map(|c| if c == "-" { String::new() } else { csv_cell(c) })
            .collect();
        write!(out, "{}\r\n", quoted.join(","))
    };
    for r in results {
        if let Some(done) = &r.done {
            for (i, entry) in done.plan.entries.iter().enumerate() {
                push(&table_row(&r.server, entry, done.outcome(i), dry_run))?;
            }
        }
        if let Some(e) = &r.error {
            let mut cells = vec![String::new(); 7];
            cells[0] = r.server.clone();
            cells[5] = "error".into();
            cells[6] = e.to_string();
            push(&cells)?;
        }
    }
    Ok(())
}

fn csv_cell(cell: &str) -> String {
    // A leading = + - @ would make a spreadsheet run the cell as a formula.
    let cell = if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    };
    if cell.contains([',', '"', '\r', '\n']) || cell != cell.trim() {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

fn table_row(server: &str, entry: &Entry, outcome: Option<&Outcome>, dry_run: bool) -> [String; 7] {
    let dash = |v: Option<&String>| v.cloned().unwrap_or_else(|| "-".into());
    let action = match (entry.action, outcome) {
        (Action::Skip, _) => "skip".to_string(),
        (Action::Logoff, Some(o)) => o.code().replace('_', " "),
        (Action::Logoff, None) if dry_run => "would log off".to_string(),
        (Action::Logoff, None) => "log off".to_string(),
    };
    let mut reason = entry.reason.text();
    if let Some(m) = outcome.and_then(Outcome::message) {
        reason = format!("{reason}: {m}");
    }
    match &entry.subject {
        Subject::Session(s) => [
            server.to_string(),
            format!("{}{}", if entry.current { ">" } else { "" }, s.id),
            escape::escape_for_display(&dash(s.user.as_ref())).into_owned(),
            escape::escape_for_display(&dash(s.name.as_ref())).into_owned(),
            s.state_word.clone(),
            action,
            reason,
        ],
        Subject::Line(line) => [
            server.to_string(),
            "?".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            action,
            format!("line {}: {reason}: {:?}", line.line, line.raw.trim_end()),
        ],
    }
}

/// One line saying what happened on a server, as in the table report.
pub fn summary_line(result: &ServerResult, dry_run: bool) -> String {
    let mut parts = Vec::new();
    if let Some(done) = &result.done {
        parts.push(summary(&result.server, done, dry_run));
    }
    if let Some(e) = &result.error {
        parts.push(format!("{}: error: {e}", result.server));
    }
    parts.join("; ")
}

fn summary(server: &str, done: &Done, dry_run: bool) -> String {
    let planned = done
        .plan
        .entries
        .iter()
        .filter(|e| e.action == Action::Logoff)
        .count();
    let skipped = done.plan.entries.len() - planned;
    let not_understood = done
        .plan
        .entries
        .iter()
        .filter(|e| matches!(e.subject, Subject::Line(_)))
        .count();
    let mut parts = Vec::new();
    match &done.outcomes {
        Some(outcomes) => {
            let count = |code: &str| {
                outcomes
                    .iter()
                    .flatten()
                    .filter(|o| o.code() == code)
                    .count()
            };
            for &(code, words) in Outcome::CODES {
                let n = count(code);
                if n > 0 || code == "logged_off" {
                    parts.push(format!("{n} {words}"));
                }
            }
        }
        None if dry_run => parts.push(format!("{planned} would be logged off")),
        None => parts.push(format!("{planned} to log off")),
    }
    parts.push(format!("{skipped} skipped"));
    if not_understood > 0 {
        parts.push(format!("{not_understood} line(s) not understood"));
    }
    let mut line = format!("{server}: {}", parts.join(", "));
    if dry_run {
        line.push_str(" (dry run: nobody was logged off)");
    }
    line
}
