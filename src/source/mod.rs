//! Source: one server's sessions. A [`Source`] answers with a [`Snapshot`]: the session table,
//! the `query user` table when asked for, when they were read, and
//! what tells the caller's own session there. [`Query`] runs the stock tools on a server;
//! [`Capture`] reads saved outputs (`--input`, `--input-user`). A new source (say the WTS API)
//! implements the trait here and nothing above changes.

mod capture;
mod query;

pub(crate) use capture::Capture;
pub(crate) use query::Query;

use crate::config::{self, Config};
use crate::decode::{self, CodePage, Decoded};
use crate::error::{Error, QueryError};
use crate::host::Host;
use crate::table::idle::{self, IdleTable};
use crate::table::parse::{self, ParseError, Table};
use crate::vocab::{one_line, ServerName, SessionId};
use std::io::BufRead;
use std::time::Instant;

/// What one read of a server found.
#[derive(Debug)]
pub(crate) struct Snapshot {
    /// The session table.
    pub(crate) table: Table,
    /// The `query user` table, when it was asked for; `None` when asked for but there is none
    /// to read (`--input` without `--input-user`).
    pub(crate) idle: Option<IdleTable>,
    /// When the table was read.
    pub(crate) read_at: Instant,
    /// The caller's own session, asked of the system: only on this computer.
    pub(crate) own_session: Option<SessionId>,
    /// The caller's own user, when the server cannot be told from this computer: every
    /// session of that user may be the caller's own.
    pub(crate) own_user: Option<String>,
    /// Things worth knowing that did not stop the read (what the tool printed on stderr,
    /// counter lines).
    pub(crate) warnings: Vec<String>,
    /// Whether the output ended with a line end, as the stock tools always end it: one that
    /// does not was cut short (its last row may be cut in the middle).
    pub(crate) whole: bool,
}

/// Where one server's sessions come from.
pub(crate) trait Source: Sync {
    /// Reads the session table of `server` (`None`: this computer), and with `idle` its
    /// `query user` table too.
    fn read(&self, server: Option<&ServerName>, idle: bool) -> Result<Snapshot, Error>;

    /// Reads only the `query user` table of `server`; `Ok(None)` when there is none to read.
    fn read_idle(&self, server: Option<&ServerName>) -> Result<Option<IdleTable>, Error>;
}

/// The source the flags name: the stock tools on each server, or the captures of `--input`
/// (and `--input-user`; `input` is standard input, read now for `--input -`).
pub fn open<'a>(
    config: &Config,
    host: &'a dyn Host,
    code_page: CodePage,
    input: &mut dyn BufRead,
) -> Box<dyn Source + 'a> {
    match &config.source {
        config::Source::Query(_) => Box::new(Query {
            host,
            timeout: config.timeout,
            code_page,
        }),
        config::Source::Input { path } => Box::new(Capture::new(
            path.clone(),
            config.input_user.clone(),
            code_page,
            input,
        )),
    }
}

/// Decodes and parses a `query session` output. Text without a table that reads like a stock
/// tool's error message is that error, not a table "not understood".
fn session_table(bytes: &[u8], code_page: CodePage) -> Result<Table, Error> {
    let decoded = decode::decode(bytes, code_page)?;
    let table = match parse::parse(&decoded) {
        Ok(table) => table,
        Err(ParseError::NoHeader { .. }) if query::looks_like_error(&all_text(&decoded)) => {
            return Err(QueryError::ErrorText {
                what: "query session",
                message: one_line(&all_text(&decoded)),
            }
            .into())
        }
        Err(e) => return Err(e.into()),
    };
    Ok(table)
}

/// Decodes and parses a `query user` output; a saved "No User exists for *" means nobody was
/// logged on.
fn idle_table(bytes: &[u8], code_page: CodePage) -> Result<IdleTable, Error> {
    let decoded = decode::decode(bytes, code_page)?;
    match idle::parse(&decoded) {
        Ok(table) => Ok(table),
        Err(_)
            if one_line(&all_text(&decoded))
                .to_ascii_lowercase()
                .starts_with("no user exists") =>
        {
            Ok(IdleTable::default())
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether `bytes` end with a line end (ASCII, or UTF-16LE with its high byte): anything after
/// the last line end, even blanks, is a line cut short.
fn ends_with_line_end(bytes: &[u8]) -> bool {
    bytes.ends_with(b"\n") || bytes.ends_with(b"\n\0")
}

/// The warning for counter lines in a table.
fn counter_warning(table: &Table) -> Option<String> {
    (!table.counters.is_empty())
        .then(|| format!("{} /counter line(s) ignored", table.counters.len()))
}

/// Concatenates the decoded lines.
pub(crate) fn all_text(decoded: &Decoded) -> String {
    decoded
        .lines
        .iter()
        .map(|l| &*l.text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes a child's message for display, never failing.
pub(crate) fn lossy(bytes: &[u8], code_page: CodePage) -> String {
    match decode::decode(bytes, code_page) {
        Ok(d) => all_text(&d),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_cut_in_a_line_does_not_end_with_a_line_end() {
        assert!(ends_with_line_end(b"a\r\nb\r\n"));
        assert!(!ends_with_line_end(b"a\r\nb\r\n   "));
        assert!(ends_with_line_end(
            "a\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<_>>()
                .as_slice()
        ));
        assert!(!ends_with_line_end(b"a\r\n rdp-tcp#1    al"));
        assert!(!ends_with_line_end(b""));
    }
}
