//! The CSV report for PowerShell and Excel (RFC 4180, CRLF): one row per session with codes
//! programs can filter on, and a row per server error with the server and the ERROR column.

use crate::act::ServerResult;
use crate::report::record::{ErrorRecord, SessionRecord};
use crate::vocab::quote;
use crate::vocab::text::escape_for_display;
use std::io::{self, Write};

/// The UTF-8 byte order mark put before a CSV written to a file with `--output`.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many columns a row has.
pub(crate) const COLUMNS: usize = 15;

/// The columns, in order.
pub(crate) const HEADER: [&str; COLUMNS] = [
    "SERVER",
    "ID",
    "CURRENT",
    "USER",
    "SESSION",
    "STATE",
    "ACTION",
    "OUTCOME",
    "REASON_CODE",
    "REASON",
    "IDLE",
    "IDLE_MINUTES",
    "LOGON",
    "LOGON_ISO",
    "ERROR",
];

/// Writes the header and every row.
pub(crate) fn write(out: &mut dyn Write, results: &[ServerResult]) -> io::Result<()> {
    row(out, &HEADER.map(String::from))?;
    for r in results {
        if let Some(done) = &r.done {
            for i in 0..done.plan.entries.len() {
                row(out, &session_cells(&SessionRecord::of(r, done, i)))?;
            }
        }
        if let Some(e) = ErrorRecord::of(r) {
            row(out, &error_cells(&e))?;
        }
    }
    Ok(())
}

/// The cells of a session record. ID is a plain number (empty for a line not understood);
/// CURRENT is `yes` or `no`; IDLE, IDLE_MINUTES (a plain number), LOGON and LOGON_ISO (ISO 8601
/// local time) are empty when not known.
pub(crate) fn session_cells(r: &SessionRecord) -> [String; COLUMNS] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let reason = match &r.raw {
        Some(raw) => format!("line {}: {}: {}", r.line, r.reason, quote(raw.trim_end())),
        None => match &r.message {
            Some(m) => format!("{}: {m}", r.reason),
            None => r.reason.clone(),
        },
    };
    [
        r.server.clone(),
        r.id.map(|i| i.to_string()).unwrap_or_default(),
        if r.current { "yes" } else { "no" }.to_string(),
        escape_for_display(&text(&r.user)).into_owned(),
        escape_for_display(&text(&r.session_name)).into_owned(),
        text(&r.state),
        code(&r.action),
        r.outcome
            .map(|o| o.as_str().to_string())
            .unwrap_or_default(),
        r.reason_code.as_str().to_string(),
        reason,
        text(&r.idle),
        r.idle_minutes.map(|m| m.to_string()).unwrap_or_default(),
        text(&r.logon),
        text(&r.logon_iso),
        String::new(),
    ]
}

/// The cells of a server error: the server, the error's code as REASON_CODE, its words in
/// ERROR; the session columns empty.
pub(crate) fn error_cells(e: &ErrorRecord) -> [String; COLUMNS] {
    let mut cells: [String; COLUMNS] = Default::default();
    let mut put = |name: &str, value: &str| {
        if let Some(i) = HEADER.iter().position(|h| *h == name) {
            cells[i] = value.to_string();
        }
    };
    put("SERVER", &e.server);
    put("REASON_CODE", &e.kind);
    put("ERROR", &e.message);
    cells
}

fn code<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn row(out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    let quoted: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    write!(out, "{}\r\n", quoted.join(","))
}

/// Quotes a cell when needed; a leading `=`, `+`, `-` or `@` gets a `'` so that a spreadsheet
/// does not run it as a formula.
pub(crate) fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\r', '\n']) || text != text.trim() {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_guarded() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=cmd()"), "'=cmd()");
        assert_eq!(cell(" x"), "\" x\"");
        assert_eq!(cell(r"CONTOSO\alice"), r"CONTOSO\alice");
    }
}
