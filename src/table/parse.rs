//! Parse: find the header of the `query session` table, take its column positions, and slice
//! every row by them into a typed [`Session`], or into a row that is not understood.

use crate::decode::Decoded;
use crate::table::header::{self, Kind, Layout};
use crate::table::row::{self, trim_spaces, Pieces, CODEPAGE_HINT};
use crate::table::session::{Field, Session, State};
use crate::table::text::looks_like_mojibake;

/// A line of the output that is not a session this program understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUnderstood {
    /// 1-based line number.
    pub line: usize,
    /// The line as decoded (undecodable bytes shown as U+FFFD).
    pub raw: String,
    /// What is wrong with it.
    pub why: String,
}

/// One line of the table body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// A fully understood session.
    Session(Session),
    /// A line that must not lead to any decision.
    NotUnderstood(NotUnderstood),
}

impl Row {
    /// The 1-based line the row was read from.
    pub fn line(&self) -> usize {
        match self {
            Row::Session(s) => s.line,
            Row::NotUnderstood(n) => n.line,
        }
    }
}

/// The parsed table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The header that gave the column positions.
    pub header: Layout,
    /// Every non-blank line other than the header and `/counter` lines, in order.
    pub rows: Vec<Row>,
    /// Trailing `/counter` lines ("Total sessions created: 7"), kept for the record.
    pub counters: Vec<String>,
}

impl Table {
    /// The understood sessions.
    pub fn sessions(&self) -> impl Iterator<Item = &Session> {
        self.rows.iter().filter_map(|r| match r {
            Row::Session(s) => Some(s),
            Row::NotUnderstood(_) => None,
        })
    }
}

/// The output as a whole is not a session table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// No line has the shape of a `query session` header.
    #[error(
        "no `query session` table found in {lines} line(s): no line has the shape of its header \
         (column titles including ID, with session IDs right-aligned under it); first line: \
         {first:?}{hint}"
    )]
    NoHeader {
        /// Number of lines read.
        lines: usize,
        /// The first non-blank line, leading spaces kept, to show what was printed instead.
        first: String,
        /// Advice about the code page, only when lines did not decode cleanly or look like
        /// text decoded with the wrong code page.
        hint: String,
    },
    /// A table was found, but more of its rows did not decode cleanly or look like text decoded
    /// with the wrong code page than rows with a user were read.
    #[error(
        "the table at line {header} was decoded with the wrong code page: line {line}: {why}; \
         quoted: {raw:?}"
    )]
    WrongCodePage {
        /// 1-based line number of the header.
        header: usize,
        /// The first such row.
        line: usize,
        /// Why it was refused (with the `--codepage` advice).
        why: String,
        /// The row as decoded.
        raw: String,
    },
    /// A second header after the first: two outputs saved into one file (`query session >>
    /// file` run twice), whose rows cannot be told apart.
    #[error(
        "line {line} is a second table header (the first is line {first}): two outputs were \
         saved into one file (`query session >> file` run twice?) and their rows cannot be told \
         apart; give one `query session` output per file"
    )]
    SecondHeader {
        /// 1-based line number of the first header.
        first: usize,
        /// 1-based line number of the second.
        line: usize,
    },
    /// The header is that of `query user` (USERNAME before SESSIONNAME).
    #[error(
        "line {line} is a `query user` header (USERNAME before SESSIONNAME); \
         give logoff-all the output of `query session`"
    )]
    QueryUserTable {
        /// 1-based line number of that header.
        line: usize,
    },
}

/// At most this many lines holding an ID title are tried as the header, which keeps a crafted
/// output from costing more than a bounded amount of work per line.
const MAX_CANDIDATES: usize = 1000;

/// Finds the first line that is a table header by shape (see [`header::recognise`]).
pub fn find_header(decoded: &Decoded) -> Option<Layout> {
    let lines = &decoded.lines;
    let mut tried = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.text.len() > header::MAX_LINE || !line.text.contains("ID") {
            continue;
        }
        tried += 1;
        if tried > MAX_CANDIDATES {
            return None;
        }
        if let Some(layout) = header::recognise(line, &lines[i + 1..]) {
            return Some(layout);
        }
    }
    None
}

