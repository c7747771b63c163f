//! Parse: find the header of the `query session` table, take its column positions, and slice
//! every row by them into a typed [`Session`], or into a row that is not understood.

use crate::decode::{Decoded, Line};
use crate::session::{Session, SessionId, State};

/// A column of the session table.
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
    /// A header word after STATE that this program does not know (an extra column).
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
struct Span {
    start: usize,
    end: usize,
}

/// The recognised header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// 1-based line number of the header.
    pub line: usize,
    /// The columns in order of appearance.
    pub columns: Vec<Column>,
    /// The ID header word as printed ("ID", "ID.", "ИД").
    pub id_label: String,
    chars: Vec<Span>,
    width: Vec<Span>,
}

impl Header {
    fn spans(&self, unit: Unit) -> &[Span] {
        match unit {
            Unit::Chars => &self.chars,
            Unit::Width => &self.width,
        }
    }

    fn position(&self, column: Column) -> usize {
        self.columns
            .iter()
            .position(|c| *c == column)
            .expect("header always has the four key columns")
    }
}

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
    pub header: Header,
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
        if line.problem.is_some() {
            continue;
        }
        match find_header(line) {
            Some(Ok(h)) => {
                header = Some(h);
                break;
            }
            Some(Err(e)) => return Err(e),
            None => {}
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
        first: decoded
            .lines
            .iter()
            .map(|l| l.text.trim())
            .find(|t| !t.is_empty())
            .unwrap_or("")
            .chars()
            .take(100)
            .collect(),
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

fn chars_eq_ignore_case(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

/// A label found in a header line, in character positions.
#[derive(Debug, Clone, Copy)]
struct Found {
    column: Column,
    start: usize,
    end: usize,
}

fn labels_in(chars: &[char]) -> Vec<Found> {
    let boundary = |i: usize| i == chars.len() || chars[i].is_whitespace();
    let mut found = Vec::new();
    for &(label, column) in LABELS {
        let label: Vec<char> = label.chars().collect();
        if label.len() > chars.len() {
            continue;
        }
        for start in 0..=chars.len() - label.len() {
            let end = start + label.len();
            let before_ok = start == 0 || chars[start - 1].is_whitespace();
            if before_ok
                && boundary(end)
                && chars[start..end]
                    .iter()
                    .zip(&label)
                    .all(|(a, b)| chars_eq_ignore_case(*a, *b))
            {
                found.push(Found { column, start, end });
            }
        }
    }
    // Prefer the longest label where labels overlap ("NOMBRE SESIÓN" over "SESIÓN").
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Found> = Vec::new();
    for f in found {
        if kept.last().is_none_or(|k| f.start >= k.end) {
            kept.push(f);
        }
    }
    kept
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

/// Recognises a header line: SESSIONNAME, USERNAME, ID and STATE labels in this order with
/// nothing else before STATE, then optional TYPE, DEVICE or unknown extra columns.
fn find_header(line: &Line) -> Option<Result<Header, ParseError>> {
    let chars: Vec<char> = line.text.chars().collect();
    let labels = labels_in(&chars);
    let key: Vec<Column> = labels
        .iter()
        .map(|f| f.column)
        .filter(|c| matches!(c, Column::SessionName | Column::UserName | Column::Id))
        .collect();
    if key == [Column::UserName, Column::SessionName, Column::Id] {
        return Some(Err(ParseError::QueryUserTable { line: line.number }));
    }
    let order = [
        Column::SessionName,
        Column::UserName,
        Column::Id,
        Column::State,
    ];
    if labels.len() < 4 || labels[..4].iter().map(|f| f.column).ne(order) {
        return None;
    }
    if labels[0].start == 0 {
        // Column 0 holds the `>` marker; a header starting there is not the known layout.
        return None;
    }
    // Before the end of STATE, every word must belong to a label.
    let state_end = labels[3].end;
    let mut spans: Vec<(Column, Span)> = labels[..4]
        .iter()
        .map(|f| {
            (
                f.column,
                Span {
                    start: f.start,
                    end: f.end,
                },
            )
        })
        .collect();
    let covered = |w: &Span, list: &[(Column, Span)]| {
        list.iter()
            .any(|(_, s)| w.start >= s.start && w.end <= s.end)
    };
    for w in words(&chars) {
        if w.end <= state_end {
            if !covered(&w, &spans) {
                return None;
            }
        } else if let Some(f) = labels[4..]
            .iter()
            .find(|f| f.start <= w.start && w.end <= f.end)
        {
            if !covered(&w, &spans) {
                let column = match f.column {
                    Column::Type | Column::Device => f.column,
                    _ => Column::Other,
                };
                spans.push((
                    column,
                    Span {
                        start: f.start,
                        end: f.end,
                    },
                ));
            }
        } else {
            spans.push((Column::Other, w));
        }
    }
    let widths = column_starts(&chars, Unit::Width);
    let to_width = |s: &Span| Span {
        start: widths[s.start],
        end: widths[s.end],
    };
    Some(Ok(Header {
        line: line.number,
        columns: spans.iter().map(|(c, _)| *c).collect(),
        id_label: chars[labels[2].start..labels[2].end].iter().collect(),
        chars: spans.iter().map(|(_, s)| *s).collect(),
        width: spans.iter().map(|(_, s)| to_width(s)).collect(),
    }))
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

/// A row's characters with their column positions in one unit.
struct Grid<'a> {
    chars: &'a [char],
    starts: Vec<usize>,
}

impl Grid<'_> {
    /// Index of the character that starts at or covers `col`, if any.
    fn index_at(&self, col: usize) -> Option<usize> {
        let i = self.starts.partition_point(|s| *s <= col);
        (i > 0 && i <= self.chars.len()).then(|| i - 1).filter(|i| {
            let (s, e) = (self.starts[*i], self.starts[*i + 1]);
            s <= col && col < e
        })
    }

    fn char_at(&self, col: usize) -> char {
        self.index_at(col).map_or(' ', |i| self.chars[i])
    }

    /// The characters starting in `[start, end)`, untrimmed.
    fn slice(&self, start: usize, end: usize) -> String {
        self.chars
            .iter()
            .zip(&self.starts)
            .filter(|(_, s)| **s >= start && **s < end)
            .map(|(c, _)| *c)
            .collect()
    }

    fn end(&self) -> usize {
        *self
            .starts
            .last()
            .expect("starts has one more entry than chars")
    }
}

fn parse_row(header: &Header, line: &Line) -> Result<Session, String> {
    if let Some(problem) = &line.problem {
        return Err(format!("did not decode cleanly: {problem}"));
    }
    if line.text.contains('\t') {
        return Err("contains a tab, which breaks the fixed-width columns".to_string());
    }
    let chars: Vec<char> = line.text.chars().collect();
    let by_chars = slice_row(header, line, &chars, Unit::Chars);
    if header.chars == header.width && chars.iter().all(|c| char_width(*c) == 1) {
        return by_chars;
    }
    let by_width = slice_row(header, line, &chars, Unit::Width);
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

fn slice_row(header: &Header, line: &Line, chars: &[char], unit: Unit) -> Result<Session, String> {
    let grid = Grid {
        chars,
        starts: column_starts(chars, unit),
    };
    let spans = header.spans(unit);
    let user = spans[header.position(Column::UserName)];
    let id = spans[header.position(Column::Id)];
    let state = spans[header.position(Column::State)];
    let state_index = header.position(Column::State);

    let marker = grid.char_at(0);
    if marker != ' ' && marker != '>' {
        return Err(format!(
            "column 1 holds {marker:?}, not a space or the `>` marker"
        ));
    }
    if grid.char_at(user.start.saturating_sub(1)) != ' ' {
        return Err("the session name runs into the USERNAME column".to_string());
    }

    // The ID is right-aligned: its last digit sits under the last character of the ID header
    // word (or, for a label ending in '.', such as Spanish "ID.", under the one before it).
    let id_label_dot = header.id_label.ends_with('.');
    let digits_end = if grid.char_at(id.end - 1).is_ascii_digit() {
        id.end
    } else if id_label_dot && grid.char_at(id.end - 2).is_ascii_digit() {
        id.end - 1
    } else {
        return Err("no session ID ends under the ID header".to_string());
    };
    if grid.char_at(digits_end) != ' ' {
        return Err("the session ID runs past the ID column".to_string());
    }
    let mut digits_start = digits_end;
    while digits_start > user.start && grid.char_at(digits_start - 1).is_ascii_digit() {
        digits_start -= 1;
    }
    if grid.char_at(digits_start.saturating_sub(1)) != ' ' {
        return Err("the session ID is not separated from the user name".to_string());
    }
    let id_text = grid.slice(digits_start, digits_end);
    let session_id = SessionId::parse(&id_text)
        .ok_or_else(|| format!("session ID {id_text:?} is not a number that fits 32 bits"))?;
    if !grid.slice(digits_end, state.start).trim().is_empty() {
        return Err("unexpected text between the ID and STATE columns".to_string());
    }

    let after_state = spans.get(state_index + 1).map_or(usize::MAX, |s| s.start);
    let state_field = grid.slice(state.start, after_state);
    let state_word = state_field.trim();
    if state_word.is_empty() {
        return Err("the STATE column is empty".to_string());
    }
    if state_field.starts_with(' ') || state_word.contains(' ') {
        return Err(format!(
            "the STATE column holds {state_word:?}, not one word where the header puts it"
        ));
    }
    // A state word may fill its column up to the next one ("Разъедин" is cut to 8 characters);
    // a longer one is cut by the slice and then no longer matches a known word: Unknown.

    let mut trailing: Vec<String> = Vec::new();
    for (i, span) in spans.iter().enumerate().skip(state_index + 1) {
        let end = spans.get(i + 1).map_or(grid.end(), |s| s.start);
        trailing.push(grid.slice(span.start, end).trim().to_string());
    }
    let nonempty = |s: String| (!s.is_empty()).then_some(s);
    let mut trailing = trailing.into_iter();
    let kind = trailing.next().and_then(nonempty);
    let rest: Vec<String> = trailing.filter(|s| !s.is_empty()).collect();
    let device = nonempty(rest.join(" "));

    Ok(Session {
        id: session_id,
        name: nonempty(grid.slice(1, user.start).trim().to_string()),
        user: nonempty(grid.slice(user.start, digits_start).trim().to_string()),
        state: State::from_word(state_word),
        state_word: state_word.to_string(),
        kind,
        device,
        marked_current: marker == '>',
        line: line.number,
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
