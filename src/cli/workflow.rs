//! The admin workflow flags (--drain, --disconnect, --session-name, --list, --input-user,
//! --warn-exact, --unknown-idle), flattened into the command line and checked together here.
//! Pairs that cannot go together are in [`super::conflicts::CONFLICTS`].

use crate::vocab::Verb;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// The admin workflow flags.
#[derive(Debug, Args)]
pub(crate) struct WorkflowArgs {
    /// Block new logons during the run (stock `change logon /drain`; reconnections still work),
    /// then put back the mode recorded before, also after a failure, a timeout or Ctrl-C. This
    /// computer only: `change logon` has no /server:.
    #[arg(help_heading = super::help::WHAT, long)]
    pub(crate) drain: bool,

    /// As --drain, but with `change logon /drainuntilrestart`, for a run before a reboot: new
    /// logons stay blocked after the run, until the next restart enables them again.
    #[arg(long, conflicts_with_all = ["drain", "input", "list"])]
    pub(crate) drain_until_restart: bool,

    /// Only put back a logon mode that a --drain run killed from outside left drained (the
    /// note it keeps in %ProgramData%\logoff-all), when that run is gone and the mode is
    /// still the one it set; then end. Every run on this computer that acts does this first.
    #[arg(long, conflicts_with_all = ["drain", "drain_until_restart", "input", "list", "server", "dry_run"])]
    pub(crate) restore_logons: bool,

    /// Disconnect the sessions (stock `tsdiscon`) instead of logging them off; sessions that are
    /// already disconnected are skipped.
    #[arg(help_heading = super::help::WHAT, long)]
    pub(crate) disconnect: bool,

    /// Only sessions whose name matches this pattern, e.g. rdp-tcp#* or ica-cgp#* (* and ?
    /// wildcards, case-insensitive; repeatable). Disconnected sessions have no session name and
    /// never match.
    #[arg(help_heading = super::help::WHICH, long, value_name = "PATTERN")]
    pub(crate) session_name: Vec<String>,

    /// List every session with its idle and logon time (from `query user`) and do nothing else.
    #[arg(help_heading = super::help::WHAT, long)]
    pub(crate) list: bool,

    /// With --input: a captured `query user` output, to preview --idle-over (or --list) offline.
    #[arg(help_heading = super::help::TESTING, long, value_name = "FILE", requires = "input")]
    pub(crate) input_user: Option<PathBuf>,

    /// Send the --warn text as given, without ", logoff in 5 minutes" appended ({grace} is still
    /// replaced by the grace period in words).
    #[arg(help_heading = super::help::WHAT, long, requires = "warn")]
    pub(crate) warn_exact: bool,

    /// Act on an active session even when its --warn message could not be sent (by default it
    /// is left alone: not_warned, exit bit 1).
    #[arg(long, requires = "warn")]
    pub(crate) even_if_unwarned: bool,

    /// What --idle-over does with a session whose idle time cannot be read (absurd, or not
    /// listed by query user): skip it (the default) or log it off; counted in the summary
    /// either way, with exit code 4.
    #[arg(help_heading = super::help::WHICH, long, value_enum, value_name = "WHAT", requires = "idle_over")]
    pub(crate) unknown_idle: Option<UnknownIdleArg>,
}

/// `--unknown-idle` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum UnknownIdleArg {
    /// Skip the session, with the reason.
    Skip,
    /// Log it off (or disconnect it) as if idle long enough; every protection still applies.
    Logoff,
}

impl WorkflowArgs {
    /// What is done to each planned session: `--disconnect`, or log off.
    pub(crate) fn verb(&self) -> Verb {
        if self.disconnect {
            Verb::Disconnect
        } else {
            Verb::Logoff
        }
    }
}
