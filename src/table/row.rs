//! Row: one data line laid over a header's columns, shared by `query session` and `query user`.
//! It reads the marker, the first two columns, the right-aligned ID and the STATE word, and
//! refuses anything that does not line up; the caller builds its record from the pieces.

use crate::decode::Line;
use crate::table::header::{Cols, Layout, MAX_LINE};
use crate::table::text::{has_wide, looks_like_mojibake, Cells, Unit};
use crate::vocab::SessionId;
use std::borrow::Cow;

/// Advice for text that did not decode, or decoded into mojibake.
pub(crate) const CODEPAGE_HINT: &str =
    "try --codepage with the OEM code page of the server that printed it (e.g. 850, 866, 932)";

/// The pieces every row has, in both tables, borrowed from the line where it is ASCII.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pieces<'a> {
    /// Whether column 0 holds the `>` marker.
    pub(crate) marked: bool,
    /// The first column, trimmed (SESSIONNAME in `query session`, USERNAME in `query user`).
    pub(crate) first: Cow<'a, str>,
    /// The second column, trimmed.
    pub(crate) second: Cow<'a, str>,
    /// The session ID.
    pub(crate) id: SessionId,
    /// The STATE word.
    pub(crate) state: Cow<'a, str>,
    /// The column after STATE (TYPE), cut at the header's column starts, shifted right where
    /// the state word overran its column; untrimmed, empty when the header has none.
    pub(crate) kind: Cow<'a, str>,
    /// Everything after that column (DEVICE and any extra columns), untrimmed.
    pub(crate) rest: Cow<'a, str>,
    /// Everything after the STATE word (IDLE TIME and LOGON TIME in `query user`).
    pub(crate) tail: Cow<'a, str>,
}

/// A piece of text without its padding spaces, not copied where it is borrowed. (Columns are
/// padded with spaces only; a tab refuses the line earlier.)
fn trimmed(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(t) => Cow::Borrowed(trim_spaces(t)),
        Cow::Owned(t) if trim_spaces(&t).len() == t.len() => Cow::Owned(t),
        Cow::Owned(t) => Cow::Owned(trim_spaces(&t).to_string()),
    }
}

/// `text` without leading and trailing ASCII spaces, byte by byte (a space byte is always a
/// whole character in UTF-8, so the cut is on character boundaries).
pub(crate) fn trim_spaces(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|b| *b != b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| *b != b' ')
        .map_or(start, |i| i + 1);
    &text[start..end]
}

/// One row over the header's columns in one unit.
struct View<'a> {
    cells: Cells<'a>,
    cols: &'a Cols,
    marker_column: bool,
}

impl<'a> View<'a> {
    fn pieces(&self) -> Result<Pieces<'a>, String> {
        let c = &self.cells;
        // Column 0: the marker, unless every line lost it; a `>` line in such a paste kept its
        // original layout, one column right of the others.
        let (marked, offset) = match (self.marker_column, c.char_at(0)) {
            (true, ' ') => (false, 0),
            (true, '>') | (false, '>') => (true, usize::from(!self.marker_column)),
            (true, other) => {
                return Err(format!(
                    "column 1 holds {other:?}, not a space or the `>` marker"
                ))
            }
            (false, _) => (false, 0),
        };
        let at = |col: usize| col + offset;
        let second = at(self.cols.second);
        if c.char_at(second - 1) != ' ' {
            return Err(format!(
                "the first column runs into the second (column {})",
                second + 1
            ));
        }
        let mut id_end = at(self.cols.id_end);
        if self.cols.id_dot && c.char_at(id_end).is_ascii_digit() {
            id_end += 1;
        }
        if !c.char_at(id_end - 1).is_ascii_digit() {
            return Err(misaligned(c, id_end));
        }
        if c.char_at(id_end) != ' ' {
            return Err("the session ID runs past the ID column".to_string());
        }
        let mut digits = id_end - 1;
        while digits > second && c.char_at(digits - 1).is_ascii_digit() {
            digits -= 1;
        }
        if c.char_at(digits - 1) != ' ' {
            return Err("the session ID is not separated from the column before it".to_string());
        }
        let text = c.slice(digits, id_end);
        let id = SessionId::parse(&text).ok_or_else(|| {
            format!("session ID {text:?} is not a plain number (no leading zero, 32 bits)")
        })?;
        let state_col = at(self.cols.state);
        if state_col <= id_end || !c.slice(id_end, state_col).trim().is_empty() {
            return Err("unexpected text between the ID and STATE columns".to_string());
        }
        let state = c.word_at(state_col).ok_or_else(|| {
            format!(
                "no state word where the header puts STATE (column {})",
                state_col + 1
            )
        })?;
        // A state word longer than its column pushes the rest of the row right: the next
        // column then starts at the first word after it. (State words are single words in
        // every capture; a second word is read as the next column.)
        let state_end = state.end;
        let overrun = match self.cols.later.first() {
            Some(&next) if state.end >= at(next) => {
                skip_spaces(c, state.end).saturating_sub(at(next))
            }
            _ => 0,
        };
        let word = c.slice(state.start, state_end);
        // TYPE, then DEVICE and the rest (or IDLE TIME, LOGON TIME): from each later column's
        // start, moved right by the overrun.
        let later = |i: usize| {
            self.cols
                .later
                .get(i)
                .map(|&start| (at(start) + overrun).max(state_end))
        };
        let (kind, rest) = match (later(0), later(1)) {
            (Some(a), Some(b)) => (c.slice(a, b.max(a)), c.slice(b.max(a), c.end())),
            (Some(a), None) => (c.slice(a, c.end()), Cow::Borrowed("")),
            _ => (Cow::Borrowed(""), Cow::Borrowed("")),
        };
        let first = trimmed(c.slice(at(self.cols.first), second));
        let second = trimmed(c.slice(second, digits));
        // A state word in the wrong code page is only an unknown state (never a `--state`
        // match); names in the wrong code page would mislead the report and user filters.
        for (what, text) in [("first column", &first), ("second column", &second)] {
            if looks_like_mojibake(text) {
                return Err(format!(
                    "the {what} {text:?} looks like text decoded with the wrong code page; \
                     {CODEPAGE_HINT}"
                ));
            }
        }
        Ok(Pieces {
            marked,
            first,
            second,
            id,
            state: word,
            tail: c.slice(state_end, c.end()),
            kind,
            rest,
        })
    }
}

