//! Columns: the fixed-width layout shared by `query session` and `query user`. A header line
//! gives the column positions (localized labels, possibly with spaces); rows are sliced by them,
//! in characters or, where double-width characters are padded as two, in display columns. The
//! right-aligned ID column is the anchor.

use crate::decode::Line;
use crate::table::session::SessionId;

/// A column of a `query` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// SESSIONNAME
    SessionName,
    /// USERNAME
    UserName,
    /// ID (right-aligned numbers)
    Id,
    /// STATE
    State,
    /// TYPE (often empty)
    Type,
    /// DEVICE (often empty)
    Device,
    /// IDLE TIME (`query user`)
    IdleTime,
    /// LOGON TIME (`query user`)
    LogonTime,
    /// A header word after the key columns that this program does not know (an extra column).
    Other,
}

/// Header words per column, in every language seen in captures (FORMAT.md). Matched as whole
/// words, case-insensitively; a label may contain spaces.
const LABELS: &[(&str, Column)] = &[
    ("SESSIONNAME", Column::SessionName),
    ("SITZUNGSNAME", Column::SessionName),
    ("SESSION", Column::SessionName),
    ("NOMBRE SESIÓN", Column::SessionName),
    ("NOMESESSIONE", Column::SessionName),
    ("ИМЯ_СЕАНСА", Column::SessionName),
    ("セッション名", Column::SessionName),
    ("USERNAME", Column::UserName),
    ("BENUTZERNAME", Column::UserName),
    ("UTILISATEUR", Column::UserName),
    ("NOMBRE USUARIO", Column::UserName),
    ("NOMEUTENTE", Column::UserName),
    ("ИМЯ_ПОЛЬЗОВАТЕЛЯ", Column::UserName),
    ("ユーザー名", Column::UserName),
    ("ID", Column::Id),
    ("ID.", Column::Id),
    ("ИД", Column::Id),
    ("STATE", Column::State),
    ("STATUS", Column::State),
    ("ÉTAT", Column::State),
    ("ESTADO", Column::State),
    ("STATO", Column::State),
    ("СОСТОЯНИЕ", Column::State),
    ("状態", Column::State),
    ("TYPE", Column::Type),
    ("TYP", Column::Type),
    ("TIPO", Column::Type),
    ("ТИП", Column::Type),
    ("種類", Column::Type),
    ("DEVICE", Column::Device),
    ("GERÄT", Column::Device),
    ("PÉRIPHÉRIQUE", Column::Device),
    ("DISPOSITIVO", Column::Device),
    ("УСТРОЙСТВО", Column::Device),
    ("デバイス", Column::Device),
    ("IDLE TIME", Column::IdleTime),
    ("LEERLAUF", Column::IdleTime),
    ("TEMPS INACT", Column::IdleTime),
    ("TIEMPO IN.", Column::IdleTime),
    ("LOGON TIME", Column::LogonTime),
    ("ANMELDEZEIT", Column::LogonTime),
    ("TEMPS SESSION", Column::LogonTime),
    ("TIEMPO SESIÓN", Column::LogonTime),
];

/// The column order of `query session`.
pub const SESSION_KEY: &[Column] = &[
    Column::SessionName,
    Column::UserName,
    Column::Id,
    Column::State,
];

/// The column order of `query user`.
pub const USER_KEY: &[Column] = &[
    Column::UserName,
    Column::SessionName,
    Column::Id,
    Column::State,
    Column::IdleTime,
    Column::LogonTime,
];

/// How column positions are counted. `query` pads in characters or, under double-byte code
/// pages, in bytes (= display columns); a row is sliced the way that lines up its ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Chars,
    Width,
}

/// A half-open range of columns `[start, end)` in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First column.
    pub start: usize,
    /// One past the last column.
    pub end: usize,
}

/// A recognised header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// 1-based line number of the header.
    pub line: usize,
    /// The columns in order of appearance.
    pub columns: Vec<Column>,
    /// The ID header word as printed ("ID", "ID.", "ИД").
    pub id_label: String,
    chars: Vec<Span>,
    width: Vec<Span>,
}

