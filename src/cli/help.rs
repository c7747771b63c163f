//! The end of `--help`: examples of the common jobs and the exit-code table, so the help stands
//! alone on a server that has only the exe.

use crate::exit_code;

/// The sections of `--help`, in the order an admin asks: whom, what, where, what is written,
/// and the flags for trying it out.
pub(crate) const WHICH: &str = "Which sessions";
/// Flags that say what is done, and how carefully.
pub(crate) const WHAT: &str = "What to do";
/// Flags for other servers and many at once.
pub(crate) const FARM: &str = "Farm";
/// Flags for the report, the audit log and the event log.
pub(crate) const REPORTS: &str = "Reports";
/// Flags for previews and tests: captures, code pages, stand-in tools.
pub(crate) const TESTING: &str = "Testing";

/// The common jobs, one command each, with what it does.
pub(crate) const EXAMPLES: &[(&str, &str)] = &[
    (
        "logoff-all -n",
        "show what would be done, log off nobody (dry run)",
    ),
    (
        "logoff-all",
        "log off every user session but yours (asks first on a terminal)",
    ),
    (
        "logoff-all --state disc --yes",
        "only disconnected sessions, without asking",
    ),
    (
        "logoff-all --idle-over 2h --yes",
        "only sessions idle for over 2 hours",
    ),
    (
        "logoff-all --exclude-user \"adm*\" --exclude-user \"svc_*\"",
        "everyone except admins and service accounts",
    ),
    (
        "logoff-all --warn \"Logging off in {grace}: save your work\" --grace 5m --yes",
        "warn first, wait, re-check, then log off",
    ),
    (
        "logoff-all --servers-file farm.txt -j 4 --yes --format csv --output report.csv",
        "a farm, 4 servers at a time, a CSV report for Excel",
    ),
];

/// The scheduled task example: its command lines.
const SCHEDULED: &[&str] = &[
    "schtasks /create /tn \"logoff-all nightly\" /ru SYSTEM /sc daily /st 02:00 /rl highest",
    "  /tr \"\\\"%ProgramFiles%\\logoff-all\\logoff-all.exe\\\" --yes --log \\\"%ProgramData%\\logoff-all\\logoff-all.jsonl\\\" --event-log\"",
];

/// The text after the flags in `--help`, `-h`, `/?` and `/help`.
pub(crate) fn after_help() -> String {
    let mut text = String::from("Examples:\n");
    for (command, what) in EXAMPLES {
        text.push_str(&format!("  {command}\n      {what}\n"));
    }
    text.push_str("  A scheduled task, nightly at 02:00 as SYSTEM (one line):\n");
    for line in SCHEDULED {
        text.push_str(&format!("  {line}\n"));
    }
    text.push('\n');
    text.push_str(&exit_code::help_text());
    text.push_str(
        "\nWindows forms also work: /? /help /server:NAME -server:NAME /server NAME, and every \
         flag with a slash: /y /n /yes /dry-run /format:csv",
    );
    text
}

/// The width help is wrapped to: an 80-column console.
pub(crate) const WIDTH: usize = 80;

/// `text` with every line longer than [`WIDTH`] wrapped at spaces: a flag's (or an exit
/// code's) line goes on under its description, any other line under its own indent. (The parser prints help unwrapped;
/// wrapping here needs no terminal lookup, so the help is the same on every console.)
pub(crate) fn wrap(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.lines() {
        if line.chars().count() <= WIDTH {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        // `  -n, --dry-run   Print the plan` or `   1  a logoff failed`: go on under the text
        // after the first gap of two spaces.
        let hang = line[indent..]
            .find("  ")
            .map(|gap| indent + gap)
            .and_then(|gap| line[gap..].find(|c: char| c != ' ').map(|at| gap + at))
            .unwrap_or(indent);
        let hang = if hang > WIDTH / 2 { indent + 4 } else { hang };
        // The flag and its gap stay as the parser laid them out.
        let start = if hang > indent && hang <= line.len() {
            hang
        } else {
            indent
        };
        let mut current = line[..start].to_string();
        let mut empty = true;
        for word in line[start..].split(' ').filter(|w| !w.is_empty()) {
            let room = current.chars().count() + usize::from(!empty) + word.chars().count();
            if !empty && room > WIDTH {
                out.push_str(current.trim_end());
                out.push('\n');
                current = " ".repeat(hang);
                empty = true;
            }
            if !empty {
                current.push(' ');
            }
            current.push_str(word);
            empty = false;
        }
        out.push_str(current.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_under_their_description() {
        let line = format!("  -n, --dry-run     {}", "word ".repeat(30));
        let wrapped = wrap(&line);
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines.len() > 1);
        assert!(
            lines.iter().all(|l| l.chars().count() <= WIDTH),
            "{wrapped}"
        );
        assert!(lines[1].starts_with(&" ".repeat(20)), "{wrapped}");
        assert!(!lines[1].starts_with(&" ".repeat(21)), "{wrapped}");
        assert_eq!(wrap("short\n\nx"), "short\n\nx\n");
    }
}
