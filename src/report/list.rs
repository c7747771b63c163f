//! List report: the `--list` inventory of every session, joined with `query user` (idle and
//! logon time), as a table, JSON or CSV.

use super::csv::cell as csv_cell;
use super::json::ExitCodeJson;
use super::logon::{idle_minutes, logon_iso};
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

/// The CSV columns: ID a plain number, CURRENT `yes` or `no` (as in the run's CSV), the idle
/// time also in whole minutes and the logon time also as ISO 8601.
pub(crate) const CSV_HEADER: [&str; 12] = [
    "SERVER",
    "ID",
    "CURRENT",
    "USER",
    "SESSION",
    "STATE",
    "IDLE",
    "IDLE_MINUTES",
    "IDLE_RAW",
    "LOGON",
    "LOGON_ISO",
    "NOTE",
];

/// What a row says about idle and logon time: the idle time when read, the idle text shown,
/// the fields as printed (`-` when there are none), and a note.
struct Times {
    idle: Option<Duration>,
    shown: String,
    raw: String,
    logon: String,
    note: &'static str,
}

fn times(session: &Session, user_row: &Result<UserRow, String>) -> Times {
    let times = |idle, shown: &str, raw: &str, logon: &str, note| Times {
        idle,
        shown: shown.to_string(),
        raw: raw.to_string(),
        logon: logon.to_string(),
        note,
    };
    match user_row {
        Ok(u) => match &u.idle {
            Ok(d) => times(Some(*d), &format_idle(*d), &u.idle_raw, &u.logon, ""),
            Err(_) => times(None, "?", &u.idle_raw, &u.logon, "idle unreadable"),
        },
        Err(_) if session.user.is_none() => times(None, "-", "-", "-", ""),
        Err(_) => times(None, "?", "-", "-", "not listed by query user"),
    }
}

/// Why a line was not understood, with the line.
fn line_note(line: usize, raw: &str, why: &str) -> String {
    format!(
        "line {line} not understood ({why}): {}",
        quote(raw.trim_end())
    )
}

fn cells(server: &str, row: &Listed) -> [String; 9] {
    let dash = |v: Option<&str>| v.unwrap_or("-").to_string();
    match row {
        Listed::Session {
            session: s,
            current,
            user_row,
        } => {
            let t = times(s, user_row);
            let note = match (*current, t.note) {
                (false, note) => note.to_string(),
                (true, "") => "your session".to_string(),
                (true, note) => format!("your session; {note}"),
            };
            [
                server.to_string(),
                format!("{}{}", if *current { ">" } else { "" }, s.id),
                escape_for_display(&dash(s.user.as_deref())).into_owned(),
                escape_for_display(&dash(s.name.as_deref())).into_owned(),
                s.state_word.to_string(),
                t.shown,
                t.raw,
                t.logon,
                note,
            ]
        }
        Listed::Line { line, raw, why } => {
            let mut cells: [String; 9] = Default::default();
            cells[0] = server.to_string();
            cells[1] = "?".into();
            for c in &mut cells[2..8] {
                *c = "-".into();
            }
            cells[8] = line_note(*line, raw, why);
            cells
        }
    }
}

/// The CSV cells of a row: empty where the table shows `-` or `?`.
fn csv_cells(server: &str, row: &Listed) -> [String; 12] {
    let mut cells: [String; 12] = Default::default();
    cells[0] = server.to_string();
    match row {
        Listed::Session {
            session: s,
            current,
            user_row,
        } => {
            let t = times(s, user_row);
            let known = |v: String| {
                if v == "-" || v == "?" {
                    String::new()
                } else {
                    v
                }
            };
            cells[1] = s.id.to_string();
            cells[2] = if *current { "yes" } else { "no" }.to_string();
            cells[3] = escape_for_display(s.user.as_deref().unwrap_or_default()).into_owned();
            cells[4] = escape_for_display(s.name.as_deref().unwrap_or_default()).into_owned();
            cells[5] = s.state_word.to_string();
            cells[6] = known(t.shown);
            cells[7] = t
                .idle
                .map(|d| idle_minutes(d).to_string())
                .unwrap_or_default();
            cells[8] = known(t.raw);
            cells[10] = logon_iso(&t.logon).unwrap_or_default();
            cells[9] = known(t.logon);
            cells[11] = t.note.to_string();
        }
        Listed::Line { line, raw, why } => cells[11] = line_note(*line, raw, why),
    }
    cells
}

/// Writes the inventory as aligned columns, then a line per server.
pub(crate) fn table(out: &mut dyn Write, lists: &[ServerList]) -> io::Result<()> {
    let rows: Vec<[String; 9]> = lists
        .iter()
        .flat_map(|l| l.rows.iter().map(move |r| cells(&l.server, r)))
        .collect();
    if !rows.is_empty() {
        let all: Vec<[String; 9]> = std::iter::once(HEADER.map(String::from))
            .chain(rows)
            .collect();
        super::columns::write(out, &all)?;
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

/// Writes the inventory as CSV (RFC 4180) with [`CSV_HEADER`]; a server error is a row with
/// the error in NOTE.
pub(crate) fn csv(out: &mut dyn Write, lists: &[ServerList]) -> io::Result<()> {
    write!(out, "{}\r\n", CSV_HEADER.join(","))?;
    for l in lists {
        let mut rows: Vec<[String; 12]> = l.rows.iter().map(|r| csv_cells(&l.server, r)).collect();
        if let Some(e) = &l.error {
            let mut row: [String; 12] = Default::default();
            row[0] = l.server.clone();
            row[11] = format!("error: {}: {e}", e.kind());
            rows.push(row);
        }
        for row in rows {
            let quoted: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
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
    idle_minutes: Option<u64>,
    logon_iso: Option<String>,
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
                idle_minutes: None,
                logon_iso: None,
            };
            match user_row {
                Ok(u) => {
                    record.idle_raw = Some(&u.idle_raw);
                    record.logon = Some(&u.logon);
                    record.logon_iso = logon_iso(&u.logon);
                    match &u.idle {
                        Ok(d) => {
                            record.idle_seconds = Some(d.as_secs());
                            record.idle_minutes = Some(idle_minutes(*d));
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
