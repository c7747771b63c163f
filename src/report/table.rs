//! The table report for people: aligned columns, then one summary line per server.

use crate::act::outcome::Outcome;
use crate::act::ServerResult;
use crate::config::Mode;
use crate::plan::{Action, Entry, Subject};
use crate::report::columns::Layout;
use crate::report::summary::total_line;
use crate::vocab::quote;
use crate::vocab::text::escape_for_display;
use crate::vocab::Verb;
use std::io::{self, Write};
use std::time::Duration;

const COLUMNS: usize = 7;

/// Writes the table, a summary line per server (with a server's error in full: a scheduled
/// task keeps no stderr) and, over several servers, the total line. Column widths come from a
/// first pass; rows are made again and written in the second, so nothing is held for the whole
/// table. A line fits [`crate::report::columns::MAX_WIDTH`]: a long reason is cut with an ellipsis (the JSON
/// report has it whole). `elapsed`: the run's time, for the total line (`None`: the plan
/// shown before the question, which has no total).
pub(crate) fn write(
    out: &mut dyn Write,
    results: &[ServerResult],
    mode: Mode,
    elapsed: Option<Duration>,
) -> io::Result<()> {
    let header: [String; COLUMNS] = [
        "SERVER", "ID", "USER", "SESSION", "STATE", "ACTION", "REASON",
    ]
    .map(String::from);
    let rows =
        || {
            results.iter().flat_map(move |r| {
                r.done.iter().flat_map(move |done| {
                    done.plan.entries.iter().enumerate().map(move |(i, entry)| {
                        row(&r.server, entry, done.outcome(i), mode, done.verb)
                    })
                })
            })
        };
    if rows().next().is_some() {
        let layout = Layout::of(std::iter::once(header.clone()).chain(rows()));
        for row in std::iter::once(header).chain(rows()) {
            writeln!(out, "{}", layout.line(&row))?;
        }
        writeln!(out)?;
    }
    for r in results {
        if let Some(line) = super::done_line(r, mode) {
            writeln!(out, "{line}")?;
        }
        if let Some(e) = &r.error {
            writeln!(out, "{}: not done: {}: {e}", r.server, e.kind())?;
        }
        for w in &r.warnings {
            writeln!(out, "{}: note: {w}", r.server)?;
        }
    }
    if let (true, Some(elapsed)) = (results.len() > 1, elapsed) {
        writeln!(out, "{}", total_line(results, mode, elapsed))?;
    }
    Ok(())
}

/// One row of the table, in the words people read.
fn row(
    server: &str,
    entry: &Entry,
    outcome: Option<&Outcome>,
    mode: Mode,
    verb: Verb,
) -> [String; COLUMNS] {
    let dash = |v: Option<&str>| v.unwrap_or("-").to_string();
    let action = match (entry.action, outcome) {
        (Action::Skip, _) => "skip".to_string(),
        (Action::Logoff, Some(o)) => o.code().replace('_', " "),
        (Action::Logoff, None) if mode.is_dry_run() => format!("would {}", verb.words()),
        (Action::Logoff, None) => verb.words().to_string(),
    };
    let mut reason = entry.reason.text();
    if let (Action::Logoff, Some(seen)) = (entry.action, &entry.idle) {
        reason = format!("{reason}; {}", seen.note());
    }
    if let Some(m) = outcome.and_then(Outcome::message) {
        reason = format!("{reason}: {m}");
    }
    match &entry.subject {
        Subject::Session(s) => [
            server.to_string(),
            format!("{}{}", if entry.current { ">" } else { "" }, s.id),
            escape_for_display(&dash(s.user.as_deref())).into_owned(),
            escape_for_display(&dash(s.name.as_deref())).into_owned(),
            s.state_word.to_string(),
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
            format!(
                "line {}: {reason}: {}",
                line.line,
                quote(line.raw.trim_end())
            ),
        ],
    }
}
