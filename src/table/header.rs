//! Header: find a `query session` or `query user` table by its shape, in any language. A header
//! is a line of column titles holding an ID title, followed by rows whose session IDs are
//! right-aligned under that title's end. Column starts come from the header's word groups,
//! checked against the rows; the vocabulary only names and confirms columns, so a header in a
//! language no list knows still works when the shape is unambiguous.

use crate::decode::Line;
use crate::table::text::{has_wide, Cells, Span, Unit};
use crate::table::vocab::{self, Title};

/// Lines longer than this (in bytes) are not part of a session table.
pub const MAX_LINE: usize = 4096;
/// A header with more titles (words) than this is not a session table header.
pub const MAX_TITLES: usize = 32;
/// How many lines after a candidate header are read to check it against the rows.
const EVIDENCE_ROWS: usize = 64;

/// Which table a header starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `query session`: SESSIONNAME USERNAME ID STATE TYPE DEVICE.
    Session,
    /// `query user`: USERNAME SESSIONNAME ID STATE IDLE TIME LOGON TIME.
    User,
}

/// Column positions in one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cols {
    /// Start of the first column (1, or 0 when every line lost its column-0 space).
    pub first: usize,
    /// Start of the second column (USERNAME in `query session`, SESSIONNAME in `query user`).
    pub second: usize,
    /// One past the last digit of a right-aligned session ID.
    pub id_end: usize,
    /// Whether the ID title ends in a dot (Spanish `ID.`): the digits end under its last
    /// letter, or under the dot itself.
    pub id_dot: bool,
    /// Start of the STATE column.
    pub state: usize,
    /// Starts of the columns after STATE (TYPE, DEVICE; IDLE TIME, LOGON TIME).
    pub later: Vec<usize>,
}

/// A recognised header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// 1-based line number of the header.
    pub line: usize,
    /// Which table it starts.
    pub kind: Kind,
    /// Whether column 0 holds the `>` marker (false when the header lost its column-0 space,
    /// as every line of such a paste did).
    pub marker_column: bool,
    /// The header line as printed.
    pub text: String,
    /// Positions counted in characters.
    pub chars: Cols,
    /// Positions counted in display columns.
    pub width: Cols,
}

impl Layout {
    /// The positions in `unit`.
    pub(crate) fn cols(&self, unit: Unit) -> &Cols {
        match unit {
            Unit::Chars => &self.chars,
            Unit::Width => &self.width,
        }
    }

    /// Whether the two units give different positions (the header holds wide characters).
    pub fn units_differ(&self) -> bool {
        self.chars != self.width
    }
}

/// A header word with its position in both units.
struct Word {
    text: String,
    chars: Span,
    width: Span,
}

fn header_words(text: &str) -> Option<Vec<Word>> {
    let chars: Vec<char> = text.chars().collect();
    let by_chars = Cells::positioned(&chars, Unit::Chars).words();
    if by_chars.len() > MAX_TITLES {
        return None;
    }
    let by_width = Cells::positioned(&chars, Unit::Width).words();
    Some(
        by_chars
            .iter()
            .zip(by_width)
            .map(|(c, w)| Word {
                text: chars[c.start..c.end].iter().collect(),
                chars: *c,
                width: w,
            })
            .collect(),
    )
}

fn joined(words: &[Word]) -> String {
    let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    texts.join(" ")
}

/// What the rows after a candidate header say about it.
#[derive(Default)]
struct Evidence {
    /// Rows whose ID lines up under the ID title.
    aligned: usize,
    /// Per candidate second-column start (index into the words): rows with a word starting
    /// there, rows with a word running across it, rows with a never-localized session name
    /// starting there.
    starts: Vec<(usize, usize, usize)>,
    /// Rows showing a never-localized session name in the first column.
    name_first: usize,
    /// Rows with four or more words after the ID (state, idle, date, time: `query user`).
    long_tail: usize,
}

