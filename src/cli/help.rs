//! The end of `--help`: examples of the common jobs and the exit-code table, so the help stands
//! alone on a server that has only the exe.

use crate::exit_code;

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
    text.push_str("\nWindows forms also work: /? /help /server:NAME -server:NAME /server NAME");
    text
}
