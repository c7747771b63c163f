//! Text: one decoded line laid out in columns, counted either in characters or in display
//! columns (a CJK character takes two, by the `unicode-width` tables), with the few lookups the
//! fixed-width parser needs: the character at a column, the text between two columns, words.

use std::borrow::Cow;
use unicode_width::UnicodeWidthChar;

/// How columns are counted. `query` pads in display columns when the console does (CJK
/// headers), and in characters otherwise; a row is read in whichever lines up its ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// One column per character.
    Chars,
    /// Display columns: East Asian wide and full-width characters take two.
    Width,
}

/// Display width of one character (control characters count as one; their lines are refused
/// elsewhere).
pub(crate) fn char_width(c: char) -> usize {
    if c.is_ascii() {
        return 1;
    }
    c.width().unwrap_or(1)
}

/// Whether counting in display columns differs from counting characters for `text`.
pub(crate) fn has_wide(text: &str) -> bool {
    !text.is_ascii() && text.chars().any(|c| char_width(c) != 1)
}

/// A half-open range of columns `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// First column.
    pub(crate) start: usize,
    /// One past the last column.
    pub(crate) end: usize,
}

/// A line's characters with the column each starts at, in one unit.
pub(crate) enum Cells<'a> {
    /// Printable ASCII: column = byte index, in either unit.
    Ascii(&'a str),
    /// Anything else: each character and its start column (plus one past the end).
    Positioned {
        /// The characters.
        chars: &'a [char],
        /// Start column of each character, and the end column last.
        starts: Vec<usize>,
    },
}

impl<'a> Cells<'a> {
    /// Lays `chars` out in `unit`.
    pub(crate) fn positioned(chars: &'a [char], unit: Unit) -> Cells<'a> {
        let mut starts = Vec::with_capacity(chars.len() + 1);
        let mut col = 0;
        for &c in chars {
            starts.push(col);
            col += match unit {
                Unit::Chars => 1,
                Unit::Width => char_width(c),
            };
        }
        starts.push(col);
        Cells::Positioned { chars, starts }
    }

    /// The character covering column `col` (a space past the end).
    pub(crate) fn char_at(&self, col: usize) -> char {
        match self {
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

    /// The characters that start in `[start, end)`, untrimmed.
    pub(crate) fn slice(&self, start: usize, end: usize) -> Cow<'a, str> {
        match self {
            Cells::Ascii(text) => {
                let from = start.min(text.len());
                Cow::Borrowed(&text[from..end.min(text.len()).max(from)])
            }
            Cells::Positioned { chars, starts } => {
                let starts = &starts[..chars.len()];
                let from = starts.partition_point(|s| *s < start);
                let to = starts.partition_point(|s| *s < end).max(from);
                Cow::Owned(chars[from..to].iter().collect())
            }
        }
    }

    /// The column one past the last character.
    pub(crate) fn end(&self) -> usize {
        match self {
            Cells::Ascii(text) => text.len(),
            Cells::Positioned { starts, .. } => starts.last().copied().unwrap_or(0),
        }
    }

    /// The words (runs of non-space characters) as column spans, in order.
    pub(crate) fn words(&self) -> Vec<Span> {
        let mut out = Vec::new();
        let mut open: Option<usize> = None;
        let mut push = |c: char, col: usize, next: usize| {
            if c == ' ' {
                if let Some(start) = open.take() {
                    out.push(Span { start, end: col });
                }
            } else if open.is_none() {
                open = Some(col);
            }
            next
        };
        let end = match self {
            Cells::Ascii(text) => {
                for (i, b) in text.bytes().enumerate() {
                    push(char::from(b), i, i + 1);
                }
                text.len()
            }
            Cells::Positioned { chars, starts } => {
                for (i, c) in chars.iter().enumerate() {
                    push(*c, starts[i], starts[i + 1]);
                }
                self.end()
            }
        };
        if let Some(start) = open {
            out.push(Span { start, end });
        }
        out
    }

    /// The word starting exactly at `col` and where it ends; `None` when `col` holds a space or
    /// continues a word that started earlier.
    pub(crate) fn word_at(&self, col: usize) -> Option<Span> {
        if self.char_at(col) == ' ' || (col > 0 && self.char_at(col - 1) != ' ') {
            return None;
        }
        let end = match self {
            Cells::Ascii(text) => text.as_bytes()[col..]
                .iter()
                .position(|b| *b == b' ')
                .map_or(text.len(), |n| col + n),
            Cells::Positioned { .. } => {
                let end = self.end();
                let mut at = col;
                while at < end && self.char_at(at) != ' ' {
                    at += 1;
                }
                at
            }
        };
        Some(Span { start: col, end })
    }
}

/// Whether a word looks like text decoded with the wrong code page: a replacement character,
/// box-drawing or block characters (Cyrillic or Chinese bytes read as CP437), Greek letters
/// next to Latin ones (`SESIαN`, Cyrillic CP866 read as CP437), or CP437's punctuation between
/// letters (`êóá¡«ó`, `Ã¼`). Currency signs are left alone: `J¢rgen` may be a wrong code page,
/// but a name can hold one.
pub(crate) fn looks_like_mojibake(word: &str) -> bool {
    if word.is_ascii() {
        return false;
    }
    let mut latin = false;
    let mut greek = false;
    let mut symbol = false;
    for c in word.chars() {
        match c {
            '\u{FFFD}' | '\u{2500}'..='\u{259F}' | '\u{2310}' | '\u{2320}' | '\u{2321}' => {
                return true
            }
            '¡' | '¿' | '«' | '»' | 'ª' | 'º' | '¬' | '½' | '¼' | '±' | '÷' | '°' | '²' | '¦'
            | '§' | '¶' | '¨' | '¯' | '´' | '¸' | '³' | '¹' | '¾' | '·' | '∙' | '√' | 'ⁿ' | '■'
            | '≡' | '≥' | '≤' | '≈' | '∞' | '∩' => symbol = true,
            'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' => latin = true,
            '\u{0370}'..='\u{03FF}' => greek = true,
            _ => {}
        }
    }
    (greek && latin) || (symbol && (latin || greek))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_display_columns() {
        let chars: Vec<char> = " 会话名  ID".chars().collect();
        let cells = Cells::positioned(&chars, Unit::Width);
        assert_eq!(cells.char_at(1), '会');
        assert_eq!(cells.char_at(2), '会');
        assert_eq!(cells.char_at(3), '话');
        assert_eq!(cells.slice(9, 11), "ID");
        assert_eq!(
            cells.words(),
            [Span { start: 1, end: 7 }, Span { start: 9, end: 11 }]
        );
        let by_chars = Cells::positioned(&chars, Unit::Chars);
        assert_eq!(by_chars.slice(6, 8), "ID");
    }

    #[test]
    fn mojibake_is_told_from_real_names() {
        for bad in [
            "SESIαN",
            "GER\u{FFFD}T",
            "ÇñΓ¿¡¿ßΓαáΓ«α",
            "╨É╨║",
            "Ã¼ber",
            "êóá¡«ó",
        ] {
            assert!(looks_like_mojibake(bad), "{bad}");
        }
        for good in [
            "Jürgen",
            "françois",
            "José.García",
            "Иванов",
            "山田",
            "Abhör.",
            "ÉTAT",
        ] {
            assert!(!looks_like_mojibake(good), "{good}");
        }
    }
}
