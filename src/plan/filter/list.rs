//! List: read an `--exclude-file` as admins save it: UTF-8 with or without a byte order mark
//! (Notepad writes one), or UTF-16 LE/BE with one; one pattern per line; `#` starts a comment
//! only at the start of a line (after blanks), because `#` may be part of a user name.

use super::pattern::Pattern;
use std::path::Path;

/// Decodes the bytes of a list file: a UTF-8, UTF-16 LE or UTF-16 BE byte order mark is
/// honoured and dropped; without one the text must be UTF-8.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |rest: &[u8], le: bool| -> Result<String, String> {
        if rest.len() % 2 != 0 {
            return Err("UTF-16 text with an odd number of bytes".to_string());
        }
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| format!("invalid UTF-16 ({e})"))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|e| format!("invalid UTF-8 after the byte order mark ({e})")),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
            format!(
                "not UTF-8 ({e}); save it as UTF-8 or Unicode (UTF-16) in Notepad, \
                 so that names with accents are read as written"
            )
        }),
    }
}

/// Reads the lines of a list: blanks around an entry dropped, blank lines and lines whose first
/// non-blank character is `#` ignored; returns each entry with its line number.
pub fn entries(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Reads an exclusion file into patterns noted with `file:line` (and a note on one that looks
/// like it ends in a comment, which is now part of the pattern). A bad pattern is an error
/// naming its place.
pub fn read(path: &Path) -> Result<Vec<Pattern>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = decode(&bytes).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut patterns = Vec::new();
    for (line, entry) in entries(&text) {
        let at = format!("{}:{line}", path.display());
        let mut pattern = Pattern::new(&entry)
            .map_err(|e| format!("{at}: {e}"))?
            .from(at);
        if entry.contains(" #") || entry.contains("\t#") {
            pattern = pattern.noting(
                "it is taken whole, with the '#': a comment must start its own line".to_string(),
            );
        }
        patterns.push(pattern);
    }
    Ok(patterns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        let mut out = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    /// Issue 11 item 3: Notepad's UTF-8 byte order mark used to become part of the first
    /// pattern, which then matched nobody.
    #[test]
    fn byte_order_marks_are_dropped_and_utf16_is_read() {
        let text = "Administrator\r\n# keep\r\nJürgen\r\n";
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend_from_slice(text.as_bytes());
        for bytes in [
            utf8,
            utf16(text, true),
            utf16(text, false),
            text.as_bytes().to_vec(),
        ] {
            let decoded = decode(&bytes).unwrap();
            assert_eq!(
                entries(&decoded),
                [(1, "Administrator".to_string()), (3, "Jürgen".to_string())]
            );
        }
        assert!(decode(b"J\xfcrgen").unwrap_err().contains("not UTF-8"));
        assert!(decode(&[0xFF, 0xFE, 0x41]).is_err());
    }

    #[test]
    fn a_hash_starts_a_comment_only_at_the_start_of_a_line() {
        let got = entries("c#admin\n   # a comment\n\t#another\nsvc_#1  \n\n");
        assert_eq!(got, [(1, "c#admin".to_string()), (4, "svc_#1".to_string())]);
    }
}