/// Where a right-aligned ID would end under the ID title.
fn id_end(title: &Word, unit: Unit) -> usize {
    let span = if unit == Unit::Chars {
        title.chars
    } else {
        title.width
    };
    if title.text.ends_with('.') {
        span.end - 1
    } else {
        span.end
    }
}

/// Digits ending exactly at `end` with a space (or the line's end) on both sides.
fn id_digits(cells: &Cells<'_>, end: usize) -> Option<usize> {
    if end == 0 || !cells.char_at(end - 1).is_ascii_digit() || cells.char_at(end) != ' ' {
        return None;
    }
    let mut start = end - 1;
    while start > 0 && cells.char_at(start - 1).is_ascii_digit() {
        start -= 1;
    }
    (start > 0 && cells.char_at(start - 1) == ' ').then_some(start)
}

fn gather(rows: &[Line], words: &[Word], id: usize, shifted: bool) -> Evidence {
    let mut ev = Evidence {
        starts: vec![(0, 0, 0); id],
        ..Evidence::default()
    };
    let first_col = usize::from(!shifted);
    let wide_header = words.iter().any(|w| has_wide(&w.text));
    for line in rows.iter().take(EVIDENCE_ROWS) {
        if line.problem.is_some() || line.text.len() > MAX_LINE || line.text.trim().is_empty() {
            continue;
        }
        let chars: Vec<char> = if line.text.is_ascii() {
            Vec::new()
        } else {
            line.text.chars().collect()
        };
        let units: &[Unit] = if wide_header || has_wide(&line.text) {
            &[Unit::Chars, Unit::Width]
        } else {
            &[Unit::Chars]
        };
        for &unit in units {
            let cells = if line.text.is_ascii() {
                Cells::Ascii(&line.text)
            } else {
                Cells::positioned(&chars, unit)
            };
            let end = id_end(&words[id], unit);
            let dot = words[id].text.ends_with('.');
            let Some(digits) = id_digits(&cells, end)
                .or_else(|| dot.then(|| id_digits(&cells, end + 1)).flatten())
            else {
                continue;
            };
            ev.aligned += 1;
            let pos = |w: &Word| {
                if unit == Unit::Chars {
                    w.chars
                } else {
                    w.width
                }
            };
            for (k, slot) in ev.starts.iter_mut().enumerate().skip(1) {
                let col = pos(&words[k]).start;
                if col >= digits {
                    continue;
                }
                if let Some(w) = cells.word_at(col) {
                    slot.0 += 1;
                    if vocab::is_known_session_name(&cells.slice(w.start, w.end)) {
                        slot.2 += 1;
                    }
                } else if cells.char_at(col) != ' ' && cells.char_at(col - 1) != ' ' {
                    slot.1 += 1;
                }
            }
            if let Some(w) = cells.word_at(first_col) {
                if vocab::is_known_session_name(&cells.slice(w.start, w.end)) {
                    ev.name_first += 1;
                }
            }
            let tail = cells.slice(id_end(&words[id], unit), cells.end());
            if tail.split_whitespace().count() >= 4 {
                ev.long_tail += 1;
            }
            break;
        }
    }
    ev
}

/// Chooses the word that starts the second column among words `1..id`.
fn second_column(words: &[Word], id: usize, ev: &Evidence) -> Option<usize> {
    // The vocabulary: both titles known ("NOMBRE DE SESIÓN" + "NOMBRE DE USUARIO").
    let named = (1..id).find(|&k| {
        let a = vocab::title(&joined(&words[..k]));
        let b = vocab::title(&joined(&words[k..id]));
        matches!(
            (a, b),
            (Some(Title::SessionName), Some(Title::UserName))
                | (Some(Title::UserName), Some(Title::SessionName))
        )
    });
    if named.is_some() {
        return named;
    }
    // Titles are separated by two or more spaces; words of one title by one.
    let gaps: Vec<usize> = (1..id)
        .filter(|&k| words[k].chars.start - words[k - 1].chars.end >= 2)
        .collect();
    if let [k] = gaps[..] {
        return Some(k);
    }
    // Otherwise the rows decide: the one start where row words begin and none runs across.
    let fits: Vec<usize> = (1..id)
        .filter(|&k| ev.starts[k].0 > 0 && ev.starts[k].1 == 0)
        .collect();
    match fits[..] {
        [k] => Some(k),
        _ => None,
    }
}

