//! Text for people: names shown so that what is on the screen is what is acted on (control,
//! format and bidi characters and other invisible code points written as `\u{202e}` in the
//! table, CSV, the prompt and messages; JSON and the `--log` keep the exact string, and matching
//! always uses the exact string), quoting for messages, and a tool's words on one line.

use std::borrow::Cow;

/// Code points that are invisible or reorder text: Unicode general categories Cf (format), Zl
/// and Zp, and the Default_Ignorable_Code_Point ranges (Unicode 15.1). Cc (control) is tested
/// with `char::is_control`.
const HIDDEN: &[(u32, u32)] = &[
    (0x00AD, 0x00AD), // soft hyphen
    (0x034F, 0x034F), // combining grapheme joiner
    (0x0600, 0x0605), // Arabic number signs
    (0x061C, 0x061C), // Arabic letter mark (bidi)
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160), // Hangul fillers
    (0x17B4, 0x17B5),
    (0x180B, 0x180F), // Mongolian variation selectors and vowel separator
    (0x200B, 0x200F), // zero-width space, joiners, LRM, RLM
    (0x2028, 0x2029), // line and paragraph separators
    (0x202A, 0x202E), // bidi embeddings and overrides
    (0x2060, 0x206F), // word joiner, invisible operators, bidi isolates, deprecated formats
    (0x3164, 0x3164), // Hangul filler
    (0xFE00, 0xFE0F), // variation selectors
    (0xFEFF, 0xFEFF), // zero-width no-break space, byte order mark
    (0xFFA0, 0xFFA0), // halfwidth Hangul filler
    (0xFFF0, 0xFFFB), // interlinear annotations
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F), // Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3), // shorthand format controls
    (0x1D173, 0x1D17A), // musical symbol format controls
    (0xE0000, 0xE0FFF), // tags and variation selectors supplement
];

/// Whether `c` cannot be shown as itself: a control, format or bidi character, or another
/// invisible code point.
pub(crate) fn is_hidden(c: char) -> bool {
    if c.is_control() {
        return true;
    }
    let n = u32::from(c);
    HIDDEN.iter().any(|&(lo, hi)| (lo..=hi).contains(&n))
}

/// `text` with every hidden character (see [`is_hidden`]) written as `\u{hex}`; borrowed when
/// there is nothing to escape.
pub(crate) fn escape_for_display(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Quotes text from the user or a tool for a message: in double quotes, as printed (a
/// backslash stays one backslash), with only control characters escaped so a message stays
/// one line, and format, bidi and other invisible characters written as `\u{202e}` (see
/// [`is_hidden`]) so what is shown is what is there.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else if is_hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Collapses a message (what a stock tool printed) to one trimmed line, with control, format
/// and bidi characters shown escaped (`\u{1b}`, `\u{202e}`): a tool's words reach the report,
/// stderr and the event log as text, never as terminal control sequences or reordered text.
pub(crate) fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    escape_for_display(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_and_invisible_characters_are_shown_escaped() {
        assert_eq!(
            escape_for_display("admin\u{202e}nimda"),
            "admin\\u{202e}nimda"
        );
        assert_eq!(escape_for_display("a\u{200b}b"), "a\\u{200b}b");
        assert_eq!(
            escape_for_display("\u{feff}x\u{2066}"),
            "\\u{feff}x\\u{2066}"
        );
        assert_eq!(escape_for_display("tab\there\u{7}"), "tab\\u{9}here\\u{7}");
        assert_eq!(escape_for_display("a\u{e0041}"), "a\\u{e0041}");
        for c in [
            '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{2069}', '\u{61c}',
        ] {
            assert!(is_hidden(c), "{:x}", u32::from(c));
        }
    }

    #[test]
    fn ordinary_names_are_borrowed_unchanged() {
        for name in [
            "alice",
            "j.doe-smith",
            "Jürgen Müller",
            "админ",
            "管理员",
            "rdp-tcp#5",
        ] {
            assert!(matches!(escape_for_display(name), Cow::Borrowed(n) if n == name));
        }
    }

    #[test]
    fn quote_keeps_names_as_printed_but_escapes_control_characters() {
        assert_eq!(quote(r"CONTOSO\alice"), r#""CONTOSO\alice""#);
        assert_eq!(quote("Jürgen Groß"), "\"Jürgen Groß\"");
        assert_eq!(quote("a\nb\u{7}"), r#""a\nb\u{7}""#);
        assert_eq!(quote("bob\u{202e}nimda"), r#""bob\u{202e}nimda""#);
    }

    #[test]
    fn a_tools_words_never_carry_control_sequences_or_bidi_overrides() {
        assert_eq!(
            one_line("  Error [5]:\r\n Access  denied. "),
            "Error [5]: Access denied."
        );
        assert_eq!(
            one_line("\u{1b}[2J\u{1b}]0;owned\u{7} done \u{202e}txt.exe"),
            "\\u{1b}[2J\\u{1b}]0;owned\\u{7} done \\u{202e}txt.exe"
        );
    }
}
