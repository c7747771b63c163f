//! Decode: turn the bytes `query` printed into lines of text, marking every line that did not
//! decode cleanly so that it can never reach a decision.

mod codepage_tables;

mod bytes;
mod cp932;

use crate::decode::codepage_tables::SINGLE_BYTE;
use std::borrow::Cow;
use std::fmt;

/// How the bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 little endian (byte order mark, or the NUL pattern of mostly-ASCII text).
    Utf16Le,
    /// UTF-8 (byte order mark, valid multi-byte sequences, or code page 65001 asked for).
    Utf8,
    /// An 8-bit or double-byte Windows code page such as 437, 850, 866 or 932.
    CodePage(u16),
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Encoding::Utf16Le => f.write_str("UTF-16LE"),
            Encoding::Utf8 => f.write_str("UTF-8"),
            Encoding::CodePage(cp) => write!(f, "code page {cp}"),
        }
    }
}

/// Which code page to use for bytes that are neither UTF-16 nor clearly UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePage {
    /// The system's OEM code page (CP437 off Windows); valid UTF-8 text is still read as UTF-8.
    Default(u16),
    /// Asked for with `--codepage`: used for everything but a byte order mark or UTF-16 text.
    Forced(u16),
}

/// Code page numbers this build can decode on any operating system.
pub fn supported_code_pages() -> Vec<u16> {
    let all = SINGLE_BYTE.iter().map(|(cp, _)| usize::from(*cp));
    crate::vocab::order::sorted_distinct(all.chain([932, 65001]))
        .into_iter()
        .filter_map(|cp| u16::try_from(cp).ok())
        .collect()
}

/// Whether `cp` can be decoded by this build: with its own tables on any system, and on
/// Windows also any other code page the system has installed (936, 949, 950, ...).
pub fn is_supported(cp: u16) -> bool {
    has_table(cp) || crate::host::codepage::is_valid(cp)
}

fn has_table(cp: u16) -> bool {
    cp == 932 || cp == 65001 || SINGLE_BYTE.iter().any(|(n, _)| *n == cp)
}

/// One decoded line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: usize,
    /// The text, without the line ending; bytes that did not decode appear as U+FFFD. Lines of
    /// printable ASCII (nearly all) borrow the bytes they were read from.
    pub text: Cow<'a, str>,
    /// Why the line is not clean (undecodable byte, NUL, control character); `None` when clean.
    pub problem: Option<String>,
    /// Whether the problem is bytes that did not decode (a wrong code page may be the cause),
    /// rather than a control character in text that decoded.
    pub undecodable: bool,
}

/// The whole decoded output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The encoding the bytes were read in.
    pub encoding: Encoding,
    /// The lines, in order.
    pub lines: Vec<Line<'a>>,
}

impl Decoded<'_> {
    /// The first non-blank line, cut to `max` characters, to show what was printed; leading
    /// spaces are kept (they are part of the layout: quote it with `{:?}`).
    pub fn first_text(&self, max: usize) -> String {
        self.lines
            .iter()
            .map(|l| l.text.trim_end())
            .find(|t| !t.is_empty())
            .unwrap_or("")
            .chars()
            .take(max)
            .collect()
    }
}

/// Decoding failed as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The code page asked for (or the system's) has no table in this build.
    #[error("code page {0} is not supported; use --codepage with one of: {list}", list = supported_list())]
    Unsupported(u16),
}

/// The code pages with a table here, as a comma-separated list for messages.
pub fn supported_list() -> String {
    let all: Vec<String> = supported_code_pages().iter().map(u16::to_string).collect();
    all.join(", ")
}

