//! List report: the `--list` inventory of every session, joined with `query user` (idle and
//! logon time), as a table, JSON or CSV.

use super::csv::cell as csv_cell;
use super::json::ExitCodeJson;
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::plan::filter::format_idle;
use crate::table::session::Session;
use crate::vocab::quote;
use crate::vocab::text::escape_for_display;
use serde::Serialize;
use serde_json::{json, Value};
use std::io::{self, Write};
use std::time::Duration;

/// What `query user` said about one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserRow {
    /// The idle time, or why it cannot be read.
    pub(crate) idle: Result<Duration, String>,
    /// The IDLE TIME field as printed.
    pub(crate) idle_raw: String,
    /// The LOGON TIME field as printed.
    pub(crate) logon: String,
}

/// One row of the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Listed {
    /// An understood session, with its `query user` row when there is one.
    Session {
        /// The `query session` row.
        session: Session,
        /// Whether it is the caller's own session.
        current: bool,
        /// The `query user` row with the same ID and user; `Err`: why there is none.
        user_row: Result<UserRow, String>,
    },
    /// A line of `query session` that was not understood.
    Line {
        /// Its line number.
        line: usize,
        /// The line as printed.
        raw: String,
        /// Why it was not understood.
        why: String,
    },
}

/// The inventory of one server.
#[derive(Debug)]
pub(crate) struct ServerList {
    /// The server's name as shown.
    pub(crate) server: String,
    /// Every row, in table order.
    pub(crate) rows: Vec<Listed>,
    /// Why the server could not be listed.
    pub(crate) error: Option<Error>,
    /// Things worth knowing (query user failed, no --input-user, ...).
    pub(crate) warnings: Vec<String>,
}

const HEADER: [&str; 9] = [
    "SERVER", "ID", "USER", "SESSION", "STATE", "IDLE", "IDLE_RAW", "LOGON", "NOTE",
];

fn cells(server: &str, row: &Listed) -> [String; 9] {
    let dash = |v: Option<&str>| v.unwrap_or("-").to_string();
    match row {
        Listed::Session {
            session: s,
            current,
            user_row,
        } => {
            let (idle, raw, logon, note) = match user_row {
                Ok(u) => match &u.idle {
                    Ok(d) => (format_idle(*d), u.idle_raw.clone(), u.logon.clone(), ""),
                    Err(_) => (
                        "?".into(),
                        u.idle_raw.clone(),
                        u.logon.clone(),
                        "idle unreadable",
                    ),
                },
                Err(_) if s.user.is_none() => ("-".into(), "-".into(), "-".into(), ""),
                Err(_) => (
                    "?".into(),
                    "-".into(),
                    "-".into(),
                    "not listed by query user",
                ),
            };
            let mut note = note.to_string();
            if *current {
                note = if note.is_empty() {
                    "your session".into()
                } else {
                    format!("your session; {note}")
                };
            }
            [
                server.to_string(),
                format!("{}{}", if *current { ">" } else { "" }, s.id),
                escape_for_display(&dash(s.user.as_deref())).into_owned(),
                escape_for_display(&dash(s.name.as_deref())).into_owned(),
                s.state_word.to_string(),
                idle,
                raw,
                logon,
                note,
            ]
        }
        Listed::Line { line, raw, why } => [
            server.to_string(),
            "?".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            format!(
                "line {line} not understood ({why}): {}",
                quote(raw.trim_end())
            ),
        ],
    }
}