impl Layout {
    fn spans(&self, unit: Unit) -> &[Span] {
        match unit {
            Unit::Chars => &self.chars,
            Unit::Width => &self.width,
        }
    }

    /// Index of `column` in [`Layout::columns`].
    pub fn index(&self, column: Column) -> Option<usize> {
        self.columns.iter().position(|c| *c == column)
    }
}

/// One character in lower case, kept as is where lower case is more than one character.
fn lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(a), None) => a,
        _ => c,
    }
}

/// The labels in lower case, made once.
fn lower_labels() -> &'static [(Vec<char>, Column)] {
    static LOWER: std::sync::OnceLock<Vec<(Vec<char>, Column)>> = std::sync::OnceLock::new();
    LOWER.get_or_init(|| {
        LABELS
            .iter()
            .map(|(label, column)| (label.chars().map(lower).collect(), *column))
            .collect()
    })
}

/// A label found in a header line, in character positions.
#[derive(Debug, Clone, Copy)]
struct Found {
    column: Column,
    start: usize,
    end: usize,
}

/// Every label that stands as whole words in the line; where labels overlap, the longest.
fn labels_in(chars: &[char]) -> Vec<Found> {
    let text: Vec<char> = chars.iter().copied().map(lower).collect();
    let boundary = |i: usize| i == text.len() || text[i].is_whitespace();
    let mut found = Vec::new();
    for start in 0..text.len() {
        if text[start].is_whitespace() || (start > 0 && !text[start - 1].is_whitespace()) {
            continue;
        }
        for (label, column) in lower_labels() {
            let end = start + label.len();
            if end <= text.len() && text[start..end] == label[..] && boundary(end) {
                found.push(Found {
                    column: *column,
                    start,
                    end,
                });
            }
        }
    }
    // Prefer the longest label where labels overlap ("TEMPS SESSION" over "SESSION").
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Found> = Vec::new();
    for f in found {
        if kept.last().is_none_or(|k| f.start >= k.end) {
            kept.push(f);
        }
    }
    kept
}

/// A line that holds at least one header label: a candidate for the header.
pub struct Candidate<'a> {
    line: &'a Line,
    chars: Vec<char>,
    labels: Vec<Found>,
}

/// Reads the labels of a cleanly decoded line; `None` when it has none (most lines).
pub fn candidate(line: &Line) -> Option<Candidate<'_>> {
    if line.problem.is_some() {
        return None;
    }
    let chars: Vec<char> = line.text.chars().collect();
    let labels = labels_in(&chars);
    (!labels.is_empty()).then_some(Candidate {
        line,
        chars,
        labels,
    })
}

impl Candidate<'_> {
    /// The order of the name, user and ID labels, to tell the two tables apart.
    pub fn name_user_id_order(&self) -> Vec<Column> {
        self.labels
            .iter()
            .map(|f| f.column)
            .filter(|c| matches!(c, Column::SessionName | Column::UserName | Column::Id))
            .collect()
    }

    /// The layout, if the line's first labels are `key`, in this order, with nothing else up
    /// to the end of the last one; later words become TYPE, DEVICE or extra columns.
    pub fn layout(&self, key: &[Column]) -> Option<Layout> {
        layout_of(self.line, &self.chars, &self.labels, key)
    }
}

/// Words (runs of non-space) of a line, as character spans.
fn words(chars: &[char]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        out.push(Span { start, end: i });
    }
    out
}

/// Recognises a header line whose first labels are `key`; see [`Candidate::layout`].
pub fn find_layout(line: &Line, key: &[Column]) -> Option<Layout> {
    candidate(line)?.layout(key)
}

