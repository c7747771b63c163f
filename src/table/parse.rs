//! Parse: find the header of the `query session` table, take its column positions, and slice
//! every row by them into a typed [`Session`], or into a row that is not understood.

use crate::decode::{Decoded, Line};
use crate::table::columns::{self, Column, Layout, SESSION_KEY, USER_KEY};
use crate::table::session::{Session, State};

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
    /// No line looks like the `query session` header.
    #[error(
        "no `query session` header (SESSIONNAME USERNAME ID STATE ...) found in {lines} line(s); \
         first line: {first:?}{hint}"
    )]
    NoHeader {
        /// Number of lines read.
        lines: usize,
        /// The first non-blank line, to show what was printed instead.
        first: String,
        /// Advice about the code page when lines did not decode cleanly.
        hint: String,
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

/// Parses decoded `query session` output.
pub fn parse(decoded: &Decoded) -> Result<Table, ParseError> {
    let mut header = None;
    for line in &decoded.lines {
        let Some(candidate) = columns::candidate(line) else {
            continue;
        };
        if candidate.layout(USER_KEY).is_some()
            || candidate.name_user_id_order() == [Column::UserName, Column::SessionName, Column::Id]
        {
            return Err(ParseError::QueryUserTable { line: line.number });
        }
        if let Some(layout) = candidate.layout(SESSION_KEY) {
            header = Some(layout);
            break;
        }
    }
    let Some(header) = header else {
        return Err(no_header(decoded));
    };

    let mut rows = Vec::new();
    let mut counters = Vec::new();
    for line in &decoded.lines {
        if line.number == header.line || line.text.trim().is_empty() {
            continue;
        }
        if line.number > header.line && line.problem.is_none() && is_counter_line(&line.text) {
            counters.push(line.text.clone());
            continue;
        }
        let row = if line.number < header.line {
            Err("text before the header line".to_string())
        } else {
            parse_row(&header, line)
        };
        rows.push(match row {
            Ok(session) => Row::Session(session),
            Err(why) => Row::NotUnderstood(NotUnderstood {
                line: line.number,
                raw: line.text.clone(),
                why,
            }),
        });
    }
    Ok(Table {
        header,
        rows,
        counters,
    })
}

fn no_header(decoded: &Decoded) -> ParseError {
    let unclean = decoded.lines.iter().filter(|l| l.problem.is_some()).count();
    let hint = if unclean > 0 {
        format!(
            "; {unclean} line(s) did not decode cleanly as {}: try --codepage with the code page \
             of the server that produced it (e.g. 850, 866, 932)",
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

/// `/counter` lines start in column 0 with a word and end in a number after a colon.
fn is_counter_line(text: &str) -> bool {
    let first = text.chars().next();
    if first.is_none_or(|c| c.is_whitespace() || c == '>') {
        return false;
    }
    match text.trim_end().rsplit_once(':') {
        Some((label, number)) => {
            !label.trim().is_empty()
                && !number.trim().is_empty()
                && number.trim().bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Slices one row of `query session` by the header's columns.
fn parse_row(layout: &Layout, line: &Line) -> Result<Session, String> {
    columns::slice_row(layout, line, |row| {
        let marked_current = row.marker()?;
        let user = row.span(Column::UserName);
        let state = row.span(Column::State);
        if row.char_at(user.start.saturating_sub(1)) != ' ' {
            return Err("the session name runs into the USERNAME column".to_string());
        }
        let (digits_start, digits_end, id) = row.id(user.start)?;
        if !row.slice(digits_end, state.start).trim().is_empty() {
            return Err("unexpected text between the ID and STATE columns".to_string());
        }
        // A state word may fill its column up to the next one ("Разъедин" is cut to 8
        // characters); a longer one is cut by the slice and then no longer matches a known
        // word: Unknown, which fails closed.
        let after_state = row.next_start(Column::State).unwrap_or(usize::MAX);
        let state_field = row.slice(state.start, after_state);
        let state_word = state_field.trim();
        if state_word.is_empty() {
            return Err("the STATE column is empty".to_string());
        }
        if state_field.starts_with(' ') || state_word.contains(' ') {
            return Err(format!(
                "the STATE column holds {state_word:?}, not one word where the header puts it"
            ));
        }
        let spans = row.spans();
        let state_index = spans.iter().position(|s| *s == state).expect("state span");
        // TYPE is the first column after STATE; anything later is DEVICE (extra columns too).
        let mut kind = None;
        let mut rest: Vec<String> = Vec::new();
        for (i, span) in spans.iter().enumerate().skip(state_index + 1) {
            let end = spans.get(i + 1).map_or(row.end(), |s| s.start);
            let cell = row.slice(span.start, end);
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            if i == state_index + 1 {
                kind = Some(cell.to_string());
            } else {
                rest.push(cell.to_string());
            }
        }
        let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Ok(Session {
            id,
            name: nonempty(row.slice(1, user.start).trim()),
            user: nonempty(row.slice(user.start, digits_start).trim()),
            state: State::from_word(state_word),
            state_word: state_word.to_string(),
            kind,
            device: nonempty(&rest.join(" ")),
            marked_current,
            line: line.number,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, CodePage};

    fn table(text: &str) -> Table {
        parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap()
    }

    const MODERN: &str =
        " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE \r
 services                                    0  Disc                        \r
>console           Administrator             1  Active                      \r
 rdp-tcp#3         alice                     3  Active                      \r
                   bob                       4  Disc                        \r
 rdp-tcp                                 65536  Listen                      \r
";

    #[test]
    fn modern_table_slices_by_header_positions() {
        let t = table(MODERN);
        let s: Vec<&Session> = t.sessions().collect();
        assert_eq!(s.len(), 5);
        assert_eq!(s[1].name.as_deref(), Some("console"));
        assert!(s[1].marked_current);
        assert_eq!(s[1].user.as_deref(), Some("Administrator"));
        // The disconnected row: empty session name, user and ID still in their columns.
        assert_eq!(s[3].name, None);
        assert_eq!(s[3].user.as_deref(), Some("bob"));
        assert_eq!(s[3].id.get(), 4);
        assert_eq!(s[3].state, State::Disconnected);
        assert_eq!(s[4].id.get(), 65536);
        assert_eq!(s[4].user, None);
    }

    #[test]
    fn shifted_id_is_not_understood() {
        let text = format!(
            "{}\n                   carol                    7  Disc\n",
            MODERN.lines().next().unwrap()
        );
        let t = table(&text);
        match &t.rows[0] {
            Row::NotUnderstood(n) => assert!(n.why.contains("ID"), "{}", n.why),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn counter_lines_are_kept_apart() {
        let text =
            format!("{MODERN}Total sessions created: 7\r\nTotal sessions disconnected: 2\r\n");
        let t = table(&text);
        assert_eq!(t.counters.len(), 2);
        assert_eq!(t.sessions().count(), 5);
    }

    #[test]
    fn query_user_header_is_refused_by_name() {
        let text = " USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME\n";
        let err = parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap_err();
        assert_eq!(err, ParseError::QueryUserTable { line: 1 });
    }

    #[test]
    fn unknown_word_among_key_columns_is_no_header() {
        let text = " SESSIONNAME  FOO  USERNAME   ID  STATE\n x  y  1  Active\n";
        let err = parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap_err();
        assert!(matches!(err, ParseError::NoHeader { .. }));
    }

    #[test]
    fn width_unit_lines_up_double_width_user_names() {
        // Padded in display columns (bytes under CP932): 山田 takes four columns.
        let text = " SESSIONNAME       USERNAME                 ID  STATE\n rdp-tcp#1         山田                      2  Active\n";
        let t = table(text);
        let s: Vec<&Session> = t.sessions().collect();
        assert_eq!(s.len(), 1, "{:?}", t.rows);
        assert_eq!(s[0].user.as_deref(), Some("山田"));
        assert_eq!(s[0].id.get(), 2);
    }
}
