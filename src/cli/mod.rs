//! Command line: the flags (with the Windows habits `/?` and `/server:NAME`), checked for
//! contradictions, turned once into a plain [`crate::config::Config`]. The only module that knows clap.

pub(crate) mod args;
pub(crate) mod conflicts;
pub(crate) mod help;
mod voice;
pub(crate) mod workflow;

use crate::error::Error;
use crate::vocab::duration::{parse_grace, parse_idle_over, parse_timeout, parse_verify_wait};
use crate::vocab::format::Format;
use clap::{CommandFactory, FromArgMatches, Parser};
#[cfg(test)]
pub(crate) use conflicts::{flag, CONFLICTS};
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// Log every user off a Remote Desktop Session Host, safely.
///
/// Runs the stock `query session`, decides for every session whether to log it off or skip it
/// (always with a reason), runs the stock `logoff <id>` for each selected session and reports
/// every outcome. Never logged off by default: the console, session 0 / services, listeners,
/// sessions with no user, and your own session.
#[derive(Debug, Parser)]
#[command(name = "logoff-all", version, term_width = 80, max_term_width = 80, after_help = help::after_help())]
pub(crate) struct Cli {
    /// Only sessions in these states (active, disc, conn, ... or the localized words).
    #[arg(help_heading = help::WHICH, long, value_name = "STATE", value_delimiter = ',')]
    pub(crate) state: Vec<String>,

    /// Only users matching this pattern (* and ? wildcards, case-insensitive; repeatable). It
    /// must match the whole name as query prints it, cut to 20 characters: for a longer name
    /// give its first 20 characters or end the pattern with *.
    #[arg(help_heading = help::WHICH, long, value_name = "PATTERN")]
    pub(crate) user: Vec<String>,

    /// Never users matching this pattern (repeatable; wins over --user). A longer pattern also
    /// excludes a printed 20-character name that is its start (query cuts names to 20).
    #[arg(help_heading = help::WHICH, long, value_name = "PATTERN")]
    pub(crate) exclude_user: Vec<String>,

    /// Never users matching a pattern in this file: one per line, a line starting with # is a
    /// comment; UTF-8 (with or without BOM) or UTF-16 with BOM.
    #[arg(help_heading = help::WHICH, long, value_name = "FILE")]
    pub(crate) exclude_file: Option<PathBuf>,

    /// Only sessions idle longer than this, per `query user` (e.g. 90m, 2h, 1d12h; the unit is
    /// needed: a bare number is refused).
    #[arg(help_heading = help::WHICH, long, value_name = "DURATION", value_parser = parse_idle_over)]
    pub(crate) idle_over: Option<Duration>,

    /// Log off the console session too.
    #[arg(help_heading = help::WHICH, long)]
    pub(crate) include_console: bool,

    /// Log off your own session too; it always goes last.
    #[arg(help_heading = help::WHICH, long)]
    pub(crate) include_self: bool,

    /// Print the plan and log off nobody.
    #[arg(help_heading = help::WHAT, short = 'n', long)]
    pub(crate) dry_run: bool,

    /// Do not ask for confirmation on a terminal.
    #[arg(help_heading = help::WHAT, short = 'y', long)]
    pub(crate) yes: bool,

    /// Send this message (stock `msg`) to the sessions first, wait --grace, re-check, then log off.
    #[arg(help_heading = help::WHAT, long, value_name = "MESSAGE")]
    pub(crate) warn: Option<String>,

    /// Wait between --warn and the logoff (default 5m, at most 1d).
    #[arg(help_heading = help::WHAT, long, value_name = "DURATION", value_parser = parse_grace, requires = "warn")]
    pub(crate) grace: Option<Duration>,

    /// Time query and each logoff may take before they are stopped (e.g. 60, 90s, 2m; 1s to 1d).
    #[arg(help_heading = help::WHAT, long, value_name = "DURATION", default_value = "60s", value_parser = parse_timeout)]
    pub(crate) timeout: Duration,

    /// After the logoffs, read the table again until every logged-off session is gone, at most
    /// this long (0 = do not check; then the report says "not verified"). Not with
    /// --disconnect: a disconnected session stays listed. At most 1h.
    #[arg(help_heading = help::WHAT, long, value_name = "DURATION", default_value = "30s", value_parser = parse_verify_wait)]
    pub(crate) verify_wait: Duration,

    /// End a session that is still listed after --verify-wait with `reset session <id>`.
    #[arg(help_heading = help::WHAT, long)]
    pub(crate) reset_stuck: bool,

    /// Work on this server instead of this computer; repeat or separate with commas for several
    /// (also /server:NAME).
    #[arg(help_heading = help::FARM, short = 's', long, value_name = "NAME", value_delimiter = ',')]
    pub(crate) server: Vec<String>,

    /// Read server names from a file: one per line, # comments, blank lines ignored.
    #[arg(help_heading = help::FARM, long, value_name = "FILE")]
    pub(crate) servers_file: Option<PathBuf>,

