//! Conflicts: the pairs of flags refused together, as one table a unit test walks pair by pair.

use crate::error::Error;
use clap::parser::ValueSource;
use clap::ArgMatches;

/// Two flags that cannot mean anything together (by clap id), and why.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Conflict {
    /// The first flag's id (the field name).
    pub(crate) first: &'static str,
    /// The second flag's id.
    pub(crate) second: &'static str,
    /// Why they cannot go together.
    pub(crate) why: &'static str,
}

/// Every pair of flags refused together. Left out on purpose, because they are harmless:
/// `--dry-run` with `--yes` (nothing to confirm), `--dry-run` with `--warn`, `--log` or
/// `--event-log` (the plan is shown, nothing is sent or written but the log's decisions),
/// `--input` with `--yes` or `--log`, `--list` with `--input`, `--dry-run` or `--yes`.
/// `--input` with `--idle-over` needs `--input-user`: checked when the config is built, not here.
pub(crate) const CONFLICTS: &[Conflict] = &[
    Conflict {
        first: "input",
        second: "server",
        why: "--input reads a saved capture; naming a server would label its rows as if read live",
    },
    Conflict {
        first: "input",
        second: "servers_file",
        why: "--input reads one saved capture; it queries no server",
    },
    Conflict {
        first: "input",
        second: "warn",
        why: "--input is always a dry run: no message is sent",
    },
    Conflict {
        first: "input",
        second: "event_log",
        why: "--input is always a dry run: no event is written",
    },
    Conflict {
        first: "input",
        second: "jobs",
        why: "--input reads one capture; there are no servers to run at once",
    },
    Conflict {
        first: "input",
        second: "parallel",
        why: "--input is always a dry run: nobody is logged off",
    },
    Conflict {
        first: "list",
        second: "parallel",
        why: LIST_ACTS_ON_NOBODY,
    },
    Conflict {
        first: "input",
        second: "timeout",
        why: "--input runs no program, so nothing can time out",
    },
    Conflict {
        first: "input",
        second: "tools_dir",
        why: "--input runs no program",
    },
    Conflict {
        first: "input",
        second: "drain",
        why: "--input is always a dry run: the logon mode is not changed",
    },
    Conflict {
        first: "list",
        second: "warn",
        why: LIST_ACTS_ON_NOBODY,
    },
    Conflict {
        first: "list",
        second: "drain",
        why: LIST_ACTS_ON_NOBODY,
    },
    Conflict {
        first: "list",
        second: "disconnect",
        why: LIST_ACTS_ON_NOBODY,
    },
    Conflict {
        first: "list",
        second: "log",
        why: LIST_ACTS_ON_NOBODY,
    },
    Conflict {
        first: "list",
        second: "event_log",
        why: LIST_ACTS_ON_NOBODY,
    },
    Conflict {
        first: "list",
        second: "include_console",
        why: LIST_SHOWS_ALL,
    },
    Conflict {
        first: "list",
        second: "include_self",
        why: LIST_SHOWS_ALL,
    },
    Conflict {
        first: "list",
        second: "state",
        why: LIST_SHOWS_ALL,
    },
    Conflict {
        first: "list",
        second: "user",
        why: LIST_SHOWS_ALL,
    },
    Conflict {
        first: "list",
        second: "exclude_user",
        why: LIST_SHOWS_ALL,
    },
    Conflict {
        first: "list",
        second: "exclude_file",
        why: LIST_SHOWS_ALL,
    },
    Conflict {
        first: "list",
        second: "idle_over",
        why: LIST_SHOWS_ALL,
    },
    Conflict {
        first: "list",
        second: "session_name",
        why: LIST_SHOWS_ALL,
    },
    Conflict {
        first: "verify_wait",
        second: "input",
        why: NOTHING_TO_VERIFY,
    },
    Conflict {
        first: "verify_wait",
        second: "list",
        why: NOTHING_TO_VERIFY,
    },
    Conflict {
        first: "verify_wait",
        second: "disconnect",
        why: DISCONNECT_NOT_VERIFIED,
    },
    Conflict {
        first: "reset_stuck",
        second: "input",
        why: NOTHING_TO_VERIFY,
    },
    Conflict {
        first: "reset_stuck",
        second: "list",
        why: NOTHING_TO_VERIFY,
    },
    Conflict {
        first: "reset_stuck",
        second: "disconnect",
        why: DISCONNECT_NOT_VERIFIED,
    },
    Conflict {
        first: "check",
        second: "input",
        why: "--check examines this computer's tools and servers; --input runs no tool",
    },
    Conflict {
        first: "save_capture",
        second: "input",
        why: "--input runs no tool, so there is no output to save",
    },
];

/// Why `--verify-wait` and `--reset-stuck` need a run that logs off.
const NOTHING_TO_VERIFY: &str = "nobody is logged off, so there is nothing to verify or reset";

/// Why `--verify-wait` and `--reset-stuck` do not go with `--disconnect`.
const DISCONNECT_NOT_VERIFIED: &str =
    "a disconnected session stays listed, so disconnections are not verified and none is reset";

/// Why `--list` refuses the flags that act: it only reads.
const LIST_ACTS_ON_NOBODY: &str =
    "--list only lists the sessions: nobody is warned, logged off or disconnected, nothing is \
     changed or logged";

/// Why `--list` refuses the filters: it shows every session.
const LIST_SHOWS_ALL: &str = "--list shows every session; filters choose whom to act on";

/// The flag as written on the command line, from its id.
pub(crate) fn flag(id: &str) -> String {
    format!("--{}", id.replace('_', "-"))
}

/// Refuses the first pair of [`CONFLICTS`] given together on the command line.
pub(crate) fn check_conflicts(matches: &ArgMatches) -> Result<(), Error> {
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    match CONFLICTS.iter().find(|c| given(c.first) && given(c.second)) {
        Some(c) => Err(Error::Usage(format!(
            "{} cannot be used with {}: {}",
            flag(c.first),
            flag(c.second),
            c.why
        ))),
        None => Ok(()),
    }
}
