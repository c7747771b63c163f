//! The admin workflow flags (--drain, --disconnect, --session-name, --list, --input-user,
//! --warn-exact, --unknown-idle), flattened into the command line and checked together here.
//! Pairs that cannot go together are in [`super::CONFLICTS`].

use crate::act::warn;
use crate::config::{check_warning, Source, Warning};
use crate::error::Error;
use crate::plan::filter::{Filters, Pattern, UnknownIdle};
use crate::vocab::Verb;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// The admin workflow flags.
#[derive(Debug, Args)]
pub struct WorkflowArgs {
    /// Block new logons during the run (stock `change logon /drain`; reconnections still work),
    /// then put back the mode recorded before, also after a failure, a timeout or Ctrl-C. This
    /// computer only: `change logon` has no /server:.
    #[arg(long)]
    pub drain: bool,

    /// Disconnect the sessions (stock `tsdiscon`) instead of logging them off; sessions that are
    /// already disconnected are skipped.
    #[arg(long)]
    pub disconnect: bool,

    /// Only sessions whose name matches this pattern, e.g. rdp-tcp#* or ica-cgp#* (* and ?
    /// wildcards, case-insensitive; repeatable). Disconnected sessions have no session name and
    /// never match.
    #[arg(long, value_name = "PATTERN")]
    pub session_name: Vec<String>,

    /// List every session with its idle and logon time (from `query user`) and do nothing else.
    #[arg(long)]
    pub list: bool,

    /// With --input: a captured `query user` output, to preview --idle-over (or --list) offline.
    #[arg(long, value_name = "FILE", requires = "input")]
    pub input_user: Option<PathBuf>,

    /// Send the --warn text as given, without ", logoff in 5 minutes" appended ({grace} is still
    /// replaced by the grace period in words).
    #[arg(long, requires = "warn")]
    pub warn_exact: bool,

    /// What --idle-over does with a session whose idle time cannot be read (absurd, or not
    /// listed by query user): skip it (the default) or log it off; counted in the summary
    /// either way, with exit code 4.
    #[arg(long, value_enum, value_name = "WHAT", requires = "idle_over")]
    pub unknown_idle: Option<UnknownIdleArg>,
}

/// `--unknown-idle` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnknownIdleArg {
    /// Skip the session, with the reason.
    Skip,
    /// Log it off (or disconnect it) as if idle long enough; every protection still applies.
    Logoff,
}

impl WorkflowArgs {
    /// Checks these flags with the rest, adds their filters, and returns the verb.
    pub fn apply(
        &self,
        filters: &mut Filters,
        warning: Option<&Warning>,
        source: &Source,
    ) -> Result<Verb, Error> {
        let verb = if self.disconnect {
            Verb::Disconnect
        } else {
            Verb::Logoff
        };
        for p in &self.session_name {
            filters
                .session_names
                .push(Pattern::session_name(p).map_err(Error::Usage)?);
        }
        if self.unknown_idle == Some(UnknownIdleArg::Logoff) {
            filters.unknown_idle = UnknownIdle::Logoff;
        }
        if let Some(w) = warning {
            // The text as sent, with the grace in it, must still be a valid message.
            check_warning(&warn::render(&w.message, w.grace, self.warn_exact, verb))?;
        }
        if self.input_user.as_deref() == Some(Path::new("-")) {
            return Err(Error::Usage(
                "--input-user - is not supported: give the file of a captured `query user` output"
                    .into(),
            ));
        }
        let offline = matches!(source, Source::Input { .. });
        if offline && filters.idle_over.is_some() && self.input_user.is_none() {
            return Err(Error::Usage(
                "--idle-over with --input needs --input-user FILE, a `query user` output captured \
                 with the `query session` one"
                    .into(),
            ));
        }
        Ok(verb)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::plan::filter::UnknownIdle;
    use crate::vocab::Verb;

    fn config(args: &[&str]) -> Result<Config, String> {
        let args = std::iter::once("logoff-all")
            .chain(args.iter().copied())
            .map(std::ffi::OsString::from);
        crate::cli::parse(args).map_err(|e| e.to_string())
    }

    /// A capture that exists (`--input` checks the file at parse time).
    const S: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/en-2019-mixed.txt");

    #[test]
    fn workflow_flags_reach_the_config() {
        let c = config(&[
            "--disconnect",
            "--drain",
            "--session-name",
            "rdp-tcp#*",
            "--idle-over",
            "2h",
            "--unknown-idle",
            "logoff",
        ])
        .unwrap();
        assert_eq!(c.verb, Verb::Disconnect);
        assert!(c.drain && !c.list);
        assert_eq!(c.filters.session_names[0].as_str(), "rdp-tcp#*");
        assert_eq!(c.filters.unknown_idle, UnknownIdle::Logoff);
        assert_eq!(config(&[]).unwrap().verb, Verb::Logoff);
    }

    #[test]
    fn workflow_flags_that_cannot_work_together_are_refused() {
        assert!(config(&["--input-user", "u.txt"]).is_err(), "needs --input");
        assert!(config(&["--input", S, "--input-user", "-"])
            .unwrap_err()
            .contains("--input-user -"));
        assert!(config(&["--input", S, "--idle-over", "1h"])
            .unwrap_err()
            .contains("--input-user"));
        assert!(
            config(&["--unknown-idle", "skip"]).is_err(),
            "needs --idle-over"
        );
        assert!(config(&["--warn-exact"]).is_err(), "needs --warn");
        assert!(config(&["--drain", "--input", S]).is_err());
        assert!(config(&["--list", "--state", "disc"]).is_err());
        assert!(config(&["--session-name", " "]).is_err());
        // The grace appended must still fit msg's limit.
        let long = "x".repeat(240);
        assert!(config(&["--warn", &long, "--warn-exact"]).is_ok());
        assert!(config(&["--warn", &long]).unwrap_err().contains("255"));
    }
}
