//! List: the lines of an `--exclude-file` (read and decoded by `vocab::file`): one pattern per
//! line; `#` starts a comment only at the start of a line (after blanks), because `#` may be
//! part of a user name. A file that excludes nobody is refused: it would log off everyone.

use super::hidden;
use super::pattern::Pattern;

/// The lines that hold an entry, with their line numbers: blank lines and lines whose first
/// visible character is `#` are left out (a byte order mark or zero-width space before it does
/// not count). The entry is the line as written; [`Pattern::exclusion`] cleans it.
pub(crate) fn entries(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| {
            let visible =
                l.trim_start_matches(|c: char| c.is_whitespace() || hidden::is_ignorable(c));
            !visible.is_empty() && !visible.starts_with('#')
        })
        .collect()
}

/// Reads the patterns of an exclusion file's text, each noted with `file:line` (and a note on
/// one that looks like it ends in a comment, which is now part of the pattern). A bad pattern
/// (one holding an invisible character included) is an error naming its place; so is a file
/// with no pattern at all.
pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Pattern>, String> {
    let mut patterns = Vec::new();
    for (line, entry) in entries(text) {
        let at = format!("{file}:{line}");
        let mut pattern = Pattern::exclusion(entry)
            .map_err(|e| format!("{at}: {e}"))?
            .from(at);
        if entry.contains(" #") || entry.contains("\t#") {
            pattern = pattern.noting(
                "it is taken whole, with the '#': a comment must start its own line".to_string(),
            );
        }
        patterns.push(pattern);
    }
    if patterns.is_empty() {
        return Err(format!(
            "{file} holds no user name, only blank lines and # comments: an empty exclusion \
             list would log off everyone; put the names to keep in it, one per line"
        ));
    }
    Ok(patterns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_starts_a_comment_only_at_the_start_of_a_line() {
        let got = entries("c#admin\n   # a comment\n\t#another\nsvc_#1  \n\n\u{feff}# joined\n");
        assert_eq!(got, [(1, "c#admin"), (4, "svc_#1  ")]);
    }

    /// Issue 20: an empty or comments-only file was accepted, so everyone was logged off.
    #[test]
    fn a_file_that_excludes_nobody_is_refused() {
        for text in [
            "",
            "\r\n\r\n",
            "# keep nobody\r\n   # really\r\n",
            "\u{feff}\u{200b}\n",
        ] {
            let e = parse("keep.txt", text).unwrap_err();
            assert!(e.contains("keep.txt holds no user name"), "{text:?}: {e}");
            assert!(e.contains("would log off everyone"), "{e}");
        }
    }

    /// Issue 20: invisible characters from a paste or from `type a.txt b.txt > keep.txt` made
    /// a line match nobody, and that user was logged off.
    #[test]
    fn invisible_characters_are_dropped_or_refused_never_matching_nobody() {
        let text = "alice\r\n\u{feff}bob\r\ncar\u{200b}ol\r\nda\u{ad}ve\r\n\u{a0}erin\u{a0}\r\n";
        let patterns = parse("keep.txt", text).unwrap();
        let names = ["alice", "bob", "carol", "dave", "erin"];
        for (p, name) in patterns.iter().zip(names) {
            assert!(p.matches_cut(name), "{p:?} must exclude {name}");
            assert_eq!(p.as_str(), name);
        }
        // Also the printed name with such a character in it.
        assert!(patterns[2].matches_cut("car\u{200b}ol"));
        for (line, c) in [("bob\u{200e}", "U+200E"), ("x\u{202e}nimda", "U+202E")] {
            let e = parse("keep.txt", &format!("alice\n{line}\n")).unwrap_err();
            assert!(e.starts_with("keep.txt:2: "), "{e}");
            assert!(e.contains(c), "{e}");
        }
    }
}