/// Parses decoded `query session` output.
pub fn parse(decoded: &Decoded) -> Result<Table, ParseError> {
    let Some(header) = find_header(decoded) else {
        return Err(no_header(decoded));
    };
    if header.kind == Kind::User {
        return Err(ParseError::QueryUserTable { line: header.line });
    }
    let mut rows = Vec::with_capacity(decoded.lines.len());
    let mut counters = Vec::new();
    let mut tried = 0;
    for (i, line) in decoded.lines.iter().enumerate() {
        if line.number == header.line || is_blank(&line.text) {
            continue;
        }
        if line.number > header.line && line.problem.is_none() {
            // Without a marker column (the column-0 space lost in a paste) a row starts in
            // column 0 too, so nothing there is taken for a counter: it is read as a row.
            if header.marker_column && is_counter_line(&line.text) {
                counters.push((line.number, line.text.to_string()));
                continue;
            }
        }
        let row = if line.number < header.line {
            Err("text before the header line".to_string())
        } else {
            row::read(&header, line, |p| session_of(p, line.number))
        };
        // A header again (two outputs appended to one file): which rows belong to which
        // output, and whether its rows fit the first header's columns, cannot be told, so the
        // whole table is refused. Only a line that is not a row is tried, at most
        // MAX_CANDIDATES of them.
        if row.is_err() && line.number > header.line && line.text.contains("ID") {
            tried += 1;
            let again = line.text.trim_end() == header.text.trim_end()
                || (tried <= MAX_CANDIDATES
                    && header::recognise(line, &decoded.lines[i + 1..]).is_some());
            if again {
                return Err(ParseError::SecondHeader {
                    first: header.line,
                    line: line.number,
                });
            }
        }
        rows.push(match row {
            Ok(session) => Row::Session(session),
            Err(why) => Row::NotUnderstood(NotUnderstood {
                line: line.number,
                raw: line.text.to_string(),
                why,
            }),
        });
    }
    // `/counter` lines come after the table: one with rows after it is not a counter line, and
    // it is refused (so an ID on it still blocks that ID on every other row).
    let last_row = rows.iter().rev().find_map(|r| match r {
        Row::Session(s) => Some(s.line),
        Row::NotUnderstood(_) => None,
    });
    let mut kept = Vec::with_capacity(counters.len());
    let mut moved = false;
    for (number, text) in counters {
        if last_row.is_some_and(|last| number < last) {
            moved = true;
            rows.push(Row::NotUnderstood(NotUnderstood {
                line: number,
                raw: text,
                why: "a /counter line with table rows after it".to_string(),
            }));
        } else {
            kept.push(text);
        }
    }
    if moved {
        crate::vocab::order::sort_by_key(&mut rows, Row::line);
    }
    let table = Table {
        header,
        rows,
        counters: kept,
    };
    // More rows refused for their code page than rows with a user read cleanly: the output as
    // a whole was decoded with the wrong code page, and acting on the rest would be a gamble.
    let wrong: Vec<&NotUnderstood> = table
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::NotUnderstood(n) if n.why.contains(CODEPAGE_HINT) => Some(n),
            _ => None,
        })
        .collect();
    let with_user = table.sessions().filter(|s| s.user.is_some()).count();
    if wrong.len() > with_user {
        if let Some(n) = wrong.first() {
            return Err(ParseError::WrongCodePage {
                header: table.header.line,
                line: n.line,
                why: n.why.clone(),
                raw: n.raw.clone(),
            });
        }
    }
    Ok(table)
}

fn no_header(decoded: &Decoded) -> ParseError {
    let unclean = decoded.lines.iter().filter(|l| l.undecodable).count();
    let mojibake = decoded
        .lines
        .iter()
        .filter(|l| l.problem.is_none() && l.text.len() <= header::MAX_LINE)
        .flat_map(|l| l.text.split_whitespace())
        .find(|w| looks_like_mojibake(w));
    let hint = if unclean > 0 {
        format!(
            "; {unclean} line(s) did not decode cleanly as {}: {CODEPAGE_HINT}",
            decoded.encoding
        )
    } else if let Some(word) = mojibake {
        format!(
            "; {word:?} looks like text decoded with the wrong code page ({}): {CODEPAGE_HINT}",
            decoded.encoding
        )
    } else {
        String::new()
    };
    ParseError::NoHeader {
        lines: decoded.lines.len(),
        first: decoded.first_text(100),
        hint,
    }
}

/// Whether a line holds nothing but whitespace (checked byte-wise first: rows are long runs of
/// spaces).
pub fn is_blank(text: &str) -> bool {
    match text.bytes().find(|b| *b != b' ') {
        None => true,
        Some(b) if b.is_ascii_graphic() => false,
        Some(_) => text.trim().is_empty(),
    }
}

/// `/counter` lines start in column 0 with a word and end in a number after a colon.
fn is_counter_line(text: &str) -> bool {
    let first = text.chars().next();
    if first.is_none_or(|c| c.is_whitespace() || c == '>') {
        return false;
    }
    match text.trim_end().rsplit_once(':') {
        // Words, a colon and a number: a label with column gaps (two spaces) is a row, never
        // a counter line, and is read (or refused) as one.
        Some((label, number)) => {
            !label.trim().is_empty()
                && !label.contains("  ")
                && !number.trim().is_empty()
                && number.trim().bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Builds a `query session` record from a row's pieces.
fn session_of(p: Pieces<'_>, line: usize) -> Result<Session, String> {
    if p.first.contains(' ') {
        return Err(format!(
            "the SESSIONNAME column holds {:?}, more than one word",
            p.first
        ));
    }
    let nonempty = |s: &str| (!s.is_empty()).then(|| Field::from(s));
    let kind = nonempty(trim_spaces(&p.kind));
    let rest = trim_spaces(&p.rest);
    let device = if rest.contains("  ") {
        // Extra columns after DEVICE: their words, one space apart.
        nonempty(&rest.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        nonempty(rest)
    };
    Ok(Session {
        id: p.id,
        name: nonempty(&p.first),
        user: nonempty(&p.second),
        state: State::from_word(&p.state),
        state_word: Field::from(&*p.state),
        kind,
        device,
        marked_current: p.marked,
        line,
    })
}

#[cfg(test)]
mod tests;