/// Writes the inventory as aligned columns, then a line per server.
pub(crate) fn table(out: &mut dyn Write, lists: &[ServerList]) -> io::Result<()> {
    let rows: Vec<[String; 9]> = lists
        .iter()
        .flat_map(|l| l.rows.iter().map(move |r| cells(&l.server, r)))
        .collect();
    if !rows.is_empty() {
        let mut widths = HEADER.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for row in std::iter::once(HEADER.map(String::from)).chain(rows) {
            let mut line = String::new();
            for (cell, w) in row.iter().zip(widths) {
                line.push_str(cell);
                line.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        writeln!(out)?;
    }
    for l in lists {
        if l.error.is_none() {
            let users = l
                .rows
                .iter()
                .filter(|r| matches!(r, Listed::Session { session, .. } if session.user.is_some()))
                .count();
            writeln!(
                out,
                "{}: {} row(s), {users} with a user (list only: nothing was done)",
                l.server,
                l.rows.len()
            )?;
        }
        if let Some(e) = &l.error {
            writeln!(out, "{}: error: {e}", l.server)?;
        }
        for w in &l.warnings {
            writeln!(out, "{}: note: {w}", l.server)?;
        }
    }
    Ok(())
}

/// Writes the inventory as CSV (RFC 4180) with the table's columns; a server error is a row with
/// the error in NOTE.
pub(crate) fn csv(out: &mut dyn Write, lists: &[ServerList]) -> io::Result<()> {
    write!(out, "{}\r\n", HEADER.join(","))?;
    for l in lists {
        let mut rows: Vec<[String; 9]> = l.rows.iter().map(|r| cells(&l.server, r)).collect();
        if let Some(e) = &l.error {
            let mut row: [String; 9] = Default::default();
            row[0] = l.server.clone();
            row[8] = format!("error: {e}");
            rows.push(row);
        }
        for row in rows {
            let quoted: Vec<String> = row
                .iter()
                .map(|c| if c == "-" { String::new() } else { csv_cell(c) })
                .collect();
            write!(out, "{}\r\n", quoted.join(","))?;
        }
    }
    Ok(())
}

/// Writes the inventory as one JSON object: `list`, `sessions` (one per line), `errors`,
/// `warnings`, `exit_code` (with its bits named, as in the main report).
pub(crate) fn json(out: &mut dyn Write, lists: &[ServerList], code: ExitCode) -> io::Result<()> {
    let list = |out: &mut dyn Write, name: &str, items: Vec<Value>| -> io::Result<()> {
        write!(out, "  \"{name}\": [")?;
        for (i, item) in items.iter().enumerate() {
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            serde_json::to_writer(&mut *out, item)?;
        }
        writeln!(out, "{}", if items.is_empty() { "]," } else { "\n  ]," })
    };
    writeln!(out, "{{\n  \"version\": \"{}\",", env!("CARGO_PKG_VERSION"))?;
    writeln!(out, "  \"list\": true,")?;
    let sessions = lists
        .iter()
        .flat_map(|l| l.rows.iter().map(move |r| row_json(&l.server, r)));
    list(out, "sessions", sessions.collect())?;
    let errors = lists.iter().filter_map(|l| {
        l.error
            .as_ref()
            .map(|e| json!({ "server": l.server, "kind": e.kind(), "message": e.to_string() }))
    });
    list(out, "errors", errors.collect())?;
    let warnings = lists.iter().flat_map(|l| {
        l.warnings
            .iter()
            .map(move |w| json!({ "server": l.server, "message": w }))
    });
    list(out, "warnings", warnings.collect())?;
    write!(out, "  \"exit_code\": ")?;
    serde_json::to_writer(&mut *out, &ExitCodeJson::from(code))?;
    writeln!(out, "\n}}")
}

/// One session of the inventory as JSON gives it.
#[derive(Serialize)]
struct SessionRecord<'a> {
    server: &'a str,
    id: u32,
    user: Option<&'a str>,
    session_name: Option<&'a str>,
    state: &'a str,
    state_canonical: &'a str,
    current: bool,
    idle_seconds: Option<u64>,
    idle: Option<String>,
    idle_raw: Option<&'a str>,
    idle_error: Option<&'a str>,
    logon: Option<&'a str>,
}

/// A line of the inventory that was not understood, as JSON gives it.
#[derive(Serialize)]
struct LineRecord<'a> {
    server: &'a str,
    /// Always null: no ID was read from the line.
    id: Option<u32>,
    line: usize,
    raw: &'a str,
    not_understood: &'a str,
}

fn row_json(server: &str, row: &Listed) -> Value {
    let value = match row {
        Listed::Session {
            session: s,
            current,
            user_row,
        } => {
            let mut record = SessionRecord {
                server,
                id: s.id.get(),
                user: s.user.as_deref(),
                session_name: s.name.as_deref(),
                state: &s.state_word,
                state_canonical: s.state.canonical(),
                current: *current,
                idle_seconds: None,
                idle: None,
                idle_raw: None,
                idle_error: None,
                logon: None,
            };
            match user_row {
                Ok(u) => {
                    record.idle_raw = Some(&u.idle_raw);
                    record.logon = Some(&u.logon);
                    match &u.idle {
                        Ok(d) => {
                            record.idle_seconds = Some(d.as_secs());
                            record.idle = Some(format_idle(*d));
                        }
                        Err(e) => record.idle_error = Some(e),
                    }
                }
                // A row with no user is not in `query user`: nothing to say about idle time.
                Err(_) if s.user.is_none() => {}
                Err(e) => record.idle_error = Some(e),
            }
            serde_json::to_value(record)
        }
        Listed::Line { line, raw, why } => serde_json::to_value(LineRecord {
            server,
            id: None,
            line: *line,
            raw,
            not_understood: why,
        }),
    };
    value.unwrap_or(Value::Null)
}