fn layout_of(line: &Line, chars: &[char], labels: &[Found], key: &[Column]) -> Option<Layout> {
    if labels.len() < key.len()
        || labels[..key.len()]
            .iter()
            .map(|f| f.column)
            .ne(key.iter().copied())
    {
        return None;
    }
    if labels[0].start == 0 {
        // Column 0 holds the `>` marker; a header starting there is not the known layout.
        return None;
    }
    let key_end = labels[key.len() - 1].end;
    let span = |f: &Found| Span {
        start: f.start,
        end: f.end,
    };
    let mut spans: Vec<(Column, Span)> = labels[..key.len()]
        .iter()
        .map(|f| (f.column, span(f)))
        .collect();
    let covered = |w: &Span, list: &[(Column, Span)]| {
        list.iter()
            .any(|(_, s)| w.start >= s.start && w.end <= s.end)
    };
    for w in words(chars) {
        if w.end <= key_end {
            if !covered(&w, &spans) {
                return None;
            }
        } else if let Some(f) = labels[key.len()..]
            .iter()
            .find(|f| f.start <= w.start && w.end <= f.end)
        {
            if !covered(&w, &spans) {
                let column = match f.column {
                    Column::Type | Column::Device => f.column,
                    _ => Column::Other,
                };
                spans.push((column, span(f)));
            }
        } else {
            spans.push((Column::Other, w));
        }
    }
    let widths = column_starts(chars, Unit::Width);
    let to_width = |s: &Span| Span {
        start: widths[s.start],
        end: widths[s.end],
    };
    Some(Layout {
        line: line.number,
        columns: spans.iter().map(|(c, _)| *c).collect(),
        id_label: chars[labels[2].start..labels[2].end].iter().collect(),
        chars: spans.iter().map(|(_, s)| *s).collect(),
        width: spans.iter().map(|(_, s)| to_width(s)).collect(),
    })
}