    /// Servers whose logoffs run at once (a server whose logoffs are done is verified alongside
    /// the next).
    #[arg(help_heading = help::FARM, short = 'j', long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) jobs: u16,

    /// Logoffs at once on each server, started in plan order, each checked by the gate first
    /// (1: one at a time, each waiting for the one before).
    #[arg(help_heading = help::FARM, long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=32))]
    pub(crate) parallel: u16,

    /// Report format.
    #[arg(help_heading = help::REPORTS, long, default_value = "table", value_name = "FORMAT", value_parser = format_parser())]
    pub(crate) format: Format,

    /// Write the report to this file instead of standard output (CSV with a UTF-8 byte order
    /// mark for Excel and Import-Csv; JSON and table as plain UTF-8).
    #[arg(help_heading = help::REPORTS, short = 'o', long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Append one JSON line per decision and outcome to this file (never truncated); if it
    /// cannot be opened, nobody is logged off.
    #[arg(help_heading = help::REPORTS, long, value_name = "FILE")]
    pub(crate) log: Option<PathBuf>,

    /// Write one summary event per server to the Application event log (stock eventcreate).
    #[arg(help_heading = help::REPORTS, long)]
    pub(crate) event_log: bool,

    /// Read a captured `query session` output from a file (- for stdin) instead of running
    /// query; always a dry run.
    #[arg(help_heading = help::TESTING, short = 'i', long, value_name = "PATH")]
    pub(crate) input: Option<PathBuf>,

    /// Decode the output with this code page (e.g. 437, 850, 866, 932) instead of the system's
    /// OEM code page.
    #[arg(help_heading = help::TESTING, long, value_name = "N")]
    pub(crate) codepage: Option<u16>,

    /// For tests: take query, logoff, msg and the other stock tools from this folder instead
    /// of the system folder (the only override; a relative folder is made absolute at start).
    #[arg(help_heading = help::TESTING, long, value_name = "DIR")]
    pub(crate) tools_dir: Option<PathBuf>,

    /// Check, reading only, whether a run with the other flags given would work here: the tools,
    /// `query session` and `query user` understood, the logon mode, the folders' permissions;
    /// nobody is logged off, messaged or disconnected and nothing is changed.
    #[arg(help_heading = help::TESTING, long)]
    pub(crate) check: bool,

    /// Save the raw output of every tool run, the command lines, exit codes, code page, Windows
    /// version and language, and the run's JSON plan, into a new numbered folder in DIR.
    #[arg(help_heading = help::TESTING, long, value_name = "DIR")]
    pub(crate) save_capture: Option<PathBuf>,

    /// --drain, --disconnect, --session-name, --list, --input-user, --warn-exact,
    /// --unknown-idle.
    #[command(flatten)]
    pub(crate) workflow: workflow::WorkflowArgs,
}

/// `--format`: every format the report writes ([`Format::ALL`]), by name.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    let values = Format::ALL.map(|f| clap::builder::PossibleValue::new(f.name()).help(f.help()));
    clap::builder::PossibleValuesParser::new(values)
        .map(|name: String| Format::from_name(&name).unwrap_or(Format::Table))
}

impl From<clap::Error> for Error {
    /// Help and version stay the parser's text (printed on stdout, exit code 0); a parse error
    /// becomes a usage error in the program's own words, printed like every other error.
    fn from(e: clap::Error) -> Error {
        if e.use_stderr() {
            Error::Usage(voice::clap_message(&e))
        } else {
            Error::CommandLine {
                text: help::wrap(&e.render().to_string()),
                error: false,
            }
        }
    }
}

/// Parses the command line (program name first), refusing flags that cannot go together; the
/// config is made from it by [`crate::config::from_args`]. Help and version come back as
/// [`Error::CommandLine`] with exit code 0, to be printed like any other answer.
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, Error> {
    let command = Cli::command();
    let flags = args::Flags::of(&command);
    let matches = command.try_get_matches_from(args::normalize(args, &flags)?)?;
    conflicts::check_conflicts(&matches)?;
    let cli = Cli::from_arg_matches(&matches)?;
    check_never_matches(&cli)?;
    Ok(cli)
}

/// Refuses `--state disc` (only disconnected states) with `--session-name`: a disconnected
/// session has no session name, so together they select nobody, and a run that selects nobody
/// on purpose is a mistake better said at once.
fn check_never_matches(cli: &Cli) -> Result<(), Error> {
    use crate::table::session::State;
    let names = &cli.workflow.session_name;
    let only_disconnected = !cli.state.is_empty()
        && cli
            .state
            .iter()
            .all(|w| crate::plan::filter::parse_state(w).is_ok_and(|s| s == State::Disconnected));
    match names.first() {
        Some(name) if only_disconnected => Err(Error::Usage(format!(
            "--state {} cannot be used with --session-name {}: a disconnected session has no \
             session name, so together they can never match; drop --session-name to select \
             disconnected sessions, or add the states the named sessions are in (e.g. --state \
             active)",
            cli.state.join(","),
            crate::vocab::quote(name)
        ))),
        _ => Ok(()),
    }
}