/// Decodes `bytes` into lines. Byte order marks and UTF-16 text are recognised first; then a
/// forced code page, or clean UTF-8, or the default code page.
pub fn decode(bytes: &[u8], code_page: CodePage) -> Result<Decoded<'_>, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok(utf16le(rest));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Ok(eight_bit(rest, Encoding::Utf8));
    }
    if looks_like_utf16le(bytes) {
        return Ok(utf16le(bytes));
    }
    let cp = match code_page {
        CodePage::Forced(cp) => cp,
        CodePage::Default(cp) => {
            if !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
                return Ok(eight_bit(bytes, Encoding::Utf8));
            }
            cp
        }
    };
    if !is_supported(cp) {
        return Err(DecodeError::Unsupported(cp));
    }
    let encoding = if cp == 65001 {
        Encoding::Utf8
    } else {
        Encoding::CodePage(cp)
    };
    Ok(eight_bit(bytes, encoding))
}

/// UTF-16LE without a byte order mark: mostly-ASCII text has a NUL in nearly every odd byte and
/// almost none in the even ones.
fn looks_like_utf16le(bytes: &[u8]) -> bool {
    // Cheap first: text without a single NUL byte is not UTF-16.
    if bytes.len() < 4 || !bytes.contains(&0) {
        return false;
    }
    let pairs = bytes.len() / 2;
    let (mut odd_nul, mut even_nul) = (0, 0);
    for pair in bytes.chunks_exact(2) {
        even_nul += usize::from(pair[0] == 0);
        odd_nul += usize::from(pair[1] == 0);
    }
    odd_nul * 2 >= pairs && even_nul * 10 < pairs
}

fn eight_bit(bytes: &[u8], encoding: Encoding) -> Decoded<'_> {
    // A final newline ends the last line rather than starting an empty one.
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let mut lines = Vec::with_capacity(bytes::count(body, b'\n') + 1);
    if bytes.is_empty() {
        return Decoded { encoding, lines };
    }
    let pieces = bytes::split(body, b'\n');
    lines.extend(pieces.enumerate().map(|(i, raw)| {
        // `\r\n`, and `\r\r\n` after a text-mode copy done twice.
        let raw = trim_cr(raw);
        if bytes::is_printable_ascii(raw) {
            // The common case: printable ASCII, the same in every supported code page, and
            // valid UTF-8, so the line borrows the bytes instead of copying them.
            if let Ok(text) = std::str::from_utf8(raw) {
                return Line {
                    number: i + 1,
                    text: Cow::Borrowed(text),
                    problem: None,
                    undecodable: false,
                };
            }
        }
        let (text, problem) = match encoding {
            Encoding::Utf8 => match std::str::from_utf8(raw) {
                Ok(s) => (s.to_string(), None),
                Err(e) => (
                    String::from_utf8_lossy(raw).into_owned(),
                    Some(format!(
                        "byte 0x{:02X} at column {} is not valid UTF-8",
                        raw[e.valid_up_to()],
                        e.valid_up_to() + 1
                    )),
                ),
            },
            Encoding::CodePage(932) => cp932::line(raw),
            Encoding::CodePage(cp) if has_table(cp) => single_byte_line(cp, raw),
            Encoding::CodePage(cp) => match crate::host::codepage::decode(cp, raw) {
                Some(text) => (text, None),
                None => (
                    String::from_utf8_lossy(raw).into_owned(),
                    Some(format!("bytes that are not valid in code page {cp}")),
                ),
            },
            // UTF-16 is decoded by `utf16le` and never reaches this; were it to, the line is
            // marked and fails closed.
            Encoding::Utf16Le => (
                String::from_utf8_lossy(raw).into_owned(),
                Some("UTF-16 text read as 8-bit bytes".to_string()),
            ),
        };
        finish_line(i + 1, text, problem)
    }));
    Decoded { encoding, lines }
}

/// The line without the carriage returns that end it (one, or two after a double text-mode
/// copy).
fn trim_cr<T: Copy + PartialEq + From<u8>>(mut raw: &[T]) -> &[T] {
    while let Some((last, rest)) = raw.split_last() {
        if *last != T::from(b'\r') {
            break;
        }
        raw = rest;
    }
    raw
}