/// The first column at or after `col` that is not a space.
fn skip_spaces(c: &Cells<'_>, mut col: usize) -> usize {
    let end = c.end();
    while col < end && c.char_at(col) == ' ' {
        col += 1;
    }
    col
}

/// Why no ID ends under the ID title: the nearest number ending a few columns off means the
/// line is shifted against the header, which makes its columns ambiguous.
fn misaligned(c: &Cells<'_>, id_end: usize) -> String {
    let ends_at = |end: usize| {
        end > 0 && c.char_at(end - 1).is_ascii_digit() && !c.char_at(end).is_ascii_digit()
    };
    let near = (1..=8).find_map(|d| {
        if ends_at(id_end + d) {
            Some(format!("{d} column(s) right of"))
        } else if id_end > d && ends_at(id_end - d) {
            Some(format!("{d} column(s) left of"))
        } else {
            None
        }
    });
    match near {
        Some(place) => format!(
            "the session ID ends {place} the end of the ID title (column {id_end}): the line is \
             shifted against the header (spaces added or lost in an edit or a paste), so its \
             columns are ambiguous"
        ),
        None => format!("no session ID ends under the ID title (column {id_end})"),
    }
}

/// Reads the pieces of `line` under `layout` and builds a record with `build`: in characters
/// and, where wide characters are involved, also in display columns; takes the one that lines
/// up, and refuses when both do but disagree.
pub(crate) fn read<T: PartialEq>(
    layout: &Layout,
    line: &Line,
    build: impl Fn(Pieces<'_>) -> Result<T, String>,
) -> Result<T, String> {
    if let Some(problem) = &line.problem {
        return Err(format!(
            "did not decode cleanly ({problem}); {CODEPAGE_HINT}"
        ));
    }
    if line.text.len() > MAX_LINE {
        return Err(format!(
            "the line is {} bytes long, more than a session table row can be",
            line.text.len()
        ));
    }
    if line.text.contains('\t') {
        return Err("contains a tab, which breaks the fixed-width columns".to_string());
    }
    if !line.text.is_ascii() {
        if let Some(c) = line.text.chars().find(|c| c.is_whitespace() && *c != ' ') {
            // A non-breaking space (CP437 byte 0xFF) or other blank that is not a space: it
            // would pass for text where the columns are padding.
            return Err(format!(
                "contains the blank character U+{:04X}, which breaks the fixed-width columns",
                u32::from(c)
            ));
        }
    }
    let view = |cells, unit| View {
        cells,
        cols: layout.cols(unit),
        marker_column: layout.marker_column,
    };
    let run = |v: View<'_>| v.pieces().and_then(&build);
    if line.text.is_ascii() && !layout.units_differ() {
        return run(view(Cells::Ascii(&line.text), Unit::Chars));
    }
    let chars: Vec<char> = line.text.chars().collect();
    let by_chars = run(view(Cells::positioned(&chars, Unit::Chars), Unit::Chars));
    if !layout.units_differ() && !has_wide(&line.text) {
        return by_chars;
    }
    let by_width = run(view(Cells::positioned(&chars, Unit::Width), Unit::Width));
    match (by_chars, by_width) {
        (Ok(a), Ok(b)) if a != b => Err(
            "wide characters make the columns ambiguous (characters and display width disagree)"
                .to_string(),
        ),
        (Ok(a), _) => Ok(a),
        (Err(_), Ok(b)) => Ok(b),
        (Err(a), Err(_)) => Err(a),
    }
}
