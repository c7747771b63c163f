//! Hidden: invisible characters in the user patterns admins type, paste or save. A pattern
//! holding one silently matched nobody, and that user was logged off. Blanks that are not
//! spaces (a no-break space from a copy) count as spaces; the invisible characters that come
//! from pasting and joining files (a second byte order mark, a zero-width space, a soft hyphen,
//! a word joiner) are dropped from exclusions, and ignored in the names they are matched
//! against; any other invisible, format or control character refuses the pattern.

/// Dropped from exclusions and ignored in names an exclusion is matched against: byte order
/// mark (`type a.txt b.txt > keep.txt` puts the second file's in the middle), zero-width
/// space, soft hyphen, word joiner. None of them shows, none belongs to a name.
const IGNORABLE: &[char] = &['\u{FEFF}', '\u{200B}', '\u{00AD}', '\u{2060}'];

/// Whether `c` is dropped from exclusions (see [`IGNORABLE`]).
pub(crate) fn is_ignorable(c: char) -> bool {
    IGNORABLE.contains(&c)
}

/// `c` for a message: `U+200E (left-to-right mark)`.
pub(crate) fn describe(c: char) -> String {
    let name = match c {
        '\u{FEFF}' => "byte order mark",
        '\u{200B}' => "zero-width space",
        '\u{00AD}' => "soft hyphen",
        '\u{2060}' => "word joiner",
        '\u{200C}' => "zero-width non-joiner",
        '\u{200D}' => "zero-width joiner",
        '\u{200E}' => "left-to-right mark",
        '\u{200F}' => "right-to-left mark",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => "bidi control",
        c if c.is_control() => "control character",
        _ => "invisible format character",
    };
    format!("U+{:04X} ({name})", u32::from(c))
}

/// A pattern's text made plain: every blank (tab, no-break space U+00A0, other Unicode
/// spaces) a space, the ends trimmed; with `drop`, the ignorable characters removed. `Err`
/// names the first character left that cannot be seen (control, format, bidi, invisible).
pub(crate) fn clean(text: &str, drop: bool) -> Result<String, char> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if drop && is_ignorable(c) {
            continue;
        }
        if c.is_whitespace() {
            out.push(' ');
        } else if crate::vocab::text::is_hidden(c) {
            return Err(c);
        } else {
            out.push(c);
        }
    }
    Ok(out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_become_spaces_ignorables_go_and_other_hidden_characters_are_named() {
        assert_eq!(clean("\u{a0}alice\u{a0}", true).unwrap(), "alice");
        assert_eq!(clean("John\u{a0}Smith", false).unwrap(), "John Smith");
        assert_eq!(
            clean("\u{feff}al\u{200b}i\u{ad}ce\u{2060}", true).unwrap(),
            "alice"
        );
        assert_eq!(clean("al\u{200b}ice", false), Err('\u{200b}'));
        assert_eq!(clean("bob\u{200e}", true), Err('\u{200e}'));
        assert_eq!(clean("bob\u{7}", true), Err('\u{7}'));
        assert_eq!(describe('\u{200e}'), "U+200E (left-to-right mark)");
        assert_eq!(describe('\u{feff}'), "U+FEFF (byte order mark)");
        assert_eq!(describe('\u{1b}'), "U+001B (control character)");
    }
}
