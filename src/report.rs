//! Report: print every decision and outcome as a table for people or as JSON for programs.

use crate::error::Error;
use crate::execute::Outcome;
use crate::exit_code::ExitCode;
use crate::plan::{Action, Entry, Plan, Subject};
use serde_json::{json, Value};

/// What happened on one server.
#[derive(Debug)]
pub struct ServerResult {
    /// The server's name as shown ("localhost" for this computer).
    pub server: String,
    /// The plan and outcomes, or why there is none.
    pub result: Result<Done, Error>,
}

/// A server whose table was read.
#[derive(Debug)]
pub struct Done {
    /// The decisions.
    pub plan: Plan,
    /// One outcome per entry once executed (`None` for skipped rows); `None` for a dry run or a
    /// plan that was not executed.
    pub outcomes: Option<Vec<Option<Outcome>>>,
    /// How the output was decoded, e.g. "code page 850".
    pub encoding: String,
    /// Things worth knowing that did not stop the run (stderr text, counter lines).
    pub warnings: Vec<String>,
}

impl Done {
    fn outcome(&self, index: usize) -> Option<&Outcome> {
        self.outcomes.as_ref().and_then(|o| o[index].as_ref())
    }
}

/// The exit code for one server's result.
pub fn exit_code(result: &ServerResult) -> ExitCode {
    match &result.result {
        Err(e) => e.exit_code(),
        Ok(done) => {
            let failed = done
                .outcomes
                .iter()
                .flatten()
                .flatten()
                .any(|o| !o.is_success() && *o != Outcome::NotRun);
            if failed {
                ExitCode::LogoffFailed
            } else {
                ExitCode::Success
            }
        }
    }
}

/// The JSON report: `{"sessions": [...], "errors": [...], ...}`.
pub fn json(results: &[ServerResult], dry_run: bool, code: ExitCode) -> String {
    let mut sessions = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for r in results {
        match &r.result {
            Err(e) => errors.push(json!({
                "server": r.server,
                "kind": e.kind(),
                "message": e.to_string(),
            })),
            Ok(done) => {
                for (i, entry) in done.plan.entries.iter().enumerate() {
                    sessions.push(session_json(&r.server, entry, done.outcome(i)));
                }
                for w in &done.warnings {
                    warnings.push(json!({ "server": r.server, "message": w }));
                }
            }
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
        let done = match &r.result {
            Err(e) => {
                summaries.push(format!(
                    "{}: nothing was logged off ({})",
                    r.server,
                    e.kind()
                ));
                continue;
            }
            Ok(done) => done,
        };
        for (i, entry) in done.plan.entries.iter().enumerate() {
            rows.push(table_row(&r.server, entry, done.outcome(i), dry_run));
        }
        summaries.push(summary(&r.server, done, dry_run));
        for w in &done.warnings {
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
