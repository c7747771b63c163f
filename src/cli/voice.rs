//! The parser's errors in the program's own voice: what is wrong, in one line, and a
//! suggestion only when it is close to what was typed (two edits at most), so `--frobnicate`
//! is not offered `--format`.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The most edits (insert, delete, replace a character) between a mistyped flag and the flag
/// offered in its place.
const CLOSE: usize = 2;

/// A parse error as one message, without the parser's `error:`, usage and tip lines.
pub(crate) fn clap_message(e: &clap::Error) -> String {
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    let rendered = e.render().to_string();
    // The parser's sentence: its lines up to the first blank one (tips and usage follow).
    let first = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("error: ")
        .to_string();
    match e.kind() {
        ErrorKind::UnknownArgument => {
            let given = text(ContextKind::InvalidArg).unwrap_or_default();
            let mut message = format!("{given} is not a flag of logoff-all");
            if let Some(s) = closest(&given) {
                message.push_str(&format!("; did you mean {s}?"));
            }
            message
        }
        _ => first,
    }
}

/// The flag (`--name`) closest to `given` (fewest edits, the first in `--help` order among
/// equals), when it is close enough to be what was meant.
fn closest(given: &str) -> Option<String> {
    let command = <super::Cli as clap::CommandFactory>::command();
    let mut best: Option<(usize, String)> = None;
    for long in command.get_arguments().filter_map(clap::Arg::get_long) {
        let offered = format!("--{long}");
        let cost = edits(&strip(given), long);
        if close(given, &offered) && best.as_ref().is_none_or(|(b, _)| cost < *b) {
            best = Some((cost, offered));
        }
    }
    best.map(|(_, offered)| offered)
}

/// The flag's name, for comparing: no leading dashes, no value, lower case.
fn strip(s: &str) -> String {
    s.split(['=', ' '])
        .next()
        .unwrap_or_default()
        .trim_start_matches('-')
        .to_ascii_lowercase()
}

/// Whether `offered` is close enough to `given` to be what was meant.
fn close(given: &str, offered: &str) -> bool {
    edits(&strip(given), &strip(offered)) <= CLOSE
}

/// The edit distance (Levenshtein) between two words.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let replaced = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = replaced.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_close_flags_are_offered() {
        assert_eq!(edits("fromat", "format"), 2);
        assert!(edits("frobnicate", "format") > CLOSE);
        assert_eq!(edits("", "abc"), 3);
        assert!(close("--fromat", "--format"));
        assert!(close("--dry-rum", "--dry-run"));
        assert!(!close("--frobnicate", "--format"));
    }

    #[test]
    fn the_closest_flag_is_offered_and_a_far_one_is_not() {
        assert_eq!(closest("--servr").as_deref(), Some("--server"));
        assert_eq!(closest("--fromat").as_deref(), Some("--format"));
        assert_eq!(closest("--dry-rum=1").as_deref(), Some("--dry-run"));
        assert_eq!(closest("--paralel").as_deref(), Some("--parallel"));
        assert_eq!(closest("--frobnicate"), None);
    }
}
