//! Report: print every decision and outcome as a table for people or as JSON for programs.

use crate::error::Error;
use crate::execute::Outcome;
use crate::exit_code::{self, ExitCode};
use crate::plan::{Action, Entry, Plan, Subject};
use crate::warn::Warned;
use serde_json::{json, Value};

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

/// The JSON report: `{"sessions": [...], "errors": [...], ...}`.
pub fn json(results: &[ServerResult], dry_run: bool, code: ExitCode) -> String {
    let mut sessions = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for r in results {
        if let Some(e) = &r.error {
            errors.push(json!({
                "server": r.server,
                "kind": e.kind(),
                "message": e.to_string(),
            }));
        }
        if let Some(done) = &r.done {
            for (i, entry) in done.plan.entries.iter().enumerate() {
                let mut v = session_json(&r.server, entry, done.outcome(i));
                if let Some(w) = done.warned(i) {
                    let obj = v.as_object_mut().expect("built as an object");
                    obj.insert("warning".into(), w.code().into());
                    if let Some(m) = w.message() {
                        obj.insert("warning_message".into(), m.into());
                    }
                }
                sessions.push(v);
            }
        }
        for w in &r.warnings {
            warnings.push(json!({ "server": r.server, "message": w }));
        }
    }
    let report = json!({
        "sessions": sessions,
        "errors": errors,
        "warnings": warnings,
        "dry_run": dry_run,
        "exit_code": code.code(),
    });
    let mut text = serde_json::to_string_pretty(&report).expect("JSON values always serialize");
    text.push('\n');
    text
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

/// The table report and a summary line per server.
pub fn table(results: &[ServerResult], dry_run: bool) -> String {
    let mut rows: Vec<[String; 7]> = vec![[
        "SERVER".into(),
        "ID".into(),
        "USER".into(),
        "SESSION".into(),
        "STATE".into(),
        "ACTION".into(),
        "REASON".into(),
    ]];
    let mut summaries = Vec::new();
    for r in results {
        if let Some(done) = &r.done {
            for (i, entry) in done.plan.entries.iter().enumerate() {
                rows.push(table_row(&r.server, entry, done.outcome(i), dry_run));
            }
            summaries.push(summary(&r.server, done, dry_run));
        }
        if let Some(e) = &r.error {
            summaries.push(format!("{}: error: {e}", r.server));
        }
        for w in &r.warnings {
            summaries.push(format!("{}: note: {w}", r.server));
        }
    }
    let mut widths = [0usize; 6];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    if rows.len() > 1 {
        for row in &rows {
            let mut line = String::new();
            for (cell, w) in row.iter().zip(widths) {
                line.push_str(cell);
                line.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
            line.push_str(&row[6]);
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    for s in summaries {
        out.push_str(&s);
        out.push('\n');
    }
    out
}

/// The report as CSV (RFC 4180), the table's columns; a server error is a row with ACTION
/// `error`.
pub fn csv(results: &[ServerResult], dry_run: bool) -> String {
    let mut out = String::from("SERVER,ID,USER,SESSION,STATE,ACTION,REASON\r\n");
    let mut push = |cells: &[String]| {
        let quoted: Vec<String> = cells
            .iter()
            .map(|c| if c == "-" { String::new() } else { csv_cell(c) })
            .collect();
        out.push_str(&quoted.join(","));
        out.push_str("\r\n");
    };
    for r in results {
        if let Some(done) = &r.done {
            for (i, entry) in done.plan.entries.iter().enumerate() {
                push(&table_row(&r.server, entry, done.outcome(i), dry_run));
            }
        }
        if let Some(e) = &r.error {
            let empty = String::new();
            push(&[
                r.server.clone(),
                empty.clone(),
                empty.clone(),
                empty.clone(),
                empty,
                "error".into(),
                e.to_string(),
            ]);
        }
    }
    out
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
            dash(s.user.as_ref()),
            dash(s.name.as_ref()),
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
            for (code, words) in [
                ("logged_off", "logged off"),
                ("already_gone", "already gone"),
                ("failed", "failed"),
                ("timed_out", "timed out"),
                ("not_run", "not run"),
            ] {
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