fn single_byte_line(cp: u16, raw: &[u8]) -> (String, Option<String>) {
    let Some(table) = SINGLE_BYTE.iter().find(|(n, _)| *n == cp).map(|(_, t)| *t) else {
        // Only code pages with a table come here (checked by `decode`).
        return (
            String::from_utf8_lossy(raw).into_owned(),
            Some(format!("no table for code page {cp}")),
        );
    };
    let mut text = String::with_capacity(raw.len());
    let mut problem = None;
    for (i, &b) in raw.iter().enumerate() {
        let ch = if b < 0x80 {
            Some(b as char)
        } else {
            char::from_u32(u32::from(table[usize::from(b - 0x80)])).filter(|c| *c != '\0')
        };
        text.push(ch.unwrap_or(char::REPLACEMENT_CHARACTER));
        if ch.is_none() && problem.is_none() {
            problem = Some(undecodable(cp, &[b], i));
        }
    }
    (text, problem)
}

fn undecodable(cp: u16, bytes: &[u8], offset: usize) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("0x{b:02X}")).collect();
    format!(
        "byte {} at byte {} is not a character in code page {cp}",
        hex.join(" "),
        offset + 1
    )
}

fn utf16le(bytes: &[u8]) -> Decoded<'static> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let odd_tail = bytes.len() % 2 == 1;
    let mut pieces: Vec<&[u16]> = units.split(|u| *u == 0x000A).collect();
    if pieces.last().is_some_and(|p| p.is_empty()) && !odd_tail {
        pieces.pop();
    }
    let count = pieces.len();
    let lines = pieces
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let raw = trim_cr(raw);
            let mut text = String::with_capacity(raw.len());
            let mut problem = None;
            for (pos, ch) in char::decode_utf16(raw.iter().copied()).enumerate() {
                match ch {
                    Ok(c) => text.push(c),
                    Err(e) => {
                        text.push(char::REPLACEMENT_CHARACTER);
                        if problem.is_none() {
                            problem = Some(format!(
                                "unpaired UTF-16 surrogate 0x{:04X} at column {}",
                                e.unpaired_surrogate(),
                                pos + 1
                            ));
                        }
                    }
                }
            }
            if odd_tail && i + 1 == count && problem.is_none() {
                problem = Some("the output ends in half a UTF-16 character".to_string());
            }
            finish_line(i + 1, text, problem)
        })
        .collect();
    Decoded {
        encoding: Encoding::Utf16Le,
        lines,
    }
}

/// Flags NULs and control characters (other than tab, which the parser judges) in clean text,
/// and an invisible character at the start of a line.
fn finish_line(number: usize, text: String, problem: Option<String>) -> Line<'static> {
    let clean_ascii = || {
        text.bytes()
            .all(|b| (b' '..0x7F).contains(&b) || b == b'\t')
    };
    if problem.is_none() && text.is_ascii() && clean_ascii() {
        return Line {
            number,
            text: Cow::Owned(text),
            problem: None,
            undecodable: false,
        };
    }
    let undecodable = problem.is_some();
    // An invisible character first (a soft hyphen, a zero-width space: no display width) would
    // put the next character in column 0, where the `>` marker and the row's alignment are read.
    let problem = problem.or_else(|| {
        text.chars()
            .next()
            .filter(|c| *c != '\t' && crate::vocab::text::is_hidden(*c))
            .map(|c| format!("invisible character U+{:04X} at column 1", u32::from(c)))
    });
    let problem = problem.or_else(|| {
        text.chars()
            .enumerate()
            .find(|(_, c)| (c.is_control() && *c != '\t') || *c == '\u{FEFF}')
            .map(|(pos, c)| {
                format!(
                    "control character U+{:04X} at column {}",
                    u32::from(c),
                    pos + 1
                )
            })
    });
    Line {
        number,
        text: Cow::Owned(text),
        problem,
        undecodable,
    }
}

#[cfg(test)]
mod tests;