/// Display width of a character: 2 for East Asian wide and full-width characters.
fn char_width(c: char) -> usize {
    let c = u32::from(c);
    let wide = matches!(c,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

/// Start column of each character (and one past the end) in the given unit.
fn column_starts(chars: &[char], unit: Unit) -> Vec<usize> {
    let mut out = Vec::with_capacity(chars.len() + 1);
    let mut col = 0;
    for &c in chars {
        out.push(col);
        col += match unit {
            Unit::Chars => 1,
            Unit::Width => char_width(c),
        };
    }
    out.push(col);
    out
}

/// The characters of a row with their column positions.
enum Cells<'a> {
    /// An ASCII line: column = byte index.
    Ascii(&'a str),
    /// Any other line: each character and the column it starts at (plus one past the end).
    Positioned {
        chars: &'a [char],
        starts: Vec<usize>,
    },
}

/// One row laid over the header's columns in one unit.
pub struct RowView<'a> {
    cells: Cells<'a>,
    spans: &'a [Span],
    layout: &'a Layout,
}

impl<'a> RowView<'a> {
    /// The span of `column`; panics if the layout lacks it (the key columns are always there).
    pub fn span(&self, column: Column) -> Span {
        self.spans[self.layout.index(column).expect("key column in layout")]
    }

    /// The start of the column after `column`, if any.
    pub fn next_start(&self, column: Column) -> Option<usize> {
        let i = self.layout.index(column).expect("key column in layout");
        self.spans.get(i + 1).map(|s| s.start)
    }

    /// All spans, in order.
    pub fn spans(&self) -> &[Span] {
        self.spans
    }

    /// The character at column `col` (a space past the end).
    pub fn char_at(&self, col: usize) -> char {
        match &self.cells {
            Cells::Ascii(text) => text.as_bytes().get(col).map_or(' ', |b| char::from(*b)),
            Cells::Positioned { chars, starts } => {
                let i = starts.partition_point(|s| *s <= col);
                if i > 0 && i <= chars.len() && col < starts[i] {
                    chars[i - 1]
                } else {
                    ' '
                }
            }
        }
    }

    /// The characters starting in `[start, end)`, untrimmed.
    pub fn slice(&self, start: usize, end: usize) -> std::borrow::Cow<'a, str> {
        match &self.cells {
            Cells::Ascii(text) => {
                let from = start.min(text.len());
                std::borrow::Cow::Borrowed(&text[from..end.min(text.len()).max(from)])
            }
            Cells::Positioned { chars, starts } => {
                let starts = &starts[..chars.len()];
                let from = starts.partition_point(|s| *s < start);
                let to = starts.partition_point(|s| *s < end).max(from);
                std::borrow::Cow::Owned(chars[from..to].iter().collect())
            }
        }
    }

    /// The column one past the last character.
    pub fn end(&self) -> usize {
        match &self.cells {
            Cells::Ascii(text) => text.len(),
            Cells::Positioned { starts, .. } => *starts.last().expect("one past the end"),
        }
    }

    /// Checks column 0 and returns whether it holds the `>` marker.
    pub fn marker(&self) -> Result<bool, String> {
        match self.char_at(0) {
            ' ' => Ok(false),
            '>' => Ok(true),
            other => Err(format!(
                "column 1 holds {other:?}, not a space or the `>` marker"
            )),
        }
    }

    /// The word starting exactly at `col` and where it ends; `None` when `col` holds a space or
    /// continues a word that started earlier.
    pub fn word_at(&self, col: usize) -> Option<(String, usize)> {
        if self.char_at(col) == ' ' || (col > 0 && self.char_at(col - 1) != ' ') {
            return None;
        }
        let mut end = col;
        while end < self.end() && self.char_at(end) != ' ' {
            end += 1;
        }
        Some((self.slice(col, end).into_owned(), end))
    }

    /// Finds the right-aligned ID: its last digit under the last character of the ID header
    /// word (or, for a label ending in '.', such as Spanish "ID.", under the one before it),
    /// spaces on both sides, nothing before `left` taken. Returns `(start, end, id)`.
    pub fn id(&self, left: usize) -> Result<(usize, usize, SessionId), String> {
        let id = self.span(Column::Id);
        let digits_end = if self.char_at(id.end - 1).is_ascii_digit() {
            id.end
        } else if self.layout.id_label.ends_with('.') && self.char_at(id.end - 2).is_ascii_digit() {
            id.end - 1
        } else {
            return Err("no session ID ends under the ID header".to_string());
        };
        if self.char_at(digits_end) != ' ' {
            return Err("the session ID runs past the ID column".to_string());
        }
        let mut digits_start = digits_end;
        while digits_start > left && self.char_at(digits_start - 1).is_ascii_digit() {
            digits_start -= 1;
        }
        if self.char_at(digits_start.saturating_sub(1)) != ' ' {
            return Err("the session ID is not separated from the column before it".to_string());
        }
        let text = self.slice(digits_start, digits_end);
        let id = SessionId::parse(&text)
            .ok_or_else(|| format!("session ID {text:?} is not a number that fits 32 bits"))?;
        Ok((digits_start, digits_end, id))
    }
}

/// Slices `line` with `slice`, in characters and, where double-width characters are involved,
/// also in display columns; takes the one that lines up, and refuses when both do but disagree.
pub fn slice_row<T: PartialEq>(
    layout: &Layout,
    line: &Line,
    slice: impl Fn(&RowView<'_>) -> Result<T, String>,
) -> Result<T, String> {
    if let Some(problem) = &line.problem {
        return Err(format!("did not decode cleanly: {problem}"));
    }
    if line.text.contains('\t') {
        return Err("contains a tab, which breaks the fixed-width columns".to_string());
    }
    if line.text.is_ascii() && layout.chars == layout.width {
        return slice(&RowView {
            cells: Cells::Ascii(&line.text),
            spans: &layout.chars,
            layout,
        });
    }
    let chars: Vec<char> = line.text.chars().collect();
    let view = |unit| RowView {
        cells: Cells::Positioned {
            chars: &chars,
            starts: column_starts(&chars, unit),
        },
        spans: layout.spans(unit),
        layout,
    };
    let by_chars = slice(&view(Unit::Chars));
    if layout.chars == layout.width && chars.iter().all(|c| char_width(*c) == 1) {
        return by_chars;
    }
    let by_width = slice(&view(Unit::Width));
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