/// Reads `line` as a table header, checking it against the lines after it (`rows`); `None`
/// when it is not one (most lines) or when its shape is ambiguous.
pub fn recognise(line: &Line, rows: &[Line]) -> Option<Layout> {
    if line.problem.is_some() || line.text.len() > MAX_LINE || line.text.starts_with('>') {
        return None;
    }
    let words = header_words(&line.text)?;
    let first = words.first()?;
    if first.chars.start > 1 {
        return None;
    }
    let shifted = first.chars.start == 0;
    // The ID title: the first "ID" after at least two titles, with at least one after it.
    let id = (2..words.len().saturating_sub(1)).find(|&i| vocab::is_id_title(&words[i].text))?;
    if words[..id]
        .iter()
        .any(|w| w.text.bytes().any(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let ev = gather(rows, &words, id, shifted);
    let second = second_column(&words, id, &ev)?;
    let name_second = ev.starts[second].2;
    let named_titles = [
        vocab::title(&joined(&words[..second])),
        vocab::title(&joined(&words[second..id])),
    ];
    let by_title = match named_titles {
        [Some(Title::SessionName), _] | [_, Some(Title::UserName)] => Some(Kind::Session),
        [Some(Title::UserName), _] | [_, Some(Title::SessionName)] => Some(Kind::User),
        _ => None,
    };
    // Session names are never localized, but a user may be named like one (`console`,
    // `services`, `rdp-tcp`): such a name in the user column is a row of the table, not a sign
    // of the other table. So the rows tell the kind by the column that shows more session
    // names, and are only doubtful when both columns show some.
    let by_rows = match ev.name_first.cmp(&name_second) {
        std::cmp::Ordering::Greater => Some(Kind::Session),
        std::cmp::Ordering::Less => Some(Kind::User),
        std::cmp::Ordering::Equal => None,
    };
    let mixed = ev.name_first > 0 && name_second > 0;
    let kind = match (by_title, by_rows) {
        // Titles the vocabulary knows settle mixed rows; rows that all contradict them refuse
        // the header.
        (Some(a), Some(b)) if a != b && !mixed => return None,
        (Some(k), _) | (None, Some(k)) => k,
        // Unknown titles and as many session names in either column: which table it is
        // cannot be told.
        (None, None) if mixed => return None,
        (None, None) if ev.aligned == 0 => return None,
        (None, None) if ev.long_tail > 0 => Kind::User,
        (None, None) => Kind::Session,
    };
    // A header is believed when the rows line up under it, or when it names its columns.
    if ev.aligned == 0 && by_title.is_none() {
        return None;
    }
    let cols = |unit: Unit| {
        let pos = |w: &Word| {
            if unit == Unit::Chars {
                w.chars
            } else {
                w.width
            }
        };
        let after = &words[id + 1..];
        let mut later = Vec::new();
        for pair in after.windows(2) {
            if pair[1].chars.start - pair[0].chars.end >= 2 {
                later.push(pos(&pair[1]).start);
            }
        }
        Cols {
            first: pos(first).start,
            second: pos(&words[second]).start,
            id_end: id_end(&words[id], unit),
            id_dot: words[id].text.ends_with('.'),
            state: pos(&after[0]).start,
            later,
        }
    };
    Some(Layout {
        line: line.number,
        kind,
        marker_column: !shifted,
        text: line.text.to_string(),
        chars: cols(Unit::Chars),
        width: cols(Unit::Width),
    })
}

#[cfg(test)]
mod tests;
